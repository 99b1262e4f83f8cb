/**
 * Issue 16, privacy of page URLs: the SDK on a host page whose address carries secrets in its query
 * string and fragment (a password reset link with an OAuth-style access token), reached from a page
 * whose own address carries a third secret (so the referrer would carry it). Against the real delivery
 * server from the CLI: no secret reaches the server, neither in what decide received nor in what the
 * /v1/events export gives back, and a page trigger on the path still matches. Needs `npm run build:sdk`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { startDeliveryServer } from './fixtures';

const ADMIN_TOKEN = 'e2e-admin-token-privacy-0123456789';
const PUBLIC_KEY = 'pk-e2e-privacy-key';
const SECRETS = { query: 'qs-secret-4711', fragment: 'frag-secret-0815', referrer: 'ref-secret-1234' };

test('secrets in the query string, the fragment and the referrer never reach the server, and a path trigger still matches', async ({ page }) => {
  const dir = mkdtempSync(join(tmpdir(), 'guidepost-sdk-privacy-'));
  let deliveryUrl = '';
  const reset = `/reset-password?token=${SECRETS.query}&utm_source=newsletter#access_token=${SECRETS.fragment}`;
  const hostServer = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
    res.writeHead(path === '/inbox' || path === '/reset-password' ? 200 : 404, { 'Content-Type': 'text/html; charset=utf-8' });
    if (path === '/inbox') res.end(`<!doctype html><html lang="en"><head><title>Inbox</title></head><body><a id="reset" href="${reset}">Reset your password</a></body></html>`);
    else if (path === '/reset-password') {
      const options = JSON.stringify({ host: deliveryUrl, key: PUBLIC_KEY, userId: 'u-reset', urlParams: ['utm_source'] });
      res.end(`<!doctype html><html lang="en"><head><title>Reset password</title></head><body><h1>Choose a new password</h1>
<script src="${deliveryUrl}/sdk/guidepost.js"></script>
<script>guidepost.init(${options});</script></body></html>`);
    } else res.end();
  });
  await new Promise<void>((resolve) => hostServer.listen(0, '127.0.0.1', resolve));
  const host = `http://127.0.0.1:${(hostServer.address() as AddressInfo).port}`;
  const delivery = await startDeliveryServer({ dir, adminToken: ADMIN_TOKEN, publicKey: PUBLIC_KEY, allowedOrigin: host });
  deliveryUrl = delivery.url;
  const admin = async (method: string, path: string, body?: unknown): Promise<{ status: number; json: Record<string, unknown> }> => {
    const response = await fetch(deliveryUrl + path, {
      method,
      headers: { Authorization: `Bearer ${ADMIN_TOKEN}`, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, json: (await response.json()) as Record<string, unknown> };
  };
  try {
    const published = await admin('PUT', '/v1/messages/reset-tip', {
      kind: 'modal',
      content: { title: 'Tip: use a password manager' },
      rule: { version: 1, match: 'all', conditions: [] },
      // An allow-listed parameter stays in the address, so a path pattern ends in * to match with or without it.
      trigger: { page: `${host}/reset-password*` },
      environment: 'production',
      version: 1,
    });
    expect(published.status, JSON.stringify(published.json)).toBe(201);
    expect(published.json.warnings).toEqual([]);

    page.on('pageerror', (error) => {
      throw error;
    });
    const sent: string[] = [];
    page.on('request', (request) => {
      if (request.url().startsWith(deliveryUrl) && request.method() === 'POST') sent.push(`${request.url()} ${request.postData() ?? ''}`);
    });
    await page.goto(`${host}/inbox?session=${SECRETS.referrer}`);
    const decided = page.waitForResponse((r) => r.url() === `${deliveryUrl}/v1/decide` && r.request().method() === 'POST');
    await page.locator('#reset').click();
    const decide = await decided;
    // The browser itself has the secrets: the point is that the SDK does not pass them on.
    expect(await page.evaluate(() => location.href)).toContain(SECRETS.fragment);
    expect(await page.evaluate(() => document.referrer)).toContain(SECRETS.referrer);

    expect(decide.request().postDataJSON()).toMatchObject({ userId: 'u-reset', url: `${host}/reset-password?utm_source=newsletter` });
    await expect(page.getByRole('dialog', { name: 'Tip: use a password manager' })).toBeVisible();

    // The page view is stored with the trimmed address, the allow-listed parameter and the referrer's origin.
    type Exported = { type: string; userId: string; properties?: Record<string, unknown> };
    const events = async (): Promise<Exported[]> => (await admin('GET', '/v1/events?limit=1000')).json.events as Exported[];
    await expect.poll(async () => (await events()).filter((e) => e.type === 'page' && e.userId === 'u-reset').length).toBe(1);
    const stored = await events();
    expect(stored.find((e) => e.type === 'page')?.properties).toMatchObject({
      url: `${host}/reset-password?utm_source=newsletter`,
      path: '/reset-password',
      search: '?utm_source=newsletter',
      referrer: host,
    });
    const everything = `${JSON.stringify(stored)}\n${sent.join('\n')}`;
    expect(sent.length).toBeGreaterThanOrEqual(2);
    for (const secret of Object.values(SECRETS)) expect(everything).not.toContain(secret);
  } finally {
    await delivery.stop();
    await new Promise<void>((resolve) => hostServer.close(() => resolve()));
    rmSync(dir, { recursive: true, force: true });
  }
});
