/**
 * The decision: which published messages one user should see now. Pure (no clock, no database):
 * given the live messages, the request, the user's profile and `now`, it answers the same way every
 * time, so tests simulate days by moving `now`.
 *
 * A message is returned when, in this order (cheap checks first, the profile loaded only if needed):
 *   running (not paused or ended), for the request's environment, inside its schedule;
 *   its trigger matches (page pattern over the full URL, event name and property filters);
 *   the user falls within its rollout (a stable hash of message id and user id);
 *   frequency rules and the global cooldown do not hold it back (the profile's frequency state,
 *   counted as message_shown records arrived: profile-store.ts);
 *   the user is in its segment (the shared JS evaluator, as of now);
 *   the user is not in its holdout group (a stable hash of message id and user id with a salt of its
 *   own, independent of the rollout's). A held-out message takes no slot and starts no cooldown:
 *   decide goes on as if it did not exist.
 * Highest priority first (ties by id), one message per placement (shared/messages/placement.ts): at most
 * one blocking message (modal, nps or survey), and besides it at most one banner and at most one
 * slideout. Priority decides within each placement: a placement's first eligible message in priority
 * order takes it, and the rest of that placement are skipped before any check is made. The global
 * cooldown spans all placements (the last show of any message, whatever its kind, holds a message back).
 * Every message that passed every check is reported to the caller with its group, to assign the user
 * (handlers/client.ts).
 */
import { hash53 } from '../shared/hash';
import type { AssignmentGroup } from '../shared/messages/lift-results';
import { parseTimestamp } from '../shared/event-spec';
import { PLACEMENTS, placementOf, type Placement } from '../shared/messages/placement';
import { matchesRule, type ProfileEvent, type UserProfile } from '../shared/segments/evaluate';
import type { PropertyFilter, Rule } from '../shared/segments/rule';
import { DAY_MS, fieldOf, matchesValue } from '../shared/segments/values';
import { SHOWN_EVENT, type MessageShows, type NpsAnswer } from './profile-store';
import { eventFilters, type DecideBody, type Environment, type JsonObject, type MessageKind, type MessageState, type PublishBody } from './schemas';

export { SHOWN_EVENT };
const HOUR_MS = 3_600_000;

/** A published message, compiled once when the set of messages changes. */
export interface LiveMessage {
  id: string;
  version: number;
  kind: MessageKind;
  content: JsonObject;
  state: MessageState;
  environment: Environment;
  priority: number;
  rollout: number;
  /** Percent of the users who pass every check held back (0-50). */
  holdout: number;
  rule: Rule;
  page: string | null;
  event: { name: string; where: PropertyFilter[] } | null;
  delaySeconds: number;
  once: boolean;
  everyMs: number | null;
  maxTimes: number | null;
  cooldownMs: number | null;
  start: number | null;
  end: number | null;
  /** The Decision the SDK receives, serialized once here rather than on every decide. */
  decisionJson: string;
}

export function compileMessage(id: string, version: number, state: MessageState, body: PublishBody): LiveMessage {
  const instant = (text: string | undefined): number | null => {
    if (text === undefined) return null;
    const ts = parseTimestamp(text);
    return typeof ts === 'number' ? ts : null;
  };
  let event: LiveMessage['event'] = null;
  if (body.trigger.event) {
    const filters = eventFilters(body.trigger.event.name, body.trigger.event.where ?? []);
    event = { name: body.trigger.event.name, where: filters.ok ? filters.where : [] };
  }
  const decision: Decision = {
    id,
    version,
    kind: body.kind,
    content: body.content,
    priority: body.priority,
    delaySeconds: body.trigger.delaySeconds ?? 0,
  };
  return {
    id,
    version,
    kind: body.kind,
    content: body.content,
    state,
    environment: body.environment,
    priority: body.priority,
    rollout: body.rollout,
    // A body stored before holdouts existed has none: nobody is held out.
    holdout: body.holdout ?? 0,
    rule: body.rule,
    page: body.trigger.page ?? null,
    event,
    delaySeconds: body.trigger.delaySeconds ?? 0,
    once: body.frequency.once === true,
    everyMs: body.frequency.everyDays === undefined ? null : body.frequency.everyDays * DAY_MS,
    maxTimes: body.frequency.maxTimes ?? null,
    cooldownMs: body.cooldownHours === undefined ? null : body.cooldownHours * HOUR_MS,
    start: instant(body.schedule.start),
    end: instant(body.schedule.end),
    decisionJson: JSON.stringify(decision),
  };
}

