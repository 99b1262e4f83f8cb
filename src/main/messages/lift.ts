/**
 * Results with lift for a message with a goal (issue 19), from the cache: the exposed and holdout
 * groups come from the message_assigned events decide records (synced from the delivery server's
 * /v1/events), each user counted from their first assignment instant, whether or not the message then
 * rendered (intent to treat). A user converts when they perform the goal event, its `where` filters
 * passing with the segment evaluator's own value semantics (matchesValue), at or after that instant and
 * within the goal's window, and at or before asOf. The goal is the draft's as it is now, so a goal set
 * after the fact is measured over the assignments already made.
 *
 * Persona and segment splits are membership as of asOf (the SQL compiler's, like the NPS results).
 *
 * Without a holdout no control group exists on the server (users outside the rollout are never
 * recorded), so when asked (`estimate`) the control is estimated by replaying the history through
 * decide, as the backtest does (backtest.ts, over the last ESTIMATE_WEEKS weeks, the draft's rollout and
 * schedule lifted): the users the replay finds would have been shown the message but who were never
 * assigned (outside the rollout, before it went live, or only in imported history), each counted from
 * their first would-be impression. Every figure says it is "estimated from history, not a randomized
 * holdout" (ESTIMATED_CONTROL_LABEL, `control: 'estimated'`).
 */
import { eventFilters } from '../../delivery/schemas';
import { ApiError } from '../../shared/errors';
import { ASSIGNED_EVENT, ESTIMATED_CONTROL_LABEL, type AssignmentGroup, type ControlSource, type LiftSplit, type MessageLiftResults } from '../../shared/messages/lift-results';
import { MAX_BACKTEST_WEEKS, type MessageDraft, type MessageGoal, type MessageRecord } from '../../shared/messages/model';
import { neededEventNames } from '../../delivery/decide';
import { matchesRule, type ProfileEvent, type UserProfile } from '../../shared/segments/evaluate';
import type { PropertyFilter, Rule } from '../../shared/segments/rule';
import { DAY_MS, fieldOf, matchesValue, NPS_EVENT } from '../../shared/segments/values';
import { DEFAULT_DETECTABLE_DIFFERENCE, groupRate, liftOf, sampleSizePerGroup, type GroupCounts, type Lift } from '../../shared/stats/lift';
import { loadProfile, type MessageDeps } from './audience';
import { messageBacktest } from './backtest';
import { membership, memoByRule, personasOf } from './result-groups';

/** A user's first assignment to the message. */
export interface Assignment {
  userPk: number;
  userId: string;
  at: number;
  group: AssignmentGroup;
}

/** An event name's id in the cache, or undefined when no event of that name arrived. */
function nameId(deps: Pick<MessageDeps, 'db'>, name: string): number | undefined {
  return deps.db.prepare<[string], number>('SELECT name_id FROM event_names WHERE name = ? AND name_id <> 0').pluck().get(name);
}

/** Each user's earliest message_assigned of this message at or before asOf (a later one, from a re-assignment after erasure, changes nothing). */
export function loadAssignments(deps: Pick<MessageDeps, 'db' | 'asOf'>, messageId: string): Assignment[] {
  const assigned = nameId(deps, ASSIGNED_EVENT);
  if (assigned === undefined) return [];
  const rows = deps.db
    .prepare<[number, number, string], { user_pk: number; user_id: string; ts: number; grp: unknown }>(
      `SELECT e.user_pk, u.id AS user_id, e.ts, json_extract(e.properties, '$.group') AS grp FROM events e JOIN users u USING (user_pk)
        WHERE e.name_id = ? AND e.ts <= ? AND json_extract(e.properties, '$.message_id') = ?
        ORDER BY e.user_pk, e.ts`,
    )
    .all(assigned, deps.asOf, messageId);
  const out: Assignment[] = [];
  let last = -1;
  for (const row of rows) {
    if (row.user_pk === last) continue;
    if (row.grp !== 'exposed' && row.grp !== 'holdout') continue;
    last = row.user_pk;
    out.push({ userPk: row.user_pk, userId: row.user_id, at: row.ts, group: row.grp });
  }
  return out;
}

