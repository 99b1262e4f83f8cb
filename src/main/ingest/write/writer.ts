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
 *
 * A key is a 53-bit hash of the record's id, so two ids can share one. A key already stored (a hit) is
 * confirmed by reading the row stored under it: the same id is a duplicate; another id is a collision,
 * and the record is stored under the next free key after its own (key + 1, …), the way an open-
 * addressing table probes, so a later import of either record finds it by walking the same keys.
 * Only hits pay that read (a rowid lookup in bulk mode, a key-index lookup in indexed mode). Events
 * are deleted only by erasure (erase.ts), which closes the gap it leaves in a probe walk.
 *
 * Records of an erased user (a tombstone in erased_users) dated at or before the erasure are skipped
 * and counted (`erasedSkipped`): an old file does not bring an erased user back.
 *
 * A sampled cache (docs/IMPORT.md, "A sample of users") keeps only the records whose own id (userId,
 * else anonymousId) is in the user sample; the others are counted (`sampledOut`) and leave nothing, not
 * even a link. This is the one place the sample filters: an id out of it resolves to SAMPLED_OUT.
 */
import { isDeepStrictEqual } from 'node:util';
import type { Statement } from 'better-sqlite3';
import { detached } from '../../../shared/strings';
import { userSample, type UserSample } from '../../../shared/user-sample';
import type { ConflictingDuplicate, ImportDetails } from '../../../shared/types';
import type { Db } from '../../db/connection';
import { BatchInserter } from '../../db/batch-insert';
import { createEventsRepo } from '../../db/events-repo';
import { fixCacheSample } from '../../db/user-sample';
import { PropertyKeyTracker, ShapeNumbering, ShapeTable } from '../../db/property-keys';
import { DailyRollup, deferIndexes } from '../../db/rollup';
import { recordId, recordJson, ROW_ACCOUNT, ROW_ALIAS, ROW_ANONYMOUS, ROW_GROUP, type PreparedRecord, type ResolvedRows } from '../records';
import { Identities } from './identities';
import { KeySet, MAX_KEY_SET_PK } from './key-set';
import { ReplaceableEvents } from './replaceable';
import { UserUpdates } from './user-updates';
import { mergeUsers } from './user-merge';

export type WriterMode = 'bulk' | 'indexed';

/** Records per INSERT statement. */
const BATCH = 64;
/** Keys the bulk writer dedupes in memory (at most 32 MB of slots) before it turns to the key index. */
const KEY_SET_LIMIT = 2_000_000;
/** Distinct property keys held before they are written to the catalog (files with ever-new keys). */
const PROPERTY_KEYS_LIMIT = 20_000;
const COLUMNS = ['event_key', 'event_id', 'user_pk', 'name_id', 'ts', 'properties'] as const;
const KEY_INDEX = 'events_by_key';
/** Above this many events already in the cache, an import keeps the indexes live instead of rebuilding them. */
const BULK_MAX_EXISTING = 2_000_000;
/**
 * A bulk load pays for the cache it lands in: it reads every stored key into memory and rebuilds the
 * events indexes over every row, old and new (and writes them whole through the rollback journal).
 * Indexed mode pays per record instead, a few random index insertions each. Bulk is chosen only when
 * the import brings at least this share of what the cache holds (docs/PERFORMANCE.md, "Small imports").
 */
const BULK_MIN_SHARE = 0.25;

/**
 * The writer mode for an import of about `expectedRecords` into a cache of `existingEvents`: bulk
 * when the load is large against the cache (the index rebuild then costs less than inserting into the
 * live indexes), indexed otherwise, so a small import costs in proportion to itself, not to the cache.
 */
export function writerModeFor(existingEvents: number, expectedRecords: number): WriterMode {
  if (existingEvents > BULK_MAX_EXISTING) return 'indexed';
  return expectedRecords >= existingEvents * BULK_MIN_SHARE ? 'bulk' : 'indexed';
}

/** The user_pk an id out of the cache's user sample resolves to: its records are skipped. */
export const SAMPLED_OUT = -2;

/** Conflicting duplicates the report shows (it counts them all). */
export const CONFLICT_EXAMPLES = 5;
/** Keys are below 2^53 (recordKey): the probe after the last one wraps to 0. */
export const KEY_SPACE = 2 ** 53;

