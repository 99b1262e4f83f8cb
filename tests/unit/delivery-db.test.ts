import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { DELIVERY_APPLICATION_ID, openDeliveryDb } from '../../src/delivery/db';
import { deliveryMigrations } from '../../src/delivery/migrations';
import { DAY, HOUR, T0, trackCall, useDeliveryServer } from './delivery-helpers';
import { useTempDir } from './helpers';

const tempDir = useTempDir();
const start = useDeliveryServer();

describe('the delivery database', () => {
  it('is created with its own application id and migrations, in WAL mode', () => {
    const file = join(tempDir(), 'sub', 'delivery.db');
    const { db, migration } = openDeliveryDb(file, { now: 5 });
    expect(migration).toEqual({ from: 0, to: deliveryMigrations.length, applied: deliveryMigrations.map((m) => m.version) });
    expect(db.pragma('application_id', { simple: true })).toBe(DELIVERY_APPLICATION_ID);
    expect(db.pragma('user_version', { simple: true })).toBe(deliveryMigrations.length);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").pluck().all();
    expect(tables).toEqual(expect.arrayContaining(['messages', 'message_versions', 'records', 'profiles', 'message_results', 'idempotency']));
    db.close();
    // Reopening applies nothing.
    const again = openDeliveryDb(file);
    expect(again.migration.applied).toEqual([]);
    again.db.close();
  });

  it('refuses a database from a newer version, leaving the file untouched', () => {
    const file = join(tempDir(), 'delivery.db');
    openDeliveryDb(file).db.close();
    const raw = new Database(file);
    raw.pragma(`user_version = ${deliveryMigrations.length + 1}`);
    raw.close();
    const before = readFileSync(file);
    expect(() => openDeliveryDb(file)).toThrow(/written by a newer version/);
    expect(readFileSync(file).equals(before)).toBe(true);
  });

  it('refuses a file that is not SQLite', () => {
    const file = join(tempDir(), 'notes.db');
    writeFileSync(file, 'just some text, not a database'.repeat(100));
    expect(() => openDeliveryDb(file)).toThrow(/delivery database/);
  });
});

describe('the profile cache', () => {
  it('gives the same answers as reading every profile from SQLite', async () => {
    const cached = await start({ profileCacheSize: 10_000 });
    const uncached = await start({ profileCacheSize: 0 });
    const tiny = await start({ profileCacheSize: 1 });
    const servers = [cached, uncached, tiny];
    const all = async (fn: (r: typeof cached) => Promise<unknown>): Promise<void> => {
      for (const r of servers) await fn(r);
    };
    const rules = {
      often: { version: 1, match: 'all', conditions: [{ type: 'event', event: 'report_run', op: '>=', count: 2, within: { days: 3 } }] },
      pro: { version: 1, match: 'all', conditions: [{ type: 'trait', trait: 'plan', op: 'eq', value: 'pro' }] },
      enterprise: { version: 1, match: 'all', conditions: [{ type: 'account', trait: 'plan', op: 'eq', value: 'enterprise' }] },
    };
    await all(async (r) => {
      await r.publish('often', { rule: rules.often, frequency: { everyDays: 2 } });
      // One per placement, so each can be shown (decide returns one blocking message at most).
      await r.publish('pro', { kind: 'slideout', rule: rules.pro, cooldownHours: 12 });
      await r.publish('enterprise', { kind: 'banner', rule: rules.enterprise });
    });
    const users = ['a', 'b', 'c'];
    for (let step = 0; step < 30; step++) {
      const user = users[step % 3] as string;
      const now = T0 + step * 7 * HOUR;
      const answers: string[][] = [];
      for (const r of servers) {
        r.clock.now = now;
        if (step % 2 === 0) await r.track([{ ...trackCall(user, 'report_run', now - HOUR), messageId: `run-${step}` }]);
        if (step % 5 === 0) await r.identify(user, { plan: step % 10 === 0 ? 'pro' : 'free' }, { messageId: `id-${step}` });
        // Group calls move accounts other cached users share: their next decides must see it too.
        if (step % 4 === 0) {
          const body = { userId: user, groupId: step % 8 === 0 ? 'acme' : 'tiny', traits: { plan: step % 3 === 0 ? 'enterprise' : 'free' }, timestamp: new Date(now).toISOString(), messageId: `g-${step}` };
          expect((await r.client('POST', '/v1/group', body)).status).toBe(200);
        }
        const ids = await r.decideIds(user);
        answers.push(ids);
        if (ids.length > 0 && step % 3 === 0) {
          await r.track(ids.map((id) => ({ ...trackCall(user, 'message_shown', now, { message_id: id }), messageId: `shown-${step}-${id}` })));
        }
      }
      expect(answers[1], `step ${step}`).toEqual(answers[0]);
      expect(answers[2], `step ${step}`).toEqual(answers[0]);
    }
    // Something was shown along the way, so the comparison meant something.
    const results = (await cached.admin('GET', '/v1/messages')).json.messages.map((m: { results: { shown: number } }) => m.results.shown);
    expect(results.every((n: number) => n > 0)).toBe(true);
    expect(cached.clock.now).toBeGreaterThan(T0 + 8 * DAY);
  });
});
