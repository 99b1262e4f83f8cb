/**
 * Issue 21, item 5: a cache holding a 10 % sample of users shows every segment size as an estimate,
 * "≈ 1,230 (…–…)" with a note saying so, the same figures the CLI's --json gives; and the app's own
 * imports into it carry its rate.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { callBridge, cliCount, expect, test, type BrowserModeServer } from './fixtures';

const DAY = 86_400_000;
const AS_OF = Date.UTC(2025, 2, 1);
const RULE = { version: 1, match: 'all', conditions: [{ type: 'event', event: 'report_run', op: '>=', count: 2, within: { days: 30 } }] };
const fmt = (n: number): string => n.toLocaleString('en-US');

/** 4,000 users: each signs up; every third runs three reports in the last 30 days. */
function eventsFile(dir: string): string {
  const lines: string[] = [];
  for (let u = 0; u < 4000; u++) {
    const userId = `customer-${u}`;
    lines.push(JSON.stringify({ type: 'track', event: 'signup', userId, messageId: `s-${u}`, timestamp: new Date(AS_OF - 60 * DAY + u * 1000).toISOString() }));
    if (u % 3 === 0) {
      for (let r = 0; r < 3; r++) {
        lines.push(JSON.stringify({ type: 'track', event: 'report_run', userId, messageId: `r-${u}-${r}`, timestamp: new Date(AS_OF - (r + 1) * DAY).toISOString() }));
      }
    }
  }
  const file = join(dir, 'events.ndjson');
  writeFileSync(file, lines.join('\n') + '\n');
  return file;
}

/** Imports through the contract with a sample rate, and waits until the cache holds it. */
async function importSampled(server: BrowserModeServer, file: string): Promise<void> {
  await callBridge(server, 'startImport', { path: file, samplePercent: 10 });
  await expect
    .poll(async () => {
      const status = await callBridge<{ events: number; samplePercent: number }>(server, 'getStatus', {});
      return status.events > 0 && status.samplePercent === 10;
    })
    .toBe(true);
}

async function command(page: Page, text: string): Promise<void> {
  await page.keyboard.press('Control+k');
  await page.getByRole('dialog', { name: 'Command palette' }).getByRole('combobox').fill(text);
  await page.keyboard.press('Enter');
}

test('a sampled cache shows segment sizes as estimates with their interval, as the CLI gives them', async ({ page, server }) => {
  await importSampled(server, eventsFile(server.dir));
  const estimate = cliCount<{ count: number; ci95: [number, number]; sampled: number; total: number }>(server, RULE);
  expect(estimate.sampled).toBe(0.1);
  expect(estimate.ci95[0]).toBeLessThan(estimate.count);
  expect(estimate.ci95[1]).toBeGreaterThan(estimate.count);
  await callBridge(server, 'saveSegment', { name: 'Reporters', rule: RULE });

  await page.goto(server.url);
  await expect(page.getByRole('heading', { name: 'Data', exact: true })).toBeVisible();
  await page.keyboard.press('Control+2');
  const row = page.getByTestId('segment-row').filter({ hasText: 'Reporters' });
  await expect(row.getByTestId('segment-size')).toContainText(`≈ ${fmt(estimate.count)}`);

  await command(page, 'reporters');
  await expect(page.getByRole('textbox', { name: 'Segment name' })).toHaveValue('Reporters');
  await expect(page.getByTestId('live-count')).toHaveText(`≈ ${fmt(estimate.count)}`);
  await expect(page.getByTestId('live-interval')).toHaveText(`(${fmt(estimate.ci95[0])}–${fmt(estimate.ci95[1])})`);
  await expect(page.getByTestId('live-sample-note')).toContainText('Estimated from a 10% sample of users');
  await expect(page.getByTestId('live-size')).toContainText(`of ≈ ${fmt(estimate.total)} users`);
  // The trend's points are scaled too, and say so.
  await expect(page.getByText("Members at the end of each week, up to the data's as-of date, estimated from a 10% sample of users")).toBeVisible();
  await page.screenshot({ path: 'test-results/screens/sample-estimate.png' });
});

test('a cache of every user shows exact sizes: no "≈", no interval, no note', async ({ page, server }) => {
  const file = eventsFile(server.dir);
  await callBridge(server, 'startImport', { path: file });
  await expect.poll(async () => (await callBridge<{ events: number }>(server, 'getStatus', {})).events).toBeGreaterThan(0);
  await callBridge(server, 'saveSegment', { name: 'Reporters', rule: RULE });
  await page.goto(server.url);
  await expect(page.getByRole('heading', { name: 'Data', exact: true })).toBeVisible();
  await page.keyboard.press('Control+2');
  await command(page, 'reporters');
  await expect(page.getByTestId('live-count')).toHaveText(/^[\d,]+$/);
  await expect(page.getByTestId('live-interval')).toHaveCount(0);
  await expect(page.getByTestId('live-sample-note')).toHaveCount(0);
});
