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
 * Memory stays bounded whatever the file: the id → user_pk map and the trait patches are written out
 * and forgotten when they grow past their limits; first and last seen live in typed arrays indexed
 * by user_pk.
 */
import type { Statement } from 'better-sqlite3';
import { mergeTrait } from '../../shared/segment-spec';
import type { Db } from '../db/connection';
import { BatchInserter } from '../db/batch-insert';

/** Users whose user_pk is remembered by id; past this, the map is forgotten (users are looked up again). */
const USER_ID_LIMIT = 200_000;
/** Users with pending trait changes; past this, they are written out. */
const PATCH_LIMIT = 50_000;

interface TraitPatch {
  values: Record<string, unknown>;
  times: Record<string, number>;
}

export class UserUpdates {
  private readonly pks = new Map<string, number>();
  /** This batch's earliest and latest record per user_pk; NaN where untouched. */
  private first: Float64Array<ArrayBuffer> = new Float64Array(1024).fill(NaN);
  private last: Float64Array<ArrayBuffer> = new Float64Array(1024).fill(NaN);
  private lowestTouched = Infinity;
  private highestTouched = 0;
  private readonly patches = new Map<number, TraitPatch>();
  /** Users from this user_pk on have no row yet: their ids wait in `newIds`, in user_pk order. */
  private firstNewPk: number;
  private readonly initialFirstNewPk: number;
  private newIds: string[] = [];
  /** Rows were written for new users before any record of theirs was stored (see flushNewUsers). */
  private unseenRowsWritten = false;
  /**
   * True while `pks` holds every user in the cache (it started empty and nothing was forgotten):
   * an id missing from the map is then new, without looking it up first.
   */
  private mapHoldsEveryUser: boolean;
  private readonly selectPk: Statement<[string], number>;
  private readonly insertUsers: BatchInserter;
  private readonly selectTraits: Statement<[number], { traits: string; trait_times: string }>;
  private readonly updateSeen: Statement<[{ first: number; last: number; pk: number }]>;
  private readonly updateTraits: Statement<[string, string, number]>;
  private readonly updateTraitsAndSeen: Statement<[{ traits: string; times: string; first: number; last: number; pk: number }]>;

  constructor(
    private readonly db: Db,
    /** Tests lower these to reach the writes that limits cause. */
    private readonly limits = { ids: USER_ID_LIMIT, patches: PATCH_LIMIT },
  ) {
    this.firstNewPk = ((db.prepare('SELECT max(user_pk) FROM users').pluck().get() as number | null) ?? 0) + 1;
    this.initialFirstNewPk = this.firstNewPk;
    this.mapHoldsEveryUser = db.prepare('SELECT NOT EXISTS (SELECT 1 FROM users)').pluck().get() === 1;
    this.selectPk = db.prepare<[string], number>('SELECT user_pk FROM users WHERE id = ?').pluck();
    this.insertUsers = new BatchInserter(db, 'INSERT INTO users', ['user_pk', 'id', 'traits', 'trait_times', 'first_seen', 'last_seen']);
    this.selectTraits = db.prepare<[number], { traits: string; trait_times: string }>('SELECT traits, trait_times FROM users WHERE user_pk = ?');
    const seen = 'first_seen = min(coalesce(first_seen, @first), @first), last_seen = max(coalesce(last_seen, @last), @last)';
    this.updateSeen = db.prepare<[{ first: number; last: number; pk: number }]>(`UPDATE users SET ${seen} WHERE user_pk = @pk`);
    this.updateTraitsAndSeen = db.prepare<[{ traits: string; times: string; first: number; last: number; pk: number }]>(
      `UPDATE users SET traits = @traits, trait_times = @times, ${seen} WHERE user_pk = @pk`,
    );
    this.updateTraits = db.prepare<[string, string, number]>('UPDATE users SET traits = ?, trait_times = ? WHERE user_pk = ?');
  }

  /** The user's user_pk; a new user's row is written by flush() if a record of theirs was stored. */
  pk(userId: string): number {
    let pk = this.pks.get(userId);
    if (pk !== undefined) return pk;
    if (this.pks.size >= this.limits.ids) {
      // Every user waiting for a row is in the map: write them before forgetting it.
      this.flushNewUsers(false);
      this.pks.clear();
      this.mapHoldsEveryUser = false;
    }
    pk = this.mapHoldsEveryUser ? undefined : this.selectPk.get(userId);
    if (pk === undefined) {
      pk = this.firstNewPk + this.newIds.length;
      this.newIds.push(userId);
    }
    this.pks.set(userId, pk);
    return pk;
  }

