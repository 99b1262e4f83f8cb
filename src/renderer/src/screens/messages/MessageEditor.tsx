import { useState, type ReactNode } from 'react';
import { ENVIRONMENTS, type MessageDraft, type MessageKind } from '../../../../shared/messages/model';
import type { PropertyFilter } from '../../../../shared/segments/rule';
import { Field, FieldErrors, type FieldControl } from '../../ui/Field';
import { readFilterValue } from '../../ui/filter-values';
import { NumberInput } from '../../ui/NumberInput';
import { PropertyFilterRow } from '../../ui/PropertyFilterRow';
import { SegmentedChoice } from '../../ui/SegmentedChoice';
import { defaultModal, defaultNps, inputToIso, isoToInput, issuesAt, KIND_LABELS, type Issues } from './model';
import { useMessages } from './store';

type Edit = (change: (d: MessageDraft) => MessageDraft) => void;

interface IssueFieldProps {
  label: string;
  issues: Issues;
  /** The draft's field path: what is wrong there shows beside the control. */
  path: string;
  hint?: string;
  children(control: FieldControl): ReactNode;
}

/** A Field whose errors are the draft's issues at its path. */
function IssueField({ issues, path, ...rest }: IssueFieldProps) {
  return <Field {...rest} name={path} errors={issuesAt(issues, path)} />;
}

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
    <div className="msg-editor">
      <BasicsSection draft={draft} issues={issues} edit={edit} />
      {draft.kind === 'modal' ? <ModalSection draft={draft} issues={issues} edit={edit} /> : <NpsSection draft={draft} issues={issues} edit={edit} />}
      <TargetSection draft={draft} issues={issues} edit={edit} />
      <TriggerSection draft={draft} issues={issues} edit={edit} />
      <DeliverySection draft={draft} issues={issues} edit={edit} />
    </div>
  );
}

interface SectionProps {
  draft: MessageDraft;
  issues: Issues;
  edit: Edit;
}

function BasicsSection({ draft, issues, edit }: SectionProps) {
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
        <IssueField label="Name (only you see it)" issues={issues} path="name">
          {(c) => <input {...c} type="text" value={draft.name} maxLength={200} onChange={(e) => edit((d) => ({ ...d, name: e.target.value }))} />}
        </IssueField>
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

function ModalSection({ draft, issues, edit }: SectionProps) {
  const modal = draft.modal ?? defaultModal();
  const set = (change: Partial<typeof modal>): void => edit((d) => ({ ...d, modal: { ...(d.modal ?? defaultModal()), ...change } }));
  const cta = modal.cta;
  const ctaMode = cta.action !== undefined ? 'action' : 'url';
  return (
    <section className="card msg-section" aria-labelledby="msg-content">
      <h3 id="msg-content">Upsell modal</h3>
      <IssueField label="Title" issues={issues} path="modal.title">
        {(c) => <input {...c} type="text" value={modal.title} onChange={(e) => set({ title: e.target.value })} />}
      </IssueField>
      <IssueField label="Body" issues={issues} path="modal.body" hint="**bold**, *italic*, [links](https://…), lists with “- ”, blank lines between paragraphs.">
        {(c) => <textarea {...c} rows={5} value={modal.body} onChange={(e) => set({ body: e.target.value })} />}
      </IssueField>
      <div className="msg-grid">
        <IssueField label="Image URL (optional)" issues={issues} path="modal.imageUrl">
          {(c) => (
            <input
              {...c}
              type="url"
              spellCheck={false}
              placeholder="https://…"
              value={modal.imageUrl ?? ''}
              onChange={(e) => edit((d) => ({ ...d, modal: put(d.modal ?? defaultModal(), 'imageUrl', e.target.value || undefined) }))}
            />
          )}
        </IssueField>
        <IssueField label="Image description (alt text)" issues={issues} path="modal.imageAlt">
          {(c) => (
            <input
              {...c}
              type="text"
              value={modal.imageAlt ?? ''}
              disabled={!modal.imageUrl}
              onChange={(e) => edit((d) => ({ ...d, modal: put(d.modal ?? defaultModal(), 'imageAlt', e.target.value || undefined) }))}
            />
          )}
        </IssueField>
      </div>
      <div className="msg-grid three">
        <IssueField label="Call to action label" issues={issues} path="modal.cta.label">
          {(c) => <input {...c} type="text" value={cta.label} onChange={(e) => set({ cta: { ...cta, label: e.target.value } })} />}
        </IssueField>
        <IssueField label="It…" issues={{}} path="modal.cta.mode">
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
          <IssueField label="Call to action URL" issues={issues} path="modal.cta.url">
            {(c) => <input {...c} type="url" spellCheck={false} value={cta.url ?? ''} onChange={(e) => set({ cta: { ...cta, url: e.target.value } })} />}
          </IssueField>
        ) : (
          <IssueField label="Product action" issues={issues} path="modal.cta.action" hint="The host page handles it: guidepost.on('action', …).">
            {(c) => <input {...c} type="text" spellCheck={false} value={cta.action ?? ''} onChange={(e) => set({ cta: { ...cta, action: e.target.value } })} />}
          </IssueField>
        )}
      </div>
      {Object.keys(issues).some((k) => k.startsWith('modal.cta.')) ? null : <FieldErrors errors={issuesAt(issues, 'modal.cta')} />}
      <IssueField label="Dismiss label" issues={issues} path="modal.dismissLabel">
        {(c) => <input {...c} type="text" value={modal.dismissLabel} onChange={(e) => set({ dismissLabel: e.target.value })} />}
      </IssueField>
    </section>
  );
}

