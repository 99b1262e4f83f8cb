import { createContext, useContext, useId, useMemo, useRef, useState } from 'react';
import { COUNT_OPS, type NpsCategory } from '../../../../shared/segments/rule';
import type { EventCatalogEntry, SavedSegment } from '../../../../shared/types';
import { FieldErrors } from '../../ui/Field';
import { focusLater } from '../../ui/focusLater';
import { MenuButton } from '../../ui/MenuButton';
import { FilterValueFields, PropertyFilterRow } from '../../ui/PropertyFilterRow';
import { RemoveButton } from '../../ui/RemoveButton';
import {
  COUNT_OP_LABELS,
  errorsAt,
  KIND_LABELS,
  newCondition,
  newFilter,
  placeOf,
  removeIn,
  updateIn,
  type ConditionKind,
  type EditCondition,
  type EditEvent,
  type EditGroup,
  type EditSeen,
} from './model';
import type { TraitInfo } from './store';
import { SurveyConditionFields } from './SurveyConditionFields';

interface EditorContextValue {
  update(uid: string, change: (c: EditCondition) => EditCondition): void;
  remove(uid: string, groupUid: string): void;
  add(groupUid: string, kind: ConditionKind): void;
  catalog: EventCatalogEntry[];
  traits: TraitInfo[];
  accountTraits: TraitInfo[];
  segments: SavedSegment[];
  errors: string[];
  /** The condition just added: its first field takes the focus. */
  justAdded: string | null;
  /** The focus entered or left a condition: the builder holds back what is missing until it leaves. */
  onFocusCondition(uid: string): void;
  onLeaveCondition(uid: string): void;
  ids: { events: string; traits: string; accountTraits: string };
}

const EditorContext = createContext<EditorContextValue | null>(null);

function useEditor(): EditorContextValue {
  const value = useContext(EditorContext);
  if (!value) throw new Error('RuleEditor context missing');
  return value;
}

const KINDS: ConditionKind[] = ['event', 'trait', 'account', 'first_seen', 'last_seen', 'nps', 'survey', 'segment', 'group'];
const KIND_HINTS: Record<ConditionKind, string> = {
  event: 'did something, how often',
  trait: 'plan, role, company…',
  account: "their company's plan, size… (group calls)",
  first_seen: 'signed up when',
  last_seen: 'active when',
  nps: 'promoter, passive, detractor',
  survey: 'a CSAT, CES or choice answer',
  segment: 'in a saved segment',
  group: 'nested all / any',
};

interface RuleEditorProps {
  root: EditGroup;
  onChange(root: EditGroup): void;
  errors: string[];
  catalog: EventCatalogEntry[];
  traits: TraitInfo[];
  /** Trait keys (and a few values) of the cache's accounts, for account conditions. */
  accountTraits: TraitInfo[];
  /** Saved segments this one may refer to. */
  segments: SavedSegment[];
  onFocusCondition?(uid: string): void;
  onLeaveCondition?(uid: string): void;
}

const nothing = (): void => undefined;

/** The rule as nested all/any groups of conditions, every field a plain input, select or button. */
export function RuleEditor({ root, onChange, errors, catalog, traits, accountTraits, segments, onFocusCondition = nothing, onLeaveCondition = nothing }: RuleEditorProps) {
  const [justAdded, setJustAdded] = useState<string | null>(null);
  const rootRef = useRef(root);
  rootRef.current = root;
  const base = useId();
  const context = useMemo<EditorContextValue>(
    () => ({
      update: (uid, change) => onChange(updateIn(rootRef.current, uid, change)),
      remove: (uid, groupUid) => {
        onChange(removeIn(rootRef.current, uid));
        focusLater(`[data-add-for="${groupUid}"] button`);
      },
      add: (groupUid, kind) => {
        const condition = newCondition(kind);
        setJustAdded(condition.uid);
        onChange(updateIn(rootRef.current, groupUid, (g) => (g.type === 'group' ? { ...g, conditions: [...g.conditions, condition] } : g)));
      },
      catalog,
      traits,
      accountTraits,
      segments,
      errors,
      justAdded,
      onFocusCondition,
      onLeaveCondition,
      ids: { events: `${base}-events`, traits: `${base}-traits`, accountTraits: `${base}-account-traits` },
    }),
    [onChange, catalog, traits, accountTraits, segments, errors, justAdded, base, onFocusCondition, onLeaveCondition],
  );
  return (
    <EditorContext.Provider value={context}>
      <datalist id={context.ids.events}>
        {catalog.map((e) => (
          <option key={e.name} value={e.name}>{`${e.users.toLocaleString('en-US')} users`}</option>
        ))}
      </datalist>
      <datalist id={context.ids.traits}>
        {traits.map((t) => (
          <option key={t.key} value={t.key} />
        ))}
      </datalist>
      <datalist id={context.ids.accountTraits}>
        {accountTraits.map((t) => (
          <option key={t.key} value={t.key} />
        ))}
      </datalist>
      <GroupEditor group={root} path={[]} />
    </EditorContext.Provider>
  );
}