  /** A stored record of the user at ts. */
  seen(pk: number, ts: number): void {
    if (pk >= this.first.length) this.grow(pk);
    const first = this.first[pk] as number;
    // NaN compares false both ways: an untouched user takes ts for both.
    if (!(first <= ts)) this.first[pk] = ts;
    if (!((this.last[pk] as number) >= ts)) this.last[pk] = ts;
    if (pk < this.lowestTouched) this.lowestTouched = pk;
    if (pk > this.highestTouched) this.highestTouched = pk;
  }

  /** A stored identify call of the user at ts, carrying traits. */
  identify(pk: number, ts: number, traits: Record<string, unknown>): void {
    let patch = this.patches.get(pk);
    if (!patch) {
      if (this.patches.size >= this.limits.patches) {
        this.flushNewUsers(false);
        this.flushTraits();
      }
      this.patches.set(pk, (patch = { values: {}, times: {} }));
    }
    for (const key in traits) mergeTrait(patch.values, patch.times, key, traits[key], ts);
  }

  private grow(pk: number): void {
    let size = this.first.length;
    while (size <= pk) size *= 2;
    const grown = (old: Float64Array): Float64Array<ArrayBuffer> => {
      const next = new Float64Array(size).fill(NaN);
      next.set(old);
      return next;
    };
    this.first = grown(this.first);
    this.last = grown(this.last);
  }

  /**
   * Writes the rows of the users new to the cache, with their traits and first and last seen, and
   * takes them out of what is pending. At the end (`final`), a user none of whose records was stored
   * gets no row; before it, every user gets one, because the parser threads keep resolving ids to
   * these user_pks (finish() then removes the rows that never got a record).
   */
  private flushNewUsers(final: boolean): void {
    for (let k = 0; k < this.newIds.length; k++) {
      const pk = this.firstNewPk + k;
      const first = pk < this.first.length ? (this.first[pk] as number) : NaN;
      const seen = first === first;
      if (!seen && final) continue;
      const patch = this.patches.get(pk);
      const traits = patch ? JSON.stringify(patch.values) : '{}';
      const times = patch ? JSON.stringify(patch.times) : '{}';
      this.insertUsers.add(pk, this.newIds[k], traits, times, seen ? first : null, seen ? this.last[pk] : null);
      this.patches.delete(pk);
      if (seen) {
        this.first[pk] = NaN;
        this.last[pk] = NaN;
      } else this.unseenRowsWritten = true;
    }
    this.insertUsers.flush();
    this.firstNewPk += this.newIds.length;
    this.newIds = [];
  }

  /**
   * Writes the trait patches of users who have a row. At the end (`withSeen`), a patched user's first and last seen go in the
   * same UPDATE, which saves one statement for each user who was identified.
   */
  private flushTraits(withSeen = false): void {
    for (const [pk, patch] of this.patches) {
      let values = patch.values;
      let times = patch.times;
      // Merging the patch into the stored traits gives what applying each call in turn would have:
      // the patch holds, per key, the latest of this batch's calls.
      const stored = this.selectTraits.get(pk);
      if (stored) {
        values = JSON.parse(stored.traits) as Record<string, unknown>;
        times = JSON.parse(stored.trait_times) as Record<string, number>;
        for (const key in patch.values) mergeTrait(values, times, key, patch.values[key], patch.times[key] as number);
      }
      const first = withSeen && pk < this.first.length ? (this.first[pk] as number) : NaN;
      if (first === first) {
        this.updateTraitsAndSeen.run({ traits: JSON.stringify(values), times: JSON.stringify(times), first, last: this.last[pk] as number, pk });
        this.first[pk] = NaN;
        this.last[pk] = NaN;
      } else this.updateTraits.run(JSON.stringify(values), JSON.stringify(times), pk);
    }
    this.patches.clear();
  }

  /** Writes everything gathered; call inside the writer's transaction. */
  flush(): void {
    this.flushNewUsers(true);
    this.flushTraits(true);
    for (let pk = this.lowestTouched; pk <= this.highestTouched; pk++) {
      const first = this.first[pk] as number;
      if (first === first) {
        this.updateSeen.run({ first, last: this.last[pk] as number, pk });
        this.first[pk] = NaN;
        this.last[pk] = NaN;
      }
    }
    this.lowestTouched = Infinity;
    this.highestTouched = 0;
    // Rows written early for users whose records all turned out duplicates: they have no record, so they go.
    if (this.unseenRowsWritten) this.db.exec(`DELETE FROM users WHERE user_pk >= ${this.initialFirstNewPk} AND first_seen IS NULL`);
  }
}
