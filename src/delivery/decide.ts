/**
 * The decision: which published messages one user should see now. Pure (no clock, no database):
 * given the live messages, the request, the user's profile and `now`, it answers the same way every
 * time, so tests simulate days by moving `now`.
 *
 * A message is returned when, in this order (cheap checks first, the profile loaded only if needed):
 *   running (not paused or ended), for the request's environment, inside its schedule;
 *   its trigger matches (page pattern over the full URL, event name and property filters);
 *   the user falls within its rollout (a stable hash of message id and user id);
 *   frequency rules and the global cooldown do not hold it back (counted from message_shown events);
 *   the user is in its segment (the shared JS evaluator, as of now).
 * Highest priority first (ties by id); at most one modal.
 */
import { hash53 } from '../shared/hash';
import { parseTimestamp } from '../shared/event-spec';
import { matchesRule, type ProfileEvent } from '../shared/segments/evaluate';
import type { PropertyFilter, Rule } from '../shared/segments/rule';
import { DAY_MS, fieldOf, matchesValue, NPS_EVENT } from '../shared/segments/values';
import { eventFilters, type DecideBody, type Environment, type JsonObject, type MessageKind, type MessageState, type PublishBody } from './schemas';

export const SHOWN_EVENT = 'message_shown';
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

/** What decide needs about a user (kept by the profile cache). */
export interface DecideProfile {
  traits: Record<string, unknown>;
  /** Events of the names the live rules need, plus every message_shown and NPS answer. */
  events: readonly ProfileEvent[];
  /** Timestamps of all the user's records (events and identify calls, not group calls), ascending: first and last seen. */
  times: readonly number[];
  /** The current traits of each account the user belongs to (group calls), for account conditions. */
  accounts: readonly Record<string, unknown>[];
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
  /** Per message id: how many times shown, and the latest, at or before now. */
  perMessage: Map<string, { count: number; last: number }>;
  lastAny: number | null;
}

function showHistory(profile: DecideProfile, now: number): ShowHistory {
  const perMessage = new Map<string, { count: number; last: number }>();
  let lastAny: number | null = null;
  for (const e of profile.events) {
    if (e.name !== SHOWN_EVENT || e.ts > now) continue;
    const messageId = fieldOf(e.properties, 'message_id');
    if (typeof messageId !== 'string') continue;
    if (lastAny === null || e.ts > lastAny) lastAny = e.ts;
    const entry = perMessage.get(messageId);
    if (entry) {
      entry.count += 1;
      if (e.ts > entry.last) entry.last = e.ts;
    } else perMessage.set(messageId, { count: 1, last: e.ts });
  }
  return { perMessage, lastAny };
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

/** The largest element of a sorted array that is at most `limit`, or null. */
function lastAtOrBefore(sorted: readonly number[], limit: number): number | null {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((sorted[mid] as number) <= limit) lo = mid + 1;
    else hi = mid;
  }
  return lo === 0 ? null : (sorted[lo - 1] as number);
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
 */
export function chooseMessages(messages: readonly LiveMessage[], request: DecideBody, loadProfile: () => DecideProfile, now: number): LiveMessage[] {
  const chosen: LiveMessage[] = [];
  const patterns: PatternResults = new Map();
  let profile: DecideProfile | null = null;
  let history: ShowHistory | null = null;
  let seen: number[] | null = null;
  let hasModal = false;
  for (const m of messages) {
    if (m.kind === 'modal' && hasModal) continue;
    if (!eligible(m, request, now, patterns)) continue;
    if (profile === null) {
      profile = loadProfile();
      history = showHistory(profile, now);
      // First and last seen as of now are all the evaluator needs of the records that are not events it counts.
      const first = profile.times.length > 0 && (profile.times[0] as number) <= now ? (profile.times[0] as number) : null;
      const last = lastAtOrBefore(profile.times, now);
      seen = first === null || last === null ? [] : [first, last];
    }
    if (heldBack(m, history as ShowHistory, now)) continue;
    if (!matchesRule(m.rule, { traits: profile.traits, events: profile.events, identifyTimes: seen as number[], accounts: profile.accounts }, now)) continue;
    chosen.push(m);
    if (m.kind === 'modal') hasModal = true;
  }
  return chosen;
}

/** Event names the live rules count, plus the ones decide itself reads: a user's profile keeps only these events. */
export function neededEventNames(messages: readonly LiveMessage[]): Set<string> {
  const names = new Set<string>([SHOWN_EVENT, NPS_EVENT]);
  const visit = (conditions: Rule['conditions']): void => {
    for (const c of conditions) {
      if (c.type === 'event') names.add(c.event);
      else if (c.type === 'group') visit(c.conditions);
    }
  };
  for (const m of messages) visit(m.rule.conditions);
  return names;
}
