/**
 * Per-user profiles for decide, kept in SQLite (records and profiles tables) with a small in-memory
 * LRU in front. A cached profile is updated in place as records arrive, so a decide right after a
 * track call sees it without reloading. Only the events the live rules need are kept (plus every
 * message_shown and NPS answer); the timestamps of all records are kept for first and last seen.
 */
import type { ProfileEvent } from '../shared/segments/evaluate';
import type { DecideProfile } from './decide';
import type { JsonObject } from './schemas';
import type { Applied, DeliveryStore } from './store';

interface CachedProfile extends DecideProfile {
  traits: JsonObject;
  events: ProfileEvent[];
  times: number[];
}

/** Inserts into an ascending array; records mostly arrive in order, so this is usually a push. */
function insertSorted(sorted: number[], value: number): void {
  let i = sorted.length;
  while (i > 0 && (sorted[i - 1] as number) > value) i -= 1;
  sorted.splice(i, 0, value);
}

export class ProfileCache {
  private readonly entries = new Map<string, CachedProfile>();
  private names: Set<string> = new Set();
  private nameList: string[] = [];

  constructor(
    private readonly store: DeliveryStore,
    private readonly capacity: number,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  /** The event names profiles keep; a change empties the cache (profiles reload with the new names). */
  setNeededNames(names: Set<string>): void {
    const same = names.size === this.names.size && [...names].every((n) => this.names.has(n));
    if (same) return;
    this.names = new Set(names);
    this.nameList = [...names].sort();
    this.entries.clear();
  }

  get(userId: string): DecideProfile {
    const hit = this.entries.get(userId);
    if (hit) {
      // Most recently used goes last: Map keeps insertion order.
      this.entries.delete(userId);
      this.entries.set(userId, hit);
      return hit;
    }
    const profile: CachedProfile = {
      traits: this.store.traits(userId),
      times: this.store.userTimes(userId),
      events: this.store.userEvents(userId, this.nameList).map((row) => ({
        id: row.record_id,
        name: row.name,
        ts: row.ts,
        properties: row.data === null ? null : (JSON.parse(row.data) as JsonObject),
      })),
    };
    if (this.capacity > 0) {
      this.entries.set(userId, profile);
      if (this.entries.size > this.capacity) {
        const oldest = this.entries.keys().next().value as string;
        this.entries.delete(oldest);
      }
    }
    return profile;
  }

  /** Applies a stored record to the user's cached profile, if it is cached. */
  apply(applied: Applied): void {
    const { record, traits } = applied;
    const profile = this.entries.get(record.userId);
    if (!profile) return;
    insertSorted(profile.times, record.ts);
    if (record.kind === 'identify') {
      if (traits) profile.traits = traits;
    } else if (this.names.has(record.name)) {
      profile.events.push({ id: record.id, name: record.name, ts: record.ts, properties: record.data });
    }
  }

  clear(): void {
    this.entries.clear();
  }
}
