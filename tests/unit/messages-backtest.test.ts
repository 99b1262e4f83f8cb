/**
 * The backtest (src/main/messages/backtest.ts) against the real delivery server: a generated history
 * is written to a cache and replayed through a server on loopback (publish the same messages, then in
 * time order: move the server's clock to each record, ask decide for each page view and tracked event
 * inside the window, record message_shown for what it returns, then send the record). Every decision of
 * the replay must equal the server's, and the backtest's impressions and reach must equal the shows the
 * server caused. Plus hand-made cases: who blocked whom and why, the goal's baseline, the notes.
 */
import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/main/cli';
import { recordPublishedExamples } from '../../src/main/messages/service';
import { createMessageStore } from '../../src/main/messages/store';
import { createKvRepo } from '../../src/main/db/kv';
import { byPriority, compileMessage, type LiveMessage } from '../../src/delivery/decide';
import { publishSchema } from '../../src/delivery/schemas';
import { BACKTEST_CHUNK_USERS, messageBacktest, replayUser, type BacktestDeps, type HistoryRecord, type ReplayedDecision, type ReplayPlan } from '../../src/main/messages/backtest';
import { buildPublishBody } from '../../src/main/messages/publish-body';
import { SegmentService } from '../../src/main/segments/service';
import { WorkshopService } from '../../src/main/workshops/service';
import type { MessageDraft, MessageRecord } from '../../src/shared/messages/model';
import { Random } from '../../src/shared/random';
import type { Rule } from '../../src/shared/segments/rule';
import { useDeliveryServer } from './delivery-helpers';
import { apiErrorOf, useTempCache } from './helpers';
import { liveRecord, LOGIN_NPS, modalDraft, rulePersona, testBackend } from './messages-helpers';
import type { JobInfo } from '../../src/shared/types';
import { buildWorld, DAY, type TestRecord } from './segments-helpers';

const tempCache = useTempCache();
const startServer = useDeliveryServer();

const HOUR = 3_600_000;
const AS_OF = Date.UTC(2026, 5, 29);
const WEEKS = 2;
const FROM = AS_OF - WEEKS * 7 * DAY;
const ORIGIN = 'https://app.example.com';

const DRAFT_RULE: Rule = {
  version: 1,
  match: 'all',
  conditions: [
    { type: 'trait', trait: 'plan', op: 'in', value: ['starter', 'growth'] },
    { type: 'event', event: 'login', op: '>=', count: 2, within: { days: 7 } },
  ],
};

/** The draft under test: a modal on PDF exports, every 2 days at most 3 times, 80% rollout, a goal. */
const DRAFT = modalDraft({
  id: 'draft-pdf',
  name: 'Draft: PDF exporters',
  target: { type: 'segment', segmentId: 'seg_draft' },
  trigger: { event: { name: 'report_exported', where: [{ property: 'format', op: 'eq', value: 'pdf' }] } },
  frequency: { everyDays: 2, maxTimes: 3 },
  cooldownHours: 6,
  rollout: 80,
  priority: 5,
  environment: 'production',
  goal: { event: 'upgraded', withinDays: 7 },
});

/** A higher-priority modal on the billing pages for admins, daily, with a 24-hour cooldown. */
const BILLING = modalDraft({
  id: 'live-billing',
  name: 'Billing upsell',
  target: { type: 'segment', segmentId: 'seg_admins' },
  trigger: { page: `${ORIGIN}/billing*` },
  frequency: { everyDays: 1 },
  cooldownHours: 24,
  priority: 10,
  environment: 'production',
});

const NPS = LOGIN_NPS;

const SEGMENTS: { id: string; rule: Rule }[] = [
  { id: 'seg_draft', rule: DRAFT_RULE },
  { id: 'seg_admins', rule: { version: 1, match: 'all', conditions: [{ type: 'trait', trait: 'role', op: 'eq', value: 'admin' }] } },
  { id: 'seg_all', rule: { version: 1, match: 'all', conditions: [] } },
];

