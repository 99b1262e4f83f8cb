/**
 * The account condition over a cache filled by a real import of group calls (the Segment spec's shape):
 * the SQL compiler (SegmentService) and the JS evaluator over each user's profile as the cache loads it
 * (loadProfile, which message previews explain with) must agree, accounts and first/last seen included.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Db } from '../../src/main/db/connection';
import { importFile } from '../../src/main/ingest/import-file';
import { loadProfile } from '../../src/main/messages/audience';
import { SegmentService } from '../../src/main/segments/service';
import { matchesRule } from '../../src/shared/segments/evaluate';
import type { Condition, Rule } from '../../src/shared/segments/rule';
import { useTempCache } from './helpers';
import { DAY } from './segments-helpers';

const tempCache = useTempCache();
const AS_OF = Date.UTC(2026, 2, 1, 12);
const at = (ms: number): string => new Date(ms).toISOString();

const RECORDS = [
  { type: 'identify', userId: 'ann', traits: { plan: 'free' }, timestamp: at(AS_OF - 20 * DAY), messageId: 'r1' },
  { type: 'group', userId: 'ann', groupId: 'acme', traits: { name: 'Acme', plan: 'trial' }, timestamp: at(AS_OF - 15 * DAY), messageId: 'r2' },
  { type: 'group', userId: 'bob', groupId: 'acme', traits: { plan: 'enterprise' }, timestamp: at(AS_OF - 10 * DAY), messageId: 'r3' },
  { type: 'track', userId: 'bob', event: 'report_run', timestamp: at(AS_OF - 12 * DAY), messageId: 'r4' },
  { type: 'group', userId: 'bob', groupId: 'tiny', traits: { plan: 'free' }, timestamp: at(AS_OF - 2 * DAY), messageId: 'r5' },
  { type: 'track', userId: 'cy', event: 'report_run', timestamp: at(AS_OF - DAY), messageId: 'r6' },
  // An anonymous visitor groups, then identifies: membership follows the merge.
  { type: 'group', anonymousId: 'anon-1', groupId: 'tiny', traits: {}, timestamp: at(AS_OF - 5 * DAY), messageId: 'r7' },
  { type: 'identify', userId: 'dee', anonymousId: 'anon-1', traits: {}, timestamp: at(AS_OF - 4 * DAY), messageId: 'r8' },
];

const rule = (...conditions: Condition[]): Rule => ({ version: 1, match: 'all', conditions });

/** A cache with RECORDS imported as a file, its segment service and its user ids (sorted). */
async function importedCache(): Promise<{ db: Db; service: SegmentService; ids: string[] }> {
  const { db, dir } = tempCache();
  const file = join(dir, 'groups.ndjson');
  writeFileSync(file, `${RECORDS.map((r) => JSON.stringify(r)).join('\n')}\n`);
  await importFile(db, file, { clock: () => AS_OF });
  return { db, service: new SegmentService(db, () => AS_OF), ids: db.prepare<[], string>('SELECT id FROM users ORDER BY id').pluck().all() };
}

describe('the account condition over imported group calls', () => {
  it('both evaluators agree on every user, for account rules and alongside first and last seen', async () => {
    const { db, service, ids } = await importedCache();
    const enterprise: Condition = { type: 'account', trait: 'plan', op: 'eq', value: 'enterprise' };
    const expectations: [Rule, string[]][] = [
      [rule(enterprise), ['ann', 'bob']],
      [rule({ type: 'account', trait: 'plan', op: 'eq', value: 'free' }), ['bob', 'dee']],
      [rule({ ...enterprise, negate: true }), ['cy', 'dee']],
      [rule({ type: 'account', trait: 'name', op: 'exists' }), ['ann', 'bob']],
    ];
    for (const [r, expected] of expectations) {
      expect(service.memberIds(r, AS_OF).sort(), JSON.stringify(r)).toEqual(expected);
    }
    for (const r of [...expectations.map(([x]) => x), rule(enterprise, { type: 'first_seen', op: 'within', days: 30 })]) {
      for (const asOf of [AS_OF, AS_OF - 3 * DAY, AS_OF - 11 * DAY]) {
        const js = ids.filter((id) => matchesRule(r, loadProfile(db, id)!, asOf));
        expect(service.memberIds(r, asOf).sort(), `${JSON.stringify(r)} as of ${at(asOf)}`).toEqual(js);
      }
    }
  });

  // A group call is no activity: first and last seen count events and identify calls only (docs/SEGMENTS.md),
  // in the import as in both evaluators and the delivery server. bob's group call two days ago does not make
  // him "last seen within 3 days".
  it('both evaluators agree on first and last seen when a group call is a user’s latest record', async () => {
    const { db, service, ids } = await importedCache();
    const lastSeen = rule({ type: 'last_seen', op: 'within', days: 3 });
    const js = ids.filter((id) => matchesRule(lastSeen, loadProfile(db, id)!, AS_OF));
    expect(service.memberIds(lastSeen, AS_OF).sort()).toEqual(js);
  });
});
