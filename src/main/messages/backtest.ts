/**
 * The backtest (issue 19 item 4): "if this message had been live over the last N weeks". The cache's
 * history is replayed through the delivery server's own decide (src/delivery/decide.ts: compileMessage,
 * chooseMessages, eligible, byPriority), with the draft compiled from the publish body the companion
 * would send (publish-body.ts), next to the other messages that are live in the same environment.
 *
 * Each page view, screen view and tracked event of the history is a decide request, as the SDK makes
 * one (src/sdk/index.ts: page() and track() both ask /v1/decide): a page view with its `url` property,
 * a tracked event with its name and properties and the URL of the user's latest page view. Every
 * message decide returns counts as shown at that instant, and the replayed user's frequency state is
 * updated as the server's profile store updates it on message_shown. The SDK's own records
 * (message_shown, message_dismissed, message_clicked, survey_answered, message_assigned) ask nothing.
 *
 * The profile at each instant is the one the server would hold: the SDK asks decide before its record
 * reaches the server, so a request sees the records before it (in the order instant, then record id)
 * and not itself. Approximations, said in the result's notes where they matter:
 * - traits (the user's and their accounts') are the cache's current ones, not as of each instant;
 * - every event of a name a rule counts is kept (the server keeps the newest 1000 per name and user);
 * - frequency state starts from the history's message_shown records before the window, of the
 *   replayed messages only; inside the window the replay's own shows replace the recorded ones.
 *
 * Speed: decide is per user, and no user's decision depends on another's, so only users who could see
 * the draft are replayed: those with a request of the draft's trigger inside the window (one indexed
 * query), inside its rollout (a hash), and among the members of the draft's rule widened to the whole
 * window (widenedRule: the segment SQL engine counts once who could match at some instant). Each of
 * them is walked once through their records in time order, read a chunk of users at a time, and only
 * the records that can change a decision (backtest-history.ts).
 */
import { placementOf } from '../../shared/messages/placement';
import { byPriority, chooseMessages, compileMessage, eligible, inRollout, SHOWN_EVENT, type DecideProfile, type LiveMessage } from '../../delivery/decide';
import type { NpsAnswer } from '../../delivery/profile-store';
import { eventFilters, publishSchema, type DecideBody, type Environment, type PublishBody } from '../../delivery/schemas';
import { ApiError } from '../../shared/errors';
import { MAX_BACKTEST_WEEKS, type MessageBacktest, type MessageDraft, type MessageRecord } from '../../shared/messages/model';
import type { ProfileEvent } from '../../shared/segments/evaluate';
import type { Condition, PropertyFilter, Rule } from '../../shared/segments/rule';
import { DAY_MS, fieldOf, matchesValue, NPS_EVENT, npsScore } from '../../shared/segments/values';
import type { Db } from '../db/connection';
import type { SegmentService } from '../segments/service';
import type { WorkshopService } from '../workshops/service';
import { requireMessage, resolveTarget } from './audience';
import { buildPublishBody, validatePublishBody } from './publish-body';
import { historyMode, historyReader, NOT_REQUESTS, PAGE_EVENT, SCREEN_EVENT, type Candidate, type HistoryMode, type HistoryRecord } from './backtest-history';
import { personasOf } from './result-groups';

const WEEK_MS = 7 * DAY_MS;

export type { HistoryRecord };

export interface UserHistory {
  userId: string;
  traits: Record<string, unknown>;
  accounts: readonly Record<string, unknown>[];
  /** Ascending by instant, then record id. */
  records: readonly HistoryRecord[];
}

/** What the replay is asked: the messages (the draft among them), the draft's id, the window [from, to). */
export interface ReplayPlan {
  /** Sorted with byPriority. */
  messages: readonly LiveMessage[];
  draftId: string;
  environment: Environment;
  from: number;
  to: number;
  /** Names the rules count in event conditions (neededEventNames): the events a profile keeps. */
  keptNames: ReadonlySet<string>;
}

/** Why the draft was not chosen although it would have been alone. */
export type BlockReason = 'cooldown' | 'priority';

/** One decide request of the replay and its answer (for tests that compare with the real server). */
export interface ReplayedDecision {
  ts: number;
  request: DecideBody;
  chosen: string[];
}

export interface UserReplay {
  userId: string;
  /** Instants the draft was shown. */
  shows: number[];
  /** Instants the draft would have been shown but for another message, and which. */
  blocks: { ts: number; by: string; reason: BlockReason }[];
}

