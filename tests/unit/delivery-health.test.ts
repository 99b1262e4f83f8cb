/**
 * GET /v1/health as a load balancer reads it (issue 20): the node's database (reachable, migrated) and the
 * version of the message set it decides from, 503 when the database is gone.
 */
import { describe, expect, it } from 'vitest';
import { useDeliveryServer } from './delivery-helpers';

const start = useDeliveryServer();

describe('health', () => {
  it('reports the database and the message set, whose version follows every change and is the same for the same set', async () => {
    const a = await start();
    const b = await start();
    const first = (await a.raw('GET', '/v1/health')).json;
    expect(first).toMatchObject({
      ok: true,
      database: { engine: 'sqlite', reachable: true, migrated: true, problem: null },
      messages: { count: 0 },
      changeFeed: null,
    });
    expect(first.database.schema).toBeGreaterThan(0);
    const versionOf = async (r: typeof a): Promise<string> => (await r.raw('GET', '/v1/health')).json.messages.version as string;
    await a.publish('m1');
    const published = await versionOf(a);
    expect(published).not.toBe(first.messages.version);
    await a.admin('POST', '/v1/messages/m1/pause');
    const paused = await versionOf(a);
    expect(paused).not.toBe(published);
    // Another server holding the same messages (id, version, state) shows the same version.
    await b.publish('m1');
    expect(await versionOf(b)).toBe(published);
    await b.admin('POST', '/v1/messages/m1/pause');
    expect(await versionOf(b)).toBe(paused);
  });

  it('answers 503 with the reason when the database is gone, so a load balancer takes the node out', async () => {
    const r = await start();
    r.db.close();
    const reply = await r.raw('GET', '/v1/health');
    expect(reply.status).toBe(503);
    expect(reply.json).toMatchObject({ ok: false, database: { engine: 'sqlite', reachable: false, migrated: false } });
    expect(reply.json.database.problem).toMatch(/not open/);
  });
});
