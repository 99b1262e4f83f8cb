/**
 * The results of a `survey` message (issue 18), from the events its SDK sends (survey-flow.ts): one
 * survey_answered per answered question, all of one showing sharing a `response_id`, and one
 * survey_closed when the showing closes, answered to the end or not.
 *
 * - A response is a showing with at least one answer; partial ones count. The response rate is
 *   responses / showings (message_shown).
 * - A response is complete when it answered every question it reached, to the end: its answers are
 *   walked from the first question with nextQuestionId, the same function the SDK walks with. An
 *   optional question without an answer was skipped (not abandoned) when the response went on past
 *   it: a later answer, survey_closed's last_question_id after it, or survey_closed saying the end was
 *   reached. survey_closed's own `completed` is used only when the message's content is not in the
 *   cache (then nothing can be walked).
 * - Per question, the latest answer of a response counts (an SDK retry sends the same answer twice).
 *   An answer counts only when its question type and `survey` tag are the question's own and its value
 *   fits the question (a score on the scale, a choice id, a text): so a CSAT answer is never an NPS one.
 * - Figures are as of deps.asOf, membership of segments and personas too (result-groups.ts).
 */
import type { SurveyContent, SurveyGroupFigure, SurveyMetric, SurveyQuestionResults, SurveyResults, SurveyTextAnswer } from '../../shared/messages/model';
import type { SurveyQuestionType } from '../../shared/messages/survey';
import { SURVEY_QUESTION_TYPES } from '../../shared/messages/survey';
import { nextQuestionId, OTHER_CHOICE, scaleOf, SURVEY_ANSWERED, SURVEY_CLOSED, SURVEY_END, type SurveyAnswer } from '../../shared/messages/survey-flow';
import type { MessageDeps } from './audience';
import { nameIds, npsOf, resultGroups, TREND_WEEKS, weeklyTrend, weekIndex, type ResultGroup } from './result-groups';

export const SURVEY_EVENT_NAMES = [SURVEY_ANSWERED, SURVEY_CLOSED] as const;
export const MAX_TEXT_ANSWERS = 500;

/** A question as results know it: from the content when the message is in the cache, else from its answers. */
export interface ResultQuestion {
  id: string;
  type: SurveyQuestionType;
  text: string;
  optional: boolean;
  scale: { min: number; max: number } | null;
  choices: { id: string; label: string }[];
  /** Whether "other" is offered (content) or was used (answers). */
  other: boolean;
}

/** One question's answer in a response: a score, choice ids (with an "other" text), or a text. */
export interface ResponseAnswer {
  score?: number;
  choices?: string[];
  text?: string;
  ts: number;
}

export interface SurveyResponse {
  responseId: string;
  userId: string;
  /** The locale shown (of the first answer; "" when none was sent). */
  locale: string;
  startedAt: number;
  /** The survey_closed instant, or null while none came. */
  closedAt: number | null;
  lastQuestionId: string | null;
  answers: Map<string, ResponseAnswer>;
  completed: boolean;
}

export interface LoadedSurvey {
  questions: ResultQuestion[];
  /** Oldest first (by the first answer), then by response id. */
  responses: SurveyResponse[];
}

function fromContent(content: SurveyContent): ResultQuestion[] {
  return content.questions.map((q) => ({
    id: q.id,
    type: q.type,
    text: q.text,
    optional: q.optional === true,
    scale: scaleOf(q),
    choices: q.type === 'single_choice' || q.type === 'multi_choice' ? q.choices.map((c) => ({ id: c.id, label: c.label })) : [],
    other: (q.type === 'single_choice' || q.type === 'multi_choice') && q.other !== undefined,
  }));
}

const isQuestionType = (value: unknown): value is SurveyQuestionType => typeof value === 'string' && (SURVEY_QUESTION_TYPES as readonly string[]).includes(value);

