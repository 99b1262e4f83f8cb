/**
 * Writes prepared records into the cache: dedupes by record key, keeps users (first and last seen;
 * identify merges traits key by key, the later timestamp wins), the daily rollup and the property-key
 * catalog. Import and sync both write through it, inside their own transactions. Only the records
 * that went in touch users, the rollup and the catalog: a duplicate changes nothing.
 *
 * Two modes:
 * - "indexed" (sync pages, large caches): 64 records per INSERT OR IGNORE … RETURNING, so the unique
 *   key index itself is the dedupe.
 * - "bulk" (imports into a cache of modest size): every events index is dropped for the load and
 *   rebuilt in finish(), and the dedupe runs against an in-memory KeySet holding the keys already
 *   stored and those written so far. Building the unique index once from sorted keys is several times
 *   faster than inserting a million random keys into it one by one, which was most of an import's
 *   time. Past KEY_SET_LIMIT keys the writer rebuilds the key index and carries on in indexed mode,
 *   so memory stays bounded whatever the file's size.
 */
import type { Statement } from 'better-sqlite3';
import { detached } from '../../../shared/strings';
import type { Db } from '../../db/connection';
import { BatchInserter } from '../../db/batch-insert';
import { createEventsRepo } from '../../db/events-repo';
import { PropertyKeyTracker, ShapeNumbering, ShapeTable } from '../../db/property-keys';
import { DailyRollup, deferIndexes } from '../../db/rollup';
import { recordId, recordJson, type PreparedRecord, type ResolvedRows } from '../records';
import { KeySet } from './key-set';
import { UserUpdates } from './user-updates';

export type WriterMode = 'bulk' | 'indexed';

/** Records per INSERT statement. */
const BATCH = 64;
/** Keys the bulk writer dedupes in memory (at most 32 MB of slots) before it turns to the key index. */
const KEY_SET_LIMIT = 2_000_000;
/** Distinct property keys held before they are written to the catalog (files with ever-new keys). */
const PROPERTY_KEYS_LIMIT = 20_000;
const COLUMNS = ['event_key', 'event_id', 'user_pk', 'name_id', 'ts', 'properties'] as const;
const KEY_INDEX = 'events_by_key';

export class RecordWriter {
  /** The property shapes of prepared records (see prepare.ts); the catalog gets those of stored records only. */
  readonly shapes = new ShapeTable();
  /** Numbers shapes straight into `shapes`, for records prepared on this thread (sync, inline parsing). */
  readonly shapeNumbers = new ShapeNumbering((id, entries) => this.shapes.set(id, entries));
  imported = 0;
  duplicates = 0;
  /** The newest stored record's instant, future-dated ones left out (see futureAfter). */
  newestTs: number | null = null;
  /**
   * Stored records dated after this instant (a day past the import's own clock) are future-dated: a
   * clock or a unit gone wrong. They are stored, but do not move "data as of", which would empty every
   * "within N days" figure; they are counted, with the latest of them.
   */
  futureAfter = Infinity;
  futureDated = 0;
  latestFutureTs: number | null = null;
  /** Property keys of the records stored, written out when they grow past PROPERTY_KEYS_LIMIT and at the end. */
  private readonly propertyKeys = new PropertyKeyTracker();
  private readonly rollup = new DailyRollup();
  private readonly users: UserUpdates;
  private readonly names = new Map<string, number>();
  private readonly repo;
  private readonly pending: PreparedRecord[] = [];
  private readonly inserts = new Map<number, Statement<unknown[], number>>();
  /** Bulk mode: the keys stored and written so far, and the plain batched INSERT. */
  private keys: KeySet | null = null;
  private bulkInsert: BatchInserter | null = null;
  private restoreKeyIndex: (() => void) | null = null;
  private restoreOtherIndexes: (() => void) | null = null;

  constructor(
    private readonly db: Db,
    mode: WriterMode,
    /** Keys the bulk writer dedupes in memory before it turns to the key index (tests lower it). */
    private readonly keySetLimit = KEY_SET_LIMIT,
  ) {
    this.repo = createEventsRepo(db);
    this.users = new UserUpdates(db);
    if (mode === 'bulk') {
      const stored = db.prepare<[], number>('SELECT count(*) FROM events').pluck().get() ?? 0;
      if (stored < keySetLimit) {
        const keys = new KeySet(stored);
        for (const key of db.prepare<[], number>(`SELECT event_key FROM events INDEXED BY ${KEY_INDEX}`).pluck().iterate()) keys.add(key);
        this.keys = keys;
        this.restoreKeyIndex = deferIndexes(db, 'events', (name) => name === KEY_INDEX);
        this.bulkInsert = new BatchInserter(db, 'INSERT INTO events', COLUMNS, BATCH);
      }
      this.restoreOtherIndexes = deferIndexes(db, 'events', (name) => name !== KEY_INDEX);
    }
  }

  private insertFor(rows: number): Statement<unknown[], number> {
    let statement = this.inserts.get(rows);
    if (!statement) {
      const values = Array.from({ length: rows }, () => '(?, ?, ?, ?, ?, ?)').join(', ');
      statement = this.db.prepare<unknown[], number>(`INSERT OR IGNORE INTO events (${COLUMNS.join(', ')}) VALUES ${values} RETURNING event_key`).pluck();
      this.inserts.set(rows, statement);
    }
    return statement;
  }

