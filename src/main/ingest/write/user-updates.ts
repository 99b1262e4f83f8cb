/**
 * What an import or a sync page changes about users, gathered in memory and written once: each
 * user's earliest and latest record (folded into first_seen and last_seen with min/max in SQL, so a
 * user's row is never read for them) and the traits their identify calls carry (merged key by key
 * into the stored traits, the later timestamp winning).
 *
 * A user new to the cache gets its user_pk at once but its row only when the updates are written,
 * complete (id, traits, first and last seen) and many rows per INSERT: inserting each new user as it
 * appeared and updating it at the end cost two statements per user. A user whose records were all
 * duplicates never gets a row.
 *
 * Memory stays bounded whatever the file: the id → user_pk map stops growing at its limit (users it
 * does not hold are looked up in the cache, new ones held until their rows are written), and when the
 * trait patches or the first/last seen of users beyond the typed arrays grow past their limits,
 * they are written out and forgotten (first/last seen fold in with min/max, traits merge with the
 * stored ones).
 */
import type { Statement } from 'better-sqlite3';
import { mergeTrait } from '../../../shared/event-spec';
import { detached } from '../../../shared/strings';
import type { Db } from '../../db/connection';
import { BatchInserter } from '../../db/batch-insert';
import { deferIndexes } from '../../db/rollup';
import { IdTable } from './id-table';

/** Users whose user_pk is remembered by id; past this, users already in the cache are looked up each time. */
const USER_ID_LIMIT = 200_000;
/** New users met once the id map is full, remembered until their rows are written. */
const UNWRITTEN_LIMIT = 50_000;
/** Users with pending trait changes; past this, they are written out. */
const PATCH_LIMIT = 50_000;
/** user_pks whose first/last seen live in typed arrays (16 bytes each: 32 MB at most). */
const SEEN_ARRAY_LIMIT = 1 << 21;
/** Users beyond the arrays whose first/last seen are held in a map; past this, they are written out. */
const SEEN_OVERFLOW_LIMIT = 200_000;
/**
 * New users written at once from which the users table's indexes are dropped and built again after
 * the rows go in (when the table held no more users than that before): keeping the id index row by
 * row cost ~3.5 µs per user, building it after ~0.3 µs.
 */
const REBUILD_INDEXES_MIN_USERS = 10_000;

interface TraitPatch {
  values: Record<string, unknown>;
  times: Record<string, number>;
}

/**
 * The earliest and latest stored record of each user touched since the last write, by user_pk: in
 * typed arrays for user_pks below a limit (no object per user), in a map above it (caches with
 * millions of users), so memory stays bounded whatever the user_pks.
 */
class SeenSpans {
  private first: Float64Array<ArrayBuffer> = new Float64Array(1024).fill(NaN);
  private last: Float64Array<ArrayBuffer> = new Float64Array(1024).fill(NaN);
  private lowest = Infinity;
  private highest = -1;
  readonly overflow = new Map<number, { first: number; last: number }>();

  constructor(private readonly arrayLimit: number) {}

  note(pk: number, ts: number): void {
    if (pk >= this.arrayLimit) {
      const span = this.overflow.get(pk);
      if (!span) this.overflow.set(pk, { first: ts, last: ts });
      else {
        if (ts < span.first) span.first = ts;
        if (ts > span.last) span.last = ts;
      }
      return;
    }
    if (pk >= this.first.length) this.grow(pk);
    // NaN compares false both ways: an untouched user takes ts for both.
    if (!((this.first[pk] as number) <= ts)) this.first[pk] = ts;
    if (!((this.last[pk] as number) >= ts)) this.last[pk] = ts;
    if (pk < this.lowest) this.lowest = pk;
    if (pk > this.highest) this.highest = pk;
  }

  /** The user's span, forgotten as it is taken; null when untouched. */
  take(pk: number): { first: number; last: number } | null {
    if (pk >= this.arrayLimit) {
      const span = this.overflow.get(pk) ?? null;
      this.overflow.delete(pk);
      return span;
    }
    const first = pk < this.first.length ? (this.first[pk] as number) : NaN;
    if (first !== first) return null;
    const span = { first, last: this.last[pk] as number };
    this.first[pk] = NaN;
    this.last[pk] = NaN;
    return span;
  }

  /** Takes every span left. */
  takeAll(each: (pk: number, first: number, last: number) => void): void {
    for (let pk = this.lowest; pk <= this.highest; pk++) {
      const first = this.first[pk] as number;
      if (first === first) {
        each(pk, first, this.last[pk] as number);
        this.first[pk] = NaN;
        this.last[pk] = NaN;
      }
    }
    this.lowest = Infinity;
    this.highest = -1;
    for (const [pk, span] of this.overflow) each(pk, span.first, span.last);
    this.overflow.clear();
  }

  private grow(pk: number): void {
    let size = this.first.length;
    while (size <= pk) size *= 2;
    size = Math.min(size, this.arrayLimit);
    const grown = (old: Float64Array): Float64Array<ArrayBuffer> => {
      const next = new Float64Array(size).fill(NaN);
      next.set(old);
      return next;
    };
    this.first = grown(this.first);
    this.last = grown(this.last);
  }
}

