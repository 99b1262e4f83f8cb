import type { Locator, Page } from '@playwright/test';
import { expect, openDemo, test } from './fixtures';

/**
 * Issue 17: every empty place is the kit's one EmptyState, worded one way: a title without a full
 * stop, one line of help, and one primary action where the user can fill the place from there.
 */
async function expectOneEmptyState(scope: Page | Locator, title: string, primary: string | null): Promise<Locator> {
  const empty = scope.getByTestId('empty-state');
  await expect(empty).toHaveCount(1);
  await expect(empty.getByRole('heading', { name: title, exact: true })).toBeVisible();
  expect(title.endsWith('.')).toBe(false);
  const help = empty.locator('.empty-help');
  await expect(help).toHaveCount(1);
  expect(((await help.textContent()) ?? '').trim().length).toBeGreaterThan(20);
  const primaries = empty.locator('button.primary');
  if (primary === null) {
    await expect(primaries).toHaveCount(0);
  } else {
    await expect(primaries).toHaveCount(1);
    await expect(primaries).toHaveAccessibleName(primary);
    await expect(primaries).toBeEnabled();
  }
  return empty;
}

test('on a fresh cache every area shows the one empty state, with its title, help and primary action', async ({ page, server }) => {
  await page.goto(server.url);
  const nav = page.getByRole('navigation', { name: 'Areas' });
  const main = page.getByRole('main');

  await expectOneEmptyState(main, "Bring your product's events in", 'Open the demo workspace');

  await nav.getByRole('button', { name: 'Segments' }).click();
  const segments = await expectOneEmptyState(main, 'Build your first segment', 'Bring events in first');
  await expect(segments.getByRole('button', { name: 'New segment' })).toBeVisible();

  await nav.getByRole('button', { name: 'Workshops' }).click();
  const workshops = await expectOneEmptyState(main, 'Run your first workshop', 'New workshop');
  await expect(workshops.getByRole('button', { name: 'Import a .guidepost bundle' })).toBeVisible();

  await nav.getByRole('button', { name: 'Messages' }).click();
  const messages = await expectOneEmptyState(main, 'Write your first message', 'New NPS survey');
  await expect(messages.getByRole('button', { name: 'New upsell modal' })).toBeVisible();
  // Every kind, as in the header's menu once messages exist: the survey, banner and slideout from "New…".
  await messages.getByRole('button', { name: 'New survey, banner or slideout' }).click();
  await expect(page.getByRole('menuitem')).toHaveText(['New survey', 'New banner', 'New slideout']);
  await page.keyboard.press('Escape');
  // The outbox with nothing in it says so the same way, with nothing to do.
  await main.getByRole('tab', { name: 'Outbox' }).click();
  await expectOneEmptyState(main, 'Nothing waiting', null);

  // An area's primary action does what it says: the segments' one leads to the Data area.
  await nav.getByRole('button', { name: 'Segments' }).click();
  await main.getByTestId('empty-state').getByRole('button', { name: 'Bring events in first' }).click();
  await expectOneEmptyState(main, "Bring your product's events in", 'Open the demo workspace');
});

test('with the demo, the parts of a screen that are empty use the same component', async ({ page, demo: server }) => {
  await openDemo(page, server);
  const nav = page.getByRole('navigation', { name: 'Areas' });
  const main = page.getByRole('main');

  // Compare with one segment picked, then with no goal event.
  await nav.getByRole('button', { name: 'Segments' }).click();
  await main.getByRole('button', { name: 'Compare' }).first().click();
  const first = main.getByRole('region', { name: 'What to compare' }).getByRole('checkbox').first();
  await first.uncheck();
  await expectOneEmptyState(main, 'Pick at least two segments', null);
  await first.check();
  await main.getByRole('combobox', { name: 'Goal event' }).fill('');
  await expectOneEmptyState(main, 'Name the goal event', null);

  // A new workshop's step 2, before step 1 has personas: the way back is the primary action.
  await nav.getByRole('button', { name: 'Workshops' }).click();
  await main.getByRole('button', { name: 'New workshop', exact: true }).first().click();
  const dialog = page.getByRole('dialog', { name: 'New workshop' });
  await dialog.getByLabel('Title').fill('Empty personas');
  await dialog.getByRole('button', { name: 'Create workshop' }).click();
  await expect(page.getByLabel('Workshop title')).toHaveValue('Empty personas');
  await main.getByRole('navigation', { name: 'Steps' }).getByRole('button', { name: /Map behaviors/ }).click();
  // (The participants card above the steps, empty too in a new workshop, has its own empty state.)
  const empty = await expectOneEmptyState(main.locator('.workshop-grid'), 'No personas yet', 'Go to step 1');
  await empty.getByRole('button', { name: 'Go to step 1' }).click();
  await expect(main.getByRole('navigation', { name: 'Steps' }).getByRole('button', { name: /Brainstorm/ })).toHaveAttribute('aria-current', 'step');
});

test('a new workshop: its empty participants and personas, and every empty step in presenting mode, use the same component', async ({ page, demo: server }) => {
  await openDemo(page, server);
  const main = page.getByRole('main');
  await page.getByRole('navigation', { name: 'Areas' }).getByRole('button', { name: 'Workshops' }).click();
  await main.getByRole('button', { name: 'New workshop', exact: true }).first().click();
  const dialog = page.getByRole('dialog', { name: 'New workshop' });
  await dialog.getByLabel('Title').fill('Empty everywhere');
  await dialog.getByRole('button', { name: 'Create workshop' }).click();
  await expect(page.getByLabel('Workshop title')).toHaveValue('Empty everywhere');

  await expectOneEmptyState(main.getByRole('region', { name: 'Participants', exact: true }), 'No participants yet', null);
  await expectOneEmptyState(main.getByRole('region', { name: 'Personas', exact: true }), 'No personas yet', null);

  // Presenting walks every step; each one with nothing in it says so with the kit's empty state.
  await page.getByRole('button', { name: /^Present/ }).click();
  const titles: string[] = [];
  for (let step = 0; step < 12; step += 1) {
    const presenting = page.getByRole('dialog', { name: /^Presenting: / });
    await expect(presenting).toBeVisible();
    const empty = presenting.getByTestId('empty-state');
    if ((await empty.count()) > 0) {
      await expectOneEmptyState(presenting, (await empty.getByRole('heading').innerText()).trim(), null);
      titles.push((await empty.getByRole('heading').innerText()).trim());
    }
    // No plain "… yet." paragraph is left in its place.
    await expect(presenting.locator('p.muted', { hasText: / yet\.$/ })).toHaveCount(0);
    const next = presenting.getByRole('button', { name: 'Next step' });
    if (await next.isDisabled()) break;
    const name = await presenting.getAttribute('aria-label');
    await next.click();
    await expect(page.getByRole('dialog', { name: /^Presenting: / })).not.toHaveAttribute('aria-label', name ?? '');
  }
  expect(titles).toEqual(expect.arrayContaining(['No use cases yet', 'No personas yet', 'No opportunities yet']));
});
