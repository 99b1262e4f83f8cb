/**
 * The workshop's face, second pass (issue 17), on the demo workspace: dot voting within the rule and a
 * ranking that holds still while the room votes, steps that open at their top, the step-3 threshold
 * tied to its histogram with Undo, tables that keep their actions in view, the layout at 1024 px, and
 * step 3's charts when presenting.
 * Needs `npx electron-vite build` first.
 */
import type { Page } from '@playwright/test';
import type { Workshop } from '../../src/shared/workshop/model';
import { callBridge, expect, openDemo, test, type BrowserModeServer } from './fixtures';

const DEMO_WORKSHOP = 'Taskly · Persona workshop';
const DEMO_ID = 'demo-persona-workshop';

async function saved(page: Page): Promise<void> {
  await expect(page.getByTestId('workshop-save-state')).toHaveText('Saved');
}

async function openDemoWorkshop(page: Page, server: BrowserModeServer): Promise<void> {
  await openDemo(page, server);
  await page.keyboard.press('Control+3');
  await page.getByTestId('workshop-row').getByRole('button', { name: DEMO_WORKSHOP, exact: true }).click();
  await expect(page.getByLabel('Workshop title')).toHaveValue(DEMO_WORKSHOP);
}

function stepButton(page: Page, title: RegExp) {
  return page.getByRole('navigation', { name: 'Steps' }).getByRole('button', { name: title });
}

async function rankedTitles(page: Page): Promise<string[]> {
  return page.getByTestId('ranked-item').locator('.ranked-main strong').allTextContents();
}

test('voting in the demo workshop keeps to 3 dots each, and the list holds still until Re-rank', async ({ page, demo: server }) => {
  await openDemoWorkshop(page, server);
  await expect(page.getByRole('heading', { level: 2, name: 'Prioritize actions and investments' })).toBeVisible();
  const badge = page.getByTestId('dots-left');
  // Dana, the first voter, kept one dot back; everyone else spent exactly three.
  await expect(badge).toHaveText('1 of 3 dots left');
  const voting = page.getByLabel('Voting as');
  for (const name of ['Ravi Menon', 'Mei Tanaka', 'Tom Okafor']) {
    await voting.selectOption({ label: name });
    await expect(badge).toHaveText('0 of 3 dots left');
    await expect(page.getByRole('button', { name: /^Give a dot to / }).first()).toBeDisabled();
  }
  await voting.selectOption({ label: 'Dana Whitfield' });
  await expect(badge).toHaveText('1 of 3 dots left');

  // The ranking uses step 3's figures (impact breaks the tie between the two chosen): wait for them.
  await expect(page.getByTestId('opportunity-row').first().getByTestId('impact')).toHaveText(/^[\d,]+$/);
  const before = await rankedTitles(page);
  expect(before.slice(0, 2)).toEqual(['Weekly “what changed on your projects” digest for people gone quiet', 'Scheduled reports delivered by email and Slack']);
  expect(before).toHaveLength(5);
  const last = before[4] as string;
  // A dot to the last one lifts it in the ranking, but the list does not move under the pointer.
  await page.getByRole('button', { name: `Give a dot to ${last}` }).click();
  await expect(badge).toHaveText('0 of 3 dots left');
  await expect(page.getByRole('button', { name: `Give a dot to ${last}` })).toBeDisabled();
  const lifted = page.getByTestId('ranked-item').nth(4);
  await expect(lifted.getByTestId('votes')).toContainText('2');
  await expect(lifted.getByTestId('live-rank')).toHaveText(' · now #3');
  expect(await rankedTitles(page)).toEqual(before);
  await expect(page.getByTestId('rerank-note')).toBeVisible();
  await saved(page);

  await page.getByRole('button', { name: 'Re-rank' }).click();
  const after = await rankedTitles(page);
  expect(after[2]).toBe(last);
  expect(after.slice(0, 2)).toEqual(before.slice(0, 2));
  await expect(page.getByTestId('rerank-note')).toHaveCount(0);
  await expect(page.getByTestId('live-rank')).toHaveCount(0);
});

test('a workshop carrying more dots than the rule says so plainly, and lets them be removed', async ({ page, demo: server }) => {
  await openDemo(page, server);
  // A bundle or an older document can carry votes over the rule: Dana with 7.
  const w = await callBridge<Workshop>(server, 'getWorkshop', { id: DEMO_ID });
  const [first, second, ...rest] = w.opportunities;
  if (!first || !second) throw new Error('the demo workshop has opportunities');
  const dana = w.participants[0]?.id ?? '';
  const over: Workshop = { ...w, opportunities: [{ ...first, votes: { ...first.votes, [dana]: 4 } }, { ...second, votes: { ...second.votes, [dana]: 3 } }, ...rest] };
  await callBridge(server, 'saveWorkshop', { workshop: over });

  await page.keyboard.press('Control+3');
  await page.getByTestId('workshop-row').getByRole('button', { name: DEMO_WORKSHOP, exact: true }).click();
  const badge = page.getByTestId('dots-left');
  await expect(badge).toHaveText('4 dots over the limit of 3: remove some');
  for (const plus of await page.getByRole('button', { name: /^Give a dot to / }).all()) await expect(plus).toBeDisabled();
  await page.getByRole('button', { name: `Remove a dot from ${first.title}` }).click();
  await expect(badge).toHaveText('3 dots over the limit of 3: remove some');
  await page.screenshot({ path: 'test-results/screens/workshop-face-over-limit.png' });
});

test('each step opens at its top: title, timer and prompts in view, wherever the last step was scrolled', async ({ page, demo: server }) => {
  await openDemoWorkshop(page, server);
  const title = page.getByRole('heading', { level: 2 });
  for (const [from, to] of [
    [/Prioritize actions/, /Map usage patterns/],
    [/Map usage patterns/, /Map behaviors/],
    [/Map behaviors/, /Prioritize actions/],
  ] as const) {
    await stepButton(page, from).click();
    await expect(title).toHaveText(from);
    // Step 3 grows once its figures are in.
    if (from.source.startsWith('Map usage')) await expect(page.getByTestId('usage-table')).toBeVisible();
    // Scroll to the step's end (its "Mark step done"), far below its title.
    await page.getByLabel('Mark step done').scrollIntoViewIfNeeded();
    await expect(title).not.toBeInViewport();
    await stepButton(page, to).click();
    await expect(title).toHaveText(to);
    await expect(title).toBeInViewport();
    await expect(page.getByRole('group', { name: 'Timer' })).toBeInViewport();
    await expect(page.getByRole('list', { name: 'Discussion prompts' }).getByRole('listitem').first()).toBeInViewport();
  }
});
