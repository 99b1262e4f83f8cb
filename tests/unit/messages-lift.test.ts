/**
 * Results with lift (src/main/messages/lift.ts) on small hand-built caches: the groups come from
 * message_assigned events (each user from their first assignment), conversions are goal events with
 * their filters inside the window after the assignment, the curves count each day over the users
 * observed that long, and the CLI prints the JSON shape.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/main/cli';
import { openCache } from '../../src/main/db/connection';
import { ESTIMATE_WEEKS, liftInWords, messageLift } from '../../src/main/messages/lift';
import { ESTIMATED_CONTROL_LABEL } from '../../src/shared/messages/lift-results';
import { SegmentService } from '../../src/main/segments/service';
import { WorkshopService } from '../../src/main/workshops/service';
import type { MessageGoal } from '../../src/shared/messages/model';
import type { Db } from '../../src/main/db/connection';
import { useTempCache, useTempDir } from './helpers';
import { modalDraft, testBackend, withSegment } from './messages-helpers';
import { buildWorld, DAY, type TestRecord } from './segments-helpers';

const tempCache = useTempCache();
const tempDir = useTempDir();

const T = Date.UTC(2026, 2, 1, 12);
const ASOF = T + 30 * DAY;
const GOAL: MessageGoal = { event: 'upgraded', withinDays: 14 };

const assigned = (user: string, group: 'exposed' | 'holdout', ts = T, messageId = 'upsell'): TestRecord => ({
  user,
  event: 'message_assigned',
  ts,
  properties: { message_id: messageId, group },
});
const upgraded = (user: string, ts: number, plan = 'growth'): TestRecord => ({ user, event: 'upgraded', ts, properties: { plan } });
const identify = (user: string, plan: string): TestRecord => ({ user, identify: { plan }, ts: T - 10 * DAY });

function deps(db: Db, asOf = ASOF) {
  const segments = new SegmentService(db, () => asOf);
  const workshops = new WorkshopService(db, () => asOf, segments);
  return { db, segments, workshops, asOf };
}

/** 6 exposed (3 convert), 4 held out (1 converts), and every way an event can fall outside. */
function world(): TestRecord[] {
  return [
    ...['e1', 'e2', 'e3', 'e4', 'e5', 'e6'].map((u) => identify(u, u === 'e1' || u === 'e2' ? 'starter' : 'growth')),
    ...['h1', 'h2', 'h3', 'h4'].map((u) => identify(u, 'starter')),
    ...['e1', 'e2', 'e3', 'e4', 'e5', 'e6'].map((u) => assigned(u, 'exposed')),
    ...['h1', 'h2', 'h3', 'h4'].map((u) => assigned(u, 'holdout')),
    // A second assignment (after an erasure, say) changes nothing: e1 counts from T, as exposed.
    assigned('e1', 'holdout', T + 2 * DAY),
    // Another message's assignment is not this one's.
    assigned('x1', 'exposed', T, 'other'),
    upgraded('e1', T + 1 * DAY),
    upgraded('e1', T + 2 * DAY), // a second conversion of the same user counts once
    upgraded('e2', T + 5 * DAY),
    upgraded('e3', T + 14 * DAY), // the window's last instant
    upgraded('e4', T + 14 * DAY + 1), // just past the window
    upgraded('e5', T - DAY), // before the assignment
    upgraded('e6', T + 3 * DAY, 'free'), // fails the goal's filter when it has one
    upgraded('h1', T + 3 * DAY),
    upgraded('h2', ASOF + DAY), // after the data's as-of
  ];
}

