/**
 * Identity (docs/IMPORT.md, "Identity"): every record feeds identity_links; a record with a userId
 * and an anonymousId merges the anonymous user into the known one, an alias call merges two known
 * users, an anonymous id seen with two userIds stays with the first; after a merge every record of the
 * merged user counts as the survivor's everywhere (segments, user counts, the report, timelines,
 * message results, step 3), and the derived tables are brought up to date in place. Group calls make
 * accounts and membership. The fixture files are analytics.js-shaped records written here.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Db } from '../../src/main/db/connection';
import { listUsers, userTimeline } from '../../src/main/db/users-repo';
import { importFile, type ImportOptions } from '../../src/main/ingest/import-file';
import { prepareFast } from '../../src/main/ingest/parse/fast-record';
import { syncFromSource } from '../../src/main/ingest/sync';
import { ShapeNumbering } from '../../src/main/db/property-keys';
import type { MessageDeps } from '../../src/main/messages/audience';
import { messageResults } from '../../src/main/messages/results';
import { refreshEventSummary } from '../../src/main/segments/event-summary';
import { refreshPropertyValues } from '../../src/main/segments/property-values';
import { SegmentService } from '../../src/main/segments/service';
import { WorkshopService } from '../../src/main/workshops/service';
import { clearUsageCache, computeUsage } from '../../src/main/workshops/usage';
import type { Rule } from '../../src/shared/segments/rule';
import type { ImportSummary } from '../../src/shared/types';
import { useTempCache, useTempDir } from './helpers';
import { cacheContent, identityContent, importInChildProcess, kvValue, scalar, startExportServer, type ExportServer } from './ingest-helpers';
import { rulePersona } from './messages-helpers';

const tempCache = useTempCache();
const tempDir = useTempDir();

const T0 = Date.UTC(2026, 1, 2, 9);
const MIN = 60_000;
const DAY = 86_400_000;
const AS_OF = T0 + 10 * DAY;
const iso = (ts: number): string => new Date(ts).toISOString();

type Json = Record<string, unknown>;

/**
 * A record the way analytics.js sends it and archives keep it: keys in alphabetical order, a nested
 * context, integrations, originalTimestamp, sentAt and receivedAt beside timestamp.
 */
function record(type: string, messageId: string, ts: number, ids: { userId?: string; anonymousId?: string }, rest: Json = {}): Json {
  const body: Json = {
    ...(ids.anonymousId === undefined ? {} : { anonymousId: ids.anonymousId }),
    context: {
      ip: '203.0.113.7',
      library: { name: 'analytics.js', version: '4.1.0' },
      page: { path: '/pricing', referrer: '', title: 'Pricing', url: 'https://app.example/pricing' },
      userAgent: 'Mozilla/5.0 (X11; Linux x86_64)',
    },
    integrations: {},
    messageId,
    originalTimestamp: iso(ts),
    receivedAt: iso(ts + 150),
    sentAt: iso(ts + 100),
    timestamp: iso(ts),
    type,
    ...(ids.userId === undefined ? {} : { userId: ids.userId }),
    ...rest,
  };
  return Object.fromEntries(Object.entries(body).sort(([a], [b]) => (a < b ? -1 : 1)));
}

const pageView = (messageId: string, ts: number, ids: { userId?: string; anonymousId?: string }, path = '/pricing'): Json =>
  record('page', messageId, ts, ids, { name: 'Pricing', properties: { path, url: `https://app.example${path}` } });
const track = (messageId: string, ts: number, ids: { userId?: string; anonymousId?: string }, event: string, properties: Json = {}): Json =>
  record('track', messageId, ts, ids, { event, properties });
const identify = (messageId: string, ts: number, ids: { userId?: string; anonymousId?: string }, traits: Json): Json => record('identify', messageId, ts, ids, { traits });
const alias = (messageId: string, ts: number, previousId: string, userId: string): Json => record('alias', messageId, ts, { userId }, { previousId });
const group = (messageId: string, ts: number, ids: { userId?: string; anonymousId?: string }, groupId: string, traits: Json): Json =>
  record('group', messageId, ts, ids, { groupId, traits });

