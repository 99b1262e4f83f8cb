import { describe, expect, it } from 'vitest';
import { surveyContentSchema, type SurveyContent } from '../../src/shared/messages/survey';
import { nextQuestionId, SURVEY_END, scaleOf } from '../../src/shared/messages/survey-flow';
import { isRightToLeft, missingTranslations, pickLocale, translatableTexts, translateContent } from '../../src/shared/messages/locale';
import { placementOf } from '../../src/shared/messages/placement';
import { messageSchema } from '../../src/shared/messages/model';

const survey: SurveyContent = {
  title: 'Quick question',
  questions: [
    { id: 'sat', type: 'csat', text: 'How satisfied are you with reports?', lowLabel: 'Very unsatisfied', highLabel: 'Very satisfied', branches: [{ when: { max: 3 }, goTo: 'why' }], next: 'more' },
    { id: 'why', type: 'single_choice', text: 'What went wrong?', choices: [{ id: 'slow', label: 'Too slow' }, { id: 'hard', label: 'Hard to use' }], other: { label: 'Something else' } },
    { id: 'more', type: 'open_text', text: 'Anything else?', optional: true },
  ],
  thankYou: 'Thank you!',
  dismissLabel: 'Close',
};

function issuesOf(value: unknown): string[] {
  const parsed = surveyContentSchema.safeParse(value);
  return parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
}

describe('survey content', () => {
  it('accepts a survey with a branch, a choice question with "other" and an optional open question', () => {
    expect(issuesOf(survey)).toEqual([]);
  });

  it('refuses a jump to a question that does not exist, naming both', () => {
    const bad = structuredClone(survey);
    bad.questions[0]!.branches = [{ when: { max: 3 }, goTo: 'nowhere' }];
    expect(issuesOf(bad)).toEqual(['questions.0.branches.0.goTo: question “sat” jumps to “nowhere”, which does not exist']);
  });

  it('refuses backward jumps and loops', () => {
    const bad = structuredClone(survey);
    bad.questions[1]!.next = 'sat';
    bad.questions[2]!.next = 'more';
    expect(issuesOf(bad)).toEqual([
      'questions.1.next: question “why” jumps back to “sat”: jumps only go forward, so a survey always ends',
      'questions.2.next: question “more” jumps back to “more”: jumps only go forward, so a survey always ends',
    ]);
  });

  it('refuses branches on what the question does not have', () => {
    const bad = structuredClone(survey);
    bad.questions[0]!.branches = [{ when: { min: 0, max: 9 }, goTo: 'why' }, { when: { choice: 'slow' }, goTo: 'why' }];
    bad.questions[1]!.branches = [{ when: { choice: 'fast' }, goTo: 'more' }, { when: { min: 1 }, goTo: 'more' }];
    expect(issuesOf(bad)).toEqual([
      'questions.0.branches.0.when: question “sat” scores 1 to 5, so 0 is out of range',
      'questions.0.branches.0.when: question “sat” scores 1 to 5, so 9 is out of range',
      'questions.0.branches.1.when: question “sat” has no choices to branch on: branch on a score range',
      'questions.1.branches.0.when: question “why” has no choice “fast”',
      'questions.1.branches.1.when: question “why” has no score to branch on: branch on a choice',
    ]);
  });

  it('refuses duplicate and reserved ids', () => {
    const bad = structuredClone(survey);
    bad.questions[2]!.id = 'sat';
    expect(issuesOf(bad)).toContain('questions.2.id: question id “sat” is used twice');
    const reserved = structuredClone(survey);
    reserved.questions[2]!.id = 'end';
    expect(issuesOf(reserved).join()).toContain('“end” and “other” are reserved');
  });
});

