/**
 * npm run bench:workshop: step 3 of the persona workshop on the demo workspace (50,000 users, ~1M events),
 * five personas drafted from their hypotheses, timed through the real path (computeUsage, thresholdSize).
 *
 * - step 3, cold: every in-memory figure dropped before each run (what the first open after an import costs);
 * - step 3, one persona edited: the other personas' members, the per-name passes and the activity kept;
 * - step 3, warm: everything kept (reopening the step on unchanged data);
 * - a threshold drag: thresholds 1…20 for each persona, the first answer of each persona cold;
 * - naive baselines: each persona's members by SegmentService.memberIds and its figures by per-user queries and
 *   JS loops; the drag by SegmentService.count of the rule with the threshold moved.
 * Prints median and p95 of the runs side by side, and the ratio naive / fast. The naive step 3 also checks that
 * both give the same figures.
 */
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openCache } from '../../src/main/db/connection';
import { DEMO_AS_OF, generateDemo } from '../../src/main/demo/generate';
import { SegmentService } from '../../src/main/segments/service';
import { clearUsageCache, computeUsage, thresholdSize } from '../../src/main/workshops/usage';
import type { Frequency, Persona, Workshop } from '../../src/shared/workshop/model';
import { draftPersonaRule, withThreshold } from '../../src/shared/workshop/persona-rule';
import { frequentTarget, type WorkshopUsage } from '../../src/shared/workshop/usage';

const RUNS = Number(process.env.BENCH_RUNS ?? 9);
const NAIVE_RUNS = Number(process.env.BENCH_NAIVE_RUNS ?? 1);
const dir = join(tmpdir(), 'guidepost-bench');
mkdirSync(dir, { recursive: true });
const dbPath = join(dir, 'workshop-demo.db');
const asOf = DEMO_AS_OF;
const DAY = 86_400_000;
const WEEK = 7 * DAY;

const { db } = openCache(dbPath);
if (db.prepare('SELECT count(*) FROM users').pluck().get() === 0) {
  process.stdout.write('Generating the demo workspace…\n');
  await generateDemo(db);
  db.exec('ANALYZE');
}
const segments = new SegmentService(db, () => asOf);
// As the app does after the demo job (and every import or sync): the segment summary is brought up to date
// once the data lands, so "cold" below means nothing in memory, not a summary never built.
const warmStarted = performance.now();
segments.warmDerived();
process.stdout.write(`Segment summary brought up to date in ${(performance.now() - warmStarted).toFixed(0)} ms\n`);

function persona(id: string, name: string, actions: string[], frequency: Frequency, threshold: number, windowDays: number, include: string[] = [], exclude: string[] = []): Persona {
  const p = { id, name, description: '', actions, jobs: [], frequency, threshold, windowDays, include, exclude, ruleEdited: false, segmentId: null };
  return { ...p, rule: draftPersonaRule(p) };
}

const workshop: Workshop = {
  format: 1,
  id: 'bench',
  title: 'Bench',
  account: '',
  date: '2026-06-30',
  template: 'personas',
  participants: [],
  asOf,
  archived: false,
  currentStep: 'usage',
  steps: {},
  useCases: [],
  personas: [
    persona('reporters', 'Power reporters', ['report_run', 'dashboard_viewed'], 'week', 6, 30),
    persona('builders', 'Task builders', ['task_created', 'task_completed'], 'day', 10, 30),
    persona('viewers', 'Occasional viewers', ['login'], 'month', 1, 30, [], ['task_created']),
    persona('admins', 'Administrators', ['settings_updated', 'invite_sent', 'user_role_changed'], 'month', 1, 90),
    persona('collaborators', 'Collaborators', ['comment_added'], 'week', 3, 30, ['task_assigned']),
  ],
  opportunities: [],
  usage: { activationDays: 7, regularWeeks: 3, regularOf: 4 },
  createdAt: 0,
  updatedAt: 0,
};

// --- The naive baseline: members by id, then a few queries and a JS loop per user. -----------------

const nameId = (name: string): number => (db.prepare('SELECT name_id FROM event_names WHERE name = ?').pluck().get(name) as number | undefined) ?? -1;
const userOf = db.prepare<[string], { user_pk: number; first_seen: number }>('SELECT user_pk, first_seen FROM users WHERE id = ?');
const timesOf = db.prepare<[number, number, number], number>('SELECT ts FROM events WHERE name_id = ? AND user_pk = ? AND ts <= ? ORDER BY ts').pluck();
const recentOf = db
  .prepare<[number, number, number], number>('SELECT ts FROM events WHERE name_id IN (SELECT name_id FROM event_names WHERE name_id <> 0) AND user_pk = ? AND ts > ? AND ts <= ?')
  .pluck();
