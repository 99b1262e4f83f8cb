/**
 * Verified identity, end to end (issue 16, item 2): `guidepost delivery` from the CLI with two identity
 * secrets (a rotation), and a customer's site on another loopback port that plays the customer's
 * backend too: it signs its signed-in user's id with HMAC-SHA256 (node:crypto, as the docs' snippet
 * does) and hands the hash to `guidepost.init`. In Chromium: the correct hash gets messages, a wrong one
 * gets a 401 and nothing stored, and a user switch sends each user's records under their own hash.
 * Needs `npm run build:sdk`.
 */
import { createHmac } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test as base, expect, type Page } from '@playwright/test';
import { deliveryAdmin, startDeliveryServer } from './fixtures';

const ADMIN_TOKEN = 'e2e-admin-token-identity-0123456789';
const PUBLIC_KEY = 'pk-e2e-identity-key';
const CURRENT = 'e2e-identity-secret-current-0123456789';
const PREVIOUS = 'e2e-identity-secret-previous-9876543210';

const sign = (userId: string, secret = CURRENT): string => createHmac('sha256', secret).update(userId).digest('hex');

interface Site {
  delivery: string;
  host: string;
  admin(method: string, path: string, body?: unknown): Promise<{ status: number; json: Record<string, unknown> }>;
  events(): Promise<{ type: string; userId: string; event?: string }[]>;
}

/**
 * The customer's site: `/?user=<id>` is a page for that signed-in user (`&signAs=<id>` signs another id
 * instead, a page that got the wrong hash); `/hash?user=<id>` is what its login answer would carry.
 */
function customerSite(deliveryUrl: () => string): Server {
  return createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const user = url.searchParams.get('user') ?? '';
    if (url.pathname === '/hash') {
      res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ userHash: sign(user) }));
      return;
    }
    if (url.pathname !== '/') {
      res.writeHead(404).end();
      return;
    }
    // Signed with the secret being rotated out: the server accepts both during a rotation.
    const userHash = sign(url.searchParams.get('signAs') ?? user, PREVIOUS);
    const options = JSON.stringify({ host: deliveryUrl(), key: PUBLIC_KEY, userId: user, userHash, traits: { plan: 'pro' } }).replace(/</g, '\\u003c');
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' }).end(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Acme</title></head><body><h1>Reports</h1>
<script src="${deliveryUrl()}/sdk/guidepost.js"></script>
<script>guidepost.init(${options}).then(() => { document.documentElement.dataset.ready = 'yes'; });</script>
</body></html>`);
  });
}

const test = base.extend<{ site: Site }>({
  site: async ({}, use) => {
    const dir = mkdtempSync(join(tmpdir(), 'guidepost-sdk-identity-'));
    let deliveryUrl = '';
    const page = customerSite(() => deliveryUrl);
    await new Promise<void>((resolve) => page.listen(0, '127.0.0.1', resolve));
    const host = `http://127.0.0.1:${(page.address() as AddressInfo).port}`;
    const server = await startDeliveryServer({ dir, adminToken: ADMIN_TOKEN, publicKey: PUBLIC_KEY, allowedOrigin: host, identitySecrets: [CURRENT, PREVIOUS] });
    deliveryUrl = server.url;
    const admin: Site['admin'] = (method, path, body) => deliveryAdmin(deliveryUrl, ADMIN_TOKEN, method, path, body);
    const events: Site['events'] = async () => (await admin('GET', '/v1/events')).json.events as Awaited<ReturnType<Site['events']>>;
    await use({ delivery: deliveryUrl, host, admin, events });
    await server.stop();
    await new Promise<void>((resolve) => page.close(() => resolve()));
    rmSync(dir, { recursive: true, force: true });
  },
});

async function publishWelcome(site: Site): Promise<void> {
  const { status, json } = await site.admin('PUT', '/v1/messages/welcome', {
    kind: 'modal',
    content: { title: 'Welcome to Acme Pro' },
    rule: { version: 1, match: 'all', conditions: [{ type: 'trait', trait: 'plan', op: 'eq', value: 'pro' }] },
    trigger: { page: '*' },
    environment: 'production',
    version: 1,
  });
  expect(status, JSON.stringify(json)).toBe(201);
}

/** Every request the page makes to the delivery server's client endpoints: its hash header and body. */
function recordRequests(page: Page, site: Site): { path: string; hash: string | undefined; body: Record<string, unknown> }[] {
  const seen: { path: string; hash: string | undefined; body: Record<string, unknown> }[] = [];
  page.on('request', (request) => {
    if (!request.url().startsWith(`${site.delivery}/v1/`) || request.method() !== 'POST') return;
    seen.push({ path: new URL(request.url()).pathname, hash: request.headers()['x-guidepost-user-hash'], body: request.postDataJSON() as Record<string, unknown> });
  });
  return seen;
}

