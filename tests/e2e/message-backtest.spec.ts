/**
 * The backtest in the message editor (issue 19, item 4) on the demo workspace: a copy of the upsell modal
 * (same trigger, same priority, a later id) replayed over the last four weeks against the two live demo
 * messages: impressions per week, and the live upsell listed as what blocked it (its place on the page: one blocking message at a time).
 * And a long backtest (a copy of the NPS survey on every login, twelve weeks: tens of chunks of users) cancelled while it runs.
 */
import type { Page } from '@playwright/test';
import { expect, openDemo, test } from './fixtures';

const UPSELL = 'Upsell: starter admins at the project limit';
const NPS = 'NPS: engaged users';

/** Duplicates a message of the list and opens the copy in the editor. */
async function openCopyOf(page: Page, name: string): Promise<void> {
  await page.getByRole('button', { name: `Actions for ${name}` }).click();
  await page.getByRole('menuitem', { name: 'Duplicate' }).click();
  await page.getByRole('button', { name: `${name} (copy)`, exact: true }).click();
  await expect(page.getByRole('heading', { level: 1, name: `${name} (copy)` })).toBeVisible();
}

test('run a backtest from the editor: impressions per week and who blocked it', async ({ page, demo: server }) => {
  test.setTimeout(180_000);
  const pageErrors: string[] = [];
  page.on('pageerror', (error) => pageErrors.push(error.message));
  await openDemo(page, server);
  await page.keyboard.press('Control+4');

  await openCopyOf(page, UPSELL);

  const panel = page.getByTestId('backtest');
  await expect(panel.getByRole('radio', { name: '4 weeks' })).toBeChecked();
  await panel.getByRole('button', { name: 'Run backtest' }).click();
  const result = panel.getByTestId('backtest-result');
  await expect(result).toBeVisible({ timeout: 120_000 });
  await expect(result).toContainText(
    'against “Upsell: starter admins at the project limit” (priority 10), “Survey: reports satisfaction” (priority 5), “Banner: timeline reports are here” (priority 0), “NPS: engaged users” (priority 0)',
  );

  // Impressions per week: the chart, and its numbers one click away (four weeks, oldest first).
  const weekly = result.getByRole('region', { name: 'Impressions per week' });
  await expect(weekly.getByRole('img', { name: /impressions per week/ })).toBeVisible();
  await weekly.getByRole('button', { name: 'Show table' }).click();
  const weekRows = weekly.getByRole('row');
  await expect(weekRows).toHaveCount(5);
  await expect(weekRows.nth(1)).toContainText('2026-06-02');
  await expect(weekRows.nth(4)).toContainText('2026-06-23');

  // The live upsell comes first (same priority, earlier id) and takes the one blocking place.
  const blocked = result.getByTestId('backtest-blocked');
  const upsellRow = blocked.getByRole('row').filter({ hasText: UPSELL }).filter({ hasText: 'Higher priority' });
  await expect(upsellRow).toContainText('Higher priority');
  expect(Number((await upsellRow.getByRole('cell').nth(1).textContent())?.replace(/,/g, ''))).toBeGreaterThan(0);

  // Changing the draft marks the figures out of date until the next run.
  // The radio sits under its label (a segmented control): the label takes the click.
  await panel.getByText('8 weeks', { exact: true }).click();
  await expect(panel.getByRole('radio', { name: '8 weeks' })).toBeChecked();
  await expect(result).toContainText('The message changed since: run it again.');
  expect(pageErrors).toEqual([]);
});

test('cancel a running backtest: its progress, then the panel says it was cancelled and shows no result', async ({ page, demo: server }) => {
  test.setTimeout(180_000);
  const pageErrors: string[] = [];
  page.on('pageerror', (error) => pageErrors.push(error.message));
  await openDemo(page, server);
  await page.keyboard.press('Control+4');

  await openCopyOf(page, NPS);

  const panel = page.getByTestId('backtest');
  await panel.getByText('12 weeks', { exact: true }).click();
  await expect(panel.getByRole('radio', { name: '12 weeks' })).toBeChecked();
  await panel.getByRole('button', { name: 'Run backtest' }).click();

  // Its progress, in users replayed of those to replay (every login of twelve weeks: thousands of users, tens of chunks).
  const progress = panel.getByTestId('backtest-progress');
  await expect(progress.getByRole('progressbar', { name: 'Backtest running' })).toHaveAttribute('aria-valuetext', /^Replayed [\d,]+ of [\d,]+ users$/, { timeout: 60_000 });
  await expect(panel.getByRole('button', { name: 'Replaying…' })).toBeDisabled();
  await progress.getByRole('button', { name: 'Cancel the backtest' }).click();

  await expect(panel.getByText(`Backtest of “${NPS} (copy)” was cancelled.`)).toBeVisible();
  await expect(progress).toBeHidden();
  await expect(panel.getByTestId('backtest-result')).toHaveCount(0);
  await expect(panel.getByRole('button', { name: 'Run backtest' })).toBeEnabled();
  expect(pageErrors).toEqual([]);
});
