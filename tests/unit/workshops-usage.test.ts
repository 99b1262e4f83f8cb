/**
 * Step 3 of the persona workshop (src/main/workshops/usage.ts): exact figures on a small hand-built cache,
 * and agreement with the segment engine (SegmentService.count) on a generated demo workspace.
 */
import { describe, expect, it, vi } from 'vitest';
import { DEMO_AS_OF, generateDemo } from '../../src/main/demo/generate';
import { SegmentService } from '../../src/main/segments/service';
import { clearUsageCache, computeUsage, thresholdSize } from '../../src/main/workshops/usage';
import type { Condition, Rule } from '../../src/shared/segments/rule';
import type { Frequency, Persona, Workshop } from '../../src/shared/workshop/model';
import { draftPersonaRule, withThreshold } from '../../src/shared/workshop/persona-rule';
import { useTempCache } from './helpers';
import { buildWorld, DAY, normalizeAll, writeRecords, type TestRecord } from './segments-helpers';

const tempCache = useTempCache();

/** asOf: noon UTC, 1 March 2026. */
const A = Date.UTC(2026, 2, 1, 12);
const ago = (days: number): number => A - days * DAY;

interface PersonaInput {
  id: string;
  actions: string[];
  frequency: Frequency;
  threshold: number;
  windowDays: number;
  include?: string[];
  exclude?: string[];
  /** An edited rule; drafted from the fields when absent. */
  rule?: Rule;
}

function persona(input: PersonaInput): Persona {
  const p = {
    id: input.id,
    name: input.id,
    description: '',
    actions: input.actions,
    jobs: [],
    frequency: input.frequency,
    threshold: input.threshold,
    windowDays: input.windowDays,
    include: input.include ?? [],
    exclude: input.exclude ?? [],
    ruleEdited: input.rule !== undefined,
    segmentId: null,
  };
  return { ...p, rule: input.rule ?? draftPersonaRule(p) };
}

function workshop(personas: Persona[], usage = { activationDays: 7, regularWeeks: 2, regularOf: 4 }): Workshop {
  return {
    format: 1,
    id: 'w1',
    title: 'Test',
    account: '',
    date: '2026-03-01',
    template: 'personas',
    participants: [],
    asOf: null,
    archived: false,
    currentStep: 'usage',
    steps: {},
    useCases: [],
    personas,
    opportunities: [],
    usage,
    createdAt: 0,
    updatedAt: 0,
  };
}

const events = (user: string, event: string, days: number[]): TestRecord[] => days.map((d) => ({ user, event, ts: ago(d) }));

/*
 * The hand-built cache, asOf A; weeks are (A − 7(k+1) days, A − 7k days], so "d days ago" is in week ⌊d/7⌋.
 *   alice  admin, first seen 60 d ago; report 1, 2, 8, 20, 58 d ago; view 3 d ago
 *   bob    first seen 10 d ago; report 10, 5, 4, 3, 2, 1 d ago
 *   carol  first seen 30 d ago; comment 29, 15, 12-8, 5-1 d ago
 *   dave   admin, first seen 50 d ago; report 1 d ago, comment 2 d ago
 *   erin   admin, first seen 20 d ago; comment 20 d ago
 *   gina   a view 100 d ago, nothing since
 *   hank   report 13, 12 d ago, and one after asOf
 *   ivan   view 40 d ago (first seen), report 5, 4 d ago
 *   frank  first seen after asOf: not in the install base
 */
