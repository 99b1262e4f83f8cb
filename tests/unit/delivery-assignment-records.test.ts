/**
 * Migration 0009: an assignment is its message_assigned record alone. A database from before it keeps
 * every assignment: those whose record retention had pruned get it back (same id, instant and group),
 * the message_assignments table goes, and the store reads and writes assignments through the records.
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { DELIVERY_APPLICATION_ID, openDeliveryDb } from '../../src/delivery/db';
import { deliveryMigrations } from '../../src/delivery/migrations';
import { createStore } from '../../src/delivery/store';
import { migrate } from '../../src/shared/migrate';
import { useTempDir } from './helpers';

const tempDir = useTempDir();

/** A database at schema 8: Ann's assignment with its record, Bob's whose record retention pruned. */
function schemaEightWithAssignments(): string {
  const file = join(tempDir(), 'delivery.db');
  const raw = new Database(file);
  migrate(raw, deliveryMigrations.slice(0, 8), { applicationId: DELIVERY_APPLICATION_ID, label: 'the delivery database', now: 1 });
  raw.prepare("INSERT INTO messages (id, version, body, state, published_at, updated_at) VALUES ('m1', 1, '{}', 'running', 1, 1)").run();
  const assign = raw.prepare('INSERT INTO message_assignments (message_id, user_id, grp, assigned_at) VALUES (?, ?, ?, ?)');
  assign.run('m1', 'ann', 'exposed', 5_000);
  assign.run('m1', 'bob', 'holdout', 6_000);
  raw
    .prepare("INSERT INTO records (record_id, type, user_id, name, ts, data, received_at) VALUES ('assigned:m1:ann', 'track', 'ann', 'message_assigned', 5000, ?, 5000)")
    .run(JSON.stringify({ message_id: 'm1', group: 'exposed' }));
  raw.close();
  return file;
}

describe('migration 0009: assignments as their records', () => {
  it('gives every assignment its record, once, and drops the table', () => {
    const { db } = openDeliveryDb(schemaEightWithAssignments(), { now: 10_000 });
    try {
      expect(db.prepare("SELECT count(*) FROM sqlite_master WHERE name = 'message_assignments'").pluck().get()).toBe(0);
      const rows = db.prepare("SELECT record_id, type, user_id, ts, data, received_at FROM records WHERE name = 'message_assigned' ORDER BY record_id").all();
      expect(rows).toEqual([
        { record_id: 'assigned:m1:ann', type: 'track', user_id: 'ann', ts: 5_000, data: JSON.stringify({ message_id: 'm1', group: 'exposed' }), received_at: 5_000 },
        // The same text the store writes (JSON.stringify), so the export reads both alike.
        { record_id: 'assigned:m1:bob', type: 'track', user_id: 'bob', ts: 6_000, data: JSON.stringify({ message_id: 'm1', group: 'holdout' }), received_at: 6_000 },
      ]);
      const store = createStore(db);
      expect([store.isAssigned('m1', 'ann'), store.isAssigned('m1', 'bob'), store.isAssigned('m1', 'cy')]).toEqual([true, true, false]);
      // Assigned already: nothing stored again, nothing for the profile cache.
      expect(store.transaction(() => store.assign('m1', 'bob', 'exposed', 9_000))).toBeNull();
      expect(store.transaction(() => store.assign('m1', 'cy', 'exposed', 9_000))?.record.id).toBe('assigned:m1:cy');
      expect(db.prepare("SELECT count(*) FROM records WHERE name = 'message_assigned'").pluck().get()).toBe(3);
    } finally {
      db.close();
    }
  });

  it('leaves assignments out of the indexes by user and by arrival: no page of theirs to write per assignment', () => {
    const { db } = openDeliveryDb(join(tempDir(), 'fresh.db'));
    try {
      const indexes = db.prepare<[], { name: string; sql: string }>("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'records' AND sql IS NOT NULL").all();
      expect(indexes.map((i) => i.name).sort()).toEqual(['records_by_arrival', 'records_by_user']);
      for (const index of indexes) expect(index.sql).toMatch(/name <> 'message_assigned'/);
    } finally {
      db.close();
    }
  });
});
