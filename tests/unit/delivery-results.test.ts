/**
 * Honest results and time (issue 16, item 3): client instants too far ahead are stamped with the
 * server's clock and counted in /v1/health; a message's results count distinct users, only for
 * messages that exist, and replayed batches never move them.
 */
import Database from 'better-sqlite3';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DELIVERY_APPLICATION_ID, openDeliveryDb } from '../../src/delivery/db';
import { MAX_AHEAD_MS } from '../../src/delivery/future-clamp';
import { deliveryMigrations } from '../../src/delivery/migrations';
import { migrate } from '../../src/shared/migrate';
import { HOUR, T0, trackCall, SERVER_ENGINES, useDeliveryServer, type Running } from './delivery-helpers';
import { useTempDir } from './helpers';

describe.each(SERVER_ENGINES)('on %s', (engine) => {
  const start = useDeliveryServer(engine);
  const tempDir = useTempDir();
  const MINUTE = 60_000;

  async function results(r: Running, id: string): Promise<Record<string, number>> {
    const reply = await r.admin('GET', `/v1/messages/${id}`);
    expect(reply.status).toBe(200);
    return reply.json.message.results as Record<string, number>;
  }

  async function exportedTimes(r: Running): Promise<Record<string, string>> {
    const events = (await r.admin('GET', '/v1/events')).json.events as { messageId: string; timestamp: string }[];
    return Object.fromEntries(events.map((e) => [e.messageId, e.timestamp]));
  }

  function answer(userId: string, messageId: string, ts: number, score: number, id?: string): Record<string, unknown> {
    const call = trackCall(userId, 'survey_answered', ts, { message_id: messageId, survey: 'nps', score });
    return id === undefined ? call : { ...call, messageId: id };
  }

  describe('client clocks', () => {
    it('a batch 10 minutes ahead is stored at the server clock and counted in /v1/health', async () => {
      const r = await start();
      expect((await r.raw('GET', '/v1/health')).json).toMatchObject({ ok: true, time: new Date(T0).toISOString(), clampedTimestamps: 0 });
      const ahead = T0 + 10 * MINUTE;
      const batch = [
        { ...trackCall('u1', 'ahead', ahead), messageId: 'ahead-1' },
        // originalTimestamp corrected by arrival − sentAt lands exactly on the server's clock: kept.
        { type: 'track', event: 'corrected', userId: 'u1', messageId: 'corrected-1', originalTimestamp: new Date(ahead).toISOString(), sentAt: new Date(ahead).toISOString() },
        // Within the 5 minutes clocks may disagree by: kept as sent.
        { ...trackCall('u1', 'close', T0 + MAX_AHEAD_MS), messageId: 'close-1' },
      ];
      expect((await r.track(batch)).json).toMatchObject({ accepted: 3, rejected: [] });
      expect(await exportedTimes(r)).toEqual({
        'ahead-1': new Date(T0).toISOString(),
        'corrected-1': new Date(T0).toISOString(),
        'close-1': new Date(T0 + MAX_AHEAD_MS).toISOString(),
      });
      expect((await r.raw('GET', '/v1/health')).json.clampedTimestamps).toBe(1);
      // The same record again is a duplicate: its id was fixed before the clamp, and nothing more is counted.
      expect((await r.track([batch[0]])).json).toMatchObject({ accepted: 0, duplicates: 1 });
      expect((await r.raw('GET', '/v1/health')).json.clampedTimestamps).toBe(1);
    });

    it('an identify stamped 9999-12-31 does not beat the user’s own later identify', async () => {
      const r = await start();
      await r.publish('upsell', { rule: { version: 1, match: 'all', conditions: [{ type: 'trait', trait: 'plan', op: 'eq', value: 'enterprise' }] } });
      const forged = await r.identify('victim@corp.com', { plan: 'enterprise' }, { timestamp: '9999-12-31T23:59:59.000Z' });
      expect(forged.status).toBe(200);
      expect(await r.decideIds('victim@corp.com')).toEqual(['upsell']);
      r.clock.advance(MINUTE);
      await r.identify('victim@corp.com', { plan: 'starter' });
      expect(await r.decideIds('victim@corp.com')).toEqual([]);
      expect((await r.raw('GET', '/v1/health')).json.clampedTimestamps).toBe(1);
      // Group calls are clamped the same way.
      await r.client('POST', '/v1/group', { userId: 'u1', groupId: 'acme', traits: { tier: 'gold' }, timestamp: '9999-12-31T00:00:00.000Z' });
      expect((await r.raw('GET', '/v1/health')).json.clampedTimestamps).toBe(2);
    });
  });

  describe('results count distinct users', () => {
    it('4,500 survey_answered records from one user in one anonymous request move answered by 1', async () => {
      const r = await start();
      await r.publish('nps', { kind: 'nps', content: { question: 'Recommend us?' } });
      // As small as a record gets, so that 4,500 fit under the batch limit: no timestamp (the server's clock).
      const batch = Array.from({ length: 4500 }, (_, i) => ({ event: 'survey_answered', userId: 'u1', messageId: `a${i}`, properties: { message_id: 'nps' } }));
      expect((await r.track(batch)).json).toMatchObject({ accepted: 4500 });
      expect(await results(r, 'nps')).toMatchObject({ answered: 1, detractors: 0 });
      await r.track([answer('u1', 'nps', T0, 0), answer('u1', 'nps', T0 - 1, 0)]);
      expect(await results(r, 'nps')).toMatchObject({ answered: 1, detractors: 1, promoters: 0 });
      await r.shown('u1', 'nps');
      await r.shown('u1', 'nps');
      await r.shown('u2', 'nps');
      await r.track([
        trackCall('u1', 'message_dismissed', T0, { message_id: 'nps' }),
        trackCall('u1', 'message_dismissed', T0, { message_id: 'nps' }),
        trackCall('u2', 'message_clicked', T0, { message_id: 'nps' }),
        trackCall('u2', 'message_clicked', T0 + 1, { message_id: 'nps' }),
      ]);
      expect(await results(r, 'nps')).toEqual({ shown: 2, dismissed: 1, clicked: 1, answered: 1, promoters: 0, passives: 0, detractors: 1 });
    });

    it('a replayed batch moves nothing, even one whose ids are derived from client times', async () => {
      const r = await start();
      await r.publish('m1');
      // No messageId and no timestamp: the server derives each id from the corrected instant, which
      // moves with the arrival, so a replay a minute later stores new records.
      const sent = new Date(T0).toISOString();
      const batch = [
        { type: 'track', event: 'message_shown', userId: 'u1', properties: { message_id: 'm1' }, originalTimestamp: sent, sentAt: sent },
        { type: 'track', event: 'message_clicked', userId: 'u1', properties: { message_id: 'm1' }, originalTimestamp: sent, sentAt: sent },
        { type: 'track', event: 'survey_answered', userId: 'u1', properties: { message_id: 'm1', survey: 'nps', score: 10 }, originalTimestamp: sent, sentAt: sent },
      ];
      expect((await r.track(batch)).json.accepted).toBe(3);
      const before = await results(r, 'm1');
      expect(before).toMatchObject({ shown: 1, clicked: 1, answered: 1, promoters: 1 });
      r.clock.advance(MINUTE);
      expect((await r.track(batch)).json.accepted).toBe(3);
      expect(await results(r, 'm1')).toEqual(before);
      // The same messageIds again: duplicates, nothing moves either.
      const named = [{ ...trackCall('u2', 'message_shown', r.clock.now, { message_id: 'm1' }), messageId: 'shown-u2' }];
      await r.track(named);
      const after = await results(r, 'm1');
      expect((await r.track(named)).json).toMatchObject({ accepted: 0, duplicates: 1 });
      expect(await results(r, 'm1')).toEqual(after);
      expect(after.shown).toBe(2);
    });

    it('forged users do count, once each: only identity verification stops them, as docs/DELIVERY.md says', async () => {
      const r = await start();
      await r.publish('nps', { kind: 'nps', content: { question: 'Recommend us?' } });
      // A script with the public key invents 300 users, each answering 0.
      const forged = Array.from({ length: 300 }, (_, i) => answer(`invented-${i}`, 'nps', T0, 0));
      expect((await r.track(forged)).json.accepted).toBe(300);
      expect(await results(r, 'nps')).toMatchObject({ answered: 300, detractors: 300 });
      const threatModel = readFileSync(join(__dirname, '../../docs/DELIVERY.md'), 'utf8').split('## Threat model')[1] ?? '';
      expect(threatModel).toMatch(/### Results and time/);
      expect(threatModel).toMatch(/\*\*Replayed batches never move a counter\.\*\*/);
      expect(threatModel).toMatch(/\*\*Forged batches can be stopped only with identity verification\.\*\*/);
    });

    it('events naming a message id that does not exist create no counter row', async () => {
      const r = await start();
      await r.publish('real');
      const batch = Array.from({ length: 50 }, (_, i) => trackCall('u1', 'message_shown', T0, { message_id: `ghost-${i}` }));
      batch.push(trackCall('u1', 'message_shown', T0, { message_id: 'real' }));
      expect((await r.track(batch)).json.accepted).toBe(51);
      const rows = await r.rows('SELECT message_id, metric, count FROM message_results ORDER BY message_id');
      expect(rows).toEqual([{ message_id: 'real', metric: 'shown', count: 1 }]);
      // Published later, a message counts from then on, not the events sent before it existed.
      await r.publish('ghost-0');
      await r.track([trackCall('u2', 'message_shown', T0, { message_id: 'ghost-0' })]);
      expect(await results(r, 'ghost-0')).toMatchObject({ shown: 1 });
    });

    it('the NPS category is each user’s latest answer', async () => {
      const r = await start();
      await r.publish('nps', { kind: 'nps', content: { question: 'Recommend us?' } });
      await r.track([answer('u1', 'nps', T0, 10), answer('u2', 'nps', T0, 8)]);
      expect(await results(r, 'nps')).toMatchObject({ answered: 2, promoters: 1, passives: 1, detractors: 0 });
      // u1 answers again later: a detractor now, no longer a promoter.
      await r.track([answer('u1', 'nps', T0 + HOUR, 2)]);
      expect(await results(r, 'nps')).toMatchObject({ answered: 2, promoters: 0, passives: 1, detractors: 1 });
      // An older answer arriving late does not replace u2's latest; a tie on the instant goes to the later arrival.
      await r.track([answer('u2', 'nps', T0 - HOUR, 0)]);
      expect(await results(r, 'nps')).toMatchObject({ promoters: 0, passives: 1, detractors: 1 });
      await r.track([answer('u2', 'nps', T0, 9)]);
      expect(await results(r, 'nps')).toEqual({ shown: 0, dismissed: 0, clicked: 0, answered: 2, promoters: 1, passives: 0, detractors: 1 });
    });
  });

  describe('the migration to distinct results', () => {
    it('recounts the stored records: distinct users, latest NPS answers, only messages that exist', () => {
      const file = join(tempDir(), 'delivery.db');
      const old = new Database(file);
      migrate(old, deliveryMigrations.slice(0, 2), { applicationId: DELIVERY_APPLICATION_ID, label: 'a Guidepost delivery database', now: T0 });
      old.prepare("INSERT INTO messages VALUES ('nps', 1, '{}', 'running', ?, ?), ('gone', 1, '{}', 'deleted', ?, ?)").run(T0, T0, T0, T0);
      const insert = old.prepare("INSERT INTO records (record_id, type, user_id, name, ts, data, received_at) VALUES (?, 'track', ?, ?, ?, ?, ?)");
      const rows: [string, string, number, Record<string, unknown>][] = [
        ['u1', 'message_shown', T0, { message_id: 'nps' }],
        ['u1', 'message_shown', T0 + 1, { message_id: 'nps' }],
        ['u1', 'survey_answered', T0, { message_id: 'nps', survey: 'nps', score: 10 }],
        ['u1', 'survey_answered', T0 + HOUR, { message_id: 'nps', survey: 'nps', score: 1 }],
        ['u2', 'survey_answered', T0, { message_id: 'nps', survey: 'nps', score: 7 }],
        ['u2', 'survey_answered', T0, { message_id: 'nps', survey: 'csat', score: 2 }],
        ['u3', 'message_shown', T0, { message_id: 'ghost' }],
        ['u3', 'message_shown', T0, { message_id: 'gone' }],
      ];
      rows.forEach(([user, name, ts, data], i) => insert.run(`r${i}`, user, name, ts, JSON.stringify(data), T0));
      old.prepare("INSERT INTO message_results VALUES ('nps', 'answered', 3), ('ghost', 'shown', 1), ('gone', 'shown', 1)").run();
      old.close();

      const { db, migration } = openDeliveryDb(file, { now: T0 });
      try {
        expect(migration.applied).toContain(3);
        const counts = db.prepare('SELECT message_id, metric, count FROM message_results ORDER BY message_id, metric').all();
        expect(counts).toEqual([
          { message_id: 'nps', metric: 'answered', count: 2 },
          { message_id: 'nps', metric: 'detractors', count: 1 },
          { message_id: 'nps', metric: 'passives', count: 1 },
          { message_id: 'nps', metric: 'shown', count: 1 },
        ]);
      } finally {
        db.close();
      }
    });
  });
});
