/**
 * Per-user profiles for decide: the profile store (profile-store.ts, through the delivery engine: SQLite
 * or PostgreSQL) with a small in-memory LRU in front. A cached profile is updated in place as records arrive, by the same rules the store
 * applies (first and last seen, the capped kept events of each collected name, frequency state, the
 * latest NPS answer), so a decide right after a track call sees it without reloading. Every update is
 * O(1), or a binary search and a move of at most the cap's slots: nothing walks a user's history.
 *
 * Accounts are shared by their members: a profile keeps the groupIds of its accounts, and the
 * accounts' traits live in an LRU of their own, so a group call that changes an account's traits
 * updates one entry, not every cached member's profile.
 */
import type { ProfileEvent } from '../shared/segments/evaluate';
import type { DecideProfile } from './decide';
import type { DeliveryEngine, LoadedProfile } from './engine/types';
import { insertCapped, laterAnswer, laterNps, surveyAnswerKey, type CollectedChange, type MessageShows, type NpsAnswer } from './profile-store';
import type { JsonObject } from './schemas';
import type { Applied, GroupApplied } from './store';

/** What the cache reads of the engine: profiles, and the collected names it keeps in step. */
export type ProfileSource = Pick<DeliveryEngine, 'loadProfile' | 'collect' | 'eventsPerName' | 'immediate'>;

interface CachedProfile {
  traits: JsonObject;
  firstSeen: number | null;
  lastSeen: number | null;
  /** Per collected name: the kept events, ascending, at most the cap. */
  events: Map<string, ProfileEvent[]>;
  /** All kept events in one array, as the evaluator reads them; rebuilt after a change. */
  flat: ProfileEvent[] | null;
  shows: Map<string, MessageShows>;
  lastShown: number | null;
  nps: NpsAnswer | null;
  /** Per message and question: the latest survey answer. */
  surveyAnswers: Map<string, ProfileEvent>;
  /** The latest survey answers in one array, as the evaluator reads them; rebuilt after a change. */
  flatAnswers: ProfileEvent[] | null;
  /** The groupIds of the user's accounts. */
  groupIds: string[];
  /**
   * Messages the user is known to be assigned to, stored or queued (assignments.ts): filled as decide
   * meets them, so a cached user's later decides need no read to know it. An array, null until the first:
   * a user is assigned to a few messages, and every cached profile carries it.
   */
  assigned: string[] | null;
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
  /**
   * Per user being loaded: bumped by every change to the user (apply, forget, erase) while the load runs,
   * so a load that may have read the profile from before the change is answered but not cached.
   */
  private readonly loading = new Map<string, Set<{ changed: boolean }>>();
  /** Bumped by clear(): a load that began before it is not cached either. */
  private generation = 0;