const ndjson = (records: Json[]): string => records.map((r) => JSON.stringify(r)).join('\n') + '\n';

function fileOf(records: Json[], name = 'events.ndjson'): string {
  const path = join(tempDir(), name);
  writeFileSync(path, ndjson(records));
  return path;
}

async function importRecords(db: Db, records: Json[], options: ImportOptions = {}): Promise<ImportSummary> {
  return importFile(db, fileOf(records), { clock: () => AS_OF, ...options });
}

/**
 * The visitor: three anonymous page views and an anonymous NPS answer, then an identify with both
 * ids, then a known-user event; a second user beside them.
 */
const VISITOR: Json[] = [
  pageView('pv-1', T0, { anonymousId: 'anon-1' }, '/'),
  pageView('pv-2', T0 + MIN, { anonymousId: 'anon-1' }, '/pricing'),
  pageView('pv-3', T0 + 2 * MIN, { anonymousId: 'anon-1' }, '/signup'),
  track('nps-1', T0 + 3 * MIN, { anonymousId: 'anon-1' }, 'survey_answered', { message_id: 'nps_q1', message_version: 1, survey: 'nps', score: 9, comment: 'Clear pricing' }),
  identify('id-1', T0 + 4 * MIN, { userId: 'user-1', anonymousId: 'anon-1' }, { plan: 'enterprise', name: 'Ann' }),
  track('tr-1', T0 + 5 * MIN, { userId: 'user-1', anonymousId: 'anon-1' }, 'report_run', { format: 'pdf' }),
  pageView('pv-9', T0 + 6 * MIN, { userId: 'user-2', anonymousId: 'anon-2' }, '/'),
  track('tr-9', T0 + 7 * MIN, { userId: 'user-2', anonymousId: 'anon-2' }, 'report_run', { format: 'csv' }),
];

const viewedThreePages: Rule = { version: 1, match: 'all', conditions: [{ type: 'event', event: 'page_viewed', op: '>=', count: 3 }] };
const viewedFourPages: Rule = { version: 1, match: 'all', conditions: [{ type: 'event', event: 'page_viewed', op: '>=', count: 4 }] };
const enterprise: Rule = { version: 1, match: 'all', conditions: [{ type: 'trait', trait: 'plan', op: 'eq', value: 'enterprise' }] };
const pdfReport: Rule = {
  version: 1,
  match: 'all',
  conditions: [
    { type: 'event', event: 'page_viewed', op: '>=', count: 1, where: [{ property: 'path', op: 'eq', value: '/pricing' }] },
    { type: 'event', event: 'report_run', op: '>=', count: 1, where: [{ property: 'format', op: 'eq', value: 'pdf' }] },
  ],
};

const userIds = (db: Db): string[] => db.prepare<[], string>('SELECT id FROM users ORDER BY id').pluck().all();
const linkOf = (db: Db, id: string): { user: string; known: number } | undefined =>
  db.prepare<[string], { user: string; known: number }>('SELECT u.id AS user, l.known FROM identity_links l JOIN users u USING (user_pk) WHERE l.id = ?').get(id);
const recordsOf = (db: Db, userId: string): string[] =>
  db.prepare<[string], string>('SELECT e.event_id FROM events e JOIN users u USING (user_pk) WHERE u.id = ? ORDER BY e.event_id').pluck().all(userId);

/** The derived tables by content, and the same recounted from the events (wiped and rebuilt). */
function derivedAgainstRebuild(db: Db, rules: Rule[]): { kept: unknown; rebuilt: unknown } {
  const content = (): unknown => ({
    summary: db.prepare('SELECT n.name, u.id, s.first_ts, s.last_ts, s.events FROM event_user_summary s JOIN users u USING (user_pk) JOIN event_names n USING (name_id) ORDER BY 1, 2').all(),
    values: db
      .prepare('SELECT n.name, v.key, v.value, u.id, v.ts, e.event_id FROM event_property_values v JOIN users u USING (user_pk) JOIN event_names n USING (name_id) JOIN events e USING (event_pk) ORDER BY 1, 2, 3, 4, 5, 6')
      .all(),
  });
  const refresh = (): void => {
    expect(refreshEventSummary(db)).toBe(true);
    for (const rule of rules) refreshPropertyValues(db, rule);
  };
  refresh();
  const kept = content();
  db.exec("DELETE FROM kv WHERE key = 'event_summary_through'; DELETE FROM event_property_values_through; DELETE FROM event_property_values; DELETE FROM event_user_summary");
  refresh();
  return { kept, rebuilt: content() };
}