const base = db.prepare<[number], number>('SELECT user_pk FROM users WHERE first_seen <= ?').pluck();
const countIn = db.prepare<[number, number, number, number], number>('SELECT count(*) FROM events WHERE name_id = ? AND user_pk = ? AND ts > ? AND ts <= ?').pluck();

const median = (values: number[]): number => {
  if (values.length === 0) return 0;
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
};
const p95 = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.ceil(values.length * 0.95) - 1)] as number;

function naiveUsage(): { total: number; users: number[]; activated: number[]; regular: number[]; frequent: number[]; engagement: number[]; zeroBin: number[]; overlap: number[][]; inNone: number } {
  const total = segments.total(asOf);
  const n = workshop.usage.regularOf;
  const sets: Set<string>[] = [];
  const out = { total, users: [] as number[], activated: [] as number[], regular: [] as number[], frequent: [] as number[], engagement: [] as number[], zeroBin: [] as number[] };
  const everyone = base.all(asOf);
  for (const p of workshop.personas) {
    const ids = segments.memberIds(p.rule, asOf);
    sets.push(new Set(ids));
    const key = nameId(p.actions[0] as string);
    const target = frequentTarget(p.frequency, n);
    let activated = 0;
    let regular = 0;
    let frequent = 0;
    const engagement: number[] = [];
    for (const id of ids) {
      const u = userOf.get(id) as { user_pk: number; first_seen: number };
      const times = timesOf.all(key, u.user_pk, asOf);
      if (times.length > 0 && (times[0] as number) < u.first_seen + workshop.usage.activationDays * DAY) activated += 1;
      const perWeek = new Array<number>(n).fill(0);
      for (const t of times) {
        const k = Math.floor((asOf - t) / WEEK);
        if (k < n) perWeek[k] = (perWeek[k] as number) + 1;
      }
      if (perWeek.filter((c) => c > 0).length >= workshop.usage.regularWeeks) regular += 1;
      if (perWeek.filter((c) => c >= target.perWeek).length >= target.weeks) frequent += 1;
      const days = new Set(recentOf.all(u.user_pk, asOf - n * WEEK, asOf).map((t) => Math.floor((asOf - t) / DAY)));
      engagement.push(days.size / n);
    }
    let zero = 0;
    for (const pk of everyone) if (countIn.get(key, pk, asOf - p.windowDays * DAY, asOf) === 0) zero += 1;
    out.users.push(ids.length);
    out.activated.push(activated);
    out.regular.push(regular);
    out.frequent.push(frequent);
    out.engagement.push(median(engagement));
    out.zeroBin.push(zero);
  }
  const overlap = sets.map((a) => sets.map((b) => [...a].filter((id) => b.has(id)).length));
  const union = new Set(sets.flatMap((s) => [...s]));
  return { ...out, overlap, inNone: total - union.size };
}

// --- Runs. ------------------------------------------------------------------------------------------

function timeRuns(runs: number, fn: () => void, before?: () => void): number[] {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    before?.();
    const t = performance.now();
    fn();
    times.push(performance.now() - t);
  }
  return times;
}

const events = db.prepare('SELECT count(*) FROM events WHERE name_id <> 0').pluck().get() as number;
const userCount = db.prepare('SELECT count(*) FROM users').pluck().get() as number;
process.stdout.write(`Cache: ${dbPath} (${userCount.toLocaleString('en-US')} users, ${events.toLocaleString('en-US')} events), five personas\n`);
process.stdout.write(`Median and p95 of ${RUNS} runs (naive step 3: ${NAIVE_RUNS} run${NAIVE_RUNS === 1 ? '' : 's'})\n\n`);