export interface UserUpdateLimits {
  ids: number;
  unwritten: number;
  patches: number;
  seenArray: number;
  seenOverflow: number;
  /** New users written at once from which the users table's indexes are rebuilt rather than kept. */
  rebuildIndexes: number;
}

export class UserUpdates {
  /** user_pk by id, up to limits.ids users (the first met), then `unwritten` for new users until written. */
  private readonly pks = new IdTable();
  private readonly unwritten = new Map<string, number>();
  private readonly seenSpans: SeenSpans;
  private readonly patches = new Map<number, TraitPatch>();
  /** Users from this user_pk on have no row yet: their ids wait in `newIds`, in user_pk order. */
  private firstNewPk: number;
  private readonly initialFirstNewPk: number;
  private newIds: string[] = [];
  /** Rows were written for new users before any record of theirs was stored (see writeNewUsers). */
  private unseenRowsWritten = false;
  /** New users with no stored record who keep their row all the same (keep()). */
  private readonly kept = new Set<number>();
  /**
   * True while `pks` and `unwritten` hold every user in the cache (it started empty and nothing was forgotten):
   * an id missing from the map is then new, without looking it up first.
   */
  private mapHoldsEveryUser: boolean;
  private readonly selectPk: Statement<[string], number>;
  private readonly selectLinkedPk: Statement<[string], number>;
  private readonly insertUsers: BatchInserter;
  private readonly selectTraits: Statement<[number], { traits: string; trait_times: string }>;
  private readonly updateSeen: Statement<[{ first: number; last: number; pk: number }]>;
  private readonly updateTraits: Statement<[{ traits: string; times: string; pk: number }]>;
  private readonly updateTraitsAndSeen: Statement<[{ traits: string; times: string; first: number; last: number; pk: number }]>;
  private readonly limits: UserUpdateLimits;

  constructor(
    private readonly db: Db,
    /** Tests lower these to reach the writes that limits cause. */
    limits: Partial<UserUpdateLimits> = {},
  ) {
    this.limits = {
      ids: USER_ID_LIMIT,
      unwritten: UNWRITTEN_LIMIT,
      patches: PATCH_LIMIT,
      seenArray: SEEN_ARRAY_LIMIT,
      seenOverflow: SEEN_OVERFLOW_LIMIT,
      rebuildIndexes: REBUILD_INDEXES_MIN_USERS,
      ...limits,
    };
    this.seenSpans = new SeenSpans(this.limits.seenArray);
    this.firstNewPk = ((db.prepare('SELECT max(user_pk) FROM users').pluck().get() as number | null) ?? 0) + 1;
    this.initialFirstNewPk = this.firstNewPk;
    this.mapHoldsEveryUser = db.prepare('SELECT NOT EXISTS (SELECT 1 FROM users) AND NOT EXISTS (SELECT 1 FROM identity_links)').pluck().get() === 1;
    this.selectPk = db.prepare<[string], number>('SELECT user_pk FROM users WHERE id = ?').pluck();
    // An id merged into another user has no row of its own: its link names the user it belongs to.
    this.selectLinkedPk = db.prepare<[string], number>('SELECT user_pk FROM identity_links WHERE id = ?').pluck();
    this.insertUsers = new BatchInserter(db, 'INSERT INTO users', ['user_pk', 'id', 'traits', 'trait_times', 'first_seen', 'last_seen']);
    this.selectTraits = db.prepare<[number], { traits: string; trait_times: string }>('SELECT traits, trait_times FROM users WHERE user_pk = ?');
    const seen = 'first_seen = min(coalesce(first_seen, @first), @first), last_seen = max(coalesce(last_seen, @last), @last)';
    this.updateSeen = db.prepare<[{ first: number; last: number; pk: number }]>(`UPDATE users SET ${seen} WHERE user_pk = @pk`);
    this.updateTraitsAndSeen = db.prepare<[{ traits: string; times: string; first: number; last: number; pk: number }]>(
      `UPDATE users SET traits = @traits, trait_times = @times, ${seen} WHERE user_pk = @pk`,
    );
    this.updateTraits = db.prepare<[{ traits: string; times: string; pk: number }]>('UPDATE users SET traits = @traits, trait_times = @times WHERE user_pk = @pk');
  }

  /** The first user_pk of the users new in this writer: lower ones were in the cache before. */
  get firstPkOfNewUsers(): number {
    return this.initialFirstNewPk;
  }

