/**
 * Goals, holdout groups and assignment on the delivery server (issue 19): the publish body carries a
 * goal and a holdout (fixed after the first publish), decide assigns each user once to the exposed or
 * holdout group of a message that passed every check, and a held-out message takes no slot.
 */
import { describe, expect, it } from 'vitest';
import { holdoutBucket, inHoldout, inRollout, rolloutBucket } from '../../src/delivery/decide';
import { DAY, messageBody, T0, trackCall, SERVER_ENGINES, useDeliveryServer, type Running } from './delivery-helpers';

describe.each(SERVER_ENGINES)('on %s', (engine) => {
  const start = useDeliveryServer(engine);

  const users = (n: number, prefix = 'u'): string[] => Array.from({ length: n }, (_, i) => `${prefix}${i}`);

  /** Users the server has seen (an identify each): a rule matches nobody it has never heard of. */
  async function known(r: Running, ids: string[]): Promise<string[]> {
    for (const id of ids) await r.identify(id, {});
    return ids;
  }

  /** The stored assignments of a message; an export first, which writes the queued ones (assignments.ts groups them). */
  async function assignmentRows(r: Running, messageId: string): Promise<{ user_id: string; grp: string; assigned_at: number }[]> {
    expect((await r.admin('GET', '/v1/events?limit=1')).status).toBe(200);
    // An assignment is its message_assigned record (migration 0009): the group in its data, its instant the assignment's.
    // Its id is 'assigned:<message>:<user>' on both engines, so one query reads them on either.
    const stored = await r.rows(
      "SELECT user_id, data, ts FROM records WHERE name = 'message_assigned' AND record_id LIKE ? ORDER BY user_id",
      `assigned:${messageId}:%`,
    );
    return stored.map((row) => ({
      user_id: row.user_id as string,
      grp: (JSON.parse(row.data as string) as { group: string }).group,
      assigned_at: row.ts as number,
    }));
  }

  async function exportedAssignments(r: Running): Promise<{ messageId: string; userId: string; properties: Record<string, unknown> }[]> {
    const page = await r.admin('GET', '/v1/events?limit=1000');
    expect(page.status).toBe(200);
    return (page.json.events as { event?: string; messageId: string; userId: string; properties: Record<string, unknown> }[]).filter(
      (e) => e.event === 'message_assigned',
    );
  }

  describe('the holdout draw', () => {
    it('is stable for a user and a message, and independent of the rollout draw', () => {
      const ids = users(20_000);
      for (const id of ids.slice(0, 50)) expect(holdoutBucket(id, 'upsell')).toBe(holdoutBucket(id, 'upsell'));
      // Among the users inside a 10% rollout, about 10% are held out by a 10% holdout: one hash for both
      // would put every one of them in the holdout (both buckets below 1000).
      const inTenPercent = ids.filter((id) => inRollout(id, 'upsell', 10));
      expect(inTenPercent.length).toBeGreaterThan(1_700);
      const heldOut = inTenPercent.filter((id) => inHoldout(id, 'upsell', 10)).length / inTenPercent.length;
      expect(heldOut).toBeGreaterThan(0.07);
      expect(heldOut).toBeLessThan(0.13);
      // And outside the rollout the same share: the holdout does not lean on either end of the rollout.
      const outside = ids.filter((id) => !inRollout(id, 'upsell', 10));
      const heldOutside = outside.filter((id) => inHoldout(id, 'upsell', 10)).length / outside.length;
      expect(Math.abs(heldOutside - heldOut)).toBeLessThan(0.03);
      expect(ids.filter((id) => holdoutBucket(id, 'upsell') === rolloutBucket(id, 'upsell')).length).toBeLessThan(20);
      expect(inHoldout('anyone', 'upsell', 0)).toBe(false);
    });
  });

  describe('publishing a goal and a holdout', () => {
    it('stores both and echoes them; the holdout defaults to 0 and the goal window to 14 days', async () => {
      const r = await start();
      const goal = { event: 'upgraded', where: [{ property: 'plan', op: 'eq', value: 'pro' }], withinDays: 21 };
      const reply = await r.admin('PUT', '/v1/messages/upsell', messageBody({ goal, holdout: 10 }));
      expect(reply.status).toBe(201);
      expect(reply.json.message).toMatchObject({ goal, holdout: 10 });
      const plain = await r.admin('PUT', '/v1/messages/plain', messageBody({ goal: { event: 'upgraded' } }));
      expect(plain.json.message).toMatchObject({ goal: { event: 'upgraded', withinDays: 14 }, holdout: 0 });
      expect((await r.admin('GET', '/v1/messages/upsell')).json.message).toMatchObject({ goal, holdout: 10 });
    });

    it('refuses a goal or a holdout out of shape, naming the field', async () => {
      const r = await start();
      const cases: [Record<string, unknown>, RegExp][] = [
        [{ holdout: 60 }, /holdout: must be 0 to 50/],
        [{ holdout: -1 }, /holdout: must be 0 to 50/],
        [{ goal: { event: '' } }, /goal › event: name the goal event/],
        [{ goal: { event: 'upgraded', withinDays: 0 } }, /goal › withinDays: must be at least 1 day/],
        [{ goal: { event: 'upgraded', withinDays: 400 } }, /goal › withinDays: must be at most 365 days/],
        [{ goal: { event: 'upgraded', where: [{ property: 'plan', op: 'nope', value: 1 }] } }, /goal › where: /],
      ];
      for (const [overrides, error] of cases) {
        const reply = await r.admin('PUT', '/v1/messages/bad', messageBody(overrides));
        expect(reply.status, JSON.stringify(overrides)).toBe(400);
        expect(reply.json.error).toMatch(error);
      }
      expect((await r.admin('GET', '/v1/messages')).json.messages).toEqual([]);
    });

    it('fixes the holdout after the first publish: another holdout in a later version is a 409 naming the field', async () => {
      const r = await start();
      await r.publish('upsell', { holdout: 10 });
      const changed = await r.admin('PUT', '/v1/messages/upsell', messageBody({ holdout: 20, version: 2 }));
      expect(changed.status).toBe(409);
      expect(changed.json).toMatchObject({ code: 'conflict', field: 'holdout', message: { version: 1, holdout: 10 } });
      expect(changed.json.error).toMatch(/^holdout: .*10% holdout.*fixed after the first publish.*20%/);
      // Left out, the default (0) is another holdout too.
      expect((await r.admin('PUT', '/v1/messages/upsell', messageBody({ version: 2 }))).status).toBe(409);
      const same = await r.admin('PUT', '/v1/messages/upsell', messageBody({ holdout: 10, version: 2, priority: 5 }));
      expect(same.status).toBe(200);
      expect(same.json.message).toMatchObject({ version: 2, holdout: 10, priority: 5 });
      // A message first published without one keeps none.
      await r.publish('old');
      expect((await r.admin('PUT', '/v1/messages/old', messageBody({ holdout: 10, version: 2 }))).status).toBe(409);
    });
  });

  describe('decide with a holdout', () => {
    it('shows the message to the exposed group only, and a held-out message takes no slot', async () => {
      const r = await start();
      await r.publish('upsell', { holdout: 50, priority: 10 });
      await r.publish('fallback', { priority: 1 });
      const ids = await known(r, users(40));
      for (const id of ids) {
        const seen = await r.decideIds(id);
        // One modal at most: the exposed see the upsell, the held out get the next modal as if it did not exist.
        expect(seen, id).toEqual(inHoldout(id, 'upsell', 50) ? ['fallback'] : ['upsell']);
      }
      const held = ids.filter((id) => inHoldout(id, 'upsell', 50));
      expect(held.length).toBeGreaterThan(5);
      expect(held.length).toBeLessThan(35);
      const rows = await assignmentRows(r, 'upsell');
      expect(rows.map((row) => row.user_id).sort()).toEqual([...ids].sort());
      for (const row of rows) expect(row.grp).toBe(inHoldout(row.user_id, 'upsell', 50) ? 'holdout' : 'exposed');
      // The fallback was returned to the held-out users only: only they are assigned to it (exposed).
      expect((await assignmentRows(r, 'fallback')).map((row) => [row.user_id, row.grp])).toEqual(
        [...held].sort().map((id) => [id, 'exposed']),
      );
    });

    it('a held-out message starts no cooldown, and a user who fails a check is not assigned', async () => {
      const r = await start();
      await r.publish('upsell', { holdout: 50, priority: 10, cooldownHours: 24 });
      await r.publish('later', { kind: 'nps', priority: 1, cooldownHours: 24 });
      await r.publish('vip', { rule: { version: 1, match: 'all', conditions: [{ type: 'trait', trait: 'plan', op: 'eq', value: 'vip' }] } });
      const held = users(40).find((id) => inHoldout(id, 'upsell', 50)) as string;
      await known(r, [held]);
      expect(await r.decideIds(held)).toEqual(['later']);
      r.clock.advance(DAY / 2);
      expect(await r.decideIds(held)).toEqual(['later']);
      expect(await assignmentRows(r, 'vip')).toEqual([]);
    });

    it('records one message_assigned per user and message, whatever the retries, and exports it', async () => {
      const r = await start();
      await r.publish('upsell', { holdout: 30 });
      await known(r, ['ann']);
      await Promise.all(Array.from({ length: 8 }, () => r.decideIds('ann')));
      r.clock.days(3);
      await r.decideIds('ann');
      const rows = await assignmentRows(r, 'upsell');
      const group = inHoldout('ann', 'upsell', 30) ? 'holdout' : 'exposed';
      expect(rows).toEqual([{ user_id: 'ann', grp: group, assigned_at: T0 }]);
      const exported = await exportedAssignments(r);
      expect(exported).toEqual([
        expect.objectContaining({ type: 'track', messageId: 'assigned:upsell:ann', userId: 'ann', properties: { message_id: 'upsell', group }, timestamp: new Date(T0).toISOString() }),
      ]);
    });

    it('refuses client records that would forge an assignment or take its id first', async () => {
      const r = await start();
      await r.publish('upsell', { holdout: 30 });
      const forged = await r.track([
        { ...trackCall('ann', 'message_assigned', T0, { message_id: 'upsell', group: 'exposed' }) },
        { ...trackCall('ann', 'clicked', T0), messageId: 'assigned:upsell:ann' },
        trackCall('ann', 'page_opened', T0),
      ]);
      expect(forged.status).toBe(200);
      expect(forged.json.accepted).toBe(1);
      expect(forged.json.rejected).toEqual([
        { index: 0, reason: expect.stringMatching(/message_assigned events are recorded by the server/) },
        { index: 1, reason: expect.stringMatching(/"assigned:" is reserved/) },
      ]);
      const group = await r.client('POST', '/v1/group', { userId: 'ann', groupId: 'acme', messageId: 'assigned:upsell:ann' });
      expect(group.status).toBe(400);
      expect(group.json.error).toMatch(/reserved/);
      await known(r, ['ann']);
      await r.decideIds('ann');
      expect(await exportedAssignments(r)).toHaveLength(1);
      expect(await assignmentRows(r, 'upsell')).toHaveLength(1);
    });

    it('erasing a user removes their assignment; a later decide assigns them again to the same group', async () => {
      const r = await start();
      await r.publish('upsell', { holdout: 30 });
      await known(r, ['ann']);
      await r.decideIds('ann');
      const before = await assignmentRows(r, 'upsell');
      expect((await r.admin('DELETE', '/v1/users/ann')).status).toBe(200);
      expect(await assignmentRows(r, 'upsell')).toEqual([]);
      r.clock.days(1);
      await known(r, ['ann']);
      await r.decideIds('ann');
      expect((await assignmentRows(r, 'upsell')).map((row) => row.grp)).toEqual(before.map((row) => row.grp));
    });
  });
});