/** The probe after `key`: where a record goes when another id holds its key. */
export function nextKey(key: number): number {
  return key + 1 === KEY_SPACE ? 0 : key + 1;
}

/** A stored row, as a hit reads it to confirm the id and compare the content. */
interface StoredEvent {
  event_pk: number;
  event_id: string;
  user_pk: number;
  name_id: number;
  ts: number;
  properties: string | null;
}

export interface RecordWriterOptions {
  /** Keys the bulk writer dedupes in memory before it turns to the key index (tests lower it). */
  keySetLimit?: number;
  /**
   * The record key of an id. By default the key the parse side computed (recordKey); tests give a
   * weak hash here to make different ids collide.
   */
  recordKey?: (id: string) => number;
  /** Identity links held in memory before they are written (tests lower it; see identities.ts). */
  identityLinksLimit?: number;
  /**
   * The share of users to keep, in percent (100 when absent): it must be the cache's rate, or the
   * cache must be empty and takes it (db/user-sample.ts); the writer refuses otherwise.
   */
  samplePercent?: number;
}

export class RecordWriter {
  /** The property shapes of prepared records (see prepare.ts); the catalog gets those of stored records only. */
  readonly shapes = new ShapeTable();
  /** Numbers shapes straight into `shapes`, for records prepared on this thread (sync, inline parsing). */
  readonly shapeNumbers = new ShapeNumbering((id, entries) => this.shapes.set(id, entries));
  imported = 0;
  duplicates = 0;
  /** Duplicates (same id) whose user, name, instant or properties differ from the stored record's: the first one stays. */
  conflictingDuplicates = 0;
  /** The first CONFLICT_EXAMPLES of them. */
  readonly conflictExamples: ConflictingDuplicate[] = [];
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
  /** Alias and group calls read: applied (idempotently) rather than stored, so neither imported nor duplicates. */
  identityCalls = 0;
  /** Anonymous ids that stayed with their first user although a record named another (set by finish()). */
  identityConflicts = 0;
  /** Users merged into others by finish(). */
  usersMerged = 0;
  /** Records skipped because their user was erased after them (erased_users). */
  erasedSkipped = 0;
  /** Records skipped because their user is out of the cache's user sample. */
  sampledOut = 0;
  /** The cache's user sample; null when it holds every user. */
  private readonly sample: UserSample | null;
  /** Tombstones: an erased id → the erasure's instant. */
  private readonly erased: Map<string, number>;
  /** The user_pks the parser threads were given for erased ids, with the id, until a record after the erasure links it. */
  private readonly erasedPks = new Map<number, { id: string; erasedAt: number; known: boolean; linked: boolean }>();
  private readonly identities: Identities;
  /** Property keys of the records stored, written out when they grow past PROPERTY_KEYS_LIMIT and at the end. */
  private readonly propertyKeys = new PropertyKeyTracker();
  private readonly rollup = new DailyRollup();
  private readonly users: UserUpdates;
  private readonly names = new Map<string, number>();
  /** Warehouse `tracks` rows stored, which a per-event row with their id replaces (replaceable.ts). */
  private readonly replaceables: ReplaceableEvents;
  private readonly repo;
  private readonly pending: PreparedRecord[] = [];
  private readonly inserts = new Map<number, Statement<unknown[], number>>();
  /** Bulk mode: the keys stored and written so far, and the plain batched INSERT. */
  private keys: KeySet | null = null;
  private bulkInsert: BatchInserter | null = null;
  /** Bulk mode: the event_pk SQLite gives the next row (max + 1: the table has no AUTOINCREMENT and only this writer appends). */
  private nextPk = 0;
  private readonly keySetLimit: number;
  private readonly keyOf: ((id: string) => number) | undefined;
  private readonly storedByPk: Statement<[number], StoredEvent>;
  private readonly storedByKey: Statement<[number], StoredEvent>;
  private readonly insertOne: Statement<unknown[]>;
  private restoreKeyIndex: (() => void) | null = null;
  private restoreOtherIndexes: (() => void) | null = null;

