/**
 * Verified identity (issue 16, item 2) and what it adds to honest results (item 3): with identity
 * secrets, every client call for a userId needs X-Guidepost-User-Hash = HMAC-SHA256(secret, userId),
 * hex. Against a real server on loopback; the hashes are computed here with node:crypto, as a
 * customer's backend would, not with the server's own helper.
 */
import { createHmac } from 'node:crypto';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createDeliveryServer } from '../../src/delivery/server';
import { openDeliveryDb } from '../../src/delivery/db';
import { createIdentityVerifier, EXPECTED_HASH_CACHE } from '../../src/delivery/pipeline/identity';
import { secretListOption, type CommandContext } from '../../src/main/cli/command';
import { ADMIN_TOKEN, ORIGIN, PUBLIC_KEY, T0, trackCall, useDeliveryServer, type Reply, type Running } from './delivery-helpers';
import { useTempDir } from './helpers';

const start = useDeliveryServer();
const tempDir = useTempDir();

const SECRET = 'identity-secret-current-0123456789';
const PREVIOUS = 'identity-secret-previous-9876543210';
const OTHER = 'identity-secret-not-configured-0000';

/** What the customer's backend runs: the two-line snippet of docs/DELIVERY.md. */
const hashOf = (userId: string, secret = SECRET): string => createHmac('sha256', secret).update(userId).digest('hex');

const HASH = 'X-Guidepost-User-Hash';
const at = new Date(T0).toISOString();

type Call = { path: string; body: (userId: string) => Record<string, unknown> };

/** One call of each kind the SDK makes, for a user. */
const CALLS: Call[] = [
  { path: '/v1/decide', body: (userId) => ({ userId, url: 'https://app.example.com/reports' }) },
  { path: '/v1/identify', body: (userId) => ({ userId, traits: { plan: 'pro' }, timestamp: at }) },
  { path: '/v1/group', body: (userId) => ({ userId, groupId: 'acme', traits: { tier: 'gold' }, timestamp: at }) },
  { path: '/v1/track', body: (userId) => ({ batch: [trackCall(userId, 'report_run', T0)] }) },
  { path: '/v1/track', body: (userId) => ({ batch: [{ type: 'page', userId, timestamp: at, properties: { path: '/reports' } }] }) },
  { path: '/v1/track', body: (userId) => ({ batch: [{ type: 'screen', name: 'Home', userId, timestamp: at }] }) },
  { path: '/v1/track', body: (userId) => ({ batch: [{ type: 'identify', userId, traits: { plan: 'pro' }, timestamp: at }] }) },
];

async function exported(r: Running): Promise<{ userId: string; type: string; event?: string }[]> {
  const reply = await r.admin('GET', '/v1/events');
  expect(reply.status).toBe(200);
  return reply.json.events as { userId: string; type: string; event?: string }[];
}

function expectUnverified(reply: Reply, userId: string): void {
  expect(reply.status, reply.text).toBe(401);
  expect(reply.json.code).toBe('unverified_user');
  expect(reply.json.error).toContain(JSON.stringify(userId));
  expect(reply.json.error).toMatch(/X-Guidepost-User-Hash/);
}

