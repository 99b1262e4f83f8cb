import { useContext } from 'react';
import { ENVIRONMENTS, MESSAGE_KINDS, type MessageDraft, type MessageKind, type ModalContent } from '../../../../shared/messages/model';
import type { PropertyFilter } from '../../../../shared/segments/rule';
import { SegmentedChoice } from '../../ui/SegmentedChoice';
import { BannerSection, SlideoutSection } from './BannerSection';
import { ChoiceField, InputField, IssueField, IssuesContext, NumberField, put, type SectionProps } from './editor-fields';
import { LanguagesSection } from './LanguagesSection';
import { defaultContent, defaultModal, defaultNps, inputToIso, isoToInput, issuesAt, KIND_LABELS, warnings, type Issues } from './model';
import { merged, ModalFields } from './ModalFields';
import { useMessages } from './store';
import { EventFilterList } from './EventFilterList';
import { GoalSection } from './GoalSection';
import { SurveySection } from './SurveySection';

const PAGE_HINT = 'Matched on the origin and path the SDK sends (never the fragment; query parameters only those the site allow-lists); * stands for any run of characters: https://app.example.com/projects/*';

export function MessageEditor({ draft, issues }: { draft: MessageDraft; issues: Issues }) {
  const edit = useMessages((s) => s.edit);
  return (
    <IssuesContext.Provider value={issues}>
      <div className="msg-editor">
        <BasicsSection draft={draft} edit={edit} />
        <ContentSection draft={draft} edit={edit} />
        <LanguagesSection draft={draft} edit={edit} />
        <TargetSection draft={draft} edit={edit} />
        <TriggerSection draft={draft} edit={edit} />
        <DeliverySection draft={draft} edit={edit} />
        <GoalSection draft={draft} edit={edit} issues={issues} />
      </div>
    </IssuesContext.Provider>
  );
}

/** The content of the draft's kind, in its own section. */
function ContentSection({ draft, edit }: SectionProps) {
  switch (draft.kind) {
    case 'modal':
      return <ModalSection draft={draft} edit={edit} />;
    case 'nps':
      return <NpsSection draft={draft} edit={edit} />;
    case 'survey':
      return <SurveySection draft={draft} edit={edit} />;
    case 'banner':
      return <BannerSection draft={draft} edit={edit} />;
    case 'slideout':
      return <SlideoutSection draft={draft} edit={edit} />;
  }
}

function BasicsSection({ draft, edit }: SectionProps) {
  const setKind = (kind: MessageKind): void =>
    edit((d) => ({
      ...d,
      kind,
      // Content written for another kind is kept (switching back finds it); a kind never written starts from its starter.
      ...(d[kind] ? {} : defaultContent(kind)),
    }));
  return (
    <section className="card msg-section" aria-labelledby="msg-basics">
      <h3 id="msg-basics">Message</h3>
      <div className="msg-grid">
        <InputField label="Name (only you see it)" path="name" value={draft.name} input={{ maxLength: 200 }} onChange={(name) => edit((d) => ({ ...d, name }))} />
        <ChoiceField<MessageKind> name="msg-kind" label="Kind" options={MESSAGE_KINDS.map((k) => ({ value: k, label: KIND_LABELS[k] }))} value={draft.kind} onChange={setKind} />
      </div>
    </section>
  );
}

function ModalSection({ draft, edit }: SectionProps) {
  const set = (change: Partial<ModalContent>): void => edit((d) => ({ ...d, modal: merged(d.modal ?? defaultModal(), change) }));
  return (
    <section className="card msg-section" aria-labelledby="msg-content">
      <h3 id="msg-content">Upsell modal</h3>
      <ModalFields content={draft.modal ?? defaultModal()} path="modal" set={set} />
    </section>
  );
}

const FOLLOW_UPS = [
  { category: 'promoter', label: 'Follow-up for promoters (9-10)' },
  { category: 'passive', label: 'Follow-up for passives (7-8)' },
  { category: 'detractor', label: 'Follow-up for detractors (0-6)' },
] as const;

function NpsSection({ draft, edit }: SectionProps) {
  const nps = draft.nps ?? defaultNps();
  const set = (change: Partial<typeof nps>): void => edit((d) => ({ ...d, nps: { ...(d.nps ?? defaultNps()), ...change } }));
  return (
    <section className="card msg-section" aria-labelledby="msg-content">
      <h3 id="msg-content">NPS survey</h3>
      <InputField label="Question" path="nps.question" value={nps.question} onChange={(question) => set({ question })} />
      <div className="msg-grid">
        <InputField label="Label under 0" path="nps.lowLabel" value={nps.lowLabel} onChange={(lowLabel) => set({ lowLabel })} />
        <InputField label="Label under 10" path="nps.highLabel" value={nps.highLabel} onChange={(highLabel) => set({ highLabel })} />
      </div>
      {FOLLOW_UPS.map(({ category, label }) => (
        <InputField
          key={category}
          label={label}
          path={`nps.followUp.${category}`}
          value={nps.followUp[category]}
          onChange={(text) => set({ followUp: { ...nps.followUp, [category]: text } })}
        />
      ))}
      <InputField label="Thank-you text" path="nps.thankYou" value={nps.thankYou} onChange={(thankYou) => set({ thankYou })} />
    </section>
  );
}

