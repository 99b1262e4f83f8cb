/// <reference lib="dom" />
/**
 * Issue 15: a gzipped archive of batch envelopes (Segment's /v1/batch bodies, one per line), imported
 * from the Data area: the report names the packaging it recognized, locates a rejected record by its
 * line and element, and warns that future-dated records did not move "data as of".
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { expect, test } from './fixtures';

const BASE_TS = Date.UTC(2026, 4, 1);

/** Envelope e: ten track calls of one user, the envelope's context last as the HTTP API's example writes it. */
function envelope(e: number): Record<string, unknown> {
  const userId = `user-${e}`;
  const batch: Record<string, unknown>[] = Array.from({ length: 10 }, (_, k) => ({
    type: 'track',
    event: 'Report Run',
    userId,
    messageId: `env-${e}-${k}`,
    timestamp: new Date(BASE_TS + (e * 10 + k) * 60_000).toISOString(),
    properties: { k },
  }));
  return { batch, context: { library: { name: 'analytics-node', version: '6.2.0' }, traits: { plan: 'team' } }, sentAt: new Date(BASE_TS).toISOString() };
}

test('a gzipped archive of batch envelopes: the report names it, locates a rejection by line and element, and warns of future dates', async ({ page, server }) => {
  const envelopes = Array.from({ length: 5 }, (_, e) => envelope(e));
  // Line 3, element 4 has no event name; two records of line 5 are dated 2099.
  const third = envelopes[2]?.batch as Record<string, unknown>[];
  delete third[3]?.event;
  const fifth = envelopes[4]?.batch as Record<string, unknown>[];
  (fifth[0] as Record<string, unknown>).timestamp = '2099-01-01T00:00:00.000Z';
  (fifth[1] as Record<string, unknown>).timestamp = '2099-06-30T12:00:00.000Z';
  // No telling name: the archive is recognized by its magic bytes.
  const file = join(server.dir, 'segment-export-0001');
  writeFileSync(file, gzipSync(envelopes.map((e) => JSON.stringify(e)).join('\n') + '\n'));

  await page.goto(server.url);
  await expect(page.getByRole('button', { name: 'Import events' })).toBeEnabled();
  await page.getByTestId('import-file-input').setInputFiles(file);

  const report = page.getByTestId('import-report');
  await expect(report.getByTestId('report-imported')).toHaveText('49');
  await expect(report.getByTestId('report-rejected')).toHaveText('1');
  await expect(report.getByTestId('report-format')).toHaveText('batch envelopes (NDJSON lines, gzip)');
  const rejection = report.getByTestId('rejections').locator('tbody tr');
  await expect(rejection).toHaveCount(1);
  await expect(rejection.locator('td').first()).toHaveText('line 3, element 4');
  await expect(rejection.locator('td').nth(1)).toHaveText('track call without an event name');
  const warning = report.getByTestId('report-future-dated');
  await expect(warning).toBeVisible();
  await expect(warning).toContainText('2 records are dated more than a day after the import (the latest 2099-06-30 12:00 UTC)');
  await expect(warning).toContainText('"data as of" was not moved');
  await page.screenshot({ path: 'test-results/screens/12-import-packaging-report.png' });

  // The same messageIds again, one with other content: duplicates, and the one that differs is named.
  const again = envelopes[0]?.batch as Record<string, unknown>[];
  (again[2] as Record<string, unknown>).properties = { k: 'changed' };
  const second = join(server.dir, 'segment-export-0002.ndjson');
  writeFileSync(second, again.map((r) => JSON.stringify(r)).join('\n') + '\n');
  await page.getByTestId('import-file-input').setInputFiles(second);
  await expect(report.getByTestId('report-imported')).toHaveText('0');
  await expect(report.getByTestId('report-duplicates')).toHaveText('10');
  await expect(report.getByTestId('report-conflicting-duplicates')).toContainText(
    '1 duplicate carried other content than the record stored under its messageId; the stored one was kept: line 3 (env-0-2).',
  );
});