describe('identity: an anonymous visitor who identifies', () => {
  it('becomes one user with every record: user count, report users, segments, timeline, message results', async () => {
    const { db } = tempCache();
    const summary = await importRecords(db, VISITOR);
    expect(summary).toMatchObject({ imported: 8, duplicates: 0, rejected: 0, users: 2 });
    expect(summary.details?.identityConflicts).toBeUndefined();
    expect(userIds(db)).toEqual(['user-1', 'user-2']);
    expect(recordsOf(db, 'user-1')).toEqual(['id-1', 'nps-1', 'pv-1', 'pv-2', 'pv-3', 'tr-1']);
    expect(linkOf(db, 'anon-1')).toEqual({ user: 'user-1', known: 0 });
    expect(linkOf(db, 'user-1')).toEqual({ user: 'user-1', known: 1 });
    expect(linkOf(db, 'anon-2')).toEqual({ user: 'user-2', known: 0 });
    // first seen is the first anonymous page view.
    expect(scalar(db, "SELECT first_seen FROM users WHERE id = 'user-1'")).toBe(T0);

    const segments = new SegmentService(db, () => AS_OF);
    expect(segments.count(viewedThreePages, AS_OF)).toBe(1);
    expect(segments.memberIds(viewedThreePages, AS_OF)).toEqual(['user-1']);
    expect(segments.memberIds(pdfReport, AS_OF)).toEqual(['user-1']);
    expect(segments.total(AS_OF)).toBe(2);

    const timeline = userTimeline(db, 'user-1', 50);
    expect(timeline?.entries.filter((e) => e.name === 'page_viewed').map((e) => e.id)).toEqual(['pv-3', 'pv-2', 'pv-1']);
    expect(timeline?.total).toBe(6);
    // The anonymous id names the same user.
    expect(userTimeline(db, 'anon-1', 50)?.user.id).toBe('user-1');
    expect(listUsers(db, { limit: 50, offset: 0 }).users.map((u) => u.id)).toEqual(['user-2', 'user-1']);

    // The anonymous NPS answer is the known user's: an enterprise user's comment.
    let now = AS_OF;
    const clock = (): number => (now += 1000);
    const service = new SegmentService(db, clock);
    const workshops = new WorkshopService(db, clock, service);
    service.save({ name: 'Enterprise', rule: enterprise });
    const w = workshops.create({ title: 'Acme', template: 'personas' });
    workshops.save({ ...w, personas: [rulePersona('p_big', 'Big spenders', enterprise)] });
    const deps: MessageDeps = { db, segments: service, workshops, asOf: AS_OF };
    const nps = messageResults(deps, 'nps_q1').nps;
    expect(nps?.comments).toEqual([expect.objectContaining({ userId: 'user-1', comment: 'Clear pricing', personas: ['Big spenders'] })]);
    expect(nps?.bySegment).toEqual([{ label: 'Enterprise', answers: 1, score: 100 }]);
  });

  it('a record with only the merged anonymousId, later, belongs to the survivor and never makes a user again', async () => {
    const { db } = tempCache();
    await importRecords(db, VISITOR);
    const summary = await importRecords(db, [pageView('pv-later', T0 + DAY, { anonymousId: 'anon-1' })]);
    expect(summary).toMatchObject({ imported: 1, users: 2 });
    expect(userIds(db)).toEqual(['user-1', 'user-2']);
    expect(recordsOf(db, 'user-1')).toContain('pv-later');
  });

  it('takes the fast path for records that carry both ids, linking the anonymousId', () => {
    const text = JSON.stringify(VISITOR[5]);
    const prepared = prepareFast(text, Buffer.byteLength(text), new ShapeNumbering(() => undefined));
    expect(prepared).toMatchObject({ userId: 'user-1', linkedId: 'anon-1', name: 'report_run' });
    const anonymous = JSON.stringify(track('t', T0, { anonymousId: 'anon-1' }, 'e'));
    expect(prepareFast(anonymous, Buffer.byteLength(anonymous), new ShapeNumbering(() => undefined))).toMatchObject({ userId: 'anon-1', anonymous: true });
  });
});

