/**
 * Assignments are stored in groups (src/delivery/assignments.ts): decides answered within a short while
 * share one write, and each user is still assigned to a message once, with one message_assigned record,
 * whatever the retries, evictions, erasures and closes in between.
 */
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { useDeliveryServer, type Running } from './delivery-helpers';

const start = useDeliveryServer();

/** Long enough that nothing is written by the timer while a test runs: only the export, a full group or close writes. */
const NEVER = 3_600_000;
const EVERYONE = { rule: { version: 1, match: 'all', conditions: [] } };

const count = (r: Running, sql: string): number => r.db.prepare(sql).pluck().get() as number;
/** An assignment is its message_assigned record (migration 0009). */
const storedRows = (r: Running, messageId: string): number =>
  count(r, `SELECT count(*) FROM records WHERE name = 'message_assigned' AND json_extract(data, '$.message_id') = '${messageId}'`);

async function exportedAssignments(r: Running): Promise<{ userId: string; properties: Record<string, unknown> }[]> {
  const page = await r.admin('GET', '/v1/events?limit=1000');
  expect(page.status).toBe(200);
  return (page.json.events as { event?: string; userId: string; properties: Record<string, unknown> }[]).filter((e) => e.event === 'message_assigned');
}

describe('assignments in groups', () => {
  it('store every user once, however many decides arrive together and however often each is asked', async () => {
    const r = await start();
    await r.publish('everyone', EVERYONE);
    const users = Array.from({ length: 40 }, (_, i) => `u${i}`);
    for (const userId of users) await r.identify(userId, { plan: 'pro' });
    // Every user three times, all at once: many decides in one group.
    const answers = await Promise.all([...users, ...users, ...users].map((userId) => r.decideIds(userId)));
    expect(answers.every((ids) => ids.length === 1 && ids[0] === 'everyone')).toBe(true);
    expect(await exportedAssignments(r)).toHaveLength(40);
    expect(storedRows(r, 'everyone')).toBe(40);
    expect(count(r, "SELECT count(*) FROM records WHERE record_id LIKE 'assigned:everyone:%'")).toBe(40);
  });

  it('wait for the group: nothing is stored at once, and the export writes what is queued before it reads', async () => {
    const r = await start({ assignments: { maxDelayMs: NEVER } });
    await r.publish('everyone', EVERYONE);
    await r.identify('ann', {});
    expect(await r.decideIds('ann')).toEqual(['everyone']);
    expect(storedRows(r, 'everyone')).toBe(0);
    expect(await exportedAssignments(r)).toEqual([expect.objectContaining({ userId: 'ann', properties: { message_id: 'everyone', group: 'exposed' } })]);
    expect(storedRows(r, 'everyone')).toBe(1);
  });

  it('are written at the end of the turn once a group is full, whatever the delay', async () => {
    const r = await start({ assignments: { maxDelayMs: NEVER, maxQueued: 3 } });
    await r.publish('everyone', EVERYONE);
    for (const userId of ['a', 'b', 'c']) await r.identify(userId, {});
    await r.decideIds('a');
    await r.decideIds('b');
    expect(storedRows(r, 'everyone')).toBe(0);
    await r.decideIds('c');
    expect(storedRows(r, 'everyone')).toBe(3);
  });

  it('a decide racing a queued assignment, its profile evicted from the cache meanwhile, queues nothing twice', async () => {
    // A cache of one profile: each user's decide evicts the other's, so the queue, not the cache, must know.
    const r = await start({ profileCacheSize: 1, assignments: { maxDelayMs: NEVER } });
    await r.publish('everyone', EVERYONE);
    await r.identify('ann', {});
    await r.identify('bob', {});
    for (let round = 0; round < 3; round++) {
      await r.decideIds('ann');
      await r.decideIds('bob');
    }
    const exported = await exportedAssignments(r);
    expect(exported.map((e) => e.userId).sort()).toEqual(['ann', 'bob']);
    // Evicted and stored: the next decides find the stored rows and add nothing.
    await r.decideIds('ann');
    await r.decideIds('bob');
    expect(await exportedAssignments(r)).toHaveLength(2);
    expect(storedRows(r, 'everyone')).toBe(2);
  });

  it('a cached user is known to be assigned without a read: later decides add nothing', async () => {
    const r = await start();
    await r.publish('everyone', EVERYONE);
    await r.identify('ann', {});
    await r.decideIds('ann');
    expect(await exportedAssignments(r)).toHaveLength(1);
    // Removed behind the server's back: a server that read the store on each decide would assign her again.
    r.db.prepare("DELETE FROM records WHERE record_id = 'assigned:everyone:ann'").run();
    await r.decideIds('ann');
    await r.admin('GET', '/v1/events?limit=1');
    expect(storedRows(r, 'everyone')).toBe(0);
  });

  it('an erasure drops the user\'s queued assignments: nothing decided before it is stored after it', async () => {
    const r = await start({ assignments: { maxDelayMs: NEVER } });
    await r.publish('everyone', EVERYONE);
    await r.identify('ann', {});
    await r.identify('bob', {});
    await r.decideIds('ann');
    await r.decideIds('bob');
    expect((await r.admin('DELETE', '/v1/users/ann')).status).toBe(200);
    // Bob's is stored; Ann's went with her.
    expect((await exportedAssignments(r)).map((e) => e.userId)).toEqual(['bob']);
    expect(count(r, "SELECT count(*) FROM records WHERE user_id = 'ann' AND type <> 'erase'")).toBe(0);
    expect(count(r, "SELECT count(*) FROM profiles WHERE user_id = 'ann'")).toBe(0);
    // A decide after the erasure is a new one: she is assigned again, once.
    await r.identify('ann', {});
    await r.decideIds('ann');
    await r.decideIds('ann');
    expect((await exportedAssignments(r)).map((e) => e.userId).sort()).toEqual(['ann', 'bob']);
  });

  it('a group that fails to store is reported, and its users are assigned again by their next decide', async () => {
    const logged: string[] = [];
    const r = await start({ assignments: { maxDelayMs: NEVER }, log: (line) => logged.push(line) });
    await r.publish('everyone', EVERYONE);
    await r.identify('ann', {});
    await r.decideIds('ann');
    // A real failure inside SQLite, as a full disk would raise it.
    r.db.exec("CREATE TRIGGER refuse BEFORE INSERT ON records WHEN NEW.name = 'message_assigned' BEGIN SELECT RAISE(ABORT, 'disk full'); END");
    expect(await exportedAssignments(r)).toEqual([]);
    expect(logged).toEqual([expect.stringMatching(/storing 1 assignment failed.*disk full/)]);
    r.db.exec('DROP TRIGGER refuse');
    await r.decideIds('ann');
    expect((await exportedAssignments(r)).map((e) => e.userId)).toEqual(['ann']);
  });

  it('are written when the server closes', async () => {
    const r = await start({ assignments: { maxDelayMs: NEVER } });
    await r.publish('everyone', EVERYONE);
    await r.identify('ann', {});
    await r.decideIds('ann');
    expect(storedRows(r, 'everyone')).toBe(0);
    await r.stop();
    const db = new Database(r.dbPath, { readonly: true });
    try {
      expect(db.prepare("SELECT user_id, data FROM records WHERE name = 'message_assigned'").all()).toEqual([
        { user_id: 'ann', data: JSON.stringify({ message_id: 'everyone', group: 'exposed' }) },
      ]);
      expect(db.prepare("SELECT count(*) FROM records WHERE record_id = 'assigned:everyone:ann'").pluck().get()).toBe(1);
    } finally {
      db.close();
    }
  });
});