function TargetSection({ draft, edit }: SectionProps) {
  const segments = useMessages((s) => s.segments);
  const personas = useMessages((s) => s.personas);
  const record = useMessages((s) => s.record);
  const target = draft.target;
  const workshops = [...new Map(personas.map((p) => [p.workshopId, p.workshopTitle])).entries()];
  const segmentKnown = target.type === 'segment' && segments.some((s) => s.id === target.segmentId);
  const personaKey = target.type === 'persona' ? `${target.workshopId}/${target.personaId}` : '';
  const personaKnown = target.type === 'persona' && personas.some((p) => `${p.workshopId}/${p.personaId}` === personaKey);
  return (
    <section className="card msg-section" aria-labelledby="msg-target">
      <h3 id="msg-target">Who</h3>
      {(target.type === 'segment' && target.segmentId === '') || (target.type === 'persona' && target.personaId === '') ? (
        <p className="notice calm" data-testid="untargeted">
          <span>
            <strong>Not aimed at anyone yet.</strong> Pick who should see it: nothing is saved until you do.
          </span>
        </p>
      ) : null}
      {record?.targetWarning ? (
        <p className="notice error" role="alert" data-testid="target-warning">
          <span>
            <strong>⚠ {record.targetWarning}</strong>
          </span>
        </p>
      ) : null}
      <div className="msg-grid">
        <div className="field-block">
          <span className="field-label" id="msg-target-kind">
            Target
          </span>
          <SegmentedChoice<MessageDraft['target']['type']>
            name="msg-target"
            labelledBy="msg-target-kind"
            options={[
              { value: 'segment', label: 'A saved segment' },
              { value: 'persona', label: 'A workshop persona' },
            ]}
            value={target.type}
            onChange={(type) =>
              edit((d) => ({
                ...d,
                target:
                  type === 'segment'
                    ? { type: 'segment', segmentId: segments[0]?.id ?? '' }
                    : { type: 'persona', workshopId: personas[0]?.workshopId ?? '', personaId: personas[0]?.personaId ?? '' },
              }))
            }
          />
        </div>
        {target.type === 'segment' ? (
          <IssueField label="Segment" path="target" hint={segments.length === 0 ? 'No saved segments yet: save one in the Segments area.' : undefined}>
            {(c) => (
              <select {...c} value={target.segmentId} onChange={(e) => edit((d) => ({ ...d, target: { type: 'segment', segmentId: e.target.value } }))}>
                <option value="">Pick a segment…</option>
                {!segmentKnown && target.segmentId ? <option value={target.segmentId}>(deleted segment)</option> : null}
                {segments.map((s) => (
                  <option key={s.id} value={s.id}>
                    {s.name}
                  </option>
                ))}
              </select>
            )}
          </IssueField>
        ) : (
          <IssueField label="Persona" path="target" hint="The persona’s rule is used, kept in step with the workshop.">
            {(c) => (
              <select
                {...c}
                value={personaKey}
                onChange={(e) => {
                  const [workshopId = '', personaId = ''] = e.target.value.split('/');
                  edit((d) => ({ ...d, target: { type: 'persona', workshopId, personaId } }));
                }}
              >
                <option value="/">Pick a persona…</option>
                {!personaKnown && personaKey !== '/' ? <option value={personaKey}>(deleted persona)</option> : null}
                {workshops.map(([wid, title]) => (
                  <optgroup key={wid} label={title}>
                    {personas
                      .filter((p) => p.workshopId === wid)
                      .map((p) => (
                        <option key={p.personaId} value={`${p.workshopId}/${p.personaId}`}>
                          {p.personaName}
                        </option>
                      ))}
                  </optgroup>
                ))}
              </select>
            )}
          </IssueField>
        )}
      </div>
    </section>
  );
}