describe('identity: merge rules', () => {
  it('an alias call merges two known users (the userId survives, traits key by key, latest wins)', async () => {
    const { db } = tempCache();
    const summary = await importRecords(db, [
      identify('a-1', T0, { userId: 'old-id' }, { plan: 'free', company: 'Initech' }),
      track('a-2', T0 + MIN, { userId: 'old-id' }, 'report_run'),
      identify('b-1', T0 + 2 * MIN, { userId: 'new-id' }, { plan: 'pro' }),
      identify('a-3', T0 + 3 * MIN, { userId: 'old-id' }, { seats: 5 }),
      alias('al-1', T0 + 4 * MIN, 'old-id', 'new-id'),
    ]);
    expect(summary).toMatchObject({ imported: 4, duplicates: 0, rejected: 0, users: 1 });
    expect(summary.details?.identityCalls).toBe(1);
    expect(userIds(db)).toEqual(['new-id']);
    expect(recordsOf(db, 'new-id')).toEqual(['a-1', 'a-2', 'a-3', 'b-1']);
    expect(JSON.parse(scalar<string>(db, "SELECT traits FROM users WHERE id = 'new-id'"))).toEqual({ plan: 'pro', company: 'Initech', seats: 5 });
    expect(linkOf(db, 'old-id')).toEqual({ user: 'new-id', known: 1 });
  });

  it('two known users never merge without an alias, even through one anonymous id', async () => {
    const { db } = tempCache();
    const summary = await importRecords(db, [
      // In file order user-2's record comes first, but user-1's is the earlier instant: user-1 is the first.
      pageView('x-2', T0 + 2 * MIN, { userId: 'user-2', anonymousId: 'anon-x' }),
      pageView('x-0', T0, { anonymousId: 'anon-x' }),
      pageView('x-1', T0 + MIN, { userId: 'user-1', anonymousId: 'anon-x' }),
    ]);
    expect(summary).toMatchObject({ imported: 3, users: 2 });
    expect(summary.details?.identityConflicts).toBe(1);
    expect(linkOf(db, 'anon-x')?.user).toBe('user-1');
    expect(recordsOf(db, 'user-1')).toEqual(['x-0', 'x-1']);
    expect(recordsOf(db, 'user-2')).toEqual(['x-2']);

    // A later import cannot move it, however early its record: an existing link wins.
    const again = await importRecords(db, [pageView('x-3', T0 - DAY, { userId: 'user-3', anonymousId: 'anon-x' })]);
    expect(again.details?.identityConflicts).toBe(1);
    expect(linkOf(db, 'anon-x')?.user).toBe('user-1');
    expect(userIds(db)).toEqual(['user-1', 'user-2', 'user-3']);
  });

  it('the built CLI says what identity did, in its text and --json output', () => {
    const file = fileOf([
      pageView('c-1', T0 + MIN, { userId: 'user-1', anonymousId: 'anon-c' }),
      pageView('c-2', T0 + 2 * MIN, { userId: 'user-2', anonymousId: 'anon-c' }),
      group('c-3', T0 + 3 * MIN, { userId: 'user-1' }, 'acme', { plan: 'pro' }),
    ]);
    const cache = join(tempDir(), 'cli.db');
    const cli = (args: string[]): { status: number | null; stdout: string; stderr: string } =>
      spawnSync(process.execPath, ['out/main/cli.js', 'import', '--db', cache, file, ...args], { cwd: process.cwd(), encoding: 'utf8' });
    const text = cli([]);
    expect(text.status, text.stderr).toBe(0);
    expect(text.stdout).toContain('1 alias and group call was applied to identities and accounts (they store no event).');
    expect(text.stdout).toContain('1 anonymous id was seen with another userId than the user it stays with (the first linked)');
    const json = cli(['--json']);
    expect(JSON.parse(json.stdout)).toMatchObject({ imported: 0, duplicates: 2, details: { identityCalls: 1, identityConflicts: 1 } });
  });

  it('an import of the same file again changes nothing', async () => {
    const records = [...VISITOR, alias('al', T0 + 8 * MIN, 'user-2', 'user-1'), group('g', T0 + 9 * MIN, { anonymousId: 'anon-2' }, 'acme', { plan: 'pro' })];
    const { db } = tempCache();
    const path = fileOf(records);
    await importFile(db, path, { clock: () => AS_OF });
    const once = { content: cacheContent(db), identity: identityContent(db) };
    const second = await importFile(db, path, { clock: () => AS_OF });
    expect(second).toMatchObject({ imported: 0, duplicates: 8, users: 1 });
    expect(second.details?.identityCalls).toBe(2);
    expect({ content: cacheContent(db), identity: identityContent(db) }).toEqual(once);
  });
});