/**
 * For each assigned user who converted: the time from assignment to their first goal event within the
 * window (ms). One query over the (name_id, user_pk, ts) index, the assignments passed as JSON.
 */
export function firstConversions(deps: Pick<MessageDeps, 'db' | 'asOf'>, assignments: readonly Assignment[], goal: MessageGoal): Map<number, number> {
  const converted = new Map<number, number>();
  const goalId = nameId(deps, goal.event);
  if (goalId === undefined || assignments.length === 0) return converted;
  const filters = goal.where && goal.where.length > 0 ? eventFilters(goal.event, goal.where) : { ok: true as const, where: [] as PropertyFilter[] };
  if (!filters.ok) throw new ApiError('invalid_argument', `The goal's filters are not valid: ${filters.errors.join('; ')}.`);
  const where = filters.where;
  const windowMs = goal.withinDays * DAY_MS;
  const rows = deps.db
    .prepare<[string, number, number, number], { user_pk: number; at: number; ts: number; properties: string | null }>(
      `SELECT a.user_pk, a.at, e.ts, e.properties
         FROM (SELECT json_extract(value, '$[0]') AS user_pk, json_extract(value, '$[1]') AS at FROM json_each(?)) a
         CROSS JOIN events e ON e.name_id = ? AND e.user_pk = a.user_pk AND e.ts >= a.at AND e.ts <= min(a.at + ?, ?)`,
    )
    .all(JSON.stringify(assignments.map((a) => [a.userPk, a.at])), goalId, windowMs, deps.asOf);
  for (const row of rows) {
    if (where.length > 0) {
      const properties = row.properties === null ? null : (JSON.parse(row.properties) as Record<string, unknown>);
      if (!where.every((f) => matchesValue(fieldOf(properties, f.property), f))) continue;
    }
    const after = row.ts - row.at;
    const known = converted.get(row.user_pk);
    if (known === undefined || after < known) converted.set(row.user_pk, after);
  }
  return converted;
}

const count = new Intl.NumberFormat('en-US');
/** Percentage points with one decimal, negative with a true minus sign (U+2212) as every figure on screen. */
const points = (fraction: number): string => {
  const text = (Math.round(fraction * 1000) / 10).toFixed(1);
  return text.startsWith('-') ? (text === '-0.0' ? '0.0' : `−${text.slice(1)}`) : text;
};

/** "upgraded" reads as a verb; any other name is quoted: `did “plan_changed”`. */
function goalVerb(event: string): string {
  return /^[a-z]+ed$/i.test(event) ? event : `did “${event}”`;
}

/** "Users who saw it upgraded 2.1 points more often (95% CI 0.8 to 3.4); 1,204 vs 301 users." */
export function liftSentence(goal: MessageGoal, lift: Lift, exposed: GroupCounts, holdout: GroupCounts, control: ControlSource = 'holdout'): string | null {
  if (lift.absolute === null || lift.ci95 === null) return null;
  const size = Math.abs(lift.absolute);
  const direction = points(size) === '0.0' ? 'as often' : `${points(size)} points ${lift.absolute > 0 ? 'more' : 'less'} often`;
  const [lo, hi] = lift.ci95;
  const versus = control === 'estimated' ? ` (control ${ESTIMATED_CONTROL_LABEL})` : '';
  return `Users who saw it ${goalVerb(goal.event)} ${direction} (95% CI ${points(lo)} to ${points(hi)}); ${count.format(exposed.users)} vs ${count.format(holdout.users)} users${versus}.`;
}

/**
 * The lift in a few words for a list (the workshop's "Since the workshop" page): "+2.1 points (95% CI 0.8
 * to 3.4), 1,204 vs 301 users", with the estimate's label when the control is estimated and a word when the
 * groups are smaller than a 2-point difference needs; why there is no figure otherwise; null without a goal.
 */
