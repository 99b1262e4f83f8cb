/**
 * Users as the writer keeps them, against a model that applies every stored record in turn: identify
 * merges traits key by key (a timestamp at or after the one held wins) and first/last seen span every
 * record. Random calls are split into several imports, in bulk and indexed mode, so the writer's
 * gathered-then-merged patches must equal the one-by-one model across imports too.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Db } from '../../src/main/db/connection';
import { importFile } from '../../src/main/ingest/import-file';
import { UserUpdates } from '../../src/main/ingest/write/user-updates';
import { useTempCache, useTempDir } from './helpers';

const tempCache = useTempCache();
const tempDir = useTempDir();
const BASE = Date.UTC(2024, 0, 1);

interface Call {
  user: string;
  ts: number;
  traits?: Record<string, unknown>;
  event?: string;
}

const callArb: fc.Arbitrary<Call> = fc.record({
  user: fc.constantFrom('ann', 'bob', 'cy'),
  // Few distinct instants, so ties between calls are common.
  ts: fc.integer({ min: 0, max: 5 }).map((k) => BASE + k * 1000),
  traits: fc.option(
    fc.dictionary(fc.constantFrom('plan', 'role', 'seats', '__proto__'), fc.oneof(fc.string({ maxLength: 3 }), fc.integer(), fc.constant(null)), {
      maxKeys: 3,
    }),
    { nil: undefined },
  ),
  event: fc.option(fc.constantFrom('login', 'report_run'), { nil: undefined }),
});

interface ModelUser {
  traits: Record<string, unknown>;
  times: Record<string, number>;
  first: number;
  last: number;
}

function model(calls: Call[]): Map<string, ModelUser> {
  const users = new Map<string, ModelUser>();
  for (const call of calls) {
    let u = users.get(call.user);
    if (!u) users.set(call.user, (u = { traits: {}, times: {}, first: call.ts, last: call.ts }));
    u.first = Math.min(u.first, call.ts);
    u.last = Math.max(u.last, call.ts);
    if (call.event === undefined) {
      for (const [key, value] of Object.entries(call.traits ?? {})) {
        const held = Object.prototype.hasOwnProperty.call(u.times, key) ? u.times[key] : undefined;
        if (held === undefined || call.ts >= held) {
          Object.defineProperty(u.traits, key, { value, enumerable: true, writable: true, configurable: true });
          Object.defineProperty(u.times, key, { value: call.ts, enumerable: true, writable: true, configurable: true });
        }
      }
    }
  }
  return users;
}

/** The cache's users are exactly the model's, with its traits and first/last seen (and, given, these user_pks). */
function expectUsersAsModel(db: Db, calls: Call[], userPks?: Map<string, number>): void {
  const rows = db.prepare('SELECT user_pk, id, traits, trait_times, first_seen, last_seen FROM users ORDER BY id').all() as {
    user_pk: number;
    id: string;
    traits: string;
    trait_times: string;
    first_seen: number;
    last_seen: number;
  }[];
  const expected = model(calls);
  expect(rows.map((r) => r.id)).toEqual([...expected.keys()].sort());
  for (const row of rows) {
    const u = expected.get(row.id) as ModelUser;
    if (userPks?.has(row.id)) expect(row.user_pk).toBe(userPks.get(row.id));
    expect(JSON.parse(row.traits)).toEqual(u.traits);
    expect(JSON.parse(row.trait_times)).toEqual(u.times);
    expect([row.first_seen, row.last_seen]).toEqual([u.first, u.last]);
  }
}

const toLine = (call: Call, i: number): string =>
  JSON.stringify(
    call.event === undefined
      ? { type: 'identify', messageId: `m${i}`, userId: call.user, timestamp: call.ts, traits: call.traits }
      : { type: 'track', messageId: `m${i}`, userId: call.user, event: call.event, timestamp: call.ts },
  );

