/**
 * Writes prepared records into the cache: dedupes by record key, keeps users (identify merges traits
 * key by key, the later timestamp wins; first and last seen), the daily rollup and the property-key
 * catalog. Import and sync both write through it, inside their own transactions.
 *
 * Records go in 64 at a time: one multi-row INSERT OR IGNORE … RETURNING tells which keys were new,
 * so the unique key index itself is the dedupe, and memory stays flat whatever the file's size. Only
 * the records that went in touch users, the rollup and the catalog: a duplicate changes nothing.
 *
 * "bulk" mode (large imports) also drops the (name_id, user_pk, ts) index for the load and rebuilds it
 * in finish(): building it once is several times faster than maintaining it row by row.
 */
import type { Statement } from 'better-sqlite3';
import type { PreparedRecord } from './prepare';
import type { Db } from '../db/connection';
import { createEventsRepo } from '../db/events-repo';
import { PropertyKeyTracker, ShapeTable } from '../db/property-keys';
import { DailyRollup, deferIndexes } from '../db/rollup';

export type WriterMode = 'bulk' | 'indexed';

/** Sets an own property, even one named "__proto__": a trait is data, never an object's prototype. */
function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

interface UserState {
  pk: number;
  traits: Record<string, unknown>;
  traitTimes: Record<string, number>;
  first: number | null;
  last: number | null;
  dirty: boolean;
}

/** Records per INSERT statement. */
const BATCH = 64;
/** Users held in memory before their state is written out and forgotten. */
const USER_CACHE_LIMIT = 50_000;
const COLUMNS = '(event_key, event_id, user_pk, name_id, ts, properties)';

export class RecordWriter {
  /** The property shapes of prepared records (see prepare.ts); the catalog gets those of stored records only. */
  readonly shapes = new ShapeTable();
  imported = 0;
  duplicates = 0;
  newestTs: number | null = null;
  private readonly usedShapes = new Set<number>();
  private readonly rollup = new DailyRollup();
  private readonly users = new Map<string, UserState>();
  private readonly names = new Map<string, number>();
  private readonly repo;
  private readonly pending: PreparedRecord[] = [];
  private readonly inserts = new Map<number, Statement<unknown[], number>>();
  private readonly selectUser;
  private readonly insertUser;
  private readonly updateUser;
  private restoreIndexes: (() => void) | null = null;

  constructor(
    private readonly db: Db,
    mode: WriterMode,
  ) {
    this.repo = createEventsRepo(db);
    this.selectUser = db.prepare<[string], { user_pk: number; traits: string; trait_times: string; first_seen: number | null; last_seen: number | null }>(
      'SELECT user_pk, traits, trait_times, first_seen, last_seen FROM users WHERE id = ?',
    );
    this.insertUser = db.prepare('INSERT INTO users (id) VALUES (?)');
    this.updateUser = db.prepare('UPDATE users SET traits = ?, trait_times = ?, first_seen = ?, last_seen = ? WHERE user_pk = ?');
    if (mode === 'bulk') this.restoreIndexes = deferIndexes(db, 'events', (name) => name !== 'events_by_key');
  }

  private insertFor(rows: number): Statement<unknown[], number> {
    let statement = this.inserts.get(rows);
    if (!statement) {
      const values = Array.from({ length: rows }, () => '(?, ?, ?, ?, ?, ?)').join(', ');
      statement = this.db.prepare<unknown[], number>(`INSERT OR IGNORE INTO events ${COLUMNS} VALUES ${values} RETURNING event_key`).pluck();
      this.inserts.set(rows, statement);
    }
    return statement;
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

  write(record: PreparedRecord): void {
    this.pending.push(record);
    if (this.pending.length >= BATCH) this.flushPending();
  }

  private flushPending(): void {
    if (this.pending.length === 0) return;
    // A key twice in one batch: the first occurrence is the candidate, the rest are duplicates.
    const candidates: PreparedRecord[] = [];
    const seen = new Set<number>();
    for (const record of this.pending) {
      if (seen.has(record.key)) this.duplicates += 1;
      else {
        seen.add(record.key);
        candidates.push(record);
      }
    }
    this.pending.length = 0;
    const params: unknown[] = [];
    const owners: UserState[] = [];
    for (const r of candidates) {
      const user = this.user(r.userId);
      owners.push(user);
      params.push(r.key, r.id, user.pk, r.name === '' ? 0 : this.nameId(r.name), r.ts, r.json);
    }
    const inserted = new Set(this.insertFor(candidates.length).all(...params));
    candidates.forEach((record, i) => {
      if (inserted.has(record.key)) {
        this.imported += 1;
        this.apply(owners[i] as UserState, record);
      } else this.duplicates += 1;
    });
  }

  private apply(user: UserState, record: PreparedRecord): void {
    const ts = record.ts;
    if (user.first === null || ts < user.first) user.first = ts;
    if (user.last === null || ts > user.last) user.last = ts;
    user.dirty = true;
    const nameId = record.name === '' ? 0 : this.nameId(record.name);
    if (nameId === 0 && record.json !== null) {
      const traits = record.data ?? (JSON.parse(record.json) as Record<string, unknown>);
      for (const key in traits) {
        const seen = Object.prototype.hasOwnProperty.call(user.traitTimes, key) ? user.traitTimes[key] : undefined;
        if (seen === undefined || ts >= seen) {
          setOwn(user.traits, key, traits[key]);
          setOwn(user.traitTimes, key, ts);
        }
      }
    }
    if (record.shape !== 0) this.usedShapes.add(record.shape);
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
    this.flushPending();
    this.flushUsers();
    // A duplicate naming a user never seen before created that user's row: it has no record, so it goes.
    this.db.exec('DELETE FROM users WHERE first_seen IS NULL');
    this.rollup.flush(this.db);
    const keys = new PropertyKeyTracker();
    for (const shape of this.usedShapes) keys.merge(this.shapes.entries(shape));
    keys.flush(this.db, (name) => this.nameId(name));
    this.usedShapes.clear();
    this.restoreIndexes?.();
    this.restoreIndexes = null;
  }
}