const records: TestRecord[] = [
  { user: 'alice', identify: { role: 'admin' }, ts: ago(60) },
  ...events('alice', 'report', [58, 20, 8, 2, 1]),
  ...events('alice', 'view', [3]),
  ...events('bob', 'report', [10, 5, 4, 3, 2, 1]),
  { user: 'carol', identify: { role: 'member' }, ts: ago(30) },
  ...events('carol', 'comment', [29, 15, 12, 11, 10, 9, 8, 5, 4, 3, 2, 1]),
  { user: 'dave', identify: { role: 'admin' }, ts: ago(50) },
  ...events('dave', 'report', [1]),
  ...events('dave', 'comment', [2]),
  { user: 'erin', identify: { role: 'admin' }, ts: ago(20) },
  ...events('erin', 'comment', [20]),
  ...events('gina', 'view', [100]),
  ...events('hank', 'report', [13, 12]),
  { user: 'hank', event: 'report', ts: A + 3_600_000 },
  ...events('ivan', 'view', [40]),
  ...events('ivan', 'report', [5, 4]),
  { user: 'frank', event: 'report', ts: A + DAY },
];

const reporters = persona({ id: 'reporters', actions: ['report', 'view'], frequency: 'week', threshold: 2, windowDays: 14 });
const commenters = persona({ id: 'commenters', actions: ['comment'], frequency: 'day', threshold: 1, windowDays: 28, exclude: ['report'] });
const admins = persona({
  id: 'admins',
  actions: [],
  frequency: 'month',
  threshold: 0,
  windowDays: 30,
  rule: { version: 1, match: 'all', conditions: [{ type: 'trait', trait: 'role', op: 'eq', value: 'admin' }] },
});

const bins = (cap: number, counts: Record<number, number>): { from: number; to: number | null; users: number }[] =>
  Array.from({ length: cap + 1 }, (_, i) => ({ from: i, to: i < cap ? i + 1 : null, users: counts[i] ?? 0 }));

describe('computeUsage on a hand-built cache', () => {
  it('gives the exact figures of every persona, the overlap and the users in none', () => {
    const { db, service } = buildWorld(tempCache().db, records);
    const usage = computeUsage(db, service, workshop([reporters, commenters, admins]), A);
    expect(usage.total).toBe(8);
    expect(usage.computeMs).toBeGreaterThan(0);
    const [r, c, a] = usage.personas;

    expect(r).toMatchObject({
      keyAction: 'report',
      error: null,
      users: 4, // alice 3, bob 6, hank 2, ivan 2 reports in 14 days; dave has 1
      shareOfBase: 0.5,
      activated: 3, // ivan's first report came 35 days after his first view
      regular: 2, // alice (weeks 0, 1, 2), bob (weeks 0, 1)
      frequent: 1, // weekly persona: a report in 3 of 4 weeks — alice only
      casual: 3,
      frequentTarget: { perWeek: 1, weeks: 3, of: 4 },
      medianActiveDaysPerWeek: (0.5 + 1.25) / 2, // hank 2, ivan 2, alice 5, bob 6 days in 4 weeks
      actions: [
        { event: 'report', users: 4, medianPerActiveWeek: 2 }, // 3/2, 6/2, 2/1, 2/1
        { event: 'view', users: 1, medianPerActiveWeek: 1 },
      ],
    });
    expect(r?.regularShare).toBe(0.5);
    expect(r?.activationRate).toBe(0.75);
    // Reports in 14 days over the install base: three users at 0 (carol, erin, gina), dave 1, hank and ivan 2, alice 3, bob 6.
    expect(r?.histogram).toEqual(bins(10, { 0: 3, 1: 1, 2: 2, 3: 1, 6: 1 }));

    expect(c).toMatchObject({
      users: 2, // carol, erin (dave reported)
      activated: 2,
      regular: 1, // carol: weeks 0, 1, 2; erin: week 2 only
      frequent: 0, // a daily persona: 5 a week in 3 of 4 weeks; carol has two such weeks
      casual: 2,
      frequentTarget: { perWeek: 5, weeks: 3, of: 4 },
      medianActiveDaysPerWeek: (2.75 + 0.25) / 2,
    });
    expect(c?.actions[0]?.users).toBe(2);
    expect(c?.actions[0]?.medianPerActiveWeek).toBeCloseTo((11 / 3 + 1) / 2, 12);
    // Comments in 28 days: carol 11 (the open bin starts at 12: the 99th percentile plus one), dave and erin 1.
    expect(c?.histogram).toEqual(bins(12, { 0: 5, 1: 2, 11: 1 }));

    expect(a).toMatchObject({
      keyAction: null,
      users: 3,
      activated: 0,
      regular: 0,
      frequent: 0,
      casual: 3,
      actions: [],
      histogram: [],
      medianActiveDaysPerWeek: 0.5, // erin 1, dave 2, alice 5 days
      frequentTarget: { perWeek: 1, weeks: 1, of: 4 },
    });

    expect(usage.overlap).toEqual([
      [4, 0, 1],
      [0, 2, 1],
      [1, 1, 3],
    ]);
    expect(usage.inNone).toBe(1); // gina
  });

  it('reports a persona whose rule cannot be evaluated instead of failing the step', () => {
    const { db, service } = buildWorld(tempCache().db, records);
    const broken = persona({ id: 'broken', actions: ['report'], frequency: 'week', threshold: 1, windowDays: 14, rule: { version: 1, match: 'all', conditions: [{ type: 'segment', segment: 'gone' }] } });
    const usage = computeUsage(db, service, workshop([broken, admins]), A);
    expect(usage.personas[0]?.users).toBe(0);
    expect(usage.personas[0]?.error).toMatch(/gone/);
    expect(usage.personas[1]?.users).toBe(3);
    expect(usage.inNone).toBe(5);
  });
});

