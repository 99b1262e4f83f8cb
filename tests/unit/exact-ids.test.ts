/**
 * Issue 15, items 4 and 10: numeric ids keep their digits exactly as written. JSON.parse read the userId
 * 9007199254740993 as 9007199254740992, a different user. Every path that parses a record's JSON is
 * checked: the parser itself, the import inline and on its parser threads (NDJSON, JSON array, batch
 * envelopes, gzip), and the delivery server's ingestion. The fixture files are written here.
 */
import { gzipSync } from 'node:zlib';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Db } from '../../src/main/db/connection';
import { ShapeNumbering } from '../../src/main/db/property-keys';
import { importFile } from '../../src/main/ingest/import-file';
import { prepareFast } from '../../src/main/ingest/parse/fast-record';
import { parseJsonWithExactIds } from '../../src/shared/exact-ids';
import { useTempCache, useTempDir } from './helpers';
import { T0, trackCall, useDeliveryServer } from './delivery-helpers';
import { importInChildProcess } from './ingest-helpers';

const tempCache = useTempCache();
const tempDir = useTempDir();
const startServer = useDeliveryServer();

/** 2^53 + 1: the first integer a double cannot hold; JSON.parse gives 9007199254740992. */
const BIG = '9007199254740993';
const BIGGER = '12345678901234567891';

/** Record texts written by hand: a JavaScript object cannot hold these ids as numbers. */
const track = (user: string, id: string, extra = ''): string =>
  `{"type":"track","event":"Report Run","userId":${user},"messageId":"${id}","timestamp":"2024-05-01T09:00:00.000Z"${extra}}`;
const identifyAnonymous = (anonymous: string, id: string): string =>
  `{"type":"identify","anonymousId":${anonymous},"messageId":"${id}","timestamp":"2024-05-01T09:00:00.000Z","traits":{"plan":"pro"}}`;
/** An ordinary record: the fast path's shape. */
const plain = (id: string): string => `{"type":"track","event":"Login","userId":"u-plain","messageId":"${id}","timestamp":"2024-05-01T08:00:00.000Z"}`;

/** The users a file's records became, and the records per user. */
function usersOf(db: Db): Record<string, number> {
  const rows = db.prepare('SELECT u.id AS id, count(e.user_pk) AS n FROM users u LEFT JOIN events e ON e.user_pk = u.user_pk GROUP BY u.id').all() as { id: string; n: number }[];
  return Object.fromEntries(rows.map((row) => [row.id, row.n]));
}

const EXPECTED_USERS = { [BIG]: 1, [BIGGER]: 1, '42': 1, 'u-plain': 1 };
const ndjsonLines = [track(BIG, 'm-1'), identifyAnonymous(BIGGER, 'm-2'), track('42', 'm-3'), plain('m-4')];

describe('parseJsonWithExactIds', () => {
  it('reads every id key written as a long integer as its digits, compact, spaced or pretty-printed', () => {
    for (const key of ['userId', 'anonymousId', 'groupId', 'previousId', 'messageId']) {
      expect(parseJsonWithExactIds(`{"${key}":${BIG}}`)).toEqual({ [key]: BIG });
      expect(parseJsonWithExactIds(`{"type": "x", "${key}": ${BIG}, "n": 1}`)).toEqual({ type: 'x', [key]: BIG, n: 1 });
      expect(parseJsonWithExactIds(`{\n  "${key}" :\n    ${BIG}\n}`)).toEqual({ [key]: BIG });
    }
    expect(parseJsonWithExactIds(`{"userId":-${BIG}}`)).toEqual({ userId: `-${BIG}` });
    expect(parseJsonWithExactIds(`{"userId":${BIGGER}}`)).toEqual({ userId: BIGGER });
  });

  it("reads ids in a batch envelope's elements, and leaves every other number as JSON.parse reads it", () => {
    const text = `{"batch":[{"userId":${BIG},"properties":{"userId":${BIG},"list":[${BIG}]}},{"groupId":${BIGGER}}],"userId":${BIG},"context":{"anonymousId":${BIG}}}`;
    expect(parseJsonWithExactIds(text)).toEqual({
      batch: [{ userId: BIG, properties: { userId: 9007199254740992, list: [9007199254740992] } }, { groupId: BIGGER }],
      userId: BIG,
      context: { anonymousId: 9007199254740992 },
    });
    // A property that merely holds that text, and a short integer id, are what they were.
    const quoted = '{"note":"{\\"userId\\":9007199254740993}","userId":42,"anonymousId":123456789012345}';
    expect(parseJsonWithExactIds(quoted)).toEqual(JSON.parse(quoted));
    for (const notInteger of [`{"userId":${BIG}.5}`, `{"userId":${BIG}e0}`]) expect(parseJsonWithExactIds(notInteger)).toEqual(JSON.parse(notInteger));
    // Not JSON stays not JSON (a leading zero), and an own "__proto__" key stays an own key.
    expect(() => parseJsonWithExactIds(`{"userId":0${BIG}}`)).toThrow(SyntaxError);
    const proto = parseJsonWithExactIds(`{"__proto__":{"userId":${BIG}},"userId":${BIG}}`) as Record<string, unknown>;
    expect(Object.getPrototypeOf(proto)).toBe(Object.prototype);
    expect(Object.keys(proto)).toEqual(['__proto__', 'userId']);
    expect(proto.userId).toBe(BIG);
  });

  it('leaves the fast path to decline such records, so they take the general one', () => {
    const shapes = new ShapeNumbering(() => {});
    const [bigUser, bigAnonymous, , ordinary] = ndjsonLines as [string, string, string, string];
    expect(prepareFast(bigUser, 0, shapes)).toBeNull();
    expect(prepareFast(bigAnonymous, 0, shapes)).toBeNull();
    expect(prepareFast(ordinary, 0, shapes)).not.toBeNull();
  });
});