function MatchToggle({ group, label }: { group: EditGroup; label: string }) {
  const { update } = useEditor();
  return (
    <span className="match-toggle" role="group" aria-label={label}>
      {(['all', 'any'] as const).map((m) => (
        <button
          key={m}
          type="button"
          className={group.match === m ? 'selected' : undefined}
          aria-pressed={group.match === m}
          onClick={() => update(group.uid, (g) => ({ ...g, match: m }) as EditGroup)}
        >
          {m}
        </button>
      ))}
    </span>
  );
}

function GroupEditor({ group, path, parentUid }: { group: EditGroup; path: number[]; parentUid?: string }) {
  const { add } = useEditor();
  const isRoot = path.length === 0;
  const place = placeOf(path);
  const items = KINDS.map((kind) => ({ id: kind, label: KIND_LABELS[kind], hint: KIND_HINTS[kind], run: () => add(group.uid, kind) }));
  const body = (
    <>
      <div className="group-head">
        {isRoot ? (
          <span>
            Users who match <MatchToggle group={group} label="Match all or any of the conditions" /> of these conditions
          </span>
        ) : (
          <span>
            Match <MatchToggle group={group} label={`Match all or any in ${place}`} /> of
          </span>
        )}
      </div>
      {group.conditions.length === 0 ? (
        <p className="muted group-empty">
          {isRoot
            ? 'No conditions yet: this segment holds every user. Add a condition to narrow it down.'
            : `An empty group matches ${group.match === 'all' ? 'everyone' : 'no one'}.`}
        </p>
      ) : (
        <ol className="conditions">
          {group.conditions.map((c, i) => (
            <li key={c.uid}>
              <ConditionEditor condition={c} path={[...path, i]} groupUid={group.uid} joiner={i === 0 ? null : group.match === 'all' ? 'and' : 'or'} />
            </li>
          ))}
        </ol>
      )}
      <div className="group-foot" data-add-for={group.uid}>
        <MenuButton
          label="Add condition"
          ariaLabel={isRoot ? 'Add condition' : `Add condition to ${place}`}
          className="small"
          items={items}
        />
      </div>
    </>
  );
  if (isRoot) return <div className="rule-root">{body}</div>;
  return <div className="group-body" data-parent={parentUid}>{body}</div>;
}