/** A tracked event as decide reads it: the properties are parsed only when a trigger's filters read them (most requests match no trigger). */
class RequestEvent {
  constructor(
    readonly name: string,
    private readonly record: HistoryRecord,
  ) {}
  get properties(): Record<string, unknown> | undefined {
    return this.record.properties() ?? undefined;
  }
}

/** The request the SDK made for a record, or null when the record asks nothing. */
function requestOf(record: HistoryRecord, userId: string, environment: Environment, lastUrl: string | undefined): DecideBody | null {
  if (record.name === '' || NOT_REQUESTS.has(record.name)) return null;
  const request: DecideBody = { userId, environment };
  if (record.name === PAGE_EVENT) {
    const url = fieldOf(record.properties(), 'url');
    if (typeof url === 'string') request.url = url;
    return request;
  }
  if (record.name === SCREEN_EVENT) return request;
  if (lastUrl !== undefined) request.url = lastUrl;
  request.event = new RequestEvent(record.name, record);
  return request;
}

/**
 * Replays one user's history through decide over the plan's window. `onDecision`, when given, hears
 * every request and its answer. Cost: one pass over the records, and one chooseMessages per request
 * inside the window (two or three more when the draft is eligible but not chosen).
 */
export function replayUser(plan: ReplayPlan, user: UserHistory, onDecision?: (decision: ReplayedDecision) => void): UserReplay {
  const draft = plan.messages.find((m) => m.id === plan.draftId);
  if (!draft) throw new Error(`the plan's messages do not hold the draft ${plan.draftId}`);
  const replayed = new Set(plan.messages.map((m) => m.id));
  // The draft judged alone, with and without the global cooldown: the causes of a block.
  const alone = [draft];
  const aloneNoCooldown = [{ ...draft, cooldownMs: null }];
  const kept: ProfileEvent[] = [];
  const profile: DecideProfile & { firstSeen: number | null; lastSeen: number | null; lastShown: number | null; nps: NpsAnswer | null } = {
    traits: user.traits,
    events: kept,
    firstSeen: null,
    lastSeen: null,
    accounts: user.accounts,
    shows: new Map(),
    lastShown: null,
    nps: null,
  };
  const shows = profile.shows as Map<string, { times: number; firstShown: number; lastShown: number }>;
  let lastShownId: string | null = null;
  const show = (messageId: string, ts: number): void => {
    const held = shows.get(messageId);
    if (held) {
      held.times += 1;
      held.lastShown = Math.max(held.lastShown, ts);
    } else shows.set(messageId, { times: 1, firstShown: ts, lastShown: ts });
    if (profile.lastShown === null || ts >= profile.lastShown) {
      profile.lastShown = ts;
      lastShownId = messageId;
    }
  };
  const loadProfile = (): DecideProfile => profile;
  const result: UserReplay = { userId: user.userId, shows: [], blocks: [] };
  let lastUrl: string | undefined;

  for (const record of user.records) {
    if (record.ts >= plan.to) break;
    if (record.ts >= plan.from) {
      const request = requestOf(record, user.userId, plan.environment, lastUrl);
      if (request !== null) {
        const now = record.ts;
        const chosen = chooseMessages(plan.messages, request, loadProfile, now);
        onDecision?.({ ts: now, request, chosen: chosen.map((m) => m.id) });
        if (chosen.includes(draft)) result.shows.push(now);
        else if (eligible(draft, request, now)) {
          if (chooseMessages(alone, request, loadProfile, now).length === 1) {
            // Alone it shows: a higher-priority message took its place on the page (one per placement).
            const by = chosen.find((m) => placementOf(m.kind) === placementOf(draft.kind));
            if (by) result.blocks.push({ ts: now, by: by.id, reason: 'priority' });
          } else if (lastShownId !== null && lastShownId !== draft.id && chooseMessages(aloneNoCooldown, request, loadProfile, now).length === 1) {
            result.blocks.push({ ts: now, by: lastShownId, reason: 'cooldown' });
          }
        }
        for (const m of chosen) show(m.id, now);
      }
    }
    // The record reaches the server after its decide: it counts from the next request on.
    if (profile.firstSeen === null || record.ts < profile.firstSeen) profile.firstSeen = record.ts;
    if (profile.lastSeen === null || record.ts > profile.lastSeen) profile.lastSeen = record.ts;
    if (record.name === '') continue;
    if (plan.keptNames.has(record.name)) kept.push(new KeptEvent(record));
    if (record.name === PAGE_EVENT) {
      const url = fieldOf(record.properties(), 'url');
      if (typeof url === 'string') lastUrl = url;
    } else if (record.name === SHOWN_EVENT && record.ts < plan.from) {
      const messageId = fieldOf(record.properties(), 'message_id');
      if (typeof messageId === 'string' && replayed.has(messageId)) show(messageId, record.ts);
    } else if (record.name === NPS_EVENT) {
      const score = npsScore(record.properties());
      if (score !== null) {
        const answer: NpsAnswer = { ts: record.ts, recordId: record.id, score };
        const held = profile.nps;
        if (held === null || answer.ts > held.ts || (answer.ts === held.ts && answer.recordId > held.recordId)) profile.nps = answer;
      }
    }
  }
  return result;
}

