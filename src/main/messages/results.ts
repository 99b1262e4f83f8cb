/**
 * How a message did, from the events the SDK sent and sync brought back (src/sdk/render.ts): every
 * message_shown, message_dismissed, message_clicked and survey_answered carries `message_id`.
 *
 * Figures are as of deps.asOf (the cache's "data as of"): events after it do not count, and segment
 * and persona membership is membership as of that instant, not when the user answered.
 *
 * A user who answered the survey more than once (a survey repeated every N days asks again on
 * purpose) counts once per answer, in the score, the distribution, the week of each answer and the
 * comments: each answer is a response to one showing, the way NPS over a period is usually counted.
 * The `nps` segment condition is different: it reads a user's latest answer, to say what they are now.
 */
import { ApiError } from '../../shared/errors';
import { MESSAGE_ID_PATTERN, type MessageResults, type NpsComment, type NpsResults } from '../../shared/messages/model';
import type { Rule } from '../../shared/segments/rule';
import { DAY_MS, NPS_EVENT, npsCategory, npsScore } from '../../shared/segments/values';
import type { MessageDeps } from './audience';

export const SHOWN = 'message_shown';
export const DISMISSED = 'message_dismissed';
export const CLICKED = 'message_clicked';

const WEEK_MS = 7 * DAY_MS;
export const TREND_WEEKS = 12;
export const MAX_COMMENTS = 500;

interface Answer {
  userId: string;
  eventId: string;
  ts: number;
  score: number;
  comment: string;
}

/** NPS = % promoters − % detractors, rounded to a whole number; null without answers. */
export function npsOf(scores: readonly number[]): number | null {
  if (scores.length === 0) return null;
  let promoters = 0;
  let detractors = 0;
  for (const s of scores) {
    const category = npsCategory(s);
    if (category === 'promoter') promoters += 1;
    else if (category === 'detractor') detractors += 1;
  }
  return Math.round((100 * (promoters - detractors)) / scores.length);
}

function summary(label: string, scores: readonly number[]): { label: string; answers: number; score: number | null } {
  return { label, answers: scores.length, score: npsOf(scores) };
}

/** The ids of the event names in the cache; a name never seen is simply absent. */
function nameIds(deps: MessageDeps, names: readonly string[]): Map<string, number> {
  const select = deps.db.prepare<[string], number>('SELECT name_id FROM event_names WHERE name = ? AND name_id <> 0').pluck();
  const ids = new Map<string, number>();
  for (const name of names) {
    const id = select.get(name);
    if (id !== undefined) ids.set(name, id);
  }
  return ids;
}

/** The NPS answers to this message at or before asOf: survey "nps" and an integer score 0-10, the evaluator's own test (npsScore). */
function loadAnswers(deps: MessageDeps, npsNameId: number, messageId: string): Answer[] {
  const rows = deps.db
    .prepare<[number, number, string], { user_id: string; event_id: string; ts: number; properties: string }>(
      `SELECT u.id AS user_id, e.event_id, e.ts, e.properties FROM events e JOIN users u USING (user_pk)
        WHERE e.name_id = ? AND e.ts <= ? AND json_extract(e.properties, '$.message_id') = ?
          AND json_extract(e.properties, '$.survey') = 'nps'`,
    )
    .all(npsNameId, deps.asOf, messageId);
  const answers: Answer[] = [];
  for (const row of rows) {
    const properties = JSON.parse(row.properties) as Record<string, unknown>;
    const score = npsScore(properties);
    if (score === null) continue;
    const comment = typeof properties.comment === 'string' ? properties.comment.trim() : '';
    answers.push({ userId: row.user_id, eventId: row.event_id, ts: row.ts, score, comment });
  }
  return answers;
}

/**
 * Which of the answerers (or any other users: the lift's assigned users) belong to a rule's members, as of asOf. Members come from the SQL compiler
 * (SegmentService.memberIds); a persona linked to a saved segment shares its rule, so results are kept
 * per rule for the call. A rule that cannot be evaluated any more (it refers to a deleted segment) has
 * no members here rather than failing the whole results screen.
 */
