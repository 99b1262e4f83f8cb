import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { syncFromSource } from '../../src/main/ingest/sync';
import { MAX_RECORD_BYTES, normalizeRecord } from '../../src/shared/event-spec';
import { useTempCache, useTempDir } from './helpers';
import { ADMIN_TOKEN, T0, trackCall, SERVER_ENGINES, useDeliveryServer, type Running } from './delivery-helpers';
import { counts, exportRecord, scalar } from './ingest-helpers';

interface Exported {
  type: string;
  messageId: string;
  userId: string;
  event?: string;
  traits?: Record<string, unknown>;
  properties?: Record<string, unknown>;
  timestamp: string;
}

describe.each(SERVER_ENGINES)('on %s', (engine) => {
  const start = useDeliveryServer(engine);
  const tempCache = useTempCache();
  const tempDir = useTempDir();

  async function exportAll(r: Running, limit = 1000): Promise<{ events: Exported[]; pages: number }> {
    const events: Exported[] = [];
    let after: string | null = null;
    let pages = 0;
    for (;;) {
      const query: string = `?limit=${limit}${after === null ? '' : `&after=${encodeURIComponent(after)}`}`;
      const reply = await r.admin('GET', `/v1/events${query}`);
      expect(reply.status).toBe(200);
      pages += 1;
      events.push(...(reply.json.events as Exported[]));
      after = reply.json.next as string;
      if (!reply.json.hasMore) return { events, pages };
    }
  }

  describe('identify and track', () => {
    it('store records, dedupe by messageId within and across batches, and report rejections per event', async () => {
      const r = await start();
      const batch = [
        trackCall('u1', 'report_run', T0, { format: 'pdf' }),
        { type: 'track', event: 'report_run', userId: 'u1', messageId: 'dup-1', timestamp: '2026-06-01T08:00:00Z' },
        { type: 'track', event: 'report_run', userId: 'u1', messageId: 'dup-1', timestamp: '2026-06-01T08:00:00Z' },
        { type: 'track', userId: 'u1', timestamp: '2026-06-01T08:00:00Z' },
        { type: 'alias', userId: 'u1', previousId: 'x' },
        { type: 'track', event: 'x', timestamp: '2026-06-01T08:00:00Z' },
        'not an object',
        { type: 'track', event: 'big', userId: 'u1', properties: { blob: 'x'.repeat(MAX_RECORD_BYTES) } },
        { type: 'track', event: 'x', userId: 'u1', timestamp: 'yesterday' },
        { type: 'track', event: 'x', userId: 'u1', timestamp: Date.UTC(10000, 0, 1) },
        { type: 'page', userId: 'u1', name: 'Pricing', properties: { path: '/pricing' }, timestamp: '2026-06-01T08:30:00+01:00' },
      ];
      const reply = await r.track(batch);
      expect(reply.status).toBe(200);
      expect(reply.json.accepted).toBe(3);
      expect(reply.json.duplicates).toBe(1);
      expect(reply.json.rejected.map((x: { index: number }) => x.index)).toEqual([3, 4, 5, 6, 7, 8, 9]);
      const reasons = reply.json.rejected.map((x: { reason: string }) => x.reason).join('\n');
      expect(reasons).toMatch(/track call without an event name/);
      expect(reasons).toMatch(/unsupported type "alias"/);
      expect(reasons).toMatch(/missing user/);
      expect(reasons).toMatch(/not a JSON object/);
      expect(reasons).toMatch(/more than the 32768-byte limit/);
      expect(reasons).toMatch(/not ISO 8601/);
      expect(reasons).toMatch(/outside the years 0000 to 9999/);
      // The same batch again: all duplicates.
      const again = await r.track(batch);
      expect(again.json).toMatchObject({ accepted: 0, duplicates: 4 });
      expect((await exportAll(r)).events).toHaveLength(3);
    });

    it('a record without a timestamp happened when it arrived (the server clock)', async () => {
      const r = await start();
      r.clock.advance(12_345);
      await r.track([{ type: 'track', event: 'opened', userId: 'u1', messageId: 'a' }]);
      await r.client('POST', '/v1/identify', { userId: 'u1', traits: { plan: 'pro' } });
      const { events } = await exportAll(r);
      expect(events.map((e) => e.timestamp)).toEqual([new Date(T0 + 12_345).toISOString(), new Date(T0 + 12_345).toISOString()]);
    });

    it("an un-timestamped SDK message takes originalTimestamp, corrected by this server's arrival minus sentAt (issue 15)", async () => {
      const r = await start();
      r.clock.advance(60_000);
      const arrival = T0 + 60_000;
      await r.track([
        // The device's clock runs 5 minutes behind: it sent at arrival − 5 min by its own clock.
        { type: 'track', event: 'skewed', userId: 'u1', messageId: 's', originalTimestamp: new Date(arrival - 305_000).toISOString(), sentAt: new Date(arrival - 300_000).toISOString() },
        // Without sentAt there is nothing to correct by.
        { type: 'track', event: 'plain', userId: 'u1', messageId: 'p', originalTimestamp: '2026-01-02T03:04:05Z' },
        // A client's receivedAt is a claim: the server's own arrival replaces it.
        { type: 'track', event: 'claimed', userId: 'u1', messageId: 'c', receivedAt: '2020-01-01T00:00:00Z' },
      ]);
      const { events } = await exportAll(r);
      const at = Object.fromEntries(events.map((e) => [e.event, e.timestamp]));
      expect(at).toEqual({ skewed: new Date(arrival - 5_000).toISOString(), plain: '2026-01-02T03:04:05.000Z', claimed: new Date(arrival).toISOString() });
      const bad = await r.track([{ type: 'track', event: 'x', userId: 'u1', originalTimestamp: 'soon' }]);
      expect(bad.json.rejected[0].reason).toMatch(/originalTimestamp: .*"soon".*\(time fields: originalTimestamp\)/);
    });

    it('identify validates its body and dedupes by messageId', async () => {
      const r = await start();
      expect((await r.client('POST', '/v1/identify', { traits: {} })).status).toBe(400);
      expect((await r.client('POST', '/v1/identify', { userId: 'u1', traits: [1] })).json.error).toMatch(/traits must be a JSON object/);
      expect((await r.client('POST', '/v1/identify', { userId: 'u1', traits: {}, timestamp: 'soon' })).json.error).toMatch(/not ISO 8601/);
      // A trait named __proto__ is data, never a prototype.
      const body = `{"userId": 42, "traits": {"plan": "pro", "__proto__": {"admin": true}}, "messageId": "id-1", "timestamp": ${T0}}`;
      expect((await r.client('POST', '/v1/identify', body)).json).toEqual({ accepted: 1, duplicates: 0 });
      expect((await r.client('POST', '/v1/identify', body)).json).toEqual({ accepted: 0, duplicates: 1 });
      const reply = await r.admin('GET', '/v1/events');
      expect(reply.text).toBe(
        `{"events":[{"type":"identify","messageId":"id-1","userId":"42","traits":{"plan":"pro","__proto__":{"admin":true}},"timestamp":"${new Date(T0).toISOString()}"}],"next":"1","hasMore":false}`,
      );
      await r.publish('admins', { rule: { version: 1, match: 'all', conditions: [{ type: 'trait', trait: 'admin', op: 'eq', value: true }] } });
      await r.publish('proto', { kind: 'nps', rule: { version: 1, match: 'all', conditions: [{ type: 'trait', trait: '__proto__', op: 'exists' }] } });
      expect(await r.decideIds('42')).toEqual(['proto']);
    });
  });

  describe('the events export', () => {
    it('pages through every record in ingestion order, identify calls included, with next and hasMore', async () => {
      const r = await start();
      // Ingestion order differs from timestamp order on purpose.
      const records = Array.from({ length: 250 }, (_, i) => exportRecord(249 - i));
      for (let i = 0; i < records.length; i += 60) {
        expect((await r.track(records.slice(i, i + 60))).json.rejected).toEqual([]);
      }
      const first = await r.admin('GET', '/v1/events?limit=100');
      expect(first.json.events).toHaveLength(100);
      expect(first.json.hasMore).toBe(true);
      expect(typeof first.json.next).toBe('string');

      const { events, pages } = await exportAll(r, 100);
      expect(pages).toBe(3);
      expect(events).toHaveLength(250);
      const expectedIds = records.map((raw) => {
        const n = normalizeRecord(raw);
        if (!n.ok) throw new Error(n.reason);
        return n.record.id;
      });
      expect(events.map((e) => e.messageId)).toEqual(expectedIds);
      expect(events.filter((e) => e.type === 'identify').length).toBe(records.filter((x) => x.type === 'identify').length);
      expect(events.filter((e) => e.type === 'page').length).toBe(records.filter((x) => x.type === 'page').length);
      // Each exported record normalizes to exactly what was received.
      events.forEach((e, i) => {
        const a = normalizeRecord(e);
        const b = normalizeRecord(records[i]);
        expect(a.ok && b.ok && a.record).toEqual(b.ok && b.record);
      });

      // At the end: an empty page that keeps the cursor.
      const last = await r.admin('GET', '/v1/events?limit=100');
      let cursor = last.json.next as string;
      for (;;) {
        const page = await r.admin('GET', `/v1/events?limit=100&after=${cursor}`);
        if (!page.json.hasMore) {
          cursor = page.json.next;
          break;
        }
        cursor = page.json.next;
      }
      const tail = await r.admin('GET', `/v1/events?after=${cursor}`);
      expect(tail.json).toEqual({ events: [], next: cursor, hasMore: false });
      // New records appear after the cursor.
      await r.track([trackCall('late', 'x', T0)]);
      const fresh = await r.admin('GET', `/v1/events?after=${cursor}`);
      expect(fresh.json.events.map((e: Exported) => e.userId)).toEqual(['late']);
      expect(fresh.json.hasMore).toBe(false);
    });

    it('limit defaults to 1000 and never exceeds it; bad cursors and limits are refused', async () => {
      const r = await start();
      const batch = Array.from({ length: 1200 }, (_, i) => trackCall(`u${i % 10}`, 'x', T0 + i));
      for (let i = 0; i < batch.length; i += 400) await r.track(batch.slice(i, i + 400));
      const all = await r.admin('GET', '/v1/events');
      expect(all.json.events).toHaveLength(1000);
      expect(all.json.hasMore).toBe(true);
      const big = await r.admin('GET', '/v1/events?limit=5000');
      expect(big.json.events).toHaveLength(1000);
      for (const query of ['after=abc', 'after=-1', 'limit=0', 'limit=ten', 'after=1e3', `after=${'9'.repeat(20)}`]) {
        const reply = await r.admin('GET', `/v1/events?${query}`);
        expect(reply.status, query).toBe(400);
        expect(reply.json.error).toMatch(/query is not valid/);
      }
    });

    it("the companion's sync client imports every record, and later only the new ones", async () => {
      const r = await start();
      const records = Array.from({ length: 1234 }, (_, i) => exportRecord(i));
      for (let i = 0; i < records.length; i += 500) {
        expect((await r.track(records.slice(i, i + 500))).json.rejected).toEqual([]);
      }
      // Some records through the other client endpoint and the SDK's own events.
      await r.client('POST', '/v1/identify', { userId: 'user-1', traits: { plan: 'enterprise' }, timestamp: '2025-02-01T00:00:00Z', messageId: 'id-late' });
      await r.track([trackCall('user-1', 'survey_answered', T0, { message_id: 'nps', survey: 'nps', score: 10, comment: 'Love it' })]);

      const { db } = tempCache();
      const options = { source: r.url, token: ADMIN_TOKEN, pageSize: 100, sleep: async () => undefined };
      const summary = await syncFromSource(db, options);
      expect(summary).toMatchObject({ fetched: 1236, imported: 1236, duplicates: 0, rejected: 0, pages: 13 });
      const identifies = records.filter((x) => x.type === 'identify').length + 1;
      expect(counts(db)).toMatchObject({ records: 1236, events: 1236 - identifies, users: 37 });
      // Every record id came through, derived ids included.
      const serverIds = (await r.rows('SELECT record_id FROM records')).map((row) => String(row.record_id)).sort().join('\n');
      const cacheIds = (db.prepare('SELECT event_id FROM events').pluck().all() as string[]).sort().join('\n');
      expect(cacheIds).toBe(serverIds);
      expect(JSON.parse(scalar<string>(db, "SELECT traits FROM users WHERE id = 'user-1'")).plan).toBe('enterprise');
      const answer = db.prepare("SELECT properties FROM events WHERE event_id LIKE 't-%'").pluck().get() as string;
      expect(JSON.parse(answer)).toEqual({ message_id: 'nps', survey: 'nps', score: 10, comment: 'Love it' });

      const idle = await syncFromSource(db, options);
      expect(idle).toMatchObject({ fetched: 0, imported: 0, pages: 1 });
      await r.track([trackCall('user-2', 'x', T0), trackCall('user-new', 'y', T0)]);
      const more = await syncFromSource(db, options);
      expect(more).toMatchObject({ fetched: 2, imported: 2, duplicates: 0 });
      expect(counts(db).users).toBe(38);
    });

    // SQLite's online backup API; PostgreSQL's backup is pg_dump or the operator's PITR (docs/DELIVERY.md).
    it.skipIf(engine === 'postgres')('a backup taken while running, restored as docs/DELIVERY.md says, keeps companions syncing', async () => {
      const r = await start();
      const records = Array.from({ length: 500 }, (_, i) => exportRecord(i));
      await r.track(records.slice(0, 300));
      const backup = join(tempDir(), 'backup.db');
      await r.db.backup(backup); // the SQLite online backup API, while the server runs
      await r.track(records.slice(300));
      const { db } = tempCache();
      const options = { source: r.url, token: ADMIN_TOKEN, sleep: async () => undefined };
      expect(await syncFromSource(db, options)).toMatchObject({ fetched: 500, imported: 500 });

      // The server's disk dies; the backup comes back on the same address, its sequence moved on.
      const port = Number(new URL(r.url).port);
      await r.stop();
      const dir = tempDir();
      copyFileSync(backup, join(dir, 'delivery.db'));
      const raw = new Database(join(dir, 'delivery.db'));
      expect(raw.pragma('integrity_check', { simple: true })).toBe('ok');
      raw.prepare("UPDATE sqlite_sequence SET seq = seq + 1000000000 WHERE name = 'records'").run();
      raw.close();
      const restored = await start({ dir, port });
      expect(restored.url).toBe(r.url);
      expect((await exportAll(restored)).events).toHaveLength(300);
      const fresh = Array.from({ length: 40 }, (_, i) => exportRecord(1000 + i));
      await restored.track(fresh);
      const after = await syncFromSource(db, options);
      expect(after).toMatchObject({ fetched: 40, imported: 40, duplicates: 0 });
      expect(counts(db).records).toBe(540);
    });

    it('a wrong token stops the sync with a clear message', async () => {
      const r = await start();
      const { db } = tempCache();
      await expect(syncFromSource(db, { source: r.url, token: 'wrong-token-wrong-token', sleep: async () => undefined })).rejects.toThrow(
        /answered 401: Missing or wrong admin token.*Check the token/,
      );
    });
  });
});