describe('messageLift', () => {
  it('counts each group from its assignment instant, within the window, the goal’s filters applied', () => {
    const { db } = tempCache();
    buildWorld(db, world());
    const plain = messageLift(deps(db), { id: 'upsell', goal: GOAL, holdout: 40 });
    // e6's upgrade counts without a filter: e1, e2, e3, e6 of 6; h1 of 4.
    expect(plain.exposed).toEqual({ users: 6, converted: 4, rate: 4 / 6 });
    expect(plain.holdout).toEqual({ users: 4, converted: 1, rate: 0.25 });
    const filtered = messageLift(deps(db), { id: 'upsell', goal: { ...GOAL, where: [{ property: 'plan', op: 'in', value: ['growth', 'pro'] }] }, holdout: 40 });
    expect(filtered.exposed).toEqual({ users: 6, converted: 3, rate: 0.5 });
    expect(filtered.lift.absolute).toBeCloseTo(0.25, 12);
    expect(filtered.lift.relative).toBeCloseTo(1, 12);
    expect(filtered.windowDays).toBe(14);
    expect(filtered.asOf).toBe(ASOF);
    // A shorter window: e2 (day 5) and e3 (day 14) fall out.
    const short = messageLift(deps(db), { id: 'upsell', goal: { ...GOAL, withinDays: 4 }, holdout: 40 });
    expect(short.exposed.converted).toBe(2);
  });

  it('draws cumulative curves by day since assignment over the users observed that long', () => {
    const { db } = tempCache();
    buildWorld(db, [...world(), assigned('late', 'exposed', ASOF - 2.5 * DAY), identify('late', 'growth')]);
    const r = messageLift(deps(db), { id: 'upsell', goal: GOAL, holdout: 40 });
    expect(r.curve).toHaveLength(14);
    // Day 1: e1 of the 6 observed a day or more ('late' only 2.5 days) plus 'late' = 7 users.
    expect(r.curve[0]).toEqual({ day: 1, exposed: 1 / 7, holdout: 0 });
    expect(r.curve[2]).toEqual({ day: 3, exposed: 2 / 6, holdout: 0.25 });
    expect(r.curve[13]).toEqual({ day: 14, exposed: 4 / 6, holdout: 0.25 });
  });

  it('says plainly when there are not enough users, and what the answer is', () => {
    const { db } = tempCache();
    buildWorld(db, world());
    const r = messageLift(deps(db), { id: 'upsell', goal: GOAL, holdout: 40 });
    expect(r.lift.ci95?.[0]).toBeLessThan(0);
    expect(r.sentence).toMatch(/^Users who saw it upgraded 41\.7 points more often \(95% CI −?\d+\.\d to \d+\.\d\); 6 vs 4 users\.$/);
    expect(r.neededPerGroup).toBeGreaterThan(1000);
    expect(r.caution).toBe(`Not enough users yet: need about ${r.neededPerGroup.toLocaleString('en-US')} per group for a 2-point difference (6 vs 4 so far).`);
    const other = messageLift(deps(db), { id: 'upsell', goal: { event: 'plan_changed', withinDays: 14 }, holdout: 40 });
    expect(other.sentence).toBe(`Users who saw it did “plan_changed” as often (95% CI ${(other.lift.ci95?.[0] ?? 0) * 100 < 0 ? '−' : ''}${Math.abs((other.lift.ci95?.[0] ?? 0) * 100).toFixed(1)} to ${((other.lift.ci95?.[1] ?? 0) * 100).toFixed(1)}); 6 vs 4 users.`);
    expect(other.lift.relative).toBeNull();
  });

  it('has no lift without a goal or without a holdout group, and says why', () => {
    const { db } = tempCache();
    buildWorld(db, world().filter((r) => !('event' in r) || r.event !== 'message_assigned' || r.properties?.group === 'exposed'));
    const noGoal = messageLift(deps(db), { id: 'upsell', holdout: 0 });
    expect(noGoal).toMatchObject({ goal: null, sentence: null, curve: [], caution: expect.stringMatching(/no goal/) });
    const noHoldout = messageLift(deps(db), { id: 'upsell', goal: GOAL, holdout: 0 });
    expect(noHoldout.holdout).toEqual({ users: 0, converted: 0, rate: null });
    expect(noHoldout.lift).toEqual({ absolute: null, relative: null, ci95: null });
    expect(noHoldout.caution).toMatch(/^No holdout group/);
    const none = messageLift(deps(db), { id: 'never-assigned', goal: GOAL, holdout: 10 });
    expect(none.exposed.users).toBe(0);
    expect(none.caution).toMatch(/^Not enough users yet: need about 388 per group/);
  });

  it('splits by segment and persona, membership as of asOf', async () => {
    const { db } = tempCache();
    buildWorld(db, world());
    const d = deps(db);
    d.segments.save({ id: 'seg_starter', name: 'Starter', rule: { version: 1, match: 'all', conditions: [{ type: 'trait', trait: 'plan', op: 'eq', value: 'starter' }] } });
    const r = messageLift(d, { id: 'upsell', goal: GOAL, holdout: 40 });
    const starter = r.bySegment.find((s) => s.label === 'Starter');
    // e1 and e2 (both converted) and the four held-out users.
    expect(starter?.exposed).toEqual({ users: 2, converted: 2, rate: 1 });
    expect(starter?.holdout).toEqual({ users: 4, converted: 1, rate: 0.25 });
    expect(starter?.lift.absolute).toBeCloseTo(0.75, 12);
    expect(r.byPersona).toEqual([]);
    // Judged by the SQL compiler instead of the JS evaluator (many assigned users): the same split.
    expect(messageLift(d, { id: 'upsell', goal: GOAL, holdout: 40 }, { jsMembershipMaxUsers: 0 }).bySegment).toEqual(r.bySegment);
    // A segment whose rule refers to another is judged with the reference inlined.
    d.segments.save({ id: 'seg_ref', name: 'Refers', rule: { version: 1, match: 'all', conditions: [{ type: 'segment', segment: 'seg_starter' }] } });
    expect(messageLift(d, { id: 'upsell', goal: GOAL, holdout: 40 }).bySegment.find((s) => s.label === 'Refers')?.exposed.users).toBe(2);
    // Rules on first and last seen and on events of other names: the profiles loaded for the rules (only
    // the names they count, seen times from the users table; h2 has a record after asOf, so loads whole)
    // split as the SQL compiler does, at asOf and at an earlier instant.
    d.segments.save({ id: 'seg_recent', name: 'Seen lately', rule: { version: 1, match: 'all', conditions: [{ type: 'last_seen', op: 'within', days: 20 }] } });
    d.segments.save({ id: 'seg_old', name: 'Old hands', rule: { version: 1, match: 'all', conditions: [{ type: 'first_seen', op: 'before', days: 35 }] } });
    d.segments.save({ id: 'seg_upgraded', name: 'Upgraded to growth', rule: { version: 1, match: 'all', conditions: [{ type: 'event', event: 'upgraded', op: '>=', count: 1, where: [{ property: 'plan', op: 'eq', value: 'growth' }] }] } });
    for (const asOf of [ASOF, T + 10 * DAY]) {
      const at = deps(db, asOf);
      const js = messageLift(at, { id: 'upsell', goal: GOAL, holdout: 40 });
      expect(messageLift(at, { id: 'upsell', goal: GOAL, holdout: 40 }, { jsMembershipMaxUsers: 0 }).bySegment).toEqual(js.bySegment);
      expect(js.bySegment.filter((x) => x.exposed.users + x.holdout.users > 0).length).toBeGreaterThan(2);
    }
  });
});

