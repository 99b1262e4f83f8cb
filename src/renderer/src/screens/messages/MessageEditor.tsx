import { createContext, useContext, type InputHTMLAttributes, type ReactNode } from 'react';
import { ENVIRONMENTS, type MessageDraft, type MessageKind } from '../../../../shared/messages/model';
import type { PropertyFilter } from '../../../../shared/segments/rule';
import { Field, FieldErrors, type FieldControl } from '../../ui/Field';
import { NumberInput } from '../../ui/NumberInput';
import { SegmentedChoice } from '../../ui/SegmentedChoice';
import { defaultModal, defaultNps, inputToIso, isoToInput, issuesAt, KIND_LABELS, warnings, type Issues } from './model';
import { useMessages } from './store';
import { EventFilterList } from './EventFilterList';
import { GoalSection } from './GoalSection';

type Edit = (change: (d: MessageDraft) => MessageDraft) => void;

/** What is wrong with the draft, for every field below the editor to pick its own from. */
const IssuesContext = createContext<Issues>({});

interface IssueFieldProps {
  label: string;
  /** The draft's field path: what is wrong there shows beside the control. */
  path: string;
  hint?: string;
  children(control: FieldControl): ReactNode;
}

/** A Field whose errors are the draft's issues at its path. */
function IssueField({ path, ...rest }: IssueFieldProps) {
  const issues = useContext(IssuesContext);
  return <Field {...rest} name={path} errors={issuesAt(issues, path)} />;
}

type FieldProps = Omit<IssueFieldProps, 'children'>;

interface InputFieldProps extends FieldProps {
  value: string;
  onChange(value: string): void;
  /** The input's own attributes: a type other than text, a placeholder, spellCheck. */
  input?: Omit<InputHTMLAttributes<HTMLInputElement>, 'value' | 'onChange'>;
}

/** An IssueField of one line of text (or a URL, a date): most of the editor. */
function InputField({ value, onChange, input, ...field }: InputFieldProps) {
  return <IssueField {...field}>{(c) => <input {...c} type="text" {...input} value={value} onChange={(e) => onChange(e.target.value)} />}</IssueField>;
}

interface NumberFieldProps extends FieldProps {
  value: unknown;
  /** Text that is not a number reaches the draft as typed, so validate() can say what is wrong with it. */
  onChange(value: number | undefined): void;
}

function NumberField({ value, onChange, ...field }: NumberFieldProps) {
  return <IssueField {...field}>{(c) => <NumberInput {...c} value={value} onChange={(v) => onChange(v as number | undefined)} />}</IssueField>;
}

const ACTION_HINT = "The host page handles it: guidepost.on('action', …).";
const PAGE_HINT = 'Matched on the origin and path the SDK sends (never the fragment; query parameters only those the site allow-lists); * stands for any run of characters: https://app.example.com/projects/*';

/** Sets `key` of an object, or removes it when the value is undefined. */
function put<T extends object, K extends keyof T>(obj: T, key: K, value: T[K] | undefined): T {
  const next = { ...obj };
  if (value === undefined) delete next[key];
  else next[key] = value;
  return next;
}

export function MessageEditor({ draft, issues }: { draft: MessageDraft; issues: Issues }) {
  const edit = useMessages((s) => s.edit);
  return (
    <IssuesContext.Provider value={issues}>
      <div className="msg-editor">
        <BasicsSection draft={draft} edit={edit} />
        {draft.kind === 'modal' ? <ModalSection draft={draft} edit={edit} /> : <NpsSection draft={draft} edit={edit} />}
        <TargetSection draft={draft} edit={edit} />
        <TriggerSection draft={draft} edit={edit} />
        <DeliverySection draft={draft} edit={edit} />
        <GoalSection draft={draft} edit={edit} issues={issues} />
      </div>
    </IssuesContext.Provider>
  );
}

interface SectionProps {
  draft: MessageDraft;
  edit: Edit;
}