function ConditionEditor({ condition: c, path, groupUid, joiner }: { condition: EditCondition; path: number[]; groupUid: string; joiner: string | null }) {
  const { update, remove, errors, onFocusCondition, onLeaveCondition } = useEditor();
  const place = placeOf(path);
  // A group's own fields are its match toggle and buttons: only leaf conditions wait for the focus to leave.
  const watch = c.type !== 'group';
  const own = errorsAt(errors, place);
  const title = place.charAt(0).toUpperCase() + place.slice(1);
  const errorId = useId();
  const number = path.map((i) => i + 1).join('.');
  return (
    <div
      className={`condition kind-${c.type}${c.negate ? ' negated' : ''}${own.length > 0 ? ' invalid' : ''}`}
      role="group"
      aria-label={title}
      aria-describedby={own.length > 0 ? errorId : undefined}
      data-testid="condition"
      onFocus={watch ? () => onFocusCondition(c.uid) : undefined}
      onBlur={
        watch
          ? (e) => {
              if (!e.currentTarget.contains(e.relatedTarget as Node | null)) onLeaveCondition(c.uid);
            }
          : undefined
      }
    >
      {joiner ? <span className="joiner" aria-hidden="true">{joiner}</span> : null}
      <div className="condition-head">
        <span className="condition-no" aria-hidden="true">{number}</span>
        <span className="condition-kind">{KIND_LABELS[c.type]}</span>
        <span className="spacer" />
        <button
          type="button"
          className={c.negate ? 'small toggle on' : 'small toggle'}
          aria-pressed={c.negate}
          aria-label={`Not: negate ${place}`}
          title="Negate: keep the users for whom this does not hold"
          onClick={() => update(c.uid, (x) => ({ ...x, negate: !x.negate }))}
        >
          Not
        </button>
        <RemoveButton className="ghost small icon" label={`Remove ${place}`} title="Remove" onClick={() => remove(c.uid, groupUid)} />
      </div>
      <div className="condition-body">
        <ConditionFields condition={c} path={path} />
      </div>
      <FieldErrors errors={own} id={errorId} />
    </div>
  );
}

function ConditionFields({ condition: c, path }: { condition: EditCondition; path: number[] }) {
  const { update, justAdded, segments, ids, traits, accountTraits } = useEditor();
  const focus = justAdded === c.uid;
  const set = <T extends EditCondition>(change: Partial<T>): void => update(c.uid, (x) => ({ ...x, ...change }) as EditCondition);
  switch (c.type) {
    case 'event':
      return <EventFields condition={c} focus={focus} />;
    case 'trait': {
      const info = traits.find((t) => t.key === c.trait.trim());
      return (
        <div className="fields">
          <NameInput label="Trait" placeholder="trait, e.g. plan" list={ids.traits} value={c.trait} focus={focus} onChange={(trait) => set({ trait })} />
          <FilterValueFields value={c} suggestions={info?.values ?? []} onChange={(v) => set(v)} />
        </div>
      );
    }
    case 'account': {
      const info = accountTraits.find((t) => t.key === c.trait.trim());
      return (
        <div className="fields">
          <span>An account of theirs has</span>
          <NameInput
            label="Account trait"
            placeholder="account trait, e.g. plan"
            list={ids.accountTraits}
            value={c.trait}
            focus={focus}
            onChange={(trait) => set({ trait })}
          />
          <FilterValueFields value={c} suggestions={info?.values ?? []} onChange={(v) => set(v)} />
        </div>
      );
    }
    case 'first_seen':
    case 'last_seen':
      return <SeenFields condition={c} focus={focus} />;
    case 'nps':
      return (
        <div className="fields">
          <span>Latest NPS answer is a</span>
          <select aria-label="NPS category" value={c.category} autoFocus={focus} onChange={(e) => set({ category: e.target.value as NpsCategory })}>
            <option value="promoter">promoter (9–10)</option>
            <option value="passive">passive (7–8)</option>
            <option value="detractor">detractor (0–6)</option>
          </select>
        </div>
      );
    case 'survey':
      return <SurveyConditionFields condition={c} focus={focus} onChange={(change) => set(change)} />;
    case 'segment':
      return (
        <div className="fields">
          <span>Is in</span>
          <select aria-label="Saved segment" value={c.segment} autoFocus={focus} onChange={(e) => set({ segment: e.target.value })}>
            <option value="">Pick a segment…</option>
            {segments.map((s) => (
              <option key={s.id} value={s.id}>
                {s.name}
              </option>
            ))}
            {c.segment !== '' && !segments.some((s) => s.id === c.segment) ? <option value={c.segment}>{`${c.segment} (missing)`}</option> : null}
          </select>
          {segments.length === 0 ? <span className="muted hint">Save a segment first to refer to it here.</span> : null}
        </div>
      );
    case 'group':
      return <GroupEditor group={c} path={path} parentUid={c.uid} />;
  }
}

interface NameInputProps {
  label: string;
  placeholder: string;
  /** The id of the datalist of names seen in the cache. */
  list: string;
  value: string;
  /** The condition was just added: its first field takes the focus. */
  focus: boolean;
  onChange(value: string): void;
}

