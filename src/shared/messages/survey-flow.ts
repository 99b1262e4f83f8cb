/**
 * How a multi-question survey moves, and what its answers look like on the wire. Zod-free and small,
 * because the SDK bundles it: the SDK walks a survey with nextQuestionId, the companion's results use
 * the same function to tell a complete response from a partial one, and both name events and
 * properties from here.
 *
 * A survey is an ordered list of questions. After a question, its branches are tried in order (the
 * first whose `when` matches the answer wins), then its `next`, then the following question; the
 * end follows the last. Branches only jump forward (survey.ts refuses the rest), so a walk always ends.
 */
import type { SurveyContent, SurveyQuestion } from './survey';

export const SURVEY_ANSWERED = 'survey_answered';
export const SURVEY_CLOSED = 'survey_closed';

/** Where a branch or `next` may lead besides a question id. */
export const SURVEY_END = 'end';

/** The scored question types and their scales (inclusive). */
export function scaleOf(question: SurveyQuestion): { min: number; max: number } | null {
  switch (question.type) {
    case 'nps':
      return { min: 0, max: 10 };
    case 'csat':
      return { min: 1, max: 5 };
    case 'ces':
      return { min: 1, max: 7 };
    case 'rating':
      return { min: 1, max: question.max };
    default:
      return null;
  }
}

/**
 * One answer as the SDK holds it before sending: a score, chosen choice ids (one for single_choice)
 * with an optional "other" text, or a free text. null: the question was skipped (optional questions).
 */
export type SurveyAnswer = { score: number } | { choices: string[]; other?: string } | { text: string } | null;

/** The id "other" stands for in choices and in a branch's `when.choice`. */
export const OTHER_CHOICE = 'other';

function branchMatches(when: NonNullable<SurveyQuestion['branches']>[number]['when'], answer: SurveyAnswer): boolean {
  if (answer === null) return false;
  if ('choice' in when) return 'choices' in answer && answer.choices.includes(when.choice);
  if (!('score' in answer)) return false;
  return (when.min === undefined || answer.score >= when.min) && (when.max === undefined || answer.score <= when.max);
}

/** The question after `questionId` given its answer: a question id, or SURVEY_END. */
export function nextQuestionId(survey: Pick<SurveyContent, 'questions'>, questionId: string, answer: SurveyAnswer): string {
  const index = survey.questions.findIndex((q) => q.id === questionId);
  if (index < 0) return SURVEY_END;
  const question = survey.questions[index] as SurveyQuestion;
  for (const branch of question.branches ?? []) if (branchMatches(branch.when, answer)) return branch.goTo;
  if (question.next !== undefined) return question.next;
  return survey.questions[index + 1]?.id ?? SURVEY_END;
}

/**
 * The `survey` property of a survey_answered event: "nps" only for an NPS question's answer, otherwise
 * the question type, so no CSAT score is ever counted as an NPS score.
 */
export function surveyTag(questionType: SurveyQuestion['type']): string {
  return questionType;
}

/** The properties of one survey_answered event of a `survey` message (the SDK adds message_id). */
export interface SurveyAnsweredProperties {
  message_id: string;
  /** One per showing: every answer and the closing event of one showing share it. */
  response_id: string;
  question_id: string;
  question_type: SurveyQuestion['type'];
  /** "nps" on an NPS question's answer; otherwise the question type. */
  survey: string;
  score?: number;
  /** single_choice: the choice id ("other" when the free text was used). */
  choice?: string;
  /** multi_choice: the choice ids. */
  choices?: string[];
  /** open_text, or the "other" free text of a choice question. */
  text?: string;
  /** The locale the survey was shown in, such as "en" or "ar". */
  locale: string;
}

/** The properties of survey_closed, sent once when a showing closes, answered to the end or not. */
export interface SurveyClosedProperties {
  message_id: string;
  response_id: string;
  /** The last question the user reached (answered or not). */
  last_question_id: string;
  /** Whether the walk reached the end. */
  completed: boolean;
  locale: string;
}
