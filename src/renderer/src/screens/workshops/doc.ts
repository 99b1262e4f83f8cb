/**
 * Pure helpers over the workshop document: fresh ids, default step state, persona edits that keep the
 * drafted rule in step, the timer's arithmetic, each persona's colour, and how a typed figure is bounded.
 */
import type { Opportunity, Persona, StepState, Workshop } from '../../../../shared/workshop/model';
import { draftPersonaRule } from '../../../../shared/workshop/persona-rule';
import { templateOf, type StepDefinition } from '../../../../shared/workshop/templates';

/** An id the document schema accepts (letters, digits, _ and -), unique enough for one workshop. */
export function newId(prefix: string): string {
  const random =
    typeof crypto !== 'undefined' && 'randomUUID' in crypto
      ? crypto.randomUUID().replace(/-/g, '').slice(0, 12)
      : Math.random().toString(36).slice(2, 14);
  return `${prefix}_${random}`;
}

export function emptyStep(): StepState {
  return { notes: {}, timer: { elapsedMs: 0, runningSince: null }, rows: [], done: false };
}

export function stepsOf(w: Workshop): readonly StepDefinition[] {
  return templateOf(w.template).steps;
}

export function currentStepOf(w: Workshop): StepDefinition {
  const steps = stepsOf(w);
  return steps.find((s) => s.key === w.currentStep) ?? (steps[0] as StepDefinition);
}

/** Where a step stands in its template: its place from 0, how many steps there are, and its neighbours. */
export interface StepPosition {
  index: number;
  count: number;
  previous: StepDefinition | undefined;
  next: StepDefinition | undefined;
}

export function stepPosition(w: Workshop, key: string): StepPosition {
  const steps = stepsOf(w);
  const index = steps.findIndex((s) => s.key === key);
  return { index, count: steps.length, previous: index > 0 ? steps[index - 1] : undefined, next: steps[index + 1] };
}

export function stepState(w: Workshop, key: string): StepState {
  return w.steps[key] ?? emptyStep();
}

export function withStep(w: Workshop, key: string, change: (s: StepState) => StepState): Workshop {
  return { ...w, steps: { ...w.steps, [key]: change(stepState(w, key)) } };
}

export function newPersona(name: string, description: string): Persona {
  const fields = { actions: [], threshold: 1, windowDays: 30, include: [], exclude: [] };
  return {
    id: newId('p'),
    name,
    description,
    jobs: [],
    frequency: 'week',
    ...fields,
    rule: draftPersonaRule(fields),
    ruleEdited: false,
    segmentId: null,
  };
}

/** A persona with some fields changed; its rule is drafted again unless someone edited it in the builder. */
export function withPersona(w: Workshop, id: string, change: Partial<Persona> | ((p: Persona) => Persona)): Workshop {
  return {
    ...w,
    personas: w.personas.map((p) => {
      if (p.id !== id) return p;
      const next = typeof change === 'function' ? change(p) : { ...p, ...change };
      return next.ruleEdited ? next : { ...next, rule: draftPersonaRule(next) };
    }),
  };
}

export function removePersona(w: Workshop, id: string): Workshop {
  return {
    ...w,
    personas: w.personas.filter((p) => p.id !== id),
    useCases: w.useCases.map((u) => ({ ...u, personaIds: u.personaIds.filter((pid) => pid !== id) })),
    opportunities: w.opportunities.map((o) => (o.personaId === id ? { ...o, personaId: '' } : o)),
  };
}

export function newOpportunity(personaId: string): Opportunity {
  return {
    id: newId('o'),
    title: '',
    personaId,
    area: 'engagement',
    improvementPct: 5,
    effort: 3,
    confidence: 3,
    benchmark: '',
    goal: '',
    notes: '',
    votes: {},
    chosen: false,
  };
}

export const MAX_CHOSEN = 2;
/** Timer values the schema accepts: up to a day. */
const MAX_ELAPSED = 8.64e7;

export function timerElapsed(t: StepState['timer'], now: number): number {
  return Math.min(MAX_ELAPSED, t.elapsedMs + (t.runningSince !== null ? Math.max(0, now - t.runningSince) : 0));
}

export function startTimer(t: StepState['timer'], now: number): StepState['timer'] {
  return t.runningSince !== null ? t : { elapsedMs: t.elapsedMs, runningSince: now };
}

export function pauseTimer(t: StepState['timer'], now: number): StepState['timer'] {
  return { elapsedMs: Math.round(timerElapsed(t, now)), runningSince: null };
}

/** "mm:ss" (or "h:mm:ss" past an hour). */
export function clock(ms: number): string {
  const total = Math.floor(ms / 1000);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const mmss = `${String(m).padStart(2, '0')}:${String(s).padStart(2, '0')}`;
  return h > 0 ? `${h}:${mmss}` : mmss;
}

/** "+2:10" style overrun. */
export function overrun(ms: number): string {
  const total = Math.floor(ms / 1000);
  const m = Math.floor(total / 60);
  return `+${m}:${String(total % 60).padStart(2, '0')}`;
}

/** Each persona keeps one colour across every chart and table (the theme's series colours, in order). */
export function personaColorVar(index: number): string {
  return `--series-${(index % 5) + 1}`;
}

/** A persona's place in the document, which picks its colour (the first one's for a persona gone since). */
export function personaColourIndex(w: Workshop, personaId: string): number {
  return Math.max(0, w.personas.findIndex((p) => p.id === personaId));
}

export function todayIso(): string {
  return new Date().toISOString().slice(0, 10);
}

/**
 * A figure typed into a number box, kept within what the document accepts: an emptied box, or text that
 * is not a number, falls back to `min`, and `whole` rounds it (counts and days).
 */
export function clampNumber(text: string, min: number, max: number, whole = false): number {
  const n = Number(text);
  if (text.trim() === '' || Number.isNaN(n)) return min;
  return Math.max(min, Math.min(max, whole ? Math.round(n) : n));
}