let usage: WorkshopUsage | undefined;
const cold = timeRuns(RUNS, () => void (usage = computeUsage(db, segments, workshop, asOf)), () => clearUsageCache(db));
const warm = timeRuns(RUNS, () => void (usage = computeUsage(db, segments, workshop, asOf)));
// A facilitator edits one persona (a new threshold each run, so its rule is new to the cache) and step 3 reruns.
let edit = 0;
const edited = timeRuns(RUNS, () => {
  edit += 1;
  const personas = workshop.personas.map((p, i) => (i === 0 ? withThreshold(p, p.threshold + edit) : p));
  computeUsage(db, segments, { ...workshop, personas }, asOf);
});
let naive: ReturnType<typeof naiveUsage> | undefined;
const naiveTimes = timeRuns(NAIVE_RUNS, () => void (naive = naiveUsage()));

// The drag: thresholds 1…20 per persona; the first answer of each persona is cold (nothing cached for it).
const dragCold: number[] = [];
const dragWarm: number[] = [];
const dragNaive: number[] = [];
clearUsageCache(db);
let dragAgrees = true;
for (const p of workshop.personas) {
  for (let t = 1; t <= 20; t++) {
    const start = performance.now();
    const answer = thresholdSize(db, segments, workshop, p.id, t, asOf);
    (t === 1 ? dragCold : dragWarm).push(performance.now() - start);
    const naiveStart = performance.now();
    const expected = segments.count(withThreshold(p, t).rule, asOf);
    dragNaive.push(performance.now() - naiveStart);
    if (answer.count !== expected) dragAgrees = false;
  }
}

const row = (label: string, fast: number[], slow: number[] | null, target: string): void => {
  const ratio = slow ? `${(median(slow) / median(fast)).toFixed(1)}×` : '';
  const slowText = slow ? `${median(slow).toFixed(1).padStart(9)} ${p95(slow).toFixed(1).padStart(9)}` : `${''.padStart(9)} ${''.padStart(9)}`;
  process.stdout.write(`${label.padEnd(34)} ${median(fast).toFixed(1).padStart(9)} ${p95(fast).toFixed(1).padStart(9)}   ${slowText} ${ratio.padStart(8)}   ${target}\n`);
};
process.stdout.write(`${'measurement (ms)'.padEnd(34)} ${'median'.padStart(9)} ${'p95'.padStart(9)}   ${'naive med'.padStart(9)} ${'naive p95'.padStart(9)} ${'speed-up'.padStart(8)}   target\n`);
row('step 3, cold (nothing cached)', cold, naiveTimes, '< 300');
row('step 3, one persona edited', edited, naiveTimes, '< 300');
row('step 3, warm (nothing changed)', warm, naiveTimes, '< 300');
row('threshold, first answer (cold)', dragCold, null, '< 100');
row('threshold, drag answers', dragWarm, dragNaive, '< 100');

const u = usage as WorkshopUsage;
const n = naive as ReturnType<typeof naiveUsage>;
const same =
  JSON.stringify([u.total, u.personas.map((p) => p.users), u.personas.map((p) => p.activated), u.personas.map((p) => p.regular), u.personas.map((p) => p.frequent), u.personas.map((p) => p.medianActiveDaysPerWeek), u.personas.map((p) => p.histogram[0]?.users), u.overlap, u.inNone]) ===
  JSON.stringify([n.total, n.users, n.activated, n.regular, n.frequent, n.engagement, n.zeroBin, n.overlap, n.inNone]);
process.stdout.write(`\nfigures equal to the naive baseline: ${same ? 'yes' : 'NO'}; drag sizes equal to SegmentService.count: ${dragAgrees ? 'yes' : 'NO'}\n`);
process.stdout.write(`install base ${u.total.toLocaleString('en-US')}, in no persona ${u.inNone.toLocaleString('en-US')}\n`);
for (const p of u.personas) {
  process.stdout.write(
    `  ${p.name.padEnd(20)} ${String(p.users).padStart(6)} users (${(p.shareOfBase * 100).toFixed(1)} %), activated ${p.activated}, regular ${p.regular}, frequent ${p.frequent}, casual ${p.casual}, ${p.medianActiveDaysPerWeek.toFixed(2)} active days/week\n`,
  );
}
if (!same) {
  process.stdout.write(`fast:  ${JSON.stringify({ users: u.personas.map((p) => p.users), activated: u.personas.map((p) => p.activated), regular: u.personas.map((p) => p.regular), frequent: u.personas.map((p) => p.frequent), engagement: u.personas.map((p) => p.medianActiveDaysPerWeek), zero: u.personas.map((p) => p.histogram[0]?.users), overlap: u.overlap, inNone: u.inNone })}\n`);
  process.stdout.write(`naive: ${JSON.stringify(n)}\n`);
}
db.close();