describe('survey flow', () => {
  it('follows the first matching branch, then next, then order', () => {
    expect(nextQuestionId(survey, 'sat', { score: 2 })).toBe('why');
    expect(nextQuestionId(survey, 'sat', { score: 5 })).toBe('more');
    expect(nextQuestionId(survey, 'why', { choices: ['other'], other: 'price' })).toBe('more');
    expect(nextQuestionId(survey, 'more', null)).toBe(SURVEY_END);
    expect(nextQuestionId(survey, 'missing', null)).toBe(SURVEY_END);
  });

  it('knows each scored type’s scale', () => {
    expect(survey.questions.map(scaleOf)).toEqual([{ min: 1, max: 5 }, null, null]);
  });
});

describe('locales', () => {
  it('picks exact, then language, then the default', () => {
    expect(pickLocale(['fr-CA', 'en'], ['fr', 'ar'], 'en')).toBe('fr');
    expect(pickLocale(['ar'], ['fr', 'ar'], 'en')).toBe('ar');
    expect(pickLocale(['pt-br'], ['pt-PT', 'pt-BR'], 'en')).toBe('pt-BR');
    expect(pickLocale(['de'], ['fr'], 'en')).toBe('en');
  });

  it('knows right-to-left languages', () => {
    expect(['ar', 'he-IL', 'fa', 'en', 'fr'].map(isRightToLeft)).toEqual([true, true, true, false, false]);
  });

  it('names texts by id paths, translates them and lists what a translation lacks', () => {
    const paths = translatableTexts(survey).map(([p]) => p);
    expect(paths).toEqual([
      'title',
      'questions.sat.text',
      'questions.sat.lowLabel',
      'questions.sat.highLabel',
      'questions.why.text',
      'questions.why.choices.slow.label',
      'questions.why.choices.hard.label',
      'questions.why.other.label',
      'questions.more.text',
      'thankYou',
      'dismissLabel',
    ]);
    const fr = { title: 'Petite question', 'questions.why.choices.slow.label': 'Trop lent' };
    const translated = translateContent(survey, fr);
    expect(translated.title).toBe('Petite question');
    expect(translated.questions[1]).toMatchObject({ choices: [{ id: 'slow', label: 'Trop lent' }, { id: 'hard', label: 'Hard to use' }] });
    expect(survey.title).toBe('Quick question');
    expect(missingTranslations(survey, fr)).toHaveLength(paths.length - 2);
  });

  it('keeps a "__proto__" key as plain data when translating', () => {
    const content = JSON.parse('{"title":"x","__proto__":{"polluted":"yes"}}') as Record<string, unknown>;
    const out = translateContent(content, { title: 'y' });
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(Object.prototype.hasOwnProperty.call(out, '__proto__')).toBe(true);
  });
});

describe('the draft model', () => {
  const base = {
    id: 'csat-reports',
    name: 'CSAT',
    target: { type: 'segment', segmentId: 's1' },
    trigger: {},
    frequency: { once: true },
    schedule: {},
    rollout: 100,
    priority: 0,
    environment: 'production',
    archived: false,
  };

  it('takes a survey with translations, a goal and a holdout', () => {
    const parsed = messageSchema.safeParse({ ...base, kind: 'survey', survey, defaultLocale: 'en', translations: { ar: { title: 'سؤال سريع' } }, goal: { event: 'upgraded', withinDays: 14 }, holdout: 10 });
    expect(parsed.success).toBe(true);
  });

  it('asks for the content of the kind chosen, and refuses a translation into the default language', () => {
    const parsed = messageSchema.safeParse({ ...base, kind: 'banner', defaultLocale: 'en', translations: { EN: {} } });
    expect(parsed.success ? [] : parsed.error.issues.map((i) => i.message)).toEqual(['write the banner: its text', 'en is the default language: its texts are the content itself']);
  });

  it('places blocking kinds apart from banners and slideouts', () => {
    expect((['modal', 'nps', 'survey', 'banner', 'slideout'] as const).map(placementOf)).toEqual(['blocking', 'blocking', 'blocking', 'banner', 'slideout']);
  });
});
