/**
 * Writes normalized records into the cache: dedupes by record key, keeps users (identify merges
 * traits key by key, the later timestamp wins; first and last seen), the daily rollup and the
 * property-key catalog. Import and sync both write through it, inside their own transactions.
 *
 * Two modes. "bulk" (a large import into a cache that is not huge) drops the events indexes, dedupes
 * against an in-memory set of keys, and rebuilds the indexes in finish(): several times faster. It
 * falls back to "indexed" once the key set would grow past its memory budget. "indexed" (sync pages,
 * small files into large caches) lets the unique index decide, row by row.
 */
import type { PreparedRecord } from './prepare';
import { BatchInserter } from '../db/batch-insert';
import type { Db } from '../db/connection';
import { createEventsRepo } from '../db/events-repo';
import { PropertyKeyTracker } from '../db/property-keys';
import { DailyRollup, deferIndexes } from '../db/rollup';

export type WriteOutcome = 'imported' | 'duplicate';
export type WriterMode = 'bulk' | 'indexed';

interface UserState {
  pk: number;
  traits: Record<string, unknown>;
  traitTimes: Record<string, number>;
  first: number | null;
  last: number | null;
  dirty: boolean;
}

/** In bulk mode, the most keys held in memory (about 50 bytes each) before switching to indexed mode. */
export const BULK_KEY_BUDGET = 1_500_000;
/** Users held in memory before their state is written out and forgotten. */
const USER_CACHE_LIMIT = 200_000;

export class RecordWriter {
  private readonly rollup = new DailyRollup();
  /** Property keys of the records written: fed by whoever prepares them (see prepare.ts). */
  readonly propertyKeys = new PropertyKeyTracker();
  private readonly users = new Map<string, UserState>();
  private readonly names = new Map<string, number>();
  private readonly repo;
  private keys: Set<number> | null = null;
  private restoreIndexes: (() => void) | null = null;
  private readonly inserter: BatchInserter;
  private readonly insertOrIgnore;
  private readonly selectUser;
  private readonly insertUser;
  private readonly updateUser;
  private mode: WriterMode;
  newestTs: number | null = null;

  constructor(
    private readonly db: Db,
    mode: WriterMode,
    private readonly keyBudget = BULK_KEY_BUDGET,
  ) {
    this.repo = createEventsRepo(db);
    this.mode = mode;
    const columns = ['event_key', 'event_id', 'user_pk', 'name_id', 'ts', 'properties'];
    this.inserter = new BatchInserter(db, 'INSERT INTO events', columns);
    this.insertOrIgnore = db.prepare(
      'INSERT OR IGNORE INTO events (event_key, event_id, user_pk, name_id, ts, properties) VALUES (?, ?, ?, ?, ?, ?)',
    );
    this.selectUser = db.prepare<[string], { user_pk: number; traits: string; trait_times: string; first_seen: number | null; last_seen: number | null }>(
      'SELECT user_pk, traits, trait_times, first_seen, last_seen FROM users WHERE id = ?',
    );
    this.insertUser = db.prepare('INSERT INTO users (id) VALUES (?)');
    this.updateUser = db.prepare('UPDATE users SET traits = ?, trait_times = ?, first_seen = ?, last_seen = ? WHERE user_pk = ?');
    if (mode === 'bulk') this.enterBulk();
  }

  get currentMode(): WriterMode {
    return this.mode;
  }

  private enterBulk(): void {
    const keys = new Set<number>();
    for (const key of this.db.prepare('SELECT event_key FROM events').pluck().iterate() as Iterable<number>) keys.add(key);
    if (keys.size > this.keyBudget) {
      this.mode = 'indexed';
      return;
    }
    this.keys = keys;
    this.restoreIndexes = deferIndexes(this.db, 'events');
  }

  private leaveBulk(): void {
    this.inserter.flush();
    this.restoreIndexes?.();
    this.restoreIndexes = null;
    this.keys = null;
    this.mode = 'indexed';
  }

  private nameId(name: string): number {
    let id = this.names.get(name);
    if (id === undefined) {
      id = this.repo.ensureEventNames([name]).get(name) as number;
      this.names.set(name, id);
    }
    return id;
  }

  private user(userId: string): UserState {
    let state = this.users.get(userId);
    if (state) return state;
    if (this.users.size >= USER_CACHE_LIMIT) this.flushUsers();
    const row = this.selectUser.get(userId);
    state = row
      ? {
          pk: row.user_pk,
          traits: JSON.parse(row.traits) as Record<string, unknown>,
          traitTimes: JSON.parse(row.trait_times) as Record<string, number>,
          first: row.first_seen,
          last: row.last_seen,
          dirty: false,
        }
      : { pk: Number(this.insertUser.run(userId).lastInsertRowid), traits: {}, traitTimes: {}, first: null, last: null, dirty: true };
    this.users.set(userId, state);
    return state;
  }

  write(record: PreparedRecord): WriteOutcome {
    const key = record.key;
    const nameId = record.name === '' ? 0 : this.nameId(record.name);
    const properties = record.json;
    if (this.mode === 'bulk') {
      const keys = this.keys as Set<number>;
      if (keys.has(key)) return 'duplicate';
      keys.add(key);
      const user = this.user(record.userId);
      this.inserter.add(key, record.id, user.pk, nameId, record.ts, properties);
      this.apply(user, record, nameId);
      if (keys.size > this.keyBudget) this.leaveBulk();
      return 'imported';
    }
    const user = this.user(record.userId);
    const inserted = this.insertOrIgnore.run(key, record.id, user.pk, nameId, record.ts, properties).changes > 0;
    if (!inserted) return 'duplicate';
    this.apply(user, record, nameId);
    return 'imported';
  }

  private apply(user: UserState, record: PreparedRecord, nameId: number): void {
    const ts = record.ts;
    if (user.first === null || ts < user.first) user.first = ts;
    if (user.last === null || ts > user.last) user.last = ts;
    user.dirty = true;
    if (nameId === 0 && record.json !== null) {
      const traits = record.data ?? (JSON.parse(record.json) as Record<string, unknown>);
      for (const key in traits) {
        const seen = user.traitTimes[key];
        if (seen === undefined || ts >= seen) {
          user.traits[key] = traits[key];
          user.traitTimes[key] = ts;
        }
      }
    }
    this.rollup.add(nameId, ts);
    if (this.newestTs === null || ts > this.newestTs) this.newestTs = ts;
  }

  private flushUsers(): void {
    for (const state of this.users.values()) {
      if (state.dirty) {
        this.updateUser.run(JSON.stringify(state.traits), JSON.stringify(state.traitTimes), state.first, state.last, state.pk);
      }
    }
    this.users.clear();
  }

  /** Writes everything held in memory and rebuilds deferred indexes. Call before the transaction commits. */
  finish(): void {
    this.inserter.flush();
    this.flushUsers();
    this.rollup.flush(this.db);
    this.propertyKeys.flush(this.db, (name) => this.nameId(name));
    this.restoreIndexes?.();
    this.restoreIndexes = null;
    this.keys = null;
  }
}
