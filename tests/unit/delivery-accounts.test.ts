/**
 * Group calls at the delivery server (real server on loopback, real SQLite file): POST /v1/group stores
 * the user's membership and the account's traits within their caps, /v1/events exports group calls in
 * the Segment spec's shape, and decide judges account conditions from stored membership with the
 * shared evaluator, as the cache does.
 */
import { describe, expect, it } from 'vitest';
import { MAX_AHEAD_MS } from '../../src/delivery/future-clamp';
import { MAX_ACCOUNTS_PER_USER } from '../../src/delivery/store';
import { syncFromSource } from '../../src/main/ingest/sync';
import { SegmentService } from '../../src/main/segments/service';
import type { Rule } from '../../src/shared/segments/rule';
import { ADMIN_TOKEN, DAY, HOUR, T0, trackCall, useDeliveryServer, type Running } from './delivery-helpers';
import { useTempCache } from './helpers';

const start = useDeliveryServer();
const tempCache = useTempCache();

const iso = (ts: number): string => new Date(ts).toISOString();

function group(r: Running, userId: string, groupId: unknown, traits?: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  return r.client('POST', '/v1/group', { userId, groupId, ...(traits ? { traits } : {}), timestamp: iso(r.clock.now), ...extra });
}

const ENTERPRISE = { version: 1, match: 'all', conditions: [{ type: 'account', trait: 'plan', op: 'eq', value: 'enterprise' }] };

