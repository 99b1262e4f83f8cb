import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  clampNumber,
  clock,
  currentStepOf,
  emptyStep,
  newId,
  newOpportunity,
  newPersona,
  overrun,
  pauseTimer,
  personaColorVar,
  personaColourIndex,
  removePersona,
  startTimer,
  stepPosition,
  stepState,
  stepsOf,
  timerElapsed,
  todayIso,
  withPersona,
  withStep,
} from '../../../src/renderer/src/screens/workshops/doc';
import { opportunitySchema, personaSchema, stepStateSchema, timerSchema, workshopIdSchema, workshopSchema, type Workshop } from '../../../src/shared/workshop/model';
import { draftPersonaRule } from '../../../src/shared/workshop/persona-rule';

const DAY_MS = 8.64e7;

function workshop(changes: Partial<Workshop> = {}): Workshop {
  return {
    format: 1,
    id: 'w1',
    title: 'Kick-off',
    account: 'Acme',
    date: '2026-03-02',
    template: 'personas',
    participants: [],
    asOf: null,
    archived: false,
    currentStep: 'brainstorm',
    steps: {},
    useCases: [],
    personas: [],
    opportunities: [],
    usage: { activationDays: 7, regularWeeks: 3, regularOf: 4 },
    createdAt: 0,
    updatedAt: 0,
    ...changes,
  };
}

/** Two personas, referred to by a use case and an opportunity each. */
function workshopWithPersonas(): Workshop {
  const a = { ...newPersona('Admin', 'Sets things up'), id: 'p_a' };
  const b = { ...newPersona('Viewer', 'Reads dashboards'), id: 'p_b' };
  return workshop({
    personas: [a, b],
    useCases: [
      { id: 'u1', name: 'Reporting', valueProposition: 'See it all', personaIds: ['p_a', 'p_b'] },
      { id: 'u2', name: 'Setup', valueProposition: 'Fast start', personaIds: ['p_a'] },
    ],
    opportunities: [
      { ...newOpportunity('p_a'), id: 'o1' },
      { ...newOpportunity('p_b'), id: 'o2' },
    ],
  });
}

