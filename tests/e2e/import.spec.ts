/// <reference lib="dom" />
import { writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { expect, test } from './fixtures';

const VALID_RECORDS = 60_000;
const USERS = 2_000;
const EVENT_NAMES = ['report_run', 'project_created', 'invite_sent'] as const;
const PLANS = ['free', 'team', 'business'] as const;
const BASE_TS = Date.UTC(2026, 4, 1);

/** The three bad lines, at these 1-based line numbers of the file, and the reason the report must give. */
const BAD_LINES = [
  { line: 100, text: '{"type": "track", "event": "broken"', reason: /not valid JSON/ },
  { line: 500, text: JSON.stringify({ type: 'track', event: 'report_run', timestamp: '2026-05-01T00:00:00Z' }), reason: /missing user/ },
  { line: 1000, text: JSON.stringify({ type: 'alias', userId: 'user-0001', timestamp: '2026-05-01T00:00:00Z' }), reason: /alias call without a previousId/ },
] as const;

const userOf = (i: number): string => `user-${String(i % USERS).padStart(4, '0')}`;

/** Record i of the valid ones: the first USERS are identify calls (one per user), the rest track calls. */
function record(i: number): string {
  const userId = userOf(i);
  const timestamp = new Date(BASE_TS + i * 1000).toISOString();
  if (i < USERS) {
    return JSON.stringify({
      type: 'identify',
      userId,
      messageId: `msg-${i}`,
      timestamp,
      traits: { plan: PLANS[i % 3], role: i % 2 ? 'admin' : 'member', company: `Company ${i % 50}`, email: `${userId}@example.com`, seats: (i % 9) + 1 },
    });
  }
  return JSON.stringify({
    type: 'track',
    event: EVENT_NAMES[i % 3],
    userId,
    messageId: `msg-${i}`,
    timestamp,
    properties: { source: i % 2 ? 'web' : 'desktop', count: i % 7, beta: i % 5 === 0, note: '<b>not markup</b>' },
  });
}

/** Writes VALID_RECORDS good lines with the bad ones at their exact line numbers. */
function writeEventsFile(path: string): void {
  const lines: string[] = [];
  for (let i = 0; i < VALID_RECORDS; i++) lines.push(record(i));
  for (const bad of BAD_LINES) lines.splice(bad.line - 1, 0, bad.text);
  writeFileSync(path, `${lines.join('\n')}\n`);
}

test('importing a file shows progress, then a report with every rejection; users and timelines follow', async ({ page, server }) => {
  const file = join(server.dir, 'events.ndjson');
  writeEventsFile(file);

  await page.goto(server.url);
  await expect(page.getByRole('heading', { name: "Bring your product's events in" })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Import events' })).toBeEnabled();

  // The Data area follows its own job: a progress bar with records, bytes of the total, the rate and time left.
  // On a fast machine the whole import takes under a second, so what the progress panel showed is recorded
  // as it changes and checked afterwards, rather than raced against the job.
  await page.evaluate(() => {
    const seen: { bar: boolean; meta: string; cancel: boolean }[] = [];
    (window as unknown as { progressSeen: typeof seen }).progressSeen = seen;
    new MutationObserver(() => {
      const panel = document.querySelector('[data-testid="data-progress"][data-phase="job"]');
      if (!panel) return;
      seen.push({
        bar: panel.querySelector('[role="progressbar"]') !== null,
        meta: panel.querySelector('[data-testid="data-progress-meta"]')?.textContent ?? '',
        cancel: Array.from(panel.querySelectorAll('button')).some((b) => b.textContent?.trim() === 'Cancel'),
      });
    }).observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true });
  });
  await page.getByTestId('import-file-input').setInputFiles(file);
  const progress = page.locator('[data-testid="data-progress"][data-phase="job"]');
  await page.screenshot({ path: 'test-results/screens/10-import-progress.png' });

  // When it ends, its report opens in place.
  const report = page.getByTestId('import-report');
  await expect(report.getByTestId('report-imported')).toHaveText('60,000', { timeout: 60_000 });
  await expect(progress).toBeHidden();
  const seen = await page.evaluate(() => (window as unknown as { progressSeen: { bar: boolean; meta: string; cancel: boolean }[] }).progressSeen);
  expect(seen.some((s) => s.bar && s.cancel && /^[\d,]+ records · [\d.]+ MB of [\d.]+ MB · [\d,]+ records\/s/.test(s.meta)), JSON.stringify(seen.slice(-5))).toBe(true);
  await expect(report.getByRole('heading', { name: /Import report · events\.ndjson/ })).toBeVisible();
  await expect(report.getByTestId('report-rejected')).toHaveText('3');
  // Not a plain "Completed": the outcome says what was left out.
  await expect(report.getByTestId('import-state')).toHaveText('Completed with 3 rejected');
  await expect(report.getByTestId('report-duplicates')).toHaveText('0');
  await expect(report.getByTestId('report-users')).toHaveText('2,000');
  const rejections = report.getByTestId('rejections').locator('tbody tr');
  await expect(rejections).toHaveCount(3);
  for (const [i, bad] of BAD_LINES.entries()) {
    await expect(rejections.nth(i).locator('td').first()).toHaveText(String(bad.line));
    await expect(rejections.nth(i).locator('td').nth(1)).toHaveText(bad.reason);
  }
  // Each rejected row shows its line's text: a long one cut short, and all the report kept behind "Show all".
  const brokenText = rejections.nth(0).getByTestId('rejected-text');
  await expect(brokenText).toHaveText(BAD_LINES[0].text);
  const missingUser = rejections.nth(1);
  await expect(missingUser.getByTestId('rejected-text')).toHaveText(`${BAD_LINES[1].text.slice(0, 60)}…`);
  await missingUser.getByRole('button', { name: 'Show all' }).click();
  await expect(missingUser.getByTestId('rejected-text')).toHaveText(BAD_LINES[1].text);
  await expect(missingUser.getByRole('button', { name: 'Show less' })).toHaveAttribute('aria-expanded', 'true');
  await expect(page.getByRole('heading', { name: 'Data', exact: true })).toBeVisible();
  await expect(page.getByTestId('data-as-of')).toHaveText('2026-05-01 16:39 UTC');
  // The completion toast links to the same report.
  await expect(page.getByTestId('toast').filter({ hasText: 'Imported 60,000 records (0 duplicates, 3 rejected).' })).toBeVisible();
  await page.screenshot({ path: 'test-results/screens/11-import-report.png' });

  await report.getByRole('button', { name: 'Close the report' }).click();
  await expect(report).toBeHidden();
  await page.getByTestId('toast').getByRole('button', { name: 'View report' }).click();
  await expect(report.getByTestId('report-rejected')).toHaveText('3');
  await report.getByRole('button', { name: 'Close the report' }).click();

  // Events tab: a catalog row opens to its property keys and their types.
  const catalog = page.getByTestId('event-catalog');
  const reportRun = catalog.getByRole('button', { name: 'report_run' });
  await expect(reportRun).toHaveAttribute('aria-expanded', 'false');
  await reportRun.click();
  await expect(reportRun).toHaveAttribute('aria-expanded', 'true');
  const keys = page.getByRole('list', { name: 'Properties of report_run' });
  await expect(keys.getByRole('listitem')).toHaveCount(4);
  await expect(keys.getByRole('listitem').filter({ hasText: 'beta' })).toContainText('boolean');
  await expect(keys.getByRole('listitem').filter({ hasText: 'count' })).toContainText('number');
  await page.screenshot({ path: 'test-results/screens/12-catalog-properties.png' });

  // Imports tab: the recent imports reopen their reports.
  await page.getByRole('tab', { name: /Imports/ }).click();
  const recent = page.getByTestId('recent-imports');
  await expect(recent.locator('tbody tr')).toHaveCount(1);
  await expect(page.getByTestId('sync-last')).toHaveText('never');
  await recent.getByRole('button', { name: /events\.ndjson/ }).click();
  await expect(report.getByTestId('report-imported')).toHaveText('60,000');
  await expect(report).toBeFocused();
  await page.screenshot({ path: 'test-results/screens/13-imports-tab.png' });
  await page.keyboard.press('Escape');
  await expect(report).toBeHidden();

  // Users tab, by keyboard: tabs move with the arrows, a search narrows the table, Enter opens a timeline.
  await page.getByRole('tab', { name: /Imports/ }).focus();
  await page.keyboard.press('ArrowLeft');
  await expect(page.getByRole('tab', { name: /Accounts/ })).toHaveAttribute('aria-selected', 'true');
  await page.keyboard.press('ArrowLeft');
  await expect(page.getByRole('tab', { name: /Users/ })).toHaveAttribute('aria-selected', 'true');
  const users = page.getByTestId('users-table');
  await expect(users.locator('tbody tr')).toHaveCount(50);
  await expect(page.getByText('1–50 of 2,000')).toBeVisible();
  await page.getByRole('button', { name: 'Next' }).click();
  await expect(page.getByText('51–100 of 2,000')).toBeVisible();
  await page.screenshot({ path: 'test-results/screens/14-users.png' });

  const someone = 'user-0042';
  const search = page.getByRole('searchbox', { name: 'Search users' });
  await search.fill(someone);
  await expect(users.locator('tbody tr')).toHaveCount(1);
  const row = users.locator('tbody tr').first();
  await expect(row).toContainText(someone);
  await expect(row).toContainText('free');
  await expect(row).toContainText('Company 42');
  await expect(row).toContainText(`email: ${someone}@example.com`);
  await search.press('ArrowDown');
  await expect(row).toBeFocused();
  await page.keyboard.press('Enter');

  const timeline = page.getByTestId('user-timeline');
  await expect(timeline.getByRole('heading', { name: someone })).toBeVisible();
  const entries = timeline.getByTestId('timeline-entry');
  // user-0042 wrote record 42 (its identify call) and every 2,000th after it; newest first.
  const theirs = Array.from({ length: VALID_RECORDS / USERS }, (_, k) => 42 + k * USERS);
  await expect(entries).toHaveCount(theirs.length);
  const newest = theirs[theirs.length - 1] ?? 0;
  await expect(entries.first()).toContainText(String(EVENT_NAMES[newest % 3]));
  await expect(entries.first()).toContainText(new Date(BASE_TS + newest * 1000).toISOString().slice(11, 19));
  await expect(entries.first()).toContainText(`count: ${newest % 7}`);
  // Imported text is shown as text, never as markup.
  await expect(entries.first()).toContainText('note: <b>not markup</b>');
  await expect(timeline.locator('b')).toHaveCount(0);
  await expect(entries.last()).toContainText('identify');
  await expect(entries.last()).toContainText('plan: free');
  await page.screenshot({ path: 'test-results/screens/15-user-timeline.png' });

  await page.keyboard.press('Escape');
  await expect(timeline).toBeHidden();
  await expect(row).toBeFocused();

  await page.keyboard.press('Control+k');
  await page.getByRole('combobox').fill('theme dark');
  await page.keyboard.press('Enter');
  await row.click();
  await expect(timeline.getByRole('heading', { name: someone })).toBeVisible();
  await page.screenshot({ path: 'test-results/screens/16-user-timeline-dark.png' });
});

