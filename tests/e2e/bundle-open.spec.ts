/**
 * A .guidepost bundle the app is launched with (a double-click) is shown for confirmation, never imported
 * by opening it: browser mode takes the file on its command line as the desktop app takes it from the OS.
 * Needs `npx electron-vite build` first.
 */
import { expect, test } from '@playwright/test';
import { callBridge, startBrowserMode } from './fixtures';

test('a bundle opened from outside shows what it holds and imports only on Import', async ({ page }) => {
  // Another machine: a workshop with a participant, exported as a bundle.
  const origin = await startBrowserMode();
  let bundle: string;
  try {
    const created = await callBridge<{ id: string }>(origin.server, 'createWorkshop', {
      title: 'Northwind kickoff',
      account: 'Northwind',
      template: 'personas',
      participants: [{ name: 'Ada', role: 'PM' }],
    });
    const exported = await callBridge<{ files: string[] }>(origin.server, 'exportWorkshop', { id: created.id, format: 'bundle' });
    bundle = exported.files[0] as string;
  } catch (err) {
    await origin.stop();
    throw err;
  }

  // This machine, launched with the bundle: the dialog shows it, and Cancel imports nothing.
  const opened = await startBrowserMode(bundle);
  try {
    await page.goto(opened.server.url);
    const dialog = page.getByRole('dialog', { name: 'Import “Northwind kickoff”?' });
    await expect(dialog).toBeVisible();
    await expect(dialog).toContainText('Nothing is imported until you say so.');
    await expect(dialog.locator('dd').nth(1)).toHaveText(/^Northwind · \d{4}-\d{2}-\d{2}$/);
    await expect(dialog.locator('dd').nth(2)).toHaveText('1');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await expect(dialog).toBeHidden();
    expect(await callBridge<unknown[]>(opened.server, 'listWorkshops', {})).toEqual([]);
  } finally {
    await opened.stop();
  }

  // Launched with it again: Import (Enter on the focused button) recreates it and opens it.
  const again = await startBrowserMode(bundle);
  try {
    await page.goto(again.server.url);
    const dialog = page.getByRole('dialog', { name: 'Import “Northwind kickoff”?' });
    await expect(dialog.getByRole('button', { name: 'Import workshop' })).toBeFocused();
    await page.keyboard.press('Enter');
    await expect(dialog).toBeHidden();
    await expect(page.getByRole('textbox', { name: 'Workshop title' })).toHaveValue('Northwind kickoff');
    expect(await callBridge<{ title: string }[]>(again.server, 'listWorkshops', {})).toMatchObject([{ title: 'Northwind kickoff' }]);
  } finally {
    await again.stop();
    await origin.stop();
  }
});