/** A kept record as the evaluator reads it: its id and properties asked of the record only if a condition reads them. */
class KeptEvent implements ProfileEvent {
  readonly name: string;
  readonly ts: number;
  constructor(private readonly record: HistoryRecord) {
    this.name = record.name;
    this.ts = record.ts;
  }
  get id(): string {
    return this.record.id;
  }
  get properties(): Record<string, unknown> | null {
    return this.record.properties();
  }
}

/** Event names counted by event conditions anywhere in these rules. */
function countedNames(rules: readonly Rule[]): Set<string> {
  const names = new Set<string>();
  const visit = (conditions: readonly Condition[]): void => {
    for (const c of conditions) {
      if (c.type === 'event') names.add(c.event);
      else if (c.type === 'group') visit(c.conditions);
    }
  };
  for (const rule of rules) visit(rule.conditions);
  return names;
}

// ---------------------------------------------------------------------------------------------------
// Reading the cache

export interface BacktestDeps {
  db: Db;
  segments: SegmentService;
  workshops: WorkshopService;
  /** The cache's "data as of": the window ends there. */
  asOf: number;
}

export interface BacktestOptions {
  weeks: number;
  /** The messages the companion knows (MessageService.list): the live ones of the draft's environment compete. */
  others: readonly MessageRecord[];
  /** Users replayed so far, of all to replay (called every BACKTEST_CHUNK_USERS users, and at the end). */
  onProgress?: (done: number, total: number) => void;
  /** The clock for elapsedMs (tests and the bench pass performance.now). */
  clock?: () => number;
  /** Hears each user the draft reached in the replay, with the instant of their first impression (the lift's estimated control). */
  onReached?: (user: { userPk: number; id: string }, firstShow: number) => void;
  /** How the histories are read (backtest-history.ts); by default the fastest one that gives the same result. Tests compare the two. */
  historyMode?: HistoryMode;
}

/** The draft as the server would hold it once published and running, its schedule lifted: "had it been live". */
export function compileDraft(deps: Pick<BacktestDeps, 'segments' | 'workshops'>, draft: MessageDraft): LiveMessage {
  const target = resolveTarget(deps, draft);
  const body = buildPublishBody({ ...draft, schedule: {} }, deps.segments.inline(target.rule), 1);
  validatePublishBody(body);
  return compileMessage(draft.id, 1, 'running', publishSchema.parse(body));
}

/** The other messages live (or scheduled) on the server in the draft's environment, as published, highest priority first. */
export function competitorsOf(records: readonly MessageRecord[], draft: MessageDraft): { live: LiveMessage; name: string }[] {
  const out: { live: LiveMessage; name: string }[] = [];
  for (const record of records) {
    if (record.message.id === draft.id || (record.status !== 'live' && record.status !== 'scheduled')) continue;
    const parsed = publishSchema.safeParse(record.publishedBody);
    if (!parsed.success || parsed.data.environment !== draft.environment) continue;
    const body: PublishBody = parsed.data;
    out.push({ live: compileMessage(record.message.id, record.publishedVersion ?? body.version, 'running', body), name: record.message.name });
  }
  return out.sort((a, b) => byPriority(a.live, b.live));
}

interface CacheStatements {
  nameId(name: string): number | undefined;
}

/**
 * Users who could see the draft in the window: a request of its trigger inside the window (for an
 * event trigger, that event; for a page trigger, a page view; without a trigger, any record), inside
 * its rollout, and members of its rule widened to the window (a superset of who matches at any instant).
 */