export function liftInWords(r: MessageLiftResults): string | null {
  if (r.goal === null) return null;
  const estimated = r.control === 'estimated' ? `; control ${ESTIMATED_CONTROL_LABEL}` : '';
  const sizes = `${count.format(r.exposed.users)} vs ${count.format(r.holdout.users)} users`;
  if (r.control === 'none') return `lift on “${r.goal.event}” not measured: no holdout group`;
  if (r.lift.absolute === null || r.lift.ci95 === null) return `lift on “${r.goal.event}” not measured yet (${sizes}${estimated})`;
  const signed = (f: number): string => (f > 0 ? `+${points(f)}` : points(f));
  const few = r.exposed.users < r.neededPerGroup || r.holdout.users < r.neededPerGroup ? `; not enough users yet for a 2-point difference (about ${count.format(r.neededPerGroup)} per group)` : '';
  return `lift on “${r.goal.event}” ${signed(r.lift.absolute)} points (95% CI ${points(r.lift.ci95[0])} to ${points(r.lift.ci95[1])}), ${sizes}${estimated}${few}`;
}

function groupsOf(assignments: readonly Assignment[], converted: ReadonlyMap<number, number>, include: (a: Assignment) => boolean = () => true) {
  const groups = { exposed: { users: 0, converted: 0 }, holdout: { users: 0, converted: 0 } };
  for (const a of assignments) {
    if (!include(a)) continue;
    const g = groups[a.group];
    g.users += 1;
    if (converted.has(a.userPk)) g.converted += 1;
  }
  return groups;
}

/** Cumulative conversion by day since assignment, each day over the users observed that long. */
function curveOf(deps: Pick<MessageDeps, 'asOf'>, assignments: readonly Assignment[], converted: ReadonlyMap<number, number>, days: number): MessageLiftResults['curve'] {
  const curve: MessageLiftResults['curve'] = [];
  for (let day = 1; day <= days; day++) {
    const limit = day * DAY_MS;
    const tally = { exposed: { users: 0, converted: 0 }, holdout: { users: 0, converted: 0 } };
    for (const a of assignments) {
      if (deps.asOf - a.at < limit) continue;
      const g = tally[a.group];
      g.users += 1;
      const after = converted.get(a.userPk);
      if (after !== undefined && after <= limit) g.converted += 1;
    }
    const rate = (g: GroupCounts): number | null => (g.users === 0 ? null : g.converted / g.users);
    curve.push({ day, exposed: rate(tally.exposed), holdout: rate(tally.holdout) });
  }
  return curve;
}

function cautionOf(goal: MessageGoal | null, control: ControlSource, exposed: GroupCounts, holdout: GroupCounts, needed: number): string | null {
  if (goal === null) return 'This message has no goal: set one in the editor to measure what it changes.';
  if (control === 'none') {
    return 'No holdout group: this message holds no one back, so nothing randomized compares with it. A holdout is set before the first publish.';
  }
  const estimated =
    control === 'estimated'
      ? `No holdout group, so the control is ${ESTIMATED_CONTROL_LABEL}: users a replay of the history through decide finds would have seen it but who were never assigned, each counted from that moment. `
      : '';
  if (exposed.users < needed || holdout.users < needed) {
    return `${estimated}Not enough users yet: need about ${count.format(needed)} per group for a 2-point difference (${count.format(exposed.users)} vs ${count.format(holdout.users)} so far).`;
  }
  return estimated === '' ? null : estimated.trimEnd();
}

/** How far back the estimated control's replay looks (weeks before asOf). */
export const ESTIMATE_WEEKS = Math.min(8, MAX_BACKTEST_WEEKS);

/**
 * The estimated control: users the replay of the last ESTIMATE_WEEKS weeks finds would have been shown
 * the draft (its rollout lifted, so users outside it count) but who were never assigned to it, each
 * from their first would-be impression. Empty when the draft cannot be replayed (its target is gone).
 */
function estimatedControl(deps: MessageDeps, draft: MessageDraft, others: readonly MessageRecord[], assigned: ReadonlySet<number>): Assignment[] {
  const control: Assignment[] = [];
  try {
    messageBacktest(deps, { ...draft, rollout: 100, holdout: 0 }, {
      weeks: ESTIMATE_WEEKS,
      others,
      onReached: (user, firstShow) => {
        if (!assigned.has(user.userPk)) control.push({ userPk: user.userPk, userId: user.id, at: firstShow, group: 'holdout' });
      },
    });
  } catch (err) {
    // A draft whose target segment was deleted, say: nothing to replay, so no estimate.
    if (err instanceof ApiError) return [];
    throw err;
  }
  return control;
}

