/**
 * Erasure (DELETE /v1/users/{userId}): everything the delivery server holds about one user goes in one
 * transaction, and the events export gets an erase marker at a new seq, so the companion's sync sees
 * it in order and removes the user from its cache too (docs/DELIVERY.md, "Retention and erasure").
 *
 * The server keeps no links between ids: a record is stored under its userId, else its anonymousId,
 * and an anonymousId beside a userId is not kept. So erasure here removes what is stored under the
 * id given; the companion, which does keep identity links, erases every id merged into that user.
 */
import { randomUUID } from 'node:crypto';
import type { DeliveryDb } from './db';
import { ASSIGNED_EVENT, RESULT_METRICS } from './store';

/** The record type of an erase marker in the records table and the export. */
export const ERASE_MARKER_TYPE = 'erase';

/** What one erasure removed, counted by kind. */
export interface ErasedCounts {
  /** Records stored under the id: events, identify calls and group calls. */
  records: number;
  /** The user's merged traits (1 when the user had any). */
  traits: number;
  /** Memberships of accounts (the accounts themselves are shared and stay). */
  accountMemberships: number;
  /** The user's entries in message results (each metric a user counted in, and NPS answers): the counts drop with them. */
  messageResults: number;
}

export interface Erasure {
  userId: string;
  erasedAt: number;
  /** The erase marker's seq in the export. */
  seq: number;
  removed: ErasedCounts;
  /** True when nothing was stored since an earlier erasure: nothing removed, no new marker. */
  repeated: boolean;
}

/**
 * The statements that delete one user's rows, each found through an index (tests/unit/delivery-erasure-indexes.test.ts
 * checks their plans). The message tables are keyed (message_id, …, user_id): "message_id IN (SELECT id FROM
 * messages)" lets their primary key answer with one seek per message instead of a scan of every user's rows.
 * Every row of them names a message the server holds: results and NPS answers count only messages that exist
 * (store.ts countResult), decide assigns only live ones, and a deleted message keeps its row (state 'deleted').
 */
const OF_USER = 'message_id IN (SELECT id FROM messages) AND user_id = ?';
/** message_result_users is keyed (message_id, metric, user_id): its metrics too, so each seek lands on the user. */
const COUNTED_OF_USER = `message_id IN (SELECT id FROM messages) AND metric IN (${RESULT_METRICS.map((m) => `'${m}'`).join(', ')}) AND user_id = ?`;
export const ERASE_USER_SQL = {
  // records_by_user leaves the assignments' records out (migration 0009): they go by their ids below.
  deleteRecords: `DELETE FROM records WHERE user_id = ? AND type <> 'erase' AND name <> '${ASSIGNED_EVENT}'`,
  deleteProfile: 'DELETE FROM profiles WHERE user_id = ?',
  deleteMemberships: 'DELETE FROM account_members WHERE user_id = ?',
  // Each result row the user counts in takes one off its metric's count.
  dropCounted: `UPDATE message_results SET count = count - 1
        WHERE (message_id, metric) IN (SELECT message_id, metric FROM message_result_users WHERE ${COUNTED_OF_USER})`,
  dropNps: `UPDATE message_results SET count = count - 1
        WHERE (message_id, metric) IN (SELECT message_id, category FROM message_nps_answers WHERE ${OF_USER})`,
  deleteCounted: `DELETE FROM message_result_users WHERE ${COUNTED_OF_USER}`,
  deleteNps: `DELETE FROM message_nps_answers WHERE ${OF_USER}`,
  // The user's assignments: their message_assigned records, one id per message (store.ts assignmentRecordId).
  deleteAssignments: "DELETE FROM records WHERE record_id IN (SELECT 'assigned:' || id || ':' || ? FROM messages)",
} as const;

export function createEraser(db: DeliveryDb) {
  const s = {
    erasure: db.prepare<[string], { erased_at: number; seq: number }>('SELECT erased_at, seq FROM erasures WHERE user_id = ?'),
    deleteRecords: db.prepare<[string]>(ERASE_USER_SQL.deleteRecords),
    deleteProfile: db.prepare<[string]>(ERASE_USER_SQL.deleteProfile),
    deleteMemberships: db.prepare<[string]>(ERASE_USER_SQL.deleteMemberships),
    dropCounted: db.prepare<[string]>(ERASE_USER_SQL.dropCounted),
    dropNps: db.prepare<[string]>(ERASE_USER_SQL.dropNps),
    deleteCounted: db.prepare<[string]>(ERASE_USER_SQL.deleteCounted),
    deleteNps: db.prepare<[string]>(ERASE_USER_SQL.deleteNps),
    deleteAssignments: db.prepare<[string]>(ERASE_USER_SQL.deleteAssignments),
    insertMarker: db.prepare<[string, number, string, number], number>(
      `INSERT INTO records (record_id, type, user_id, name, ts, data, received_at) VALUES (?, '${ERASE_MARKER_TYPE}', '', '', ?, ?, ?) RETURNING seq`,
    ),
    saveErasure: db.prepare<[string, number, number]>(
      `INSERT INTO erasures (user_id, erased_at, seq) VALUES (?, ?, ?)
       ON CONFLICT (user_id) DO UPDATE SET erased_at = excluded.erased_at, seq = excluded.seq`,
    ),
  };
  const insertMarker = s.insertMarker.pluck();

  return {
    /**
     * Erases a user: null when the server holds nothing about them and never erased them. A repeat with
     * nothing stored since answers the earlier erasure. Call inside a transaction.
     */
    eraseUser(userId: string, now: number): Erasure | null {
      s.dropCounted.run(userId);
      s.dropNps.run(userId);
      // A later decide assigns the user again, to the same group (the hash is stable).
      const assignments = s.deleteAssignments.run(userId).changes;
      const removed: ErasedCounts = {
        records: s.deleteRecords.run(userId).changes + assignments,
        traits: s.deleteProfile.run(userId).changes,
        accountMemberships: s.deleteMemberships.run(userId).changes,
        // An assignment counts here too (each one was a row of message_assignments before migration 0009).
        messageResults: s.deleteCounted.run(userId).changes + s.deleteNps.run(userId).changes + assignments,
      };
      const earlier = s.erasure.get(userId);
      const anything = removed.records + removed.traits + removed.accountMemberships + removed.messageResults > 0;
      if (!anything) return earlier ? { userId, erasedAt: earlier.erased_at, seq: earlier.seq, removed, repeated: true } : null;
      const seq = insertMarker.get(`erase-${randomUUID()}`, now, JSON.stringify({ userId }), now) as number;
      s.saveErasure.run(userId, now, seq);
      return { userId, erasedAt: now, seq, removed, repeated: false };
    },
  };
}

export type Eraser = ReturnType<typeof createEraser>;
