/**
 * The workshop's face, second pass (issue 17), on the demo workspace: dot voting within the rule and a
 * ranking that holds still while the room votes, steps that open at their top, the step-3 threshold
 * tied to its histogram with Undo, tables that keep their actions in view, the layout at 1024 px, and
 * step 3's charts when presenting.
 * Needs `npx electron-vite build` first.
 */
import type { Locator, Page } from '@playwright/test';
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

/** The slider's thumb centre (the thumb is drawn 16 px wide) and the threshold line's x, in page pixels. */
async function thumbAndLine(page: Page, persona: string): Promise<{ thumb: number; line: number }> {
  const slider = page.getByRole('slider', { name: `Threshold for ${persona}` });
  const card = page.getByRole('region', { name: new RegExp(`^${persona}: how often`) });
  const bars = card.getByTestId('threshold-bars');
  await expect(bars).toHaveAttribute('data-line-x', /\d/);
  const box = await slider.boundingBox();
  const barsBox = await bars.boundingBox();
  const [value, min, max] = await slider.evaluate((el: HTMLInputElement) => [Number(el.value), Number(el.min), Number(el.max)]);
  if (!box || !barsBox || value === undefined || min === undefined || max === undefined) throw new Error('the slider and chart have boxes');
  const thumb = box.x + 8 + ((value - min) / (max - min)) * (box.width - 16);
  const line = barsBox.x + Number(await bars.getAttribute('data-line-x'));
  return { thumb, line };
}

for (const size of [{ width: 1360, height: 860 }, { width: 1024, height: 700 }]) {
  test(`step 3 at ${size.width} px: the slider sits on the histogram's threshold line, and a moved threshold says so with Undo`, async ({ page, demo: server }) => {
    await page.setViewportSize(size);
    await openDemoWorkshop(page, server);
    await stepButton(page, /Map usage patterns/).click();
    await expect(page.getByTestId('usage-table')).toBeVisible();
    const slider = page.getByRole('slider', { name: 'Threshold for Power reporters' });
    const powerSize = page.getByTestId('threshold-size').filter({ hasText: 'report_run' });
    await expect(powerSize).toContainText(/≥ 4 report_run: [\d,]+ users/);
    await slider.scrollIntoViewIfNeeded();
    let at = await thumbAndLine(page, 'Power reporters');
    expect(Math.abs(at.thumb - at.line), JSON.stringify(at)).toBeLessThanOrEqual(2);
    await page.screenshot({ path: `test-results/screens/workshop-face-threshold-${size.width}.png` });

    await slider.focus();
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowRight');
    await expect(powerSize).toContainText(/≥ 6 report_run: [\d,]+ users/);
    at = await thumbAndLine(page, 'Power reporters');
    expect(Math.abs(at.thumb - at.line), JSON.stringify(at)).toBeLessThanOrEqual(2);

    // The rule was rewritten: the card says so, once for both presses, with the size it moved from.
    const note = page.getByTestId('rule-change');
    await expect(note).toHaveCount(1);
    await expect(note).toContainText('The rule for Power reporters changed (threshold 4 → 6)');
    await expect(note).toContainText('report_run at least 6 times in the last 30 days');
    await expect(note).toContainText(/Its size: 1,489 → [\d,]+ users; step 4’s impact follows\./);
    await page.screenshot({ path: `test-results/screens/workshop-face-rule-change-${size.width}.png` });
    await saved(page);

    // Undo puts the threshold and the rule back.
    await note.getByRole('button', { name: 'Undo' }).click();
    await expect(note).toHaveCount(0);
    await expect(slider).toHaveValue('4');
    await expect(powerSize).toContainText(/≥ 4 report_run: 1,489 users/);
    await saved(page);
    await stepButton(page, /Map behaviors/).click();
    const power = page.getByTestId('persona-behavior').filter({ has: page.getByRole('heading', { name: 'Power reporters' }) });
    await expect(power.getByTestId('persona-rule')).toHaveText('Users who did report_run at least 4 times in the last 30 days');
  });
}

/** Fails unless `inner` lies within `outer` and within the viewport (boundingBox, in page pixels). */
async function expectWithin(page: Page, inner: Locator, outer: Locator): Promise<void> {
  const box = await inner.boundingBox();
  const frame = await outer.boundingBox();
  const viewport = page.viewportSize();
  if (!box || !frame || !viewport) throw new Error('both have boxes');
  const what = `${JSON.stringify(box)} in ${JSON.stringify(frame)} at ${viewport.width} px`;
  expect(box.x, what).toBeGreaterThanOrEqual(frame.x - 0.5);
  expect(box.x + box.width, what).toBeLessThanOrEqual(frame.x + frame.width + 0.5);
  expect(box.x + box.width, what).toBeLessThanOrEqual(viewport.width);
}