/**
 * Up to this many assigned users, persona and segment membership is judged by the shared JS evaluator
 * on each user's profile (loaded once for all the rules): a rule's SQL over the whole cache took 6 to
 * 430 ms each on the 50,000-user demo, where a few hundred profiles take a few ms. Beyond it, the SQL
 * compiler's members are intersected (results.ts membership). Both are checked to agree
 * (tests/unit/segments-agreement.test.ts), so the split means the same either way.
 */
export const JS_MEMBERSHIP_MAX_USERS = 2_000;

/**
 * The assigned users' profiles as the given rules read them: only the events of the names the rules
 * count (and NPS answers, for nps conditions), up to asOf, with first and last seen from the users
 * table, which is exact when the user's last record is at or before asOf (the evaluator reads the
 * first and last record at or before asOf); a user with a later record gets the full profile
 * (loadProfile). A tenth of the rows of every event of every user on the demo's 909 assigned users.
 */
function ruleProfiles(deps: Pick<MessageDeps, 'db' | 'asOf'>, assignments: readonly Assignment[], rules: readonly Rule[]): [string, UserProfile][] {
  const { db, asOf } = deps;
  const names = neededEventNames(rules.map((rule) => ({ rule })));
  names.add(NPS_EVENT);
  const idOf = new Map(db.prepare<[], { name_id: number; name: string }>('SELECT name_id, name FROM event_names WHERE name_id <> 0').all().map((r) => [r.name, r.name_id]));
  const nameOf = new Map([...idOf].map(([name, id]) => [id, name]));
  const ids = [...names].flatMap((n) => (idOf.has(n) ? [idOf.get(n) as number] : []));
  const events =
    ids.length === 0
      ? null
      : db.prepare<[number, number], [string, number, number, string | null]>(`SELECT event_id, name_id, ts, properties FROM events WHERE name_id IN (${ids.join(',')}) AND user_pk = ? AND ts <= ?`).raw(true);
  const userRow = db.prepare<[number], { traits: string; first_seen: number | null; last_seen: number | null }>('SELECT traits, first_seen, last_seen FROM users WHERE user_pk = ?');
  const accountsOf = db.prepare<[number], string>('SELECT a.traits FROM account_members m JOIN accounts a USING (account_pk) WHERE m.user_pk = ?').pluck();
  const out: [string, UserProfile][] = [];
  const seen = new Set<number>();
  for (const a of assignments) {
    if (seen.has(a.userPk)) continue;
    seen.add(a.userPk);
    const user = userRow.get(a.userPk);
    if (!user) continue;
    if (user.first_seen === null || user.last_seen === null || user.last_seen > asOf) {
      const full = loadProfile(db, a.userId);
      if (full !== null) out.push([a.userId, full]);
      continue;
    }
    const kept: ProfileEvent[] = (events?.all(a.userPk, asOf) ?? []).map(([id, nameId, ts, text]) => ({
      id,
      name: nameOf.get(nameId) ?? '',
      ts,
      properties: text === null ? null : (JSON.parse(text) as Record<string, unknown>),
    }));
    const accounts = accountsOf.all(a.userPk).map((t) => JSON.parse(t) as Record<string, unknown>);
    out.push([a.userId, { traits: JSON.parse(user.traits) as Record<string, unknown>, events: kept, identifyTimes: [user.first_seen, user.last_seen], accounts }]);
  }
  return out;
}

/** Each rule inlined (its segment references resolved); null for one that refers to a deleted segment. */
function inlineOrNull(deps: Pick<MessageDeps, 'segments'>, rule: Rule): Rule | null {
  try {
    return deps.segments.inline(rule);
  } catch (err) {
    // A rule that refers to a deleted segment has no members here, as in the NPS splits.
    if (!(err instanceof ApiError && err.code === 'invalid_argument')) throw err;
    return null;
  }
}