describe('identity: a merge across imports', () => {
  const FIRST: Json[] = [
    pageView('f-1', T0, { anonymousId: 'anon-1' }, '/pricing'),
    pageView('f-2', T0 + MIN, { anonymousId: 'anon-1' }, '/pricing'),
    pageView('f-3', T0 + 2 * MIN, { anonymousId: 'anon-1' }, '/docs'),
    track('f-4', T0 + 3 * MIN, { userId: 'user-1' }, 'report_run', { format: 'pdf' }),
    track('f-5', T0 + 4 * MIN, { userId: 'user-1' }, 'report_run', { format: 'csv' }),
    pageView('f-6', T0 + 5 * MIN, { userId: 'user-1' }, '/pricing'),
    pageView('f-7', T0 + 6 * MIN, { userId: 'user-2' }, '/pricing'),
    group('f-8', T0 + 7 * MIN, { anonymousId: 'anon-1' }, 'acme', { plan: 'enterprise', employees: 30 }),
    group('f-9', T0 + 8 * MIN, { userId: 'user-1' }, 'acme', { employees: 32 }),
  ];
  const SECOND: Json[] = [identify('s-1', T0 + DAY, { userId: 'user-1', anonymousId: 'anon-1' }, { name: 'Ann' })];

  for (const mode of ['bulk', 'indexed'] as const) {
    it(`brings the derived tables up to date in place, as a rebuild would count them (${mode} writer)`, async () => {
      const { db } = tempCache();
      await importRecords(db, FIRST, { mode });
      const segments = new SegmentService(db, () => AS_OF);
      // Counting builds the summary and the property values.
      expect(segments.count(pdfReport, AS_OF)).toBe(1);
      expect(segments.count(viewedFourPages, AS_OF)).toBe(0);
      expect(scalar(db, 'SELECT count(*) FROM event_property_values')).toBeGreaterThan(0);

      const summary = await importRecords(db, SECOND, { mode });
      expect(summary.users).toBe(2);
      // The merge kept what was built (the old trigger wiped it all on a user_pk rewrite).
      expect(kvValue(db, 'event_summary_through')).toBeDefined();
      expect(scalar(db, 'SELECT count(*) FROM event_property_values_through')).toBeGreaterThan(0);
      expect(segments.memberIds(viewedFourPages, AS_OF)).toEqual(['user-1']);
      expect(segments.memberIds(pdfReport, AS_OF)).toEqual(['user-1']);
      const { kept, rebuilt } = derivedAgainstRebuild(db, [pdfReport, viewedFourPages]);
      expect(kept).toEqual(rebuilt);
    });
  }

  it('a group call with both ids links them like any record', async () => {
    const { db } = tempCache();
    await importRecords(db, [pageView('g-1', T0, { anonymousId: 'anon-g' }), group('g-2', T0 + MIN, { userId: 'user-g', anonymousId: 'anon-g' }, 'acme', {})]);
    expect(userIds(db)).toEqual(['user-g']);
    expect(recordsOf(db, 'user-g')).toEqual(['g-1']);
  });

  it('group calls make the account (traits merged, first and last seen) and membership, which follows a merge', async () => {
    const { db } = tempCache();
    const first = await importRecords(db, FIRST);
    expect(first.details?.identityCalls).toBe(2);
    expect(identityContent(db)).toMatchObject({
      accounts: [{ group_id: 'acme', traits: JSON.stringify({ plan: 'enterprise', employees: 32 }), first_seen: T0 + 7 * MIN, last_seen: T0 + 8 * MIN }],
      members: [
        { user: 'anon-1', group_id: 'acme', since: T0 + 7 * MIN },
        { user: 'user-1', group_id: 'acme', since: T0 + 8 * MIN },
      ],
    });
    await importRecords(db, SECOND);
    expect(identityContent(db)).toMatchObject({ members: [{ user: 'user-1', group_id: 'acme', since: T0 + 7 * MIN }] });
  });

  it("step 3's figures follow a merge", async () => {
    const { db } = tempCache();
    await importRecords(db, FIRST);
    let now = AS_OF;
    const clock = (): number => (now += 1000);
    const segments = new SegmentService(db, clock);
    const workshops = new WorkshopService(db, clock, segments);
    const created = workshops.create({ title: 'Acme', template: 'personas' });
    workshops.save({ ...created, personas: [rulePersona('p_pages', 'Page readers', viewedThreePages)] });
    const workshop = workshops.get(created.id);
    const before = computeUsage(db, segments, workshop, AS_OF);
    await importRecords(db, SECOND);
    const after = computeUsage(db, segments, workshop, AS_OF);
    clearUsageCache(db);
    const cold = computeUsage(db, segments, workshop, AS_OF);
    const figures = ({ computeMs: _ms, ...rest }: ReturnType<typeof computeUsage>): unknown => rest;
    expect(figures(after)).toEqual(figures(cold));
    // The anonymous page reader is the known user now: one user fewer, and the reader ran the key action.
    expect(before).toMatchObject({ total: 3, personas: [{ users: 1, activated: 0 }] });
    expect(after).toMatchObject({ total: 2, personas: [{ users: 1, activated: 1 }] });
  });
});