  constructor(
    private readonly source: ProfileSource,
    private readonly capacity: number,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  /**
   * Collects exactly these event names from `now` on (ProfileStore.collect). A name that starts is
   * empty in every profile, cached or not; a name that stops leaves the cached profiles.
   */
  async setNeededNames(names: ReadonlySet<string>, now: number): Promise<CollectedChange> {
    const change = await this.source.collect(names, now);
    if (change.started.length === 0 && change.stopped.length === 0) return change;
    for (const profile of this.entries.values()) {
      for (const name of change.stopped) profile.events.delete(name);
      for (const name of change.started) profile.events.set(name, []);
      profile.flat = null;
    }
    return change;
  }

  /**
   * The user's cached profile for decide, without a database read; undefined when it is not cached, or
   * when one of the user's accounts left the accounts' LRU (then the whole profile is loaded again).
   */
  cached(userId: string): DecideProfile | undefined {
    const profile = this.entries.get(userId);
    if (!profile || !profile.groupIds.every((groupId) => this.accounts.has(groupId))) return undefined;
    remember(this.entries, userId, profile, this.capacity);
    return this.decideProfile(profile);
  }

  /** Whether now() reads a profile at once (the engine works in this process: SQLite). */
  get loadsAtOnce(): boolean {
    return this.source.immediate !== undefined;
  }

  /**
   * The user's profile at once, cached or read now, when the engine reads in this process (SQLite:
   * DeliveryEngine.immediate); undefined when it must be awaited through get(). Nothing can change the
   * user between the read and caching it, so the copy is cached as read.
   */
  now(userId: string): DecideProfile | undefined {
    const cached = this.cached(userId);
    if (cached || !this.source.immediate) return cached;
    const loaded = this.source.immediate.loadProfile(userId);
    const profile = this.fromStored(loaded);
    this.remember(userId, profile, loaded);
    return this.decideProfile(profile, loaded.accounts);
  }

  /** The user's profile for decide: the cached one, else loaded from the engine (and cached). */
  async get(userId: string): Promise<DecideProfile> {
    const cached = this.cached(userId);
    if (cached) return cached;
    const watch = { changed: false };
    const generation = this.generation;
    const watches = this.loading.get(userId) ?? new Set();
    watches.add(watch);
    this.loading.set(userId, watches);
    let loaded: LoadedProfile;
    try {
      loaded = await this.source.loadProfile(userId);
    } finally {
      watches.delete(watch);
      if (watches.size === 0 && this.loading.get(userId) === watches) this.loading.delete(userId);
    }
    // A decide for the same user may have loaded and cached it meanwhile: that copy is as fresh.
    const raced = this.cached(userId);
    if (raced) return raced;
    const profile = this.fromStored(loaded);
    if (!watch.changed && generation === this.generation) this.remember(userId, profile, loaded);
    return this.decideProfile(profile, loaded.accounts);
  }

  private remember(userId: string, profile: CachedProfile, loaded: LoadedProfile): void {
    remember(this.entries, userId, profile, this.capacity);
    for (const [groupId, traits] of loaded.accounts) remember(this.accounts, groupId, traits, this.capacity);
  }

  private decideProfile(profile: CachedProfile, loadedAccounts?: ReadonlyMap<string, JsonObject>): DecideProfile {
    profile.flat ??= [...profile.events.values()].flat();
    profile.flatAnswers ??= [...profile.surveyAnswers.values()];
    const { traits, firstSeen, lastSeen, shows, lastShown, nps, groupIds } = profile;
    return {
      traits,
      events: profile.flat,
      firstSeen,
      lastSeen,
      shows,
      lastShown,
      nps,
      surveyAnswers: profile.flatAnswers,
      accounts: groupIds.map((groupId) => this.accountTraits(groupId, loadedAccounts)),
    };
  }

  /** An account's traits: the cached ones (kept in step by applyGroup), else the ones loaded with the profile. */
  private accountTraits(groupId: string, loadedAccounts?: ReadonlyMap<string, JsonObject>): JsonObject {
    const traits = this.accounts.get(groupId);
    if (traits !== undefined) {
      remember(this.accounts, groupId, traits, this.capacity);
      return traits;
    }
    return loadedAccounts?.get(groupId) ?? {};
  }

  private fromStored({ profile: stored }: LoadedProfile): CachedProfile {
    return { ...stored, flat: null, flatAnswers: null, groupIds: stored.accountIds, assigned: null };
  }

  /** Marks a load of the user under way as stale: what it read may be from before this change. */
  private changed(userId: string): void {
    for (const watch of this.loading.get(userId) ?? []) watch.changed = true;
  }

  /** Whether the user's cached profile knows them assigned to the message (false: not known, or not cached). */
  knowsAssigned(userId: string, messageId: string): boolean {
    return this.entries.get(userId)?.assigned?.includes(messageId) === true;
  }

  /** Remembers in the user's cached profile, if it is cached, that the user is assigned to the message (stored or queued). */
  rememberAssigned(userId: string, messageId: string): void {
    const profile = this.entries.get(userId);
    if (!profile) return;
    if (profile.assigned === null) profile.assigned = [messageId];
    else if (!profile.assigned.includes(messageId)) profile.assigned.push(messageId);
  }

  /** Applies a stored record to the user's cached profile, if it is cached: what the store did, in memory. */
  apply(applied: Applied): void {
    const { record, traits, profile: change } = applied;
    this.changed(record.userId);
    const profile = this.entries.get(record.userId);
    if (!profile) return;
    if (profile.firstSeen === null || record.ts < profile.firstSeen) profile.firstSeen = record.ts;
    if (profile.lastSeen === null || record.ts > profile.lastSeen) profile.lastSeen = record.ts;
    if (record.kind === 'identify') {
      if (traits) profile.traits = traits;
      return;
    }
    const kept = change.collected ? profile.events.get(record.name) : undefined;
    if (kept) {
      insertCapped(kept, { id: record.id, name: record.name, ts: record.ts, properties: record.data }, this.source.eventsPerName);
      profile.flat = null;
    }
    if (change.shownMessageId !== null) {
      const shows = profile.shows.get(change.shownMessageId);
      if (shows) {
        shows.times += 1;
        shows.firstShown = Math.min(shows.firstShown, record.ts);
        shows.lastShown = Math.max(shows.lastShown, record.ts);
      } else profile.shows.set(change.shownMessageId, { times: 1, firstShown: record.ts, lastShown: record.ts });
      profile.lastShown = profile.lastShown === null ? record.ts : Math.max(profile.lastShown, record.ts);
    }
    if (change.nps && laterNps(change.nps, profile.nps)) profile.nps = change.nps;
    if (change.surveyAnswer) {
      const key = surveyAnswerKey(change.surveyAnswer);
      if (laterAnswer(change.surveyAnswer, profile.surveyAnswers.get(key))) {
        profile.surveyAnswers.set(key, change.surveyAnswer);
        profile.flatAnswers = null;
      }
    }
  }

  /** Applies a stored group call: the account's new traits, and the membership if the user is cached. */
  applyGroup(applied: Exclude<GroupApplied, { refused: string }>): void {
    this.changed(applied.userId);
    const profile = this.entries.get(applied.userId);
    // The traits are the account's whole merged traits: cached for a member in memory, or where cached already.
    if (profile || this.accounts.has(applied.groupId)) remember(this.accounts, applied.groupId, applied.traits, this.capacity);
    if (profile && !profile.groupIds.includes(applied.groupId)) profile.groupIds.push(applied.groupId);
  }

  /**
   * Drops one user's cached profile (records pruned or erased here, or the user changed on another
   * node): the next decide loads what is stored.
   */
  forget(userId: string): void {
    this.changed(userId);
    this.entries.delete(userId);
  }

  /** Drops every cached profile and account (the change feed reconnected: changes may have been missed). */
  clear(): void {
    this.generation += 1;
    for (const watches of this.loading.values()) for (const watch of watches) watch.changed = true;
    this.entries.clear();
    this.accounts.clear();
  }
}