const PAGES = ['/home', '/billing/plan', '/reports', '/billing/invoices', '/projects'];

/** A seeded history: identify first, then sessions of page views, logins, exports and tasks, some upgrades, old shows. */
function generateHistory(seed: number, users: number): TestRecord[] {
  const rng = new Random(seed);
  const records: TestRecord[] = [];
  let n = 0;
  const id = (): string => `rec-${String((n += 1)).padStart(6, '0')}`;
  for (let u = 0; u < users; u++) {
    const user = `u${String(u).padStart(2, '0')}`;
    const start = AS_OF - 28 * DAY + rng.int(0, 3 * DAY);
    const used = new Set<number>();
    const at = (ts: number): number => {
      let t = ts;
      while (used.has(t)) t += 1;
      used.add(t);
      return t;
    };
    records.push({ user, identify: { plan: rng.pick(['starter', 'growth', 'pro']), role: rng.pick(['admin', 'member']) }, ts: at(start), id: id() });
    let t = start + HOUR;
    while (t < AS_OF - HOUR) {
      const session = rng.int(1, 4);
      for (let k = 0; k < session; k++) {
        const kind = rng.int(0, 9);
        t += rng.int(60_000, 20 * 60_000);
        if (kind <= 2) records.push({ user, event: 'page_viewed', ts: at(t), properties: { url: `${ORIGIN}${rng.pick(PAGES)}` }, id: id() });
        else if (kind <= 4) records.push({ user, event: 'login', ts: at(t), properties: {}, id: id() });
        else if (kind <= 7) records.push({ user, event: 'report_exported', ts: at(t), properties: { format: rng.pick(['pdf', 'csv']) }, id: id() });
        else if (kind === 8 && rng.chance(0.3)) records.push({ user, event: 'upgraded', ts: at(t), properties: { plan: 'pro' }, id: id() });
        else records.push({ user, event: 'task_created', ts: at(t), properties: null, id: id() });
      }
      // A recorded show of the once-only survey before the window: the server counts it, so must the replay.
      if (t < FROM && rng.chance(0.05)) records.push({ user, event: 'message_shown', ts: at(t + 1000), properties: { message_id: NPS.id }, id: id() });
      t += rng.int(6 * HOUR, 40 * HOUR);
    }
  }
  return records;
}

interface Fixture {
  deps: BacktestDeps;
  others: MessageRecord[];
  bodies: Map<string, Record<string, unknown>>;
}


function fixture(records: readonly TestRecord[], competitors: readonly MessageDraft[] = [BILLING, NPS], segments = SEGMENTS): Fixture {
  const cache = tempCache();
  buildWorld(cache.db, records);
  const service = new SegmentService(cache.db, () => 0);
  for (const s of segments) service.save({ id: s.id, name: s.id, rule: s.rule });
  const workshops = new WorkshopService(cache.db, () => 0, service);
  const bodies = new Map<string, Record<string, unknown>>();
  const ruleOf = (d: MessageDraft): Rule => (segments.find((s) => d.target.type === 'segment' && s.id === d.target.segmentId) as { rule: Rule }).rule;
  for (const d of [DRAFT, ...competitors]) bodies.set(d.id, buildPublishBody({ ...d, schedule: {} }, ruleOf(d), 1));
  return { deps: { db: cache.db, segments: service, workshops, asOf: AS_OF }, others: competitors.map((d) => liveRecord(d, bodies.get(d.id) as Record<string, unknown>)), bodies };
}

/** What the SDK would send for a record: the decide request (or null) and the record itself. */
type TestEvent = Extract<TestRecord, { event: string }>;

function sdkCalls(r: TestEvent, lastUrl: string | undefined): Record<string, unknown> | null {
  if (['message_shown', 'message_dismissed', 'message_clicked', 'survey_answered'].includes(r.event)) return null;
  if (r.event === 'page_viewed') return { userId: r.user, url: (r.properties as { url: string }).url };
  return { userId: r.user, ...(lastUrl ? { url: lastUrl } : {}), event: { name: r.event, properties: r.properties ?? {} } };
}