describe('thresholdSize', () => {
  it('answers the size with the threshold moved, from memory after the first answer', () => {
    const { db, service } = buildWorld(tempCache().db, records);
    const w = workshop([reporters, commenters, admins]);
    const count = vi.spyOn(service, 'count');
    const compile = vi.spyOn(service, 'compile');
    const sizes = [0, 1, 2, 3, 4, 6, 7].map((t) => thresholdSize(db, service, w, 'reporters', t, A).count);
    // The drafted rule counts at least max(threshold, 1).
    expect(sizes).toEqual([5, 5, 4, 2, 1, 1, 0]);
    // One query for the users who pass the rest of the rule; every threshold after it is answered from memory.
    expect(count).not.toHaveBeenCalled();
    expect(compile).toHaveBeenCalledTimes(1);
    expect(thresholdSize(db, service, w, 'commenters', 2, A)).toMatchObject({ personaId: 'commenters', threshold: 2, count: 1, total: 8 });
    expect(thresholdSize(db, service, w, 'admins', 5, A).count).toBe(3);
    expect(() => thresholdSize(db, service, w, 'nobody', 1, A)).toThrow(/No persona/);
  });

  it('follows new data and a changed rule', () => {
    const { db, service } = buildWorld(tempCache().db, records);
    const w = workshop([reporters]);
    expect(thresholdSize(db, service, w, 'reporters', 3, A).count).toBe(2);
    // hank reports once more (inside the window): the cached counts must not answer any more.
    writeRecords(db, normalizeAll([{ user: 'hank', event: 'report', ts: ago(6), id: 'late-1' }]));
    expect(thresholdSize(db, service, w, 'reporters', 3, A).count).toBe(3);
    // The persona now also needs a view: the rest of the rule changed, so do the candidates.
    const withView = persona({ id: 'reporters', actions: ['report'], frequency: 'week', threshold: 2, windowDays: 14, include: ['view'] });
    expect(thresholdSize(db, service, workshop([withView]), 'reporters', 3, A).count).toBe(1);
    expect(thresholdSize(db, service, w, 'reporters', 3, A).count).toBe(3);
  });
});

