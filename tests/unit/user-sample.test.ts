/**
 * Issue 21, item 5: `import|sync --sample <percent>` keeps every record of a stable hash-sample of users
 * (on userId, else anonymousId) and none of the others; the cache records its rate at its first records
 * and refuses another one.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openCache, type Db } from '../../src/main/db/connection';
import { cacheSamplePercent } from '../../src/main/db/user-sample';
import { countInterval } from '../../src/shared/estimate';
import { sampledOutNote } from '../../src/shared/import-notes';
import { importFile } from '../../src/main/ingest/import-file';
import { commitSyncPage, newSyncTally, type PageItem } from '../../src/main/ingest/sync-pages';
import { murmur3, parseSamplePercent, userSample } from '../../src/shared/user-sample';
import { ApiError } from '../../src/shared/errors';
import { useTempCache } from './helpers';
import { builtCli } from './ingest-helpers';

const tempCache = useTempCache();

/** Awaits a call that must fail with an ApiError of that code, its message matching `text`. */
async function expectRefusal(call: () => Promise<unknown>, text: RegExp): Promise<void> {
  const error: unknown = await call().then(
    () => null,
    (err: unknown) => err,
  );
  expect(error).toBeInstanceOf(ApiError);
  expect((error as ApiError).code).toBe('conflict');
  expect((error as ApiError).message).toMatch(text);
}

describe('the sample hash', () => {
  it('is MurmurHash3 x86_32 over UTF-8 bytes (the reference vectors)', () => {
    expect(murmur3('', 0)).toBe(0);
    expect(murmur3('', 1)).toBe(0x514e28b7);
    expect(murmur3('', 0xffffffff)).toBe(0x81f16f39);
    expect(murmur3('hello', 0)).toBe(0x248bfa47);
    expect(murmur3('The quick brown fox jumps over the lazy dog', 0)).toBe(0x2e4ff723);
    expect(murmur3('abc', 0)).toBe(0xb3dd93fa);
    // The vectors with seed 0x9747b28c that MurmurHash3 ports test against; the π one is 16 bytes of UTF-8.
    expect(murmur3('Hello, world!', 0x9747b28c)).toBe(0x24884cba);
    expect(murmur3('ππππππππ', 0x9747b28c)).toBe(0xd58063c1);
    expect(murmur3('aaaa', 0x9747b28c)).toBe(0x5a97808a);
  });

  it('keeps about the rate of users, and more users at a higher rate (nested samples)', () => {
    const ids = Array.from({ length: 100_000 }, (_, i) => `user-${i}`);
    const ten = userSample(10);
    const twenty = userSample(20);
    const kept = ids.filter((id) => ten.keeps(id));
    expect(kept.length).toBeGreaterThan(9_700);
    expect(kept.length).toBeLessThan(10_300);
    expect(kept.every((id) => twenty.keeps(id))).toBe(true);
    expect(ids.every((id) => userSample(100).keeps(id))).toBe(true);
  });

  it('the report says what the sample left out, and nothing when it left nothing', () => {
    expect(sampledOutNote({ sampledOut: 4 })).toBe("4 records were left out: their users are outside the cache's sample of users.");
    expect(sampledOutNote({ sampledOut: 1 })).toBe("1 record was left out: its user is outside the cache's sample of users.");
    expect(sampledOutNote({})).toBeNull();
  });

  it('reads a rate as people write it', () => {
    expect(parseSamplePercent('10')).toBe(10);
    expect(parseSamplePercent('2.5%')).toBe(2.5);
    expect(parseSamplePercent('0')).toMatch(/above 0/);
    expect(parseSamplePercent('120')).toMatch(/at most 100/);
    expect(parseSamplePercent('ten')).toMatch(/"ten"/);
  });
});

const at = (minute: number): string => new Date(Date.UTC(2024, 4, 1, 10, minute)).toISOString();
const sample = userSample(10);
/** The first ids of the form `prefix-N` in and out of the 10 % sample. */
function idsOf(prefix: string, inSample: boolean, count: number): string[] {
  const found: string[] = [];
  for (let n = 0; found.length < count; n++) if (sample.keeps(`${prefix}-${n}`) === inSample) found.push(`${prefix}-${n}`);
  return found;
}
const [kept1, kept2] = idsOf('user', true, 2) as [string, string];
const [out1, out2] = idsOf('user', false, 2) as [string, string];
const [anonIn] = idsOf('anon', true, 1) as [string];
const [anonOut] = idsOf('anon', false, 1) as [string];

