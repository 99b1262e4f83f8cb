/**
 * The change feed between nodes (src/delivery/postgres/notify.ts) on a real PostgreSQL (the shared test
 * cluster): two engine instances on one database, a publish and changed users on node A reach node B, a
 * node skips its own notifications, and a node whose listening connection is killed reconnects by itself,
 * reloads everything, and hears what follows.
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import type { DeliveryEngine } from '../../src/delivery/engine/types';
import { deliveryClientConfig, resolveDeliveryDatabase, type DeliveryDatabase } from '../../src/delivery/postgres/connection';
import { openPostgresEngine } from '../../src/delivery/postgres/engine';
import { createChangeFeed, createChangeNotifier, userPayloads, type Change, type ChangeFeed } from '../../src/delivery/postgres/notify';
import { createTestDatabase, testCluster, type TestDatabase } from '../support/postgres-vitest';

const T0 = Date.UTC(2026, 5, 1, 9, 0, 0);
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** What a node hears: its changes in order, and a promise for the next one that matches. */
function listener() {
  const heard: Change[] = [];
  let reloads = 0;
  const waiters: { test: () => boolean; resolve: () => void }[] = [];
  const wake = (): void => {
    for (const waiter of waiters.splice(0)) {
      if (waiter.test()) waiter.resolve();
      else waiters.push(waiter);
    }
  };
  return {
    heard,
    get reloads() {
      return reloads;
    },
    onChange: (change: Change) => {
      heard.push(change);
      wake();
    },
    onReload: () => {
      reloads += 1;
      wake();
    },
    until: (test: () => boolean): Promise<void> =>
      new Promise((resolve) => {
        if (test()) resolve();
        else waiters.push({ test, resolve });
      }),
  };
}

async function twoNodes(): Promise<{ database: TestDatabase; config: DeliveryDatabase; nodes: { engine: DeliveryEngine; pool: pg.Pool; id: string }[] }> {
  const database = await createTestDatabase(testCluster(), 'delivery_notify');
  cleanups.push(() => database.drop());
  const config = resolveDeliveryDatabase(database.url, {}) as DeliveryDatabase;
  config.url.password = database.cluster.password;
  const nodes = [];
  for (let i = 0; i < 2; i++) {
    const { engine, pool } = await openPostgresEngine(config, { now: T0, pool: { max: 3 } });
    cleanups.push(() => engine.close());
    nodes.push({ engine, pool, id: `node-${i}-${randomUUID()}` });
  }
  return { database, config, nodes };
}

function feed(config: DeliveryDatabase, nodeId: string, heard: ReturnType<typeof listener>): ChangeFeed {
  const changes = createChangeFeed({
    connect: () => new pg.Client(deliveryClientConfig(config, {}, `feed-${nodeId}`)),
    nodeId,
    onChange: heard.onChange,
    onReload: heard.onReload,
    retryMs: 10,
  });
  cleanups.push(() => changes.close());
  return changes;
}

describe('the change feed', () => {
  it('carries publishes and changed users from one node to the other, never to the sender', async () => {
    const { config, nodes } = await twoNodes();
    const [a, b] = nodes as [(typeof nodes)[number], (typeof nodes)[number]];
    const onA = listener();
    const onB = listener();
    const feedA = feed(config, a.id, onA);
    const feedB = feed(config, b.id, onB);
    await Promise.all([feedA.ready, feedB.ready]);
    expect([onA.reloads, onB.reloads]).toEqual([1, 1]);

    const notifyA = createChangeNotifier(a.pool, a.id);
    await a.engine.publish({ id: 'welcome', version: 1, body: '{"version":1}', holdout: 0, now: T0 });
    await notifyA.messagesChanged();
    await onB.until(() => onB.heard.length >= 1);
    expect(onB.heard).toEqual([{ kind: 'messages' }]);
    expect(await b.engine.messages()).toHaveLength(1);

    // Users changed in one turn go in one batch.
    notifyA.usersChanged(['ana', 'bo']);
    notifyA.usersChanged(['cy', 'ana']);
    await onB.until(() => onB.heard.length >= 2);
    expect(onB.heard[1]).toEqual({ kind: 'users', userIds: ['ana', 'bo', 'cy'] });

    // A skips its own: what A sent before B's note was delivered to A's connection first (NOTIFY keeps commit order).
    const notifyB = createChangeNotifier(b.pool, b.id);
    notifyB.usersChanged(['from-b']);
    await notifyB.flush();
    await onA.until(() => onA.heard.length >= 1);
    expect(onA.heard).toEqual([{ kind: 'users', userIds: ['from-b'] }]);
    expect(onB.heard).toHaveLength(2);
  });

  it('reconnects by itself after its connection is killed, reloads everything, and hears what follows', async () => {
    const { config, nodes, database } = await twoNodes();
    const [a, b] = nodes as [(typeof nodes)[number], (typeof nodes)[number]];
    const onB = listener();
    const feedB = feed(config, b.id, onB);
    await feedB.ready;
    expect(onB.reloads).toBe(1);
    const killed = await database.query('SELECT pg_terminate_backend(pid) AS killed FROM pg_stat_activity WHERE application_name = $1', [`feed-${b.id}`]);
    expect(killed.rows).toEqual([{ killed: true }]);
    await onB.until(() => onB.reloads >= 2);
    expect(feedB.listening).toBe(true);
    await createChangeNotifier(a.pool, a.id).messagesChanged();
    await onB.until(() => onB.heard.length >= 1);
    expect(onB.heard).toEqual([{ kind: 'messages' }]);
  });

  it('splits a large batch of users into payloads PostgreSQL accepts', () => {
    const ids = Array.from({ length: 500 }, (_, i) => `user-${i}-${'x'.repeat(40)}`);
    const payloads = userPayloads('node', ids);
    expect(payloads.length).toBeGreaterThan(1);
    for (const payload of payloads) expect(Buffer.byteLength(payload)).toBeLessThan(8000);
    expect(payloads.flatMap((p) => (JSON.parse(p) as { userIds: string[] }).userIds)).toEqual(ids);
  });
});