/** The answer an event carries for the question, or null when it does not fit the question. */
function answerOf(question: ResultQuestion, properties: Record<string, unknown>, ts: number): ResponseAnswer | null {
  if (properties.question_type !== question.type || properties.survey !== question.type) return null;
  const text = typeof properties.text === 'string' && properties.text.trim() !== '' ? properties.text.trim() : undefined;
  switch (question.type) {
    case 'single_choice': {
      const choice = properties.choice;
      if (typeof choice !== 'string' || choice === '') return null;
      return { choices: [choice], ...(text !== undefined ? { text } : {}), ts };
    }
    case 'multi_choice': {
      const list = properties.choices;
      if (!Array.isArray(list) || list.length === 0 || !list.every((c): c is string => typeof c === 'string' && c !== '')) return null;
      return { choices: [...new Set(list)], ...(text !== undefined ? { text } : {}), ts };
    }
    case 'open_text':
      return text === undefined ? null : { text, ts };
    default: {
      const score = properties.score;
      const scale = question.scale;
      if (!scale || typeof score !== 'number' || !Number.isInteger(score) || score < scale.min || score > scale.max) return null;
      return { score, ts };
    }
  }
}

function surveyAnswer(answer: ResponseAnswer): SurveyAnswer {
  if (answer.score !== undefined) return { score: answer.score };
  if (answer.choices !== undefined) return { choices: answer.choices };
  return { text: answer.text ?? '' };
}

/** Whether a response answered every question it reached, to the end (see the file's comment). */
function walkedToEnd(content: SurveyContent, response: Omit<SurveyResponse, 'completed'>, closedCompleted: boolean): boolean {
  const position = new Map(content.questions.map((q, i) => [q.id, i]));
  const lastAnswered = Math.max(-1, ...[...response.answers.keys()].map((id) => position.get(id) ?? -1));
  const lastReached = response.lastQuestionId === null ? -1 : (position.get(response.lastQuestionId) ?? -1);
  let id = content.questions[0]?.id ?? SURVEY_END;
  // Jumps only go forward, so the walk ends; the bound is a guard all the same.
  for (let steps = 0; id !== SURVEY_END && steps <= content.questions.length; steps += 1) {
    const at = position.get(id);
    const question = at === undefined ? undefined : content.questions[at];
    if (question === undefined || at === undefined) return false;
    const answer = response.answers.get(id);
    if (answer) id = nextQuestionId(content, id, surveyAnswer(answer));
    else if (question.optional === true && (closedCompleted || lastAnswered > at || lastReached > at)) id = nextQuestionId(content, id, null);
    else return false;
  }
  return id === SURVEY_END;
}

interface Row {
  user_id: string;
  event_id: string;
  name_id: number;
  ts: number;
  properties: string;
}

/**
 * The questions and responses of a survey message as of asOf. Questions come from the content (then
 * any question id only the answers know, in the order first answered); without content, from the
 * answers alone.
 */
