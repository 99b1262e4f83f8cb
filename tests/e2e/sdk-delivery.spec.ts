/**
 * The SDK against the real delivery server, end to end: `guidepost delivery` runs from the CLI on
 * loopback with its own database; a host page on another loopback port (an allowed origin) loads the
 * SDK from the server (<script src=…/sdk/guidepost.js>) and calls guidepost.init. Messages are
 * published and events read back through the admin API. Needs `npm run build:sdk` first.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test as base, expect, type Page } from '@playwright/test';
import { startDeliveryServer } from './fixtures';

const ADMIN_TOKEN = 'e2e-admin-token-0123456789';
const PUBLIC_KEY = 'pk-e2e-public-key';

interface Delivery {
  /** The delivery server's base URL. */
  url: string;
  /** The host page's origin. */
  host: string;
  admin(method: string, path: string, body?: unknown): Promise<{ status: number; json: Record<string, unknown> }>;
  /** Every record the server stored (GET /v1/events, all pages). */
  events(): Promise<ExportedRecord[]>;
}

interface ExportedRecord {
  type: string;
  messageId: string;
  userId: string;
  event?: string;
  traits?: Record<string, unknown>;
  properties?: Record<string, unknown>;
  timestamp: string;
}

/** A customer's page: loads the SDK from the delivery server and identifies the user in the query. */
function hostPage(delivery: string, user: string, plan: string): string {
  const options = JSON.stringify({ host: delivery, key: PUBLIC_KEY, userId: user, traits: { plan, name: `User ${user}` } }).replace(/</g, '\\u003c');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Acme reports</title>
<style>body { margin: 0; padding: 32px; font: 15px/1.5 system-ui, sans-serif; background: #f6f7f9; }</style></head>
<body><h1>Weekly report</h1><p>Active users grew 12% this week.</p><button id="export" type="button">Export CSV</button>
<script src="${delivery}/sdk/guidepost.js"></script>
<script>window.initialized = guidepost.init(${options}).then(() => { document.documentElement.dataset.ready = 'yes'; });</script>
</body></html>`;
}

async function startDelivery(): Promise<{ delivery: Delivery; stop: () => Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'guidepost-sdk-e2e-'));
  let deliveryUrl = '';
  const page: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname !== '/') {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
    res.end(hostPage(deliveryUrl, url.searchParams.get('user') ?? 'anonymous', url.searchParams.get('plan') ?? 'free'));
  });
  await new Promise<void>((resolve) => page.listen(0, '127.0.0.1', resolve));
  const host = `http://127.0.0.1:${(page.address() as AddressInfo).port}`;

  const server = await startDeliveryServer({ dir, adminToken: ADMIN_TOKEN, publicKey: PUBLIC_KEY, allowedOrigin: host });
  deliveryUrl = server.url;

  const admin: Delivery['admin'] = async (method, path, body) => {
    const response = await fetch(deliveryUrl + path, {
      method,
      headers: { Authorization: `Bearer ${ADMIN_TOKEN}`, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, json: (await response.json()) as Record<string, unknown> };
  };
  const events = async (): Promise<ExportedRecord[]> => {
    const all: ExportedRecord[] = [];
    let after = '';
    for (;;) {
      const { status, json } = await admin('GET', `/v1/events?limit=1000${after ? `&after=${after}` : ''}`);
      expect(status).toBe(200);
      all.push(...(json.events as ExportedRecord[]));
      if (!json.hasMore) return all;
      after = String(json.next);
    }
  };
  const stop = async (): Promise<void> => {
    await server.stop();
    await new Promise<void>((resolve) => page.close(() => resolve()));
    rmSync(dir, { recursive: true, force: true });
  };
  return { delivery: { url: deliveryUrl, host, admin, events }, stop };
}

const test = base.extend<{ delivery: Delivery }>({
  delivery: async ({}, use) => {
    const { delivery, stop } = await startDelivery();
    await use(delivery);
    await stop();
  },
});

const FOLLOW_UP = {
  promoter: 'What do you love most about Acme?',
  passive: 'What would make Acme a 10 for you?',
  detractor: 'Sorry to hear that. What should we fix first?',
};
const QUESTION = 'How likely are you to recommend Acme to a colleague?';

async function publishNps(delivery: Delivery): Promise<void> {
  const { status, json } = await delivery.admin('PUT', '/v1/messages/nps-pro', {
    kind: 'nps',
    content: { question: QUESTION, lowLabel: 'Not likely', highLabel: 'Very likely', followUp: FOLLOW_UP, thankYou: 'Thanks for telling us!' },
    rule: { version: 1, match: 'all', conditions: [{ type: 'trait', trait: 'plan', op: 'eq', value: 'pro' }] },
    trigger: { page: '*' },
    frequency: { once: true },
    rollout: 100,
    priority: 10,
    environment: 'production',
    version: 1,
  });
  expect(status, JSON.stringify(json)).toBeLessThan(300);
}

async function visit(page: Page, delivery: Delivery, user: string, plan: string): Promise<unknown> {
  const decided = page.waitForResponse((r) => r.url() === `${delivery.url}/v1/decide` && r.request().method() === 'POST');
  await page.goto(`${delivery.host}/?user=${user}&plan=${plan}`);
  await expect(page.locator('html')).toHaveAttribute('data-ready', 'yes');
  const response = await decided;
  expect(response.status()).toBe(200);
  return response.json();
}

test('a user in the segment answers the NPS survey by keyboard and the answer reaches the server; others see nothing', async ({ page, delivery }) => {
  await publishNps(delivery);
  page.on('pageerror', (error) => {
    throw error;
  });

  const decided = await visit(page, delivery, 'u-pro', 'pro');
  expect(decided).toMatchObject({ messages: [{ id: 'nps-pro', kind: 'nps', version: 1 }] });
  const dialog = page.getByRole('dialog', { name: QUESTION });
  await expect(dialog).toBeVisible();
  await expect(dialog).toBeFocused();

  await page.keyboard.press('Tab');
  await expect(dialog.getByRole('radio', { name: '0, Not likely' })).toBeFocused();
  for (let i = 0; i < 3; i++) await page.keyboard.press('ArrowRight');
  await expect(dialog.getByRole('radio', { name: '3', exact: true })).toBeChecked();
  await page.keyboard.press('Enter');
  const comment = dialog.getByRole('textbox', { name: FOLLOW_UP.detractor });
  await expect(comment).toBeFocused();
  await page.keyboard.type('CSV exports time out on big reports.');
  await page.keyboard.press('Tab');
  await page.keyboard.press('Enter');
  await expect(page.getByRole('dialog', { name: 'Thanks for telling us!' })).toBeVisible();

  await expect
    .poll(async () => (await delivery.events()).find((e) => e.event === 'survey_answered')?.properties, { timeout: 15_000 })
    .toEqual({ message_id: 'nps-pro', message_version: 1, survey: 'nps', score: 3, comment: 'CSV exports time out on big reports.' });
  const records = await delivery.events();
  const mine = records.filter((r) => r.userId === 'u-pro');
  expect(mine.find((r) => r.type === 'identify')?.traits).toEqual({ plan: 'pro', name: 'User u-pro' });
  expect(mine.filter((r) => r.event === 'page_viewed')).toHaveLength(1);
  expect(mine.find((r) => r.event === 'page_viewed')?.properties).toMatchObject({ url: `${delivery.host}/`, path: '/', search: '', title: 'Acme reports' }); // no query string (issue 16)
  expect(mine.filter((r) => r.event === 'message_shown')).toHaveLength(1);
  // Every record the SDK made has its UUID; the one the server wrote itself is the assignment (issue 19).
  const assigned = mine.filter((r) => r.event === 'message_assigned');
  expect(assigned.map((r) => r.messageId)).toEqual(['assigned:nps-pro:u-pro']);
  expect(mine.filter((r) => r.event !== 'message_assigned').every((r) => /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/.test(r.messageId))).toBe(true);

  // Shown once: the frequency rule holds it back on the next page view.
  expect(await visit(page, delivery, 'u-pro', 'pro')).toEqual({ messages: [] });

  // A user outside the segment: identified and tracked, never shown the survey.
  expect(await visit(page, delivery, 'u-free', 'free')).toEqual({ messages: [] });
  await page.waitForTimeout(500);
  await expect(page.getByRole('dialog')).toHaveCount(0);
  await expect(page.locator('guidepost-message')).toHaveCount(0);
  await expect.poll(async () => (await delivery.events()).filter((e) => e.userId === 'u-free').map((e) => e.type).sort()).toEqual(['identify', 'page']);
});

test('events wait in localStorage while the server is unreachable, survive a reload, and arrive once', async ({ page, delivery }) => {
  await visit(page, delivery, 'u-offline', 'free');
  const queueKey = `guidepost:queue:${delivery.url}`;
  const queued = (): Promise<{ event?: string; messageId: string }[]> =>
    page.evaluate((key) => JSON.parse((globalThis as unknown as { localStorage: { getItem(k: string): string | null } }).localStorage.getItem(key) ?? '[]'), queueKey);
  await expect.poll(queued).toEqual([]);

  // The network to /v1/track fails (as when offline): the event stays queued.
  await page.route(`${delivery.url}/v1/track`, (route) => route.abort('internetdisconnected'));
  await page.evaluate(() => (globalThis as unknown as { guidepost: { track(n: string, p: object): void } }).guidepost.track('report_exported', { format: 'csv' }));
  await expect.poll(async () => (await queued()).map((r) => r.event)).toEqual(['report_exported']);
  const messageId = (await queued())[0]?.messageId;
  expect(messageId).toMatch(/^[0-9a-f-]{36}$/);
  await page.waitForTimeout(2500); // a flush and a retry or two fail meanwhile

  // A reload, still unreachable: the queue is still there, the new page view joins it.
  await page.reload();
  await expect(page.locator('html')).toHaveAttribute('data-ready', 'yes');
  await expect.poll(async () => (await queued()).map((r) => r.event)).toEqual(['report_exported', undefined]);
  expect((await queued())[0]?.messageId).toBe(messageId);

  // Back online: the backoff's next attempt delivers everything, each record once.
  await page.unroute(`${delivery.url}/v1/track`);
  await expect.poll(queued, { timeout: 20_000 }).toEqual([]);
  const mine = (await delivery.events()).filter((e) => e.userId === 'u-offline');
  expect(mine.filter((e) => e.event === 'report_exported')).toEqual([expect.objectContaining({ messageId, properties: { format: 'csv' } })]);
  expect(mine.filter((e) => e.event === 'page_viewed')).toHaveLength(2);
});

test('an event tracked just before the page is left still arrives (fetch keepalive on pagehide)', async ({ page, delivery }) => {
  await visit(page, delivery, 'u-leaving', 'free');
  await page.evaluate(() => (globalThis as unknown as { guidepost: { track(n: string, p: object): void } }).guidepost.track('export_clicked', { rows: 1200 }));
  // Well before the one-second batching delay is over.
  await page.goto('about:blank');
  await expect
    .poll(async () => (await delivery.events()).filter((e) => e.userId === 'u-leaving' && e.event === 'export_clicked').length, { timeout: 15_000 })
    .toBe(1);
});

test('group() puts the user in an account, and a message targeted by an account rule is shown to them only', async ({ page, delivery }) => {
  page.on('pageerror', (error) => {
    throw error;
  });
  const { status, json } = await delivery.admin('PUT', '/v1/messages/enterprise-tour', {
    kind: 'modal',
    content: { title: 'Your enterprise workspace is ready' },
    rule: { version: 1, match: 'all', conditions: [{ type: 'account', trait: 'plan', op: 'eq', value: 'enterprise' }] },
    trigger: { event: { name: 'report_exported' } },
    environment: 'production',
    version: 1,
  });
  expect(status, JSON.stringify(json)).toBeLessThan(300);
  type Sdk = { guidepost: { group(id: string, traits: object): Promise<void>; track(name: string, properties?: object): void } };
  const exportAfterJoining = async (groupId: string, plan: string): Promise<unknown> => {
    await page.evaluate(([id, p]) => (globalThis as unknown as Sdk).guidepost.group(id as string, { plan: p, name: `${id} Inc` }), [groupId, plan]);
    const decided = page.waitForResponse((r) => r.url() === `${delivery.url}/v1/decide` && r.request().method() === 'POST');
    await page.evaluate(() => (globalThis as unknown as Sdk).guidepost.track('report_exported', { format: 'csv' }));
    return (await decided).json();
  };

  // Not in any account yet: the page view decides nothing.
  expect(await visit(page, delivery, 'u-small', 'pro')).toEqual({ messages: [] });
  expect(await exportAfterJoining('tiny', 'free')).toEqual({ messages: [] });

  await visit(page, delivery, 'u-big', 'free');
  expect(await exportAfterJoining('acme', 'enterprise')).toMatchObject({ messages: [{ id: 'enterprise-tour', kind: 'modal' }] });
  await expect(page.getByRole('dialog', { name: 'Your enterprise workspace is ready' })).toBeVisible();

  // The group calls reach the export in the Segment spec's shape.
  await expect
    .poll(async () => (await delivery.events()).filter((e) => e.type === 'group').map(({ userId, traits, ...rest }) => ({ userId, traits, groupId: (rest as { groupId?: string }).groupId })))
    .toEqual([
      { userId: 'u-small', groupId: 'tiny', traits: { plan: 'free', name: 'tiny Inc' } },
      { userId: 'u-big', groupId: 'acme', traits: { plan: 'enterprise', name: 'acme Inc' } },
    ]);
});