describe('POST /v1/group', () => {
  it('stores the membership and merges the account traits key by key, the later timestamp winning; a repeat is a duplicate', async () => {
    const r = await start();
    expect((await group(r, 'u1', 'acme', { plan: 'starter', seats: 10 }, { messageId: 'g1' })).json).toEqual({ accepted: 1, duplicates: 0 });
    expect((await group(r, 'u1', 'acme', { plan: 'starter', seats: 10 }, { messageId: 'g1' })).json).toEqual({ accepted: 0, duplicates: 1 });
    // Later, within the 5 minutes a client's clock may be ahead of the server's (further is clamped).
    await group(r, 'u2', 'acme', { plan: 'enterprise' }, { timestamp: iso(T0 + MAX_AHEAD_MS) });
    // Older, arriving later: it does not overwrite the newer plan, but its new key counts.
    await group(r, 'u3', 'acme', { plan: 'free', region: 'eu' }, { timestamp: iso(T0 - DAY) });
    const account = r.db.prepare('SELECT traits FROM accounts WHERE group_id = ?').pluck().get('acme') as string;
    expect(JSON.parse(account)).toEqual({ plan: 'enterprise', seats: 10, region: 'eu' });
    const members = r.db.prepare('SELECT user_id, since FROM account_members WHERE group_id = ? ORDER BY user_id').all('acme');
    expect(members).toEqual([
      { user_id: 'u1', since: T0 },
      { user_id: 'u2', since: T0 + MAX_AHEAD_MS },
      { user_id: 'u3', since: T0 - DAY },
    ]);
  });

  it('keeps the digits of a numeric groupId and a "__proto__" trait as plain data', async () => {
    const r = await start();
    await r.client('POST', '/v1/group', '{"userId":"u1","groupId":12345,"traits":{"__proto__":{"polluted":true},"plan":"pro"}}');
    const row = r.db.prepare('SELECT group_id, traits FROM accounts').get() as { group_id: string; traits: string };
    expect(row.group_id).toBe('12345');
    expect(row.traits).toBe('{"__proto__":{"polluted":true},"plan":"pro"}');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('refuses a bad call with a 400 that names the field, storing nothing', async () => {
    const r = await start();
    const cases: [unknown, RegExp][] = [
      [{ userId: 'u1' }, /groupId/],
      [{ userId: 'u1', groupId: '' }, /groupId: must not be empty/],
      [{ userId: 'u1', groupId: 'x'.repeat(201) }, /groupId: is longer than 200 characters/],
      [{ groupId: 'acme' }, /userId/],
      [{ userId: 'u1', groupId: 'acme', traits: ['plan'] }, /traits must be a JSON object/],
      [{ userId: 'u1', groupId: 'acme', timestamp: '2026-06-01 09:00' }, /The group call is not valid: .*timestamp/],
      [{ userId: 'u1', groupId: 'acme', traits: { blob: 'x'.repeat(40_000) } }, /more than the 32768-byte limit of a record/],
    ];
    for (const [body, message] of cases) {
      const reply = await r.client('POST', '/v1/group', body);
      expect([reply.status, reply.json.code], JSON.stringify(body).slice(0, 80)).toEqual([400, 'invalid_argument']);
      expect(reply.json.error).toMatch(message);
    }
    expect(r.db.prepare('SELECT count(*) FROM records').pluck().get()).toBe(0);
    expect(r.db.prepare('SELECT count(*) FROM accounts').pluck().get()).toBe(0);
  });

  it(`caps a user at ${MAX_ACCOUNTS_PER_USER} accounts and an account's merged traits at 32 KB: a 409 that says which, storing nothing`, async () => {
    const r = await start();
    for (let i = 0; i < MAX_ACCOUNTS_PER_USER; i++) expect((await group(r, 'busy', `a${i}`)).status).toBe(200);
    const over = await group(r, 'busy', 'one-too-many', { plan: 'pro' });
    expect([over.status, over.json.code]).toEqual([409, 'limit_reached']);
    expect(over.json.error).toBe(`The group call for account “one-too-many” was refused: the user already belongs to ${MAX_ACCOUNTS_PER_USER} accounts, the most one user may.`);
    // An account the user is already in still takes calls.
    expect((await group(r, 'busy', 'a0', { plan: 'pro' })).status).toBe(200);

    expect((await group(r, 'u1', 'big', { a: 'x'.repeat(20_000) })).status).toBe(200);
    const tooBig = await group(r, 'u2', 'big', { b: 'y'.repeat(20_000) });
    expect([tooBig.status, tooBig.json.code]).toEqual([409, 'limit_reached']);
    expect(tooBig.json.error).toMatch(/^The group call for account “big” was refused: the account's traits would be \d+ bytes of JSON, more than the 32768-byte limit\.$/);
    expect(r.db.prepare("SELECT count(*) FROM account_members WHERE group_id IN ('one-too-many', 'big')").pluck().get()).toBe(1);
    expect(r.db.prepare("SELECT count(*) FROM records WHERE group_id = 'one-too-many'").pluck().get()).toBe(0);
  });
});

describe('GET /v1/events exports group calls', () => {
  it("in the Segment spec's shape, in ingestion order among the other records", async () => {
    const r = await start();
    await r.identify('u1', { name: 'Ann' }, { messageId: 'i1' });
    await group(r, 'u1', 'acme', { name: 'Acme Inc', plan: 'enterprise' }, { messageId: 'g1' });
    await group(r, 'u2', 'tiny', undefined, { messageId: 'g2' });
    await r.track([{ ...trackCall('u1', 'report_run', T0), messageId: 't1' }]);
    const page = await r.admin('GET', '/v1/events');
    expect(page.status).toBe(200);
    expect(page.json.events.map((e: { messageId: string }) => e.messageId)).toEqual(['i1', 'g1', 'g2', 't1']);
    expect(page.json.events[1]).toEqual({
      type: 'group',
      messageId: 'g1',
      userId: 'u1',
      groupId: 'acme',
      traits: { name: 'Acme Inc', plan: 'enterprise' },
      timestamp: iso(T0),
    });
    expect(page.json.events[2]).toEqual({ type: 'group', messageId: 'g2', userId: 'u2', groupId: 'tiny', traits: {}, timestamp: iso(T0) });
  });
});

describe('decide judges account conditions from stored membership', () => {
  it('a member of an account that passes sees the message; a member of none does not, whatever the operator, unless negated', async () => {
    const r = await start();
    await r.identify('ent', {});
    await r.identify('both', {});
    await r.identify('free', {});
    await r.identify('lonely', { plan: 'enterprise' });
    await group(r, 'ent', 'acme', { plan: 'enterprise' });
    await group(r, 'both', 'tiny', { plan: 'free' });
    await group(r, 'both', 'acme');
    await group(r, 'free', 'tiny');
    await r.publish('upsell', { rule: ENTERPRISE });
    await r.publish('no-plan', { rule: { version: 1, match: 'all', conditions: [{ type: 'account', trait: 'plan', op: 'not_exists' }] } });
    await r.publish('not-enterprise', { rule: { version: 1, match: 'all', conditions: [{ ...ENTERPRISE.conditions[0], negate: true }] } });
    expect(await r.decideIds('ent')).toEqual(['upsell']);
    expect(await r.decideIds('both')).toEqual(['upsell']);
    expect(await r.decideIds('free')).toEqual(['not-enterprise']);
    // No account: not even not_exists holds; the negated condition does.
    expect(await r.decideIds('lonely')).toEqual(['not-enterprise']);
  });

  it("a group call after a decide changes the next decide: the member's cached profile and the account's traits both move", async () => {
    const r = await start();
    await r.identify('u1', {});
    await r.identify('u2', {});
    await r.publish('upsell', { rule: ENTERPRISE });
    expect(await r.decideIds('u1')).toEqual([]);
    await group(r, 'u1', 'acme', { plan: 'starter' });
    await group(r, 'u2', 'acme');
    expect(await r.decideIds('u1')).toEqual([]);
    expect(await r.decideIds('u2')).toEqual([]);
    // u2's call changes the account every member shares.
    r.clock.advance(HOUR);
    await group(r, 'u2', 'acme', { plan: 'enterprise' });
    expect(await r.decideIds('u1')).toEqual(['upsell']);
    expect(await r.decideIds('u2')).toEqual(['upsell']);
  });

  it('group calls are not records of activity: they make no one a user, and count for neither first nor last seen', async () => {
    const r = await start();
    await group(r, 'ghost', 'acme', { plan: 'enterprise' });
    const firstSeenToday = { type: 'first_seen', op: 'within', days: 1 };
    await r.publish('welcome-enterprise', { rule: { ...ENTERPRISE, conditions: [...ENTERPRISE.conditions, firstSeenToday] } });
    expect(await r.decideIds('ghost')).toEqual([]);
    r.clock.days(3);
    await r.track([trackCall('ghost', 'login', r.clock.now)]);
    // First seen is the login, three days after the group call.
    expect(await r.decideIds('ghost')).toEqual(['welcome-enterprise']);
  });

  it('membership and account traits are current: a call stamped later than now already counts', async () => {
    const r = await start();
    await r.identify('u1', {});
    await r.publish('upsell', { rule: ENTERPRISE });
    await group(r, 'u1', 'acme', { plan: 'enterprise' }, { timestamp: iso(T0 + 30 * DAY) });
    expect(await r.decideIds('u1')).toEqual(['upsell']);
  });

  it('a server restarted on the same database decides the same from the stored membership', async () => {
    const r = await start();
    await r.identify('u1', {});
    await group(r, 'u1', 'acme', { plan: 'enterprise' });
    await r.publish('upsell', { rule: ENTERPRISE });
    await r.stop();
    const again = await start({ dir: r.dir });
    expect(await again.decideIds('u1')).toEqual(['upsell']);
  });
});

describe('the same account rule at delivery and in the cache', () => {
  it("the companion's sync reads the exported group calls, and the cache counts the users decide shows the message to", async () => {
    const r = await start();
    const users = ['ent', 'both', 'free', 'lonely'];
    for (const user of users) await r.track([trackCall(user, 'login', T0 - DAY)]);
    await group(r, 'ent', 'acme', { plan: 'enterprise', name: 'Acme' });
    await group(r, 'both', 'tiny', { plan: 'free' });
    await group(r, 'both', 'acme');
    await group(r, 'free', 'tiny');
    const rules: Rule[] = [
      ENTERPRISE as Rule,
      { version: 1, match: 'all', conditions: [{ type: 'account', trait: 'plan', op: 'eq', value: 'enterprise', negate: true }] },
      { version: 1, match: 'all', conditions: [{ type: 'account', trait: 'name', op: 'not_exists' }] },
    ];
    // One kind per placement, so decide returns each message its rule lets through (one blocking message per decide).
    const kinds = ['nps', 'banner', 'slideout'];
    for (const [i, rule] of rules.entries()) await r.publish(`m${i}`, { kind: kinds[i], rule });

    const { db } = tempCache();
    const summary = await syncFromSource(db, { source: r.url, token: ADMIN_TOKEN, sleep: async () => undefined });
    expect(summary).toMatchObject({ rejected: 0 });
    expect(db.prepare('SELECT group_id, traits FROM accounts ORDER BY group_id').all()).toEqual([
      { group_id: 'acme', traits: JSON.stringify({ plan: 'enterprise', name: 'Acme' }) },
      { group_id: 'tiny', traits: JSON.stringify({ plan: 'free' }) },
    ]);
    const service = new SegmentService(db, () => T0);
    for (const [i, rule] of rules.entries()) {
      const shown: string[] = [];
      for (const user of users) if ((await r.decideIds(user)).includes(`m${i}`)) shown.push(user);
      expect(service.memberIds(rule, T0).sort(), JSON.stringify(rule)).toEqual(shown.sort());
    }
  });
});