describe('a control estimated from history, without a holdout', () => {
  const hit = (user: string, ts: number): TestRecord => ({ user, event: 'usage_limit_hit', ts, properties: { limit: 'projects' } });
  /**
   * e1-e3 were assigned (exposed) when they hit the limit at T; c1-c3 hit it at T + 2 days and were never
   * assigned (outside the rollout while it was live, or history imported from a warehouse): the replay
   * finds they would have seen it then. g1 is not in the segment, o1 hit it before the replay's weeks.
   */
  function history(): TestRecord[] {
    return [
      ...['e1', 'e2', 'e3', 'c1', 'c2', 'c3', 'o1'].map((u) => identify(u, 'starter')),
      identify('g1', 'growth'),
      ...['e1', 'e2', 'e3'].flatMap((u) => [hit(u, T), assigned(u, 'exposed', T + 400)]),
      ...['c1', 'c2', 'c3', 'g1'].map((u) => hit(u, T + 2 * DAY)),
      hit('o1', ASOF - (ESTIMATE_WEEKS + 1) * 7 * DAY),
      upgraded('e1', T + DAY),
      upgraded('c1', T + 5 * DAY), // within 14 days of c1's would-be impression: converts
      upgraded('c2', T + DAY), // before c2's would-be impression: does not
      upgraded('g1', T + 3 * DAY),
      upgraded('o1', ASOF - (ESTIMATE_WEEKS + 1) * 7 * DAY + DAY),
    ];
  }

  async function backendWith(file: string, draft: Partial<Parameters<typeof modalDraft>[0]>) {
    const cache = openCache(file);
    buildWorld(cache.db, history());
    const b = testBackend({ db: cache.db, path: cache.path });
    await withSegment(b);
    await b.handlers.saveMessage({ message: modalDraft({ id: 'upsell', goal: GOAL, holdout: 0, rollout: 50, trigger: { event: { name: 'usage_limit_hit' } }, ...draft }) });
    await b.handlers.setDataAsOf({ asOf: ASOF });
    return { b, cache };
  }

  it('estimates it from the users the replay finds eligible but never assigned, each from their first would-be impression, and labels it', async () => {
    const { b, cache } = await backendWith(join(tempDir(), 'cache.db'), {});
    const r = await b.handlers.messageLift({ id: 'upsell' });
    expect(r.control).toBe('estimated');
    expect(r.exposed).toEqual({ users: 3, converted: 1, rate: 1 / 3 });
    // c1, c2, c3 (not g1, outside the segment; not o1, before the replay's weeks; not e1-e3, assigned); c1 converts.
    expect(r.holdout).toEqual({ users: 3, converted: 1, rate: 1 / 3 });
    expect(r.sentence).toMatch(new RegExp(`; 3 vs 3 users \\(control ${ESTIMATED_CONTROL_LABEL}\\)\\.$`));
    expect(r.caution).toContain(`the control is ${ESTIMATED_CONTROL_LABEL}`);
    expect(liftInWords(r)).toContain(`control ${ESTIMATED_CONTROL_LABEL}`);
    // The curve counts c1 from T + 2 days: converted within day 3 of it.
    expect(r.curve[2]).toEqual({ day: 3, exposed: 1 / 3, holdout: 1 / 3 });
    expect(r.curve[1]?.holdout).toBe(0);
    // Without the draft and the other messages (no replay asked), there is no control at all.
    const plain = messageLift(deps(cache.db), { id: 'upsell', goal: GOAL, holdout: 0 });
    expect(plain.control).toBe('none');
    expect(plain.holdout.users).toBe(0);
    b.close();
    cache.db.close();
  });

  it('is never used beside a real holdout, and says so in the CLI’s JSON and text', async () => {
    const file = join(tempDir(), 'cache.db');
    const { b, cache } = await backendWith(file, {});
    b.close();
    cache.db.close();
    const out: string[] = [];
    expect(await runCli(['message', 'results', 'upsell', '--db', file, '--json'], { stdout: (t) => out.push(t), stderr: (t) => out.push(t) })).toBe(0);
    expect(JSON.parse(out[0] as string)).toMatchObject({ control: 'estimated', holdout: { users: 3, converted: 1 }, exposed: { users: 3, converted: 1 } });
    const text: string[] = [];
    expect(await runCli(['message', 'results', 'upsell', '--db', file], { stdout: (t) => text.push(t), stderr: (t) => text.push(t) })).toBe(0);
    expect(text.join('\n')).toContain(`control  3 users  1 converted  33.3%  (${ESTIMATED_CONTROL_LABEL})`);

    const held = await backendWith(join(tempDir(), 'held.db'), { id: 'upsell', holdout: 10 });
    const r = await held.b.handlers.messageLift({ id: 'upsell' });
    expect(r.control).toBe('holdout');
    expect(r.holdout.users).toBe(0);
    held.b.close();
    held.cache.db.close();
  });
});

