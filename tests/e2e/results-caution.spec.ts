/**
 * Issue 17, item 9: results that do not mislead. A click-through rate only where there is a call to
 * action, a trend chart for every message, the one small-sample caution wherever a rate or score is
 * shown (message results and segments Compare), and respondents outside the target explained.
 */
import { callBridge, cliCount, expect, openDemo, test } from './fixtures';

test('message results: CTR only with a call to action, a daily trend for each message, and small samples cautioned', async ({ page, demo: server }) => {
  await openDemo(page, server);
  await page.keyboard.press('Control+4');

  // The NPS survey: nothing to click, so no "Clicked 0 · CTR 0%".
  await page.getByTestId('message-row').getByRole('button', { name: 'NPS: engaged users', exact: true }).click();
  await page.getByRole('tab', { name: 'Results' }).click();
  const results = page.getByTestId('message-results');
  await expect(results.getByTestId('result-stats')).toContainText('Shown');
  await expect(results.getByTestId('result-stats')).not.toContainText('Click-through rate');
  await expect(results.getByTestId('result-stats')).not.toContainText('Clicked');
  const trend = results.getByRole('region', { name: 'Shown and answered per day' });
  await expect(trend.getByRole('img', { name: "Line chart of the message's showings per day over the last 30 days" })).toBeVisible();
  await trend.getByRole('button', { name: 'Show table' }).click();
  await expect(trend.locator('tbody tr')).toHaveCount(30);
  const answers = Number((await results.getByTestId('result-stats').locator('.stat').filter({ hasText: 'Answers' }).locator('dd').textContent())?.replace(/,/g, ''));
  expect(answers).toBeGreaterThan(0);
  // The caution follows the one rule: fewer than 100 answers.
  const cautions = results.getByTestId('sample-caution');
  if (answers < 100) await expect(cautions.first()).toContainText(`Only ${answers} answers: this score could be off by up to ±`);
  else await expect(cautions).toHaveCount(0);
  await page.screenshot({ path: 'test-results/screens/63b-nps-results.png', fullPage: true });

  // The upsell has a call to action: its CTR shows, with its trend.
  await page.getByRole('button', { name: '← Messages' }).click();
  await page.getByTestId('message-row').getByRole('button', { name: 'Upsell: starter admins at the project limit', exact: true }).click();
  await page.getByRole('tab', { name: 'Results' }).click();
  await expect(results.getByTestId('ctr')).toBeVisible();
  await expect(results.getByRole('region', { name: 'Shown and clicked per day' }).getByRole('img')).toBeVisible();
  const shown = Number((await results.getByTestId('result-stats').locator('.stat').filter({ hasText: 'Shown' }).locator('dd').textContent())?.replace(/,/g, ''));
  if (shown > 0 && shown < 100) await expect(results.getByTestId('sample-caution').first()).toContainText(`Only ${shown} showings`);
  await page.screenshot({ path: 'test-results/screens/63c-upsell-results.png', fullPage: true });
});

/** The upsell's audience narrowed to the last 2 days: a few dozen members in the demo (cliCount says how many). */
const RECENT_LIMIT_RULE = {
  version: 1,
  match: 'all',
  conditions: [
    { type: 'trait', trait: 'plan', op: 'eq', value: 'starter' },
    { type: 'trait', trait: 'role', op: 'eq', value: 'admin' },
    { type: 'event', event: 'usage_limit_hit', op: '>=', count: 1, within: { days: 2 }, where: [{ property: 'limit', op: 'eq', value: 'projects' }] },
  ],
};

test('segments Compare marks a conversion rate from a small segment', async ({ page, demo: server }) => {
  const expected = cliCount(server, RECENT_LIMIT_RULE).count;
  expect(expected).toBeGreaterThan(0);
  expect(expected).toBeLessThan(100);
  await callBridge(server, 'saveSegment', { name: 'Starter admins at the limit lately', rule: RECENT_LIMIT_RULE });
  await openDemo(page, server);
  await page.keyboard.press('Control+2');
  await page.getByRole('button', { name: 'Compare' }).click();
  const view = page.getByTestId('compare-view');
  await view.getByRole('checkbox', { name: 'Engaged users' }).check();
  await view.getByRole('checkbox', { name: 'Starter admins at the limit lately' }).check();
  const table = view.getByTestId('compare-table');
  await expect(table.locator('tbody tr')).toHaveCount(2);
  const small = table.locator('tbody tr').filter({ hasText: 'Starter admins at the limit lately' });
  const size = Number((await small.locator('td').first().textContent())?.replace(/,/g, ''));
  expect(size).toBe(expected);
  await expect(small).toContainText('%*');
  await expect(view.getByTestId('sample-caution')).toContainText(`Starter admins at the limit lately: Only ${size} members: this rate could be off by up to ±`);
  await page.screenshot({ path: 'test-results/screens/36b-segment-compare-caution.png' });
});
