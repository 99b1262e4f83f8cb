/**
 * Workshop exports in browser mode: the CSV export downloads as one zip, fetched with the bridge token in
 * a header (never in a URL), holding exactly the separate CSV files; the toast sits in a corner, off the
 * file list; the bridge hands out files from the exports folder only.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { expect, openDemo, test } from './fixtures';
import { DEMO_WORKSHOP } from './walkthrough';

function overlaps(a: { x: number; y: number; width: number; height: number }, b: { x: number; y: number; width: number; height: number }): boolean {
  return a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
}

test('the CSV export downloads one zip of the CSV files, without the token in any URL', async ({ page, demo: server }) => {
  test.setTimeout(180_000);
  const token = new URLSearchParams(new URL(server.url).hash.slice(1)).get('token') ?? '';
  const downloads: { url: string; authorization: string | undefined }[] = [];
  page.on('request', (request) => {
    if (request.url().includes('/api/download')) downloads.push({ url: request.url(), authorization: request.headers().authorization });
  });

  await openDemo(page, server);
  await page.keyboard.press('Control+3');
  await page.getByRole('button', { name: DEMO_WORKSHOP, exact: true }).click();
  const exportCard = page.getByRole('region', { name: 'Export' });
  const downloadEvent = page.waitForEvent('download');
  await exportCard.getByRole('button', { name: 'CSV', exact: true }).click();
  const download = await downloadEvent;
  expect(download.suggestedFilename()).toMatch(/-csv\.zip$/);
  const zip = join(server.dir, download.suggestedFilename());
  await download.saveAs(zip);

  // The list shows the zip first, then the separate files, each with a Download.
  const listed = await page.getByTestId('export-file').allTextContents();
  expect(basename(listed[0] as string)).toBe(download.suggestedFilename());
  const csvs = listed.slice(1);
  expect(csvs.length).toBeGreaterThanOrEqual(5);
  expect(csvs.every((f) => f.endsWith('.csv'))).toBe(true);
  await expect(page.getByRole('button', { name: `Download ${basename(csvs[0] as string)}` })).toBeVisible();
  // Browser mode cannot open a folder: no such button here.
  await expect(page.getByRole('button', { name: /in its folder$/ })).toHaveCount(0);

  // The zip, read by Info-ZIP's unzip, holds exactly those files, byte for byte.
  const names = execFileSync('unzip', ['-Z1', zip], { encoding: 'utf8' }).trim().split('\n');
  expect(names.sort()).toEqual(csvs.map((f) => basename(f)).sort());
  for (const file of csvs) {
    const inZip = execFileSync('unzip', ['-p', zip, basename(file)]);
    expect(inZip.equals(readFileSync(file)), basename(file)).toBe(true);
  }

  // The token went in a header, never in the URL.
  expect(downloads.length).toBe(1);
  expect(downloads[0]?.url).not.toContain(token);
  expect(downloads[0]?.authorization).toBe(`Bearer ${token}`);

  // The toast stacks in a corner, off the file list, and closes with ×.
  const toast = page.getByTestId('toast').filter({ hasText: /^Exported/ });
  await expect(toast).toBeVisible();
  const toastBox = await toast.boundingBox();
  const listBox = await page.getByRole('list', { name: 'Exported files' }).boundingBox();
  expect(toastBox && listBox && !overlaps(toastBox, listBox)).toBe(true);
  await toast.getByRole('button', { name: 'Dismiss' }).click();
  await expect(toast).toHaveCount(0);
});

test('the bridge downloads only exported files, and only with the token', async ({ demo: server }) => {
  const url = new URL(server.url);
  const token = new URLSearchParams(url.hash.slice(1)).get('token') ?? '';
  const get = (path: string, withToken = true): Promise<Response> =>
    fetch(new URL(`/api/download?path=${encodeURIComponent(path)}`, url.origin), withToken ? { headers: { Authorization: `Bearer ${token}` } } : {});
  // The cache itself sits beside the exports folder: not downloadable, even by a path through it.
  const refused = await get(server.dbPath);
  expect(refused.status).toBe(404);
  expect(((await refused.json()) as { error: { message: string } }).error.message).toContain('only files in the exports folder');
  expect((await get(join(server.dir, 'exports', '..', 'cache.db'))).status).toBe(404);
  expect((await get(server.dbPath, false)).status).toBe(401);
});
