/**
 * "Who would see this now": the size of a message's target as of the cache's data, and for a named
 * user whether the delivery server would show it to them, and if not, why not.
 *
 * The user check follows the server's decide (src/delivery/decide.ts) in its order, with its own
 * functions where they apply: the message compiled by compileMessage (so schedule instants parse the
 * same way), inRollout / rolloutBucket for the rollout, heldBack for frequency and cooldown, and the
 * shared JS evaluator (through explainRule) for the segment. Unlike decide it does not stop at the
 * first failing check: every reason is listed, so one look tells the whole story.
 *
 * "Now" is `asOf`, the cache's "data as of": the cache knows nothing later, and every other figure on
 * the screen is as of that instant too.
 */
import { compileMessage, heldBack, holdoutBucket, inHoldout, inRollout, rolloutBucket, SHOWN_EVENT, type LiveMessage } from '../../delivery/decide';
import { eventFilters, type PublishBody } from '../../delivery/schemas';
import { ApiError } from '../../shared/errors';
import { messageSchema, type AudienceCheck, type MessageDraft } from '../../shared/messages/model';
import { describeCondition } from '../../shared/segments/describe';
import type { ProfileEvent, UserProfile } from '../../shared/segments/evaluate';
import { explainRule, formatInstant } from '../../shared/segments/explain';
import type { Rule } from '../../shared/segments/rule';
import { DAY_MS, fieldOf } from '../../shared/segments/values';
import type { Db } from '../db/connection';
import type { SegmentService } from '../segments/service';
import type { WorkshopService } from '../workshops/service';

export interface MessageDeps {
  db: Db;
  segments: SegmentService;
  workshops: WorkshopService;
  asOf: number;
}

const HOUR_MS = 3_600_000;

/** Validates a message from outside, with every problem naming its field ("schedule.end: the end must be after the start"). */
export function requireMessage(input: unknown): MessageDraft {
  const parsed = messageSchema.safeParse(input);
  if (!parsed.success) {
    const issues = parsed.error.issues.slice(0, 8).map((i) => `${i.path.length > 0 ? i.path.join('.') : 'message'}: ${i.message}`);
    throw new ApiError('invalid_argument', `The message is not valid: ${issues.join('; ')}.`);
  }
  return parsed.data;
}

/** The target's rule as saved (references not inlined) and its name; a deleted target is a not_found that says so. */
export function resolveTarget(deps: Pick<MessageDeps, 'segments' | 'workshops'>, message: MessageDraft): { rule: Rule; name: string } {
  const target = message.target;
  if (target.type === 'segment') {
    let segment;
    try {
      segment = deps.segments.get(target.segmentId);
    } catch (err) {
      if (err instanceof ApiError && err.code === 'not_found') {
        throw new ApiError('not_found', `The segment “${target.segmentId}” this message targets no longer exists: pick another segment.`);
      }
      throw err;
    }
    return { rule: segment.rule, name: segment.name };
  }
  let workshop;
  try {
    workshop = deps.workshops.get(target.workshopId);
  } catch (err) {
    if (err instanceof ApiError && err.code === 'not_found') {
      throw new ApiError('not_found', `The workshop “${target.workshopId}” whose persona this message targets no longer exists: pick another target.`);
    }
    throw err;
  }
  const persona = workshop.personas.find((p) => p.id === target.personaId);
  if (!persona) {
    throw new ApiError('not_found', `The persona “${target.personaId}” this message targets is no longer in the workshop “${workshop.title}”: pick another target.`);
  }
  return { rule: persona.rule, name: persona.name };
}

/**
 * A user's profile for the JS evaluator, from the cache: current traits, every event, and the
 * instants of their identify calls (records too: they count for first and last seen). Null when the
 * cache has never heard of the user.
 */