function candidates(deps: BacktestDeps, draft: LiveMessage, from: number, to: number, s: CacheStatements): Candidate[] {
  let sql: string;
  let params: unknown[];
  if (draft.event !== null || draft.page !== null) {
    const nameId = s.nameId(draft.event !== null ? draft.event.name : PAGE_EVENT);
    if (nameId === undefined) return [];
    sql = `SELECT u.user_pk AS userPk, u.id, u.traits, u.first_seen AS firstSeen FROM users u WHERE u.user_pk IN
             (SELECT DISTINCT user_pk FROM events WHERE name_id = ? AND ts >= ? AND ts < ?)`;
    params = [nameId, from, to];
  } else {
    sql = 'SELECT u.user_pk AS userPk, u.id, u.traits, u.first_seen AS firstSeen FROM users u WHERE u.last_seen >= ? AND u.first_seen < ?';
    params = [from, to];
  }
  let rows = deps.db.prepare<unknown[], Candidate>(sql).all(...params);
  rows = rows.filter((r) => inRollout(r.id, draft.id, draft.rollout));
  const bound = rows.length === 0 ? null : widenedRule(draft.rule, Math.round((to - from) / DAY_MS));
  if (bound !== null) {
    const members = new Set(deps.segments.memberIds(bound, deps.asOf));
    rows = rows.filter((r) => members.has(r.id));
  }
  return rows;
}

const MAX_WITHIN_DAYS = 36_500;

/**
 * A rule whose members as of the window's end include every user the given rule matches at some instant
 * of the window (`windowDays` long), for the segment SQL engine to count once instead of the evaluator at
 * every request. Traits and account traits are the current ones in the replay too, so they stay as they
 * are; "did X at least n times (in the last d days)" widens to the last d + windowDays days (a count that
 * only grows); anything else (fewer than, first and last seen, NPS, a negated event or group) is dropped,
 * which only lets more users through. Null when nothing is left to bound the users with.
 */
export function widenedRule(rule: Rule, windowDays: number): Rule | null {
  const widen = (c: Condition): Condition | null => {
    if (c.type === 'trait' || c.type === 'account') return c;
    if (c.type === 'event') {
      if (c.negate || (c.op !== '>=' && c.op !== '>')) return null;
      if (c.within === undefined) return c;
      const days = c.within.days + windowDays;
      const { within: _within, ...ever } = c;
      return days <= MAX_WITHIN_DAYS ? { ...c, within: { days } } : ever;
    }
    if (c.type === 'group' && !c.negate) {
      const parts = c.conditions.map(widen);
      if (c.match === 'any') return parts.some((p) => p === null) ? null : { ...c, conditions: parts as Condition[] };
      const kept = parts.filter((p): p is Condition => p !== null);
      return kept.length === 0 ? null : { ...c, conditions: kept };
    }
    return null;
  };
  const top = widen({ type: 'group', match: rule.match, conditions: rule.conditions });
  return top === null ? null : { version: rule.version, match: 'all', conditions: [top] };
}

/** Whether an event's properties pass a goal's filters (shaped as a rule's event condition's where). */
function goalMatcher(goal: NonNullable<MessageDraft['goal']>): (record: HistoryRecord) => boolean {
  const filters = eventFilters(goal.event, goal.where ?? []);
  if (!filters.ok) throw new ApiError('invalid_argument', `goal.where: ${filters.errors.join('; ')}`);
  const where: PropertyFilter[] = filters.where;
  return (record) => record.name === goal.event && where.every((f) => matchesValue(fieldOf(record.properties(), f.property), f));
}

/** Users replayed between two progress reports (and, in the app, between two yields to the event loop). */
export const BACKTEST_CHUNK_USERS = 250;

/**
 * The backtest of a draft (saved or not) over the last `weeks` weeks before deps.asOf, against the
 * other live messages. Throws invalid_argument for a bad draft or weeks, not_found for a deleted target.
 */
export function messageBacktest(deps: BacktestDeps, input: unknown, options: BacktestOptions): MessageBacktest {
  const steps = backtestSteps(deps, input, options);
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}

/**
 * The same backtest, awaiting `between` after every BACKTEST_CHUNK_USERS users replayed (the app's job:
 * progress reaches the window and a cancel request can arrive; `between` throws to stop).
 */
export async function messageBacktestInChunks(deps: BacktestDeps, input: unknown, options: BacktestOptions, between: () => Promise<void>): Promise<MessageBacktest> {
  const steps = backtestSteps(deps, input, options);
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
    await between();
  }
}

