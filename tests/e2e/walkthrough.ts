/**
 * A walk through every area of the demo workspace and its key sub-views, as a new user would take it.
 * At each stop, once the view has settled, it calls `visit(stop)`: the accessibility spec runs axe
 * there, `npm run screens` takes a screenshot. One walk for both, so they see the same face.
 *
 * It starts from the Data area of an opened demo (see openDemo in fixtures.ts).
 */
import { expect, type Page } from '@playwright/test';

export const DEMO_WORKSHOP = 'Taskly · Persona workshop';
export const DEMO_MESSAGE = 'Upsell: starter admins at the project limit';
export const DEMO_SEGMENT = 'Engaged users';

/**
 * Waits for the page to settle: fonts loaded, nothing dimmed while it loads (`.loading`, `.stale-soft`,
 * aria-busy: a half-transparent view fails a contrast check that the finished one passes) for at most
 * 15 s, and two frames drawn since.
 */
async function settle(page: Page): Promise<void> {
  await page
    .waitForFunction(() => document.querySelector('.loading, .stale-soft, [aria-busy="true"]') === null, undefined, { timeout: 15_000 })
    .catch(() => undefined);
  await page.evaluate(async () => {
    await document.fonts.ready;
    // Past the 120 ms opacity transitions of views that stopped loading.
    await new Promise((resolve) => setTimeout(resolve, 150));
    await new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));
  });
}

/** The stops, in order: their names are short, file-name safe and stable (screens are named after them). */
export async function walkEveryArea(page: Page, visit: (stop: string) => Promise<void>): Promise<void> {
  const stop = async (name: string): Promise<void> => {
    await settle(page);
    await visit(name);
  };

  // Data: the events catalog, users, imports.
  await page.keyboard.press('Control+1');
  await expect(page.getByRole('heading', { name: 'Data', exact: true })).toBeVisible();
  await expect(page.getByRole('img', { name: 'Bar chart of daily event volume' })).toBeVisible();
  await stop('01-data-events');
  await page.getByRole('tab', { name: 'Users' }).click();
  await expect(page.getByRole('table').first()).toBeVisible();
  await stop('02-data-users');
  await page.getByRole('tab', { name: 'Imports' }).click();
  await stop('03-data-imports');

  // Segments: the list, the builder with a saved segment, Compare.
  await page.keyboard.press('Control+2');
  await expect(page.getByRole('heading', { name: 'Segments', exact: true })).toBeVisible();
  await expect(page.getByTestId('segment-row').first()).toBeVisible();
  await stop('04-segments-list');
  await page.getByTestId('segment-row').filter({ hasText: DEMO_SEGMENT }).getByRole('button', { name: DEMO_SEGMENT, exact: true }).click();
  await expect(page.getByRole('textbox', { name: 'Segment name' })).toHaveValue(DEMO_SEGMENT);
  await expect(page.getByTestId('live-count')).toHaveText(/\d/);
  await stop('05-segments-builder');
  await page.getByRole('button', { name: '← Segments' }).click();
  await expect(page.getByTestId('segment-row').first()).toBeVisible();

  // Workshops: the list, then the demo workshop at its usage step (charts) and at prioritizing.
  await page.keyboard.press('Control+3');
  await expect(page.getByRole('heading', { name: 'Workshops', exact: true })).toBeVisible();
  await expect(page.getByTestId('workshop-row').first()).toBeVisible();
  await stop('06-workshops-list');
  await page.getByRole('button', { name: DEMO_WORKSHOP, exact: true }).click();
  const steps = page.getByRole('navigation', { name: 'Steps' });
  await expect(steps).toBeVisible();
  await stop('07-workshop-first-step');
  await steps.getByRole('button').nth(2).click();
  // The figures are dimmed while they compute or the workshop saves: wait until they are final and fully
  // opaque, or the check would judge a half-transparent screen (its contrast) that no one reads.
  await expect(page.locator('.usage-results:not(.stale-soft)')).toBeVisible();
  await page.waitForFunction(() => {
    const results = document.querySelector('.usage-results');
    return results !== null && !results.classList.contains('stale-soft') && getComputedStyle(results).opacity === '1';
  });
  await stop('08-workshop-step-3');
  await steps.getByRole('button').last().click();
  await stop('09-workshop-last-step');

  // Messages: the list, the editor with its preview, the results.
  await page.keyboard.press('Control+4');
  await expect(page.getByRole('heading', { name: 'Messages', exact: true })).toBeVisible();
  await expect(page.getByTestId('message-row').first()).toBeVisible();
  await stop('10-messages-list');
  await page.getByRole('button', { name: DEMO_MESSAGE, exact: true }).click();
  await expect(page.getByRole('heading', { level: 1, name: DEMO_MESSAGE })).toBeVisible();
  await page.getByRole('tab', { name: /^Edit and preview/ }).click();
  await stop('11-message-editor');
  await page.getByRole('tab', { name: 'Results' }).click();
  await stop('12-message-results');
  await page.getByRole('button', { name: '← Messages' }).click();

  // Settings.
  await page.keyboard.press('Control+5');
  await expect(page.getByRole('heading', { name: 'Settings', exact: true })).toBeVisible();
  await stop('13-settings');
}
