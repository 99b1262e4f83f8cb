import { expect, test } from './fixtures';

test('a fresh cache offers the demo, which fills the catalog and the volume chart; the theme switches', async ({ page, server }) => {
  await page.goto(server.url);
  await expect(page.getByRole('heading', { name: "Bring your product's events in" })).toBeVisible();
  await expect(page.getByTestId('data-as-of')).toHaveText('no data yet');
  await page.screenshot({ path: 'test-results/screens/01-empty.png' });

  await page.getByRole('button', { name: 'Open the demo workspace' }).click();
  // Generation runs in the worker and reports progress to the activity tray.
  await expect(page.getByTestId('activity-item')).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Data', exact: true })).toBeVisible({ timeout: 90_000 });
  await expect(page.getByTestId('data-as-of')).toHaveText('2026-06-30 00:00 UTC');

  const catalog = page.getByTestId('event-catalog');
  await expect(catalog.getByRole('row', { name: /report_run/ })).toBeVisible();
  const rows = await catalog.locator('tbody tr').count();
  expect(rows).toBeGreaterThanOrEqual(35);
  await expect(page.getByRole('img', { name: 'Bar chart of daily event volume' })).toBeVisible();
  await page.screenshot({ path: 'test-results/screens/02-data-light.png' });

  // The numbers behind the chart are one click away.
  await page.getByRole('button', { name: 'Show table' }).click();
  await expect(page.getByRole('cell', { name: '2026-06-29', exact: true })).toBeVisible();
  await page.getByRole('button', { name: 'Show chart' }).click();
  await expect(page.getByRole('img', { name: 'Bar chart of daily event volume' })).toBeVisible();

  // Theme: the command palette reaches it from the keyboard.
  await page.keyboard.press('Control+k');
  await page.getByRole('combobox').fill('theme dark');
  await page.keyboard.press('Enter');
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  await page.screenshot({ path: 'test-results/screens/03-data-dark.png' });

  await page.keyboard.press('Control+5');
  await expect(page.getByRole('heading', { name: 'Settings' })).toBeVisible();
  await page.getByText('Light', { exact: true }).click();
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'light');
  await page.screenshot({ path: 'test-results/screens/04-settings.png' });
});