function NpsSection({ draft, issues, edit }: SectionProps) {
  const nps = draft.nps ?? defaultNps();
  const set = (change: Partial<typeof nps>): void => edit((d) => ({ ...d, nps: { ...(d.nps ?? defaultNps()), ...change } }));
  const follow = (key: keyof typeof nps.followUp, value: string): void => set({ followUp: { ...nps.followUp, [key]: value } });
  return (
    <section className="card msg-section" aria-labelledby="msg-content">
      <h3 id="msg-content">NPS survey</h3>
      <IssueField label="Question" issues={issues} path="nps.question">
        {(c) => <input {...c} type="text" value={nps.question} onChange={(e) => set({ question: e.target.value })} />}
      </IssueField>
      <div className="msg-grid">
        <IssueField label="Label under 0" issues={issues} path="nps.lowLabel">
          {(c) => <input {...c} type="text" value={nps.lowLabel} onChange={(e) => set({ lowLabel: e.target.value })} />}
        </IssueField>
        <IssueField label="Label under 10" issues={issues} path="nps.highLabel">
          {(c) => <input {...c} type="text" value={nps.highLabel} onChange={(e) => set({ highLabel: e.target.value })} />}
        </IssueField>
      </div>
      <IssueField label="Follow-up for promoters (9-10)" issues={issues} path="nps.followUp.promoter">
        {(c) => <input {...c} type="text" value={nps.followUp.promoter} onChange={(e) => follow('promoter', e.target.value)} />}
      </IssueField>
      <IssueField label="Follow-up for passives (7-8)" issues={issues} path="nps.followUp.passive">
        {(c) => <input {...c} type="text" value={nps.followUp.passive} onChange={(e) => follow('passive', e.target.value)} />}
      </IssueField>
      <IssueField label="Follow-up for detractors (0-6)" issues={issues} path="nps.followUp.detractor">
        {(c) => <input {...c} type="text" value={nps.followUp.detractor} onChange={(e) => follow('detractor', e.target.value)} />}
      </IssueField>
      <IssueField label="Thank-you text" issues={issues} path="nps.thankYou">
        {(c) => <input {...c} type="text" value={nps.thankYou} onChange={(e) => set({ thankYou: e.target.value })} />}
      </IssueField>
    </section>
  );
}

function TargetSection({ draft, issues, edit }: SectionProps) {
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
          <IssueField label="Segment" issues={issues} path="target" hint={segments.length === 0 ? 'No saved segments yet: save one in the Segments area.' : undefined}>
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
          <IssueField label="Persona" issues={issues} path="target" hint="The persona’s rule is used, kept in step with the workshop.">
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

function TriggerSection({ draft, issues, edit }: SectionProps) {
  const trigger = draft.trigger;
  const setTrigger = (change: (t: MessageDraft['trigger']) => MessageDraft['trigger']): void => edit((d) => ({ ...d, trigger: change(d.trigger) }));
  const pageOn = trigger.page !== undefined;
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
          <IssueField label="Page URL pattern" issues={issues} path="trigger.page" hint="* stands for any run of characters: https://app.example.com/projects/*">
            {(c) => <input {...c} type="text" spellCheck={false} value={trigger.page ?? ''} onChange={(e) => setTrigger((t) => ({ ...t, page: e.target.value }))} />}
          </IssueField>
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
            <IssueField label="Event name" issues={issues} path="trigger.event.name">
              {(c) => (
                <input
                  {...c}
                  type="text"
                  spellCheck={false}
                  placeholder="project_limit_reached"
                  value={trigger.event?.name ?? ''}
                  onChange={(e) => setTrigger((t) => ({ ...t, event: { ...(t.event ?? {}), name: e.target.value } }))}
                />
              )}
            </IssueField>
            {filters.length > 0 ? (
              <ul className="filters" aria-label="Event property filters">
                {filters.map((f, i) => (
                  <TriggerFilterRow
                    key={i}
                    index={i}
                    filter={f}
                    onChange={(next) => setFilters(filters.map((x, j) => (j === i ? next : x)))}
                    onRemove={() => setFilters(filters.filter((_, j) => j !== i))}
                  />
                ))}
              </ul>
            ) : null}
            <FieldErrors errors={issuesAt(issues, 'trigger.event.where')} />
            <div>
              <button type="button" className="ghost small" onClick={() => setFilters([...filters, { property: '', op: 'eq', value: '' }])}>
                + Where a property…
              </button>
            </div>
          </>
        ) : null}
      </div>
      <IssueField label="Delay after the trigger (seconds)" issues={issues} path="trigger.delaySeconds">
        {(c) => <NumberInput {...c} value={trigger.delaySeconds} onChange={(v) => setTrigger((t) => put(t, 'delaySeconds', v as number | undefined))} />}
      </IssueField>
    </section>
  );
}