describe('the backtest replays decide as the real server decides', () => {
  // With a page-triggered message every record is read; without one, only those that can change a decision.
  it.each([
    { reading: 'every record', competitors: [BILLING, NPS] },
    { reading: 'only the records that matter', competitors: [NPS] },
  ])('equals every decision of a delivery server fed the same history in time order ($reading)', { timeout: 120_000 }, async ({ competitors }) => {
    const records = generateHistory(19, 18);
    const f = fixture(records, competitors);
    const server = await startServer({ start: AS_OF - 40 * DAY });
    for (const [id, body] of f.bodies) {
      const reply = await server.admin('PUT', `/v1/messages/${id}`, body);
      expect(reply.status, reply.text).toBeLessThan(300);
    }
    // In time order across users (each user's records in the order instant, then id).
    const ordered = [...records].sort((a, b) => a.ts - b.ts || ((a.id ?? '') < (b.id ?? '') ? -1 : 1));
    const serverDecisions = new Map<string, { ts: number; chosen: string[] }[]>();
    const lastUrl = new Map<string, string>();
    let pending: Record<string, unknown>[] = [];
    let shown = 0;
    const flush = async (): Promise<void> => {
      if (pending.length === 0) return;
      const reply = await server.track(pending);
      expect(reply.json?.accepted, reply.text).toBe(pending.length);
      pending = [];
    };
    for (const r of ordered) {
      server.clock.now = r.ts;
      const timestamp = new Date(r.ts).toISOString();
      if ('identify' in r) {
        await flush();
        const reply = await server.identify(r.user, r.identify ?? {}, { messageId: r.id });
        expect(reply.status, reply.text).toBe(200);
        continue;
      }
      const request = sdkCalls(r, lastUrl.get(r.user));
      if (request !== null && r.ts >= FROM && r.ts < AS_OF) {
        await flush();
        const reply = await server.client('POST', '/v1/decide', request);
        expect(reply.status, reply.text).toBe(200);
        const chosen = (reply.json.messages as { id: string }[]).map((m) => m.id);
        const list = serverDecisions.get(r.user) ?? [];
        list.push({ ts: r.ts, chosen });
        serverDecisions.set(r.user, list);
        for (const messageId of chosen) {
          shown += 1;
          pending.push({ type: 'track', event: 'message_shown', userId: r.user, messageId: `shown-${shown}`, timestamp, properties: { message_id: messageId } });
        }
      }
      if (r.event === 'page_viewed') {
        lastUrl.set(r.user, (r.properties as { url: string }).url);
        pending.push({ type: 'page', userId: r.user, messageId: r.id, timestamp, properties: r.properties });
      } else pending.push({ type: 'track', event: r.event, userId: r.user, messageId: r.id, timestamp, properties: r.properties ?? undefined });
    }
    await flush();

    // 1. The replay's decisions, user by user, equal the server's (every message, not only the draft).
    const messages: LiveMessage[] = [...f.bodies].map(([id, body]) => compileMessage(id, 1, 'running', publishSchema.parse(body))).sort(byPriority);
    const plan: ReplayPlan = { messages, draftId: DRAFT.id, environment: 'production', from: FROM, to: AS_OF, keptNames: new Set(['login']) };
    const traits = new Map<string, Record<string, unknown>>();
    for (const r of records) if ('identify' in r) traits.set(r.user, r.identify ?? {});
    let compared = 0;
    const serverShows = new Map<string, number[]>();
    for (const [user, decisions] of serverDecisions) {
      const history: HistoryRecord[] = records
        .filter((r) => r.user === user)
        .map((r) => ({ id: r.id ?? '', name: 'event' in r ? r.event : '', ts: r.ts, properties: () => ('event' in r ? (r.properties ?? null) : null) }))
        .sort((a, b) => a.ts - b.ts || (a.id < b.id ? -1 : 1));
      const replayed: ReplayedDecision[] = [];
      replayUser(plan, { userId: user, traits: traits.get(user) ?? {}, accounts: [], records: history }, (d) => replayed.push(d));
      expect(replayed.map((d) => ({ ts: d.ts, chosen: d.chosen })), `decisions of ${user}`).toEqual(decisions);
      compared += decisions.length;
      const draftShows = decisions.filter((d) => d.chosen.includes(DRAFT.id)).map((d) => d.ts);
      if (draftShows.length > 0) serverShows.set(user, draftShows);
    }
    // The history is rich enough to mean something: many requests, every message shown, some blocks.
    expect(compared).toBeGreaterThan(300);
    const allChosen = new Set([...serverDecisions.values()].flat().flatMap((d) => d.chosen));
    expect([...allChosen].sort()).toEqual([DRAFT.id, ...competitors.map((c) => c.id)].sort());

    // 2. The backtest over the cache (its prefilter, its SQL, its weeks) counts what the server showed.
    const result = messageBacktest(f.deps, DRAFT, { weeks: WEEKS, others: f.others });
    const all = [...serverShows.values()].flat();
    expect(result.impressions).toBe(all.length);
    expect(result.usersReached).toBe(serverShows.size);
    const perWeek = [0, 1].map((k) => all.filter((ts) => ts >= FROM + k * 7 * DAY && ts < FROM + (k + 1) * 7 * DAY).length);
    expect(result.impressionsPerWeek.map((w) => w.impressions)).toEqual(perWeek);
    expect(result.impressionsPerWeek.map((w) => w.weekStart)).toEqual([FROM, FROM + 7 * DAY]);
    expect(result.competitors.map((c) => c.id).sort()).toEqual(competitors.map((c) => c.id).sort());
    expect(result.blocked.byMessage.length).toBeGreaterThan(0);
    // Only users in the rollout with a PDF export in the window were replayed, not all 18.
    expect(result.replayed.users).toBeLessThan(18);
  });
});