describe('verified identity', () => {
  it('without a secret, every call for any userId goes through as before', async () => {
    const r = await start();
    for (const call of CALLS) {
      const reply = await r.client('POST', call.path, call.body('anyone@example.com'));
      expect(reply.status, `${call.path} ${reply.text}`).toBe(200);
    }
  });

  it('with a secret, decide, identify, group, track, page, screen and a batched identify need the user’s hash: missing or wrong is 401 and stores nothing', async () => {
    const r = await start({ identitySecrets: [SECRET] });
    const user = 'victim@corp.com';
    for (const call of CALLS) {
      const what = `${call.path} ${JSON.stringify(call.body(user)).slice(0, 60)}`;
      expectUnverified(await r.client('POST', call.path, call.body(user)), user);
      // Another user's valid hash, the hash under a secret the server does not have, and junk.
      for (const wrong of [hashOf('mallory@evil.test'), hashOf(user, OTHER), 'not-a-hash', '']) {
        const reply = await r.client('POST', call.path, call.body(user), { [HASH]: wrong });
        expect(reply.status, `${what} with ${wrong}`).toBe(401);
      }
    }
    expect(await exported(r)).toEqual([]);
    for (const call of CALLS) {
      const reply = await r.client('POST', call.path, call.body(user), { [HASH]: hashOf(user) });
      expect(reply.status, `${call.path} ${reply.text}`).toBe(200);
    }
    // Upper-case hex is the same hash.
    expect((await r.client('POST', '/v1/decide', { userId: user }, { [HASH]: hashOf(user).toUpperCase() })).status).toBe(200);
    expect((await exported(r)).every((record) => record.userId === user)).toBe(true);
  });

  it('a numeric userId is signed as its digits', async () => {
    const r = await start({ identitySecrets: [SECRET] });
    expect((await r.client('POST', '/v1/decide', { userId: 42 }, { [HASH]: hashOf('42') })).status).toBe(200);
    // Sent as JSON text: a JS number literal would already have lost the last digit.
    const big = '{"userId": 9007199254740993}';
    expect((await r.client('POST', '/v1/decide', big, { [HASH]: hashOf('9007199254740993') })).status).toBe(200);
    expect((await r.client('POST', '/v1/decide', big, { [HASH]: hashOf('9007199254740992') })).status).toBe(401);
  });

  it('accepts the hash under either of two secrets (rotation) and refuses one under a third', async () => {
    const r = await start({ identitySecrets: [SECRET, PREVIOUS] });
    for (const secret of [SECRET, PREVIOUS]) {
      expect((await r.client('POST', '/v1/identify', { userId: 'u1', traits: { plan: 'pro' } }, { [HASH]: hashOf('u1', secret) })).status).toBe(200);
      expect((await r.client('POST', '/v1/decide', { userId: 'u1' }, { [HASH]: hashOf('u1', secret) })).status).toBe(200);
      const track = await r.client('POST', '/v1/track', { batch: [trackCall('u1', 'report_run', T0)] }, { [HASH]: hashOf('u1', secret) });
      expect(track.json).toMatchObject({ accepted: 1, rejected: [] });
    }
    expectUnverified(await r.client('POST', '/v1/decide', { userId: 'u1' }, { [HASH]: hashOf('u1', OTHER) }), 'u1');
    expectUnverified(await r.client('POST', '/v1/track', { batch: [trackCall('u1', 'report_run', T0)] }, { [HASH]: hashOf('u1', OTHER) }), 'u1');
  });

  it('in a batch, each record of another user than the hashed one is rejected with the reason; the user’s own are stored', async () => {
    const r = await start({ identitySecrets: [SECRET] });
    const batch = [
      trackCall('u1', 'report_run', T0),
      trackCall('victim', 'report_run', T0),
      { type: 'identify', userId: 'victim', traits: { plan: 'enterprise' }, timestamp: at },
      { type: 'page', anonymousId: 'victim', timestamp: at },
      trackCall('u1', 'export_done', T0),
      { type: 'track', event: 'nobody', timestamp: at },
    ];
    const reply = await r.client('POST', '/v1/track', { batch }, { [HASH]: hashOf('u1') });
    expect(reply.status).toBe(200);
    expect(reply.json.accepted).toBe(2);
    expect(reply.json.rejected.map((x: { index: number }) => x.index)).toEqual([1, 2, 3, 5]);
    for (const index of [1, 2, 3]) {
      expect(reply.json.rejected.find((x: { index: number }) => x.index === index).reason).toBe(
        'user "victim" is not verified: the X-Guidepost-User-Hash header does not match it',
      );
    }
    expect(reply.json.rejected[3].reason).toMatch(/missing user/);
    expect((await exported(r)).map((record) => `${record.userId} ${record.event ?? record.type}`)).toEqual(['u1 report_run', 'u1 export_done']);
  });

  it('an anonymous record is verified by its anonymousId, which shares the userId namespace', async () => {
    const r = await start({ identitySecrets: [SECRET] });
    const page = { type: 'page', anonymousId: 'anon-7f3a', timestamp: at, properties: { path: '/pricing' } };
    expectUnverified(await r.client('POST', '/v1/track', { batch: [page] }), 'anon-7f3a');
    const signed = await r.client('POST', '/v1/track', { batch: [page] }, { [HASH]: hashOf('anon-7f3a') });
    expect(signed.json).toMatchObject({ accepted: 1, rejected: [] });
    // With both ids, the userId is the record's user, so the userId's hash is what counts.
    const both = { type: 'page', userId: 'u1', anonymousId: 'anon-7f3a', timestamp: at, messageId: 'both-1' };
    expectUnverified(await r.client('POST', '/v1/track', { batch: [both] }, { [HASH]: hashOf('anon-7f3a') }), 'u1');
    expect((await r.client('POST', '/v1/track', { batch: [both] }, { [HASH]: hashOf('u1') })).json.accepted).toBe(1);
  });

  it('browsers may send the hash header: the preflight allows it', async () => {
    const r = await start({ identitySecrets: [SECRET] });
    const preflight = await r.raw('OPTIONS', '/v1/decide', {
      headers: { Origin: ORIGIN, 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'content-type,x-guidepost-key,x-guidepost-user-hash' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers['access-control-allow-headers']?.toLowerCase().split(/,\s*/)).toContain('x-guidepost-user-hash');
  });

  it('refuses a third secret, a short one, and one equal to the public key or the admin token', () => {
    const dir = tempDir();
    const { db } = openDeliveryDb(join(dir, 'd.db'), { now: T0 });
    try {
      const make = (identitySecrets: string[]) => () => createDeliveryServer({ db, adminToken: ADMIN_TOKEN, publicKey: PUBLIC_KEY, identitySecrets });
      expect(make([SECRET, PREVIOUS, OTHER])).toThrow(/At most 2 identity secrets/);
      expect(make(['short'])).toThrow(/at least 16 characters/);
      expect(make([SECRET, PUBLIC_KEY])).toThrow(/public key/);
      expect(make([ADMIN_TOKEN])).toThrow(/admin token/);
    } finally {
      db.close();
    }
  });
});

describe('the verifier', () => {
  it('keeps verifying every user past its cache of expected hashes, and never a wrong hash', () => {
    const verifier = createIdentityVerifier([SECRET, PREVIOUS], ADMIN_TOKEN, PUBLIC_KEY);
    expect(verifier).not.toBeNull();
    const users = Array.from({ length: EXPECTED_HASH_CACHE + 50 }, (_, i) => `user-${i}`);
    for (const user of users) expect(verifier?.verifies(user, hashOf(user))).toBe(true);
    // The first ones were pushed out of the cache and are computed again; the cached ones are still checked.
    for (const user of [users[0] as string, users[users.length - 1] as string]) {
      expect(verifier?.verifies(user, hashOf(user, PREVIOUS))).toBe(true);
      expect(verifier?.verifies(user, hashOf(`${user}x`))).toBe(false);
      expect(verifier?.verifies(user, hashOf(user, OTHER))).toBe(false);
      expect(verifier?.verifies(user, undefined)).toBe(false);
    }
    expect(createIdentityVerifier([], ADMIN_TOKEN, PUBLIC_KEY)).toBeNull();
  });
});

describe('secretListOption: several secrets for rotation', () => {
  const context = (values: CommandContext['values'], notes: string[]): CommandContext => ({
    positionals: [],
    values,
    json: false,
    note: (line) => notes.push(line),
    out: () => undefined,
  });
  const option = { flag: 'identity-secret', fileFlag: 'identity-secret-file', envVar: 'GUIDEPOST_TEST_IDENTITY_SECRETS' };

  it('takes a repeated flag with one warning, or a comma-separated environment variable silently', () => {
    const notes: string[] = [];
    const repeated = { 'identity-secret': [SECRET, PREVIOUS] } as unknown as CommandContext['values'];
    expect(secretListOption(context(repeated, notes), option)).toEqual([SECRET, PREVIOUS]);
    expect(notes).toHaveLength(1);
    expect(notes[0]).toMatch(/warning: a secret given with --identity-secret is visible.*GUIDEPOST_TEST_IDENTITY_SECRETS or --identity-secret-file/);
    process.env.GUIDEPOST_TEST_IDENTITY_SECRETS = ` ${SECRET}, ${PREVIOUS} ,`;
    try {
      const quiet: string[] = [];
      expect(secretListOption(context({}, quiet), option)).toEqual([SECRET, PREVIOUS]);
      expect(quiet).toEqual([]);
    } finally {
      delete process.env.GUIDEPOST_TEST_IDENTITY_SECRETS;
    }
    expect(secretListOption(context({}, []), option)).toEqual([]);
  });

  it('reads each of a repeated --identity-secret-file, refuses one others may read, and a flag with a file', () => {
    const file = (name: string, content: string, mode: number): string => {
      const path = join(tempDir(), name);
      writeFileSync(path, content);
      chmodSync(path, mode);
      return path;
    };
    const files = [file('current', `${SECRET}\n`, 0o600), file('previous', PREVIOUS, 0o400)];
    const notes: string[] = [];
    const values = { 'identity-secret-file': files } as unknown as CommandContext['values'];
    expect(secretListOption(context(values, notes), option)).toEqual([SECRET, PREVIOUS]);
    expect(notes).toEqual([]);
    if (process.platform !== 'win32') {
      const open = { 'identity-secret-file': [file('open', SECRET, 0o644)] } as unknown as CommandContext['values'];
      expect(() => secretListOption(context(open, []), option)).toThrow(/--identity-secret-file: .* is open to other users/);
    }
    const both = { 'identity-secret': [SECRET], 'identity-secret-file': files } as unknown as CommandContext['values'];
    expect(() => secretListOption(context(both, []), option)).toThrow(/not both/);
  });
});

describe('counters: replays and forgeries', () => {
  async function results(r: Running): Promise<Record<string, number>> {
    const reply = await r.admin('GET', '/v1/messages/nps');
    expect(reply.status).toBe(200);
    return reply.json.message.results as Record<string, number>;
  }
  const answer = (userId: string, score: number): Record<string, unknown> =>
    trackCall(userId, 'survey_answered', T0, { message_id: 'nps', survey: 'nps', score });
  const shown = (userId: string): Record<string, unknown> => trackCall(userId, 'message_shown', T0, { message_id: 'nps' });
  const renumbered = (batch: Record<string, unknown>[], tag: string): Record<string, unknown>[] =>
    batch.map((record) => ({ ...record, messageId: `${String(record.messageId)}-${tag}` }));

  for (const verified of [false, true]) {
    it(`a replayed batch moves no counter (${verified ? 'with' : 'without'} verification)`, async () => {
      const r = await start(verified ? { identitySecrets: [SECRET] } : {});
      await r.publish('nps', { kind: 'nps', content: { question: 'Recommend us?' } });
      const headers: Record<string, string> = verified ? { [HASH]: hashOf('u1') } : {};
      const batch = [shown('u1'), answer('u1', 9)];
      expect((await r.client('POST', '/v1/track', { batch }, headers)).json).toMatchObject({ accepted: 2 });
      const before = await results(r);
      expect(before).toMatchObject({ shown: 1, answered: 1, promoters: 1 });
      // The same batch again (a captured request: with verification its hash is valid too) is all duplicates.
      expect((await r.client('POST', '/v1/track', { batch }, headers)).json).toMatchObject({ accepted: 0, duplicates: 2 });
      // With fresh messageIds it is stored again, and still counts that user once.
      expect((await r.client('POST', '/v1/track', { batch: renumbered(batch, 'again') }, headers)).json).toMatchObject({ accepted: 2 });
      expect(await results(r)).toEqual(before);
    });
  }

  it('a forged answer for another user moves the counters without verification', async () => {
    const r = await start();
    await r.publish('nps', { kind: 'nps', content: { question: 'Recommend us?' } });
    await r.track([shown('u1'), answer('u1', 10)]);
    expect(await results(r)).toMatchObject({ shown: 1, answered: 1, promoters: 1, detractors: 0 });
    // Anyone with the public key answers for a user who never saw the survey.
    expect((await r.track([shown('victim'), answer('victim', 0)])).json).toMatchObject({ accepted: 2 });
    expect(await results(r)).toMatchObject({ shown: 2, answered: 2, promoters: 1, detractors: 1 });
  });

  it('a forged answer for another user is refused with verification, and moves nothing', async () => {
    const r = await start({ identitySecrets: [SECRET] });
    await r.publish('nps', { kind: 'nps', content: { question: 'Recommend us?' } });
    await r.client('POST', '/v1/track', { batch: [shown('mallory'), answer('mallory', 10)] }, { [HASH]: hashOf('mallory') });
    const before = await results(r);
    expect(before).toMatchObject({ shown: 1, answered: 1, promoters: 1, detractors: 0 });
    // Without a hash, and with the attacker's own valid hash: the victim's records never get in.
    expectUnverified(await r.track([shown('victim'), answer('victim', 0)]), 'victim');
    expectUnverified(await r.client('POST', '/v1/track', { batch: [shown('victim'), answer('victim', 0)] }, { [HASH]: hashOf('mallory') }), 'victim');
    const mixed = await r.client('POST', '/v1/track', { batch: [answer('mallory', 9), answer('victim', 0)] }, { [HASH]: hashOf('mallory') });
    expect(mixed.json).toMatchObject({ accepted: 1, rejected: [{ index: 1 }] });
    expect(await results(r)).toEqual(before);
  });
});
