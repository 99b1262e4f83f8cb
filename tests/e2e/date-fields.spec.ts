/**
 * Issue 17, item 12: dates are typed as they are shown everywhere, ISO yyyy-mm-dd in UTC, never in the
 * browser's date picker (mm/dd/yyyy in the US, local time). Text the field cannot read is said when the
 * field is left, and the last good date stays in force. Needs `npx electron-vite build` first.
 */
import type { Page } from '@playwright/test';
import type { Workshop } from '../../src/shared/workshop/model';
import { callBridge, expect, openDemo, test } from './fixtures';

const DEMO_WORKSHOP = 'Taskly · Persona workshop';
const DEMO_ID = 'demo-persona-workshop';

async function saved(page: Page): Promise<void> {
  await expect(page.getByTestId('workshop-save-state')).toHaveText('Saved');
}

test('the workshop dates are ISO text fields in UTC: the new-workshop dialog, the header and step 3', async ({ page, demo: server }) => {
  await openDemo(page, server);
  await page.keyboard.press('Control+3');

  // The new-workshop dialog: today as yyyy-mm-dd, and what it made of the typed day.
  await page.getByRole('button', { name: 'New workshop', exact: true }).first().click();
  const dialog = page.getByRole('dialog', { name: 'New workshop' });
  const newDate = dialog.getByRole('textbox', { name: 'Date' });
  await expect(newDate).toHaveValue(new Date().toISOString().slice(0, 10));
  await newDate.fill('2026-03-09');
  await dialog.getByLabel('Title').fill('Dated kickoff');
  await dialog.getByRole('button', { name: 'Create workshop' }).click();
  await expect(page.getByLabel('Workshop title')).toHaveValue('Dated kickoff');
  const header = page.getByRole('textbox', { name: 'Date' });
  await expect(header).toHaveValue('2026-03-09');
  await expect(page.locator('input[type="date"]')).toHaveCount(0);

  // The demo workshop's header: a US-style date is refused in plain words when the field is left, and changes nothing.
  await page.getByRole('button', { name: '← Workshops' }).click();
  await page.getByTestId('workshop-row').getByRole('button', { name: DEMO_WORKSHOP, exact: true }).click();
  await expect(page.getByLabel('Workshop title')).toHaveValue(DEMO_WORKSHOP);
  const before = (await callBridge<Workshop>(server, 'getWorkshop', { id: DEMO_ID })).date;
  await expect(header).toHaveValue(before);
  await header.fill('06/15/2026');
  await header.press('Tab');
  await expect(header).toHaveAttribute('aria-invalid', 'true');
  await expect(page.getByRole('alert').filter({ hasText: '“06/15/2026” is not a date: write it as yyyy-mm-dd (UTC)' })).toBeVisible();
  await saved(page);
  expect((await callBridge<Workshop>(server, 'getWorkshop', { id: DEMO_ID })).date).toBe(before);
  // A day that does not exist is refused too, not rolled over into March.
  await header.fill('2026-02-30');
  await header.press('Tab');
  await expect(page.getByRole('alert').filter({ hasText: '“2026-02-30” is not a date' })).toBeVisible();
  await header.fill('2026-06-15');
  await header.press('Tab');
  await expect(header).toHaveAttribute('aria-invalid', 'false');
  await saved(page);
  expect((await callBridge<Workshop>(server, 'getWorkshop', { id: DEMO_ID })).date).toBe('2026-06-15');

  // Step 3's "Compute as of": a UTC day, whole (its last millisecond); emptied, it follows the cache again.
  await page.getByRole('navigation', { name: 'Steps' }).getByRole('button', { name: /Map usage patterns/ }).click();
  const asOf = page.getByRole('textbox', { name: 'Compute as of' });
  const demoAsOf = (await callBridge<Workshop>(server, 'getWorkshop', { id: DEMO_ID })).asOf;
  await expect(asOf).toHaveValue(demoAsOf === null ? '' : new Date(demoAsOf).toISOString().slice(0, 10));
  await asOf.fill('2026-06-01');
  await expect(page.getByTestId('usage-as-of')).toContainText('Figures as of 2026-06-01 23:59 UTC');
  await saved(page);
  expect((await callBridge<Workshop>(server, 'getWorkshop', { id: DEMO_ID })).asOf).toBe(Date.UTC(2026, 5, 1, 23, 59, 59, 999));
  await asOf.fill('2026-06-01 12:00');
  await asOf.press('Tab');
  await expect(page.getByRole('alert').filter({ hasText: '“2026-06-01 12:00” is not a date: write it as yyyy-mm-dd (UTC)' })).toBeVisible();
  await asOf.fill('');
  await asOf.press('Tab');
  await expect(asOf).toHaveAttribute('aria-invalid', 'false');
  await expect(page.getByTestId('usage-as-of')).toContainText('Figures as of 2026-06-30 00:00 UTC');
  await saved(page);
  expect((await callBridge<Workshop>(server, 'getWorkshop', { id: DEMO_ID })).asOf).toBeNull();
});