describe('what the backtest reports', () => {
  const t1 = FROM + DAY;
  const seg = (id: string, conditions: Rule['conditions'] = []): { id: string; rule: Rule } => ({ id, rule: { version: 1, match: 'all', conditions } });
  const FIRST = modalDraft({ id: 'first', name: 'First in line', target: { type: 'segment', segmentId: 'everyone' }, trigger: { event: { name: 'x' } }, frequency: { once: true }, priority: 10, environment: 'production' });
  const SECOND = modalDraft({
    id: 'second',
    name: 'Second',
    target: { type: 'segment', segmentId: 'everyone' },
    trigger: { event: { name: 'x' } },
    frequency: { everyDays: 30 },
    cooldownHours: 24,
    priority: 5,
    environment: 'production',
    goal: { event: 'upgraded', where: [{ property: 'plan', op: 'eq', value: 'pro' }], withinDays: 3 },
  });

  it('names the message that blocked it: the modal slot first, then the cooldown; the goal counts from the first impression', () => {
    const records: TestRecord[] = [
      { user: 'a', identify: { plan: 'starter' }, ts: FROM - DAY, id: 'a0' },
      { user: 'a', event: 'x', ts: t1, id: 'a1' }, // FIRST takes the modal slot: blocked by priority
      { user: 'a', event: 'x', ts: t1 + HOUR, id: 'a2' }, // FIRST was shown an hour ago: blocked by the cooldown
      { user: 'a', event: 'x', ts: t1 + 25 * HOUR, id: 'a3' }, // shown
      { user: 'a', event: 'upgraded', ts: t1 + 26 * HOUR, properties: { plan: 'growth' }, id: 'a4' }, // not the goal's plan
      { user: 'a', event: 'upgraded', ts: t1 + 27 * HOUR, properties: { plan: 'pro' }, id: 'a5' }, // the goal, within 3 days
      { user: 'b', identify: { plan: 'starter' }, ts: FROM - DAY, id: 'b0' },
      { user: 'b', event: 'x', ts: t1, id: 'b1' }, // blocked, never reached
      { user: 'c', identify: { plan: 'starter' }, ts: FROM - DAY, id: 'c0' },
      { user: 'c', event: 'message_shown', ts: FROM - HOUR, properties: { message_id: 'first' }, id: 'c1' }, // FIRST already shown once
      { user: 'c', event: 'x', ts: t1 + 2 * HOUR, id: 'c2' }, // shown (the cooldown is over), no goal
      { user: 'c', event: 'upgraded', ts: t1 + 5 * DAY, properties: { plan: 'pro' }, id: 'c3' }, // too late for the goal
    ];
    const f = fixture(records, [FIRST], [seg('everyone'), seg('seg_draft')]);
    const workshops = f.deps.workshops;
    const ws = workshops.create({ title: 'Taskly', template: 'personas' });
    workshops.save({ ...workshops.get(ws.id), personas: [rulePersona('p1', 'Starters', seg('x', [{ type: 'trait', trait: 'plan', op: 'eq', value: 'starter' }]).rule)] });
    const result = messageBacktest(f.deps, SECOND, { weeks: WEEKS, others: f.others });
    expect(result.impressions).toBe(2);
    expect(result.usersReached).toBe(2);
    expect(result.impressionsPerWeek).toEqual([
      { weekStart: FROM, impressions: 2, users: 2 },
      { weekStart: FROM + 7 * DAY, impressions: 0, users: 0 },
    ]);
    expect(result.blocked).toEqual({
      users: 1,
      usersEver: 2,
      byMessage: [
        { messageId: 'first', name: 'First in line', reason: 'priority', users: 2, times: 2 },
        { messageId: 'first', name: 'First in line', reason: 'cooldown', users: 1, times: 1 },
      ],
    });
    expect(result.goal).toEqual({ event: 'upgraded', withinDays: 3, reached: 2, converted: 1, rate: 0.5, windowOpen: 0 });
    expect(result.personas).toEqual([{ label: 'Starters', users: 2 }]);
    // Every tracked event asks decide, the goal events too: a1-a5, b1, c2, c3.
    expect(result.replayed).toEqual({ users: 3, requests: 8 });
  });

  it('says where the history cannot answer: a page trigger without page views, and nothing to replay', () => {
    const records: TestRecord[] = [
      { user: 'a', identify: { plan: 'starter' }, ts: FROM - DAY, id: 'a0' },
      { user: 'a', event: 'x', ts: t1, id: 'a1' },
    ];
    const f = fixture(records, [], [seg('everyone'), seg('seg_draft')]);
    const onPage = { ...SECOND, trigger: { page: `${ORIGIN}/billing*` } };
    const result = messageBacktest(f.deps, onPage, { weeks: 1, others: [] });
    expect(result.impressions).toBe(0);
    expect(result.notes.join(' ')).toMatch(/needs page views|Nothing to replay/);
    expect(result.notes.join(' ')).toMatch(/warehouse/);
  });

  it('refuses weeks out of range and a draft that is not valid, naming the field', async () => {
    const f = fixture([], [], [seg('everyone'), seg('seg_draft')]);
    expect(await apiErrorOf(() => messageBacktest(f.deps, SECOND, { weeks: 0, others: [] }))).toMatchObject({ code: 'invalid_argument', message: expect.stringContaining('weeks') });
    expect(await apiErrorOf(() => messageBacktest(f.deps, { ...SECOND, rollout: 101 }, { weeks: 4, others: [] }))).toMatchObject({
      code: 'invalid_argument',
      message: expect.stringContaining('rollout'),
    });
  });
});