/** Records of kept and left-out users, anonymous ones among them, with identity calls that cross the sample. */
const records = [
  { type: 'track', event: 'Signed Up', userId: kept1, messageId: 'm-1', timestamp: at(1) },
  { type: 'identify', userId: kept1, messageId: 'm-2', timestamp: at(2), traits: { plan: 'pro' } },
  { type: 'track', event: 'Signed Up', userId: out1, messageId: 'm-3', timestamp: at(3) },
  { type: 'identify', userId: out1, messageId: 'm-4', timestamp: at(4), traits: { plan: 'free' } },
  // A kept user's record with an anonymousId out of the sample: kept, without the link.
  { type: 'track', event: 'Report Run', userId: kept2, anonymousId: anonOut, messageId: 'm-5', timestamp: at(5) },
  // That anonymous id's own records go: the sample is decided on their own id.
  { type: 'page', name: 'Home', anonymousId: anonOut, messageId: 'm-6', timestamp: at(6) },
  // An anonymous visitor in the sample is kept on their own, even when the user they become is not.
  { type: 'page', name: 'Home', anonymousId: anonIn, messageId: 'm-7', timestamp: at(7) },
  { type: 'track', event: 'Signed Up', userId: out2, anonymousId: anonIn, messageId: 'm-8', timestamp: at(8) },
  { type: 'group', userId: out2, groupId: 'g-1', messageId: 'm-9', timestamp: at(9), traits: { name: 'Acme' } },
  { type: 'group', userId: kept1, groupId: 'g-2', messageId: 'm-10', timestamp: at(10), traits: { name: 'Initech' } },
];
const ndjson = records.map((r) => JSON.stringify(r)).join('\n') + '\n';

function contents(db: Db): unknown {
  return {
    events: db.prepare('SELECT e.event_id, u.id AS user FROM events e JOIN users u USING (user_pk) ORDER BY e.event_id').all(),
    users: db.prepare('SELECT id, traits FROM users ORDER BY id').all(),
    links: db.prepare('SELECT id FROM identity_links ORDER BY id').pluck().all(),
    members: db.prepare('SELECT a.group_id, u.id AS user FROM account_members m JOIN users u USING (user_pk) JOIN accounts a USING (account_pk) ORDER BY 1').all(),
  };
}

const expected = {
  events: [
    { event_id: 'm-1', user: kept1 },
    { event_id: 'm-2', user: kept1 },
    { event_id: 'm-5', user: kept2 },
    { event_id: 'm-7', user: anonIn },
  ],
  users: [
    { id: anonIn, traits: '{}' },
    { id: kept1, traits: '{"plan":"pro"}' },
    { id: kept2, traits: '{}' },
  ].sort((a, b) => (a.id < b.id ? -1 : 1)),
  links: [anonIn, kept1, kept2].sort(),
  members: [{ group_id: 'g-2', user: kept1 }],
};

/** A fresh cache, and the records above as an NDJSON file beside it. */
function cacheAndFile(): { db: Db; dir: string; file: string } {
  const { db, dir } = tempCache();
  const file = join(dir, 'events.ndjson');
  writeFileSync(file, ndjson);
  return { db, dir, file };
}

