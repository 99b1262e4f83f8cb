/**
 * Issue 18, items 4 and 6: a survey's answers brought into the companion (an imported file of
 * survey_answered and survey_closed events, as the SDK sends them, on top of the demo's) show in the
 * results view: responses and completion (a partial response counts), the question's texts with the
 * answerer's personas, the split by persona; and the responses CSV, downloaded from the view, parses
 * back with csv-parse to the same responses. Needs `npx electron-vite build` first.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { expectNoSeriousA11yViolations } from './a11y';
import { expect, openDemo, test } from './fixtures';

const SURVEY = 'demo-survey-reports';
/** A day before the demo's "data as of" (2026-06-30T00:00:00Z). */
const AT = Date.UTC(2026, 5, 29, 9);
const USER = 'u_00007';
const TEXT = 'E2E: the timeline export, "perfect" for clients';

function answersFile(path: string): void {
  const base = { message_id: SURVEY, locale: 'fr' };
  let n = 0;
  const track = (event: string, ts: number, properties: Record<string, unknown>) => ({ type: 'track', userId: USER, event, timestamp: new Date(ts).toISOString(), messageId: `e2e-${n++}`, properties });
  const records = [
    // A complete response: satisfied, so straight to the open question, answered.
    track('survey_answered', AT, { ...base, response_id: 'e2e-full', question_id: 'sat', question_type: 'csat', survey: 'csat', score: 5 }),
    track('survey_answered', AT + 20_000, { ...base, response_id: 'e2e-full', question_id: 'more', question_type: 'open_text', survey: 'open_text', text: TEXT }),
    track('survey_closed', AT + 21_000, { ...base, response_id: 'e2e-full', last_question_id: 'more', completed: true }),
    // A partial one: unhappy, then closed on the choice question without answering it.
    track('survey_answered', AT + 60_000, { ...base, response_id: 'e2e-partial', question_id: 'sat', question_type: 'csat', survey: 'csat', score: 2 }),
    track('survey_closed', AT + 70_000, { ...base, response_id: 'e2e-partial', last_question_id: 'missing', completed: false }),
  ];
  writeFileSync(path, `${records.map((r) => JSON.stringify(r)).join('\n')}\n`);
}

const numberIn = async (text: Promise<string | null>): Promise<number> => Number((await text)?.split('·')[0]?.replace(/[^0-9]/g, ''));

test('imported survey answers show in the results by persona, partial ones counted, and the responses CSV parses back', async ({ page, demo: server }) => {
  test.setTimeout(300_000);
  const pageErrors: Error[] = [];
  page.on('pageerror', (error) => pageErrors.push(error));
  await openDemo(page, server);
  await page.keyboard.press('Control+4');
  await page.getByTestId('message-row').getByRole('button', { name: 'Survey: reports satisfaction', exact: true }).click();
  await page.getByRole('tab', { name: 'Results' }).click();
  // Results split 50,000 users by every segment and persona: on a loaded machine that takes a while.
  await expect(page.getByTestId('survey-results')).toBeVisible({ timeout: 90_000 });
  const survey = page.getByTestId('survey-results');
  const before = await numberIn(survey.getByTestId('survey-responses').locator('dd').textContent());
  const completedBefore = await numberIn(survey.getByTestId('survey-completion').locator('dd').textContent());
  expect(before).toBeGreaterThan(0);

  // The answers arrive as a file of events, as sync would bring them.
  const file = join(server.dir, 'survey-answers.ndjson');
  answersFile(file);
  await page.getByTestId('import-file-input').setInputFiles(file);
  const report = page.getByTestId('import-report');
  await expect(report.getByTestId('report-rejected')).toHaveText('0', { timeout: 60_000 });
  await report.getByRole('button', { name: 'Close the report' }).click();

  // Back to the survey, still open in the Messages area.
  await page.keyboard.press('Control+4');
  await page.getByRole('tab', { name: 'Results' }).click();
  // Two more responses, one of them complete: the partial one counts as a response, not as complete.
  await expect(survey.getByTestId('survey-responses').locator('dd')).toHaveText((before + 2).toLocaleString('en-US'), { timeout: 90_000 });
  expect(await numberIn(survey.getByTestId('survey-completion').locator('dd').textContent())).toBe(completedBefore + 1);
  await expect(survey.getByTestId('survey-personas').locator('tbody tr').first()).toBeVisible();

  // Every question has its card; the CSAT card shows the share satisfied, with its charts.
  const sat = survey.locator('[data-question="sat"]');
  await expect(sat.getByTestId('question-metric')).toContainText('%');
  await expect(sat.getByRole('img', { name: 'Bar chart of answers per score from 1 to 5' })).toBeVisible();
  await expect(survey.locator('[data-question="missing"]').getByRole('img', { name: 'Bar chart of answers per choice' })).toBeVisible();

  // The written answer, found by search, with who wrote it and their personas.
  await page.getByRole('searchbox', { name: 'Search the written answers' }).fill('timeline export, "perfect"');
  const texts = survey.locator('[data-question="more"]').getByTestId('survey-text');
  await expect(texts).toHaveCount(1, { timeout: 90_000 });
  await expect(texts).toContainText(TEXT);
  await expect(texts).toContainText(USER);
  const chips = await texts.locator('.chip').allInnerTexts();
  await expectNoSeriousA11yViolations(page, 'survey results', { include: '[data-testid="survey-results"]' });
  await page.screenshot({ path: 'test-results/screens/18-survey-results.png', fullPage: true });

  // The responses CSV from the view: one row per response, the imported ones exactly as sent.
  const [download] = await Promise.all([page.waitForEvent('download'), survey.getByTestId('download-responses').click()]);
  expect(download.suggestedFilename()).toBe(`${SURVEY}-responses.csv`);
  const rows = parse(readFileSync(await download.path(), 'utf8'), { bom: true, columns: true }) as Record<string, string>[];
  expect(rows).toHaveLength(before + 2);
  const full = rows.find((r) => r.response_id === 'e2e-full');
  expect(full).toEqual({
    response_id: 'e2e-full',
    user_id: USER,
    locale: 'fr',
    started_at: new Date(AT).toISOString(),
    closed_at: new Date(AT + 21_000).toISOString(),
    completed: 'true',
    personas: chips.join('; '),
    sat: '5',
    missing: '',
    'missing.other': '',
    more: TEXT,
  });
  expect(rows.find((r) => r.response_id === 'e2e-partial')).toMatchObject({ sat: '2', missing: '', more: '', completed: 'false', closed_at: new Date(AT + 70_000).toISOString() });
  expect(pageErrors).toEqual([]);
});
