/// <reference lib="dom" />
/**
 * Accounts end to end in browser mode: a file with group calls (the Segment spec's documented shape)
 * is imported from the Data area; the Accounts tab lists the accounts with their members; the segment
 * builder filters on an account trait and counts what the CLI counts.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cliCount, expect, test } from './fixtures';

const BASE_TS = Date.UTC(2026, 4, 1);
const USERS = 30;
const userOf = (i: number): string => `user-${String(i).padStart(2, '0')}`;

/**
 * Every user identifies and runs a report; users 0-9 belong to acme (enterprise), users 10-14 and user 5
 * to tiny (free), the rest to no account. Acme's plan was "trial" first: the later group call wins.
 */
function writeFile(path: string): void {
  const records: Record<string, unknown>[] = [];
  let n = 0;
  const at = (minutes: number): string => new Date(BASE_TS + minutes * 60_000).toISOString();
  for (let i = 0; i < USERS; i++) {
    records.push({ type: 'identify', userId: userOf(i), traits: { name: `User ${i}`, plan: i % 2 ? 'pro' : 'free' }, timestamp: at(i), messageId: `m${n++}` });
    records.push({ type: 'track', userId: userOf(i), event: 'report_run', properties: { format: 'pdf' }, timestamp: at(i + 60), messageId: `m${n++}` });
  }
  records.push({ type: 'group', userId: userOf(0), groupId: 'acme', traits: { name: 'Acme Inc', plan: 'trial', employees: 250 }, timestamp: at(100), messageId: `m${n++}` });
  for (let i = 0; i < 10; i++) {
    records.push({ type: 'group', userId: userOf(i), groupId: 'acme', traits: { plan: 'enterprise' }, timestamp: at(200 + i), messageId: `m${n++}` });
  }
  for (const i of [10, 11, 12, 13, 14, 5]) {
    records.push({ type: 'group', userId: userOf(i), groupId: 'tiny', traits: { name: 'Tiny Co', plan: 'free' }, timestamp: at(300 + i), messageId: `m${n++}` });
  }
  writeFileSync(path, `${records.map((r) => JSON.stringify(r)).join('\n')}\n`);
}

test('imported group calls become accounts with members, listed in the Data area and filtered on in the segment builder', async ({ page, server }) => {
  page.on('pageerror', (error) => {
    throw error;
  });
  const file = join(server.dir, 'accounts.ndjson');
  writeFile(file);
  await page.goto(server.url);
  await page.getByTestId('import-file-input').setInputFiles(file);
  const report = page.getByTestId('import-report');
  await expect(report.getByTestId('report-users')).toHaveText(String(USERS), { timeout: 60_000 });
  await expect(report.getByTestId('report-rejected')).toHaveText('0');
  await report.getByRole('button', { name: 'Close the report' }).click();

  // The Data area's Accounts tab: the accounts, most recently active first, each opening to its members.
  await page.getByRole('tab', { name: 'Accounts' }).click();
  const accounts = page.getByTestId('accounts-table');
  await expect(accounts.locator('tbody > tr').first()).toContainText('tiny');
  const acme = accounts.locator('tbody > tr').filter({ hasText: 'acme' });
  await expect(acme).toContainText('Acme Inc');
  await expect(acme).toContainText('enterprise');
  await expect(acme).toContainText('employees: 250');
  await expect(acme.locator('td.num')).toHaveText('10');
  const disclosure = acme.getByRole('button', { name: 'acme' });
  await disclosure.focus();
  await page.keyboard.press('Enter');
  await expect(disclosure).toHaveAttribute('aria-expanded', 'true');
  const members = page.getByTestId('account-members');
  await expect(members.locator('tbody tr')).toHaveCount(10);
  await expect(members.locator('tbody tr').first()).toContainText(userOf(0));
  await page.screenshot({ path: 'test-results/screens/15-accounts.png' });
  await page.getByRole('searchbox', { name: 'Search accounts' }).fill('Tiny');
  await expect(accounts.locator('tbody > tr')).toHaveCount(1);

  // The builder: an account condition, by keyboard, with the account trait keys suggested from the cache.
  await page.keyboard.press('Control+2');
  await page.getByRole('button', { name: 'New segment', exact: true }).click();
  await page.keyboard.type('Enterprise accounts');
  await page.getByRole('button', { name: 'Add condition', exact: true }).focus();
  await page.keyboard.press('ArrowDown');
  await page.getByRole('menuitem', { name: /^Account trait/ }).click();
  const condition = page.getByRole('group', { name: 'Condition 1' });
  await expect(condition.getByLabel('Account trait')).toBeFocused();
  const suggested = await condition.getByLabel('Account trait').evaluate((input) =>
    Array.from((input as HTMLInputElement).list?.options ?? []).map((o) => o.value),
  );
  expect(suggested).toEqual(['employees', 'name', 'plan']);
  await page.keyboard.type('plan');
  await condition.getByLabel('Operator').selectOption('eq');
  await condition.getByLabel('Value', { exact: true }).fill('enterprise');
  await expect(page.getByTestId('rule-sentence')).toHaveText('Users who have an account whose plan is “enterprise”');

  const rule = { version: 1, match: 'all', conditions: [{ type: 'account', trait: 'plan', op: 'eq', value: 'enterprise' }] };
  expect(cliCount(server, rule)).toMatchObject({ count: 10, total: USERS });
  await expect(page.getByTestId('live-count')).toHaveText('10');
  await expect(page.getByTestId('live-size')).toContainText(`of ${USERS} users`);
  await page.screenshot({ path: 'test-results/screens/35-segment-account.png' });

  // Negated: every user without an enterprise account, those in no account included.
  await condition.getByRole('button', { name: 'Negate condition 1' }).click();
  await expect(page.getByTestId('rule-sentence')).toHaveText('Users who have no account whose plan is “enterprise”');
  await expect(page.getByTestId('live-count')).toHaveText(String(USERS - 10));

  // Removed: everyone again.
  await condition.getByRole('button', { name: 'Remove condition 1' }).click();
  await expect(page.getByTestId('rule-sentence')).toHaveText('All users');
  await expect(page.getByTestId('live-count')).toHaveText(String(USERS));
});
