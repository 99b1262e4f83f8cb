/**
 * The Data area adds a PostgreSQL warehouse as a source and syncs it, in browser mode, against the shared
 * test cluster (tests/support/postgres.ts, started by Playwright's global setup).
 */
import { clusterFromEnv } from '../support/postgres';
import { createTestDatabase } from '../support/postgres';
import { createWarehouseSchema, insertWarehouseRows } from '../support/warehouse-schema';
import { expect, test } from './fixtures';

test('adding a PostgreSQL source syncs its schema with progress; the password never stays in the page', async ({ page, server }) => {
  const db = await createTestDatabase(clusterFromEnv(), 'e2e_warehouse');
  try {
    await createWarehouseSchema(db, 'segment_prod');
    await insertWarehouseRows(db, 'segment_prod', 0, 3000, 500);

    await page.goto(server.url);
    await page.getByRole('button', { name: 'Connect a source' }).click();
    const panel = page.getByTestId('warehouse-panel');
    await expect(panel.getByTestId('warehouse-source')).toHaveText('Not connected');
    await panel.getByLabel('PostgreSQL URL').fill(`postgres://postgres:${db.cluster.password}@127.0.0.1:${db.cluster.port}/${db.name}`);
    await panel.getByLabel('Schema').fill('segment_prod');
    await panel.getByRole('button', { name: 'Connect the warehouse and sync' }).click();
    await expect(panel.getByRole('alert')).toContainText('The source URL holds a password: leave it out');

    await panel.getByLabel('PostgreSQL URL').fill(db.url);
    await panel.getByLabel('Password').fill(db.cluster.password);
    await panel.getByRole('button', { name: 'Connect the warehouse and sync' }).click();
    await expect(panel.getByLabel('Password')).toHaveValue('');
    await expect(page.getByTestId('activity-item')).toContainText('Syncing segment_prod from 127.0.0.1');

    const report = page.getByTestId('import-report');
    await expect(report.getByRole('heading', { name: /Sync report/ })).toBeVisible({ timeout: 60_000 });
    await expect(report.getByTestId('report-imported')).toHaveText('3,000');
    await expect(report).toContainText('PostgreSQL warehouse');
    const tables = report.getByTestId('report-warehouse-tables');
    await expect(tables).toContainText('order_completed (per-event table): ');
    await expect(tables).toContainText('tracks (tracks): ');
    await expect(page.locator('.status-bar')).toContainText('events');

    await page.getByRole('tab', { name: /Imports/ }).click();
    const again = page.getByTestId('warehouse-panel');
    await expect(again.getByTestId('warehouse-source')).toHaveText(`${db.url} · segment_prod`);
    await expect(again.getByTestId('warehouse-password')).toHaveText('Saved');
    await expect(again.getByTestId('warehouse-last')).toHaveText(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC$/);
    await page.screenshot({ path: 'test-results/screens/40-warehouse-sync-done.png' });

    // New rows loaded since: "Sync now" brings them, nothing doubled.
    await insertWarehouseRows(db, 'segment_prod', 3000, 3200, 500, () => 10);
    await again.getByRole('button', { name: 'Sync the warehouse now' }).click();
    await expect(page.getByTestId('recent-imports').locator('tbody tr')).toHaveCount(2);
    await expect(report.getByTestId('report-imported')).toHaveText('200');
    expect(await page.content()).not.toContain(db.cluster.password);
  } finally {
    await db.drop();
  }
});