describe('the import keeps numeric ids exact', () => {
  const envelope = `{"batch":[${track(BIG, 'e-1')},${identifyAnonymous(BIGGER, 'e-2')},${track('42', 'e-3')},${plain('e-4')}],"context":{"library":{"name":"analytics-python"}}}`;
  const files: [string, string | Buffer][] = [
    ['ids.ndjson', `${ndjsonLines.join('\n')}\n`],
    ['ids-array.json', `[\n${ndjsonLines.join(',\n')}\n]`],
    ['ids-envelopes.ndjson', `${envelope}\n`],
    ['ids-envelope.json', envelope.replace(/,/g, ', ').replace(/":/g, '": ')],
    ['ids.ndjson.gz', gzipSync(`${ndjsonLines.join('\n')}\n`)],
    ['ids-array.json.gz', gzipSync(`[${ndjsonLines.join(',')}]`)],
  ];

  it.each(files)('inline: %s', async (name, content) => {
    const { db, dir } = tempCache();
    const path = join(dir, name);
    writeFileSync(path, content);
    const summary = await importFile(db, path);
    expect(summary).toMatchObject({ imported: 4, rejected: 0 });
    expect(usersOf(db)).toEqual(EXPECTED_USERS);
  });

  it.each(files)('on the parser threads: %s', (name, content) => {
    const { summary, read } = importInChildProcess(tempDir(), name, content, {}, usersOf);
    expect(summary).toMatchObject({ imported: 4, rejected: 0 });
    expect(read).toEqual(EXPECTED_USERS);
  });

  it('on the parser threads, among many fast-path records split across ranges', () => {
    const lines = Array.from({ length: 3000 }, (_, k) => (k % 500 === 250 ? track(String(BigInt(BIG) + BigInt(k)), `r-${k}`) : plain(`p-${k}`)));
    const { summary, read } = importInChildProcess(tempDir(), 'mixed.ndjson', `${lines.join('\n')}\n`, { PARSER_RANGE_BYTES: '16384' }, usersOf);
    expect(summary).toMatchObject({ imported: 3000, rejected: 0 });
    const expected: Record<string, number> = { 'u-plain': 2994 };
    for (let k = 250; k < 3000; k += 500) expected[String(BigInt(BIG) + BigInt(k))] = 1;
    expect(read).toEqual(expected);
  });
});

describe('the delivery server keeps numeric ids exact', () => {
  it('stores and exports a track, identify and decide userId of more than 15 digits as written', async () => {
    const r = await startServer();
    const event = JSON.stringify(trackCall('placeholder', 'report_run', T0)).replace('"placeholder"', BIG);
    const tracked = await r.client('POST', '/v1/track', `{"batch":[${event}]}`);
    expect(tracked.json).toMatchObject({ accepted: 1, rejected: [] });
    const identified = await r.client('POST', '/v1/identify', `{"userId":${BIGGER},"traits":{"plan":"pro"},"messageId":"id-1"}`);
    expect(identified.status).toBe(200);
    const exported = await r.admin('GET', '/v1/events');
    expect((exported.json.events as { userId: string }[]).map((e) => e.userId).sort()).toEqual([BIGGER, BIG]);
    const decided = await r.client('POST', '/v1/decide', `{"userId":${BIG}}`);
    expect(decided.status).toBe(200);
    expect(r.db.prepare('SELECT DISTINCT user_id FROM records ORDER BY user_id').pluck().all()).toEqual([BIGGER, BIG]);
    // Every user with a record has a profile (first and last seen); only the identified one has traits.
    expect(r.db.prepare('SELECT user_id FROM profiles ORDER BY user_id').pluck().all()).toEqual([BIGGER, BIG]);
    expect(r.db.prepare("SELECT user_id FROM profiles WHERE traits <> '{}'").pluck().all()).toEqual([BIGGER]);
  });
});