  /**
   * How many records the writer will probably see (an estimate from the file's size): the bulk
   * writer sizes its key set once instead of rehashing it at every doubling.
   */
  expectRecords(count: number): void {
    this.keys?.reserve(Math.min(count, this.keySetLimit));
  }

  /** The event name's name_id (0 for identify calls), creating it when new. */
  nameId(name: string): number {
    if (name === '') return 0;
    let id = this.names.get(name);
    if (id === undefined) {
      id = this.repo.ensureEventNames([name]).get(name) as number;
      this.names.set(detached(name), id);
    }
    return id;
  }

  /** The user's user_pk, creating the row when new (finish() removes it if no record of theirs went in). */
  userPk(userId: string): number {
    return this.users.pk(userId);
  }

  write(record: PreparedRecord): void {
    const pk = record.userPk ?? this.users.pk(record.userId);
    const nameId = record.nameId ?? this.nameId(record.name);
    if (this.keys) this.writeBulk(record.key, record.id, pk, nameId, record.ts, record.json, record.shape, record.data, record.traitsJson);
    else this.writeIndexed({ ...record, userPk: pk, nameId });
  }

  /** Records already resolved to user_pk, name_id and shape numbers (from the parser threads). */
  writeRows(rows: ResolvedRows): void {
    const { keys, texts, userPks, nameIds, ts, shapes } = rows;
    const traits = texts.traits;
    let nextTraits = 0;
    for (let i = 0; i < rows.count; i++) {
      const key = keys[i] as number;
      const id = recordId(texts, i);
      const pk = userPks[i] as number;
      const nameId = nameIds[i] as number;
      const at = ts[i] as number;
      const json = recordJson(texts, i);
      const shape = shapes[i] as number;
      let traitsJson: string | undefined;
      if (traits !== undefined && traits[nextTraits]?.[0] === i) traitsJson = (traits[nextTraits++] as [number, string])[1];
      if (this.keys) this.writeBulk(key, id, pk, nameId, at, json, shape, undefined, traitsJson);
      else this.writeIndexed({ key, id, userId: '', name: '', userPk: pk, nameId, ts: at, json, shape, ...(traitsJson === undefined ? {} : { traitsJson }) });
    }
  }

  private writeBulk(
    key: number,
    id: string,
    pk: number,
    nameId: number,
    ts: number,
    json: string | null,
    shape: number,
    data: PreparedRecord['data'],
    traitsJson: string | undefined,
  ): void {
    const keys = this.keys as KeySet;
    if (!keys.add(key)) {
      this.duplicates += 1;
      return;
    }
    (this.bulkInsert as BatchInserter).add(key, id, pk, nameId, ts, json);
    this.imported += 1;
    this.apply(pk, nameId, ts, json, shape, data, traitsJson);
    if (keys.size >= this.keySetLimit) this.leaveBulk();
  }

  private writeIndexed(record: PreparedRecord): void {
    this.pending.push(record);
    if (this.pending.length >= BATCH) this.flushPending();
  }

  /** From here on the unique key index is the dedupe: rebuild it now and let the key set go. */
  private leaveBulk(): void {
    this.bulkInsert?.flush();
    this.restoreKeyIndex?.();
    this.restoreKeyIndex = null;
    this.bulkInsert = null;
    this.keys = null;
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
    const pks: number[] = [];
    for (const r of candidates) {
      const pk = r.userPk ?? this.users.pk(r.userId);
      pks.push(pk);
      params.push(r.key, r.id, pk, r.nameId ?? this.nameId(r.name), r.ts, r.json);
    }
    const inserted = new Set(this.insertFor(candidates.length).all(...params));
    candidates.forEach((record, i) => {
      if (inserted.has(record.key)) {
        this.imported += 1;
        this.apply(pks[i] as number, record.nameId ?? this.nameId(record.name), record.ts, record.json, record.shape, record.data, record.traitsJson);
      } else this.duplicates += 1;
    });
  }

  /** Folds a stored record into users, the rollup and the catalog. */
  private apply(pk: number, nameId: number, ts: number, json: string | null, shape: number, data: PreparedRecord['data'], traitsJson?: string): void {
    this.users.seen(pk, ts);
    if (nameId === 0 && json !== null) {
      this.users.identify(pk, ts, data ?? (JSON.parse(json) as Record<string, unknown>));
    }
    // An event's context.traits merge like an identify call's at the event's instant.
    if (traitsJson !== undefined) this.users.identify(pk, ts, JSON.parse(traitsJson) as Record<string, unknown>);
    if (shape !== 0) {
      // The shape's keys enter the catalog with the first stored record of that shape.
      const entries = this.shapes.take(shape);
      if (entries) {
        this.propertyKeys.merge(entries);
        if (this.propertyKeys.size >= PROPERTY_KEYS_LIMIT) this.propertyKeys.flush(this.db, (name) => this.nameId(name));
      }
    }
    this.rollup.add(nameId, ts);
    if (ts > this.futureAfter) {
      this.futureDated += 1;
      if (this.latestFutureTs === null || ts > this.latestFutureTs) this.latestFutureTs = ts;
    } else if (this.newestTs === null || ts > this.newestTs) this.newestTs = ts;
  }

  /** Writes everything held in memory and rebuilds deferred indexes. Call before the transaction commits. */
  finish(): void {
    this.leaveBulk();
    this.flushPending();
    this.users.flush();
    this.rollup.flush(this.db);
    this.propertyKeys.flush(this.db, (name) => this.nameId(name));
    this.restoreOtherIndexes?.();
    this.restoreOtherIndexes = null;
  }
}
