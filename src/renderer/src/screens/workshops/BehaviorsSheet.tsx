import { useState, type ReactNode } from 'react';
import { describeRule } from '../../../../shared/segments/describe';
import { FREQUENCIES, type Frequency, type Persona, type Workshop } from '../../../../shared/workshop/model';
import { api, errorMessage } from '../../lib/api';
import { formatNumber } from '../../lib/format';
import { RemoveButton } from '../../ui/RemoveButton';
import { toast } from '../../ui/toast';
import { useSegments } from '../segments';
import { withPersona } from './doc';
import { PersonaSwatch } from './PersonaSwatch';
import { BoundedNumber, NoPersonasYet, OptionSelect, SheetCard } from './SheetParts';
import { useWorkshops } from './store';

const CATALOG_LIST_ID = 'workshop-event-catalog';

const FREQUENCY_LABELS: Record<Frequency, string> = { day: 'Every day', week: 'Every week', month: 'Every month' };

/** Events as removable chips, and a field (suggesting from the catalog) to add one. */
function EventChips({
  label,
  events,
  onChange,
  keyFirst = false,
}: {
  label: string;
  events: string[];
  onChange(events: string[]): void;
  /** The first event is the key action: marked, and any other can be made key. */
  keyFirst?: boolean;
}) {
  const [text, setText] = useState('');
  const add = (): void => {
    const name = text.trim();
    if (!name) return;
    if (!events.includes(name) && events.length < 20) onChange([...events, name]);
    setText('');
  };
  return (
    <div className="event-chips" role="group" aria-label={label}>
      <ul className="chips">
        {events.map((e, i) => (
          <li key={e} className={keyFirst && i === 0 ? 'chip on' : 'chip'}>
            <code>{e}</code>
            {keyFirst && i === 0 ? <span className="badge identify">key action</span> : null}
            {keyFirst && i > 0 ? (
              <button type="button" className="link small-text" onClick={() => onChange([e, ...events.filter((x) => x !== e)])}>
                make key
              </button>
            ) : null}
            <RemoveButton className="ghost small chip-remove" label={`Remove ${e} from ${label}`} onClick={() => onChange(events.filter((x) => x !== e))} />
          </li>
        ))}
      </ul>
      <span className="row">
        <input
          className="event-input"
          list={CATALOG_LIST_ID}
          aria-label={`Add to ${label}`}
          placeholder="event name"
          value={text}
          maxLength={200}
          onChange={(e) => setText(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter') {
              e.preventDefault();
              add();
            }
          }}
        />
        <button type="button" className="small" disabled={!text.trim()} onClick={add} aria-label={`Add the event to ${label}`}>
          Add
        </button>
      </span>
    </div>
  );
}

/** A part of the persona card under its title; the controls inside name themselves. */
function LabelledBlock({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="field-block">
      <span className="field-label">{label}</span>
      {children}
    </div>
  );
}