/** The backtest as a generator that pauses after each chunk of users (after reporting progress). */
function* backtestSteps(deps: BacktestDeps, input: unknown, options: BacktestOptions): Generator<void, MessageBacktest> {
  const clock = options.clock ?? Date.now;
  const started = clock();
  const draft = requireMessage(input);
  const weeks = options.weeks;
  if (!Number.isInteger(weeks) || weeks < 1 || weeks > MAX_BACKTEST_WEEKS) {
    throw new ApiError('invalid_argument', `weeks: give a whole number of weeks from 1 to ${MAX_BACKTEST_WEEKS}, not ${String(weeks)}.`);
  }
  const live = compileDraft(deps, draft);
  const competitors = competitorsOf(options.others, draft);
  const names = new Map<string, string>([[draft.id, draft.name], ...competitors.map((c) => [c.live.id, c.name] as const)]);
  const messages = [live, ...competitors.map((c) => c.live)].sort(byPriority);
  const to = deps.asOf;
  const from = to - weeks * WEEK_MS;
  const plan: ReplayPlan = { messages, draftId: draft.id, environment: draft.environment, from, to, keptNames: countedNames(messages.map((m) => m.rule)) };

  const nameIds = deps.db.prepare<[string], number>('SELECT name_id FROM event_names WHERE name = ?').pluck();
  const s: CacheStatements = { nameId: (name) => nameIds.get(name) };
  const users = candidates(deps, live, from, to, s);
  const goal = draft.goal;
  const isGoal = goal ? goalMatcher(goal) : null;
  const goalHorizon = goal ? to + goal.withinDays * DAY_MS : to;
  const mode = options.historyMode ?? historyMode(messages);
  const read = historyReader(deps.db, { messages, from, to, goalEvent: goal?.event ?? null, horizon: goalHorizon }, mode);

  const perWeek = Array.from({ length: weeks }, (_, k) => ({ weekStart: from + k * WEEK_MS, impressions: 0, users: new Set<string>() }));
  const reached: string[] = [];
  const reachedPks: number[] = [];
  const blockedUsers = new Set<string>();
  const blockers = new Map<string, { messageId: string; reason: BlockReason; users: Set<string>; times: number }>();
  let converted = 0;
  let windowOpen = 0;
  let requests = 0;
  let pageRequests = 0;
  let pageViewsWithoutUrl = 0;

  for (let start = 0; start < users.length; start += BACKTEST_CHUNK_USERS) {
    if (start > 0) {
      options.onProgress?.(start, users.length);
      yield;
    }
    const chunk = users.slice(start, start + BACKTEST_CHUNK_USERS);
    const histories = read(chunk);
    const counts = histories.counts;
    if (counts !== null) {
      requests += counts.requests;
      pageRequests += counts.pageRequests;
      pageViewsWithoutUrl += counts.pageViewsWithoutUrl;
    }
    // Only the requests of every record read are counted in the replay; read in part, they were counted in SQL.
    const count =
      counts !== null
        ? undefined
        : (d: ReplayedDecision): void => {
            requests += 1;
            if (d.request.event === undefined) {
              pageRequests += 1;
              if (d.request.url === undefined) pageViewsWithoutUrl += 1;
            }
          };
    chunk.forEach((user, i) => {
      const records = histories.records[i] as HistoryRecord[];
      const history: UserHistory = { userId: user.id, traits: JSON.parse(user.traits) as Record<string, unknown>, accounts: histories.accounts[i] ?? [], records };
      const outcome = replayUser(plan, history, count);
      for (const ts of outcome.shows) {
        const week = perWeek[Math.floor((ts - from) / WEEK_MS)];
        if (week) {
          week.impressions += 1;
          week.users.add(user.id);
        }
      }
      if (outcome.blocks.length > 0) blockedUsers.add(user.id);
      for (const b of outcome.blocks) {
        const key = `${b.reason}\u0000${b.by}`;
        let entry = blockers.get(key);
        if (!entry) blockers.set(key, (entry = { messageId: b.by, reason: b.reason, users: new Set(), times: 0 }));
        entry.users.add(user.id);
        entry.times += 1;
      }
      const first = outcome.shows[0];
      if (first === undefined) return;
      reached.push(user.id);
      reachedPks.push(user.userPk);
      options.onReached?.({ userPk: user.userPk, id: user.id }, first);
      if (isGoal && goal) {
        // Within withinDays of first becoming eligible: here, of the first show.
        const until = first + goal.withinDays * DAY_MS;
        if (records.some((r) => r.ts > first && r.ts <= until && isGoal(r))) converted += 1;
        else if (until > to) windowOpen += 1;
      }
    });
  }
  options.onProgress?.(users.length, users.length);

  const reachedSet = new Set(reached);
  const personas = personaReach(deps, reachedPks);
  const notes = backtestNotes(draft, live, { requests, pageRequests, pageViewsWithoutUrl, candidates: users.length });
  const impressions = perWeek.reduce((sum, w) => sum + w.impressions, 0);
  return {
    messageId: draft.id,
    weeks,
    from,
    to,
    competitors: competitors.map((c) => ({ id: c.live.id, name: c.name, priority: c.live.priority, kind: c.live.kind })),
    impressions,
    usersReached: reached.length,
    impressionsPerWeek: perWeek.map((w) => ({ weekStart: w.weekStart, impressions: w.impressions, users: w.users.size })),
    blocked: {
      users: [...blockedUsers].filter((u) => !reachedSet.has(u)).length,
      usersEver: blockedUsers.size,
      byMessage: [...blockers.values()]
        .map((b) => ({ messageId: b.messageId, name: names.get(b.messageId) ?? b.messageId, reason: b.reason, users: b.users.size, times: b.times }))
        .sort((a, b) => b.users - a.users || (a.messageId < b.messageId ? -1 : 1)),
    },
    personas,
    goal: goal
      ? { event: goal.event, withinDays: goal.withinDays, reached: reached.length, converted, rate: reached.length === 0 ? 0 : converted / reached.length, windowOpen }
      : null,
    replayed: { users: users.length, requests },
    notes,
    elapsedMs: Math.round(clock() - started),
  };
}

