/**
 * The demo's issue-18 messages (src/main/demo/example-survey.ts): a survey (CSAT, a branch to a choice
 * question, an open question) and a banner, each with a full translation, published as version 1, and
 * synthetic answers the way the SDK sends them, partial responses among them, so every results view
 * has something to show. The same every time.
 */
import { describe, expect, it } from 'vitest';
import { BANNER_MESSAGE_ID, EXAMPLE_SURVEY_MESSAGES, SURVEY_MESSAGE_ID } from '../../src/main/demo/example-survey';
import { generateDemo } from '../../src/main/demo/generate';
import { missingTranslations } from '../../src/shared/messages/locale';
import { kindContent, messageSchema } from '../../src/shared/messages/model';
import { useTempCache } from './helpers';
import { testBackend } from './messages-helpers';

const tempCache = useTempCache();

async function demoBackend() {
  const cache = tempCache();
  await generateDemo(cache.db, { users: 4000, now: 1 });
  return testBackend(cache, {}, Date.UTC(2026, 5, 30));
}

describe('the demo survey and banner', () => {
  it('are valid drafts translated in full into a second language (and Arabic for the survey)', () => {
    for (const draft of EXAMPLE_SURVEY_MESSAGES) {
      expect(messageSchema.safeParse(draft).success).toBe(true);
      const locales = Object.keys(draft.translations ?? {});
      expect(locales.length).toBeGreaterThanOrEqual(1);
      for (const locale of locales) expect(missingTranslations(kindContent(draft), draft.translations?.[locale])).toEqual([]);
    }
    expect(Object.keys(EXAMPLE_SURVEY_MESSAGES[0]?.translations ?? {})).toEqual(['fr', 'ar']);
    const questions = EXAMPLE_SURVEY_MESSAGES[0]?.survey?.questions.map((q) => q.type);
    expect(questions).toEqual(['csat', 'single_choice', 'open_text']);
  });

  it('have results in every view: CSAT, choice counts, texts, partial responses, locales; the banner shown and clicked', async () => {
    const b = await demoBackend();
    const results = await b.handlers.messageResults({ id: SURVEY_MESSAGE_ID });
    const survey = results.survey;
    expect(survey).not.toBeNull();
    if (!survey) return;
    expect(survey.responses).toBeGreaterThan(30);
    expect(survey.responses).toBeLessThan(results.shown);
    // Partial responses exist, and complete ones.
    expect(survey.completed).toBeGreaterThan(0);
    expect(survey.completed).toBeLessThan(survey.responses);
    expect(survey.byLocale.map((l) => l.locale).sort()).toEqual(['ar', 'en', 'fr']);
    expect(survey.byPersona.some((p) => p.responses > 0)).toBe(true);
    const [sat, missing, more] = survey.questions;
    expect(sat?.value).toBeGreaterThan(0);
    expect(sat?.value).toBeLessThan(1);
    expect(sat?.distribution.every((n) => n > 0)).toBe(true);
    expect(missing?.choices.every((c) => c.count > 0)).toBe(true);
    expect(missing?.texts.length).toBeGreaterThan(0);
    expect(more?.texts.length).toBeGreaterThan(5);
    expect(sat?.weekly.filter((w) => w.answers > 0).length).toBeGreaterThanOrEqual(4);

    const banner = await b.handlers.messageResults({ id: BANNER_MESSAGE_ID });
    expect(banner.shown).toBeGreaterThan(20);
    expect(banner.clicked).toBeGreaterThan(0);
    expect(banner.survey).toBeNull();

    const { csv, responses } = await b.handlers.messageResponsesCsv({ id: SURVEY_MESSAGE_ID });
    expect(responses).toBe(survey.responses);
    expect(csv.split('\r\n')[0]).toBe('\uFEFFresponse_id,user_id,locale,started_at,closed_at,completed,personas,sat,missing,missing.other,more');
    b.close();
  });

  it('are the same on every generation', async () => {
    const snapshot = async (): Promise<unknown> => {
      const b = await demoBackend();
      const rows = b.db
        .prepare(`SELECT event_id, ts, properties FROM events WHERE json_extract(properties, '$.message_id') IN (?, ?) ORDER BY event_id`)
        .all(SURVEY_MESSAGE_ID, BANNER_MESSAGE_ID);
      b.close();
      return rows;
    };
    expect(await snapshot()).toEqual(await snapshot());
  });
});
