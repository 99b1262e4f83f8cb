/**
 * The survey editor's pure steps: new questions of each type, adding, removing and moving them,
 * changing a question's type, choices, branches, and the survey told in words (the preview outline
 * and the publish dialog). Each step answers a new value and leaves its input alone. Ids are given
 * here (q1, q2…, c1, c2…) and never edited: events, branches, results and translation paths name them.
 */
import { MAX_CHOICES, MAX_SURVEY_QUESTIONS, SURVEY_QUESTION_TYPES, type SurveyContent, type SurveyQuestion, type SurveyQuestionType } from '../../../../shared/messages/survey';
import { OTHER_CHOICE, scaleOf, SURVEY_END } from '../../../../shared/messages/survey-flow';

export type SurveyBranch = NonNullable<SurveyQuestion['branches']>[number];
type ChoiceQuestion = Extract<SurveyQuestion, { type: 'single_choice' | 'multi_choice' }>;

export const QUESTION_TYPE_LABELS: Record<SurveyQuestionType, string> = {
  nps: 'NPS (0-10)',
  csat: 'CSAT (1-5)',
  ces: 'CES (1-7)',
  rating: 'Rating (1-N)',
  single_choice: 'One choice',
  multi_choice: 'Several choices',
  open_text: 'Open text',
};

export const CSAT_STYLE_LABELS = { labels: 'Numbers with labels', faces: 'Faces', stars: 'Stars' } as const;

export { MAX_CHOICES, MAX_SURVEY_QUESTIONS, SURVEY_QUESTION_TYPES };

export const isChoiceQuestion = (q: SurveyQuestion): q is ChoiceQuestion => q.type === 'single_choice' || q.type === 'multi_choice';

/** The first of prefix1, prefix2… that `taken` does not hold. */
export function freeId(prefix: string, taken: Iterable<string>): string {
  const used = new Set(taken);
  for (let n = 1; ; n++) if (!used.has(`${prefix}${n}`)) return `${prefix}${n}`;
}

const SCALE_WORDS: Partial<Record<SurveyQuestionType, [string, string]>> = {
  nps: ['Not at all likely', 'Extremely likely'],
  csat: ['Very dissatisfied', 'Very satisfied'],
  ces: ['Very difficult', 'Very easy'],
  rating: ['Poor', 'Excellent'],
};

const STARTER_TEXT: Record<SurveyQuestionType, string> = {
  nps: 'How likely are you to recommend us to a friend or colleague?',
  csat: 'How satisfied are you with this feature?',
  ces: 'The company made it easy for me to handle my issue.',
  rating: 'How would you rate this feature?',
  single_choice: 'Which one fits best?',
  multi_choice: 'Which of these apply?',
  open_text: 'What could we do better?',
};

/** A question of the type with starter texts, as the author would begin it. */
export function newQuestion(type: SurveyQuestionType, id: string): SurveyQuestion {
  const text = STARTER_TEXT[type];
  const [lowLabel, highLabel] = SCALE_WORDS[type] ?? ['', ''];
  switch (type) {
    case 'nps':
    case 'csat':
    case 'ces':
      return { type, id, text, lowLabel, highLabel };
    case 'rating':
      return { type, id, text, lowLabel, highLabel, max: 5 };
    case 'single_choice':
    case 'multi_choice':
      return { type, id, text, choices: [{ id: 'c1', label: 'First choice' }, { id: 'c2', label: 'Second choice' }] };
    case 'open_text':
      return { type, id, text };
  }
}

export function addQuestion(survey: SurveyContent, type: SurveyQuestionType): SurveyContent {
  const id = freeId('q', survey.questions.map((q) => q.id));
  return { ...survey, questions: [...survey.questions, newQuestion(type, id)] };
}