describe('guidepost message results', () => {
  it('prints the groups, the lift with its interval, the window and the as-of as JSON', async () => {
    const file = join(tempDir(), 'cache.db');
    const cache = openCache(file);
    buildWorld(cache.db, world());
    const b = testBackend({ db: cache.db, path: cache.path });
    await withSegment(b);
    await b.handlers.saveMessage({ message: modalDraft({ id: 'upsell', goal: GOAL, holdout: 40 }) });
    await b.handlers.setDataAsOf({ asOf: ASOF });
    b.close();
    cache.db.close();
    const out: string[] = [];
    const code = await runCli(['message', 'results', 'upsell', '--db', file, '--json'], { stdout: (t) => out.push(t), stderr: (t) => out.push(t) });
    expect(code).toBe(0);
    const json = JSON.parse(out[0] as string);
    expect(json).toMatchObject({
      control: 'holdout',
      exposed: { users: 6, converted: 4, rate: 4 / 6 },
      holdout: { users: 4, converted: 1, rate: 0.25 },
      lift: { absolute: expect.closeTo(4 / 6 - 0.25, 12), relative: expect.closeTo((4 / 6 - 0.25) / 0.25, 12), ci95: [expect.any(Number), expect.any(Number)] },
      windowDays: 14,
      asOf: new Date(ASOF).toISOString(),
    });
    const text: string[] = [];
    expect(await runCli(['message', 'results', 'upsell', '--db', file], { stdout: (t) => text.push(t), stderr: (t) => text.push(t) })).toBe(0);
    expect(text.join('\n')).toMatch(/exposed {2}6 users {2}4 converted {2}66\.7%/);
    const missing: string[] = [];
    expect(await runCli(['message', 'results', '--db', file], { stdout: (t) => missing.push(t), stderr: (t) => missing.push(t) })).not.toBe(0);
    expect(missing.join('\n')).toMatch(/name the message/);
  });
});
