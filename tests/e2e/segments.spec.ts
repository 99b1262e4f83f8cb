import type { Page } from '@playwright/test';
import { cliCount, expect, openDemo, test } from './fixtures';

const SENTENCE = 'Users who did report_run at least 6 times in the last 30 days and never did invite_sent';

/** The same rule the test builds by hand, as the CLI reads it. */
const RULE = {
  version: 1,
  match: 'all',
  conditions: [
    { type: 'event', event: 'report_run', op: '>=', count: 6, within: { days: 30 } },
    { type: 'event', event: 'invite_sent', op: '=', count: 0 },
  ],
};

/** Runs a command from the palette (Ctrl+K), by typing part of its name. */
async function command(page: Page, text: string): Promise<void> {
  await page.keyboard.press('Control+k');
  await page.getByRole('dialog', { name: 'Command palette' }).getByRole('combobox').fill(text);
  await page.keyboard.press('Enter');
}

const fmt = (n: number): string => n.toLocaleString('en-US');

test('a segment built by hand counts what the CLI counts, reads as a sentence, and saves', async ({ page, demo: server }) => {
  const previews: string[] = [];
  page.on('request', (req) => {
    if (req.url().includes('/api/call/previewSegment')) previews.push(req.postData() ?? '');
  });
  await openDemo(page, server);

  await page.keyboard.press('Control+2');
  // The demo workspace brings the two segments its messages target.
  await expect(page.getByTestId('segment-row')).toHaveCount(2);
  await expect(page.getByTestId('segment-row').filter({ hasText: 'Engaged users' })).toBeVisible();
  await page.screenshot({ path: 'test-results/screens/30-segments-demo.png' });

  await page.getByRole('button', { name: 'New segment', exact: true }).click();
  const name = page.getByRole('textbox', { name: 'Segment name' });
  await expect(name).toBeFocused();
  await page.keyboard.type('Reporters who never invite');
  // No conditions: everyone.
  await expect(page.getByTestId('rule-sentence')).toHaveText('All users');

  // Condition 1, with the mouse: report_run at least 6 times in the last 30 days.
  await page.getByRole('button', { name: 'Add condition', exact: true }).click();
  await page.getByRole('menuitem', { name: /^Event/ }).click();
  const first = page.getByRole('group', { name: 'Condition 1' });
  await expect(first.getByLabel('Event')).toBeFocused();
  await page.keyboard.type('report_run');
  await first.getByLabel('How many times').selectOption({ label: 'at least' });
  await first.getByLabel('Count').fill('6');
  await first.getByLabel('in the last').check();
  await first.getByLabel('Days').fill('30');

  // Condition 2, from the keyboard: the menu opens with the arrow keys, and the new condition takes the focus.
  await page.getByRole('button', { name: 'Add condition', exact: true }).focus();
  await page.keyboard.press('ArrowDown');
  await expect(page.getByRole('menu')).toBeFocused();
  await page.keyboard.press('Enter');
  const second = page.getByRole('group', { name: 'Condition 2' });
  await expect(second.getByLabel('Event')).toBeFocused();
  await page.keyboard.type('invite_sent');
  await page.keyboard.press('Tab');
  await expect(second.getByLabel('How many times')).toBeFocused();
  await second.getByLabel('How many times').selectOption({ label: 'exactly' });
  await page.keyboard.press('Tab');
  await page.keyboard.press('Control+a');
  await page.keyboard.type('0');

  await expect(page.getByTestId('rule-sentence')).toHaveText(SENTENCE);
  const expected = cliCount(server, RULE);
  expect(expected.count).toBeGreaterThan(0);
  const live = page.getByTestId('live-size');
  await expect(page.getByTestId('live-count')).toHaveText(fmt(expected.count));
  await expect(live).toHaveAttribute('data-state', 'ready');
  await expect(page.getByTestId('live-share')).toHaveText(/^[\d.<]+%$/);
  await expect(live).toContainText(`of ${fmt(expected.total)} users`);
  await expect(page.getByTestId('sample-members').getByRole('listitem').first()).toBeVisible();
  await expect(page.getByRole('img', { name: "Line chart of the segment's size over the last 12 weeks" })).toBeVisible();
  await page.screenshot({ path: 'test-results/screens/31-segment-builder.png' });

  // The trend's numbers are one click away.
  const trend = page.getByRole('region', { name: 'Size over 12 weeks' });
  await trend.getByRole('button', { name: 'Show table' }).click();
  await expect(trend.locator('tbody tr')).toHaveCount(12);
  await expect(trend.locator('tbody tr').last().locator('td').nth(1)).toHaveText(fmt(expected.count));
  await trend.getByRole('button', { name: 'Show chart' }).click();

  // An invalid rule says where it is wrong, and is not sent for a preview.
  const sent = previews.length;
  await first.getByLabel('Count').fill('-1');
  await expect(page.getByTestId('rule-errors')).toContainText('condition 1: Count cannot be negative');
  await expect(first).toContainText('Count cannot be negative');
  // The figures stay, marked out of date, instead of vanishing.
  await expect(live).toHaveAttribute('data-state', 'stale');
  await expect(page.getByTestId('live-count')).toHaveText(fmt(expected.count));
  await page.waitForTimeout(600);
  expect(previews.slice(sent).some((body) => body.includes('"count":-1'))).toBe(false);
  await page.screenshot({ path: 'test-results/screens/32-segment-invalid.png' });
  await first.getByLabel('Count').fill('6');
  await expect(page.getByTestId('rule-errors')).toBeHidden();
  await expect(page.getByTestId('live-count')).toHaveText(fmt(expected.count));

  // Save from the keyboard.
  await page.keyboard.press('Control+s');
  await expect(page.getByTestId('toast').filter({ hasText: 'Saved “Reporters who never invite”.' })).toBeVisible();
  await expect(page.getByTestId('save-state')).toHaveText('Saved');

  // Dark theme, same screen.
  await command(page, 'theme dark');
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  await page.screenshot({ path: 'test-results/screens/33-segment-builder-dark.png' });
  await command(page, 'theme light');

  await page.getByRole('button', { name: '← Segments' }).click();
  const row = page.getByTestId('segment-row').filter({ hasText: 'Reporters who never invite' });
  await expect(row).toContainText(SENTENCE);
  await expect(row.getByTestId('segment-size')).toContainText(fmt(expected.count));
  await page.screenshot({ path: 'test-results/screens/34-segment-list.png' });

  // The palette opens it by name.
  await page.keyboard.press('Control+1');
  await command(page, 'reporters');
  await expect(page.getByRole('textbox', { name: 'Segment name' })).toHaveValue('Reporters who never invite');
  await expect(page.getByTestId('rule-sentence')).toHaveText(SENTENCE);
});