function membershipAmong(deps: MessageDeps, assignments: readonly Assignment[], rules: readonly Rule[], jsMaxUsers: number): (rule: Rule) => Set<string> {
  const ids = new Set(assignments.map((a) => a.userId));
  if (ids.size > jsMaxUsers) return membership(deps, ids);
  const inlined = new Map<Rule, Rule | null>(rules.map((rule) => [rule, inlineOrNull(deps, rule)]));
  const profiles = ruleProfiles(deps, assignments, [...inlined.values()].filter((r): r is Rule => r !== null));
  return memoByRule((rule) => {
    const members = new Set<string>();
    const judged = inlined.has(rule) ? (inlined.get(rule) ?? null) : inlineOrNull(deps, rule);
    if (judged !== null) for (const [id, profile] of profiles) if (matchesRule(judged, profile, deps.asOf)) members.add(id);
    return members;
  });
}

/** The message's results with lift as of deps.asOf, for its draft's goal and holdout. */
export function messageLift(
  deps: MessageDeps,
  message: Pick<MessageDraft, 'id' | 'goal' | 'holdout'>,
  options: {
    jsMembershipMaxUsers?: number;
    /** Without a holdout, estimate the control from history: the full draft and the other messages (MessageService.list). */
    estimate?: { draft: MessageDraft; others: readonly MessageRecord[] };
  } = {},
): MessageLiftResults {
  const goal = message.goal ?? null;
  const holdoutPercent = message.holdout ?? 0;
  const windowDays = goal?.withinDays ?? 14;
  const assignments = loadAssignments(deps, message.id);
  let control: ControlSource = goal === null ? 'none' : holdoutPercent > 0 || assignments.some((a) => a.group === 'holdout') ? 'holdout' : 'none';
  if (goal !== null && control === 'none' && options.estimate) {
    const estimated = estimatedControl(deps, options.estimate.draft, options.estimate.others, new Set(assignments.map((a) => a.userPk)));
    if (estimated.length > 0) {
      assignments.push(...estimated);
      control = 'estimated';
    }
  }
  const converted = goal === null ? new Map<number, number>() : firstConversions(deps, assignments, goal);
  const { exposed, holdout } = groupsOf(assignments, converted);
  const lift = liftOf(exposed, holdout);
  const holdoutRate = holdout.users === 0 ? 0 : holdout.converted / holdout.users;
  const neededPerGroup = sampleSizePerGroup(holdoutRate, DEFAULT_DETECTABLE_DIFFERENCE);

  const split = (label: string, members: ReadonlySet<string>): LiftSplit => {
    const g = groupsOf(assignments, converted, (a) => members.has(a.userId));
    return { label, exposed: groupRate(g.exposed), holdout: groupRate(g.holdout), lift: liftOf(g.exposed, g.holdout) };
  };
  let byPersona: LiftSplit[] = [];
  let bySegment: LiftSplit[] = [];
  if (goal !== null && assignments.length > 0) {
    const segments = deps.segments.list();
    const personas = personasOf(deps);
    const membersOf = membershipAmong(deps, assignments, [...segments.map((x) => x.rule), ...personas.map((p) => p.rule)], options.jsMembershipMaxUsers ?? JS_MEMBERSHIP_MAX_USERS);
    bySegment = segments.map((x) => split(x.name, membersOf(x.rule)));
    byPersona = personas.map((p) => split(p.label, membersOf(p.rule)));
  }

  return {
    messageId: message.id,
    goal,
    holdoutPercent,
    windowDays,
    asOf: deps.asOf,
    exposed: groupRate(exposed),
    holdout: groupRate(holdout),
    control,
    lift,
    curve: goal === null ? [] : curveOf(deps, assignments, converted, windowDays),
    byPersona,
    bySegment,
    neededPerGroup,
    sentence: goal === null ? null : liftSentence(goal, lift, exposed, holdout, control),
    caution: cautionOf(goal, control, exposed, holdout, neededPerGroup),
  };
}