/**
 * One property filter on the trigger's event, read the way the segment builder reads them. The text
 * stays as typed ("a, b" mid-list) while the draft holds the values it reads as.
 */
function TriggerFilterRow({ filter, index, onChange, onRemove }: { filter: PropertyFilter; index: number; onChange(f: PropertyFilter): void; onRemove(): void }) {
  const [text, setText] = useState(() => (Array.isArray(filter.value) ? filter.value.join(', ') : filter.value === undefined ? '' : String(filter.value)));
  return (
    <PropertyFilterRow
      index={index}
      filter={{ property: filter.property, op: filter.op, value: text }}
      onRemove={onRemove}
      onChange={(next) => {
        if (next.property !== filter.property) {
          onChange({ ...filter, property: next.property });
          return;
        }
        setText(next.value);
        onChange(put<PropertyFilter, 'value'>({ property: filter.property, op: next.op }, 'value', readFilterValue(next.op, next.value, 'auto')));
      }}
    />
  );
}

type FrequencyMode = 'once' | 'every' | 'always';

function DeliverySection({ draft, issues, edit }: SectionProps) {
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
        <IssueField label="Frequency per user" issues={issues} path="frequency.once">
          {(c) => (
            <select {...c} value={mode} onChange={(e) => setMode(e.target.value as FrequencyMode)}>
              <option value="once">Once</option>
              <option value="every">Again every N days</option>
              <option value="always">Whenever the trigger matches</option>
            </select>
          )}
        </IssueField>
        {mode === 'every' ? (
          <IssueField label="Every N days" issues={issues} path="frequency.everyDays">
            {(c) => <NumberInput {...c} value={f.everyDays} onChange={(v) => setFrequency((x) => put(x, 'everyDays', v as number | undefined))} />}
          </IssueField>
        ) : (
          <span />
        )}
        {mode !== 'once' ? (
          <IssueField label="At most N times (empty: no limit)" issues={issues} path="frequency.maxTimes">
            {(c) => <NumberInput {...c} value={f.maxTimes} onChange={(v) => setFrequency((x) => put(x, 'maxTimes', v as number | undefined))} />}
          </IssueField>
        ) : (
          <span />
        )}
      </div>
      <div className="msg-grid three">
        <IssueField label="Global cooldown (hours)" issues={issues} path="cooldownHours" hint="Hours after any other message before this one may show.">
          {(c) => <NumberInput {...c} value={draft.cooldownHours} onChange={(v) => edit((d) => put(d, 'cooldownHours', v as number | undefined))} />}
        </IssueField>
        <IssueField label="Rollout (% of the target)" issues={issues} path="rollout">
          {(c) => <NumberInput {...c} value={draft.rollout} onChange={(v) => edit((d) => ({ ...d, rollout: v as number }))} />}
        </IssueField>
        <IssueField label="Priority (higher wins)" issues={issues} path="priority">
          {(c) => <NumberInput {...c} value={draft.priority} onChange={(v) => edit((d) => ({ ...d, priority: v as number }))} />}
        </IssueField>
      </div>
      <div className="msg-grid three">
        <IssueField label="Start (UTC, optional)" issues={issues} path="schedule.start">
          {(c) => (
            <input
              {...c}
              type="datetime-local"
              value={isoToInput(draft.schedule.start)}
              onChange={(e) => edit((d) => ({ ...d, schedule: put(d.schedule, 'start', inputToIso(e.target.value)) }))}
            />
          )}
        </IssueField>
        <IssueField label="End (UTC, optional)" issues={issues} path="schedule.end">
          {(c) => (
            <input
              {...c}
              type="datetime-local"
              value={isoToInput(draft.schedule.end)}
              onChange={(e) => edit((d) => ({ ...d, schedule: put(d.schedule, 'end', inputToIso(e.target.value)) }))}
            />
          )}
        </IssueField>
        <IssueField label="Environment" issues={issues} path="environment">
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