/** Highest priority first; equal priorities by id, so the order never depends on storage. */
export function byPriority(a: LiveMessage, b: LiveMessage): number {
  return b.priority - a.priority || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/**
 * Whether a text matches a pattern in which `*` stands for any run of characters (possibly empty)
 * and every other character for itself; the whole text must match. Linear backtracking to the last
 * star, so no pattern can make it take exponential time (a regex built from the pattern could).
 */
export function globMatch(pattern: string, text: string): boolean {
  let p = 0;
  let t = 0;
  let star = -1;
  let mark = 0;
  while (t < text.length) {
    if (p < pattern.length && pattern.charCodeAt(p) === 42 /* * */) {
      star = p;
      p += 1;
      mark = t;
    } else if (p < pattern.length && pattern.charCodeAt(p) === text.charCodeAt(t)) {
      p += 1;
      t += 1;
    } else if (star !== -1) {
      p = star + 1;
      mark += 1;
      t = mark;
    } else return false;
  }
  while (p < pattern.length && pattern.charCodeAt(p) === 42) p += 1;
  return p === pattern.length;
}

/** The user's place in a message's rollout: 0-9999, stable for a user and a message. */
export function rolloutBucket(userId: string, messageId: string): number {
  return hash53(`${messageId}\u0000${userId}`) % 10_000;
}

export function inRollout(userId: string, messageId: string, rollout: number): boolean {
  return rolloutBucket(userId, messageId) < rollout * 100;
}

/**
 * The user's place in a message's holdout draw: 0-9999, stable for a user and a message. Salted
 * differently from rolloutBucket, so the holdout is an even slice of every rollout bucket rather than
 * its bottom (with one hash, a 10% rollout and a 10% holdout would be the same users).
 */
export function holdoutBucket(userId: string, messageId: string): number {
  return hash53(`holdout\u0000${messageId}\u0000${userId}`) % 10_000;
}

export function inHoldout(userId: string, messageId: string, holdout: number): boolean {
  return holdout > 0 && holdoutBucket(userId, messageId) < holdout * 100;
}

/** A message that passed every check for the user, and the group the user falls in. */
export interface Assignment {
  messageId: string;
  group: AssignmentGroup;
}

/** What decide needs about a user (kept by the profile store, through the profile cache). */
export interface DecideProfile {
  traits: Record<string, unknown>;
  /** The kept events of the names the live rules count (at most the cap per name, the newest). */
  events: readonly ProfileEvent[];
  /** Earliest and latest instant of the user's events and identify calls (not group calls); null: none. */
  firstSeen: number | null;
  lastSeen: number | null;
  /** The current traits of each account the user belongs to (group calls), for account conditions. */
  accounts: readonly Record<string, unknown>[];
  /** Frequency state: per message id, how often and when the user was shown it. */
  shows: ReadonlyMap<string, MessageShows>;
  /** The latest show of any message: the global cooldown. */
  lastShown: number | null;
  /** The user's latest NPS answer. */
  nps: NpsAnswer | null;
  /**
   * The user's latest answer to each question of each survey message (survey conditions; the profile
   * store keeps them). Absent: survey conditions read `events` (a caller that replays raw events).
   */
  surveyAnswers?: readonly ProfileEvent[];
}

/** What the SDK receives per message. */
export interface Decision {
  id: string;
  version: number;
  kind: MessageKind;
  content: JsonObject;
  priority: number;
  /** Seconds the SDK waits before showing it (0: at once). */
  delaySeconds: number;
}

interface ShowHistory {
  /** Per message id: how many times shown, and the latest. */
  perMessage: ReadonlyMap<string, { count: number; last: number }>;
  lastAny: number | null;
}

/**
 * The profile's frequency state as heldBack reads it. Every show counts, and an instant ahead of `now`
 * (a client's clock, at most the clamp's 5 minutes ahead: future-clamp.ts) counts as now.
 */
function showHistory(profile: DecideProfile, now: number): ShowHistory {
  const perMessage = new Map<string, { count: number; last: number }>();
  for (const [messageId, shows] of profile.shows) perMessage.set(messageId, { count: shows.times, last: Math.min(shows.lastShown, now) });
  return { perMessage, lastAny: profile.lastShown === null ? null : Math.min(profile.lastShown, now) };
}

/**
 * The profile as the shared evaluator reads it, as of `now`. First and last seen are two numbers, and
 * an instant ahead of `now` (at most the clamp's 5 minutes) counts as now: a user whose latest record
 * is stamped a minute ahead was last seen now, not at the record before it. The same holds for the
 * latest NPS answer and the latest survey answers. Kept events ahead of now are skipped by the evaluator itself.
 */
export function evaluatorProfile(profile: DecideProfile, now: number): UserProfile {
  const seen = profile.firstSeen === null || profile.lastSeen === null ? [] : [Math.min(profile.firstSeen, now), Math.min(profile.lastSeen, now)];
  const nps = profile.nps === null ? null : { ts: Math.min(profile.nps.ts, now), score: profile.nps.score };
  const evaluated: UserProfile = { traits: profile.traits, events: profile.events, identifyTimes: seen, accounts: profile.accounts, latestNps: nps };
  if (profile.surveyAnswers) evaluated.surveyAnswers = profile.surveyAnswers.map((a) => (a.ts > now ? { ...a, ts: now } : a));
  return evaluated;
}

/** Whether frequency rules or the global cooldown hold a message back. */
export function heldBack(message: LiveMessage, history: ShowHistory, now: number): boolean {
  const shown = history.perMessage.get(message.id);
  if (shown) {
    if (message.once) return true;
    if (message.maxTimes !== null && shown.count >= message.maxTimes) return true;
    if (message.everyMs !== null && now - shown.last < message.everyMs) return true;
  }
  return message.cooldownMs !== null && history.lastAny !== null && now - history.lastAny < message.cooldownMs;
}

/** Many messages share a page pattern: one decide tests each distinct pattern against the URL once. */
type PatternResults = Map<string, boolean>;

function pageMatches(pattern: string, url: string, cache: PatternResults | undefined): boolean {
  const known = cache?.get(pattern);
  if (known !== undefined) return known;
  const result = globMatch(pattern, url);
  cache?.set(pattern, result);
  return result;
}

export function triggerMatches(message: LiveMessage, request: Pick<DecideBody, 'url' | 'event'>, patterns?: PatternResults): boolean {
  if (message.page !== null && (request.url === undefined || !pageMatches(message.page, request.url, patterns))) return false;
  if (message.event !== null) {
    const event = request.event;
    if (!event || event.name !== message.event.name) return false;
    if (!message.event.where.every((f) => matchesValue(fieldOf(event.properties ?? null, f.property), f))) return false;
  }
  return true;
}

/** The checks that need no profile: state, environment, schedule, trigger, rollout. */
export function eligible(message: LiveMessage, request: DecideBody, now: number, patterns?: PatternResults): boolean {
  if (message.state !== 'running' || message.environment !== request.environment) return false;
  if (message.start !== null && now < message.start) return false;
  if (message.end !== null && now >= message.end) return false;
  if (!triggerMatches(message, request, patterns)) return false;
  return inRollout(request.userId, message.id, message.rollout);
}

/** The answer body of POST /v1/decide, assembled from each message's serialized Decision. */
export function decideAnswerJson(chosen: readonly LiveMessage[]): string {
  return `{"messages":[${chosen.map((m) => m.decisionJson).join(',')}]}`;
}

/**
 * The messages to show, highest priority first. `messages` must be sorted with byPriority;
 * `loadProfile` is called at most once, and only when some message passes the cheap checks.
 * `assignments`, when given, receives every message that passed every check, exposed or held out.
 */
export function chooseMessages(
  messages: readonly LiveMessage[],
  request: DecideBody,
  loadProfile: () => DecideProfile,
  now: number,
  assignments?: Assignment[],
): LiveMessage[] {
  const chosen: LiveMessage[] = [];
  const patterns: PatternResults = new Map();
  let profile: UserProfile | null = null;
  let history: ShowHistory | null = null;
  const taken = new Set<Placement>();
  for (const m of messages) {
    const placement = placementOf(m.kind);
    if (taken.has(placement)) continue;
    if (!eligible(m, request, now, patterns)) continue;
    if (profile === null) {
      const stored = loadProfile();
      history = showHistory(stored, now);
      profile = evaluatorProfile(stored, now);
    }
    if (heldBack(m, history as ShowHistory, now)) continue;
    if (!matchesRule(m.rule, profile, now)) continue;
    // Held out: no slot taken, nothing returned; the next message is judged as if this one did not exist.
    const heldOut = inHoldout(request.userId, m.id, m.holdout);
    assignments?.push({ messageId: m.id, group: heldOut ? 'holdout' : 'exposed' });
    if (heldOut) continue;
    chosen.push(m);
    taken.add(placement);
    // Every placement filled: nothing further can be chosen.
    if (taken.size === PLACEMENTS.length) break;
  }
  return chosen;
}

/**
 * Whether chooseMessages would read the user's profile: some message passes the checks that need none
 * (state, environment, trigger, page). A decide that needs none answers without loading the profile.
 */
export function needsProfile(messages: readonly LiveMessage[], request: DecideBody, now: number): boolean {
  const patterns: PatternResults = new Map();
  return messages.some((m) => eligible(m, request, now, patterns));
}

/**
 * Event names the live rules count in event conditions: the profile store collects only these. Shows
 * (frequency and cooldown), NPS answers (nps conditions) and survey answers (survey conditions) have state of their own.
 */
export function neededEventNames(messages: readonly Pick<LiveMessage, 'rule'>[]): Set<string> {
  const names = new Set<string>();
  const visit = (conditions: Rule['conditions']): void => {
    for (const c of conditions) {
      if (c.type === 'event') names.add(c.event);
      else if (c.type === 'group') visit(c.conditions);
    }
  };
  for (const m of messages) visit(m.rule.conditions);
  return names;
}