describe('guidepost message backtest', () => {
  const t1 = FROM + DAY;
  const everyone: Rule = { version: 1, match: 'all', conditions: [] };
  const first = modalDraft({ id: 'first', name: 'First in line', target: { type: 'segment', segmentId: 'everyone' }, trigger: { event: { name: 'x' } }, frequency: { once: true }, priority: 10, environment: 'production' });
  const draft = modalDraft({ id: 'second', name: 'Second', target: { type: 'segment', segmentId: 'everyone' }, trigger: { event: { name: 'x' } }, priority: 5, environment: 'production', goal: { event: 'upgraded', withinDays: 3 } });

  /** A cache file: the draft saved, "first" live (published), two users. */
  function cacheFile(): string {
    const cache = tempCache();
    buildWorld(cache.db, [
      { user: 'a', identify: { plan: 'starter' }, ts: FROM - DAY, id: 'a0' },
      { user: 'a', event: 'x', ts: t1, id: 'a1' },
      { user: 'a', event: 'x', ts: t1 + HOUR, id: 'a2' },
      { user: 'a', event: 'upgraded', ts: t1 + 2 * HOUR, id: 'a3' },
      { user: 'b', identify: { plan: 'starter' }, ts: FROM - DAY, id: 'b0' },
      { user: 'b', event: 'x', ts: t1 + 7 * DAY, id: 'b1' }, // blocked by "first", in the second week
    ]);
    // The cache's "data as of": the window ends there.
    createKvRepo(cache.db).set('data_as_of', String(t1 + 8 * DAY));
    new SegmentService(cache.db, () => 0).save({ id: 'everyone', name: 'Everyone', rule: everyone });
    recordPublishedExamples(cache.db, [{ message: first, targetName: 'Everyone', rule: everyone, at: FROM - 2 * DAY }]);
    createMessageStore(cache.db).save(draft, 'Everyone', FROM - 2 * DAY);
    cache.db.close();
    return cache.path;
  }

  async function cli(args: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runCli(args, { stdout: (t: string) => out.push(t), stderr: (t: string) => err.push(t) });
    return { code, out, err };
  }

  it('prints the backtest as JSON, instants as ISO text, and as lines of text', async () => {
    const file = cacheFile();
    const json = await cli(['message', 'backtest', 'second', '--weeks', '2', '--db', file, '--json']);
    expect(json.code, json.err.join('\n')).toBe(0);
    const data = JSON.parse(json.out[0] as string);
    const asOf = t1 + 8 * DAY;
    expect(data).toMatchObject({
      messageId: 'second',
      weeks: 2,
      window: { from: new Date(asOf - 14 * DAY).toISOString(), to: new Date(asOf).toISOString() },
      competitors: [{ id: 'first', name: 'First in line', priority: 10, kind: 'modal' }],
      impressions: 1,
      usersReached: 1,
      impressionsPerWeek: [
        { weekStart: new Date(asOf - 14 * DAY).toISOString(), impressions: 1, users: 1 },
        { weekStart: new Date(asOf - 7 * DAY).toISOString(), impressions: 0, users: 0 },
      ],
      blocked: { users: 1, usersEver: 2, byMessage: [{ messageId: 'first', name: 'First in line', reason: 'priority', users: 2, times: 2 }] },
      goal: { event: 'upgraded', withinDays: 3, reached: 1, converted: 1, rate: 1, windowOpen: 0 },
      replayed: { users: 2, requests: 4 },
      personas: [],
    });
    expect(data.notes.length).toBeGreaterThan(0);
    expect(typeof data.elapsedMs).toBe('number');

    const text = await cli(['message', 'backtest', 'second', '--weeks', '2', '--db', file]);
    expect(text.code).toBe(0);
    expect(text.out.join('\n')).toMatch(/1 impressions to 1 users/);
    expect(text.out.join('\n')).toMatch(/by first \(higher priority\): 2 users, 2 times/);
    expect(text.out.join('\n')).toMatch(/goal upgraded within 3 days: 1 of 1 reached users did it anyway \(100\.0%\)/);
  });

  it('refuses a bad --weeks, a missing id and an unknown message, saying which', async () => {
    const file = cacheFile();
    const weeks = await cli(['message', 'backtest', 'second', '--weeks', 'four', '--db', file]);
    expect(weeks.code).not.toBe(0);
    expect(weeks.err.join('\n')).toMatch(/--weeks must be a whole number from 1 to 26, not "four"/);
    const missing = await cli(['message', 'backtest', '--db', file]);
    expect(missing.err.join('\n')).toMatch(/name the message/);
    const unknown = await cli(['message', 'backtest', 'nope', '--db', file]);
    expect(unknown.code).not.toBe(0);
    expect(unknown.err.join('\n')).toMatch(/nope/);
  });
});