  constructor(
    private readonly db: Db,
    mode: WriterMode,
    options: RecordWriterOptions = {},
  ) {
    const samplePercent = options.samplePercent ?? 100;
    fixCacheSample(db, samplePercent);
    this.sample = samplePercent < 100 ? userSample(samplePercent) : null;
    this.keySetLimit = options.keySetLimit ?? KEY_SET_LIMIT;
    this.keyOf = options.recordKey;
    this.repo = createEventsRepo(db);
    this.users = new UserUpdates(db);
    this.replaceables = new ReplaceableEvents(db);
    this.identities = new Identities(db, this.users.firstPkOfNewUsers, options.identityLinksLimit);
    this.erased = new Map(db.prepare<[], [string, number]>('SELECT user_id, erased_at FROM erased_users').raw().all());
    const selectStored = 'SELECT event_pk, event_id, user_pk, name_id, ts, properties FROM events';
    this.storedByPk = db.prepare<[number], StoredEvent>(`${selectStored} WHERE event_pk = ?`);
    this.storedByKey = db.prepare<[number], StoredEvent>(`${selectStored} WHERE event_key = ?`);
    this.insertOne = db.prepare(`INSERT INTO events (${COLUMNS.join(', ')}) VALUES (?, ?, ?, ?, ?, ?)`);
    if (mode === 'bulk') {
      const stored = db.prepare<[], number>('SELECT count(*) FROM events').pluck().get() ?? 0;
      const lastPk = db.prepare<[], number>('SELECT coalesce(max(event_pk), 0) FROM events').pluck().get() ?? 0;
      if (stored < this.keySetLimit && lastPk + this.keySetLimit < MAX_KEY_SET_PK) {
        const keys = new KeySet(stored);
        const rows = db.prepare<[], [number, number]>(`SELECT event_key, event_pk FROM events INDEXED BY ${KEY_INDEX}`).raw().iterate();
        for (const [key, pk] of rows) keys.add(key, pk);
        this.keys = keys;
        this.nextPk = lastPk + 1;
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

  /**
   * The user's user_pk, creating the row when new (finish() removes it if no record of theirs went in).
   * The id is linked to it in identity_links. An id out of the user sample gets no user: SAMPLED_OUT.
   */
  userPk(userId: string): number {
    if (this.sample !== null && !this.sample.keeps(userId)) return SAMPLED_OUT;
    const pk = this.users.pk(userId);
    const erasedAt = this.erased.get(userId);
    // An erased id is linked only once a record of theirs dated after the erasure is written (linkErased).
    if (erasedAt !== undefined) this.erasedPks.set(pk, { id: detached(userId), erasedAt, known: false, linked: false });
    else this.identities.noteId(userId, pk, false);
    return pk;
  }

  /** The id was a record's userId: its link is a known user's. */
  knownId(userId: string, pk: number): void {
    // An id out of the user sample resolved to SAMPLED_OUT: it has no user, so no link to make known.
    if (pk === SAMPLED_OUT) return;
    const erased = this.erased.has(userId) ? this.erasedPks.get(pk) : undefined;
    if (erased) erased.known = true;
    else this.identities.knownId(userId, pk);
  }

  /** Whether a record of `id` at `ts` predates that id's erasure (so it is skipped). */
  private erasedBefore(id: string, ts: number): boolean {
    const erasedAt = this.erased.get(id);
    return erasedAt !== undefined && ts <= erasedAt;
  }

  /**
   * The parser threads' records of an erased id's user_pk: true when the record predates the erasure
   * (skip it); otherwise the id comes back from this record on, linked like any other.
   */
  private erasedPkBefore(pk: number, ts: number): boolean {
    const erased = this.erasedPks.get(pk);
    if (!erased) return false;
    if (ts <= erased.erasedAt) return true;
    if (!erased.linked) {
      erased.linked = true;
      this.identities.noteId(erased.id, pk, erased.known);
    }
    return false;
  }

  /**
   * Feeds the identity links with a record (duplicates included): its linked id (-1: none), or the
   * alias or group call it is. True for identity calls, which store no event.
   */
  private link(pk: number, linkedPk: number, flags: number, ts: number, groupId: string | undefined, json: string | null): boolean {
    this.identities.own(pk);
    if ((flags & (ROW_ALIAS | ROW_GROUP)) !== 0) {
      this.identityCalls += 1;
      // The caller is a user of the cache from its first call on, even with no event (a member of an account,
      // say), but such a call is no activity: first and last seen count events and identify calls only, as
      // docs/SEGMENTS.md defines them and the delivery server counts them.
      this.users.keep(pk);
      if ((flags & ROW_ALIAS) !== 0) {
        if (linkedPk >= 0 && linkedPk !== pk) this.identities.alias(linkedPk, pk, ts);
      } else {
        // A group call's linked id is its anonymousId beside a userId: it links like any record's.
        if (linkedPk >= 0 && linkedPk !== pk) this.identities.anonymousOf(linkedPk, pk, ts);
        this.identities.group(pk, groupId as string, json, ts);
      }
      return true;
    }
    if (linkedPk >= 0 && linkedPk !== pk) this.identities.anonymousOf(linkedPk, pk, ts);
    return false;
  }

  write(record: PreparedRecord): void {
    if (record.call === 'account') {
      this.account(record.groupId as string, record.json, record.ts);
      return;
    }
    let pk = record.userPk;
    if (this.sample !== null && (pk === SAMPLED_OUT || (pk === undefined && !this.sample.keeps(record.userId)))) {
      this.sampledOut += 1;
      return;
    }
    if (this.erased.size > 0 && (pk === undefined ? this.erasedBefore(record.userId, record.ts) : this.erasedPkBefore(pk, record.ts))) {
      this.erasedSkipped += 1;
      return;
    }
    if (pk === undefined) {
      pk = this.users.pk(record.userId);
      this.identities.noteId(record.userId, pk, record.anonymous !== true);
    }
    // A link to an id erased after this record is dropped: the record is its user's, the erased id stays gone.
    const linked = record.linkedId !== undefined && !this.erasedBefore(record.linkedId, record.ts) ? record.linkedId : undefined;
    // A linked id out of the sample is not linked: its own records are not in the cache either.
    const linkedPk = linked === undefined ? -1 : Math.max(-1, this.userPk(linked));
    // An erased id's first record after the erasure (checked above) links it again, as the parser threads' path does.
    if (linkedPk >= 0 && this.erasedPks.size > 0) this.erasedPkBefore(linkedPk, record.ts);
    const flags = (record.anonymous ? ROW_ANONYMOUS : 0) | (record.call === 'alias' ? ROW_ALIAS : record.call === 'group' ? ROW_GROUP : 0);
    if (this.link(pk, linkedPk, flags, record.ts, record.groupId, record.json)) return;
    const nameId = record.nameId ?? this.nameId(record.name);
    const key = this.keyOf ? this.keyOf(record.id) : record.key;
    if (this.keys) this.writeBulk(key, record.id, pk, nameId, record.ts, record.json, record.shape, record.data, record.traitsJson, record.line, record.replaceable === true);
    else this.writeIndexed({ ...record, key, userPk: pk, nameId });
  }

  /**
   * A warehouse `accounts` row: the account's traits merged like a group call's (the later wins), with
   * no member. Counted with the identity calls: it stores no event.
   */
  private account(groupId: string, traits: string | null, ts: number): void {
    this.identityCalls += 1;
    this.identities.group(-1, groupId, traits, ts);
  }

  /** Records already resolved to user_pk, name_id and shape numbers (from the parser threads). */
  writeRows(rows: ResolvedRows): void {
    const { keys, texts, userPks, nameIds, ts, shapes, lines, linkedPks, flags, groupIds } = rows;
    const keyOf = this.keyOf;
    const traits = texts.traits;
    let nextTraits = 0;
    const replaceable = rows.replaceable;
    let nextReplaceable = 0;
    let nextGroup = 0;
    const checkErased = this.erasedPks.size > 0;
    for (let i = 0; i < rows.count; i++) {
      const rowFlags = flags[i] as number;
      if ((rowFlags & ROW_ACCOUNT) !== 0) {
        // An accounts row: its groupId is the next entry of the groupIds list, and no user is involved.
        const [, groupId] = (groupIds as [number, string][])[nextGroup++] as [number, string];
        this.account(groupId, recordJson(texts, i), ts[i] as number);
        continue;
      }
      if (userPks[i] === SAMPLED_OUT) {
        this.sampledOut += 1;
        // As for an erased user's record below: a group call owns an entry of the groupIds list.
        if (groupIds !== undefined && groupIds[nextGroup]?.[0] === i) nextGroup += 1;
        continue;
      }
      // A linked id out of the sample (SAMPLED_OUT) is not linked: its own records are not in the cache either.
      let linkedPk = Math.max(-1, linkedPks[i] as number);
      if (checkErased) {
        if (this.erasedPkBefore(userPks[i] as number, ts[i] as number)) {
          this.erasedSkipped += 1;
          // A skipped group call owns an entry of the groupIds list: step past it (the other lists step themselves).
          if (groupIds !== undefined && groupIds[nextGroup]?.[0] === i) nextGroup += 1;
          continue;
        }
        if (linkedPk >= 0 && this.erasedPkBefore(linkedPk, ts[i] as number)) linkedPk = -1;
      }
      if (rowFlags !== 0 || linkedPk >= 0) {
        let groupId: string | undefined;
        if (groupIds !== undefined && groupIds[nextGroup]?.[0] === i) groupId = (groupIds[nextGroup++] as [number, string])[1];
        if (this.link(userPks[i] as number, linkedPk, rowFlags, ts[i] as number, groupId, recordJson(texts, i))) continue;
      } else this.identities.own(userPks[i] as number);
      const id = recordId(texts, i);
      const key = keyOf ? keyOf(id) : (keys[i] as number);
      const line = lines?.[i];
      const pk = userPks[i] as number;
      const nameId = nameIds[i] as number;
      const at = ts[i] as number;
      const json = recordJson(texts, i);
      const shape = shapes[i] as number;
      // Identity calls skipped above may own entries of these sparse lists: step past them first.
      let traitsJson: string | undefined;
      while (traits !== undefined && (traits[nextTraits]?.[0] ?? Infinity) < i) nextTraits += 1;
      if (traits !== undefined && traits[nextTraits]?.[0] === i) traitsJson = (traits[nextTraits++] as [number, string])[1];
      while (replaceable !== undefined && (replaceable[nextReplaceable] ?? Infinity) < i) nextReplaceable += 1;
      const replaces = replaceable !== undefined && replaceable[nextReplaceable] === i;
      if (replaces) nextReplaceable += 1;
      if (this.keys) this.writeBulk(key, id, pk, nameId, at, json, shape, undefined, traitsJson, line, replaces);
      else {
        this.writeIndexed({
          key,
          id,
          userId: '',
          name: '',
          userPk: pk,
          nameId,
          ts: at,
          json,
          shape,
          ...(traitsJson === undefined ? {} : { traitsJson }),
          ...(line === undefined ? {} : { line }),
          ...(replaces ? { replaceable: true } : {}),
        });
      }
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
    line: number | undefined,
    replaceable: boolean,
  ): void {
    const keys = this.keys as KeySet;
    let free = key;
    for (let held = keys.addOrFind(key, this.nextPk); held >= 0; held = keys.addOrFind(free, this.nextPk)) {
      // A hit: the same id is a duplicate, another id a collision that probes on.
      const stored = this.storedInBulk(held);
      if (stored.event_id === id) {
        this.sameId(stored, id, pk, nameId, ts, json, shape, line, replaceable);
        return;
      }
      free = nextKey(free);
    }
    if (replaceable) this.replaceables.mark(this.nextPk);
    this.nextPk += 1;
    (this.bulkInsert as BatchInserter).add(free, id, pk, nameId, ts, json);
    this.imported += 1;
    this.apply(pk, nameId, ts, json, shape, data, traitsJson);
    if (keys.size >= this.keySetLimit) this.leaveBulk();
  }

  /** The row the bulk writer stored as `pk`: still in the inserter's buffer, or in the table. */
  private storedInBulk(pk: number): StoredEvent {
    const inserter = this.bulkInsert as BatchInserter;
    const pending = pk - (this.nextPk - inserter.pendingRows);
    if (pending >= 0) {
      const column = (c: number): unknown => inserter.pendingValue(pending, c);
      return {
        event_pk: pk,
        event_id: column(1) as string,
        user_pk: column(2) as number,
        name_id: column(3) as number,
        ts: column(4) as number,
        properties: column(5) as string | null,
      };
    }
    const stored = this.storedByPk.get(pk);
    if (!stored) throw new Error(`the bulk writer's key set names event ${pk}, which is not stored`);
    return stored;
  }

  /**
   * A record whose id is stored: it replaces the stored event when that one is replaceable and the
   * record is not (replaceable.ts), and is a duplicate otherwise. A replaceable record lacks the
   * properties by design, so only its user, name and instant can make it a conflicting duplicate.
   */
  private sameId(stored: StoredEvent, id: string, pk: number, nameId: number, ts: number, json: string | null, shape: number, line: number | undefined, replaceable: boolean): void {
    if (!replaceable && this.replaceables.isReplaceable(stored.event_pk)) {
      // The stored row may still wait in the bulk inserter's buffer: write it before changing it.
      this.bulkInsert?.flush();
      this.replaceables.replace(stored.event_pk, json, nameId);
      this.imported += 1;
      if (nameId !== stored.name_id) {
        this.rollup.remove(stored.name_id, stored.ts);
        this.rollup.add(nameId, stored.ts);
      }
      this.catalog(shape);
      return;
    }
    this.duplicate(stored, id, pk, nameId, ts, replaceable ? stored.properties : json, line);
  }

  /** Records that replaced a stored warehouse `tracks` row (counted among `imported`). */
  get replaced(): number {
    return this.replaceables.replaced;
  }

  /** Counts a duplicate, and a conflicting one when its content differs from the stored record's. */
  private duplicate(stored: StoredEvent, id: string, pk: number, nameId: number, ts: number, json: string | null, line: number | undefined): void {
    this.duplicates += 1;
    if (stored.user_pk === pk && stored.name_id === nameId && stored.ts === ts && sameJson(stored.properties, json)) return;
    this.conflictingDuplicates += 1;
    if (this.conflictExamples.length < CONFLICT_EXAMPLES) this.conflictExamples.push({ messageId: id, ...(line === undefined ? {} : { line }) });
  }

  private writeIndexed(record: PreparedRecord): void {
    this.pending.push(record);
    if (this.pending.length >= BATCH) this.flushPending();
  }

  /** From here on the unique key index is the dedupe: rebuild it now and let the key set go. */
  private leaveBulk(): void {
    if (this.bulkInsert) {
      this.bulkInsert.flush();
      // The key set's event numbers were predicted; a wrong one would confirm hits against other rows.
      const lastPk = this.db.prepare<[], number>('SELECT coalesce(max(event_pk), 0) FROM events').pluck().get() ?? 0;
      if (lastPk !== this.nextPk - 1) throw new Error(`the bulk writer expected event ${this.nextPk - 1} last, SQLite stored ${lastPk}`);
    }
    this.restoreKeyIndex?.();
    this.restoreKeyIndex = null;
    this.bulkInsert = null;
    this.keys = null;
  }

  private flushPending(): void {
    if (this.pending.length === 0) return;
    // A key twice in one batch: the first occurrence is the candidate, the rest are confirmed after it went in.
    const candidates: PreparedRecord[] = [];
    const repeats: PreparedRecord[] = [];
    const seen = new Set<number>();
    for (const record of this.pending) {
      if (seen.has(record.key)) repeats.push(record);
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
        if (record.replaceable === true) this.replaceables.markKey(record.key);
        this.countStored(record, pks[i] as number);
      } else this.writeHit(record, pks[i] as number);
    });
    for (const record of repeats) this.writeHit(record, record.userPk ?? this.users.pk(record.userId));
  }

  /** Indexed mode, a record whose key is already stored: confirms the id, probing past collisions. */
  private writeHit(record: PreparedRecord, pk: number): void {
    const nameId = record.nameId ?? this.nameId(record.name);
    for (let key = record.key; ; key = nextKey(key)) {
      const stored = this.storedByKey.get(key);
      if (!stored) {
        this.insertOne.run(key, record.id, pk, nameId, record.ts, record.json);
        if (record.replaceable === true) this.replaceables.markKey(key);
        this.countStored(record, pk);
        return;
      }
      if (stored.event_id === record.id) {
        this.sameId(stored, record.id, pk, nameId, record.ts, record.json, record.shape, record.line, record.replaceable === true);
        return;
      }
    }
  }

  private countStored(record: PreparedRecord, pk: number): void {
    this.imported += 1;
    this.apply(pk, record.nameId ?? this.nameId(record.name), record.ts, record.json, record.shape, record.data, record.traitsJson);
  }

  /** Folds a stored record into users, the rollup and the catalog. */
  private apply(pk: number, nameId: number, ts: number, json: string | null, shape: number, data: PreparedRecord['data'], traitsJson?: string): void {
    this.users.seen(pk, ts);
    if (nameId === 0 && json !== null) {
      this.users.identify(pk, ts, data ?? (JSON.parse(json) as Record<string, unknown>));
    }
    // An event's context.traits merge like an identify call's at the event's instant.
    if (traitsJson !== undefined) this.users.identify(pk, ts, JSON.parse(traitsJson) as Record<string, unknown>);
    this.catalog(shape);
    this.rollup.add(nameId, ts);
    if (ts > this.futureAfter) {
      this.futureDated += 1;
      if (this.latestFutureTs === null || ts > this.latestFutureTs) this.latestFutureTs = ts;
    } else if (this.newestTs === null || ts > this.newestTs) this.newestTs = ts;
  }

  /** The shape's keys enter the catalog with the first stored record of that shape. */
  private catalog(shape: number): void {
    if (shape === 0) return;
    const entries = this.shapes.take(shape);
    if (entries) {
      this.propertyKeys.merge(entries);
      if (this.propertyKeys.size >= PROPERTY_KEYS_LIMIT) this.propertyKeys.flush(this.db, (name) => this.nameId(name));
    }
  }

  /** The report's conflicting duplicates: none when there were none. */
  conflictDetails(): Pick<ImportDetails, 'conflictingDuplicates' | 'conflictExamples'> {
    return this.conflictingDuplicates === 0 ? {} : { conflictingDuplicates: this.conflictingDuplicates, conflictExamples: [...this.conflictExamples] };
  }

  /** The report's identity counts: none when there were none. */
  identityDetails(): Pick<ImportDetails, 'identityCalls' | 'identityConflicts'> {
    return {
      ...(this.identityCalls > 0 ? { identityCalls: this.identityCalls } : {}),
      ...(this.identityConflicts > 0 ? { identityConflicts: this.identityConflicts } : {}),
    };
  }

  /**
   * Writes everything held in memory, resolves the identity links into merges and applies them (before
   * the deferred indexes are rebuilt, so a bulk load rewrites its events in one pass over the table),
   * and rebuilds deferred indexes. Call before the transaction commits.
   */
  finish(): void {
    this.leaveBulk();
    this.flushPending();
    this.users.flush();
    const { merges, conflicts } = this.identities.resolve();
    this.identityConflicts = conflicts;
    this.identities.writeLinks(merges);
    // Merged users new in this writer and about no record of their own (an anonymousId seen only beside
    // its userId) have nothing to rewrite: only their links, written above at their survivors.
    const withData = new Map<number, number>();
    for (const [from, to] of merges) if (this.identities.hasData(from)) withData.set(from, to);
    mergeUsers(this.db, withData, { eventIndexesDeferred: this.restoreOtherIndexes !== null });
    this.identities.relinkWritten(merges);
    this.usersMerged = withData.size;
    this.identities.applyGroups((pk) => merges.get(pk) ?? pk);
    this.rollup.flush(this.db);
    this.propertyKeys.flush(this.db, (name) => this.nameId(name));
    this.restoreOtherIndexes?.();
    this.restoreOtherIndexes = null;
  }
}

/** Properties (or traits) as stored and as read again: the same text, or the same JSON value written another way. */
function sameJson(stored: string | null, json: string | null): boolean {
  if (stored === json) return true;
  if (stored === null || json === null) return false;
  return isDeepStrictEqual(JSON.parse(stored), JSON.parse(json));
}
