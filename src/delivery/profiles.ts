/**
 * Per-user profiles for decide, kept in SQLite (records and profiles tables) with a small in-memory
 * LRU in front. A cached profile is updated in place as records arrive, so a decide right after a
 * track call sees it without reloading. Only the events the live rules need are kept (plus every
 * message_shown and NPS answer); the timestamps of all records are kept for first and last seen.
 *
 * Accounts are shared by their members: a profile keeps the groupIds of its accounts, and the
 * accounts' traits live in an LRU of their own, so a group call that changes an account's traits
 * updates one entry, not every cached member's profile.
 */
import type { ProfileEvent } from '../shared/segments/evaluate';
import type { DecideProfile } from './decide';
import type { JsonObject } from './schemas';
import type { Applied, DeliveryStore, GroupApplied } from './store';

interface CachedProfile {
  traits: JsonObject;
  events: ProfileEvent[];
  times: number[];
  /** The groupIds of the user's accounts. */
  groupIds: string[];
}

/** Inserts into an ascending array; records mostly arrive in order, so this is usually a push. */
function insertSorted(sorted: number[], value: number): void {
  let i = sorted.length;
  while (i > 0 && (sorted[i - 1] as number) > value) i -= 1;
  sorted.splice(i, 0, value);
}

/** Touches a key of an LRU map (most recently used goes last: Map keeps insertion order), evicting the oldest past capacity. */
function remember<V>(map: Map<string, V>, key: string, value: V, capacity: number): void {
  if (capacity <= 0) return;
  map.delete(key);
  map.set(key, value);
  if (map.size > capacity) map.delete(map.keys().next().value as string);
}

export class ProfileCache {
  private readonly entries = new Map<string, CachedProfile>();
  private readonly accounts = new Map<string, JsonObject>();
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
    let profile = this.entries.get(userId);
    if (profile) remember(this.entries, userId, profile, this.capacity);
    else {
      profile = this.load(userId);
      remember(this.entries, userId, profile, this.capacity);
    }
    const { traits, events, times, groupIds } = profile;
    return { traits, events, times, accounts: groupIds.map((groupId) => this.accountTraits(groupId)) };
  }

  private accountTraits(groupId: string): JsonObject {
    let traits = this.accounts.get(groupId);
    if (traits === undefined) traits = this.store.accountTraits(groupId);
    remember(this.accounts, groupId, traits, this.capacity);
    return traits;
  }

  private load(userId: string): CachedProfile {
    return {
      traits: this.store.traits(userId),
      times: this.store.userTimes(userId),
      events: this.store.userEvents(userId, this.nameList).map((row) => ({
        id: row.record_id,
        name: row.name,
        ts: row.ts,
        properties: row.data === null ? null : (JSON.parse(row.data) as JsonObject),
      })),
      groupIds: this.store.userAccounts(userId),
    };
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

  /** Applies a stored group call: the account's new traits, and the membership if the user is cached. */
  applyGroup(applied: Exclude<GroupApplied, { refused: string }>): void {
    if (this.accounts.has(applied.groupId)) this.accounts.set(applied.groupId, applied.traits);
    const profile = this.entries.get(applied.userId);
    if (profile && !profile.groupIds.includes(applied.groupId)) profile.groupIds.push(applied.groupId);
  }

  /** Drops one user's cached profile (erased, or records pruned): the next decide loads what is stored. */
  forget(userId: string): void {
    this.entries.delete(userId);
  }

  clear(): void {
    this.entries.clear();
    this.accounts.clear();
  }
}