/** Drops the question, and every branch or "otherwise" that led to it (they would lead nowhere). */
export function removeQuestion(survey: SurveyContent, index: number): SurveyContent {
  const gone = survey.questions[index]?.id;
  if (gone === undefined) return survey;
  const questions = survey.questions
    .filter((_, i) => i !== index)
    .map((q) => {
      const branches = q.branches?.filter((b) => b.goTo !== gone);
      const { next, branches: _b, ...rest } = q;
      return { ...rest, ...(branches && branches.length > 0 ? { branches } : {}), ...(next !== undefined && next !== gone ? { next } : {}) } as SurveyQuestion;
    });
  return { ...survey, questions };
}

/** Moves a question up (-1) or down (+1). Branches keep their targets: one that now leads back is flagged by validation. */
export function moveQuestion(survey: SurveyContent, index: number, delta: -1 | 1): SurveyContent {
  const to = index + delta;
  if (to < 0 || to >= survey.questions.length || index < 0 || index >= survey.questions.length) return survey;
  const questions = [...survey.questions];
  const [moved] = questions.splice(index, 1);
  questions.splice(to, 0, moved as SurveyQuestion);
  return { ...survey, questions };
}

/**
 * The question as another type: id, text, optional and "otherwise" stay; scale labels carry between
 * scored types and choices between choice types. Branches stay when the new type can still match them
 * (scores for a scored type, choices for a choice type); a score range outside the new scale is then
 * flagged by validation, not silently changed.
 */
export function changeQuestionType(question: SurveyQuestion, type: SurveyQuestionType): SurveyQuestion {
  if (question.type === type) return question;
  const fresh = newQuestion(type, question.id);
  const carried: Record<string, unknown> = { ...fresh, text: question.text };
  if (question.optional) carried.optional = true;
  if (question.next !== undefined) carried.next = question.next;
  const fromScored = scaleOf(question) !== null;
  const toScored = scaleOf(fresh) !== null;
  if (fromScored && toScored && 'lowLabel' in question) {
    carried.lowLabel = question.lowLabel;
    carried.highLabel = question.highLabel;
  }
  if (isChoiceQuestion(question) && isChoiceQuestion(fresh)) {
    carried.choices = question.choices;
    if (question.other) carried.other = question.other;
  }
  const keep = (question.branches ?? []).filter((b) => ('choice' in b.when ? isChoiceQuestion(question) && isChoiceQuestion(fresh) : fromScored && toScored));
  if (keep.length > 0) carried.branches = keep;
  return carried as SurveyQuestion;
}

export function addChoice(question: ChoiceQuestion): ChoiceQuestion {
  const id = freeId('c', question.choices.map((c) => c.id));
  return { ...question, choices: [...question.choices, { id, label: '' }] };
}

/** Drops the choice and the branches that were taken on it. */
export function removeChoice(question: ChoiceQuestion, index: number): ChoiceQuestion {
  const gone = question.choices[index]?.id;
  const branches = (question.branches ?? []).filter((b) => !('choice' in b.when) || b.when.choice !== gone);
  const { branches: _b, ...rest } = question;
  return { ...rest, choices: question.choices.filter((_, i) => i !== index), ...(branches.length > 0 ? { branches } : {}) };
}

/** Turns "other" (a free text after the choices) on or off; off drops the branches taken on it. */
export function setOther(question: ChoiceQuestion, on: boolean): ChoiceQuestion {
  const { other: _o, branches: _b, ...rest } = question;
  if (on) return { ...question, other: question.other ?? { label: 'Other' } };
  const branches = (question.branches ?? []).filter((b) => !('choice' in b.when) || b.when.choice !== OTHER_CHOICE);
  return { ...rest, ...(branches.length > 0 ? { branches } : {}) };
}

/** The questions a question may lead to: those after it, then the end. */
export function laterTargets(survey: SurveyContent, index: number): { id: string; label: string }[] {
  return [
    ...survey.questions.slice(index + 1).map((q, i) => ({ id: q.id, label: `Question ${index + i + 2}: ${shorten(q.text)}` })),
    { id: SURVEY_END, label: 'The end (thank-you)' },
  ];
}

