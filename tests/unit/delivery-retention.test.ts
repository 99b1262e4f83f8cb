/**
 * Retention at the delivery server (issue 16, privacy): opt-in, by arrival, in batches that give the
 * event loop back to waiting requests, erase markers exempt, and never at the cost of frequency: a
 * once-only message stays shown-once after the message_shown record's day has passed.
 */
import { describe, expect, it } from 'vitest';
import { DAY, T0, trackCall, useDeliveryServer, type Running } from './delivery-helpers';

const start = useDeliveryServer();

const count = (r: Running, where = '1'): number => r.db.prepare(`SELECT count(*) FROM records WHERE ${where}`).pluck().get() as number;

describe('retention', () => {
  it('is off by default: nothing is pruned however old', async () => {
    const r = await start();
    expect((await r.track([trackCall('u1', 'login', T0)])).json.accepted).toBe(1);
    r.clock.days(5_000);
    expect(await r.server.pruneExpired()).toBe(0);
    expect(count(r)).toBe(1);
  });

  it('prunes records that arrived more than the days ago, keeps newer ones and erase markers', async () => {
    const r = await start({ retainDays: 30 });
    // Both arrive on day 0; one is dated a year back (arrival is what ages a record, not its instant).
    await r.track([trackCall('old', 'login', T0), trackCall('old', 'login', T0 - 365 * DAY)]);
    await r.identify('gone', { plan: 'pro' });
    expect((await r.admin('DELETE', '/v1/users/gone')).status).toBe(200);
    r.clock.days(20);
    await r.track([trackCall('new', 'login', r.clock.now - 400 * DAY)]);
    expect(await r.server.pruneExpired()).toBe(0);
    r.clock.days(11);
    expect(await r.server.pruneExpired()).toBe(2);
    const left = (await r.admin('GET', '/v1/events')).json.events as { type: string; userId: string }[];
    expect(left.map((e) => [e.type, e.userId])).toEqual([
      ['erase', 'gone'],
      ['track', 'new'],
    ]);
    r.clock.days(5_000);
    expect(await r.server.pruneExpired()).toBe(1);
    expect(count(r, "type = 'erase'")).toBe(1);
  });

  it('never makes a once-only message show again', async () => {
    const r = await start({ retainDays: 7 });
    await r.publish('once', { kind: 'banner', frequency: { once: true } }); // a banner: besides the blocking one
    await r.publish('cooled', { kind: 'nps', content: { question: 'How likely?' }, frequency: { maxTimes: 1 } });
    await r.identify('u1', {});
    expect(await r.decideIds('u1')).toEqual(['cooled', 'once']);
    await r.shown('u1', 'once');
    await r.shown('u1', 'cooled');
    r.clock.days(30);
    // She is back (a user with no record at all is in no segment, whatever frequency says).
    await r.identify('u1', { plan: 'pro' });
    await r.server.pruneExpired();
    // The first identify call went (so pruning did run over this user); what frequency reads did not.
    expect(count(r, "type = 'identify'")).toBe(1);
    expect(await r.decideIds('u1')).toEqual([]);
  });

  it('keeps the latest survey answers (like the latest NPS answer): a survey condition holds after the answer record is pruned', async () => {
    const r = await start({ retainDays: 7 });
    await r.publish('csat', { kind: 'survey', content: { questions: [{ id: 'sat', type: 'csat', prompt: 'How satisfied are you?' }] } });
    await r.admin('POST', '/v1/messages/csat/pause');
    await r.publish('unhappy', { rule: { version: 1, match: 'all', conditions: [{ type: 'survey', message: 'csat', question: 'sat', score: { max: 2 } }] } });
    await r.track([trackCall('u1', 'survey_answered', T0, { message_id: 'csat', question_id: 'sat', survey: 'csat', score: 1 })]);
    expect(await r.decideIds('u1')).toEqual(['unhappy']);
    r.clock.days(8);
    await r.identify('u1', {});
    await r.server.pruneExpired();
    expect(count(r, "name = 'survey_answered'")).toBe(0);
    expect(r.db.prepare('SELECT count(*) FROM survey_answers').pluck().get()).toBe(1);
    expect(await r.decideIds('u1')).toEqual(['unhappy']);
  });

  it('forgets the profiles it pruned from: decide no longer counts an event that is gone', async () => {
    const r = await start({ retainDays: 7 });
    await r.publish('ran', { rule: { version: 1, match: 'all', conditions: [{ type: 'event', event: 'report_run', op: '>=', count: 1 }] } });
    await r.track([trackCall('u1', 'report_run', T0)]);
    expect(await r.decideIds('u1')).toEqual(['ran']);
    r.clock.days(8);
    // The event; the message_assigned record decide wrote when it first chose 'ran' for her stays (KEPT_FOR_LIFT).
    expect(await r.server.pruneExpired()).toBe(1);
    expect(await r.decideIds('u1')).toEqual([]);
  });

  it('keeps decide\'s assignments whatever their age: lift reads them, and the user is not assigned again', async () => {
    // No profile cache: every decide asks the store whether the user is assigned.
    const r = await start({ retainDays: 7, profileCacheSize: 0 });
    await r.publish('everyone', { rule: { version: 1, match: 'all', conditions: [] } });
    await r.identify('u1', {});
    expect(await r.decideIds('u1')).toEqual(['everyone']);
    await r.admin('GET', '/v1/events?limit=1');
    const assigned = (): unknown[] => r.db.prepare("SELECT record_id, ts FROM records WHERE name = 'message_assigned'").all();
    const before = assigned();
    expect(before).toHaveLength(1);
    r.clock.days(400);
    // The identify call goes; the assignment stays, and a pass steps over nothing to find that out.
    expect(await r.server.pruneExpired()).toBe(1);
    expect(assigned()).toEqual(before);
    // The stored assignment is read: no second one, no new instant.
    expect(await r.decideIds('u1')).toEqual(['everyone']);
    await r.admin('GET', '/v1/events?limit=1');
    expect(assigned()).toEqual(before);
    const exported = (await r.admin('GET', '/v1/events')).json.events as { event?: string; userId: string }[];
    expect(exported.filter((e) => e.event === 'message_assigned').map((e) => e.userId)).toEqual(['u1']);
  });

  it('prunes the profile store\'s copies with the records, keeping its counts true, so the cap fills again', async () => {
    const r = await start({ retainDays: 7, profileEventsPerName: 2 });
    await r.publish('twice', { rule: { version: 1, match: 'all', conditions: [{ type: 'event', event: 'report_run', op: '>=', count: 2 }] } });
    await r.track([trackCall('u1', 'report_run', T0 - 2), trackCall('u1', 'report_run', T0 - 1)]);
    const kept = (): number => r.db.prepare("SELECT count(*) FROM profile_events WHERE user_id = 'u1'").pluck().get() as number;
    const counted = (): number => r.db.prepare("SELECT coalesce(sum(count), 0) FROM profile_event_counts WHERE user_id = 'u1'").pluck().get() as number;
    expect([kept(), counted()]).toEqual([2, 2]);
    expect(await r.decideIds('u1')).toEqual(['twice']);
    r.clock.days(8);
    // Both events; the message_assigned record of her first decide stays (KEPT_FOR_LIFT).
    expect(await r.server.pruneExpired()).toBe(2);
    expect([kept(), counted()]).toEqual([0, 0]);
    expect(await r.decideIds('u1')).toEqual([]);
    // Two new ones fill the cap again (a count left at 2 would have dropped the second for the first).
    await r.track([trackCall('u1', 'report_run', r.clock.now - 60_000), trackCall('u1', 'report_run', r.clock.now - 30_000)]);
    expect([kept(), counted()]).toEqual([2, 2]);
    expect(await r.decideIds('u1')).toEqual(['twice']);
  });

  it('prunes in batches and answers requests between them', async () => {
    let r: Running | null = null;
    const between: { left: number; health: number; decide: number }[] = [];
    r = await start({
      retainDays: 1,
      retention: {
        batchSize: 500,
        // Between two batches, a client's requests are answered before the pass goes on.
        yieldBetweenSteps: async () => {
          const running = r as Running;
          const health = await running.raw('GET', '/v1/health');
          const decide = await running.client('POST', '/v1/decide', { userId: 'u1' });
          between.push({ left: count(running), health: health.status, decide: decide.status });
        },
      },
    });
    const batch = Array.from({ length: 1_200 }, (_, i) => trackCall(`u${i % 7}`, 'login', T0 + i));
    expect((await r.track(batch)).json.accepted).toBe(1_200);
    r.clock.days(2);
    expect(await r.server.pruneExpired()).toBe(1_200);
    expect(between).toEqual([
      { left: 700, health: 200, decide: 200 },
      { left: 200, health: 200, decide: 200 },
    ]);
    expect(count(r)).toBe(0);
  });

  it('stops a running pass at its next step when the server closes, before the database does', async () => {
    let release: () => void = () => undefined;
    let yielded = 0;
    const r = await start({
      retainDays: 1,
      retention: {
        batchSize: 500,
        yieldBetweenSteps: () => {
          yielded += 1;
          return new Promise<void>((resolve) => (release = resolve));
        },
      },
    });
    expect((await r.track(Array.from({ length: 1_200 }, (_, i) => trackCall(`u${i % 7}`, 'login', T0 + i)))).json.accepted).toBe(1_200);
    r.clock.days(2);
    const pass = r.server.pruneExpired();
    while (yielded === 0) await new Promise((resolve) => setImmediate(resolve));
    let closed = false;
    const closing = r.server.close().then(() => (closed = true));
    for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve));
    // The pass is between its first and second step: close waits for it.
    expect(closed).toBe(false);
    release();
    await closing;
    expect(await pass).toBe(500);
    expect(count(r)).toBe(700);
  });
});
