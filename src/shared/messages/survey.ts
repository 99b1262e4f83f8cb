/**
 * The content of a `survey` message, as the product manager authors it: an ordered list of questions
 * with simple forward branching. Validated with zod; every error names the question. How a survey
 * moves, and its events on the wire, are in survey-flow.ts (zod-free, bundled by the SDK).
 */
import { z } from 'zod';
import { OTHER_CHOICE, SURVEY_END } from './survey-flow';

export const SURVEY_QUESTION_TYPES = ['nps', 'csat', 'ces', 'rating', 'single_choice', 'multi_choice', 'open_text'] as const;
export type SurveyQuestionType = (typeof SURVEY_QUESTION_TYPES)[number];

export const CSAT_STYLES = ['labels', 'faces', 'stars'] as const;

/** The most questions one survey holds, and choices one question offers. */
export const MAX_SURVEY_QUESTIONS = 10;
export const MAX_CHOICES = 12;

const text = (what: string, max: number) => z.string().trim().min(1, `give the ${what}`).max(max, `keep the ${what} under ${max} characters`);

/** Question and choice ids: short, stable names used in events, branches and translation paths. */
export const SURVEY_ID_PATTERN = /^[A-Za-z][A-Za-z0-9_-]{0,31}$/;
const surveyId = (what: string) =>
  z.string().regex(SURVEY_ID_PATTERN, `a ${what} id starts with a letter and holds letters, digits, _ or - (at most 32)`).refine((id) => id !== SURVEY_END && id !== OTHER_CHOICE, `“end” and “other” are reserved, pick another ${what} id`);

/** Where a question leads: another question's id, or "end". */
const target = z.string().min(1).max(32);

const branchSchema = z
  .object({
    /** A score range (inclusive, either side optional) for scored questions, or one choice id for choice questions. */
    when: z.union([
      z.object({ min: z.number().optional(), max: z.number().optional() }).strict(),
      z.object({ choice: z.string().min(1).max(32) }).strict(),
    ]),
    goTo: target,
  })
  .strict();

const common = {
  id: surveyId('question'),
  text: text('question', 300),
  /** An optional question may be skipped; its answer is then null and only `next` and order apply. */
  optional: z.boolean().optional(),
  branches: z.array(branchSchema).max(10, 'at most 10 branches per question').optional(),
  next: target.optional(),
};

const scaleLabels = { lowLabel: text('label for the lowest score', 60), highLabel: text('label for the highest score', 60) };

const choiceSchema = z.object({ id: surveyId('choice'), label: text('choice', 120) }).strict();
const choices = {
  choices: z.array(choiceSchema).min(2, 'offer at least 2 choices').max(MAX_CHOICES, `offer at most ${MAX_CHOICES} choices`),
  /** "Other" with a free text, offered after the choices when set. */
  other: z.object({ label: text('label for “other”', 60) }).strict().optional(),
};

export const surveyQuestionSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('nps'), ...common, ...scaleLabels }).strict(),
  z.object({ type: z.literal('csat'), ...common, ...scaleLabels, style: z.enum(CSAT_STYLES).optional() }).strict(),
  z.object({ type: z.literal('ces'), ...common, ...scaleLabels }).strict(),
  z.object({ type: z.literal('rating'), ...common, ...scaleLabels, max: z.number().int('a whole number').min(3, 'a scale of 3 to 10').max(10, 'a scale of 3 to 10') }).strict(),
  z.object({ type: z.literal('single_choice'), ...common, ...choices }).strict(),
  z.object({ type: z.literal('multi_choice'), ...common, ...choices }).strict(),
  z.object({ type: z.literal('open_text'), ...common, placeholder: z.string().max(120).optional() }).strict(),
]);
export type SurveyQuestion = z.infer<typeof surveyQuestionSchema>;

const SCALES: Partial<Record<SurveyQuestionType, [number, number]>> = { nps: [0, 10], csat: [1, 5], ces: [1, 7] };