describe('new things', () => {
  afterEach(() => {
    vi.useRealTimers();
    vi.unstubAllGlobals();
  });

  it('newId is the prefix and twelve random characters, an id the document accepts, new every time', () => {
    const ids = Array.from({ length: 500 }, () => newId('p'));
    for (const id of ids) {
      expect(id).toMatch(/^p_[0-9a-f]{12}$/);
      expect(workshopIdSchema.safeParse(id).success).toBe(true);
    }
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('without crypto.randomUUID, ids are still ones the document accepts', () => {
    vi.stubGlobal('crypto', {});
    const ids = Array.from({ length: 200 }, () => newId('o'));
    for (const id of ids) expect(workshopIdSchema.safeParse(id).success).toBe(true);
    expect(ids.every((id) => /^o_[0-9a-z]{1,12}$/.test(id))).toBe(true);
  });

  it('an empty step, a new persona and a new opportunity are valid as they are', () => {
    expect(stepStateSchema.parse(emptyStep())).toEqual({ notes: {}, timer: { elapsedMs: 0, runningSince: null }, rows: [], done: false });
    const persona = newPersona('Admin', 'Sets things up');
    expect(personaSchema.safeParse(persona).success).toBe(true);
    expect(persona).toMatchObject({ name: 'Admin', description: 'Sets things up', ruleEdited: false, segmentId: null, threshold: 1, windowDays: 30 });
    // Nothing hypothesised yet: the drafted rule has no condition.
    expect(persona.rule).toEqual({ version: 1, match: 'all', conditions: [] });
    const opportunity = newOpportunity(persona.id);
    expect(opportunitySchema.safeParse(opportunity).success).toBe(true);
    expect(opportunity).toMatchObject({ personaId: persona.id, votes: {}, chosen: false });
    expect(workshopSchema.safeParse(workshop({ personas: [persona], opportunities: [opportunity], steps: { brainstorm: emptyStep() } })).success).toBe(true);
  });

  it('each empty step is an object of its own', () => {
    const one = emptyStep();
    one.notes[''] = 'changed';
    expect(emptyStep().notes).toEqual({});
  });

  it('todayIso is today’s UTC date', () => {
    vi.useFakeTimers();
    vi.setSystemTime(new Date('2026-12-31T23:59:59.999Z'));
    expect(todayIso()).toBe('2026-12-31');
    vi.setSystemTime(new Date('2027-01-01T00:00:00Z'));
    expect(todayIso()).toBe('2027-01-01');
  });
});

describe('steps', () => {
  it('stepsOf gives the steps of the workshop’s template', () => {
    expect(stepsOf(workshop()).map((s) => s.key)).toEqual(['brainstorm', 'behaviors', 'usage', 'priorities']);
    expect(stepsOf(workshop({ template: 'segmentation' }))[0]?.key).toBe('milestones');
  });

  it('currentStepOf is the step the workshop is on, or the first when that step is not in the template', () => {
    expect(currentStepOf(workshop({ currentStep: 'usage' })).key).toBe('usage');
    expect(currentStepOf(workshop({ currentStep: 'no-such-step' })).key).toBe('brainstorm');
    expect(currentStepOf(workshop({ currentStep: '' })).key).toBe('brainstorm');
    expect(currentStepOf(workshop({ template: 'segmentation', currentStep: 'usage' })).key).toBe('milestones');
  });

  it('stepPosition gives a step’s place, the count and its neighbours, none past either end', () => {
    const w = workshop();
    expect(stepPosition(w, 'brainstorm')).toMatchObject({ index: 0, count: 4, previous: undefined, next: { key: 'behaviors' } });
    expect(stepPosition(w, 'usage')).toMatchObject({ index: 2, count: 4, previous: { key: 'behaviors' }, next: { key: 'priorities' } });
    expect(stepPosition(w, 'priorities')).toMatchObject({ index: 3, previous: { key: 'usage' }, next: undefined });
  });

  it('stepState is the stored state, or an empty step when there is none', () => {
    const stored = { ...emptyStep(), done: true };
    const w = workshop({ steps: { usage: stored } });
    expect(stepState(w, 'usage')).toBe(stored);
    expect(stepState(w, 'behaviors')).toEqual(emptyStep());
  });

  it('withStep changes one step (starting from empty when new) and leaves the workshop it was given alone', () => {
    const w = workshop({ steps: { usage: { ...emptyStep(), done: true } } });
    const before = structuredClone(w);
    const next = withStep(w, 'behaviors', (s) => ({ ...s, notes: { '': 'hello' } }));
    expect(next.steps.behaviors).toEqual({ ...emptyStep(), notes: { '': 'hello' } });
    expect(next.steps.usage).toBe(w.steps.usage);
    expect(withStep(next, 'behaviors', (s) => ({ ...s, done: true })).steps.behaviors).toEqual({ ...emptyStep(), notes: { '': 'hello' }, done: true });
    expect(w).toEqual(before);
  });
});

describe('personas', () => {
  it('changing the hypothesis drafts the rule again', () => {
    const w = workshopWithPersonas();
    const next = withPersona(w, 'p_a', { actions: ['report_viewed'], threshold: 3, windowDays: 14, exclude: ['churned'] });
    const persona = next.personas[0];
    expect(persona?.rule).toEqual({
      version: 1,
      match: 'all',
      conditions: [
        { type: 'event', event: 'report_viewed', op: '>=', count: 3, within: { days: 14 } },
        { type: 'event', event: 'churned', op: '=', count: 0, within: { days: 14 } },
      ],
    });
    expect(next.personas[1]).toBe(w.personas[1]);
  });

  it('a rule edited in the builder is kept, whatever else changes', () => {
    const edited = { version: 1 as const, match: 'any' as const, conditions: [{ type: 'nps' as const, category: 'promoter' as const }] };
    const w = withPersona(workshopWithPersonas(), 'p_a', { rule: edited, ruleEdited: true });
    expect(w.personas[0]?.rule).toEqual(edited);
    const after = withPersona(w, 'p_a', { actions: ['report_viewed'], threshold: 9 });
    expect(after.personas[0]?.rule).toEqual(edited);
    // Giving the rule back to the fields drafts it again.
    const redrafted = withPersona(after, 'p_a', { ruleEdited: false });
    expect(redrafted.personas[0]?.rule).toEqual(draftPersonaRule({ actions: ['report_viewed'], threshold: 9, windowDays: 30, include: [], exclude: [] }));
  });

  it('takes a function as well as a partial, and the rule follows either way', () => {
    const w = withPersona(workshopWithPersonas(), 'p_b', (p) => ({ ...p, name: `${p.name}s`, include: ['login'] }));
    expect(w.personas[1]).toMatchObject({ name: 'Viewers', rule: { conditions: [{ event: 'login', count: 1 }] } });
  });

  it('an unknown id changes no persona', () => {
    const w = workshopWithPersonas();
    expect(withPersona(w, 'p_nobody', { name: 'X' }).personas).toEqual(w.personas);
  });

  it('the drafted rule always matches the hypothesis, for any hypothesis', () => {
    const events = fc.array(fc.constantFrom('a', 'b', 'c', 'login', 'export'), { maxLength: 3 });
    fc.assert(
      fc.property(events, fc.integer({ min: 0, max: 50 }), fc.integer({ min: 1, max: 3650 }), events, events, (actions, threshold, windowDays, include, exclude) => {
        const w = withPersona(workshopWithPersonas(), 'p_a', { actions, threshold, windowDays, include, exclude });
        const persona = w.personas[0];
        expect(persona?.rule).toEqual(draftPersonaRule({ actions, threshold, windowDays, include, exclude }));
        expect(workshopSchema.safeParse(w).success).toBe(true);
      }),
    );
  });

  it('removing a persona removes it from use cases and leaves its opportunities without a persona', () => {
    const w = workshopWithPersonas();
    const before = structuredClone(w);
    const next = removePersona(w, 'p_a');
    expect(next.personas.map((p) => p.id)).toEqual(['p_b']);
    expect(next.useCases.map((u) => u.personaIds)).toEqual([['p_b'], []]);
    expect(next.opportunities.map((o) => [o.id, o.personaId])).toEqual([
      ['o1', ''],
      ['o2', 'p_b'],
    ]);
    expect(w).toEqual(before);
    expect(removePersona(w, 'p_nobody')).toEqual(w);
  });
});

describe('timer', () => {
  const paused = (elapsedMs: number) => ({ elapsedMs, runningSince: null });

  it('a paused timer shows what it ran; a running one adds the time since it started', () => {
    expect(timerElapsed(paused(5_000), 1e12)).toBe(5_000);
    expect(timerElapsed({ elapsedMs: 5_000, runningSince: 1_000 }, 4_000)).toBe(8_000);
  });

  it('a clock that went backwards adds nothing, and a timer stops at a day (what the schema holds)', () => {
    expect(timerElapsed({ elapsedMs: 5_000, runningSince: 10_000 }, 9_000)).toBe(5_000);
    expect(timerElapsed({ elapsedMs: DAY_MS - 1, runningSince: 0 }, 10)).toBe(DAY_MS);
  });

  it('starting a running timer changes nothing; starting a paused one keeps what it ran', () => {
    const running = { elapsedMs: 1_000, runningSince: 50 };
    expect(startTimer(running, 99)).toBe(running);
    expect(startTimer(paused(1_000), 99)).toEqual({ elapsedMs: 1_000, runningSince: 99 });
  });

  it('pausing keeps the whole milliseconds run so far', () => {
    expect(pauseTimer({ elapsedMs: 1_000, runningSince: 100 }, 350.6)).toEqual({ elapsedMs: 1_251, runningSince: null });
    expect(pauseTimer(paused(1_000), 5_000)).toEqual(paused(1_000));
  });

  it('any run of starts and pauses adds up the running stretches, capped at a day, and stays valid', () => {
    const moves = fc.array(fc.tuple(fc.boolean(), fc.integer({ min: 0, max: DAY_MS / 4 })), { maxLength: 12 });
    fc.assert(
      fc.property(moves, (steps) => {
        let timer: { elapsedMs: number; runningSince: number | null } = paused(0);
        let now = 1_000;
        let expected = 0;
        for (const [start, wait] of steps) {
          const before = timer.runningSince;
          timer = start ? startTimer(timer, now) : pauseTimer(timer, now);
          if (!start && before !== null) expected = Math.min(DAY_MS, expected + (now - before));
          now += wait;
          expect(timerSchema.safeParse(timer).success).toBe(true);
        }
        const open = timer.runningSince !== null ? now - timer.runningSince : 0;
        expect(timerElapsed(timer, now)).toBe(Math.min(DAY_MS, expected + open));
      }),
    );
  });

  it('clock writes mm:ss, and h:mm:ss from an hour', () => {
    expect(clock(0)).toBe('00:00');
    expect(clock(999)).toBe('00:00');
    expect(clock(59_999)).toBe('00:59');
    expect(clock(60_000)).toBe('01:00');
    expect(clock(3_599_999)).toBe('59:59');
    expect(clock(3_600_000)).toBe('1:00:00');
    expect(clock(DAY_MS)).toBe('24:00:00');
  });

  it('overrun writes minutes past the timebox without an hour field', () => {
    expect(overrun(0)).toBe('+0:00');
    expect(overrun(130_000)).toBe('+2:10');
    expect(overrun(3_700_000)).toBe('+61:40');
  });

  it('clock and overrun read back to the whole seconds they were given', () => {
    const seconds = (text: string): number => text.replace('+', '').split(':').map(Number).reduce((acc, part) => acc * 60 + part, 0);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: DAY_MS }), (ms) => {
        expect(seconds(clock(ms))).toBe(Math.floor(ms / 1000));
        expect(seconds(overrun(ms))).toBe(Math.floor(ms / 1000));
      }),
    );
  });
});

