/**
 * Issue 17, item 7 (segments and messages): at 1024×700 the live feedback stays on screen. The segment's
 * live size and the message preview stay in the viewport while a field low in the form is edited.
 */
import { expect, openDemo, test } from './fixtures';

test.use({ viewport: { width: 1024, height: 700 } });

test('the segment builder keeps its live size in view while a condition low in the form is edited', async ({ page, demo: server }) => {
  await openDemo(page, server);
  await page.keyboard.press('Control+2');
  await page.getByRole('button', { name: 'New segment', exact: true }).click();
  await page.keyboard.type('Long rule');
  // Enough conditions that the last one sits well below the first screenful.
  for (const n of [1, 2, 3, 4, 5]) {
    await page.getByRole('button', { name: 'Add condition', exact: true }).click();
    await page.getByRole('menuitem', { name: /^Event/ }).click();
    await page.keyboard.type(n === 1 ? 'report_run' : 'page_viewed');
  }
  const last = page.getByRole('group', { name: 'Condition 5' });
  await last.getByLabel('Count').fill('2');
  await expect(last.getByLabel('Count')).toBeInViewport();
  const live = page.getByTestId('live-size');
  await expect(live).toHaveAttribute('data-state', 'ready');
  await expect(page.getByTestId('live-count')).toBeInViewport();
  // The first condition has scrolled away: the panel stayed by sticking, not because nothing scrolled.
  await expect(page.getByRole('group', { name: 'Condition 1' })).not.toBeInViewport();
  await page.screenshot({ path: 'test-results/screens/39c-segment-builder-1024.png' });
});

test('the message editor keeps its preview in view while a field low in the form is edited', async ({ page, demo: server }) => {
  await openDemo(page, server);
  await page.keyboard.press('Control+4');
  await page.getByTestId('message-row').getByRole('button', { name: 'Upsell: starter admins at the project limit', exact: true }).click();
  const priority = page.getByLabel('Priority (higher wins)');
  await priority.fill('7');
  await expect(priority).toBeInViewport();
  await expect(page.getByTestId('message-preview')).toBeInViewport();
  await expect(page.getByRole('heading', { level: 3, name: 'Preview' })).toBeInViewport();
  await page.screenshot({ path: 'test-results/screens/68-message-editor-1024.png' });
});