for (const size of [{ width: 1360, height: 860 }, { width: 1024, height: 700 }]) {
  test(`at ${size.width} px tables keep their actions and step 4's Impact in view`, async ({ page, demo: server }) => {
    await page.setViewportSize(size);
    await openDemo(page, server);
    await page.keyboard.press('Control+3');
    const row = page.getByTestId('workshop-row').filter({ has: page.getByRole('button', { name: DEMO_WORKSHOP, exact: true }) });
    const listCard = page.locator('.list-card');
    for (const action of ['Duplicate', 'Archive', 'Delete']) {
      const button = row.getByRole('button', { name: `${action} ${DEMO_WORKSHOP}`, exact: true });
      await expect(button).toBeVisible();
      await expectWithin(page, button, listCard);
    }
    await page.screenshot({ path: `test-results/screens/workshop-face-list-${size.width}.png` });

    await row.getByRole('button', { name: DEMO_WORKSHOP, exact: true }).click();
    await expect(page.getByRole('heading', { level: 2, name: 'Prioritize actions and investments' })).toBeVisible();
    const card = page.getByRole('region', { name: 'Opportunities' });
    const first = page.getByTestId('opportunity-row').first();
    await expect(first.getByTestId('impact')).toHaveText(/^[\d,]+$/);
    await first.scrollIntoViewIfNeeded();
    await expect(card.getByRole('columnheader', { name: 'Impact' })).toBeVisible();
    await expectWithin(page, card.getByRole('columnheader', { name: 'Impact' }), card);
    await expectWithin(page, first.getByTestId('impact'), card);
    await expectWithin(page, first.getByRole('button', { name: /^Remove / }), card);
    // Not under the pinned × either: Impact ends before the remove column starts.
    const impactBox = await first.getByTestId('impact').boundingBox();
    const removeBox = await first.locator('td.row-actions').boundingBox();
    expect((impactBox?.x ?? 0) + (impactBox?.width ?? 0)).toBeLessThanOrEqual((removeBox?.x ?? 0) + 0.5);
    // The title is read whole: its box is as tall as its wrapped text, nothing scrolls inside it.
    const title = page.getByLabel('Opportunity 2 title');
    expect(await title.evaluate((el: HTMLTextAreaElement) => el.scrollHeight <= el.clientHeight + 1)).toBe(true);
    // And participants' roles show in full.
    const role = page.getByLabel('Participant 1 role');
    expect(await role.evaluate((el: HTMLInputElement) => el.scrollWidth <= el.clientWidth + 1)).toBe(true);
    await page.screenshot({ path: `test-results/screens/workshop-face-step4-${size.width}.png` });
  });
}

test('at 1024 × 700 the workshop is one column: the steps in a row over a full-width worksheet', async ({ page, demo: server }) => {
  await page.setViewportSize({ width: 1024, height: 700 });
  await openDemoWorkshop(page, server);
  const rail = page.getByRole('navigation', { name: 'Steps' });
  const panel = page.locator('.step-panel');
  const railBox = await rail.boundingBox();
  const panelBox = await panel.boundingBox();
  if (!railBox || !panelBox) throw new Error('the rail and the step have boxes');
  // The rail sits above the step, not beside it, and the step has the screen's width.
  expect(railBox.y + railBox.height).toBeLessThanOrEqual(panelBox.y + 1);
  expect(panelBox.width).toBeGreaterThan(680);
  for (const button of await rail.getByRole('button').all()) await expect(button).toBeInViewport();
  // Nothing spills sideways out of the screen.
  expect(await page.locator('#main').evaluate((el) => el.scrollWidth <= el.clientWidth)).toBe(true);
  // Pinned while the step scrolls, so another step is one click away.
  await page.getByLabel('Mark step done').scrollIntoViewIfNeeded();
  await expect(rail.getByRole('button', { name: /Map usage patterns/ })).toBeInViewport();
  await rail.getByRole('button', { name: /Map usage patterns/ }).click();
  await expect(page.getByRole('heading', { level: 2, name: 'Map usage patterns with data' })).toBeInViewport();
  await page.screenshot({ path: 'test-results/screens/workshop-face-1024-step3.png' });
});

test('presenting step 3 shows its charts: the persona sizes and each histogram with its threshold', async ({ page, demo: server }) => {
  await openDemoWorkshop(page, server);
  await stepButton(page, /Map usage patterns/).click();
  await expect(page.getByTestId('usage-table')).toBeVisible();
  await page.keyboard.press('p');
  const presenting = page.getByRole('dialog', { name: 'Presenting: Map usage patterns with data' });
  await expect(presenting).toBeVisible();
  await expect(presenting.getByRole('img', { name: "Bar chart of the personas' sizes" })).toBeVisible();
  for (const [persona, action, threshold] of [
    ['Power reporters', 'report_run', 4],
    ['Casual viewers', 'task_viewed', 2],
  ] as const) {
    const chart = presenting.getByRole('img', { name: `Histogram of ${action} counts for ${persona}, threshold at ${threshold}` });
    await expect(chart).toBeAttached();
    // A real drawing, not an empty canvas.
    expect(await chart.evaluate((c: HTMLCanvasElement) => c.width > 0 && c.height > 0)).toBe(true);
  }
  // Read-only: no slider to move in front of the room.
  await expect(presenting.getByRole('slider')).toHaveCount(0);
  await page.screenshot({ path: 'test-results/screens/workshop-face-presenting-step3.png' });
  await presenting.getByRole('img', { name: /Histogram of report_run/ }).scrollIntoViewIfNeeded();
  await page.screenshot({ path: 'test-results/screens/workshop-face-presenting-step3-charts.png' });
});
