import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createBackend } from '../../src/main/api';
import type { Db } from '../../src/main/db/connection';
import { importFile } from '../../src/main/ingest/import-file';
import { syncFromSource, type SyncOptions } from '../../src/main/ingest/sync';
import { apiErrorOf, useTempCache, useTempDir } from './helpers';
import {
  cacheContent,
  counts,
  cursorFor,
  exportRecord,
  kvValue,
  scalar,
  startExportServer,
  type ExportServer,
  type ExportServerOptions,
  type Fault,
} from './ingest-helpers';

const tempCache = useTempCache();
const tempDir = useTempDir();
const TOKEN = 'test-token-123';

const servers: ExportServer[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await server.close();
});

async function serve(options: Partial<ExportServerOptions> & { records: Record<string, unknown>[] }): Promise<ExportServer> {
  const server = await startExportServer({ token: TOKEN, ...options });
  servers.push(server);
  return server;
}

const records = (from: number, to: number): Record<string, unknown>[] =>
  Array.from({ length: to - from }, (_, k) => exportRecord(from + k));

/** Fast, deterministic sync options; `sleeps` collects every wait the sync asked for. */
function fast(server: ExportServer, extra: Partial<SyncOptions> = {}): SyncOptions & { sleeps: number[] } {
  const sleeps: number[] = [];
  return {
    source: server.url,
    token: TOKEN,
    sleep: async (ms: number) => {
      sleeps.push(ms);
    },
    random: () => 0.5,
    sleeps,
    ...extra,
  };
}

function lastReport(db: Db): Record<string, unknown> {
  return db.prepare('SELECT * FROM import_reports ORDER BY id DESC LIMIT 1').get() as Record<string, unknown>;
}