describe('import and sync --sample', () => {
  it('a file import keeps every record of the users in the sample and nothing of the others', async () => {
    const { db, file } = cacheAndFile();
    const summary = await importFile(db, file, { samplePercent: 10 });
    expect(summary).toMatchObject({ imported: 4, duplicates: 0, rejected: 0, details: { sampledOut: 5, identityCalls: 1 } });
    expect(contents(db)).toEqual(expected);
    expect(cacheSamplePercent(db)).toBe(10);
    // Again: the same users, nothing doubles.
    expect(await importFile(db, file, { samplePercent: 10 })).toMatchObject({ imported: 0, duplicates: 4, details: { sampledOut: 5 } });
    expect(contents(db)).toEqual(expected);
  });

  it('a sync page keeps the same users through the record-by-record path', () => {
    const { db } = tempCache();
    const items: PageItem[] = records.map((raw, i) => ({ raw, at: { line: i + 1 } }));
    const tally = newSyncTally();
    commitSyncPage(db, items, tally, () => undefined, { samplePercent: 10 });
    expect(tally.summary).toMatchObject({ imported: 4, sampledOut: 5 });
    expect(contents(db)).toEqual(expected);
    expect(cacheSamplePercent(db)).toBe(10);
  });

  it('the rate is fixed by the first records: another rate, or none, is refused naming both, and nothing changes', async () => {
    const { db, file } = cacheAndFile();
    expect(cacheSamplePercent(db)).toBe(100);
    await importFile(db, file, { samplePercent: 10 });
    const before = contents(db);
    await expectRefusal(() => importFile(db, file, { samplePercent: 20 }), /a 10% sample of users.*a 20% sample/);
    await expectRefusal(() => importFile(db, file), /a 10% sample of users.*every user \(no --sample\).*--sample 10/);
    const tally = newSyncTally();
    expect(() => commitSyncPage(db, [{ raw: records[0], at: { line: 1 } }], tally, () => undefined)).toThrow(/a 10% sample of users/);
    expect(contents(db)).toEqual(before);
    expect(cacheSamplePercent(db)).toBe(10);
  });

  it('a full cache refuses a sample: it holds every user already', async () => {
    const { db, file } = cacheAndFile();
    await importFile(db, file);
    expect(contents(db)).not.toEqual(expected);
    await expectRefusal(() => importFile(db, file, { samplePercent: 10 }), /holds every user.*a 10% sample.*new cache/);
    expect(cacheSamplePercent(db)).toBe(100);
  });

  it('the built CLI (parser threads) keeps the same users, and refuses another rate with a clear error', () => {
    const { dir } = tempCache();
    const file = join(dir, 'events.ndjson');
    const cache = join(dir, 'cli.db');
    writeFileSync(file, ndjson);
    const cli = builtCli();
    const first = spawnSync(process.execPath, [cli, 'import', file, '--db', cache, '--sample', '10%', '--json'], { encoding: 'utf8' });
    expect(first.status, first.stderr).toBe(0);
    expect(JSON.parse(first.stdout)).toMatchObject({ imported: 4, details: { sampledOut: 5 } });
    const refused = spawnSync(process.execPath, [cli, 'import', file, '--db', cache], { encoding: 'utf8' });
    expect(refused.status).not.toBe(0);
    expect(refused.stderr).toMatch(/a 10% sample of users.*every user \(no --sample\)/);
    const bad = spawnSync(process.execPath, [cli, 'import', file, '--db', cache, '--sample', '0'], { encoding: 'utf8' });
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toMatch(/--sample: a sample rate is a percentage above 0/);
    const { db } = openCache(cache);
    try {
      expect(contents(db)).toEqual(expected);
    } finally {
      db.close();
    }

    // Its segment counts are scaled, with their intervals: one user of the sample did Signed Up, of three.
    const ruleFile = join(dir, 'rule.json');
    writeFileSync(ruleFile, JSON.stringify({ version: 1, match: 'all', conditions: [{ type: 'event', event: 'Signed Up', op: '>=', count: 1 }] }));
    const asOf = '2024-05-02T00:00:00Z';
    const count = spawnSync(process.execPath, [cli, 'segment', 'count', '--rule', ruleFile, '--db', cache, '--as-of', asOf, '--json'], { encoding: 'utf8' });
    expect(count.status, count.stderr).toBe(0);
    expect(JSON.parse(count.stdout)).toEqual({ count: 10, ci95: countInterval(1, 0.1), sampled: 0.1, total: 30, totalCi95: countInterval(3, 0.1), asOf: '2024-05-02T00:00:00.000Z' });
    const text = spawnSync(process.execPath, [cli, 'segment', 'count', '--rule', ruleFile, '--db', cache, '--as-of', asOf], { encoding: 'utf8' });
    const [lo, hi] = countInterval(1, 0.1);
    expect(text.stdout.trim()).toBe(`≈ 10 (${lo}–${hi}) of ≈ 30 (${countInterval(3, 0.1).join('–')}) users as of 2024-05-02T00:00:00.000Z, estimated from a 10% sample of users`);

    // A cache of every user counts exactly, with no interval.
    const fullCache = join(dir, 'full.db');
    expect(spawnSync(process.execPath, [cli, 'import', file, '--db', fullCache], { encoding: 'utf8' }).status).toBe(0);
    const exact = spawnSync(process.execPath, [cli, 'segment', 'count', '--rule', ruleFile, '--db', fullCache, '--as-of', asOf, '--json'], { encoding: 'utf8' });
    expect(JSON.parse(exact.stdout)).toEqual({ count: 3, total: 4, asOf: '2024-05-02T00:00:00.000Z' });
  });
});
