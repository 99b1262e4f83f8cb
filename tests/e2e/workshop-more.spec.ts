/**
 * What workshop.spec.ts leaves out: the segmentation working session (its phases, a generic table step
 * and its CSV, its priorities step), duplicating and archiving from the list, and the persona ↔ segment
 * link in both directions.
 * Needs `npx electron-vite build` first.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { Page } from '@playwright/test';
import { parse } from 'csv-parse/sync';
import { expect, openDemo, test } from './fixtures';

const PHASE_1 = 'Phase 1: Identify segments, baseline performance, follow trends';
const PHASE_2 = 'Phase 2: Discover and analyze new patterns';
const PHASE_1_STEPS = [
  'Define customer journey “success” milestones',
  'List the primary segments that apply to your business',
  'Note hypotheses about your users',
  'Test your hypotheses',
  'Discuss your learnings',
  'Create your dashboard for easy monitoring',
  'Follow trends',
];
const PHASE_2_STEPS = ['Start exploring', '“Scoop your neighbor”', 'Prioritize next steps'];

const DEMO_WORKSHOP = 'Taskly · Persona workshop';

async function saved(page: Page): Promise<void> {
  await expect(page.getByTestId('workshop-save-state')).toHaveText('Saved');
}

function stepButton(page: Page, title: string) {
  return page.getByRole('navigation', { name: 'Steps' }).getByRole('button', { name: title });
}

test('a segmentation working session: both phases, ten steps, a table step exported to CSV exactly', async ({ page, server }) => {
  test.setTimeout(120_000);
  await page.goto(server.url);
  await expect(page.getByRole('heading', { name: "Bring your product's events in" })).toBeVisible();
  await page.keyboard.press('Control+3');
  await expect(page.getByRole('heading', { name: 'Workshops', exact: true })).toBeVisible();

  await page.getByRole('button', { name: 'New workshop', exact: true }).first().click();
  const dialog = page.getByRole('dialog', { name: 'New workshop' });
  await dialog.getByLabel('Title').fill('Segments, "Q3", kickoff');
  await dialog.getByLabel('Account').fill('Globex');
  await dialog.getByRole('radio', { name: /Segmentation working session/ }).check();
  await dialog.getByRole('button', { name: 'Create workshop' }).click();
  await expect(page.getByLabel('Workshop title')).toHaveValue('Segments, "Q3", kickoff');

  // The rail: both phase headings, then all ten steps in order, the first one current.
  const rail = page.getByRole('navigation', { name: 'Steps' });
  await expect(rail.getByRole('heading')).toHaveText([PHASE_1, PHASE_2]);
  await expect(rail.getByRole('button')).toHaveCount(10);
  const titles = (await rail.getByRole('button').allTextContents()).map((t) => t.replace(/^\d+/, ''));
  expect(titles).toEqual([...PHASE_1_STEPS, ...PHASE_2_STEPS]);
  await expect(stepButton(page, PHASE_1_STEPS[0] as string)).toHaveAttribute('aria-current', 'step');
  await expect(page.getByRole('heading', { level: 2, name: PHASE_1_STEPS[0] })).toBeVisible();
  await expect(page.getByText(`Step 1 of 10 · ${PHASE_1}`)).toBeVisible();

  // A generic table step: rows with commas, quotes and a line break.
  const rows = [
    ['Signed up, then "activated"', 'signup_completed, project_created', 'Counts "trial" users too'],
    ['First report', 'report_run', 'Line one\nline two, with "quotes"'],
  ];
  await expect(page.getByTestId('empty-state').getByRole('heading', { name: 'No rows yet' })).toBeVisible();
  for (const [i, row] of rows.entries()) {
    await page.getByRole('button', { name: 'Add row' }).click();
    await expect(page.getByLabel(`Row ${i + 1} Milestone`)).toBeFocused();
    await page.getByLabel(`Row ${i + 1} Milestone`).fill(row[0] as string);
    await page.getByLabel(`Row ${i + 1} Event(s)`).fill(row[1] as string);
    await page.getByLabel(`Row ${i + 1} Notes`).fill(row[2] as string);
  }
  // A third row, removed again: it must not reach the export.
  await page.getByRole('button', { name: 'Add row' }).click();
  await page.getByLabel('Row 3 Milestone').fill('Throwaway');
  await page.getByRole('button', { name: 'Remove row 3' }).click();
  await expect(page.getByLabel('Row 3 Milestone')).toHaveCount(0);
  await saved(page);

  // The last step is a priorities worksheet, not a table.
  await stepButton(page, 'Prioritize next steps').click();
  await expect(page.getByRole('heading', { level: 2, name: 'Prioritize next steps' })).toBeVisible();
  await expect(page.getByText(`Step 10 of 10 · ${PHASE_2}`)).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Opportunities' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Add row' })).toHaveCount(0);
  await page.getByRole('button', { name: 'Add opportunity' }).click();
  await page.getByLabel('Opportunity 1 title').fill('Onboarding checklist');
  await expect(page.getByRole('heading', { name: 'Vote and choose' })).toBeVisible();
  await page.getByRole('button', { name: 'Give a dot to Onboarding checklist' }).click();
  await expect(page.getByTestId('dots-left')).toHaveText('2 of 3 dots left');
  await saved(page);

  // What was typed in step 1 is still there after moving around.
  await stepButton(page, PHASE_1_STEPS[0] as string).click();
  await expect(page.getByLabel('Row 2 Notes')).toHaveValue(rows[1]?.[2] as string);

  // Export CSV: one file per worksheet; the milestones file holds exactly the rows typed.
  await page.getByRole('region', { name: 'Export' }).getByRole('button', { name: 'CSV', exact: true }).click();
  const exported = page.getByTestId('export-file');
  await expect(exported.first()).toBeVisible();
  const files = await exported.allTextContents();
  const names = files.map((f) => basename(f));
  expect(names).toContain('01-milestones.csv');
  expect(names).toContain('10-prioritize-opportunities.csv');
  for (let i = 2; i <= 9; i++) expect(names.some((n) => n.startsWith(`${String(i).padStart(2, '0')}-`)), `step ${i}`).toBe(true);

  const milestones = files.find((f) => basename(f) === '01-milestones.csv') as string;
  const raw = readFileSync(milestones, 'utf8');
  expect(raw.startsWith('\uFEFF')).toBe(true);
  const records = parse(raw, { bom: true }) as string[][];
  expect(records).toEqual([['Milestone', 'Event(s)', 'Notes'], ...rows]);

  const prioritize = files.find((f) => basename(f) === '10-prioritize-opportunities.csv') as string;
  const opportunities = parse(readFileSync(prioritize, 'utf8'), { bom: true, columns: true }) as Record<string, string>[];
  expect(opportunities).toHaveLength(1);
  expect(opportunities[0]).toMatchObject({ Opportunity: 'Onboarding checklist', Votes: '1' });

  // An empty table step exports its header only.
  const segments = files.find((f) => basename(f) === '02-segments.csv') as string;
  expect(parse(readFileSync(segments, 'utf8'), { bom: true })).toEqual([['Segment', 'Kind (acquisition, binary, frequency…)', 'Definition']]);
});

test('duplicate the demo workshop, archive the copy, find it under "Show archived", unarchive it', async ({ page, demo: server }) => {
  test.setTimeout(180_000);
  await openDemo(page, server);
  await page.keyboard.press('Control+3');
  await expect(page.getByRole('heading', { name: 'Workshops', exact: true })).toBeVisible();

  const rows = page.getByTestId('workshop-row');
  const original = rows.filter({ has: page.getByRole('button', { name: DEMO_WORKSHOP, exact: true }) });
  const copyTitle = `${DEMO_WORKSHOP} (copy)`;
  const copy = rows.filter({ has: page.getByRole('button', { name: copyTitle, exact: true }) });
  await expect(original).toHaveCount(1);
  const before = await rows.count();

  await original.getByRole('button', { name: `Duplicate ${DEMO_WORKSHOP}`, exact: true }).click();
  await expect(page.getByTestId('toast').filter({ hasText: `Duplicated as “${copyTitle}”.` })).toBeVisible();
  await expect(copy).toHaveCount(1);
  await expect(rows).toHaveCount(before + 1);
  // The copy carries the participants and personas.
  await expect(copy).toContainText('4 participants · 4 personas');
  await expect(copy.getByText('archived', { exact: true })).toHaveCount(0);

  // Archive: it leaves the list; the original stays.
  await copy.getByRole('button', { name: `Archive ${copyTitle}`, exact: true }).click();
  await expect(page.getByTestId('toast').filter({ hasText: `Archived “${copyTitle}”.` })).toBeVisible();
  await expect(copy).toHaveCount(0);
  await expect(rows).toHaveCount(before);
  await expect(original).toHaveCount(1);

  // Show archived: it is back, marked archived, with Unarchive instead of Archive.
  const showArchived = page.getByRole('checkbox', { name: 'Show archived' });
  await showArchived.check();
  await expect(copy).toHaveCount(1);
  await expect(copy.getByText('archived', { exact: true })).toBeVisible();
  await expect(original.getByText('archived', { exact: true })).toHaveCount(0);
  await expect(copy.getByRole('button', { name: `Archive ${copyTitle}`, exact: true })).toHaveCount(0);

  // Unarchive: no longer marked, and still listed once "Show archived" is off.
  await copy.getByRole('button', { name: `Unarchive ${copyTitle}`, exact: true }).click();
  await expect(page.getByTestId('toast').filter({ hasText: `“${copyTitle}” is back in the list.` })).toBeVisible();
  await expect(copy.getByText('archived', { exact: true })).toHaveCount(0);
  await expect(copy.getByRole('button', { name: `Archive ${copyTitle}`, exact: true })).toBeVisible();
  await showArchived.uncheck();
  await expect(copy).toHaveCount(1);
  await expect(rows).toHaveCount(before + 1);

  // The copy opens as a workshop of its own.
  await copy.getByRole('button', { name: copyTitle, exact: true }).click();
  await expect(page.getByLabel('Workshop title')).toHaveValue(copyTitle);
});

test('a persona saved as a segment, edited in the segment builder, shows the edit back in step 2', async ({ page, demo: server }) => {
  test.setTimeout(180_000);
  await openDemo(page, server);
  await page.keyboard.press('Control+3');
  await page.getByTestId('workshop-row').getByRole('button', { name: DEMO_WORKSHOP, exact: true }).click();
  await expect(page.getByLabel('Workshop title')).toHaveValue(DEMO_WORKSHOP);

  await stepButton(page, 'Map behaviors to persona groups').click();
  await expect(page.getByRole('heading', { level: 2, name: 'Map behaviors to persona groups' })).toBeVisible();
  const power = page.getByTestId('persona-behavior').filter({ has: page.getByRole('heading', { name: 'Power reporters' }) });
  const rule = power.getByTestId('persona-rule');
  await expect(rule).toHaveText('Users who did report_run at least 4 times in the last 30 days');
  await expect(power.getByText('linked to a segment')).toHaveCount(0);

  // Save as segment: linked, and the button now updates it.
  const segmentName = `${DEMO_WORKSHOP} · Power reporters`;
  await power.getByRole('button', { name: 'Save as segment' }).click();
  await expect(page.getByTestId('toast').filter({ hasText: `Saved “${segmentName}” as a segment.` })).toBeVisible();
  await expect(power.getByText('linked to a segment')).toBeVisible();
  await expect(power.getByRole('button', { name: 'Update segment' })).toBeVisible();
  await saved(page);

  // Open in the segment builder: the Segments area, that segment, its rule.
  await power.getByRole('button', { name: 'Open in segment builder' }).click();
  await expect(page.getByRole('textbox', { name: 'Segment name' })).toHaveValue(segmentName);
  await expect(page.getByTestId('rule-sentence')).toHaveText('Users who did report_run at least 4 times in the last 30 days');
  const key = page.getByRole('group', { name: 'Condition 1' });
  await expect(key.getByLabel('Event')).toHaveValue('report_run');
  await expect(key.getByLabel('Count')).toHaveValue('4');

  // Change the key action's count and save.
  await key.getByLabel('Count').fill('7');
  await expect(page.getByTestId('rule-sentence')).toHaveText('Users who did report_run at least 7 times in the last 30 days');
  await page.getByRole('button', { name: /^Save/ }).click();
  await expect(page.getByTestId('save-state')).toHaveText('Saved');

  // The segment list shows the edit too.
  await page.getByRole('button', { name: '← Segments' }).click();
  await expect(page.getByTestId('segment-row').filter({ hasText: segmentName })).toContainText('report_run at least 7 times');

  // Back in the workshop's step 2: the persona's rule is the segment's.
  await page.keyboard.press('Control+3');
  await expect(page.getByRole('heading', { level: 2, name: 'Map behaviors to persona groups' })).toBeVisible();
  await expect(rule).toHaveText('Users who did report_run at least 7 times in the last 30 days');
  await expect(power.getByText('Edited in the segment builder')).toBeVisible();
  await expect(power.getByText('linked to a segment')).toBeVisible();
  await saved(page);

  // And it stays so when the workshop is opened afresh.
  await page.getByRole('button', { name: '← Workshops' }).click();
  await page.getByTestId('workshop-row').getByRole('button', { name: DEMO_WORKSHOP, exact: true }).click();
  await expect(page.getByRole('heading', { level: 2, name: 'Map behaviors to persona groups' })).toBeVisible();
  await expect(rule).toHaveText('Users who did report_run at least 7 times in the last 30 days');
});

test('changes the server refuses are never dropped: leaving is refused with the reason until they save', async ({ page, server }) => {
  test.setTimeout(90_000);
  await page.goto(server.url);
  await expect(page.getByRole('heading', { name: "Bring your product's events in" })).toBeVisible();
  await page.keyboard.press('Control+3');
  await page.getByRole('button', { name: 'New workshop', exact: true }).first().click();
  const dialog = page.getByRole('dialog', { name: 'New workshop' });
  await dialog.getByLabel('Title').fill('Kickoff');
  await dialog.getByRole('button', { name: 'Create workshop' }).click();
  const title = page.getByLabel('Workshop title');
  await expect(title).toHaveValue('Kickoff');

  // No title: every autosave is refused, and says so.
  const notes = page.getByLabel('Shared notes');
  await title.fill('');
  await notes.fill('Churn starts after the second invoice');
  const state = page.getByTestId('workshop-save-state');
  await expect(state).toContainText('Not saved: ');
  await expect(state).toContainText('give the workshop a title');

  // Leaving would drop the notes: the workshop stays open, and the toast says why.
  await page.getByRole('button', { name: '← Workshops' }).click();
  const toast = page.getByTestId('toast').filter({ hasText: 'Fix it or undo the change before leaving.' });
  await expect(toast).toBeVisible();
  await expect(toast).toContainText('Not saved: ');
  await expect(toast).toContainText('give the workshop a title');
  await expect(title).toBeVisible();
  await expect(title).toHaveValue('');
  await expect(notes).toHaveValue('Churn starts after the second invoice');
  await expect(page.getByRole('heading', { name: 'Workshops', exact: true })).toHaveCount(0);

  // With the title back everything saves, and leaving works.
  await title.fill('Kickoff, take two');
  await saved(page);
  await page.getByRole('button', { name: '← Workshops' }).click();
  await expect(page.getByRole('heading', { name: 'Workshops', exact: true })).toBeVisible();
  await page.getByTestId('workshop-row').getByRole('button', { name: 'Kickoff, take two', exact: true }).click();
  await expect(title).toHaveValue('Kickoff, take two');
  await expect(notes).toHaveValue('Churn starts after the second invoice');
});