export function loadSurvey(deps: MessageDeps, messageId: string, content: SurveyContent | null): LoadedSurvey {
  const ids = nameIds(deps, SURVEY_EVENT_NAMES);
  const answeredId = ids.get(SURVEY_ANSWERED);
  const closedId = ids.get(SURVEY_CLOSED);
  const questions = content ? fromContent(content) : [];
  const wanted = [answeredId, closedId].filter((id): id is number => id !== undefined);
  if (wanted.length === 0) return { questions, responses: [] };

  const rows = deps.db
    .prepare<[string, number, string], Row>(
      `SELECT u.id AS user_id, e.event_id, e.name_id, e.ts, e.properties FROM events e JOIN users u USING (user_pk)
        WHERE e.name_id IN (SELECT value FROM json_each(?)) AND e.ts <= ? AND json_extract(e.properties, '$.message_id') = ?
          AND json_extract(e.properties, '$.response_id') IS NOT NULL
        ORDER BY e.ts, e.event_id`,
    )
    .all(JSON.stringify(wanted), deps.asOf, messageId);

  const byId = new Map(questions.map((q) => [q.id, q]));
  interface Building extends Omit<SurveyResponse, 'completed'> {
    closedCompleted: boolean;
  }
  const responses = new Map<string, Building>();
  const closings: { responseId: string; ts: number; last: string | null; completed: boolean }[] = [];
  for (const row of rows) {
    const properties = JSON.parse(row.properties) as Record<string, unknown>;
    const responseId = properties.response_id;
    if (typeof responseId !== 'string' || responseId === '') continue;
    if (row.name_id === closedId) {
      const last = typeof properties.last_question_id === 'string' ? properties.last_question_id : null;
      closings.push({ responseId, ts: row.ts, last, completed: properties.completed === true });
      continue;
    }
    const questionId = properties.question_id;
    if (typeof questionId !== 'string' || questionId === '') continue;
    let question = byId.get(questionId);
    if (!question) {
      // A question the content does not hold (removed since, or the message is not in the cache).
      if (!isQuestionType(properties.question_type)) continue;
      const type = properties.question_type;
      const scale = type === 'nps' ? { min: 0, max: 10 } : type === 'csat' ? { min: 1, max: 5 } : type === 'ces' ? { min: 1, max: 7 } : type === 'rating' ? { min: 1, max: 10 } : null;
      question = { id: questionId, type, text: questionId, optional: false, scale, choices: [], other: false };
      byId.set(questionId, question);
      questions.push(question);
    }
    const answer = answerOf(question, properties, row.ts);
    if (!answer) continue;
    let response = responses.get(responseId);
    if (!response) {
      const locale = typeof properties.locale === 'string' ? properties.locale : '';
      response = { responseId, userId: row.user_id, locale, startedAt: row.ts, closedAt: null, lastQuestionId: null, answers: new Map(), closedCompleted: false };
      responses.set(responseId, response);
    }
    // Rows come oldest first: the latest answer to a question wins.
    response.answers.set(questionId, answer);
  }
  for (const closing of closings) {
    const response = responses.get(closing.responseId);
    if (!response) continue; // closed without an answer: a dismissal, not a response
    response.closedAt = closing.ts;
    response.lastQuestionId = closing.last;
    response.closedCompleted = closing.completed;
  }

  // Choices only the answers know (the content changed, or there is none) are still counted, by their id.
  for (const response of responses.values()) {
    for (const [questionId, answer] of response.answers) {
      const question = byId.get(questionId);
      for (const choice of answer.choices ?? []) {
        if (!question) continue;
        if (choice === OTHER_CHOICE) question.other = true;
        else if (!question.choices.some((c) => c.id === choice)) question.choices.push({ id: choice, label: choice });
      }
    }
  }

  const list = [...responses.values()].map(({ closedCompleted, ...response }) => ({
    ...response,
    completed: content ? walkedToEnd(content, response, closedCompleted) : closedCompleted,
  }));
  list.sort((a, b) => a.startedAt - b.startedAt || (a.responseId < b.responseId ? -1 : a.responseId > b.responseId ? 1 : 0));
  return { questions, responses: list };
}

function metricOf(type: SurveyQuestionType): SurveyMetric | null {
  switch (type) {
    case 'nps':
      return 'nps';
    case 'csat':
      return 'satisfied';
    case 'ces':
    case 'rating':
      return 'mean';
    default:
      return null;
  }
}

/** A question's metric over scores: NPS, the share of CSAT answers at 4 or 5, or the mean; null without scores. */
export function surveyMetric(metric: SurveyMetric | null, scores: readonly number[]): number | null {
  if (metric === null || scores.length === 0) return null;
  if (metric === 'nps') return npsOf(scores);
  if (metric === 'satisfied') return scores.filter((s) => s >= 4).length / scores.length;
  return scores.reduce((sum, s) => sum + s, 0) / scores.length;
}

interface Answered {
  response: SurveyResponse;
  answer: ResponseAnswer;
}

