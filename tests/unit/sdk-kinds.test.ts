import { describe, expect, it, vi } from 'vitest';
import { localize } from '../../src/sdk/kinds';
import { surveyContentSchema } from '../../src/shared/messages/survey';

const message = {
  id: 'm1',
  kind: 'survey',
  content: {
    title: 'Tell us',
    questions: [{ id: 'q1', type: 'csat', text: 'How satisfied?', lowLabel: 'Bad', highLabel: 'Good' }],
    thankYou: 'Thanks',
    dismissLabel: 'Close',
    locale: 'en',
    translations: { ar: { title: 'أخبرنا', 'questions.q1.text': 'ما مدى رضاك؟' }, 'fr-CA': { title: 'Dites-nous' }, pt: { title: 'Conte-nos' } },
  },
};

describe('the SDK picks the language a message is shown in', () => {
  it('takes the wanted locale exactly, then by language part, else the default, and marks right to left', () => {
    const ar = localize(message, 'ar');
    expect([ar.locale, ar.rtl, ar.content.title]).toEqual(['ar', true, 'أخبرنا']);
    // Translated texts replace the default ones; the rest stay as written.
    expect((ar.content.questions as { text: string; lowLabel: string }[])[0]).toMatchObject({ text: 'ما مدى رضاك؟', lowLabel: 'Bad' });
    expect(localize(message, 'fr-CA').content.title).toBe('Dites-nous');
    expect(localize(message, 'fr').locale).toBe('fr-CA');
    expect(localize(message, 'pt-BR').locale).toBe('pt');
    expect(localize(message, ['de', 'ar-EG']).locale).toBe('ar');
    const fallback = localize(message, 'de');
    expect([fallback.locale, fallback.rtl, fallback.content.title]).toEqual(['en', false, 'Tell us']);
  });

  it('a message without translations is shown as written, in English unless it says otherwise', () => {
    expect(localize({ id: 'x', kind: 'banner', content: { text: 'Hi' } }, 'ar')).toEqual({ content: { text: 'Hi' }, locale: 'en', rtl: false });
    expect(localize({ id: 'x', kind: 'banner', content: { text: 'שלום', locale: 'he' } }, 'fr')).toMatchObject({ locale: 'he', rtl: true });
    // Bad content never throws.
    expect(localize({ id: 'x', kind: 'banner', content: { translations: 'nope' } }, 'fr').locale).toBe('en');
  });
});

describe('survey content names its buttons so they translate', () => {
  const base = { questions: [{ id: 'q1', type: 'open_text', text: 'Anything else?' }], thankYou: 'Thanks', dismissLabel: 'Close' };
  it('takes optional nextLabel and submitLabel, refusing empty ones', () => {
    expect(surveyContentSchema.safeParse({ ...base, nextLabel: 'Suivant', submitLabel: 'Envoyer' }).success).toBe(true);
    expect(surveyContentSchema.safeParse(base).success).toBe(true);
    const empty = surveyContentSchema.safeParse({ ...base, nextLabel: ' ' });
    expect(empty.success).toBe(false);
    expect(empty.error?.issues[0]?.path).toEqual(['nextLabel']);
  });
});

describe('the kinds chunk entry (kinds-entry.ts): the core–chunk contract', () => {
  it('hands renderAnyMessage to a core of its contract, or one naming none (every core before the number), and nothing to another', async () => {
    const globals = globalThis as { guidepostCore?: unknown };
    const cases: [unknown, boolean][] = [
      [{}, true],
      [{ contract: 1 }, true],
      [{ contract: 2 }, false],
      [{ contract: '1' }, false],
    ];
    try {
      for (const [core, served] of cases) {
        vi.resetModules();
        globals.guidepostCore = core;
        const entry = await import('../../src/sdk/kinds-entry');
        expect(entry.KINDS_CONTRACT).toBe(1);
        expect(typeof entry.renderAnyMessage, JSON.stringify(core)).toBe(served ? 'function' : 'undefined');
      }
    } finally {
      delete globals.guidepostCore;
    }
  });
});
