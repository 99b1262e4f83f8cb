/**
 * Per-user profiles for decide: the profile store (profile-store.ts, in SQLite) with a small in-memory
 * LRU in front. A cached profile is updated in place as records arrive, by the same rules the store
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
import { insertCapped, laterAnswer, laterNps, surveyAnswerKey, type CollectedChange, type MessageShows, type NpsAnswer, type ProfileStore } from './profile-store';
import type { JsonObject } from './schemas';
import type { Applied, DeliveryStore, GroupApplied } from './store';

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
  private readonly profiles: ProfileStore;

  constructor(
    private readonly store: DeliveryStore,
    private readonly capacity: number,
  ) {
    this.profiles = store.profiles;
  }

  get size(): number {
    return this.entries.size;
  }

  /**
   * Collects exactly these event names from `now` on (ProfileStore.collect). A name that starts is
   * empty in every profile, cached or not; a name that stops leaves the cached profiles.
   */
  setNeededNames(names: ReadonlySet<string>, now: number): CollectedChange {
    const change = this.profiles.collect(names, now);
    if (change.started.length === 0 && change.stopped.length === 0) return change;
    for (const profile of this.entries.values()) {
      for (const name of change.stopped) profile.events.delete(name);
      for (const name of change.started) profile.events.set(name, []);
      profile.flat = null;
    }
    return change;
  }

  get(userId: string): DecideProfile {
    let profile = this.entries.get(userId);
    if (profile) remember(this.entries, userId, profile, this.capacity);
    else {
      profile = this.load(userId);
      remember(this.entries, userId, profile, this.capacity);
    }
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
      accounts: groupIds.map((groupId) => this.accountTraits(groupId)),
    };
  }

  private accountTraits(groupId: string): JsonObject {
    let traits = this.accounts.get(groupId);
    if (traits === undefined) traits = this.store.accountTraits(groupId);
    remember(this.accounts, groupId, traits, this.capacity);
    return traits;
  }

  private load(userId: string): CachedProfile {
    const stored = this.profiles.load(userId);
    return { ...stored, flat: null, flatAnswers: null, groupIds: stored.accountIds, assigned: null };
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
      insertCapped(kept, { id: record.id, name: record.name, ts: record.ts, properties: record.data }, this.profiles.eventsPerName);
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
    if (this.accounts.has(applied.groupId)) this.accounts.set(applied.groupId, applied.traits);
    const profile = this.entries.get(applied.userId);
    if (profile && !profile.groupIds.includes(applied.groupId)) profile.groupIds.push(applied.groupId);
  }

  /**
   * Erases a user's profile (ProfileStore.eraseUser: traits, first and last seen, account memberships,
   * kept events, frequency state) and forgets the cached copy. Removing the user's records is the
   * caller's part.
   */
  eraseUser(userId: string): void {
    this.profiles.eraseUser(userId);
    this.entries.delete(userId);
  }

  /** Drops one user's cached profile (records pruned): the next decide loads what is stored. */
  forget(userId: string): void {
    this.entries.delete(userId);
  }

  clear(): void {
    this.entries.clear();
    this.accounts.clear();
  }
}