test('templates fill the builder; saved segments compare side by side; delete warns, and undoes', async ({ page, demo: server }) => {
  await openDemo(page, server);
  await page.getByRole('button', { name: /^Segments/ }).click();

  // The engagement ladder asks for its two events first.
  await page.getByRole('button', { name: 'Start from a template' }).click();
  const dialog = page.getByRole('dialog', { name: 'Start from a template' });
  await expect(dialog.getByLabel('Activated event')).toHaveValue('project_created');
  await expect(dialog.getByLabel('Core event')).toHaveValue('report_run');
  await page.screenshot({ path: 'test-results/screens/35-segment-templates.png' });
  await dialog.getByRole('region', { name: 'Engagement ladder' }).getByRole('button', { name: /^Power users/ }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByRole('textbox', { name: 'Segment name' })).toHaveValue('Power users');
  await expect(page.getByTestId('rule-sentence')).toHaveText('Users who did report_run at least 6 times in the last 30 days');
  const power = cliCount(server, { version: 1, match: 'all', conditions: [{ type: 'event', event: 'report_run', op: '>=', count: 6, within: { days: 30 } }] });
  await expect(page.getByTestId('live-count')).toHaveText(fmt(power.count));
  await page.getByRole('button', { name: /^Save/ }).click();
  await expect(page.getByTestId('save-state')).toHaveText('Saved');

  // A classic, from the list's menu.
  await page.getByRole('button', { name: '← Segments' }).click();
  await page.getByRole('button', { name: 'Start from a template' }).click();
  await dialog.getByRole('region', { name: 'Classics' }).getByRole('button', { name: /^Hit a usage limit/ }).click();
  await expect(page.getByTestId('rule-sentence')).toHaveText('Users who did usage_limit_hit in the last 30 days');
  await expect(page.getByTestId('live-size')).toHaveAttribute('data-state', 'ready');
  await page.keyboard.press('Control+s');
  await expect(page.getByTestId('save-state')).toHaveText('Saved');

  // A name already taken is refused with the backend's words.
  await page.getByRole('button', { name: '← Segments' }).click();
  await page.getByRole('button', { name: 'New segment', exact: true }).click();
  await page.keyboard.type('power users');
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('save-error')).toHaveText('A segment named “power users” already exists.');
  // A segment that uses another.
  await page.getByRole('textbox', { name: 'Segment name' }).fill('Power users on a paid plan');
  await page.getByRole('button', { name: 'Add condition', exact: true }).click();
  await page.getByRole('menuitem', { name: /^Segment/ }).click();
  await page.getByLabel('Saved segment').selectOption({ label: 'Power users' });
  await page.getByRole('button', { name: 'Add condition', exact: true }).click();
  await page.getByRole('menuitem', { name: /^Trait/ }).click();
  const trait = page.getByRole('group', { name: 'Condition 2' });
  await page.keyboard.type('plan');
  await trait.getByLabel('Operator').selectOption({ label: 'is none of' });
  await trait.getByLabel('Values, separated by commas').fill('free');
  await expect(page.getByTestId('rule-sentence')).toHaveText('Users who are in “Power users” and whose plan is not “free”');
  await expect(page.getByTestId('live-size')).toHaveAttribute('data-state', 'ready');
  await page.keyboard.press('Control+s');
  await expect(page.getByTestId('save-state')).toHaveText('Saved');
  await page.getByRole('button', { name: '← Segments' }).click();
  await expect(page.getByTestId('segment-row')).toHaveCount(5);

  // Compare: pick two segments; the goal defaults to upgrade_clicked.
  await page.getByRole('button', { name: 'Compare' }).click();
  const view = page.getByTestId('compare-view');
  await view.getByRole('checkbox', { name: 'Power users', exact: true }).check();
  await view.getByRole('checkbox', { name: 'Hit a usage limit' }).check();
  // Only those two: the demo's own segments and the paid-plan one are left out.
  for (const other of ['Power users on a paid plan', 'Engaged users', 'Starter admins at the project limit']) {
    await view.getByRole('checkbox', { name: other }).uncheck();
  }
  await expect(view.getByLabel('Goal event')).toHaveValue('upgrade_clicked');
  const table = view.getByTestId('compare-table');
  await expect(table.locator('tbody tr')).toHaveCount(2);
  await expect(table.locator('tbody tr').filter({ hasText: 'Power users' })).toContainText(fmt(power.count));
  await expect(table.locator('tbody tr').first()).toContainText('%');
  await expect(view.getByRole('img', { name: 'Bar chart of conversion to upgrade_clicked per segment' })).toBeVisible();
  await expect(view.getByRole('img', { name: 'Line chart of the weekly active share per segment' })).toBeVisible();
  await page.screenshot({ path: 'test-results/screens/36-segment-compare.png' });

  // Deleting a segment others use names them first; Undo brings it back.
  await page.getByRole('button', { name: '← Segments' }).click();
  await page.getByRole('button', { name: 'Delete Power users', exact: true }).click();
  const warning = page.getByRole('alertdialog', { name: 'Delete Power users?' });
  await expect(warning).toContainText('“Power users on a paid plan” refers to it');
  await page.screenshot({ path: 'test-results/screens/37-segment-delete-warning.png' });
  await warning.getByRole('button', { name: 'Keep it' }).click();
  await expect(page.getByTestId('segment-row')).toHaveCount(5);

  await page.getByRole('button', { name: 'Delete Hit a usage limit' }).click();
  await expect(page.getByTestId('segment-row')).toHaveCount(4);
  const toast = page.getByTestId('toast').filter({ hasText: 'Deleted “Hit a usage limit”.' });
  await toast.getByRole('button', { name: 'Undo' }).click();
  await expect(page.getByTestId('segment-row')).toHaveCount(5);
  await expect(page.getByTestId('segment-row').filter({ hasText: 'Hit a usage limit' })).toContainText('usage_limit_hit');

  // Rename in place.
  await page.getByRole('button', { name: 'Rename Hit a usage limit' }).click();
  await page.keyboard.press('Control+a');
  await page.keyboard.type('Hit the limit');
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('segment-row').filter({ hasText: 'Hit the limit' })).toBeVisible();
  await page.screenshot({ path: 'test-results/screens/38-segment-list-three.png' });
});
