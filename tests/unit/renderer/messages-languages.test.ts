import { describe, expect, it } from 'vitest';
import {
  addLocale,
  contentIn,
  directionOf,
  draftLocales,
  dropTranslationsUnder,
  languageName,
  localeProblem,
  missingCounts,
  removeLocale,
  setTranslation,
  translationRows,
} from '../../../src/renderer/src/screens/messages/languages';
import { changeLabel, newDraft, pathWords, previewMessage, validate } from '../../../src/renderer/src/screens/messages/model';
import type { MessageDraft, SurveyContent } from '../../../src/shared/messages/model';

const survey = (): MessageDraft => newDraft('survey', 'seg-1');

describe('adding and removing translations', () => {
  it('refuses what is not a language tag, the default language, a tag already there (any case), and a 21st', () => {
    const draft = addLocale(survey(), 'ar');
    expect(localeProblem(draft, '  ')).toBe('type a language tag such as fr, ar or pt-BR');
    expect(localeProblem(draft, 'french!')).toBe('“french!” is not a language tag: write one such as fr, ar or pt-BR');
    expect(localeProblem(draft, 'EN')).toBe('EN is the default language: its texts are the content itself');
    expect(localeProblem({ ...draft, defaultLocale: 'de' }, 'de')).toMatch(/default language/);
    expect(localeProblem(draft, 'AR')).toBe('AR is already translated');
    expect(localeProblem(draft, 'pt-BR')).toBeNull();
    let full = survey();
    for (const tag of ['aa', 'ab', 'ae', 'af', 'ak', 'am', 'an', 'ar', 'as', 'av', 'ay', 'az', 'ba', 'be', 'bg', 'bi', 'bm', 'bn', 'bo', 'br']) full = addLocale(full, tag);
    expect(Object.keys(full.translations ?? {})).toHaveLength(20);
    expect(localeProblem(full, 'fr')).toBe('at most 20 translations');
    expect(addLocale(full, 'fr')).toBe(full);
    expect(validate(full)).toEqual({});
  });

  it('a draft without translations has no translations field; removing the last one drops it again', () => {
    const plain = survey();
    expect('translations' in plain).toBe(false);
    const withAr = addLocale(plain, ' ar ');
    expect(withAr.translations).toEqual({ ar: {} });
    expect('translations' in removeLocale(withAr, 'ar')).toBe(false);
    expect(removeLocale(addLocale(withAr, 'fr'), 'ar').translations).toEqual({ fr: {} });
  });
});