export function loadProfile(db: Db, userId: string): UserProfile | null {
  const user = db.prepare<[string], { user_pk: number; traits: string }>('SELECT user_pk, traits FROM users WHERE id = ?').get(userId);
  if (!user) return null;
  // "name_id IN (all names)" lets the (name_id, user_pk, ts) index answer with one seek per name (as userTimeline does).
  const rows = db
    .prepare<[number], { event_id: string; name_id: number; name: string; ts: number; properties: string | null }>(
      `SELECT e.event_id, e.name_id, n.name, e.ts, e.properties FROM events e JOIN event_names n USING (name_id)
        WHERE e.name_id IN (SELECT name_id FROM event_names) AND e.user_pk = ?`,
    )
    .all(user.user_pk);
  const events: ProfileEvent[] = [];
  const identifyTimes: number[] = [];
  for (const row of rows) {
    // name_id 0 is an identify call: a record, not an event.
    if (row.name_id === 0) identifyTimes.push(row.ts);
    else events.push({ id: row.event_id, name: row.name, ts: row.ts, properties: row.properties === null ? null : (JSON.parse(row.properties) as Record<string, unknown>) });
  }
  // The traits of the user's accounts, current: account conditions judge them whatever asOf.
  const accounts = db
    .prepare<[number], string>('SELECT a.traits FROM account_members m JOIN accounts a USING (account_pk) WHERE m.user_pk = ?')
    .pluck()
    .all(user.user_pk)
    .map((traits) => JSON.parse(traits) as Record<string, unknown>);
  return { traits: JSON.parse(user.traits) as Record<string, unknown>, events, identifyTimes, accounts };
}

/** The draft as the server would hold it once published, with its rule inlined. */
function toLiveMessage(message: MessageDraft, rule: Rule): LiveMessage {
  const body: PublishBody = {
    kind: message.kind,
    content: {},
    rule,
    trigger: message.trigger,
    frequency: message.frequency,
    cooldownHours: message.cooldownHours,
    schedule: message.schedule,
    rollout: message.rollout,
    priority: message.priority,
    holdout: message.holdout ?? 0,
    environment: message.environment,
    version: 1,
  };
  return compileMessage(message.id, 1, 'running', body);
}

/** The trigger in words; informational: the cache cannot know which page the user is on right now. */
function triggerNote(message: MessageDraft): string | null {
  const parts: string[] = [];
  const { page, event, delaySeconds } = message.trigger;
  if (page !== undefined) parts.push(`on a page matching “${page}”`);
  if (event !== undefined) {
    const filters = eventFilters(event.name, event.where ?? []);
    const where = filters.ok ? filters.where : [];
    // describeCondition words an event condition with its filters: "did X where plan is “pro”".
    const text = describeCondition({ type: 'event', event: event.name, op: '>=', count: 1, where }).replace(/^did /, '');
    parts.push(`when they do ${text}`);
  }
  if (delaySeconds !== undefined && delaySeconds > 0) parts.push(`${delaySeconds} ${delaySeconds === 1 ? 'second' : 'seconds'} after that`);
  return parts.length === 0 ? null : `It depends on their next visit too: it shows ${parts.join(', ')}.`;
}

/** The message's own reasons, before anything about the user: archived, outside its schedule. */
function messageReasons(message: MessageDraft, live: LiveMessage, asOf: number): string[] {
  const reasons: string[] = [];
  if (message.archived) reasons.push('The message is archived: it is not delivered.');
  if (live.start !== null && asOf < live.start) reasons.push(`The schedule has not started: it starts ${formatInstant(live.start)}.`);
  if (live.end !== null && asOf >= live.end) reasons.push(`The schedule has ended: it ended ${formatInstant(live.end)}.`);
  return reasons;
}

/** The same tally decide keeps (its showHistory): message_shown events at or before asOf, per message and overall. */
function showHistory(profile: UserProfile, asOf: number): {
  perMessage: Map<string, { count: number; last: number }>;
  lastAny: number | null;
  lastAnyId: string | null;
} {
  const perMessage = new Map<string, { count: number; last: number }>();
  let lastAny: number | null = null;
  let lastAnyId: string | null = null;
  for (const e of profile.events) {
    if (e.name !== SHOWN_EVENT || e.ts > asOf) continue;
    const messageId = fieldOf(e.properties, 'message_id');
    if (typeof messageId !== 'string') continue;
    if (lastAny === null || e.ts > lastAny) {
      lastAny = e.ts;
      lastAnyId = messageId;
    }
    const entry = perMessage.get(messageId);
    if (entry) {
      entry.count += 1;
      entry.last = Math.max(entry.last, e.ts);
    } else perMessage.set(messageId, { count: 1, last: e.ts });
  }
  return { perMessage, lastAny, lastAnyId };
}