test('the signed-in user’s hash gets messages; a page with another user’s hash gets a 401 and stores nothing', async ({ page, site }) => {
  await publishWelcome(site);
  page.on('pageerror', (error) => {
    throw error;
  });
  const decided = page.waitForResponse((r) => r.url() === `${site.delivery}/v1/decide`);
  await page.goto(`${site.host}/?user=alice`);
  await expect(page.locator('html')).toHaveAttribute('data-ready', 'yes');
  expect((await decided).status()).toBe(200);
  await expect(page.getByRole('dialog', { name: 'Welcome to Acme Pro' })).toBeVisible();
  await expect.poll(async () => (await site.events()).filter((e) => e.userId === 'alice').map((e) => e.event ?? e.type)).toContain('message_shown');

  // Mallory's page carries alice's hash: the server refuses every call, and the SDK shows nothing.
  const warnings: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'warning') warnings.push(message.text());
  });
  const refused = page.waitForResponse((r) => r.url() === `${site.delivery}/v1/identify`);
  const refusedDecide = page.waitForResponse((r) => r.url() === `${site.delivery}/v1/decide`);
  await page.goto(`${site.host}/?user=mallory&signAs=alice`);
  expect((await refused).status()).toBe(401);
  expect((await refusedDecide).status()).toBe(401);
  await expect(page.locator('html')).toHaveAttribute('data-ready', 'yes');
  await expect.poll(() => warnings.join('\n')).toMatch(/refused 1 record\(s\) \(HTTP 401\).*userHash/);
  await expect(page.getByRole('dialog')).toHaveCount(0);
  expect((await site.events()).filter((e) => e.userId === 'mallory')).toEqual([]);
});

test('a user switch with a new hash sends each user’s records under their own hash', async ({ page, site }) => {
  page.on('pageerror', (error) => {
    throw error;
  });
  const requests = recordRequests(page, site);
  const statuses: number[] = [];
  page.on('response', (response) => {
    if (response.url().startsWith(`${site.delivery}/v1/`) && response.request().method() === 'POST') statuses.push(response.status());
  });
  // A record an earlier page queued without any hash (before the site verified identities) waits in the queue.
  const legacy = { type: 'track', event: 'legacy', userId: 'carol', messageId: 'legacy-1', timestamp: new Date().toISOString() };
  await page.addInitScript(
    ([key, record]) => {
      const storage = (globalThis as unknown as { localStorage: { setItem(k: string, v: string): void } }).localStorage;
      const session = (globalThis as unknown as { sessionStorage: { getItem(k: string): string | null; setItem(k: string, v: string): void } }).sessionStorage;
      if (session.getItem('seeded')) return;
      session.setItem('seeded', 'yes');
      storage.setItem(key as string, JSON.stringify([record]));
    },
    [`guidepost:queue:${site.delivery}`, legacy] as const,
  );
  await page.goto(`${site.host}/?user=alice`);
  await expect(page.locator('html')).toHaveAttribute('data-ready', 'yes');

  type Sdk = { guidepost: { track(name: string, properties?: object): void; identify(userId: string, traits?: object, options?: { userHash?: string }): Promise<void> } };
  await page.evaluate(async () => {
    const sdk = (globalThis as unknown as Sdk).guidepost;
    // Alice's event waits for the next flush; bob signs in before it goes (his hash from the login answer).
    sdk.track('report_run', { by: 'alice' });
    const { userHash } = (await (await fetch('/hash?user=bob')).json()) as { userHash: string };
    await sdk.identify('bob', { plan: 'free' }, { userHash });
    sdk.track('report_run', { by: 'bob' });
  });

  const stored = async (): Promise<string[]> =>
    (await site.events())
      .filter((e) => e.event === 'report_run' || e.type === 'identify')
      .map((e) => `${e.userId} ${e.event ?? e.type}`)
      .sort();
  await expect.poll(stored, { timeout: 20_000 }).toEqual(['alice identify', 'alice report_run', 'bob identify', 'bob report_run']);

  const usersOf = (body: Record<string, unknown>): string[] => (Array.isArray(body.batch) ? (body.batch as { userId: string }[]) : [body as { userId: string }]).map((r) => r.userId);
  // Playwright reports requests on its own channel, which may trail the server's answer to the export.
  const whoseHash = (hash: string | undefined): string =>
    ['alice', 'bob'].find((user) => hash === sign(user) || hash === sign(user, PREVIOUS)) ?? 'no';
  const tracked = (): string[] =>
    requests.filter((r) => r.path === '/v1/track').map((r) => `${[...new Set(usersOf(r.body))].join(',')} under ${whoseHash(r.hash)} hash`);
  await expect.poll(tracked).toEqual(['carol under no hash', 'alice under alice hash', 'bob under bob hash']);
  // Every request carried the hash of the one user all its records are for, signed with either secret;
  // carol's record went alone and without a hash (refused, 401), never under alice's.
  await expect.poll(() => statuses.filter((status) => status !== 200)).toEqual([401]);
  expect(requests.filter((r) => usersOf(r.body).includes('carol'))).toEqual([{ path: '/v1/track', hash: undefined, body: { batch: [legacy] } }]);
  for (const request of requests.filter((r) => !usersOf(r.body).includes('carol'))) {
    const users = [...new Set(usersOf(request.body))];
    expect(users, JSON.stringify(request)).toHaveLength(1);
    expect([sign(users[0] as string), sign(users[0] as string, PREVIOUS)], request.path).toContain(request.hash);
    expect(JSON.stringify(request.body)).not.toContain('userHash');
  }
});
