import { existsSync, readFileSync } from 'node:fs';
import type { Page } from '@playwright/test';
import { expect, openDemo, test } from './fixtures';

async function saved(page: Page): Promise<void> {
  await expect(page.getByTestId('workshop-save-state')).toHaveText('Saved');
}

test('a persona workshop runs its four steps on the demo data and exports what it recorded', async ({ page, demo: server }) => {
  test.setTimeout(240_000);
  await openDemo(page, server);

  // The demo workspace comes with a workshop of its own.
  await page.keyboard.press('Control+3');
  await expect(page.getByRole('heading', { name: 'Workshops', exact: true })).toBeVisible();
  await expect(page.getByTestId('workshop-row').first()).toBeVisible();
  await page.screenshot({ path: 'test-results/screens/49-workshop-list.png' });

  // Create: title, account, template (both offered), a participant.
  await page.getByRole('button', { name: 'New workshop', exact: true }).first().click();
  const dialog = page.getByRole('dialog', { name: 'New workshop' });
  await expect(dialog.getByLabel('Title')).toBeFocused();
  await dialog.getByLabel('Title').fill('Acme persona workshop');
  await dialog.getByLabel('Account').fill('Acme Inc.');
  await expect(dialog.getByRole('radio', { name: /Segmentation working session/ })).toBeVisible();
  await dialog.getByRole('radio', { name: /Behavioral persona workshop/ }).check();
  await dialog.getByRole('button', { name: 'Add participant' }).click();
  await dialog.getByLabel('Participant 1 name').fill('Ana');
  await dialog.getByLabel('Participant 1 role').fill('Product manager');
  await dialog.getByRole('button', { name: 'Create workshop' }).click();

  await expect(page.getByLabel('Workshop title')).toHaveValue('Acme persona workshop');
  await expect(page.getByRole('heading', { name: 'Brainstorm key behavioral personas' })).toBeVisible();

  // A second participant, from the header.
  await page.getByRole('region', { name: 'Participants' }).getByRole('button', { name: 'Add participant' }).click();
  await expect(page.getByLabel('Participant 2 name')).toBeFocused();
  await page.getByLabel('Participant 2 name').fill('Bo');
  await page.getByLabel('Participant 2 role').fill('Engineer');
  await expect(page.getByLabel('Notes: Bo')).toBeVisible();

  // Step 1: two personas and a use case they share.
  await page.getByLabel('New persona name').fill('Power reporters');
  await page.getByLabel('New persona description').fill('Run reports every week');
  await page.getByRole('button', { name: 'Add persona' }).click();
  await page.getByLabel('New persona name').fill('Dashboard viewers');
  await page.getByRole('button', { name: 'Add persona' }).click();
  await page.getByRole('button', { name: 'Add use case' }).click();
  await expect(page.getByLabel('Use case 1 name')).toBeFocused();
  await page.keyboard.type('Weekly reporting');
  await page.getByLabel('Use case 1 value proposition').fill('Know where every project stands');
  const users = page.getByRole('group', { name: 'Personas using use case 1' });
  await users.getByRole('button', { name: 'Power reporters' }).click();
  await users.getByRole('button', { name: 'Dashboard viewers' }).click();
  await expect(users.getByRole('button', { name: 'Power reporters' })).toHaveAttribute('aria-pressed', 'true');
  const matrix = page.getByTestId('overlap-matrix');
  await expect(matrix.getByRole('row').filter({ has: page.getByRole('rowheader', { name: 'Power reporters' }) })).toContainText('Dashboard viewers');
  await page.getByLabel('Shared notes').fill('Reporting is the main use case.');
  await page.getByLabel('Mark step done').check();
  await saved(page);
  await page.screenshot({ path: 'test-results/screens/50-workshop-step1.png' });

  // Step 2: map behaviors; the key action comes from the catalog and drafts the rule.
  await page.getByRole('navigation', { name: 'Steps' }).getByRole('button', { name: /Map behaviors to persona groups/ }).click();
  await expect(page.getByRole('heading', { name: 'Map behaviors to persona groups' })).toBeVisible();
  await page.getByRole('combobox', { name: 'Add to Power reporters actions' }).fill('report_run');
  await page.keyboard.press('Enter');
  await page.getByRole('combobox', { name: 'Add to Power reporters never does' }).fill('invite_sent');
  await page.keyboard.press('Enter');
  const power = page.getByTestId('persona-behavior').filter({ hasText: 'Power reporters' });
  await expect(power.getByTestId('persona-rule')).toHaveText('Users who did report_run in the last 30 days and never did invite_sent in the last 30 days');
  await page.getByRole('combobox', { name: 'Add to Dashboard viewers actions' }).fill('dashboard_viewed');
  await page.keyboard.press('Enter');
  await saved(page);
  await page.screenshot({ path: 'test-results/screens/51-workshop-step2.png' });

  // Step 3: the figures, and a threshold moved from the keyboard with the size following live.
  await page.getByRole('navigation', { name: 'Steps' }).getByRole('button', { name: /Map usage patterns with data/ }).click();
  await expect(page.getByTestId('usage-table')).toBeVisible();
  await expect(page.getByTestId('usage-table').getByRole('row', { name: /Power reporters/ })).toBeVisible();
  const sizes = page.getByTestId('threshold-size');
  const powerSize = sizes.filter({ hasText: 'report_run' });
  await expect(powerSize).toContainText(/≥ 1 report_run: [\d,]+ users/);
  const before = (await powerSize.locator('strong').textContent()) ?? '';
  const slider = page.getByRole('slider', { name: 'Threshold for Power reporters' });
  await slider.focus();
  for (let i = 0; i < 5; i++) await page.keyboard.press('ArrowRight');
  await expect(powerSize).toContainText(/≥ 6 report_run: [\d,]+ users/);
  const after = (await powerSize.locator('strong').textContent()) ?? '';
  expect(after).not.toEqual(before);
  await expect(page.getByTestId('in-none')).toContainText('users in none of the personas');
  await saved(page);
  // The threshold went back into the persona's rule.
  await page.getByRole('navigation', { name: 'Steps' }).getByRole('button', { name: /Map behaviors to persona groups/ }).click();
  await expect(power.getByTestId('persona-rule')).toContainText('report_run at least 6 times in the last 30 days');
  await page.getByRole('navigation', { name: 'Steps' }).getByRole('button', { name: /Map usage patterns with data/ }).click();
  await expect(powerSize).toContainText(/≥ 6 report_run: [\d,]+ users/);
  await page.screenshot({ path: 'test-results/screens/52-workshop-step3.png' });

  // Step 4: opportunities, dot votes, one chosen.
  await page.getByRole('navigation', { name: 'Steps' }).getByRole('button', { name: /Prioritize actions and investments/ }).click();
  await page.getByRole('button', { name: 'Add opportunity' }).click();
  await page.getByLabel('Opportunity 1 title').fill('Scheduled reports');
  await page.getByLabel('Opportunity 1 forecast improvement percent').fill('10');
  await page.getByRole('button', { name: 'Add opportunity' }).click();
  await page.getByLabel('Opportunity 2 title').fill('Dashboard digest');
  await page.getByLabel('Opportunity 2 persona').selectOption({ label: 'Dashboard viewers' });
  await expect(page.getByTestId('opportunity-row').first().getByTestId('impact')).toHaveText(/^[\d,]+$/);
  await page.getByRole('button', { name: 'Give a dot to Dashboard digest' }).click();
  await page.getByRole('button', { name: 'Give a dot to Dashboard digest' }).click();
  await expect(page.getByTestId('dots-left')).toHaveText('1 of 3 dots left');
  await page.getByLabel('Voting as').selectOption({ label: 'Bo' });
  await page.getByRole('button', { name: 'Give a dot to Scheduled reports' }).click();
  const ranking = page.getByTestId('ranked-item');
  await expect(ranking.first()).toContainText('Dashboard digest');
  await expect(ranking.first().getByTestId('votes')).toContainText('2');
  await page.getByRole('checkbox', { name: 'Choose Dashboard digest' }).check();
  await expect(ranking.first()).toHaveClass(/chosen/);
  await saved(page);
  await page.screenshot({ path: 'test-results/screens/53-workshop-step4.png' });

  // Presenting: one step full screen, arrows between steps, Esc leaves.
  await page.getByRole('button', { name: /^Present/ }).click();
  await expect(page.getByRole('dialog', { name: 'Presenting: Prioritize actions and investments' })).toBeVisible();
  await page.keyboard.press('ArrowLeft');
  await expect(page.getByRole('dialog', { name: 'Presenting: Map usage patterns with data' })).toBeVisible();
  await page.screenshot({ path: 'test-results/screens/54-workshop-presenting.png' });
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('Escape');
  await expect(page.getByRole('dialog', { name: /^Presenting/ })).toBeHidden();

  // Export every format; the files exist and the CSV holds the use case.
  await saved(page);
  const exported = page.getByTestId('export-file');
  for (const label of ['CSV', 'PDF', 'Markdown', 'Bundle']) {
    const count = await exported.count();
    await page.getByRole('region', { name: 'Export' }).getByRole('button', { name: label, exact: true }).click();
    await expect.poll(() => exported.count()).toBeGreaterThan(count);
  }
  const files = await exported.allTextContents();
  for (const f of files) expect(existsSync(f), f).toBe(true);
  expect(files.some((f) => f.endsWith('.pdf'))).toBe(true);
  expect(files.some((f) => f.endsWith('.md'))).toBe(true);
  const bundle = files.find((f) => f.endsWith('.guidepost'));
  expect(bundle).toBeTruthy();
  const csvs = files.filter((f) => f.endsWith('.csv'));
  expect(csvs.length).toBeGreaterThan(0);
  expect(csvs.some((f) => readFileSync(f, 'utf8').includes('Weekly reporting'))).toBe(true);
  await page.screenshot({ path: 'test-results/screens/55-workshop-export.png' });

  // The bundle comes back in as a workshop of its own.
  await page.getByTestId('bundle-file-input').setInputFiles(bundle as string);
  await expect(page.getByTestId('toast').filter({ hasText: /^Imported / })).toBeVisible();
  await expect(page.getByLabel('Workshop title')).toHaveValue(/Acme persona workshop/);
  await page.getByRole('button', { name: '← Workshops' }).click();
  const ours = page.getByTestId('workshop-row').filter({ hasText: 'Acme persona workshop' });
  await expect(ours).toHaveCount(2);

  // Delete, then Undo.
  await ours.first().getByRole('button', { name: /^Delete / }).click();
  await expect(ours).toHaveCount(1);
  await page.getByTestId('toast').getByRole('button', { name: 'Undo' }).click();
  await expect(ours).toHaveCount(2);
});
