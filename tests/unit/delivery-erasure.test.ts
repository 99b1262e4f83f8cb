/**
 * Erasure at the delivery server (issue 16, privacy): DELETE /v1/users/{userId} over a real server on
 * loopback, on each engine (a real SQLite file, a real PostgreSQL database). Admin only; 404 for an id the server never held; 200 with what it
 * removed; a repeat removes nothing and adds no marker; the export then carries an erase marker at a
 * new position; decide no longer sees the user's traits or history.
 */
import { describe, expect, it } from 'vitest';
import { PUBLIC_KEY, T0, trackCall, SERVER_ENGINES, useDeliveryServer, type Running } from './delivery-helpers';

describe.each(SERVER_ENGINES)('on %s', (engine) => {
  const start = useDeliveryServer(engine);
  const iso = (ts: number): string => new Date(ts).toISOString();

  async function exportAll(r: Running): Promise<{ type: string; userId: string; messageId: string; timestamp: string }[]> {
    const reply = await r.admin('GET', '/v1/events?limit=1000');
    expect(reply.status).toBe(200);
    return reply.json.events;
  }

  /** A user with every kind of stored state: events, traits, an account, results of a message. */
  async function seedUser(r: Running, userId: string): Promise<void> {
    if ((await r.admin('GET', '/v1/messages/tour')).status === 404) await r.publish('tour');
    expect((await r.identify(userId, { plan: 'pro', email: `${userId}@example.com` })).status).toBe(200);
    expect((await r.client('POST', '/v1/group', { userId, groupId: 'acme', traits: { tier: 'gold' }, timestamp: iso(r.clock.now) })).status).toBe(200);
    const batch = [trackCall(userId, 'report_run', T0), trackCall(userId, 'report_run', T0 + 1000)];
    expect((await r.track(batch)).json.accepted).toBe(2);
    await r.shown(userId, 'tour');
  }

  /** A user who also answered a survey question (the profile store keeps the latest answer per question). */
  async function seedAnswer(r: Running, userId: string): Promise<void> {
    if ((await r.admin('GET', '/v1/messages/csat')).status === 404) {
      await r.publish('csat', { kind: 'survey', content: { questions: [{ id: 'sat', type: 'csat', prompt: 'How satisfied are you?' }] } });
      await r.admin('POST', '/v1/messages/csat/pause');
    }
    expect((await r.track([trackCall(userId, 'survey_answered', T0, { message_id: 'csat', question_id: 'sat', survey: 'csat', score: 2 })])).json.accepted).toBe(1);
  }

  describe('DELETE /v1/users/{userId}', () => {
    it('takes the admin token only: the public key and no credential get 401, and nothing is erased', async () => {
      const r = await start();
      await seedUser(r, 'ann');
      expect((await r.raw('DELETE', '/v1/users/ann')).status).toBe(401);
      expect((await r.raw('DELETE', '/v1/users/ann', { headers: { 'X-Guidepost-Key': PUBLIC_KEY } })).status).toBe(401);
      expect((await r.raw('DELETE', '/v1/users/ann', { headers: { Authorization: `Bearer ${PUBLIC_KEY}` } })).status).toBe(401);
      expect((await exportAll(r)).filter((e) => e.userId === 'ann')).toHaveLength(5);
    });

    it('answers 404 for an id the server never held, and 400 for one too long', async () => {
      const r = await start();
      const reply = await r.admin('DELETE', '/v1/users/nobody');
      expect(reply.status).toBe(404);
      expect(reply.json.error).toMatch(/holds nothing about user "nobody"/);
      expect((await r.admin('DELETE', `/v1/users/${'x'.repeat(201)}`)).status).toBe(400);
      expect(await exportAll(r)).toEqual([]);
    });

    it('removes records, traits, memberships and result entries, counts them, and leaves other users alone', async () => {
      const r = await start();
      await seedUser(r, 'ann');
      await seedUser(r, 'bob');
      await seedAnswer(r, 'ann');
      await seedAnswer(r, 'bob');
      const before = await r.admin('GET', '/v1/messages/tour');
      expect(before.json.message.results.shown).toBe(2);

      r.clock.advance(60_000);
      const reply = await r.admin('DELETE', '/v1/users/ann');
      expect(reply.status).toBe(200);
      expect(reply.json).toMatchObject({
        userId: 'ann',
        erased: true,
        repeated: false,
        erasedAt: iso(r.clock.now),
        // identify + group + 2 events + message_shown + a survey answer; one profile; one membership; shown once, answered once.
        removed: { records: 6, traits: 1, accountMemberships: 1, messageResults: 2 },
      });

      const after = await r.admin('GET', '/v1/messages/tour');
      expect(after.json.message.results.shown).toBe(1);
      const events = await exportAll(r);
      expect(events.filter((e) => e.userId === 'ann' && e.type !== 'erase')).toEqual([]);
      expect(events.filter((e) => e.userId === 'bob')).toHaveLength(6);
      const marker = events[events.length - 1];
      expect(marker).toEqual({ type: 'erase', messageId: expect.stringMatching(/^erase-/), userId: 'ann', timestamp: iso(r.clock.now) });
      // The marker is at a new position, past every record stored before it.
      const page = await r.admin('GET', '/v1/events?limit=1000');
      expect(page.json.next).toBe(reply.json.marker);

      // Her latest survey answers went with her profile (profile-store.ts eraseUser), bob's stayed.
      expect([await r.scalar('SELECT count(*) FROM survey_answers WHERE user_id = ?', 'ann'), await r.scalar('SELECT count(*) FROM survey_answers WHERE user_id = ?', 'bob')]).toEqual([0, 1]);

      // Decide no longer knows her traits: a message for plan = pro skips her, still reaches bob.
      await r.publish('pro-only', { rule: { version: 1, match: 'all', conditions: [{ type: 'trait', trait: 'plan', op: 'eq', value: 'pro' }] } });
      expect(await r.decideIds('ann')).not.toContain('pro-only');
      expect(await r.decideIds('bob')).toContain('pro-only');
    });

    it('forgets the cached profile: a user decided on before the erasure is not judged on it after', async () => {
      const r = await start();
      await r.publish('pro-only', { rule: { version: 1, match: 'all', conditions: [{ type: 'trait', trait: 'plan', op: 'eq', value: 'pro' }] } });
      await r.identify('ann', { plan: 'pro' });
      expect(await r.decideIds('ann')).toEqual(['pro-only']);
      expect((await r.admin('DELETE', '/v1/users/ann')).status).toBe(200);
      expect(await r.decideIds('ann')).toEqual([]);
    });

    it('is idempotent: a repeat removes nothing, adds no marker and names the first erasure; new records make a new one', async () => {
      const r = await start();
      await seedUser(r, 'ann');
      const first = await r.admin('DELETE', '/v1/users/ann');
      r.clock.advance(5_000);
      const again = await r.admin('DELETE', '/v1/users/ann');
      expect(again.status).toBe(200);
      expect(again.json).toMatchObject({
        repeated: true,
        erasedAt: first.json.erasedAt,
        marker: first.json.marker,
        removed: { records: 0, traits: 0, accountMemberships: 0, messageResults: 0 },
      });
      expect((await exportAll(r)).filter((e) => e.type === 'erase')).toHaveLength(1);

      // She comes back: her new records are stored, and a second erasure removes them with a marker of its own.
      expect((await r.track([trackCall('ann', 'login', r.clock.now)])).json.accepted).toBe(1);
      const second = await r.admin('DELETE', '/v1/users/ann');
      expect(second.json).toMatchObject({ repeated: false, removed: { records: 1 } });
      expect(Number(second.json.marker)).toBeGreaterThan(Number(first.json.marker));
      expect((await exportAll(r)).filter((e) => e.type === 'erase')).toHaveLength(2);
    });

    it('honours Idempotency-Key like the other admin changes', async () => {
      const r = await start();
      await seedUser(r, 'ann');
      const first = await r.admin('DELETE', '/v1/users/ann', undefined, { 'Idempotency-Key': 'erase-ann-1' });
      const replay = await r.admin('DELETE', '/v1/users/ann', undefined, { 'Idempotency-Key': 'erase-ann-1' });
      expect(replay.headers['idempotent-replayed']).toBe('true');
      expect(replay.json).toEqual(first.json);
    });

    it('decodes the id from the path: ids with spaces, slashes and non-ASCII letters', async () => {
      const r = await start();
      const id = 'ann/ö @corp';
      expect((await r.track([trackCall(id, 'login', T0)])).json.accepted).toBe(1);
      const reply = await r.admin('DELETE', `/v1/users/${encodeURIComponent(id)}`);
      expect(reply.json).toMatchObject({ userId: id, removed: { records: 1 } });
      expect((await exportAll(r)).map((e) => [e.type, e.userId])).toEqual([['erase', id]]);
    });
  });
});
