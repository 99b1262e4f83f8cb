/**
 * Erasing a user deletes the user's rows from every table that holds them, inside one write transaction.
 * Each of those statements must find the rows through an index: a full scan of a table that grows with
 * users times messages (assignments, results, answers) would make one erasure cost the whole table while
 * ingestion waits. Checked on the migrated schema with SQLite's own query planner.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDeliveryDb } from '../../src/delivery/db';
import { ERASE_USER_SQL } from '../../src/delivery/erasure';
import { useTempDir } from './helpers';

const tempDir = useTempDir();

describe('erasure reaches the user rows through indexes', () => {
  it('plans no full scan of any table for any of its statements', () => {
    const { db } = openDeliveryDb(join(tempDir(), 'delivery.db'));
    try {
      const plans = Object.entries(ERASE_USER_SQL).map(([name, sql]) => ({
        name,
        plan: (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all('u') as { detail: string }[]).map((p) => p.detail),
      }));
      expect(plans.length).toBe(8);
      // "SCAN messages" (the message ids, a small table) is the one scan allowed: every other table is searched.
      const scans = plans.filter(({ plan }) => plan.some((step) => /^SCAN /.test(step) && !/^SCAN messages\b/.test(step)));
      expect(scans).toEqual([]);
      // Every search of a message table reaches the user: its key's user column is bound, not a range of all users.
      const partial = plans.filter(({ plan }) => plan.some((step) => /^SEARCH message_(result_users|nps_answers) /.test(step) && !/user_id=\?/.test(step)));
      expect(partial).toEqual([]);
      // Without the message ids the planner scans the table: the check above can fail.
      const plain = (db.prepare('EXPLAIN QUERY PLAN DELETE FROM message_nps_answers WHERE user_id = ?').all('u') as { detail: string }[]).map((p) => p.detail);
      expect(plain.some((step) => /^SCAN message_nps_answers/.test(step))).toBe(true);
      // The assignments' records are not in records_by_user (migration 0009): without the name left out, the planner scans records.
      const everyRecord = (db.prepare("EXPLAIN QUERY PLAN DELETE FROM records WHERE user_id = ? AND type <> 'erase'").all('u') as { detail: string }[]).map((p) => p.detail);
      expect(everyRecord.some((step) => /^SCAN records/.test(step))).toBe(true);
    } finally {
      db.close();
    }
  });
});