/**
 * Personas (of workshops not archived) the reached users belong to as of asOf, most reached first. Each
 * persona's members (the segment SQL engine's, as memberIds) are counted among the reached users in SQL
 * rather than listed whole.
 */
function personaReach(deps: BacktestDeps, reachedPks: readonly number[]): { label: string; users: number }[] {
  if (reachedPks.length === 0) return [];
  const reachedList = JSON.stringify(reachedPks);
  const out: { label: string; users: number }[] = [];
  for (const persona of personasOf(deps)) {
    let users = 0;
    try {
      const compiled = deps.segments.compile(persona.rule, deps.asOf);
      users =
        deps.db
          .prepare<[Record<string, unknown>], number>(`SELECT count(*) FROM users u JOIN (${compiled.sql}) m USING (user_pk) WHERE u.user_pk IN (SELECT value FROM json_each(@backtestReached))`)
          .pluck()
          .get({ ...compiled.params, backtestReached: reachedList }) ?? 0;
    } catch (err) {
      // A persona whose rule refers to a deleted segment reaches no one here rather than failing the backtest.
      if (!(err instanceof ApiError && err.code === 'invalid_argument')) throw err;
    }
    if (users > 0) out.push({ label: persona.label, users });
  }
  return out.sort((a, b) => b.users - a.users || a.label.localeCompare(b.label));
}

/** What the history cannot answer, in words. */
function backtestNotes(
  draft: MessageDraft,
  live: LiveMessage,
  seen: { requests: number; pageRequests: number; pageViewsWithoutUrl: number; candidates: number },
): string[] {
  const notes: string[] = [
    'Replayed from the cache: events imported from a warehouse never asked the delivery server anything, so this replay is the only way to know what they would have triggered.',
    'Traits are the users’ current traits, not as they were at each moment.',
  ];
  if (live.page !== null) {
    notes.push(
      seen.pageRequests === 0
        ? `The trigger needs page views (page_viewed with a url), and the history has none from these users: sync the SDK’s page events to answer.`
        : `The page trigger “${live.page}” is judged against the url of synced page_viewed events${seen.pageViewsWithoutUrl > 0 ? `; ${seen.pageViewsWithoutUrl} page views had no url and could not match` : ''}.`,
    );
    if (live.event !== null) notes.push('For event triggers the page is taken as the user’s latest page view before the event.');
  }
  if (seen.candidates === 0) {
    const what = live.event !== null ? `no one performed “${live.event.name}” in the window` : live.page !== null ? 'no one viewed a page in the window' : 'no one was active in the window';
    notes.push(`Nothing to replay: ${what}${draft.rollout < 100 ? ` inside the ${draft.rollout}% rollout` : ''}.`);
  }
  if (draft.goal) notes.push('The goal is counted within its window from each user’s first impression in the replay.');
  return notes;
}