describe('the backtest in the app', () => {
  const everyone: Rule = { version: 1, match: 'all', conditions: [] };
  const draft = modalDraft({ id: 'many', name: 'Many users', target: { type: 'segment', segmentId: 'everyone' }, trigger: { event: { name: 'x' } }, environment: 'production' });
  const USERS = BACKTEST_CHUNK_USERS * 2 + 10;

  function manyUsers() {
    const cache = tempCache();
    const records: TestRecord[] = [];
    for (let i = 0; i < USERS; i++) {
      records.push({ user: `u${i}`, identify: { plan: 'starter' }, ts: FROM - DAY, id: `i${i}` });
      records.push({ user: `u${i}`, event: 'x', ts: FROM + DAY + i, id: `x${i}` });
    }
    buildWorld(cache.db, records);
    createKvRepo(cache.db).set('data_as_of', String(AS_OF));
    new SegmentService(cache.db, () => 0).save({ id: 'everyone', name: 'Everyone', rule: everyone });
    const jobs: JobInfo[] = [];
    const clock = { now: AS_OF };
    // Each job update moves the clock a second on, past the runner's throttle between two progress updates.
    const b = testBackend(cache, {
      clock: () => clock.now,
      emit: (name, payload) => {
        if (name !== 'job') return;
        jobs.push(payload as JobInfo);
        clock.now += 1000;
      },
    });
    return { b, jobs };
  }

  it('runs as a job whose progress counts the users replayed, and answers with the result', async () => {
    const { b, jobs } = manyUsers();
    const result = await b.handlers.messageBacktest({ message: draft, weeks: WEEKS });
    expect(result.usersReached).toBe(USERS);
    const mine = jobs.filter((j) => j.kind === 'backtest');
    expect(mine.at(-1)).toMatchObject({ state: 'done', title: 'Backtest of “Many users”', progress: { done: USERS, total: USERS, unit: 'users' } });
    // Progress arrived between chunks, before the end.
    expect(mine.some((j) => j.state === 'running' && j.progress.done > 0 && j.progress.done < USERS)).toBe(true);
    b.close();
  });

  it('stops when its job is cancelled, and says so', async () => {
    const { b, jobs } = manyUsers();
    const running = b.handlers.messageBacktest({ message: draft, weeks: WEEKS });
    const started = jobs.find((j) => j.kind === 'backtest');
    expect(started?.state).toBe('running');
    await b.handlers.cancelJob({ jobId: started?.id ?? '' });
    await expect(running).rejects.toMatchObject({ code: 'cancelled', message: 'Backtest of “Many users” was cancelled.' });
    expect(jobs.at(-1)).toMatchObject({ kind: 'backtest', state: 'cancelled' });
    expect(jobs.at(-1)?.progress.done).toBeLessThan(USERS);
    b.close();
  });

  it('refuses a draft that is not valid before any job starts', async () => {
    const { b, jobs } = manyUsers();
    await expect(b.handlers.messageBacktest({ message: { ...draft, priority: 'high' }, weeks: WEEKS })).rejects.toMatchObject({ code: 'invalid_argument' });
    expect(jobs.filter((j) => j.kind === 'backtest')).toEqual([]);
    b.close();
  });
});
