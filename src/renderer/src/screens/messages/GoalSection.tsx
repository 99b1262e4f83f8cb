import type { MessageDraft, MessageGoal } from '../../../../shared/messages/model';
import type { PropertyFilter } from '../../../../shared/segments/rule';
import { Field } from '../../ui/Field';
import { NumberInput } from '../../ui/NumberInput';
import type { Edit } from './editor-fields';
import { EventFilterList } from './EventFilterList';
import { issuesAt, type Issues } from './model';
import { useMessages } from './store';

const DEFAULT_GOAL_DAYS = 14;

/**
 * What the message should make users do, and the holdout it is measured against (issue 19): a goal event
 * with optional property filters (read as a rule's event condition reads them) within N days of the
 * user's assignment, and the percent of users held back as a control group. The holdout is fixed after
 * the first publish (the server refuses another), so the field locks once the message was published.
 */
export function GoalSection({ draft, edit, issues }: { draft: MessageDraft; edit: Edit; issues: Issues }) {
  const published = useMessages((s) => (s.record?.message.id === draft.id ? s.record.publishedVersion !== null : false));
  const goal = draft.goal;
  const setGoal = (next: MessageGoal | undefined): void =>
    edit((d) => {
      const copy = { ...d };
      if (next === undefined) delete copy.goal;
      else copy.goal = next;
      return copy;
    });
  const filters = (goal?.where ?? []) as PropertyFilter[];
  const setFilters = (where: PropertyFilter[]): void => {
    if (!goal) return;
    const { where: _old, ...rest } = goal;
    setGoal(where.length > 0 ? { ...rest, where } : rest);
  };
  return (
    <section className="card msg-section" aria-labelledby="msg-goal" data-testid="goal-section">
      <h3 id="msg-goal">Goal and holdout</h3>
      <p className="muted hint">
        What should the message make people do? Its lift is measured against a holdout: users who pass every check but are
        not shown it.
      </p>
      <div className="trigger-row">
        <label className="check">
          <input
            type="checkbox"
            checked={goal !== undefined}
            onChange={(e) => setGoal(e.target.checked ? { event: '', withinDays: DEFAULT_GOAL_DAYS } : undefined)}
          />
          Measure a goal
        </label>
        {goal ? (
          <>
            <div className="msg-grid">
              <Field label="Goal event" name="goal.event" errors={issuesAt(issues, 'goal.event')}>
                {(c) => (
                  <input
                    {...c}
                    type="text"
                    spellCheck={false}
                    placeholder="upgraded"
                    value={goal.event}
                    onChange={(e) => setGoal({ ...goal, event: e.target.value })}
                  />
                )}
              </Field>
              <Field label="Within (days of the assignment)" name="goal.withinDays" errors={issuesAt(issues, 'goal.withinDays')}>
                {(c) => <NumberInput {...c} value={goal.withinDays} onChange={(v) => setGoal({ ...goal, withinDays: v as number })} />}
              </Field>
            </div>
            <EventFilterList label="Goal event property filters" filters={filters} onChange={setFilters} errors={issuesAt(issues, 'goal.where')} />
          </>
        ) : null}
      </div>
      <div className="msg-grid three">
        <Field
          label="Holdout (% held back)"
          name="holdout"
          errors={issuesAt(issues, 'holdout')}
          hint={published ? 'Fixed after the first publish: the groups already assigned were drawn with it.' : '0 to 50%. Fixed once published.'}
        >
          {(c) => (
            <NumberInput
              {...c}
              disabled={published}
              value={draft.holdout ?? 0}
              onChange={(v) =>
                edit((d) => {
                  const copy = { ...d };
                  if (v === undefined) delete copy.holdout;
                  else copy.holdout = v as number;
                  return copy;
                })
              }
            />
          )}
        </Field>
      </div>
    </section>
  );
}