/** A new branch: the lowest scores, or the first choice, leading to the question after the next (or the end). */
export function newBranch(survey: SurveyContent, index: number): SurveyBranch | null {
  const question = survey.questions[index];
  if (!question) return null;
  const goTo = laterTargets(survey, index)[0]?.id ?? SURVEY_END;
  const scale = scaleOf(question);
  if (scale) return { when: { min: scale.min, max: scale.min + Math.floor((scale.max - scale.min) / 3) }, goTo };
  if (isChoiceQuestion(question) && question.choices[0]) return { when: { choice: question.choices[0].id }, goTo };
  return null;
}

/** Replaces the question at `index` (the survey editor's single way of changing one). */
export function replaceQuestion(survey: SurveyContent, index: number, question: SurveyQuestion): SurveyContent {
  return { ...survey, questions: survey.questions.map((q, i) => (i === index ? question : q)) };
}

function shorten(text: string, max = 40): string {
  const t = text.trim();
  return t.length > max ? `${t.slice(0, max - 1)}…` : t || '(no text yet)';
}

/** "question 3", "the end", or the id as written when no question has it. */
function targetWords(survey: Pick<SurveyContent, 'questions'>, id: string): string {
  if (id === SURVEY_END) return 'the end';
  const at = survey.questions.findIndex((q) => q.id === id);
  return at >= 0 ? `question ${at + 1}` : `“${id}” (missing)`;
}

/** A branch's condition in words: "a score of 1 to 2", "a score of 9 or more", "“They are slow”". */
export function whenWords(question: SurveyQuestion, when: SurveyBranch['when']): string {
  if ('choice' in when) {
    if (when.choice === OTHER_CHOICE && isChoiceQuestion(question)) return `“${question.other?.label ?? 'Other'}”`;
    const choice = isChoiceQuestion(question) ? question.choices.find((c) => c.id === when.choice) : undefined;
    return choice ? `“${choice.label}”` : `choice “${when.choice}”`;
  }
  const { min, max } = when;
  if (min !== undefined && max !== undefined) return min === max ? `a score of ${min}` : `a score of ${min} to ${max}`;
  if (min !== undefined) return `a score of ${min} or more`;
  if (max !== undefined) return `a score of ${max} or less`;
  return 'any score';
}

/** One question told in words, with where it leads: what the preview outline and the publish dialog show. */
export function describeQuestion(survey: Pick<SurveyContent, 'questions'>, index: number): { heading: string; flow: string[] } {
  const q = survey.questions[index] as SurveyQuestion;
  const kind = QUESTION_TYPE_LABELS[q.type] ?? q.type;
  const detail = q.type === 'rating' ? ` (1-${q.max})` : isChoiceQuestion(q) ? `: ${[...q.choices.map((c) => c.label), ...(q.other ? [`${q.other.label} (free text)`] : [])].join(', ')}` : '';
  const heading = `${index + 1}. ${kind.replace(/ \(1-N\)$/, '')}${detail} — ${q.text}${q.optional ? ' (optional)' : ''}`;
  const flow = (q.branches ?? []).map((b) => `${whenWords(q, b.when)} → ${targetWords(survey, b.goTo)}`);
  const after = q.next ?? survey.questions[index + 1]?.id ?? SURVEY_END;
  const otherwise = `${flow.length > 0 ? 'otherwise' : 'then'} → ${targetWords(survey, after)}`;
  return { heading, flow: [...flow, otherwise] };
}

/** The whole survey in words, one line per question: the publish dialog's "Questions" row. */
export function describeSurvey(survey: Pick<SurveyContent, 'questions'>): string[] {
  return survey.questions.map((_, i) => {
    const { heading, flow } = describeQuestion(survey, i);
    return `${heading} [${flow.join('; ')}]`;
  });
}