/** What a condition is about (an event, a trait), with the names the cache holds as suggestions. */
function NameInput({ label, placeholder, list, value, focus, onChange }: NameInputProps) {
  return (
    <input
      className="w-name"
      type="text"
      aria-label={label}
      placeholder={placeholder}
      list={list}
      value={value}
      autoFocus={focus}
      spellCheck={false}
      onChange={(e) => onChange(e.target.value)}
    />
  );
}

function EventFields({ condition: c, focus }: { condition: EditEvent; focus: boolean }) {
  const { update, ids, catalog } = useEditor();
  const set = (change: Partial<EditEvent>): void => update(c.uid, (x) => ({ ...x, ...change }) as EditCondition);
  const entry = catalog.find((e) => e.name === c.event.trim());
  const propsId = useId();
  const addFilter = (): void => {
    const filter = newFilter();
    set({ where: [...c.where, filter] });
    focusLater(() => document.getElementById(`prop-${filter.uid}`));
  };
  return (
    <div className="event-fields">
      <div className="fields">
        <span>Did</span>
        <NameInput label="Event" placeholder="event, e.g. report_run" list={ids.events} value={c.event} focus={focus} onChange={(event) => set({ event })} />
        <select aria-label="How many times" value={c.op} onChange={(e) => set({ op: e.target.value as EditEvent['op'] })}>
          {COUNT_OPS.map((op) => (
            <option key={op} value={op}>
              {COUNT_OP_LABELS[op]}
            </option>
          ))}
        </select>
        <input className="w-num" type="text" inputMode="numeric" aria-label="Count" value={c.count} onChange={(e) => set({ count: e.target.value })} />
        <span>{c.count.trim() === '1' ? 'time' : 'times'}</span>
        <span className="unit">
          <label className="check">
            <input type="checkbox" checked={c.within} onChange={(e) => set({ within: e.target.checked })} />
            in the last
          </label>
          <input
            className="w-num"
            type="text"
            inputMode="numeric"
            aria-label="Days"
            value={c.days}
            disabled={!c.within}
            onChange={(e) => set({ days: e.target.value })}
          />
          <span className={c.within ? undefined : 'muted'}>days</span>
        </span>
      </div>
      {c.where.length > 0 ? (
        <ul className="filters" aria-label={`Property filters on ${c.event || 'the event'}`}>
          <datalist id={propsId}>
            {(entry?.properties ?? []).map((p) => (
              <option key={p.key} value={p.key}>
                {p.types.join(', ')}
              </option>
            ))}
          </datalist>
          {c.where.map((w, i) => (
            <PropertyFilterRow
              key={w.uid}
              filter={w}
              index={i}
              propertyList={propsId}
              propertyInputId={`prop-${w.uid}`}
              onChange={(next) => set({ where: c.where.map((x) => (x.uid === w.uid ? next : x)) })}
              onRemove={() => {
                set({ where: c.where.filter((x) => x.uid !== w.uid) });
                focusLater(() => document.getElementById(`addfilter-${c.uid}`));
              }}
            />
          ))}
        </ul>
      ) : null}
      <div>
        <button type="button" id={`addfilter-${c.uid}`} className="ghost small" onClick={addFilter}>
          + Where a property…
        </button>
        {entry && entry.properties.length === 0 && c.where.length === 0 ? <span className="muted hint"> ({c.event} has no properties)</span> : null}
      </div>
    </div>
  );
}

function SeenFields({ condition: c, focus }: { condition: EditSeen; focus: boolean }) {
  const { update } = useEditor();
  const set = (change: Partial<EditSeen>): void => update(c.uid, (x) => ({ ...x, ...change }) as EditCondition);
  return (
    <div className="fields">
      <span>{c.type === 'first_seen' ? 'First seen' : 'Last seen'}</span>
      <select aria-label="When" value={c.op} autoFocus={focus} onChange={(e) => set({ op: e.target.value as EditSeen['op'] })}>
        <option value="within">in the last</option>
        <option value="before">more than</option>
      </select>
      <input className="w-num" type="text" inputMode="numeric" aria-label="Days" value={c.days} onChange={(e) => set({ days: e.target.value })} />
      <span>{c.op === 'within' ? 'days' : 'days ago'}</span>
    </div>
  );
}
