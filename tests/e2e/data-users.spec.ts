/**
 * The Data area's users table on the demo workspace: sorted by its headers in the backend (the order spans
 * the pages, aria-sort says it) and filtered by one trait's value. The expected rows come from the demo
 * database itself, read with SQLite, not from the app's own query.
 */
import Database from 'better-sqlite3';
import { expect, openDemo, test } from './fixtures';

interface DemoUser {
  id: string;
  plan: string | null;
}

function usersOf(dbPath: string, sql: string, ...params: string[]): DemoUser[] {
  const db = new Database(dbPath, { readonly: true });
  try {
    return db.prepare<string[], DemoUser>(`SELECT id, json_extract(traits, '$.plan') AS plan FROM users ${sql}`).all(...params);
  } finally {
    db.close();
  }
}

test('users sort by last seen in both directions across pages, and filter by plan', async ({ page, demo: server }) => {
  await openDemo(page, server);
  await page.getByRole('tab', { name: /Users/ }).click();
  const users = page.getByTestId('users-table');
  const rows = users.locator('tbody tr');
  const lastSeen = users.getByRole('columnheader', { name: /Last seen/ });
  const firstIds = async (): Promise<string[]> => rows.locator('td:first-child').allTextContents();

  // Most recently active first, until a header is clicked.
  await expect(lastSeen).toHaveAttribute('aria-sort', 'descending');
  const newestFirst = usersOf(server.dbPath, 'ORDER BY last_seen DESC, user_pk DESC');
  await expect(rows).toHaveCount(50);

  await lastSeen.getByRole('button').click();
  await expect(lastSeen).toHaveAttribute('aria-sort', 'ascending');
  const oldestFirst = usersOf(server.dbPath, 'ORDER BY last_seen ASC, user_pk ASC').map((u) => u.id);
  await expect(rows.first()).toContainText(String(oldestFirst[0]));
  expect(await firstIds()).toEqual(oldestFirst.slice(0, 50));
  // The next page continues the same order: the sort is the backend's, not one page's.
  await page.getByRole('button', { name: 'Next' }).click();
  await expect(rows.first()).toContainText(String(oldestFirst[50]));
  expect(await firstIds()).toEqual(oldestFirst.slice(50, 100));

  // Back to descending: a new sort starts again at page one.
  await lastSeen.getByRole('button').click();
  await expect(lastSeen).toHaveAttribute('aria-sort', 'descending');
  await expect(users.getByRole('columnheader', { name: /First seen/ })).toHaveAttribute('aria-sort', 'none');
  await expect(rows.first()).toContainText(String(newestFirst[0]?.id));
  expect(await firstIds()).toEqual(newestFirst.slice(0, 50).map((u) => u.id));

  // A trait filter: plan is "growth" (one of the demo's plans), still newest first.
  const growth = usersOf(server.dbPath, "WHERE json_extract(traits, '$.plan') = ? ORDER BY last_seen DESC, user_pk DESC", 'growth');
  expect(growth.length).toBeGreaterThan(50);
  await page.getByLabel('Trait to filter by').fill('plan');
  await page.getByLabel('Trait value').fill('growth');
  await page.getByLabel('Trait value').press('Enter');
  await expect(page.getByText(`${growth.length.toLocaleString('en-US')} users whose plan is “growth”, most recently active first`)).toBeVisible();
  await expect(rows.first()).toContainText(String(growth[0]?.id));
  expect(await firstIds()).toEqual(growth.slice(0, 50).map((u) => u.id));
  const plans = await rows.locator('td:nth-child(2)').allTextContents();
  expect(plans).toHaveLength(50);
  expect(new Set(plans)).toEqual(new Set(['growth']));
  await expect(page.getByText(`1–50 of ${growth.length.toLocaleString('en-US')}`)).toBeVisible();
  await page.screenshot({ path: 'test-results/screens/data-users-filtered.png' });

  // A value without a trait says what is missing; Clear filter shows everyone again.
  await page.getByLabel('Trait to filter by').fill('');
  await page.getByRole('button', { name: 'Filter', exact: true }).click();
  await expect(page.getByTestId('trait-filter-errors')).toHaveText('Name the trait to filter by, such as plan.');
  await page.getByRole('button', { name: 'Clear filter' }).click();
  await expect(page.getByTestId('trait-filter-errors')).toBeHidden();
  await expect(page.getByText(`1–50 of ${newestFirst.length.toLocaleString('en-US')}`)).toBeVisible();
});
