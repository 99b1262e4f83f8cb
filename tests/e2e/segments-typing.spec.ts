/**
 * Issue 17, item 2: the segment builder does not error before a condition is filled in, speaks plainly,
 * and keeps the live size, sentence, chart and members (marked as updating) while a condition is typed.
 */
import { readFileSync } from 'node:fs';
import { expect, openDemo, test } from './fixtures';

test('a new condition waits for the focus to leave before it says what is missing, and the figures stay while typing', async ({ page, demo: server }) => {
  await openDemo(page, server);
  await page.keyboard.press('Control+2');
  await page.getByRole('button', { name: 'New segment', exact: true }).click();
  await page.keyboard.type('Starter reporters');

  // A first complete condition: the figures to keep.
  await page.getByRole('button', { name: 'Add condition', exact: true }).click();
  await page.getByRole('menuitem', { name: /^Event/ }).click();
  const first = page.getByRole('group', { name: 'Condition 1' });
  await page.keyboard.type('report_run');
  const live = page.getByTestId('live-size');
  await expect(live).toHaveAttribute('data-state', 'ready');
  const count = await page.getByTestId('live-count').textContent();
  expect(Number(count?.replace(/,/g, ''))).toBeGreaterThan(0);
  await expect(page.getByRole('img', { name: "Line chart of the segment's size over the last 12 weeks" })).toBeVisible();

  // A new trait condition: not red, no jargon, and the figures stay (marked as updating).
  await page.getByRole('button', { name: 'Add condition', exact: true }).click();
  await page.getByRole('menuitem', { name: /^Trait/ }).click();
  const second = page.getByRole('group', { name: 'Condition 2' });
  await expect(second.getByLabel('Trait')).toBeFocused();
  await page.keyboard.type('plan');
  await expect(second).not.toHaveClass(/invalid/);
  await expect(page.getByTestId('rule-errors')).toBeHidden();
  await expect(live).toHaveAttribute('data-state', 'stale');
  await expect(page.getByTestId('live-stale')).toHaveText('Updating…');
  await expect(page.getByTestId('live-count')).toHaveText(count ?? '');
  await expect(page.getByTestId('rule-sentence')).toHaveText('Users who did report_run');
  await expect(page.getByTestId('sample-members').getByRole('listitem').first()).toBeVisible();
  await expect(page.getByRole('img', { name: "Line chart of the segment's size over the last 12 weeks" })).toBeVisible();
  await page.screenshot({ path: 'test-results/screens/39a-segment-typing.png' });

  // Leaving the condition unfinished: now it says, plainly, what it needs.
  await page.getByRole('textbox', { name: 'Segment name' }).click();
  await expect(second).toHaveClass(/invalid/);
  await expect(second).toContainText('Enter a value to compare plan with');
  await expect(page.getByTestId('rule-errors')).toContainText('condition 2: Enter a value to compare plan with');
  await expect(page.getByTestId('rule-errors')).not.toContainText('"eq"');
  await expect(page.getByTestId('live-count')).toHaveText(count ?? '');
  await page.screenshot({ path: 'test-results/screens/39b-segment-missing-value.png' });

  // Filling it in: the figures and the sentence move on.
  await second.getByRole('combobox', { name: 'Value', exact: true }).fill('starter');
  await expect(page.getByTestId('rule-errors')).toBeHidden();
  await expect(page.getByTestId('rule-sentence')).toHaveText('Users who did report_run and whose plan is “starter”');
  await expect(live).toHaveAttribute('data-state', 'ready');
  const narrowed = await page.getByTestId('live-count').textContent();
  expect(Number(narrowed?.replace(/,/g, ''))).toBeLessThan(Number(count?.replace(/,/g, '')));

  // A half-typed event name does not drop the size to 0 with a warning while it is typed.
  await first.getByLabel('Event').fill('report_');
  await expect(live).toHaveAttribute('data-state', 'stale');
  await expect(page.getByTestId('live-count')).toHaveText(narrowed ?? '');
  await expect(live.getByRole('list', { name: 'Notes about the rule' })).toBeHidden();
  await first.getByLabel('Event').pressSequentially('run');
  await expect(live).toHaveAttribute('data-state', 'ready');
  await expect(page.getByTestId('live-count')).toHaveText(narrowed ?? '');
});

test('a segment’s members download as a CSV file from the builder', async ({ page, demo: server }) => {
  await openDemo(page, server);
  await page.keyboard.press('Control+2');
  await page.getByTestId('segment-row').filter({ hasText: 'Engaged users' }).getByRole('button', { name: 'Engaged users', exact: true }).click();
  await expect(page.getByTestId('live-size')).toHaveAttribute('data-state', 'ready');
  const count = Number((await page.getByTestId('live-count').textContent())?.replace(/,/g, ''));
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export CSV' }).click()]);
  expect(download.suggestedFilename()).toBe('engaged-users-members.csv');
  const path = await download.path();
  const lines = readFileSync(path, 'utf8').trimEnd().split('\r\n');
  expect(lines[0]).toBe('user_id');
  expect(lines.length - 1).toBe(count);
  expect(new Set(lines.slice(1)).size).toBe(count);
  await expect(page.getByTestId('toast').filter({ hasText: `Exported ${count.toLocaleString('en-US')} members.` })).toBeVisible();
});