describe('translating texts', () => {
  it('lists every text of the content beside the default text, in order, with the editor’s words', () => {
    const rows = translationRows(addLocale(survey(), 'ar'), 'ar');
    expect(rows.map((r) => [r.path, r.label])).toEqual([
      ['title', 'Title'],
      ['questions.q1.text', 'Question 1 › question'],
      ['questions.q1.lowLabel', 'Question 1 › label for the lowest score'],
      ['questions.q1.highLabel', 'Question 1 › label for the highest score'],
      ['questions.q2.text', 'Question 2 › question'],
      ['questions.q2.choices.c1.label', 'Question 2 › choice 1'],
      ['questions.q2.choices.c2.label', 'Question 2 › choice 2'],
      ['questions.q2.choices.c3.label', 'Question 2 › choice 3'],
      ['questions.q2.other.label', 'Question 2 › label for “other”'],
      ['questions.q3.text', 'Question 3 › question'],
      ['thankYou', 'Thank-you text'],
      ['dismissLabel', 'Dismiss label'],
    ]);
    expect(rows[1]).toMatchObject({ source: 'How satisfied are you with reports?', translated: '', missing: true });
  });

  it('the missing count falls as texts are filled and rises when one is emptied again', () => {
    let draft = addLocale(addLocale(survey(), 'ar'), 'fr');
    expect(missingCounts(draft)).toEqual({ ar: 12, fr: 12 });
    draft = setTranslation(draft, 'ar', 'questions.q1.text', 'ما مدى رضاك عن التقارير؟');
    draft = setTranslation(draft, 'ar', 'title', 'دقيقة لرأيك؟');
    expect(missingCounts(draft)).toEqual({ ar: 10, fr: 12 });
    draft = setTranslation(draft, 'ar', 'title', '');
    expect(missingCounts(draft)).toEqual({ ar: 11, fr: 12 });
    expect(draft.translations?.ar).toEqual({ 'questions.q1.text': 'ما مدى رضاك عن التقارير؟' });
    expect(validate(draft)).toEqual({});
  });

  it('a removed question’s translations go with it, in every language', () => {
    let draft = addLocale(addLocale(survey(), 'ar'), 'fr');
    draft = setTranslation(draft, 'ar', 'questions.q2.text', 'ما الذي خيب أملك؟');
    draft = setTranslation(draft, 'ar', 'questions.q2.choices.c1.label', 'بطيئة');
    draft = setTranslation(draft, 'fr', 'questions.q2.text', 'Qu’est-ce qui vous a déçu ?');
    draft = setTranslation(draft, 'fr', 'questions.q20.text', 'kept: another question');
    const dropped = dropTranslationsUnder(draft, 'questions.q2');
    expect(dropped.translations).toEqual({ ar: {}, fr: { 'questions.q20.text': 'kept: another question' } });
  });

  it('shows the content in a language: translated texts replaced, missing ones in the default language, right to left for Arabic', () => {
    let draft = addLocale(survey(), 'ar');
    draft = setTranslation(draft, 'ar', 'questions.q1.text', 'ما مدى رضاك عن التقارير؟');
    expect(draftLocales(draft)).toEqual(['en', 'ar']);
    const shown = contentIn(draft, 'ar') as SurveyContent;
    expect(shown.questions[0]?.text).toBe('ما مدى رضاك عن التقارير؟');
    expect(shown.questions[1]?.text).toBe('What disappointed you most?');
    expect(contentIn(draft, 'en')).toBe(draft.survey);
    expect(directionOf('ar')).toBe('rtl');
    expect(directionOf('he-IL')).toBe('rtl');
    expect(directionOf('pt-BR')).toBe('ltr');
    const preview = previewMessage(draft, 'ar');
    expect((preview.content as SurveyContent & { locale: string }).locale).toBe('ar');
    expect((preview.content as SurveyContent).questions[0]?.text).toBe('ما مدى رضاك عن التقارير؟');
    expect((previewMessage(draft, 'xx').content as { locale: string }).locale).toBe('en');
    // A draft without translations previews exactly as before.
    const plain = newDraft('modal', 'seg-1');
    expect(previewMessage(plain, 'ar')).toEqual({ id: plain.id, kind: 'modal', content: plain.modal });
  });

  it('names languages in English, falling back to the tag', () => {
    expect(languageName('ar')).toBe('Arabic (ar)');
    expect(languageName('pt-BR')).toBe('Brazilian Portuguese (pt-BR)');
    expect(languageName('qaa')).toBe('qaa');
  });
});

describe('words for the new fields', () => {
  it('issue paths inside a survey speak of questions, branches and choices from 1', () => {
    expect(pathWords('survey.questions.0.branches.1.goTo')).toBe('survey › question 1 › branch 2 › go to');
    expect(pathWords('survey.questions.2.choices.0.label')).toBe('survey › question 3 › choice 1 › label');
    expect(pathWords('survey.questions.0.lowLabel')).toBe('survey › question 1 › label for the lowest score');
    expect(pathWords('nps.lowLabel')).toBe('survey › label for 0');
    expect(pathWords('translations.ar')).toBe('translations › Arabic (ar)');
    expect(pathWords('banner.cta.url')).toBe('banner › call to action › url');
  });

  it('the publish dialog names the new content fields and each translated text', () => {
    const draft = survey();
    expect(changeLabel('content.questions')).toBe('Questions');
    expect(changeLabel('content.text')).toBe('Banner text');
    expect(changeLabel('content.corner')).toBe('Corner');
    expect(changeLabel('content.locale')).toBe('Default language');
    expect(changeLabel('content.translations.ar.questions.q2.choices.c1.label', draft)).toBe('Arabic (ar) translation › Question 2 › choice 1');
    expect(changeLabel('content.translations.fr.thankYou', draft)).toBe('French (fr) translation › Thank-you text');
    expect(changeLabel('content.translations.fr.title')).toBe('French (fr) translation › title');
  });
});