export function membership(deps: MessageDeps, answerers: ReadonlySet<string>): (rule: Rule) => Set<string> {
  return memoByRule((rule) => {
    const members = new Set<string>();
    let ids: string[] = [];
    try {
      ids = deps.segments.memberIds(rule, deps.asOf);
    } catch (err) {
      if (!(err instanceof ApiError && err.code === 'invalid_argument')) throw err;
    }
    for (const id of ids) if (answerers.has(id)) members.add(id);
    return members;
  });
}

/** Computes a rule's members once per distinct rule for the call (a persona linked to a segment shares its rule). */
export function memoByRule(compute: (rule: Rule) => Set<string>): (rule: Rule) => Set<string> {
  const cache = new Map<string, Set<string>>();
  return (rule) => {
    const key = JSON.stringify(rule);
    let members = cache.get(key);
    if (!members) cache.set(key, (members = compute(rule)));
    return members;
  };
}

/** Every persona of every workshop that is not archived, labelled by its name (with the workshop's title when names repeat). */
export function personasOf(deps: MessageDeps): { label: string; rule: Rule }[] {
  const personas: { name: string; workshop: string; rule: Rule }[] = [];
  for (const summary of deps.workshops.list(false)) {
    const workshop = deps.workshops.get(summary.id);
    for (const p of workshop.personas) personas.push({ name: p.name, workshop: workshop.title, rule: p.rule });
  }
  const counts = new Map<string, number>();
  for (const p of personas) counts.set(p.name, (counts.get(p.name) ?? 0) + 1);
  return personas.map((p) => ({ label: (counts.get(p.name) ?? 0) > 1 ? `${p.name} (${p.workshop})` : p.name, rule: p.rule }));
}

export const TREND_DAYS = 30;

/** The message's target, when it can still be read: its rule and name. */
export type ResultsTarget = { rule: Rule; name: string } | null;

function npsResults(deps: MessageDeps, answers: readonly Answer[], search: string | undefined, target: ResultsTarget): NpsResults {
  const { asOf } = deps;
  const all = answers.map((a) => a.score);

  const distribution = Array.from({ length: 11 }, () => 0);
  for (const s of all) distribution[s] = (distribution[s] ?? 0) + 1;

  // Week k (0 = the latest) holds answers with asOf − (k+1)·7 days < ts ≤ asOf − k·7 days: the
  // segment model's windows, so "the last 7 days" means the same thing everywhere.
  const perWeek: number[][] = Array.from({ length: TREND_WEEKS }, () => []);
  for (const a of answers) {
    const week = Math.floor((asOf - a.ts) / WEEK_MS);
    if (week < TREND_WEEKS) perWeek[week]?.push(a.score);
  }
  const weekly = perWeek
    .map((scores, k) => ({ weekStart: asOf - (k + 1) * WEEK_MS, answers: scores.length, score: npsOf(scores) }))
    .reverse();

  const answerers = new Set(answers.map((a) => a.userId));
  const membersOf = membership(deps, answerers);
  const scoresOf = (members: ReadonlySet<string>): number[] => answers.filter((a) => members.has(a.userId)).map((a) => a.score);

  const bySegment = deps.segments.list().map((s) => summary(s.name, scoresOf(membersOf(s.rule))));

  const personas = personasOf(deps).map((p) => ({ label: p.label, members: membersOf(p.rule) }));
  const byPersona = personas.map((p) => summary(p.label, scoresOf(p.members)));

  const needle = search?.trim().toLowerCase() ?? '';
  const comments: NpsComment[] = [];
  const newestFirst = answers.filter((a) => a.comment !== '').sort((a, b) => b.ts - a.ts || (a.eventId < b.eventId ? 1 : a.eventId > b.eventId ? -1 : 0));
  for (const a of newestFirst) {
    const labels = personas.filter((p) => p.members.has(a.userId)).map((p) => p.label);
    const found =
      needle === '' ||
      a.comment.toLowerCase().includes(needle) ||
      a.userId.toLowerCase().includes(needle) ||
      labels.some((label) => label.toLowerCase().includes(needle));
    if (!found) continue;
    comments.push({ userId: a.userId, score: a.score, category: npsCategory(a.score), comment: a.comment, ts: a.ts, personas: labels });
    if (comments.length === MAX_COMMENTS) break;
  }

  let outsideTarget: NpsResults['outsideTarget'] = null;
  if (target) {
    const members = membersOf(target.rule);
    let outside = 0;
    for (const id of answerers) if (!members.has(id)) outside += 1;
    outsideTarget = { users: outside, respondents: answerers.size, target: target.name };
  }

  return { answers: answers.length, score: npsOf(all), distribution, weekly, bySegment, byPersona, comments, outsideTarget };
}

