/**
 * The shell's small confusions (issue 17, items 11 and 12): a palette command lands the focus on the new
 * screen, the nav's digits are key hints rather than counts, Settings says whose date "as of" is and
 * takes ISO dates, the status bar keeps to one line at 1024 px.
 */
import { expect, openDemo, test } from './fixtures';

test('after a palette command the focus is on the new screen, so Space does not navigate away', async ({ page, demo: server }) => {
  await openDemo(page, server);
  // The focus on the nav, as after clicking it.
  await page.getByRole('navigation', { name: 'Areas' }).getByRole('button', { name: 'Data' }).focus();
  await page.keyboard.press('Control+k');
  await page.getByRole('dialog', { name: 'Command palette' }).getByRole('combobox').fill('go to segments');
  await page.keyboard.press('Enter');
  const heading = page.getByRole('heading', { level: 1, name: 'Segments', exact: true });
  await expect(heading).toBeFocused();
  await page.keyboard.press('Space');
  await expect(heading).toBeVisible();
  await expect(page.getByRole('navigation', { name: 'Areas' }).getByRole('button', { name: 'Segments' })).toHaveAttribute('aria-current', 'page');

  // A command that changes no screen leaves the focus where it was.
  await page.getByRole('navigation', { name: 'Areas' }).getByRole('button', { name: 'Segments' }).focus();
  await page.keyboard.press('Control+k');
  await page.getByRole('dialog', { name: 'Command palette' }).getByRole('combobox').fill('theme dark');
  await page.keyboard.press('Enter');
  await expect(page.getByRole('navigation', { name: 'Areas' }).getByRole('button', { name: 'Segments' })).toBeFocused();
});

test('nav shortcuts are key hints, Settings names the data date and takes ISO dates, the status bar keeps to one line at 1024 px', async ({ page, demo: server }) => {
  await page.setViewportSize({ width: 1024, height: 700 });
  await openDemo(page, server);
  const nav = page.getByRole('navigation', { name: 'Areas' });
  const segments = nav.getByRole('button', { name: 'Segments' });
  // The name is the area alone; the shortcut is announced as one and shown as a key, "Ctrl 2".
  await expect(segments).toHaveAccessibleName('Segments');
  await expect(segments).toHaveAttribute('aria-keyshortcuts', 'Control+2');
  await expect(segments.locator('kbd')).toHaveText('Ctrl 2');

  // One line: the status bar is as tall as one line of its text.
  const bar = page.locator('.status-bar');
  const height = await bar.evaluate((el) => el.getBoundingClientRect().height);
  expect(height).toBeLessThan(34);
  await expect(page.getByTestId('data-as-of')).toBeVisible();

  await page.keyboard.press('Control+5');
  await expect(page.getByTestId('settings-as-of')).toContainText('The data’s date: 2026-06-30 00:00 UTC');
  await expect(page.getByTestId('settings-as-of')).toContainText('not as of today');
  const field = page.getByRole('textbox', { name: /New instant, UTC/ });
  await expect(field).toHaveValue('2026-06-30 00:00');
  await field.fill('06/15/2026');
  await page.getByRole('button', { name: 'Apply' }).click();
  await expect(page.getByText('“06/15/2026” is not a date: write it as yyyy-mm-dd')).toBeVisible();
  await field.fill('2026-06-15');
  await page.getByRole('button', { name: 'Apply' }).click();
  await expect(page.getByTestId('data-as-of')).toHaveText('2026-06-15 00:00 UTC');
  await expect(page.getByTestId('settings-as-of')).toContainText('(set by hand)');
});

test('browser mode has a favicon: the app icon from resources/, served by the bridge', async ({ page, server }) => {
  const failed: string[] = [];
  page.on('response', (response) => {
    if (response.status() >= 400) failed.push(`${response.status()} ${response.url()}`);
  });
  await page.goto(server.url);
  await expect(page.getByRole('heading', { name: "Bring your product's events in" })).toBeVisible();
  const icons = await page.locator('link[rel="icon"]').evaluateAll((links) => links.map((l) => (l as HTMLLinkElement).href));
  expect(icons.length).toBe(2);
  for (const href of icons) {
    const response = await page.request.get(href);
    expect(response.status(), href).toBe(200);
    expect(response.headers()['content-type'], href).toMatch(/^image\/(svg\+xml|png)/);
  }
  expect(failed).toEqual([]);
});