/** Adds an issue for every branch or `next` that leads nowhere, backwards, or to a choice or score the question lacks. */
function checkFlow(questions: readonly SurveyQuestion[], ctx: z.RefinementCtx): void {
  const position = new Map<string, number>();
  questions.forEach((q, i) => {
    if (position.has(q.id)) ctx.addIssue({ code: 'custom', path: ['questions', i, 'id'], message: `question id “${q.id}” is used twice` });
    else position.set(q.id, i);
  });
  const leadsForward = (from: number, to: string, path: (string | number)[], q: SurveyQuestion): void => {
    if (to === SURVEY_END) return;
    const at = position.get(to);
    if (at === undefined) ctx.addIssue({ code: 'custom', path, message: `question “${q.id}” jumps to “${to}”, which does not exist` });
    else if (at <= from) ctx.addIssue({ code: 'custom', path, message: `question “${q.id}” jumps back to “${to}”: jumps only go forward, so a survey always ends` });
  };
  questions.forEach((q, i) => {
    if (q.next !== undefined) leadsForward(i, q.next, ['questions', i, 'next'], q);
    const scale = q.type === 'rating' ? ([1, q.max] as [number, number]) : SCALES[q.type];
    const offered = q.type === 'single_choice' || q.type === 'multi_choice' ? [...q.choices.map((c) => c.id), ...(q.other ? [OTHER_CHOICE] : [])] : null;
    const choiceIds = offered ? new Set(offered) : null;
    if (offered && choiceIds && choiceIds.size !== offered.length) {
      ctx.addIssue({ code: 'custom', path: ['questions', i, 'choices'], message: `question “${q.id}” uses a choice id twice` });
    }
    (q.branches ?? []).forEach((branch, j) => {
      const path = ['questions', i, 'branches', j];
      leadsForward(i, branch.goTo, [...path, 'goTo'], q);
      if ('choice' in branch.when) {
        if (!choiceIds) ctx.addIssue({ code: 'custom', path: [...path, 'when'], message: `question “${q.id}” has no choices to branch on: branch on a score range` });
        else if (!choiceIds.has(branch.when.choice)) ctx.addIssue({ code: 'custom', path: [...path, 'when'], message: `question “${q.id}” has no choice “${branch.when.choice}”` });
      } else if (!scale) {
        ctx.addIssue({ code: 'custom', path: [...path, 'when'], message: `question “${q.id}” has no score to branch on${choiceIds ? ': branch on a choice' : ''}` });
      } else {
        const { min, max } = branch.when;
        if (min === undefined && max === undefined) ctx.addIssue({ code: 'custom', path: [...path, 'when'], message: `question “${q.id}”: give the branch a lowest or highest score` });
        if (min !== undefined && max !== undefined && min > max) ctx.addIssue({ code: 'custom', path: [...path, 'when'], message: `question “${q.id}”: the branch's lowest score is above its highest` });
        for (const bound of [min, max]) {
          if (bound !== undefined && (bound < scale[0] || bound > scale[1])) {
            ctx.addIssue({ code: 'custom', path: [...path, 'when'], message: `question “${q.id}” scores ${scale[0]} to ${scale[1]}, so ${bound} is out of range` });
          }
        }
      }
    });
  });
}

export const surveyContentSchema = z
  .object({
    /** A heading above the questions; optional. */
    title: z.string().trim().max(120, 'keep the title under 120 characters').optional(),
    questions: z.array(surveyQuestionSchema).min(1, 'ask at least one question').max(MAX_SURVEY_QUESTIONS, `ask at most ${MAX_SURVEY_QUESTIONS} questions`),
    thankYou: text('thank-you text', 300),
    /** The close button's accessible name. */
    dismissLabel: text('close button a label', 60),
    /** The button's text before the last question (the SDK's default "Next") and on it (default "Send"), so they translate. */
    nextLabel: text('next button a label', 40).optional(),
    submitLabel: text('send button a label', 40).optional(),
  })
  .strict()
  .superRefine((survey, ctx) => checkFlow(survey.questions, ctx));
export type SurveyContent = z.infer<typeof surveyContentSchema>;
