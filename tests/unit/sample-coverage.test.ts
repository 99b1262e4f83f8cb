/**
 * Issue 21, item 5: the intervals of a sampled cache are honest. One demo cache of ~2M events (90,000
 * users) is built once; under 40 hash seeds it is filtered in SQL into 10 % samples of users (each kept
 * user's rows copied whole, nothing imported again), and 20 rules are counted on each through the
 * segment service. The 95 % interval of each scaled count (src/shared/estimate.ts) must cover the exact
 * count in at least 90 % of the 800 cases; the shares' Wilson intervals are held to the same bar. The
 * test prints both coverages. GUIDEPOST_COVERAGE_USERS lowers the size for a quick run.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openCache, type Db } from '../../src/main/db/connection';
import { fixCacheSample } from '../../src/main/db/user-sample';
import { DEMO_AS_OF, generateDemo } from '../../src/main/demo/generate';
import { SegmentService } from '../../src/main/segments/service';
import { estimateCount, estimateShare } from '../../src/shared/estimate';
import type { Rule } from '../../src/shared/segments/rule';
import { murmur3, sampleThreshold } from '../../src/shared/user-sample';

const USERS = Number(process.env.GUIDEPOST_COVERAGE_USERS ?? 90_000);
const SEEDS = 40;
const PERCENT = 10;
const asOf = DEMO_AS_OF;

const event = (name: string, op: '>=' | '=' | '<=', count: number, days?: number): Rule['conditions'][number] => ({
  type: 'event',
  event: name,
  op,
  count,
  ...(days !== undefined ? { within: { days } } : {}),
});
const all = (...conditions: Rule['conditions']): Rule => ({ version: 1, match: 'all', conditions });
const any = (...conditions: Rule['conditions']): Rule => ({ version: 1, match: 'any', conditions });

/** Twenty rules of every kind and size, from a few hundred users of the whole to most of them. */
const RULES: Rule[] = [
  all(event('login', '>=', 1, 30)),
  all(event('report_run', '>=', 6, 30)),
  all(event('report_run', '>=', 6, 30), event('invite_sent', '=', 0)),
  all(event('upgrade_clicked', '>=', 1)),
  all(event('plan_upgraded', '>=', 1, 90)),
  all(event('export_pdf', '>=', 2, 30)),
  all(event('api_key_created', '>=', 1)),
  all(event('usage_limit_hit', '>=', 1, 60)),
  all({ type: 'trait', trait: 'plan', op: 'eq', value: 'enterprise' }),
  all({ type: 'trait', trait: 'plan', op: 'in', value: ['starter', 'growth'] }, event('task_created', '>=', 10, 30)),
  all({ type: 'trait', trait: 'role', op: 'eq', value: 'admin' }, event('billing_viewed', '>=', 1, 14)),
  all({ type: 'first_seen', op: 'within', days: 7 }),
  all({ type: 'last_seen', op: 'before', days: 60 }),
  any(event('automation_created', '>=', 1), event('integration_connected', '>=', 2)),
  all(event('report_run', '>=', 3, 30), { type: 'group', match: 'any', negate: true, conditions: [event('report_shared', '>=', 1), event('export_csv', '>=', 1)] }),
  all({ type: 'event', event: 'report_run', op: '>=', count: 3, within: { days: 30 }, where: [{ property: 'format', op: 'eq', value: 'pdf' }] }),
  all(event('feedback_submitted', '>=', 1, 30)),
  all(event('mobile_app_opened', '>=', 1, 30), { type: 'trait', trait: 'role', op: 'neq', value: 'consumer' }),
  all(event('signup', '>=', 1, 30), event('onboarding_step_completed', '<=', 1)),
  all({ type: 'trait', trait: 'country', op: 'exists' }, event('login', '=', 0, 60)),
];