function BasicsSection({ draft, edit }: SectionProps) {
  const setKind = (kind: MessageKind): void =>
    edit((d) => ({
      ...d,
      kind,
      ...(kind === 'modal' && !d.modal ? { modal: defaultModal() } : {}),
      ...(kind === 'nps' && !d.nps ? { nps: defaultNps() } : {}),
    }));
  return (
    <section className="card msg-section" aria-labelledby="msg-basics">
      <h3 id="msg-basics">Message</h3>
      <div className="msg-grid">
        <InputField label="Name (only you see it)" path="name" value={draft.name} input={{ maxLength: 200 }} onChange={(name) => edit((d) => ({ ...d, name }))} />
        <div className="field-block">
          <span className="field-label" id="msg-kind-label">
            Kind
          </span>
          <SegmentedChoice<MessageKind>
            name="msg-kind"
            labelledBy="msg-kind-label"
            options={(['nps', 'modal'] as const).map((k) => ({ value: k, label: KIND_LABELS[k] }))}
            value={draft.kind}
            onChange={setKind}
          />
        </div>
      </div>
    </section>
  );
}

function ModalSection({ draft, edit }: SectionProps) {
  const issues = useContext(IssuesContext);
  const modal = draft.modal ?? defaultModal();
  const set = (change: Partial<typeof modal>): void => edit((d) => ({ ...d, modal: { ...(d.modal ?? defaultModal()), ...change } }));
  /** An empty box leaves the key out. */
  const setOptional = (key: 'imageUrl' | 'imageAlt', value: string): void => edit((d) => ({ ...d, modal: put(d.modal ?? defaultModal(), key, value || undefined) }));
  const cta = modal.cta;
  const ctaMode = cta.action !== undefined ? 'action' : 'url';
  return (
    <section className="card msg-section" aria-labelledby="msg-content">
      <h3 id="msg-content">Upsell modal</h3>
      <InputField label="Title" path="modal.title" value={modal.title} onChange={(title) => set({ title })} />
      <IssueField label="Body" path="modal.body" hint="**bold**, *italic*, [links](https://…), lists with “- ”, blank lines between paragraphs.">
        {(c) => <textarea {...c} rows={5} value={modal.body} onChange={(e) => set({ body: e.target.value })} />}
      </IssueField>
      <div className="msg-grid">
        <InputField
          label="Image URL (optional)"
          path="modal.imageUrl"
          input={{ type: 'url', spellCheck: false, placeholder: 'https://…' }}
          value={modal.imageUrl ?? ''}
          onChange={(v) => setOptional('imageUrl', v)}
        />
        <InputField
          label="Image description (alt text)"
          path="modal.imageAlt"
          input={{ disabled: !modal.imageUrl }}
          value={modal.imageAlt ?? ''}
          onChange={(v) => setOptional('imageAlt', v)}
        />
      </div>
      <div className="msg-grid three">
        <InputField label="Call to action label" path="modal.cta.label" value={cta.label} onChange={(label) => set({ cta: { ...cta, label } })} />
        <IssueField label="It…" path="modal.cta.mode">
          {(c) => (
            <select
              {...c}
              value={ctaMode}
              onChange={(e) => {
                const { url: _url, action: _action, ...rest } = cta;
                set({ cta: e.target.value === 'action' ? { ...rest, action: 'open_billing' } : { ...rest, url: 'https://' } });
              }}
            >
              <option value="url">opens a URL</option>
              <option value="action">runs a product action</option>
            </select>
          )}
        </IssueField>
        {ctaMode === 'url' ? (
          <InputField
            label="Call to action URL"
            path="modal.cta.url"
            input={{ type: 'url', spellCheck: false }}
            value={cta.url ?? ''}
            onChange={(url) => set({ cta: { ...cta, url } })}
          />
        ) : (
          <InputField label="Product action" path="modal.cta.action" hint={ACTION_HINT} input={{ spellCheck: false }} value={cta.action ?? ''} onChange={(action) => set({ cta: { ...cta, action } })} />
        )}
      </div>
      {Object.keys(issues).some((k) => k.startsWith('modal.cta.')) ? null : <FieldErrors errors={issuesAt(issues, 'modal.cta')} />}
      <InputField label="Dismiss label" path="modal.dismissLabel" value={modal.dismissLabel} onChange={(dismissLabel) => set({ dismissLabel })} />
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
