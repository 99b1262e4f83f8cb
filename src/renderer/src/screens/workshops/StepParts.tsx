import { useEffect, useState } from 'react';
import type { Workshop } from '../../../../shared/workshop/model';
import type { StepDefinition } from '../../../../shared/workshop/templates';
import { clock, overrun, pauseTimer, startTimer, stepPosition, stepState, timerElapsed, withStep } from './doc';
import { useWorkshops } from './store';

/** The current time, ticking once a second while `running`. */
function useNow(running: boolean): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!running) return;
    setNow(Date.now());
    const id = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(id);
  }, [running]);
  return now;
}

/** The step's timebox: start, pause, reset; time past the box shows gently, in amber. */
export function StepTimer({ w, step, large = false }: { w: Workshop; step: StepDefinition; large?: boolean }) {
  const update = useWorkshops((s) => s.update);
  const t = stepState(w, step.key).timer;
  const running = t.runningSince !== null;
  const now = useNow(running);
  const elapsed = timerElapsed(t, now);
  const box = step.timeboxMinutes * 60_000;
  const over = elapsed > box;
  const setTimer = (f: (timer: typeof t) => typeof t): void => update((doc) => withStep(doc, step.key, (s) => ({ ...s, timer: f(s.timer) })));
  return (
    <div className={large ? 'step-timer large' : 'step-timer'} role="group" aria-label="Timer">
      <span className="timer-figures" data-testid="step-timer">
        <strong className={over ? 'timer-over' : undefined}>{clock(Math.min(elapsed, box))}</strong>
        <span className="muted"> / {clock(box)}</span>
        {over ? <span className="timer-over"> {overrun(elapsed - box)} over</span> : null}
      </span>
      {running ? (
        <button type="button" className="small" onClick={() => setTimer((x) => pauseTimer(x, Date.now()))}>
          Pause
        </button>
      ) : (
        <button type="button" className="small" onClick={() => setTimer((x) => startTimer(x, Date.now()))}>
          {t.elapsedMs > 0 ? 'Resume' : 'Start'}
        </button>
      )}
      <button
        type="button"
        className="small ghost"
        disabled={!running && t.elapsedMs === 0}
        onClick={() => setTimer(() => ({ elapsedMs: 0, runningSince: null }))}
      >
        Reset
      </button>
    </div>
  );
}

/** "Step 2 of 10 · Phase 1: …" over the step's title; `withTitle` puts the workshop's title first (presenting). */
export function StepCounter({ w, step, withTitle = false }: { w: Workshop; step: StepDefinition; withTitle?: boolean }) {
  const { index, count } = stepPosition(w, step.key);
  return <p className="eyebrow">{`${withTitle ? `${w.title} · ` : ''}Step ${index + 1} of ${count}${step.phase ? ` · ${step.phase}` : ''}`}</p>;
}

export function StepPrompts({ step }: { step: StepDefinition }) {
  return (
    <ul className="prompts" aria-label="Discussion prompts">
      {step.prompts.map((p) => (
        <li key={p}>{p}</li>
      ))}
    </ul>
  );
}

/** Free notes: the room's shared notes, and one box per participant. */
export function StepNotes({ w, step }: { w: Workshop; step: StepDefinition }) {
  const update = useWorkshops((s) => s.update);
  const notes = stepState(w, step.key).notes;
  const setNote = (key: string, text: string): void =>
    update((doc) => withStep(doc, step.key, (s) => ({ ...s, notes: { ...s.notes, [key]: text } })));
  return (
    <section className="card notes-card" aria-labelledby={`notes-${step.key}`}>
      <h3 id={`notes-${step.key}`}>Notes</h3>
      <div className="notes-grid">
        <label>
          Shared notes
          <textarea rows={3} value={notes[''] ?? ''} maxLength={20_000} onChange={(e) => setNote('', e.target.value)} />
        </label>
        {w.participants.map((p) => (
          <label key={p.id}>
            {`Notes: ${p.name}`}
            <textarea rows={3} value={notes[p.id] ?? ''} maxLength={20_000} onChange={(e) => setNote(p.id, e.target.value)} />
          </label>
        ))}
      </div>
    </section>
  );
}