test('an empty file or an image is refused with a clear message, and the cache stays empty', async ({ page, server }) => {
  const empty = join(server.dir, 'empty.ndjson');
  writeFileSync(empty, '');
  const image = join(server.dir, 'logo.json');
  writeFileSync(image, Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489', 'hex'));

  await page.goto(server.url);
  await expect(page.getByRole('heading', { name: "Bring your product's events in" })).toBeVisible();

  await page.getByTestId('import-file-input').setInputFiles(empty);
  const notice = page.getByTestId('data-notice');
  await expect(notice).toContainText('Import failed');
  await expect(notice).toContainText('empty.ndjson is empty: there are no events to import.');
  // The upload folder is the backend's business: the message names the file as the user knows it.
  await expect(notice).not.toContainText('guidepost-uploads');
  await page.screenshot({ path: 'test-results/screens/17-import-empty-file.png' });

  await expect(page.getByRole('heading', { name: "Bring your product's events in" })).toBeVisible();
  await expect(page.getByTestId('data-as-of')).toHaveText('no data yet');
  await expect(page.locator('.status-bar')).toContainText('0 events');
  await expect(page.getByTestId('import-report')).toHaveCount(0);

  // A file dropped on the Data area goes the same way as a picked one.
  await page.getByTestId('data-area').evaluate((area) => {
    // The tests compile without the DOM's types: name the two constructors this needs.
    const dom = globalThis as unknown as {
      DataTransfer: new () => { items: { add(file: File): void } };
      DragEvent: new (type: string, init: object) => Event;
    };
    const transfer = new dom.DataTransfer();
    transfer.items.add(new File([''], 'dropped.ndjson', { type: 'application/x-ndjson' }));
    area.dispatchEvent(new dom.DragEvent('drop', { dataTransfer: transfer, bubbles: true, cancelable: true }));
  });
  await expect(notice).toContainText('dropped.ndjson is empty: there are no events to import.');

  await page.getByTestId('import-file-input').setInputFiles(image);
  await expect(notice).toContainText('logo.json is a binary file, not events');
  await notice.getByRole('button', { name: 'Dismiss this message' }).click();
  await expect(notice).toBeHidden();
  await expect(page.getByTestId('data-as-of')).toHaveText('no data yet');
  await expect(page.locator('.status-bar')).toContainText('0 users');
});

test('a source that cannot be reached ends the sync calmly, and the token never stays in the page', async ({ page, server }) => {
  await page.goto(server.url);
  await page.getByRole('button', { name: 'Connect a source' }).click();
  const panel = page.getByTestId('sync-panel');
  await expect(panel.getByTestId('sync-source')).toHaveText('Not connected');
  await expect(panel.getByTestId('sync-last')).toHaveText('never');

  await panel.getByRole('button', { name: 'Connect and sync' }).click();
  await expect(panel.getByRole('alert')).toHaveText(/Enter the delivery server’s URL/);

  // Port 9 (discard) is closed on loopback: every attempt fails the way an offline machine does.
  await panel.getByLabel('Source URL').fill('http://127.0.0.1:9');
  await panel.getByLabel('Token').fill('secret-token');
  await panel.getByRole('button', { name: 'Connect and sync' }).click();
  await expect(panel.getByLabel('Token')).toHaveValue('');
  await expect(page.getByTestId('activity-item')).toContainText('Syncing from 127.0.0.1:9');
  await expect(page.locator('[data-testid="data-progress"][data-phase="job"]')).toBeVisible();
  await page.screenshot({ path: 'test-results/screens/18-sync-running.png' });

  const notice = page.getByTestId('data-notice');
  await expect(notice).toContainText('The sync did not finish', { timeout: 60_000 });
  await expect(notice).toContainText('cannot reach http://127.0.0.1:9');
  await expect(notice).toHaveClass(/calm/);
  await expect(notice).toHaveAttribute('role', 'status');
  expect(await page.content()).not.toContain('secret-token');
  await page.screenshot({ path: 'test-results/screens/19-sync-offline.png' });
});

/** A stand-in for a delivery server's export: `total` events, `pageSize` a page, behind a bearer token. */
async function startExportServer(total: number, token: string): Promise<{ url: string; server: Server; requests: string[] }> {
  const requests: string[] = [];
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    requests.push(`${url.pathname}${url.search}`);
    if (req.headers.authorization !== `Bearer ${token}`) {
      res.writeHead(401, { 'Content-Type': 'application/json' }).end(JSON.stringify({ error: 'bad token' }));
      return;
    }
    const after = Number(url.searchParams.get('after') ?? 0);
    const limit = Number(url.searchParams.get('limit') ?? 1000);
    const end = Math.min(total, after + limit);
    const events = [];
    for (let i = after; i < end; i++) {
      events.push({ type: 'track', event: 'synced_event', userId: `synced-${i % 40}`, messageId: `sync-${i}`, timestamp: new Date(BASE_TS + i * 60_000).toISOString() });
    }
    res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ events, next: String(end), hasMore: end < total }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server, requests };
}

