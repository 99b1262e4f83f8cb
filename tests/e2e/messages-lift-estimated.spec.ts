/**
 * The lift of a message with a goal and no holdout (issue 19, item 3): the delivery server keeps no
 * control group for it, so the companion estimates one by replaying the history, and the Results tab's
 * lift panel says so in words: "estimated from history, not a randomized holdout". On the demo, the live
 * timeline banner (no holdout, never assigned) is given a goal in the editor.
 */
import { expect, openDemo, test } from './fixtures';

const BANNER = 'Banner: timeline reports are here';

test('a message with a goal and no holdout: the lift panel labels its control as estimated from history', async ({ page, demo: server }) => {
  test.setTimeout(180_000);
  const pageErrors: string[] = [];
  page.on('pageerror', (error) => pageErrors.push(error.message));
  await openDemo(page, server);
  await page.keyboard.press('Control+4');
  await page.getByRole('button', { name: BANNER, exact: true }).click();
  await expect(page.getByRole('heading', { level: 1, name: BANNER })).toBeVisible();

  const goal = page.getByTestId('goal-section');
  await goal.getByLabel('Measure a goal').check();
  await goal.getByLabel('Goal event').fill('timeline_viewed');
  await expect(goal.getByLabel('Holdout (% held back)')).toHaveValue('0');
  await expect(page.getByTestId('save-state')).toHaveText('All changes saved');

  await page.getByRole('tab', { name: 'Results' }).click();
  const lift = page.getByTestId('lift-panel');
  await expect(lift.getByRole('heading', { name: 'Lift on “timeline_viewed”' })).toBeVisible({ timeout: 120_000 });
  await expect(lift.getByTestId('lift-estimated')).toHaveText(
    'Control group estimated from history, not a randomized holdout: users a replay of the history finds would have seen it but who were never assigned.',
  );
  // The control's figure is named as the estimate it is, never as a holdout.
  const stats = lift.getByTestId('lift-stats');
  await expect(stats.getByText('Control (estimated)', { exact: true })).toBeVisible();
  await expect(stats.getByText('Holdout', { exact: true })).toHaveCount(0);
  await expect(lift.getByTestId('lift-holdout')).toHaveText(/^\d+\.\d% of [\d,]+$/);
  expect(Number((await lift.getByTestId('lift-holdout').textContent())?.replace(/^.* of /, '').replace(/,/g, ''))).toBeGreaterThan(0);
  expect(pageErrors).toEqual([]);
});