describe('RecordWriter: users across imports', () => {
  it('traits, trait times and first/last seen equal applying every call in turn', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(callArb, { minLength: 1, maxLength: 30 }),
        fc.array(fc.nat(), { maxLength: 3 }),
        fc.constantFrom('bulk' as const, 'indexed' as const),
        async (calls, cuts, mode) => {
          run += 1;
          const { db } = tempCache(`users-${run}.db`);
          const dir = tempDir();
          // Split the calls into consecutive files at the cut points.
          const points = [...new Set(cuts.map((c) => c % calls.length))].sort((a, b) => a - b);
          const bounds = [0, ...points.filter((p) => p > 0), calls.length];
          for (let f = 0; f + 1 < bounds.length; f++) {
            const lines = calls.map(toLine).slice(bounds[f], bounds[f + 1]);
            const file = join(dir, `part-${f}.ndjson`);
            writeFileSync(file, `${lines.join('\n')}\n`);
            await importFile(db, file, { mode });
          }
          expectUsersAsModel(db, calls);
        },
      ),
      { seed: 20261129, numRuns: 150 },
    );
  });

  it('with tiny limits (users written out and forgotten mid-way, as a huge file or cache causes) users still equal the model', async () => {
    // Steps: a user's record is stored (seen), is a duplicate (resolved, never stored), or an identify
    // call is stored. A caller that resolved a user once may keep using that user_pk, as the parser
    // threads do, even after UserUpdates has forgotten the id.
    const stepArb = fc.record({
      user: fc.constantFrom('ann', 'bob', 'cy', 'dee', 'eve'),
      ts: fc.integer({ min: 0, max: 5 }).map((k) => BASE + k * 1000),
      kind: fc.constantFrom('stored', 'duplicate', 'identify'),
      traits: fc.dictionary(fc.constantFrom('plan', 'role'), fc.integer({ min: 0, max: 9 }), { maxKeys: 2 }),
      cached: fc.boolean(),
    });
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(stepArb, { minLength: 1, maxLength: 40 }), fc.boolean(), fc.boolean(), fc.boolean(), async (steps, preexisting, tinyArrays, rebuild) => {
        run += 1;
        const { db } = tempCache(`limits-${run}.db`);
        const calls: Call[] = [];
        if (preexisting) {
          // Users already in the cache, written by an earlier writer.
          const earlier = new UserUpdates(db);
          for (const user of ['bob', 'dee']) {
            const pk = earlier.pk(user);
            earlier.seen(pk, BASE + 2500);
            earlier.identify(pk, BASE + 2500, { plan: 'old' });
            calls.push({ user, ts: BASE + 2500, traits: { plan: 'old' } });
          }
          earlier.flush();
        }
        // Tiny arrays: most user_pks' first/last seen go to the overflow map, which is written out when full.
        // Rebuild: the users table's indexes are dropped and rebuilt around every write of new users.
        const limits = { ids: 2, unwritten: 1, patches: 1, ...(tinyArrays ? { seenArray: 2, seenOverflow: 2 } : {}), ...(rebuild ? { rebuildIndexes: 1 } : {}) };
        const updates = new UserUpdates(db, limits);
        const resolved = new Map<string, number>();
        for (const step of steps) {
          const pk = step.cached && resolved.has(step.user) ? (resolved.get(step.user) as number) : updates.pk(step.user);
          if (resolved.has(step.user)) expect(pk, `${step.user} keeps one user_pk`).toBe(resolved.get(step.user));
          resolved.set(step.user, pk);
          if (step.kind === 'duplicate') continue;
          updates.seen(pk, step.ts);
          if (step.kind === 'identify') updates.identify(pk, step.ts, step.traits);
          calls.push(step.kind === 'identify' ? { user: step.user, ts: step.ts, traits: step.traits } : { user: step.user, ts: step.ts, event: 'e' });
        }
        updates.flush();
        // Exactly the users with a stored record, each under the user_pk the caller was given.
        expectUsersAsModel(db, calls, resolved);
        const indexes = db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'users' ORDER BY name").pluck().all();
        expect(indexes).toEqual(['users_by_first_seen', 'users_by_id', 'users_by_last_seen']);
      }),
      { seed: 20261130, numRuns: 200 },
    );
  });
});
