import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { defaultSurvey, newDraft, validate } from '../../../src/renderer/src/screens/messages/model';
import {
  addChoice,
  addQuestion,
  changeQuestionType,
  describeQuestion,
  describeSurvey,
  freeId,
  isChoiceQuestion,
  laterTargets,
  moveQuestion,
  newBranch,
  newQuestion,
  removeChoice,
  removeQuestion,
  setOther,
} from '../../../src/renderer/src/screens/messages/survey-edit';
import { surveyContentSchema, SURVEY_QUESTION_TYPES, MAX_SURVEY_QUESTIONS, type SurveyContent, type SurveyQuestion } from '../../../src/shared/messages/survey';
import { nextQuestionId, SURVEY_END } from '../../../src/shared/messages/survey-flow';

const valid = (survey: SurveyContent): boolean => surveyContentSchema.safeParse(survey).success;
const choiceQuestion = (q: SurveyQuestion | undefined) => {
  if (!q || !isChoiceQuestion(q)) throw new Error('not a choice question');
  return q;
};

describe('the starter survey', () => {
  it('is valid: a CSAT question whose low scores branch to a choice question, and an optional open question', () => {
    const survey = defaultSurvey();
    expect(valid(survey)).toBe(true);
    expect(survey.questions.map((q) => q.type)).toEqual(['csat', 'single_choice', 'open_text']);
    expect(nextQuestionId(survey, 'q1', { score: 1 })).toBe('q2');
    expect(nextQuestionId(survey, 'q1', { score: 2 })).toBe('q2');
    expect(nextQuestionId(survey, 'q1', { score: 3 })).toBe('q3');
    expect(nextQuestionId(survey, 'q2', { choices: ['c1'] })).toBe('q3');
    expect(nextQuestionId(survey, 'q3', null)).toBe(SURVEY_END);
  });

  it('a new survey draft is valid as it is, and each starter is a fresh object', () => {
    const a = newDraft('survey', 'seg-1');
    expect(validate(a)).toEqual({});
    expect(a).toMatchObject({ name: 'Survey', trigger: { page: '*', delaySeconds: 5 }, frequency: { once: true } });
    a.survey?.questions.splice(0);
    expect(newDraft('survey', 'seg-1').survey?.questions).toHaveLength(3);
  });
});

describe('questions', () => {
  it('a new question of every type is valid on its own', () => {
    for (const type of SURVEY_QUESTION_TYPES) {
      const survey: SurveyContent = { questions: [newQuestion(type, 'q1')], thankYou: 'Thanks', dismissLabel: 'Close' };
      expect(surveyContentSchema.safeParse(survey).error?.issues ?? [], type).toEqual([]);
    }
  });

  it('added questions take the first free id, so ids never repeat even after a removal', () => {
    let survey = defaultSurvey();
    survey = removeQuestion(survey, 1);
    survey = addQuestion(survey, 'nps');
    survey = addQuestion(survey, 'rating');
    expect(survey.questions.map((q) => q.id)).toEqual(['q1', 'q3', 'q2', 'q4']);
    expect(valid(survey)).toBe(true);
    expect(freeId('c', ['c1', 'c3'])).toBe('c2');
  });

  it('removing a question drops the branches and "then go to" that led to it; what is left stays valid', () => {
    const survey = defaultSurvey();
    const withoutChoice = removeQuestion(survey, 1);
    expect(withoutChoice.questions[0]?.branches).toBeUndefined();
    expect(withoutChoice.questions[0]?.next).toBe('q3');
    const withoutOpen = removeQuestion(survey, 2);
    expect(withoutOpen.questions[0]?.next).toBeUndefined();
    expect(withoutOpen.questions[0]?.branches).toEqual([{ when: { max: 2 }, goTo: 'q2' }]);
    for (let i = 0; i < survey.questions.length; i++) expect(valid(removeQuestion(survey, i)), `without ${i}`).toBe(true);
    expect(removeQuestion(survey, 9)).toBe(survey);
    expect(survey.questions).toHaveLength(3);
  });

  it('moving is by one place, keeps targets, and a jump that now leads back is named by validation at its field', () => {
    const survey = defaultSurvey();
    expect(moveQuestion(survey, 0, -1)).toBe(survey);
    expect(moveQuestion(survey, 2, 1)).toBe(survey);
    const moved = moveQuestion(survey, 1, -1);
    expect(moved.questions.map((q) => q.id)).toEqual(['q2', 'q1', 'q3']);
    const issues = validate({ ...newDraft('survey', 'seg-1'), survey: moved });
    expect(issues['survey.questions.1.branches.0.goTo']).toEqual(['question “q1” jumps back to “q2”: jumps only go forward, so a survey always ends']);
    expect(moveQuestion(moved, 0, 1).questions.map((q) => q.id)).toEqual(['q1', 'q2', 'q3']);
  });

  it('changing the type keeps id, text, optional and "then go to", and only the branches the new type can match', () => {
    const csat = defaultSurvey().questions[0] as SurveyQuestion;
    const ces = changeQuestionType(csat, 'ces');
    expect(ces).toMatchObject({ type: 'ces', id: 'q1', text: csat.text, lowLabel: 'Very dissatisfied', next: 'q3', branches: [{ when: { max: 2 }, goTo: 'q2' }] });
    const choice = changeQuestionType(csat, 'single_choice');
    expect(choice).toMatchObject({ type: 'single_choice', id: 'q1', text: csat.text, next: 'q3' });
    expect(choice.branches).toBeUndefined();
    const single = choiceQuestion(defaultSurvey().questions[1]);
    const multi = choiceQuestion(changeQuestionType({ ...single, branches: [{ when: { choice: 'other' }, goTo: 'q3' }], optional: true }, 'multi_choice'));
    expect(multi).toMatchObject({ type: 'multi_choice', choices: single.choices, other: single.other, optional: true, branches: [{ when: { choice: 'other' }, goTo: 'q3' }] });
    expect(changeQuestionType(csat, 'csat')).toBe(csat);
  });

  it('any type change of any starter question leaves a question the schema accepts', () => {
    fc.assert(
      fc.property(fc.constantFrom(...SURVEY_QUESTION_TYPES), fc.constantFrom(...SURVEY_QUESTION_TYPES), (from, to) => {
        const survey: SurveyContent = { questions: [changeQuestionType(newQuestion(from, 'q1'), to)], thankYou: 'Thanks', dismissLabel: 'Close' };
        expect(valid(survey)).toBe(true);
      }),
    );
  });
});

