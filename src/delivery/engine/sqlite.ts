/**
 * The SQLite engine of the DeliveryEngine interface (engine/types.ts): the existing sync store, profile
 * store, eraser and pruner (store.ts, profile-store.ts, erasure.ts, retention.ts), each operation one
 * transaction. One process owns the file, so a transaction is already the whole story: better-sqlite3
 * runs it to the end before any other JavaScript, and the rules the PostgreSQL engine leaves to the
 * database (the 409 rule, the first Idempotency-Key wins) are checked inside it.
 */
import type { DeliveryDb } from '../db';
import { createEraser } from '../erasure';
import { createRecordPruner, KEPT_FOR_FREQUENCY } from '../retention';
import type { JsonObject } from '../schemas';
import { createStore, type MessageRow, type StoredState } from '../store';
import { deliveryMigrations } from '../migrations';
import { holdoutOf, type DeliveryEngine, type ImmediateCalls, type IngestOutcome, type StateOutcome } from './types';

export interface SqliteEngineOptions {
  /** Events kept per user and collected event name (profile-store.ts DEFAULT_PROFILE_EVENTS_PER_NAME). */
  profileEventsPerName?: number;
  /** Close the database in close() (when the engine's caller opened it for the engine alone). */
  closeDatabase?: boolean;
}

export function createSqliteEngine(db: DeliveryDb, options: SqliteEngineOptions = {}): DeliveryEngine {
  const store = createStore(db, { profileEventsPerName: options.profileEventsPerName });
  const eraser = createEraser(db);
  const prune = createRecordPruner(db, KEPT_FOR_FREQUENCY, (records) => store.profiles.forgetEvents(records));
  const tx = store.transaction;
  /** The tail of the admin changes running under each Idempotency-Key, so the same key takes turns. */
  const keyTails = new Map<string, Promise<unknown>>();

  const immediate: ImmediateCalls = {
    loadProfile: (userId) =>
      tx(() => {
        const profile = store.profiles.load(userId);
        const accounts = new Map<string, JsonObject>(profile.accountIds.map((groupId) => [groupId, store.accountTraits(groupId)]));
        return { profile, accounts };
      }),
    isAssigned: (messageId, userId) => store.isAssigned(messageId, userId),
    ingestWhile: (next, receivedAt) =>
      tx(() => {
        const outcomes: IngestOutcome[] = [];
        for (let record = next(); record !== null; record = next()) outcomes.push(store.ingest(record, receivedAt));
        return outcomes;
      }),
  };
  return {
    kind: 'sqlite',
    immediate,
    eventsPerName: store.profiles.eventsPerName,
    messages: async () => store.messages(),
    message: async (id) => store.message(id),
    async publish({ id, version, body, holdout, now }) {
      return tx(() => {
        const stored = store.message(id);
        if (stored && stored.version >= version) return { outcome: 'conflict', reason: 'version', stored };
        if (stored && holdoutOf(stored.body) !== holdout) return { outcome: 'conflict', reason: 'holdout', stored };
        const created = !stored || stored.state === 'deleted';
        store.publish(id, version, body, created ? 'running' : stored.state, now);
        return { outcome: 'applied', row: store.message(id) as MessageRow, created };
      });
    },
    async setState(id, state, now) {
      return tx((): StateOutcome => {
        const stored = store.message(id);
        if (!stored || stored.state === 'deleted') return { outcome: 'missing' };
        if (stored.state === 'ended' && state !== 'ended' && state !== 'deleted') return { outcome: 'ended', stored };
        if (stored.state === state) return { outcome: 'applied', row: stored };
        store.setState(id, state as StoredState, now);
        return { outcome: 'applied', row: store.message(id) as MessageRow };
      });
    },
    collectedNames: async () => store.profiles.collectedNames(),
    collect: async (names, now) => store.profiles.collect(names, now),
    dropRetiredEvents: async (limit) => store.profiles.dropRetiredEvents(limit),

    idempotent: async (key) => store.idempotent(key),
    async saveIdempotent(save, pruneBefore) {
      return tx(() => {
        const stored = store.idempotent(save.key);
        if (stored) return { saved: false, stored };
        store.saveIdempotent(save.key, save.requestHash, save.status, save.body, save.now);
        store.pruneIdempotency(pruneBefore);
        return { saved: true };
      });
    },
    withIdempotencyKey<T>(key: string, change: () => Promise<T>): Promise<T> {
      const before = keyTails.get(key) ?? Promise.resolve();
      const run = before.then(change, change);
      const tail = run.then(
        () => undefined,
        () => undefined,
      );
      keyTails.set(key, tail);
      void tail.then(() => {
        if (keyTails.get(key) === tail) keyTails.delete(key);
      });
      return run;
    },

    ingest: async (slice, receivedAt) => tx(() => slice.map((incoming): IngestOutcome => store.ingest(incoming, receivedAt))),
    group: async (call, receivedAt) => tx(() => store.group(call, receivedAt)),
    accountTraits: async (groupId) => store.accountTraits(groupId),
    loadProfile: async (userId) => immediate.loadProfile(userId),
    isAssigned: async (messageId, userId) => immediate.isAssigned(messageId, userId),
    assign: async (batch) => tx(() => batch.map((a) => store.assign(a.messageId, a.userId, a.group, a.now))),
    results: async (messageId) => store.results(messageId),

    exportPage: async (after, limit) => store.exportPage(after, limit),
    async eraseUser(userId, now) {
      return tx(() => {
        const erasure = eraser.eraseUser(userId, now);
        store.profiles.eraseUser(userId);
        return erasure;
      });
    },
    pruneStep: async (cutoff, limit) => prune(cutoff, limit),

    async health() {
      try {
        const schema = db.pragma('user_version', { simple: true }) as number;
        const migrated = schema === deliveryMigrations.length;
        return { engine: 'sqlite', reachable: true, migrated, schema, problem: migrated ? null : `the database's schema is ${schema}, not ${deliveryMigrations.length}` };
      } catch (err) {
        return { engine: 'sqlite', reachable: false, migrated: false, schema: 0, problem: (err as Error).message };
      }
    },
    async close() {
      if (options.closeDatabase && db.open) db.close();
    },
  };
}