describe('identity: the parser threads and sync', () => {
  /** Many visitors, each anonymous first and identified later, spread over a file the threads split. */
  function visitors(count: number): Json[] {
    const records: Json[] = [];
    for (let v = 0; v < count; v++) {
      records.push(pageView(`v${v}-p1`, T0 + v * MIN, { anonymousId: `anon-${v}` }));
      records.push(pageView(`v${v}-p2`, T0 + v * MIN + 1, { anonymousId: `anon-${v}` }, '/docs'));
    }
    for (let v = 0; v < count; v++) {
      records.push(identify(`v${v}-id`, T0 + DAY + v * MIN, { userId: `user-${v}`, anonymousId: `anon-${v}` }, { plan: v % 2 === 0 ? 'pro' : 'free' }));
      if (v % 10 === 0) records.push(group(`v${v}-g`, T0 + DAY + v * MIN + 1, { userId: `user-${v}` }, `acct-${v % 3}`, { tier: v }));
    }
    return records;
  }

  it('the parser-thread path (two threads, fast and general records) merges as the inline path does', async () => {
    const records = visitors(400);
    const text = ndjson(records);
    const { summary, read } = importInChildProcess(tempDir(), 'visitors.ndjson', text, { PARSER_RANGE_BYTES: '16384', IMPORT_CLOCK: String(AS_OF) }, (db) => ({
      content: cacheContent(db),
      identity: identityContent(db),
    }));
    expect(summary).toMatchObject({ imported: 1200, rejected: 0, users: 400 });
    const { db } = tempCache();
    await importRecords(db, records);
    expect(read).toEqual({ content: cacheContent(db), identity: identityContent(db) });
    expect(recordsOf(db, 'user-7')).toEqual(['v7-id', 'v7-p1', 'v7-p2']);
  });

  it('links written early (a file with more ids than the writer holds) end at their survivors all the same', async () => {
    const records = [...visitors(40), alias('al', T0 + 2 * DAY, 'user-3', 'user-4'), pageView('x-1', T0 + 3 * DAY, { userId: 'user-5', anonymousId: 'anon-6' })];
    const { db } = tempCache();
    const held = await importRecords(db, records);
    const other = tempCache('small.db').db;
    const early = await importRecords(other, records, { identityLinksLimit: 3 });
    expect(early).toMatchObject({ imported: held.imported, users: held.users, details: held.details });
    expect(early.details?.identityConflicts).toBe(1);
    expect({ content: cacheContent(other), identity: identityContent(other) }).toEqual({ content: cacheContent(db), identity: identityContent(db) });
  });

  let server: ExportServer | null = null;
  afterEach(async () => {
    await server?.close();
    server = null;
  });

  it('sync takes group calls in the Segment shape and merges through the same writer', async () => {
    const records = visitors(30);
    server = await startExportServer({ records, token: 'tok' });
    const { db } = tempCache();
    const synced = await syncFromSource(db, { source: server.url, token: 'tok', pageSize: 7, sleep: async () => undefined, random: () => 0.5 });
    expect(synced).toMatchObject({ fetched: records.length, imported: 90, rejected: 0, identityCalls: 3 });
    const other = tempCache('other.db').db;
    await importRecords(other, records);
    expect({ content: cacheContent(db), identity: identityContent(db) }).toEqual({ content: cacheContent(other), identity: identityContent(other) });
  });
});