  /** The user's user_pk; a new user's row is written by flush() if a record of theirs was stored. */
  pk(userId: string): number {
    const held = this.pks.get(userId);
    if (held >= 0) return held;
    let pk = this.unwritten.get(userId);
    if (pk !== undefined) return pk;
    if (!this.mapHoldsEveryUser) {
      pk = this.selectPk.get(userId) ?? this.selectLinkedPk.get(userId);
      if (pk !== undefined) {
        // Remembered while the map has room; past that, looked up each time it comes. Forgetting the
        // whole map and filling it again turned over the writer's old generation in files with many
        // more users than the limit (docs/PERFORMANCE.md, "Import tuning history").
        if (this.pks.size < this.limits.ids) this.pks.add(userId, pk);
        return pk;
      }
    }
    // A new user: its user_pk now, its row at the next write. Kept past the record: a copy, never a
    // view into a reader's chunk of text.
    const kept = detached(userId);
    pk = this.firstNewPk + this.newIds.length;
    this.newIds.push(kept);
    if (this.pks.size < this.limits.ids) this.pks.add(userId, pk);
    else {
      this.unwritten.set(kept, pk);
      if (this.unwritten.size >= this.limits.unwritten) {
        // Written, they are found by SELECT from now on.
        this.writeOut({ patches: false, seen: false });
        this.unwritten.clear();
        this.mapHoldsEveryUser = false;
      }
    }
    return pk;
  }

  /**
   * A user with no stored record that must still have a row: the caller of a group or alias call, a
   * member of an account. Their first and last seen stay empty (only events and identify calls count).
   */
  keep(pk: number): void {
    if (pk >= this.initialFirstNewPk) this.kept.add(pk);
  }

  /** A stored record of the user at ts. */
  seen(pk: number, ts: number): void {
    this.seenSpans.note(pk, ts);
    if (this.seenSpans.overflow.size >= this.limits.seenOverflow) this.writeOut({ patches: false, seen: true });
  }

  /** A stored identify call of the user at ts, carrying traits. */
  identify(pk: number, ts: number, traits: Record<string, unknown>): void {
    let patch = this.patches.get(pk);
    if (!patch) {
      if (this.patches.size >= this.limits.patches) this.writeOut({ patches: true, seen: false });
      this.patches.set(pk, (patch = { values: {}, times: {} }));
    }
    for (const key in traits) mergeTrait(patch.values, patch.times, key, traits[key], ts);
  }

  /**
   * Writes what is gathered and forgets it: new users' rows (with their traits and first and last
   * seen) always, the other users' trait patches and first and last seen when asked; a limit writes
   * only what it needs to, since each write of a user costs a statement. At the end (`final`, every
   * part), a new user none of whose records was stored gets no row; before it, every new user gets one,
   * because the parser threads keep resolving ids to these user_pks (flush() then removes the rows
   * that never got a record).
   */
  private writeOut(parts: { patches: boolean; seen: boolean }, final = false): void {
    const many = this.newIds.length >= this.limits.rebuildIndexes && this.newIds.length >= this.firstNewPk - 1;
    const rebuildIndexes = many ? deferIndexes(this.db, 'users') : null;
    for (let k = 0; k < this.newIds.length; k++) {
      const pk = this.firstNewPk + k;
      const span = this.seenSpans.take(pk);
      if (!span && final && !this.kept.has(pk)) continue;
      if (!span) this.unseenRowsWritten = true;
      const patch = this.patches.get(pk);
      this.patches.delete(pk);
      const traits = patch ? JSON.stringify(patch.values) : '{}';
      const times = patch ? JSON.stringify(patch.times) : '{}';
      this.insertUsers.add(pk, this.newIds[k], traits, times, span?.first ?? null, span?.last ?? null);
    }
    this.insertUsers.flush();
    rebuildIndexes?.();
    this.firstNewPk += this.newIds.length;
    this.newIds = [];

    if (!parts.patches) {
      if (parts.seen) this.writeSeen();
      return;
    }
    for (const [pk, patch] of this.patches) {
      // Merging the patch into the stored traits gives what applying each call in turn would have:
      // the patch holds, per key, the latest of the calls gathered.
      let values = patch.values;
      let times = patch.times;
      const stored = this.selectTraits.get(pk);
      if (stored) {
        values = JSON.parse(stored.traits) as Record<string, unknown>;
        times = JSON.parse(stored.trait_times) as Record<string, number>;
        for (const key in patch.values) mergeTrait(values, times, key, patch.values[key], patch.times[key] as number);
      }
      const merged = { traits: JSON.stringify(values), times: JSON.stringify(times), pk };
      // A patched user's first and last seen go in the same UPDATE: one statement per identified user.
      const span = this.seenSpans.take(pk);
      if (span) this.updateTraitsAndSeen.run({ ...merged, ...span });
      else this.updateTraits.run(merged);
    }
    this.patches.clear();
    if (parts.seen) this.writeSeen();
  }

  private writeSeen(): void {
    this.seenSpans.takeAll((pk, first, last) => this.updateSeen.run({ first, last, pk }));
  }

  /** Writes everything gathered; call inside the writer's transaction. */
  flush(): void {
    this.writeOut({ patches: true, seen: true }, true);
    // Rows written early for users whose records all turned out duplicates: they have no record, so they go.
    if (this.unseenRowsWritten) {
      this.db
        .prepare('DELETE FROM users WHERE user_pk >= ? AND first_seen IS NULL AND user_pk NOT IN (SELECT value FROM json_each(?))')
        .run(this.initialFirstNewPk, JSON.stringify([...this.kept]));
    }
  }
}