describe('syncFromSource against a loopback events export', () => {
  it('a full sync imports everything in ceil(N/limit) pages and stores the cursor', async () => {
    const { db, path } = tempCache();
    const N = 1234;
    const server = await serve({ records: records(0, N) });
    const summary = await syncFromSource(db, { ...fast(server), pageSize: 100 });
    expect(summary).toMatchObject({ fetched: N, imported: N, duplicates: 0, rejected: 0, pages: Math.ceil(N / 100) });
    expect(server.requests).toHaveLength(13);
    expect(server.requests.every((r) => r.authorized && r.limit === 100)).toBe(true);
    // Each request started where the previous page ended.
    expect(server.requests.map((r) => r.position)).toEqual(Array.from({ length: 13 }, (_, k) => k * 100));
    expect(kvValue(db, 'sync_cursor')).toBe(cursorFor(N));
    expect(kvValue(db, 'sync_source')).toBe(server.url);

    const identifies = server.records.filter((r) => r.type === 'identify').length;
    expect(identifies).toBeGreaterThan(100);
    expect(counts(db)).toMatchObject({ records: N, events: N - identifies, users: 37 });
    // Traits came through the identify calls: the latest one per key wins.
    const lastIdentify = [...server.records].reverse().find((r) => r.type === 'identify' && r.userId === 'user-0') as {
      traits: Record<string, unknown>;
    };
    expect(JSON.parse(scalar<string>(db, "SELECT traits FROM users WHERE id = 'user-0'"))).toEqual(lastIdentify.traits);

    const { handlers } = createBackend({ db, path });
    expect((await handlers.getSyncState({})).cursor).toBe(cursorFor(N));
    expect((await handlers.getStatus({})).dataAsOfSource).toBe('sync');
    expect(lastReport(db)).toMatchObject({ kind: 'sync', state: 'done', imported: N, source: server.url });
  });

  it('an exact multiple of the page size takes exactly N/limit pages', async () => {
    const { db } = tempCache();
    const server = await serve({ records: records(0, 300) });
    expect(await syncFromSource(db, { ...fast(server), pageSize: 100 })).toMatchObject({ fetched: 300, imported: 300, pages: 3 });
  });

  it('the server may return fewer events than asked: the sync follows hasMore, not the page size', async () => {
    const { db } = tempCache();
    const server = await serve({ records: records(0, 250), maxPage: 40 });
    const summary = await syncFromSource(db, { ...fast(server), pageSize: 100 });
    expect(summary).toMatchObject({ fetched: 250, imported: 250, pages: 7 });
  });

  it('a later sync receives only the records appended since, from the stored cursor', async () => {
    const { db } = tempCache();
    const server = await serve({ records: records(0, 250) });
    expect(await syncFromSource(db, { ...fast(server), pageSize: 100 })).toMatchObject({ imported: 250, pages: 3 });

    // Nothing new: one empty page.
    const idle = await syncFromSource(db, { ...fast(server), pageSize: 100 });
    expect(idle).toMatchObject({ fetched: 0, imported: 0, duplicates: 0, pages: 1 });

    server.records.push(...records(250, 370));
    const before = server.requests.length;
    const more = await syncFromSource(db, { ...fast(server), pageSize: 100 });
    expect(more).toMatchObject({ fetched: 120, imported: 120, duplicates: 0, rejected: 0, pages: 2 });
    expect(server.requests[before]?.position).toBe(250);
    expect(kvValue(db, 'sync_cursor')).toBe(cursorFor(370));
    expect(counts(db).records).toBe(370);
  });

  it('a different source starts from its own beginning, and what it repeats dedupes', async () => {
    const { db } = tempCache();
    const a = await serve({ records: records(0, 200) });
    await syncFromSource(db, { ...fast(a), pageSize: 100 });
    const b = await serve({ records: records(0, 260) });
    const summary = await syncFromSource(db, { ...fast(b), pageSize: 100 });
    expect(b.requests[0]?.position).toBe(0);
    expect(summary).toMatchObject({ fetched: 260, imported: 60, duplicates: 200 });
    expect(kvValue(db, 'sync_source')).toBe(b.url);
    expect(counts(db).records).toBe(260);
  });

  it('import then sync of overlapping records never doubles (with and without messageIds)', async () => {
    const { db } = tempCache();
    const all = records(0, 400);
    expect(all.filter((r) => r.messageId === undefined).length).toBeGreaterThan(20);
    const file = join(tempDir(), 'export.ndjson');
    writeFileSync(file, all.slice(0, 250).map((r) => JSON.stringify(r)).join('\n') + '\n');
    expect(await importFile(db, file)).toMatchObject({ imported: 250, duplicates: 0 });

    const server = await serve({ records: all });
    const summary = await syncFromSource(db, { ...fast(server), pageSize: 100 });
    expect(summary).toMatchObject({ fetched: 400, imported: 150, duplicates: 250, rejected: 0, pages: 4 });
    expect(counts(db).records).toBe(400);
    expect(scalar(db, 'SELECT count(DISTINCT event_id) FROM events')).toBe(400);

    // And the other way round: a sync, then an import of the same records, adds nothing.
    const other = tempCache('other.db');
    await syncFromSource(other.db, { ...fast(server), pageSize: 100 });
    expect(await importFile(other.db, file)).toMatchObject({ imported: 0, duplicates: 250 });
    expect(cacheContent(other.db)).toEqual(cacheContent(db));
  });

  it('a record the server sends that does not validate is rejected, not retried', async () => {
    const { db } = tempCache();
    const list = records(0, 150);
    list[120] = { type: 'alias', userId: 'x', timestamp: new Date().toISOString() };
    const server = await serve({ records: list });
    const options = fast(server, { pageSize: 100 });
    const summary = await syncFromSource(db, options);
    expect(summary).toMatchObject({ fetched: 150, imported: 149, rejected: 1, pages: 2 });
    expect(options.sleeps).toEqual([]);
    expect(JSON.parse(lastReport(db).errors as string)).toEqual([{ line: 121, reason: 'alias call without a previousId', excerpt: JSON.stringify(list[120]) }]);
  });
});

describe('syncFromSource: the property-key catalog', () => {
  it("lists only keys of stored events: a duplicate's other properties are not catalogued", async () => {
    const { db, path } = tempCache();
    const first = { type: 'track', event: 'export', userId: 'u1', timestamp: '2025-01-06T09:00:00.000Z', messageId: 'dup', properties: { format: 'pdf' } };
    const again = { ...first, timestamp: '2025-01-07T09:00:00.000Z', properties: { format: 3, rows: 10 } };
    const server = await serve({ records: [first, again] });
    expect(await syncFromSource(db, fast(server))).toMatchObject({ imported: 1, duplicates: 1 });
    const catalog = await createBackend({ db, path }).handlers.listEventCatalog({});
    expect(catalog).toHaveLength(1);
    expect(catalog[0]?.properties).toEqual([{ key: 'format', types: ['string'] }]);
  });
});

