/// <reference lib="dom" />
/**
 * Issue 15, identity: an anonymous visitor views pages, then identifies with userId and anonymousId
 * (what analytics.js sends). Imported from the Data area, the visitor is one user: the known user's
 * timeline shows the earlier anonymous page views, and no anonymous user is listed.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from './fixtures';

const BASE_TS = Date.UTC(2026, 4, 4, 8);

/** An analytics.js-shaped record: keys in alphabetical order, a nested context. */
function record(type: string, messageId: string, minute: number, ids: { anonymousId: string; userId?: string }, rest: Record<string, unknown>): Record<string, unknown> {
  const timestamp = new Date(BASE_TS + minute * 60_000).toISOString();
  const body: Record<string, unknown> = {
    anonymousId: ids.anonymousId,
    context: { library: { name: 'analytics.js', version: '4.1.0' }, page: { path: '/pricing' }, userAgent: 'Mozilla/5.0' },
    integrations: {},
    messageId,
    originalTimestamp: timestamp,
    sentAt: timestamp,
    timestamp,
    type,
    ...(ids.userId === undefined ? {} : { userId: ids.userId }),
    ...rest,
  };
  return Object.fromEntries(Object.entries(body).sort(([a], [b]) => (a < b ? -1 : 1)));
}

test('an anonymous visitor who identifies: the known user\'s timeline shows the earlier page views', async ({ page, server }) => {
  const visitor = { anonymousId: '3f1c9a2e-anon' };
  const known = { ...visitor, userId: 'ann@example.com' };
  const records = [
    record('page', 'pv-1', 0, visitor, { name: 'Home', properties: { path: '/' } }),
    record('page', 'pv-2', 1, visitor, { name: 'Pricing', properties: { path: '/pricing' } }),
    record('page', 'pv-3', 2, visitor, { name: 'Docs', properties: { path: '/docs' } }),
    record('identify', 'id-1', 3, known, { traits: { plan: 'team', name: 'Ann' } }),
    record('track', 'tr-1', 4, known, { event: 'Report Run', properties: { format: 'pdf' } }),
    record('page', 'pv-9', 5, { anonymousId: 'other-anon', userId: 'bob@example.com' }, { name: 'Home', properties: { path: '/' } }),
    record('group', 'gr-1', 6, known, { groupId: 'acme', traits: { name: 'Acme Inc', plan: 'enterprise' } }),
  ];
  const file = join(server.dir, 'visitor.ndjson');
  writeFileSync(file, records.map((r) => JSON.stringify(r)).join('\n') + '\n');

  await page.goto(server.url);
  await expect(page.getByRole('button', { name: 'Import events' })).toBeEnabled();
  await page.getByTestId('import-file-input').setInputFiles(file);
  const report = page.getByTestId('import-report');
  await expect(report.getByTestId('report-imported')).toHaveText('6');
  await expect(report.getByTestId('report-identity')).toContainText('1 alias and group call was applied to identities and accounts (they store no event).');

  await page.getByRole('tab', { name: /Users/ }).click();
  const users = page.getByTestId('users-table');
  // Two users: the visitor is Ann, not a third, anonymous one.
  await expect(users.locator('tbody tr')).toHaveCount(2);
  await expect(users).not.toContainText(visitor.anonymousId);
  const row = users.locator('tbody tr', { hasText: 'ann@example.com' });
  await row.click();

  const timeline = page.getByTestId('user-timeline');
  await expect(timeline.getByRole('heading', { name: 'ann@example.com' })).toBeVisible();
  const entries = timeline.getByTestId('timeline-entry');
  await expect(entries).toHaveCount(5);
  // Newest first: the event, the identify call, then the three anonymous page views.
  await expect(entries.nth(0)).toContainText('Report Run');
  await expect(entries.nth(1)).toContainText('identify');
  await expect(entries.nth(2)).toContainText('page_viewed');
  await expect(entries.nth(2)).toContainText('path: /docs');
  await expect(entries.nth(3)).toContainText('path: /pricing');
  await expect(entries.nth(4)).toContainText('path: /');
  await page.screenshot({ path: 'test-results/screens/17-merged-visitor-timeline.png' });
});