describe('identity: a parser thread\'s batches', () => {
  it('carry each record\'s anonymousId in the user dictionary, across the dictionary starting over', async () => {
    const { BatchBuilder } = await import('../../src/main/ingest/parse/batch-builder');
    const { fastRecord, nextBackslashIn, prepareFastAt } = await import('../../src/main/ingest/parse/fast-record');
    const shapes = new ShapeNumbering(() => undefined);
    const builder = new BatchBuilder();
    // More ids than a thread's dictionary holds at once: 180,000 users, one record each.
    const users = 60_000;
    const expected: [string, string][] = [];
    // The writer's side: dictionary numbers → ids, started over as the thread says.
    let ids: string[] = [];
    const got: [string, string][] = [];
    let restarts = 0;
    const takeBatch = (): void => {
      const { message } = builder.take([], 0, 0, 0);
      if (message.usersRestarted) {
        ids = [];
        restarts += 1;
      }
      ids.push(...message.newUsers);
      for (let i = 0; i < message.users.length; i++) got.push([ids[message.users[i] as number] as string, ids[message.linked[i] as number] as string]);
    };
    for (let round = 0; round < 3; round++) {
      const lines: string[] = [];
      for (let u = 0; u < users; u++) {
        // One anonymous id shared by every user (a kiosk): its number, kept per user, must never outlive its dictionary.
        const anonymousId = 'anon-kiosk';
        lines.push(JSON.stringify({ anonymousId, messageId: `m-${round}-${u}`, timestamp: iso(T0 + u), type: 'track', event: 'e', userId: `user-${round}-${u}` }));
        expected.push([`user-${round}-${u}`, anonymousId]);
      }
      const chunk = lines.join('\n');
      builder.useChunk(chunk, Buffer.from(chunk, 'latin1'), true);
      let start = 0;
      // No backslash anywhere: looked for once, as the parser threads do.
      const backslash = nextBackslashIn(chunk, 0);
      for (const line of lines) {
        const end = start + line.length;
        expect(prepareFastAt(chunk, start, end, shapes, backslash)).toBe(true);
        builder.addFast(fastRecord, start, end, 1);
        if (builder.full) takeBatch();
        start = end + 1;
      }
    }
    takeBatch();
    expect(restarts).toBeGreaterThanOrEqual(1);
    expect(got).toEqual(expected);
  });
});