describe('syncFromSource: failures and retries', () => {
  it('retries 500, 429 (Retry-After: 0), a cut-off body and a body that is not a page, then completes exactly', async () => {
    const { db } = tempCache();
    const N = 300;
    const faults = new Map<number, Fault[]>([[100, ['status500', 'status429', 'cutOff', 'notAPage']]]);
    // The cache as each request for the second page finds it.
    const seen: { fault: Fault | null; records: number; cursor: string | undefined; inTransaction: boolean }[] = [];
    const server = await serve({
      records: records(0, N),
      faults,
      onRequest: (request) => {
        if (request.position === 100) {
          seen.push({ fault: request.fault, records: counts(db).records, cursor: kvValue(db, 'sync_cursor'), inTransaction: db.inTransaction });
        }
      },
    });
    const options = fast(server, { pageSize: 100 });
    const summary = await syncFromSource(db, options);
    expect(summary).toMatchObject({ fetched: N, imported: N, duplicates: 0, rejected: 0, pages: 3 });
    expect(counts(db).records).toBe(N);
    expect(server.requests).toHaveLength(3 + 4);
    // Every attempt at page two found page one committed and nothing of page two: the failed answers
    // (including the half body and the JSON that is not a page) were never committed.
    expect(seen).toEqual(
      (['status500', 'status429', 'cutOff', 'notAPage', null] as const).map((fault) => ({
        fault,
        records: 100,
        cursor: cursorFor(100),
        inTransaction: false,
      })),
    );
    // Exponential backoff with full jitter (random() = 0.5): 500 ms base, doubling.
    expect(options.sleeps).toEqual([250, 500, 1000, 2000]);
    expect(kvValue(db, 'sync_cursor')).toBe(cursorFor(N));
    expect(lastReport(db)).toMatchObject({ state: 'done', imported: N });
  });

  it('honours a Retry-After longer than the backoff', async () => {
    const { db } = tempCache();
    const server = await serve({ records: records(0, 50), faults: new Map<number, Fault[]>([[0, ['status429']]]), retryAfter: '7' });
    const options = fast(server);
    expect(await syncFromSource(db, options)).toMatchObject({ imported: 50, pages: 1 });
    expect(options.sleeps).toEqual([7000]);
  });

  it('401 stops at once, with a message about the token, and no retry', async () => {
    const { db } = tempCache();
    const server = await serve({ records: records(0, 100) });
    const options = fast(server, { token: 'wrong-token', pageSize: 50 });
    const err = await apiErrorOf(syncFromSource(db, options));
    expect(err.code).toBe('invalid_argument');
    expect(err.message).toMatch(/401/);
    expect(err.message).toMatch(/token/i);
    expect(server.requests).toHaveLength(1);
    expect(server.requests[0]?.authorized).toBe(false);
    expect(options.sleeps).toEqual([]);
    expect(counts(db).records).toBe(0);
    expect(kvValue(db, 'sync_cursor')).toBeUndefined();
    expect(lastReport(db)).toMatchObject({ kind: 'sync', state: 'failed' });
    expect(db.inTransaction).toBe(false);
  });

  it('a network error is retried up to maxAttempts, then an ApiError; what was synced before is kept and resumes', async () => {
    const { db } = tempCache();
    const all = records(0, 500);
    // The server goes away when asked for the third page: the connection drops, then nothing listens.
    const server = await serve({ records: all, faults: new Map<number, Fault[]>([[200, ['closeServer']]]) });
    const options = fast(server, { pageSize: 100, maxAttempts: 4 });
    const err = await apiErrorOf(syncFromSource(db, options));
    // 'unavailable' where the code has it (offline is a normal state), 'internal' before.
    expect(['unavailable', 'internal']).toContain(err.code);
    expect(err.message).toMatch(/after 4 attempts/);
    expect(err.message).toMatch(/kept/);
    expect(options.sleeps).toHaveLength(3);
    expect(counts(db).records).toBe(200);
    expect(kvValue(db, 'sync_cursor')).toBe(cursorFor(200));
    expect(lastReport(db)).toMatchObject({ state: 'failed', imported: 200 });
    expect(db.inTransaction).toBe(false);

    // The server comes back on the same address: the next sync resumes at the cursor.
    const back = await serve({ records: all, port: server.port });
    expect(back.url).toBe(server.url);
    const summary = await syncFromSource(db, fast(back, { pageSize: 100 }));
    expect(back.requests[0]?.position).toBe(200);
    expect(summary).toMatchObject({ fetched: 300, imported: 300, duplicates: 0, pages: 3 });
    expect(counts(db).records).toBe(500);
  });

  it('a source that never answers at all fails after maxAttempts with nothing written', async () => {
    const { db } = tempCache();
    const server = await serve({ records: [] });
    const url = server.url;
    await server.close();
    const sleeps: number[] = [];
    const err = await apiErrorOf(
      syncFromSource(db, { source: url, token: TOKEN, maxAttempts: 3, sleep: async (ms) => void sleeps.push(ms), random: () => 0.5 }),
    );
    expect(err.message).toMatch(/after 3 attempts: cannot reach/);
    expect(sleeps).toEqual([250, 500]);
    expect(counts(db).records).toBe(0);
  });
});