describe('agreement with the segment engine on a generated demo workspace', () => {
  it('sizes, overlaps, users in none and threshold sizes equal SegmentService.count', async () => {
    const { db } = tempCache();
    await generateDemo(db, { users: 2_000, now: 1 });
    const segments = new SegmentService(db, () => DEMO_AS_OF);
    const power = segments.save({ name: 'Paid plans', rule: { version: 1, match: 'all', conditions: [{ type: 'trait', trait: 'plan', op: 'in', value: ['growth', 'enterprise'] }] } });
    const personas = [
      persona({ id: 'reporters', actions: ['report_run', 'dashboard_viewed'], frequency: 'week', threshold: 6, windowDays: 30 }),
      persona({ id: 'builders', actions: ['task_created', 'task_completed'], frequency: 'day', threshold: 4, windowDays: 30, include: ['comment_added'] }),
      persona({ id: 'viewers', actions: ['login'], frequency: 'month', threshold: 1, windowDays: 30, exclude: ['task_created'] }),
      // Edited rules: a '>' threshold next to a segment reference; an 'any' rule (answered by the engine); no key action.
      persona({
        id: 'paid-exporters',
        actions: ['export_csv'],
        frequency: 'month',
        threshold: 2,
        windowDays: 60,
        rule: { version: 1, match: 'all', conditions: [{ type: 'segment', segment: power.id }, { type: 'event', event: 'export_csv', op: '>', count: 1, within: { days: 60 } }] },
      }),
      persona({
        id: 'either',
        actions: ['report_run'],
        frequency: 'week',
        threshold: 3,
        windowDays: 30,
        rule: {
          version: 1,
          match: 'any',
          conditions: [
            { type: 'event', event: 'report_run', op: '>=', count: 3, within: { days: 30 } },
            { type: 'event', event: 'export_pdf', op: '>=', count: 1, within: { days: 30 } },
          ],
        },
      }),
      persona({ id: 'admins', actions: [], frequency: 'month', threshold: 0, windowDays: 30, rule: { version: 1, match: 'all', conditions: [{ type: 'trait', trait: 'role', op: 'eq', value: 'admin' }] } }),
    ];
    const w = workshop(personas, { activationDays: 14, regularWeeks: 3, regularOf: 6 });
    const usage = computeUsage(db, segments, w, DEMO_AS_OF);

    const asGroup = (rule: Rule): Condition => ({ type: 'group', match: rule.match, conditions: rule.conditions });
    expect(usage.total).toBe(segments.total(DEMO_AS_OF));
    personas.forEach((p, i) => {
      const result = usage.personas[i];
      expect(result?.error).toBeNull();
      expect(result?.users).toBe(segments.count(p.rule, DEMO_AS_OF));
      // Every figure about members is about at most the members.
      for (const n of [result?.activated, result?.regular, result?.frequent, result?.casual]) expect(n).toBeLessThanOrEqual(result?.users ?? 0);
      if (result?.keyAction) expect(result.histogram.reduce((n, b) => n + b.users, 0)).toBe(usage.total);
      personas.forEach((q, j) => {
        const both: Rule = { version: 1, match: 'all', conditions: [asGroup(p.rule), asGroup(q.rule)] };
        expect(usage.overlap[i]?.[j], `overlap ${p.id} × ${q.id}`).toBe(segments.count(both, DEMO_AS_OF));
      });
    });
    expect(usage.personas.some((p) => p.users > 50)).toBe(true);
    const anyOf: Rule = { version: 1, match: 'any', conditions: personas.map((p) => asGroup(p.rule)) };
    expect(usage.inNone).toBe(usage.total - segments.count(anyOf, DEMO_AS_OF));

    // A drafted persona whose rule is the key action alone: the histogram from its threshold up is its size.
    const reporters = usage.personas[0];
    expect(reporters?.histogram.filter((b) => b.from >= 6).reduce((n, b) => n + b.users, 0)).toBe(reporters?.users);

    clearUsageCache(db);
    for (const p of personas) {
      for (const t of [0, 1, 2, 3, 5, 8, 13]) {
        const expected = segments.count(withThreshold(p, t).rule, DEMO_AS_OF);
        expect(thresholdSize(db, segments, w, p.id, t, DEMO_AS_OF).count, `${p.id} at ${t}`).toBe(expected);
      }
    }
  });
});
