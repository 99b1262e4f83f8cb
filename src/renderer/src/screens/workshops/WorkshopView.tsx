import { useEffect, useLayoutEffect, useRef, type RefObject } from 'react';
import type { Participant, Workshop } from '../../../../shared/workshop/model';
import { templateOf, type StepDefinition } from '../../../../shared/workshop/templates';
import { EmptyState } from '../../ui/EmptyState';
import { focusLater } from '../../ui/focusLater';
import { RemoveButton } from '../../ui/RemoveButton';
import { UtcDateInput } from '../../ui/UtcDateInput';
import { formatDate, parseUtcDay } from '../../lib/format';
import { currentStepOf, newId, stepPosition, stepState, stepsOf, withStep } from './doc';
import { ExportPanel } from './ExportPanel';
import { Presenting } from './Presenting';
import { SheetCard } from './SheetParts';
import { StepCounter, StepNotes, StepPrompts, StepTimer } from './StepParts';
import { useWorkshops } from './store';
import { Worksheet } from './Worksheet';

/** True when a key press belongs to a text field (or a control that uses letters), not to a shortcut. */
export function isTyping(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  const tag = target.tagName;
  return tag === 'INPUT' || tag === 'TEXTAREA' || tag === 'SELECT' || target.isContentEditable;
}

function SaveState() {
  const state = useWorkshops((s) => s.saveState);
  const error = useWorkshops((s) => s.saveError);
  const flush = useWorkshops((s) => s.flush);
  if (state === 'error') {
    return (
      <span className="save-state error-text" data-testid="workshop-save-state" role="alert">
        Not saved: {error}{' '}
        <button type="button" className="small" onClick={() => void flush()}>
          Retry
        </button>
      </span>
    );
  }
  return (
    <span className="save-state muted" data-testid="workshop-save-state" aria-live="polite">
      {state === 'saved' ? 'Saved' : 'Saving…'}
    </span>
  );
}

function WorkshopHeader({ w }: { w: Workshop }) {
  const update = useWorkshops((s) => s.update);
  const close = useWorkshops((s) => s.close);
  const setPresenting = useWorkshops((s) => s.setPresenting);
  return (
    <header className="builder-header workshop-header">
      <div className="builder-title">
        <button type="button" className="link back" onClick={() => void close()}>
          ← Workshops
        </button>
        <input
          className="title-input"
          aria-label="Workshop title"
          value={w.title}
          maxLength={200}
          onChange={(e) => update((d) => ({ ...d, title: e.target.value }))}
        />
        <div className="row workshop-meta">
          <label className="inline-label">
            Account
            <input value={w.account} maxLength={200} onChange={(e) => update((d) => ({ ...d, account: e.target.value }))} />
          </label>
          <label className="inline-label">
            Date
            <UtcDateInput value={parseUtcDay(w.date)} onChange={(ms) => ms !== null && update((d) => ({ ...d, date: formatDate(ms) }))} />
          </label>
          <span className="muted small-text">{templateOf(w.template).title}</span>
          {w.archived ? <span className="badge">archived</span> : null}
        </div>
      </div>
      <div className="header-actions">
        <SaveState />
        <button type="button" onClick={() => setPresenting(true)} title="Present the current step (P)">
          Present <kbd>P</kbd>
        </button>
      </div>
    </header>
  );
}

function Participants({ w }: { w: Workshop }) {
  const update = useWorkshops((s) => s.update);
  const add = (): void => {
    const id = newId('u');
    update((d) => ({ ...d, participants: [...d.participants, { id, name: `Participant ${d.participants.length + 1}`, role: '' }] }));
    focusLater(() => document.getElementById(`participant-${id}`));
  };
  const edit = (id: string, change: Partial<Participant>): void =>
    update((d) => ({ ...d, participants: d.participants.map((q) => (q.id === id ? { ...q, ...change } : q)) }));
  const remove = (id: string): void =>
    update((d) => ({
      ...d,
      participants: d.participants.filter((p) => p.id !== id),
      opportunities: d.opportunities.map((o) => {
        const votes = { ...o.votes };
        delete votes[id];
        return { ...o, votes };
      }),
    }));
  return (
    <SheetCard
      className="participants-card"
      titleId="participants-title"
      title="Participants"
      add={{ label: 'Add participant', run: add }}
    >
      {w.participants.length === 0 ? (
        <EmptyState size="inline" title="No participants yet" help="Participants get their own notes and dots to vote with." />
      ) : (
        <ul className="participant-list">
          {w.participants.map((p, i) => (
            <li key={p.id}>
              <input
                id={`participant-${p.id}`}
                aria-label={`Participant ${i + 1} name`}
                value={p.name}
                maxLength={200}
                onChange={(e) => edit(p.id, { name: e.target.value })}
              />
              <input
                aria-label={`Participant ${i + 1} role`}
                placeholder="Role"
                value={p.role}
                maxLength={500}
                onChange={(e) => edit(p.id, { role: e.target.value })}
              />
              <RemoveButton label={`Remove ${p.name || `participant ${i + 1}`}`} onClick={() => remove(p.id)} />
            </li>
          ))}
        </ul>
      )}
    </SheetCard>
  );
}