function questionResults(
  deps: MessageDeps,
  question: ResultQuestion,
  answered: readonly Answered[],
  groups: { segments: ResultGroup[]; personas: ResultGroup[]; personasOfUser(userId: string): string[] },
  search: string,
): SurveyQuestionResults {
  const metric = metricOf(question.type);
  const scoresOf = (items: readonly Answered[]): number[] => items.flatMap((a) => (a.answer.score === undefined ? [] : [a.answer.score]));
  const choiceIds = [...question.choices.map((c) => c.id), ...(question.other ? [OTHER_CHOICE] : [])];
  const choiceCountsOf = (items: readonly Answered[]): number[] => choiceIds.map((id) => items.filter((a) => a.answer.choices?.includes(id)).length);

  const scale = question.scale;
  const distribution = scale ? Array.from({ length: scale.max - scale.min + 1 }, () => 0) : [];
  if (scale) for (const s of scoresOf(answered)) distribution[s - scale.min] = (distribution[s - scale.min] ?? 0) + 1;

  const perWeek: Answered[][] = Array.from({ length: TREND_WEEKS }, () => []);
  for (const a of answered) {
    const week = weekIndex(deps.asOf, a.answer.ts);
    if (week !== null) perWeek[week]?.push(a);
  }
  const weekly = weeklyTrend(deps.asOf, perWeek, (items) => ({ answers: items.length, value: surveyMetric(metric, scoresOf(items)) }));

  const figure = (group: ResultGroup): SurveyGroupFigure => {
    const items = answered.filter((a) => group.members.has(a.response.userId));
    return { label: group.label, answers: items.length, value: surveyMetric(metric, scoresOf(items)), choiceCounts: choiceIds.length > 0 ? choiceCountsOf(items) : [] };
  };

  const texts: SurveyTextAnswer[] = [];
  const newestFirst = answered.filter((a) => a.answer.text !== undefined).sort((a, b) => b.answer.ts - a.answer.ts || (a.response.responseId < b.response.responseId ? 1 : -1));
  for (const { response, answer } of newestFirst) {
    const personas = groups.personasOfUser(response.userId);
    const text = answer.text ?? '';
    const found = search === '' || text.toLowerCase().includes(search) || response.userId.toLowerCase().includes(search) || personas.some((p) => p.toLowerCase().includes(search));
    if (!found) continue;
    texts.push({ responseId: response.responseId, userId: response.userId, text, ts: answer.ts, locale: response.locale, personas });
    if (texts.length === MAX_TEXT_ANSWERS) break;
  }

  return {
    id: question.id,
    type: question.type,
    text: question.text,
    answers: answered.length,
    metric,
    value: surveyMetric(metric, scoresOf(answered)),
    scale,
    distribution,
    weekly,
    choices: choiceIds.map((id, i) => ({
      id,
      label: id === OTHER_CHOICE ? 'Other' : (question.choices.find((c) => c.id === id)?.label ?? id),
      count: choiceCountsOf(answered)[i] ?? 0,
    })),
    texts,
    bySegment: groups.segments.map(figure),
    byPersona: groups.personas.map(figure),
  };
}

/**
 * A survey's results: responses, the response rate (over `shown`), completion, responses per locale,
 * per segment and per persona, and per question its metric, distribution, weekly trend, choice counts
 * and texts (filtered by `search`: case-insensitive, in the text, the user id or a persona's name).
 */
export function surveyResults(deps: MessageDeps, loaded: LoadedSurvey, shown: number, search?: string): SurveyResults {
  const { questions, responses } = loaded;
  const answerers = new Set(responses.map((r) => r.userId));
  const groups = resultGroups(deps, answerers);
  const completed = responses.filter((r) => r.completed).length;

  const locales = new Map<string, number>();
  for (const r of responses) locales.set(r.locale, (locales.get(r.locale) ?? 0) + 1);
  const byLocale = [...locales].map(([locale, n]) => ({ locale, responses: n })).sort((a, b) => b.responses - a.responses || (a.locale < b.locale ? -1 : 1));

  const responsesOf = (group: ResultGroup) => {
    const mine = responses.filter((r) => group.members.has(r.userId));
    return { label: group.label, responses: mine.length, completed: mine.filter((r) => r.completed).length };
  };

  const needle = search?.trim().toLowerCase() ?? '';
  return {
    responses: responses.length,
    completed,
    responseRate: shown === 0 ? null : responses.length / shown,
    completionRate: responses.length === 0 ? null : completed / responses.length,
    byLocale,
    bySegment: groups.segments.map(responsesOf),
    byPersona: groups.personas.map(responsesOf),
    questions: questions.map((q) => {
      const answered = responses.flatMap((response) => {
        const answer = response.answers.get(q.id);
        return answer ? [{ response, answer }] : [];
      });
      return questionResults(deps, q, answered, groups, needle);
    }),
  };
}
