/**
 * The cache's user sample rate (migration 0015; docs/IMPORT.md, "A sample of users"): fixed by the first
 * import or sync into an empty cache, and the same for every one after it, so the sample stays one
 * stable set of users whatever the order files and pages arrive in.
 */
import { ApiError } from '../../shared/errors';
import { formatSamplePercent } from '../../shared/user-sample';
import type { Db } from './connection';

/** The share of users the cache holds, in percent (100: every user). */
export function cacheSamplePercent(db: Db): number {
  return (db.prepare('SELECT percent FROM user_sample').pluck().get() as number | undefined) ?? 100;
}

/** Whether no record has reached the cache yet: only then may its sample rate be chosen. */
function cacheIsEmpty(db: Db): boolean {
  return db.prepare('SELECT NOT EXISTS (SELECT 1 FROM events) AND NOT EXISTS (SELECT 1 FROM users)').pluck().get() === 1;
}

/**
 * Refuses a write at another rate than the cache's, naming both; an empty cache takes any rate. Reads
 * only: the writer records the rate (fixCacheSample) inside its transaction.
 */
export function assertCacheSample(db: Db, percent: number): void {
  const held = cacheSamplePercent(db);
  if (held === percent || cacheIsEmpty(db)) return;
  const asked = percent === 100 ? 'every user (no --sample)' : `a ${formatSamplePercent(percent)} sample`;
  throw new ApiError(
    'conflict',
    `This cache holds ${held === 100 ? 'every user' : `a ${formatSamplePercent(held)} sample of users`}, and this import or sync asked for ${asked}. ` +
      'A cache\'s sample rate is fixed when its first records arrive: ' +
      (held === 100 ? 'import into a new cache (--db <new file>) to sample.' : `give --sample ${Number(held.toFixed(2))}, or import into a new cache (--db <new file>) for another rate.`),
  );
}

/** Checks the rate (assertCacheSample) and records it: an empty cache takes the rate asked for. */
export function fixCacheSample(db: Db, percent: number): void {
  assertCacheSample(db, percent);
  if (cacheSamplePercent(db) !== percent) db.prepare('UPDATE user_sample SET percent = ?').run(percent);
}