function StepRail({ w }: { w: Workshop }) {
  const update = useWorkshops((s) => s.update);
  const current = currentStepOf(w);
  const steps = stepsOf(w);
  const groups: { phase: string | undefined; steps: { step: StepDefinition; index: number }[] }[] = [];
  steps.forEach((step, index) => {
    const last = groups[groups.length - 1];
    if (last && last.phase === step.phase) last.steps.push({ step, index });
    else groups.push({ phase: step.phase, steps: [{ step, index }] });
  });
  return (
    <nav className="step-rail" aria-label="Steps">
      {groups.map((g, gi) => (
        <div key={gi} className="step-group">
          {g.phase ? <h3 className="eyebrow step-phase">{g.phase}</h3> : null}
          <ol>
            {g.steps.map(({ step, index }) => {
              const done = stepState(w, step.key).done;
              const active = step.key === current.key;
              return (
                <li key={step.key}>
                  <button
                    type="button"
                    className={active ? 'step-link active' : 'step-link'}
                    aria-current={active ? 'step' : undefined}
                    onClick={() => update((d) => ({ ...d, currentStep: step.key }))}
                  >
                    <span className={done ? 'step-no done' : 'step-no'} aria-hidden="true">
                      {done ? '✓' : index + 1}
                    </span>
                    <span className="step-label">
                      {step.title}
                      {done ? <span className="visually-hidden"> (done)</span> : null}
                    </span>
                  </button>
                </li>
              );
            })}
          </ol>
        </div>
      ))}
    </nav>
  );
}

/** The nearest ancestor that scrolls (the shell's content area), or null. */
function scrollingParent(el: HTMLElement): HTMLElement | null {
  for (let p = el.parentElement; p; p = p.parentElement) {
    const { overflowY } = getComputedStyle(p);
    if ((overflowY === 'auto' || overflowY === 'scroll') && p.scrollHeight > p.clientHeight) return p;
  }
  return null;
}

/**
 * Each step opens at its top (its title, timer and prompts), not at the scroll position the last step
 * left: when the panel's top is above the visible area, the area scrolls back to it. A panel already in
 * view stays where it is, so moving between steps near the top does not jolt the page.
 */
function useOpenAtTop(ref: RefObject<HTMLElement | null>): void {
  useLayoutEffect(() => {
    const panel = ref.current;
    const scroller = panel ? scrollingParent(panel) : null;
    if (!panel || !scroller) return;
    const above = panel.getBoundingClientRect().top - scroller.getBoundingClientRect().top - STEP_TOP_GAP;
    if (above < 0) scroller.scrollTop += above;
    // On mount only: StepPanel is keyed by the step.
  }, []);
}

/** Room left above a step's title when it is scrolled to (px, the spacing grid's 2 units). */
const STEP_TOP_GAP = 16;

function StepPanel({ w, step }: { w: Workshop; step: StepDefinition }) {
  const update = useWorkshops((s) => s.update);
  const done = stepState(w, step.key).done;
  const { next } = stepPosition(w, step.key);
  const ref = useRef<HTMLElement>(null);
  useOpenAtTop(ref);
  return (
    <section ref={ref} className="step-panel" aria-labelledby="step-title">
      <header className="step-header">
        <div>
          <StepCounter w={w} step={step} />
          <h2 id="step-title">{step.title}</h2>
        </div>
        <StepTimer w={w} step={step} />
      </header>
      <StepPrompts step={step} />
      <Worksheet w={w} step={step} />
      <StepNotes w={w} step={step} />
      <div className="row step-footer">
        <label className="check">
          <input type="checkbox" checked={done} onChange={(e) => update((d) => withStep(d, step.key, (s) => ({ ...s, done: e.target.checked })))} />
          Mark step done
        </label>
        <span className="spacer" />
        {next ? (
          <button type="button" onClick={() => update((d) => ({ ...d, currentStep: next.key }))}>
            Next: {next.title} →
          </button>
        ) : null}
      </div>
    </section>
  );
}

/** An open workshop: header, participants, the step rail and the current step's worksheet. */
export function WorkshopView() {
  const w = useWorkshops((s) => s.doc);
  const presenting = useWorkshops((s) => s.presenting);
  const setPresenting = useWorkshops((s) => s.setPresenting);

  useEffect(() => {
    const onKey = (e: KeyboardEvent): void => {
      if (e.ctrlKey || e.metaKey || e.altKey || isTyping(e.target)) return;
      if ((e.key === 'p' || e.key === 'P') && !useWorkshops.getState().presenting && !document.querySelector('[aria-modal="true"]')) {
        e.preventDefault();
        setPresenting(true);
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [setPresenting]);

  // Leaving the area or the app keeps what was typed.
  useEffect(() => {
    const onHide = (): void => void useWorkshops.getState().flush();
    window.addEventListener('beforeunload', onHide);
    return () => {
      window.removeEventListener('beforeunload', onHide);
      void useWorkshops.getState().flush();
    };
  }, []);

  // A workshop opens at its top, wherever the list was scrolled to.
  const screen = useRef<HTMLDivElement>(null);
  const id = w?.id;
  useLayoutEffect(() => {
    const scroller = screen.current ? scrollingParent(screen.current) : null;
    if (scroller) scroller.scrollTop = 0;
  }, [id]);

  if (!w) return null;
  const step = currentStepOf(w);
  return (
    <div ref={screen} className="screen workshop-screen">
      <WorkshopHeader w={w} />
      <Participants w={w} />
      <div className="workshop-grid">
        <StepRail w={w} />
        <StepPanel key={step.key} w={w} step={step} />
      </div>
      <ExportPanel w={w} />
      {presenting ? <Presenting /> : null}
    </div>
  );
}