function PersonaBehavior({ w, p, index }: { w: Workshop; p: Persona; index: number }) {
  const update = useWorkshops((s) => s.update);
  const segments = useSegments((s) => s.segments);
  const [busy, setBusy] = useState(false);
  const set = (change: Partial<Persona>): void => update((d) => withPersona(d, p.id, change));
  const segmentName = (id: string): string => segments?.find((s) => s.id === id)?.name ?? id;

  const saveSegment = async (openAfter: boolean): Promise<void> => {
    const { flush, adopt, unsavedReason } = useWorkshops.getState();
    setBusy(true);
    try {
      await flush();
      // The segment is made from the stored workshop: with changes the server refused it would be stale.
      const reason = unsavedReason('saving the segment');
      if (reason) {
        toast('error', reason);
        return;
      }
      const { workshop, segment } = await api.savePersonaSegment({ id: w.id, personaId: p.id });
      adopt(workshop, p.id);
      void useSegments.getState().refreshSegments();
      if (openAfter) await useSegments.getState().openSegment(segment.id);
      else toast('success', `Saved “${segment.name}” as a segment.`, { label: 'Open', run: () => void useSegments.getState().openSegment(segment.id) });
    } catch (err) {
      toast('error', `Could not save the segment: ${errorMessage(err)}`);
    } finally {
      setBusy(false);
    }
  };

  const prefix = `${p.name || `Persona ${index + 1}`}`;
  return (
    <SheetCard
      className="persona-card"
      testId="persona-behavior"
      titleId={`behavior-${p.id}`}
      title={
        <>
          <PersonaSwatch index={index} />
          {p.name}
        </>
      }
      action={p.segmentId ? <span className="badge identify">linked to a segment</span> : null}
    >
      {p.description ? <p className="muted">{p.description}</p> : null}
      <div className="behavior-grid">
        <LabelledBlock label="Actions that lead to value">
          <EventChips label={`${prefix} actions`} events={p.actions} keyFirst onChange={(actions) => set({ actions })} />
        </LabelledBlock>
        <LabelledBlock label="Jobs to be done">
          <ul className="plain-list">
            {p.jobs.map((job, j) => (
              <li key={j} className="row">
                <input
                  className="grow"
                  aria-label={`${prefix} job ${j + 1}`}
                  value={job}
                  maxLength={500}
                  onChange={(e) => set({ jobs: p.jobs.map((x, k) => (k === j ? e.target.value : x)) })}
                />
                <RemoveButton label={`Remove ${prefix} job ${j + 1}`} onClick={() => set({ jobs: p.jobs.filter((_, k) => k !== j) })} />
              </li>
            ))}
          </ul>
          {p.jobs.length < 20 ? (
            <button type="button" className="small" onClick={() => set({ jobs: [...p.jobs, ''] })}>
              Add job
            </button>
          ) : null}
        </LabelledBlock>
        <div className="fields">
          <label className="inline-label">
            Expected frequency
            <OptionSelect value={p.frequency} options={FREQUENCIES} label={(f) => FREQUENCY_LABELS[f]} onChange={(frequency) => set({ frequency })} />
          </label>
          <label className="inline-label">
            Key action at least
            <BoundedNumber whole min={0} max={1_000_000} value={p.threshold} onChange={(threshold) => set({ threshold })} />
            times
          </label>
          <label className="inline-label">
            Window
            <BoundedNumber whole min={1} max={3650} value={p.windowDays} onChange={(windowDays) => set({ windowDays })} />
            days
          </label>
        </div>
        <LabelledBlock label="Also does (each at least once)">
          <EventChips label={`${prefix} also does`} events={p.include} onChange={(include) => set({ include })} />
        </LabelledBlock>
        <LabelledBlock label="But never does">
          <EventChips label={`${prefix} never does`} events={p.exclude} onChange={(exclude) => set({ exclude })} />
        </LabelledBlock>
      </div>
      <div className="sentence-card persona-sentence">
        <p className="eyebrow">Draft rule</p>
        <p className="sentence" data-testid="persona-rule">
          {p.actions.length === 0 && !p.ruleEdited ? 'Pick the key action to draft a rule.' : describeRule(p.rule, segmentName)}
        </p>
        {p.ruleEdited ? (
          <p className="muted small-text">
            Edited in the segment builder: these fields no longer rewrite it.{' '}
            <button type="button" className="link" onClick={() => set({ ruleEdited: false })}>
              Draft it again from the fields
            </button>
          </p>
        ) : null}
      </div>
      <div className="row">
        <button type="button" disabled={busy || p.actions.length === 0} onClick={() => void saveSegment(false)}>
          {p.segmentId ? 'Update segment' : 'Save as segment'}
        </button>
        <button type="button" disabled={busy || p.actions.length === 0} onClick={() => void saveSegment(true)}>
          Open in segment builder
        </button>
      </div>
    </SheetCard>
  );
}

/** Step 2: each persona's actions, jobs, frequency and "does X but not Y", drafted into a rule. */
export function BehaviorsSheet({ w }: { w: Workshop }) {
  const catalog = useSegments((s) => s.catalog);
  return (
    <div className="worksheet">
      <datalist id={CATALOG_LIST_ID}>
        {(catalog ?? []).map((e) => (
          <option key={e.name} value={e.name}>
            {`${formatNumber(e.users)} users`}
          </option>
        ))}
      </datalist>
      {w.personas.length === 0 ? (
        <NoPersonasYet w={w} help="Add personas in step 1, then map here what each one does in the product." />
      ) : (
        w.personas.map((p, i) => <PersonaBehavior key={p.id} w={w} p={p} index={i} />)
      )}
    </div>
  );
}