/** Why heldBack holds the message back, in words; empty when it does not. */
function frequencyReasons(live: LiveMessage, profile: UserProfile, asOf: number): string[] {
  const history = showHistory(profile, asOf);
  if (!heldBack(live, history, asOf)) return [];
  const reasons: string[] = [];
  const shown = history.perMessage.get(live.id);
  if (shown) {
    const count = shown.count === 1 ? 'once' : `${shown.count} times`;
    if (live.once) reasons.push(`Already shown to them (${count}, last ${formatInstant(shown.last)}), and it shows once per user.`);
    if (live.maxTimes !== null && shown.count >= live.maxTimes) reasons.push(`Already shown to them ${count}, and it shows at most ${live.maxTimes === 1 ? 'once' : `${live.maxTimes} times`}.`);
    if (live.everyMs !== null && asOf - shown.last < live.everyMs) {
      const every = live.everyMs / DAY_MS;
      reasons.push(`Shown to them ${formatInstant(shown.last)}, and it shows at most every ${every} ${every === 1 ? 'day' : 'days'}: not again before ${formatInstant(shown.last + live.everyMs)}.`);
    }
  }
  if (live.cooldownMs !== null && history.lastAny !== null && asOf - history.lastAny < live.cooldownMs) {
    const hours = live.cooldownMs / HOUR_MS;
    reasons.push(
      `The message “${history.lastAnyId}” was shown to them ${formatInstant(history.lastAny)}: the ${hours}-hour cooldown between messages lasts until ${formatInstant(history.lastAny + live.cooldownMs)}.`,
    );
  }
  // heldBack and the sentences above read the same fields; should they ever drift, still say no.
  if (reasons.length === 0) reasons.push('Held back by its frequency rules.');
  return reasons;
}

/** Would this user see the message now, and every reason they would not, in the server's order. */
function checkUser(deps: MessageDeps, message: MessageDraft, target: { rule: Rule; name: string }, userId: string): NonNullable<AudienceCheck['user']> {
  const { asOf } = deps;
  const rule = deps.segments.inline(target.rule);
  const live = toLiveMessage(message, rule);
  const reasons = messageReasons(message, live, asOf);
  const note = triggerNote(message);
  const profile = loadProfile(deps.db, userId);
  if (profile === null) {
    reasons.push(`${userId} is not in the cache (no events or traits yet).`);
    return { userId, wouldSee: false, reasons, notes: note === null ? [] : [note] };
  }
  if (!inRollout(userId, message.id, message.rollout)) {
    const place = rolloutBucket(userId, message.id) / 100;
    reasons.push(
      message.rollout === 0
        ? 'The rollout is 0%: no one sees it yet.'
        : `Not in the ${message.rollout}% rollout: their place for this message is ${place.toFixed(2)}%, and only places below ${message.rollout}% see it.`,
    );
  }
  reasons.push(...frequencyReasons(live, profile, asOf));
  const explained = explainRule(rule, profile, asOf);
  if (!explained.matches) {
    const where = `Not in ${message.target.type === 'segment' ? 'the segment' : 'the persona'} “${target.name}”`;
    if (rule.match === 'any' && rule.conditions.length > 1) reasons.push(`${where}: none of its conditions holds: ${explained.failing.join('; ')}.`);
    else reasons.push(...explained.failing.map((f, i) => (i === 0 ? `${where}: ${f}.` : `${f.charAt(0).toUpperCase()}${f.slice(1)}.`)));
  }
  const holdout = message.holdout ?? 0;
  if (inHoldout(userId, message.id, holdout)) {
    const place = holdoutBucket(userId, message.id) / 100;
    reasons.push(
      `In the holdout group: ${holdout}% of the users who pass every check are held back to measure the message's lift, and their place for it is ${place.toFixed(2)}%.`,
    );
  }
  return { userId, wouldSee: reasons.length === 0, reasons, notes: note === null ? [] : [note] };
}

/**
 * The message's audience as of deps.asOf: its target's count and the universe (count / total is the
 * share), and with a user id, whether that user would see it and why not.
 *
 * `user.reasons` lists what keeps the user from seeing it, in the server's order (archived, schedule,
 * rollout, frequency and cooldown, the segment's failing conditions, the holdout group). When the message has a trigger,
 * the last entry describes it, beginning "Trigger": it is not a reason (wouldSee does not depend on it),
 * it says when the message would show.
 */
export function messageAudience(deps: MessageDeps, message: unknown, userId?: string): AudienceCheck {
  const draft = requireMessage(message);
  const target = resolveTarget(deps, draft);
  const result: AudienceCheck = { count: deps.segments.count(target.rule, deps.asOf), total: deps.segments.total(deps.asOf), asOf: deps.asOf };
  if (userId !== undefined) result.user = checkUser(deps, draft, target, userId);
  return result;
}
