/// <reference lib="dom" />
/**
 * Issue 16, erasure end to end: a real delivery server receives records for two users; the companion
 * syncs them through the Data area; DELETE /v1/users/{userId} erases one; the next sync removes her
 * from the cache (the users table no longer finds her); and importing an old file with her events
 * skips them, with the count in the import report.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, startDeliveryServer, test } from './fixtures';

const ADMIN_TOKEN = 'erase-admin-token-0123456789';
const PUBLIC_KEY = 'erase-public-key-01';
const ERASED = 'ann@example.com';
const KEPT = 'bob@example.com';
const BASE_TS = Date.UTC(2026, 4, 4, 8);

function track(userId: string, messageId: string, minute: number, event: string): Record<string, unknown> {
  return { type: 'track', event, userId, messageId, timestamp: new Date(BASE_TS + minute * 60_000).toISOString(), properties: { plan: 'team' } };
}

test('an erased user leaves the server and, after sync, the cache; an old file does not bring her back', async ({ page, server }) => {
  const delivery = await startDeliveryServer({ dir: server.dir, adminToken: ADMIN_TOKEN, publicKey: PUBLIC_KEY });
  try {
    const records = [
      track(ERASED, 'e-1', 0, 'Report Run'),
      track(ERASED, 'e-2', 1, 'Report Run'),
      { type: 'identify', userId: ERASED, messageId: 'e-3', timestamp: new Date(BASE_TS + 2 * 60_000).toISOString(), traits: { name: 'Ann' } },
      track(KEPT, 'k-1', 3, 'Report Run'),
    ];
    const tracked = await fetch(`${delivery.url}/v1/track`, {
      method: 'POST',
      headers: { 'X-Guidepost-Key': PUBLIC_KEY, 'Content-Type': 'application/json' },
      body: JSON.stringify({ batch: records }),
    });
    expect(((await tracked.json()) as { accepted: number }).accepted).toBe(4);

    // The companion syncs from the server through the Data area.
    await page.goto(server.url);
    await page.getByRole('button', { name: 'Connect a source' }).click();
    const panel = page.getByTestId('sync-panel');
    await panel.getByLabel('Source URL').fill(delivery.url);
    await panel.getByLabel('Token').fill(ADMIN_TOKEN);
    await panel.getByLabel('Token').press('Enter');
    const report = page.getByTestId('import-report');
    await expect(report.getByRole('heading', { name: /Sync report/ })).toBeVisible({ timeout: 60_000 });
    await expect(report.getByTestId('report-imported')).toHaveText('4');

    await page.getByRole('tab', { name: /Users/ }).click();
    const users = page.getByTestId('users-table');
    await page.getByLabel('Search users').fill('ann@');
    await expect(users.locator('tbody tr', { hasText: ERASED })).toHaveCount(1);

    // The user is erased on the server.
    const erased = await fetch(`${delivery.url}/v1/users/${encodeURIComponent(ERASED)}`, { method: 'DELETE', headers: { Authorization: `Bearer ${ADMIN_TOKEN}` } });
    expect(erased.status).toBe(200);
    expect(((await erased.json()) as { removed: { records: number; traits: number } }).removed).toMatchObject({ records: 3, traits: 1 });
    const exported = (await (await fetch(`${delivery.url}/v1/events`, { headers: { Authorization: `Bearer ${ADMIN_TOKEN}` } })).json()) as {
      events: { type: string; userId: string }[];
    };
    expect(exported.events.map((e) => [e.type, e.userId])).toEqual([
      ['track', KEPT],
      ['erase', ERASED],
    ]);

    // Sync again: the marker removes her from the cache, and the report says so.
    await page.getByRole('tab', { name: /Imports/ }).click();
    await page.getByTestId('sync-panel').getByRole('button', { name: 'Sync now' }).click();
    await expect(report.getByTestId('report-erased')).toContainText('1 user was erased on the delivery server and removed from the cache');
    await page.getByRole('tab', { name: /Users/ }).click();
    await page.getByLabel('Search users').fill('ann@');
    await expect(users).toContainText('No user’s id or traits contain “ann@”.');
    await page.getByLabel('Search users').fill('');
    await expect(users.locator('tbody tr')).toHaveCount(1);
    await expect(users).toContainText(KEPT);

    // An old export of hers, imported later, is skipped and counted.
    const file = join(server.dir, 'old-export.ndjson');
    writeFileSync(file, `${records.map((r) => JSON.stringify(r)).join('\n')}\n`);
    await page.getByRole('tab', { name: /Imports/ }).click();
    await page.getByTestId('import-file-input').setInputFiles(file);
    await expect(report.getByRole('heading', { name: /Import report/ })).toBeVisible();
    await expect(report.getByTestId('report-imported')).toHaveText('0');
    await expect(report.getByTestId('report-erased')).toContainText('3 records were skipped: their users were erased after they were recorded');
    await page.screenshot({ path: 'test-results/screens/24-erased-user-skipped.png' });
    await page.getByRole('tab', { name: /Users/ }).click();
    await page.getByLabel('Search users').fill('ann@');
    await expect(users).toContainText('No user’s id or traits contain “ann@”.');
  } finally {
    await delivery.stop();
  }
});