describe('choices and branches', () => {
  it('choices are added with a free id and removed with the branches taken on them', () => {
    const q = choiceQuestion(defaultSurvey().questions[1]);
    const added = addChoice(q);
    expect(added.choices.map((c) => c.id)).toEqual(['c1', 'c2', 'c3', 'c4']);
    const branched = { ...q, branches: [{ when: { choice: 'c2' }, goTo: 'q3' }, { when: { choice: 'c3' }, goTo: 'end' }] };
    expect(removeChoice(branched, 1)).toMatchObject({ choices: [{ id: 'c1' }, { id: 'c3' }], branches: [{ when: { choice: 'c3' }, goTo: 'end' }] });
    expect(removeChoice(removeChoice(branched, 1), 1).branches).toBeUndefined();
  });

  it('"other" comes and goes; turning it off drops the branches taken on it', () => {
    const q = choiceQuestion(defaultSurvey().questions[1]);
    const off = setOther({ ...q, branches: [{ when: { choice: 'other' }, goTo: 'end' }] }, false);
    expect(off.other).toBeUndefined();
    expect(off.branches).toBeUndefined();
    expect(setOther(off, true).other).toEqual({ label: 'Other' });
  });

  it('a new branch fits the question: a low score range, or the first choice; none for an open question', () => {
    const survey = addQuestion(addQuestion(defaultSurvey(), 'nps'), 'rating');
    expect(newBranch(survey, 0)).toEqual({ when: { min: 1, max: 2 }, goTo: 'q2' });
    expect(newBranch(survey, 1)).toEqual({ when: { choice: 'c1' }, goTo: 'q3' });
    expect(newBranch(survey, 2)).toBeNull();
    expect(newBranch(survey, 3)).toEqual({ when: { min: 0, max: 3 }, goTo: 'q5' });
    expect(newBranch(survey, 4)).toEqual({ when: { min: 1, max: 2 }, goTo: 'end' });
    for (const i of [0, 1, 3, 4]) {
      const q = survey.questions[i] as SurveyQuestion;
      const branch = newBranch(survey, i);
      const next = { ...survey, questions: survey.questions.map((x, j) => (j === i && branch ? { ...q, branches: [branch] } : x)) };
      expect(valid(next), `question ${i}`).toBe(true);
    }
  });

  it('targets are the later questions and the end', () => {
    expect(laterTargets(defaultSurvey(), 0).map((t) => t.id)).toEqual(['q2', 'q3', 'end']);
    expect(laterTargets(defaultSurvey(), 2).map((t) => t.id)).toEqual(['end']);
  });
});

describe('the survey in words', () => {
  it('each question with its type and where it leads', () => {
    expect(describeQuestion(defaultSurvey(), 0)).toEqual({
      heading: '1. CSAT (1-5) — How satisfied are you with reports?',
      flow: ['a score of 2 or less → question 2', 'otherwise → question 3'],
    });
    expect(describeSurvey(defaultSurvey())).toEqual([
      '1. CSAT (1-5) — How satisfied are you with reports? [a score of 2 or less → question 2; otherwise → question 3]',
      '2. One choice: They are slow, They miss data I need, They are hard to read, Something else (free text) — What disappointed you most? [then → question 3]',
      '3. Open text — Anything else you would like to tell us? (optional) [then → the end]',
    ]);
  });

  it('names a jump to a question that does not exist, and a choice branch by its label', () => {
    const q = choiceQuestion(defaultSurvey().questions[1]);
    const survey = { questions: [{ ...q, branches: [{ when: { choice: 'c2' }, goTo: 'gone' }, { when: { choice: 'other' }, goTo: 'end' }] }] };
    expect(describeQuestion(survey, 0).flow).toEqual(['“They miss data I need” → “gone” (missing)', '“Something else” → the end', 'otherwise → the end']);
  });

  it('a survey grows to the maximum and no further through the editor’s button (the schema caps it too)', () => {
    let survey = defaultSurvey();
    while (survey.questions.length < MAX_SURVEY_QUESTIONS) survey = addQuestion(survey, 'open_text');
    expect(valid(survey)).toBe(true);
    expect(valid(addQuestion(survey, 'open_text'))).toBe(false);
  });
});