function TriggerSection({ draft, edit }: SectionProps) {
  const issues = useContext(IssuesContext);
  const trigger = draft.trigger;
  const setTrigger = (change: (t: MessageDraft['trigger']) => MessageDraft['trigger']): void => edit((d) => ({ ...d, trigger: change(d.trigger) }));
  const pageOn = trigger.page !== undefined;
  const pageWarnings = issuesAt(warnings(draft), 'trigger.page');
  const eventOn = trigger.event !== undefined;
  const filters = (trigger.event?.where ?? []) as PropertyFilter[];
  const setFilters = (where: PropertyFilter[]): void =>
    setTrigger((t) => ({ ...t, event: put<{ name: string; where?: unknown[] }, 'where'>({ name: t.event?.name ?? '' }, 'where', where.length > 0 ? where : undefined) }));
  return (
    <section className="card msg-section" aria-labelledby="msg-trigger">
      <h3 id="msg-trigger">When</h3>
      <p className="muted hint">Shown when every trigger you turn on matches. With none, it shows on the next page view.</p>
      <div className="trigger-row">
        <label className="check">
          <input type="checkbox" checked={pageOn} onChange={(e) => setTrigger((t) => put(t, 'page', e.target.checked ? '*' : undefined))} />
          On a page whose URL matches
        </label>
        {pageOn ? (
          <InputField label="Page URL pattern" path="trigger.page" hint={PAGE_HINT} input={{ spellCheck: false }} value={trigger.page ?? ''} onChange={(page) => setTrigger((t) => ({ ...t, page }))} />
        ) : null}
        {pageOn && pageWarnings.length > 0 ? (
          <p className="notice calm" role="note" data-testid="page-pattern-warning">
            {pageWarnings.join(' ')}
          </p>
        ) : null}
      </div>
      <div className="trigger-row">
        <label className="check">
          <input
            type="checkbox"
            checked={eventOn}
            onChange={(e) => setTrigger((t) => put(t, 'event', e.target.checked ? { name: '' } : undefined))}
          />
          After an event
        </label>
        {eventOn ? (
          <>
            <InputField
              label="Event name"
              path="trigger.event.name"
              input={{ spellCheck: false, placeholder: 'project_limit_reached' }}
              value={trigger.event?.name ?? ''}
              onChange={(name) => setTrigger((t) => ({ ...t, event: { ...(t.event ?? {}), name } }))}
            />
            <EventFilterList label="Event property filters" filters={filters} onChange={setFilters} errors={issuesAt(issues, 'trigger.event.where')} />
          </>
        ) : null}
      </div>
      <NumberField
        label="Delay after the trigger (seconds)"
        path="trigger.delaySeconds"
        value={trigger.delaySeconds}
        onChange={(v) => setTrigger((t) => put(t, 'delaySeconds', v))}
      />
    </section>
  );
}

type FrequencyMode = 'once' | 'every' | 'always';

function DeliverySection({ draft, edit }: SectionProps) {
  const f = draft.frequency;
  const mode: FrequencyMode = f.once ? 'once' : f.everyDays !== undefined ? 'every' : 'always';
  const setFrequency = (change: (x: MessageDraft['frequency']) => MessageDraft['frequency']): void => edit((d) => ({ ...d, frequency: change(d.frequency) }));
  const setMode = (next: FrequencyMode): void =>
    setFrequency((x) => {
      const { once: _once, everyDays: _every, ...rest } = x;
      return next === 'once' ? { ...rest, once: true } : next === 'every' ? { ...rest, everyDays: 7 } : rest;
    });
  return (
    <section className="card msg-section" aria-labelledby="msg-delivery">
      <h3 id="msg-delivery">How often, when and where</h3>
      <div className="msg-grid three">
        <IssueField label="Frequency per user" path="frequency.once">
          {(c) => (
            <select {...c} value={mode} onChange={(e) => setMode(e.target.value as FrequencyMode)}>
              <option value="once">Once</option>
              <option value="every">Again every N days</option>
              <option value="always">Whenever the trigger matches</option>
            </select>
          )}
        </IssueField>
        {mode === 'every' ? (
          <NumberField label="Every N days" path="frequency.everyDays" value={f.everyDays} onChange={(v) => setFrequency((x) => put(x, 'everyDays', v))} />
        ) : (
          <span />
        )}
        {mode !== 'once' ? (
          <NumberField label="At most N times (empty: no limit)" path="frequency.maxTimes" value={f.maxTimes} onChange={(v) => setFrequency((x) => put(x, 'maxTimes', v))} />
        ) : (
          <span />
        )}
      </div>
      <div className="msg-grid three">
        <NumberField
          label="Global cooldown (hours)"
          path="cooldownHours"
          hint="Hours after any other message before this one may show."
          value={draft.cooldownHours}
          onChange={(v) => edit((d) => put(d, 'cooldownHours', v))}
        />
        <NumberField label="Rollout (% of the target)" path="rollout" value={draft.rollout} onChange={(v) => edit((d) => ({ ...d, rollout: v as number }))} />
        <NumberField label="Priority (higher wins)" path="priority" value={draft.priority} onChange={(v) => edit((d) => ({ ...d, priority: v as number }))} />
      </div>
      <div className="msg-grid three">
        {(['start', 'end'] as const).map((end) => (
          <InputField
            key={end}
            label={end === 'start' ? 'Start (UTC, optional)' : 'End (UTC, optional)'}
            path={`schedule.${end}`}
            input={{ type: 'datetime-local' }}
            value={isoToInput(draft.schedule[end])}
            onChange={(v) => edit((d) => ({ ...d, schedule: put(d.schedule, end, inputToIso(v)) }))}
          />
        ))}
        <IssueField label="Environment" path="environment">
          {(c) => (
            <select {...c} value={draft.environment} onChange={(e) => edit((d) => ({ ...d, environment: e.target.value as MessageDraft['environment'] }))}>
              {ENVIRONMENTS.map((env) => (
                <option key={env} value={env}>
                  {env === 'production' ? 'Production' : 'Staging'}
                </option>
              ))}
            </select>
          )}
        </IssueField>
      </div>
    </section>
  );
}