const scratch = mkdtempSync(join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'guidepost-coverage-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** The tables a count reads, copied for the users whose id is in the seed's sample; the derived tables build on the first count. */
function sampleCache(full: string, seed: number): Db {
  const { db } = openCache(join(scratch, `sample-${seed}.db`));
  db.function('in_sample', { deterministic: true }, (id: unknown, s: unknown) => (murmur3(String(id), Number(s)) < sampleThreshold(PERCENT) ? 1 : 0));
  db.exec(`ATTACH DATABASE '${full.replaceAll("'", "''")}' AS whole`);
  db.exec('BEGIN');
  fixCacheSample(db, PERCENT);
  db.exec('INSERT INTO event_names SELECT * FROM whole.event_names WHERE name_id NOT IN (SELECT name_id FROM event_names)');
  db.exec("INSERT OR REPLACE INTO kv SELECT * FROM whole.kv WHERE key IN ('data_as_of', 'data_as_of_source')");
  db.prepare('INSERT INTO users SELECT * FROM whole.users WHERE in_sample(id, ?)').run(seed);
  db.exec('INSERT INTO events SELECT e.* FROM users u JOIN whole.events e INDEXED BY coverage_events_by_user ON e.user_pk = u.user_pk');
  db.exec('COMMIT');
  db.exec('DETACH DATABASE whole');
  return db;
}

describe('the intervals of a sampled cache cover the exact counts (issue 21, item 5)', () => {
  it(`≥ 90 % of ${SEEDS} seeds × ${RULES.length} rules`, { timeout: 900_000 }, async () => {
    expect(RULES).toHaveLength(20);
    const started = performance.now();
    const fullPath = join(scratch, 'full.db');
    const { db: full } = openCache(fullPath);
    await generateDemo(full, { users: USERS, now: asOf });
    const events = full.prepare('SELECT count(*) FROM events').pluck().get() as number;
    const built = performance.now();

    const exact = new SegmentService(full, () => asOf);
    const exactCounts = RULES.map((rule) => exact.count(rule, asOf));
    const exactTotal = exact.total(asOf);
    // Every rule is a real test: neither empty nor everyone.
    exactCounts.forEach((count, r) => {
      expect(count, `rule ${r + 1}`).toBeGreaterThan(0);
      expect(count, `rule ${r + 1}`).toBeLessThan(exactTotal);
    });
    // For the copies only, after the exact counts: each sample reads a user's events by seek.
    full.exec('CREATE INDEX coverage_events_by_user ON events (user_pk)');
    full.close();

    let countsCovered = 0;
    let sharesCovered = 0;
    let cases = 0;
    for (let seed = 1; seed <= SEEDS; seed++) {
      const db = sampleCache(fullPath, seed);
      const service = new SegmentService(db, () => asOf);
      const sampleTotal = service.total(asOf);
      RULES.forEach((rule, r) => {
        const k = service.count(rule, asOf);
        const exactCount = exactCounts[r] as number;
        const count = estimateCount(k, PERCENT);
        const share = estimateShare(k, sampleTotal, PERCENT);
        const [lo, hi] = count.ci95 as [number, number];
        const [shareLo, shareHi] = share.ci95 as [number, number];
        const exactShare = exactCount / exactTotal;
        if (lo <= exactCount && exactCount <= hi) countsCovered += 1;
        if (shareLo <= exactShare && exactShare <= shareHi) sharesCovered += 1;
        cases += 1;
      });
      db.close();
      rmSync(join(scratch, `sample-${seed}.db`), { force: true });
      rmSync(join(scratch, `sample-${seed}.db-wal`), { force: true });
      rmSync(join(scratch, `sample-${seed}.db-shm`), { force: true });
    }
    const done = performance.now();
    const countCoverage = countsCovered / cases;
    const shareCoverage = sharesCovered / cases;
    process.stdout.write(
      `Sample coverage: ${events.toLocaleString('en-US')} events, ${USERS.toLocaleString('en-US')} users, ${SEEDS} seeds × ${RULES.length} rules at ${PERCENT} %: ` +
        `counts ${(countCoverage * 100).toFixed(1)} % covered, shares ${(shareCoverage * 100).toFixed(1)} % covered ` +
        `(exact counts ${Math.min(...exactCounts).toLocaleString('en-US')} to ${Math.max(...exactCounts).toLocaleString('en-US')} of ${exactTotal.toLocaleString('en-US')}; ` +
        `build ${((built - started) / 1000).toFixed(1)} s, samples and counts ${((done - built) / 1000).toFixed(1)} s)\n`,
    );
    expect(cases).toBe(SEEDS * RULES.length);
    expect(countCoverage).toBeGreaterThanOrEqual(0.9);
    expect(shareCoverage).toBeGreaterThanOrEqual(0.9);
  });
});