test('connecting a source syncs its events, remembers when, and syncs again on demand', async ({ page, server }) => {
  const source = await startExportServer(2_500, 'export-token');
  try {
    await page.goto(server.url);
    await page.getByRole('button', { name: 'Connect a source' }).click();
    const panel = page.getByTestId('sync-panel');
    await expect(panel.getByLabel('Source URL')).toBeFocused();
    await page.keyboard.type(source.url);
    await panel.getByLabel('Token').fill('export-token');
    await panel.getByLabel('Token').press('Enter');

    const report = page.getByTestId('import-report');
    await expect(report.getByRole('heading', { name: /Sync report/ })).toBeVisible({ timeout: 60_000 });
    await expect(report.getByTestId('report-imported')).toHaveText('2,500');
    await expect(page.getByRole('heading', { name: 'Data', exact: true })).toBeVisible();
    await expect(page.getByTestId('status-last-sync')).not.toHaveText('never');
    expect(source.requests).toEqual(['/v1/events?limit=1000', '/v1/events?after=1000&limit=1000', '/v1/events?after=2000&limit=1000']);

    await page.getByRole('tab', { name: /Imports/ }).click();
    const sync = page.getByTestId('sync-panel');
    await expect(sync.getByTestId('sync-source')).toHaveText(source.url);
    await expect(sync.getByTestId('sync-last')).toHaveText(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC$/);
    await expect(page.getByTestId('recent-imports').locator('tbody tr')).toHaveCount(1);
    await page.screenshot({ path: 'test-results/screens/20-sync-done.png' });

    // "Sync now" picks up from the cursor: nothing new, nothing doubled.
    await sync.getByRole('button', { name: 'Sync now' }).click();
    await expect(page.getByTestId('recent-imports').locator('tbody tr')).toHaveCount(2);
    await expect(report.getByTestId('report-imported')).toHaveText('0');
    expect(source.requests.at(-1)).toBe('/v1/events?after=2500&limit=1000');
    await expect(page.locator('.status-bar')).toContainText('2,500 events');
  } finally {
    source.server.close();
  }
});