describe('personaColourIndex', () => {
  it('is the persona’s place in the document, the first one’s for a persona that is gone', () => {
    const w = workshopWithPersonas();
    expect(personaColourIndex(w, 'p_a')).toBe(0);
    expect(personaColourIndex(w, 'p_b')).toBe(1);
    expect(personaColourIndex(w, 'p_gone')).toBe(0);
  });
});

describe('clampNumber', () => {
  it('keeps a typed figure within its bounds, rounding it when it must be whole', () => {
    expect(clampNumber('12.5', 0, 1000)).toBe(12.5);
    expect(clampNumber('12.5', 0, 1000, true)).toBe(13);
    expect(clampNumber('-3', 0, 1000)).toBe(0);
    expect(clampNumber('5000', 1, 3650, true)).toBe(3650);
    expect(clampNumber('0.4', 1, 3650, true)).toBe(1);
  });

  it('reads an emptied box or text that is not a number as the lowest value', () => {
    expect(clampNumber('', 1, 3650, true)).toBe(1);
    expect(clampNumber('  ', 0, 10)).toBe(0);
    expect(clampNumber('abc', 1, 10)).toBe(1);
  });

  it('always lands within the bounds', () => {
    fc.assert(
      fc.property(fc.string(), fc.integer({ min: -100, max: 100 }), fc.integer({ min: 0, max: 100 }), fc.boolean(), (text, min, span, whole) => {
        const n = clampNumber(text, min, min + span, whole);
        expect(n).toBeGreaterThanOrEqual(min);
        expect(n).toBeLessThanOrEqual(min + span);
      }),
    );
  });
});

describe('personaColorVar', () => {
  it('gives the five series colours in order, then starts again', () => {
    expect([0, 1, 2, 3, 4, 5, 9, 10].map(personaColorVar)).toEqual([
      '--series-1',
      '--series-2',
      '--series-3',
      '--series-4',
      '--series-5',
      '--series-1',
      '--series-5',
      '--series-1',
    ]);
  });
});