/**
 * The message's results as of deps.asOf: shown, dismissed, clicked and the click-through rate
 * (clicked / shown) counted in events; for a survey (any NPS answer carrying this message id) the
 * score, distribution, weekly trend, score per saved segment and per persona, and the comments,
 * newest first and at most 500, filtered by `search` (case-insensitive, in the comment, the user id
 * or a persona's name). `nps` is null while no one has answered.
 */
export function messageResults(deps: MessageDeps, messageId: string, search?: string, target: ResultsTarget = null): MessageResults {
  if (!MESSAGE_ID_PATTERN.test(messageId)) throw new ApiError('invalid_argument', `“${messageId}” is not a message id.`);
  const ids = nameIds(deps, [SHOWN, DISMISSED, CLICKED, NPS_EVENT]);

  // One grouped pass over the events of the three names (json_extract only on those rows).
  const counted = [SHOWN, DISMISSED, CLICKED].flatMap((name) => {
    const id = ids.get(name);
    return id === undefined ? [] : [id];
  });
  const counts = new Map<number, number>();
  if (counted.length > 0) {
    const rows = deps.db
      .prepare<[string, number, string], { name_id: number; n: number }>(
        `SELECT name_id, count(*) AS n FROM events
          WHERE name_id IN (SELECT value FROM json_each(?)) AND ts <= ? AND json_extract(properties, '$.message_id') = ?
          GROUP BY name_id`,
      )
      .all(JSON.stringify(counted), deps.asOf, messageId);
    for (const row of rows) counts.set(row.name_id, row.n);
  }
  const count = (name: string): number => counts.get(ids.get(name) ?? -1) ?? 0;
  const shown = count(SHOWN);
  const clicked = count(CLICKED);

  const npsNameId = ids.get(NPS_EVENT);
  const answers = npsNameId === undefined ? [] : loadAnswers(deps, npsNameId, messageId);

  // Per day over the last 30 days, the weekly trend's windows at a day's width.
  const daily = Array.from({ length: TREND_DAYS }, (_, k) => ({ dayStart: deps.asOf - (TREND_DAYS - k) * DAY_MS, shown: 0, clicked: 0, answered: 0 }));
  const dayOf = (ts: number): (typeof daily)[number] | undefined => daily[TREND_DAYS - 1 - Math.floor((deps.asOf - ts) / DAY_MS)];
  const perDay = [SHOWN, CLICKED].flatMap((name) => {
    const id = ids.get(name);
    return id === undefined ? [] : [id];
  });
  if (perDay.length > 0) {
    const rows = deps.db
      .prepare<[string, number, number, string], { name_id: number; ts: number }>(
        `SELECT name_id, ts FROM events
          WHERE name_id IN (SELECT value FROM json_each(?)) AND ts <= ? AND ts > ? AND json_extract(properties, '$.message_id') = ?`,
      )
      .all(JSON.stringify(perDay), deps.asOf, deps.asOf - TREND_DAYS * DAY_MS, messageId);
    for (const row of rows) {
      const day = dayOf(row.ts);
      if (!day) continue;
      if (row.name_id === ids.get(SHOWN)) day.shown += 1;
      else day.clicked += 1;
    }
  }
  for (const a of answers) {
    const day = a.ts > deps.asOf - TREND_DAYS * DAY_MS ? dayOf(a.ts) : undefined;
    if (day) day.answered += 1;
  }

  return {
    messageId,
    shown,
    dismissed: count(DISMISSED),
    clicked,
    clickThroughRate: shown === 0 ? 0 : clicked / shown,
    daily,
    nps: answers.length === 0 ? null : npsResults(deps, answers, search, target),
  };
}
