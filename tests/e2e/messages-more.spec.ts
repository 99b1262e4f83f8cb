/**
 * What messages.spec.ts leaves out: pause, resume and end from the message's header, each through the
 * outbox to a real delivery server (`guidepost delivery`, its own database, on loopback), with the
 * companion's status following the server's state.
 * Needs `npx electron-vite build` and `npm run build:sdk` first.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { expect, openDemo, startDeliveryServer, test as base } from './fixtures';

const ADMIN_TOKEN = 'e2e-messages-more-admin-token-0123456789';
const PUBLIC_KEY = 'pk-e2e-messages-more-key';
const UPSELL = 'Upsell: starter admins at the project limit';
const UPSELL_ID = 'demo-upsell-project-limit';

interface Delivery {
  url: string;
  /** GET /v1/messages/{id} with the admin token. */
  message(id: string): Promise<{ status: number; message?: { state?: string; version?: number } }>;
}

async function startDelivery(): Promise<{ delivery: Delivery; stop: () => Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'guidepost-messages-more-e2e-'));
  const server = await startDeliveryServer({ dir, adminToken: ADMIN_TOKEN, publicKey: PUBLIC_KEY });
  const url = server.url;
  const message: Delivery['message'] = async (id) => {
    const res = await fetch(`${url}/v1/messages/${encodeURIComponent(id)}`, { headers: { Authorization: `Bearer ${ADMIN_TOKEN}` } });
    const json = (await res.json()) as { message?: { state?: string; version?: number } };
    return { status: res.status, ...(json.message ? { message: json.message } : {}) };
  };
  const stop = async (): Promise<void> => {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  };
  return { delivery: { url, message }, stop };
}

const test = base.extend<{ delivery: Delivery }>({
  delivery: async ({}, use) => {
    const { delivery, stop } = await startDelivery();
    await use(delivery);
    await stop();
  },
});

function messageRow(page: Page, name: string) {
  return page.getByTestId('message-row').filter({ has: page.getByRole('button', { name, exact: true }) });
}

test('publish a demo message to a real delivery server, then pause, resume and end it from the UI', async ({ page, demo: server, delivery }) => {
  test.setTimeout(180_000);
  const pageErrors: string[] = [];
  page.on('pageerror', (error) => pageErrors.push(error.message));
  await openDemo(page, server);

  // The demo's messages were published as version 1 without a server; this one has never seen them.
  expect((await delivery.message(UPSELL_ID)).status).toBe(404);
  await page.keyboard.press('Control+4');
  const row = messageRow(page, UPSELL);
  await expect(row.getByText('Live', { exact: true })).toBeVisible();
  await expect(row.getByText('v1', { exact: true })).toBeVisible();

  // Production points at the delivery server.
  await page.getByRole('tab', { name: 'Environments' }).click();
  const production = page.getByTestId('environment-production');
  await production.getByLabel('Delivery URL').fill(delivery.url);
  await production.getByLabel('Admin token').fill(ADMIN_TOKEN);
  await production.getByRole('button', { name: 'Save production' }).click();
  await expect(production.getByTestId('token-state')).toContainText('Token held');

  // Publish version 2: the server creates it, running.
  await page.getByRole('tab', { name: 'Messages', exact: true }).click();
  await row.getByRole('button', { name: UPSELL, exact: true }).click();
  await expect(page.getByRole('heading', { level: 1, name: UPSELL })).toBeVisible();
  // The header's title block: the status badge and "… · published vN" sit under the heading.
  const header = page.getByRole('heading', { level: 1, name: UPSELL }).locator('..');
  await page.getByRole('button', { name: 'Publish…' }).click();
  const dialog = page.getByRole('dialog', { name: `Publish “${UPSELL}”` });
  await dialog.getByRole('button', { name: 'Publish version 2' }).click();
  await expect(dialog).toBeHidden();
  const strip = page.getByTestId('outbox-strip');
  const stripState = strip.getByTestId('outbox-state');
  await expect(stripState).toHaveAttribute('data-state', 'published');
  await expect(stripState).toHaveText('Publish v2: Published');
  await expect.poll(async () => (await delivery.message(UPSELL_ID)).message).toMatchObject({ state: 'running', version: 2 });
  await expect(header.getByText('Live', { exact: true })).toBeVisible();
  await expect(header).toContainText('published v2');

  const pause = page.getByRole('button', { name: 'Pause', exact: true });
  const resume = page.getByRole('button', { name: 'Resume', exact: true });
  const end = page.getByRole('button', { name: 'End', exact: true });

  /** Runs one command from the header and checks the outbox, the server and both status badges. */
  const command = async (button: typeof pause, op: string, serverState: string, badge: string): Promise<void> => {
    await button.click();
    await expect(stripState).toHaveText(`${op}: Published`);
    await expect(stripState).toHaveAttribute('data-state', 'published');
    await expect.poll(async () => (await delivery.message(UPSELL_ID)).message?.state).toBe(serverState);
    await expect(header.getByText(badge, { exact: true })).toBeVisible();
    // The list's badge follows.
    await page.getByRole('button', { name: '← Messages' }).click();
    await expect(row.getByText(badge, { exact: true })).toBeVisible();
    await expect(row.getByText('v2', { exact: true })).toBeVisible();
    // Nothing is left waiting: the list shows no outbox badge for it.
    await expect(row.getByTestId('outbox-state')).toHaveCount(0);
    await row.getByRole('button', { name: UPSELL, exact: true }).click();
    await expect(page.getByRole('heading', { level: 1, name: UPSELL })).toBeVisible();
  };

  await command(pause, 'Pause', 'paused', 'Paused');
  await expect(pause).toHaveCount(0);
  await expect(resume).toBeVisible();
  await expect(end).toBeVisible();

  await command(resume, 'Resume', 'running', 'Live');
  await expect(resume).toHaveCount(0);
  await expect(pause).toBeVisible();

  await command(end, 'End', 'ended', 'Ended');
  await expect(pause).toHaveCount(0);
  await expect(resume).toHaveCount(0);
  await expect(end).toHaveCount(0);
  expect((await delivery.message(UPSELL_ID)).message).toMatchObject({ state: 'ended', version: 2 });

  // The outbox holds the four deliveries, newest first, every one published.
  await page.getByRole('button', { name: '← Messages' }).click();
  await page.getByRole('tab', { name: /^Outbox/ }).click();
  const outbox = page.getByTestId('outbox-row');
  await expect(outbox).toHaveCount(4);
  await expect(outbox.getByTestId('outbox-state')).toHaveText(['Published', 'Published', 'Published', 'Published']);
  for (const [i, op] of ['End', 'Resume', 'Pause', 'Publish v2'].entries()) {
    await expect(outbox.nth(i)).toContainText(op);
    await expect(outbox.nth(i)).toContainText(UPSELL);
  }

  // The other demo message was left alone, here and on the server.
  await page.getByRole('tab', { name: 'Messages', exact: true }).click();
  await expect(messageRow(page, 'NPS: engaged users').getByText('Live', { exact: true })).toBeVisible();
  expect((await delivery.message('demo-nps-engaged')).status).toBe(404);
  expect(pageErrors).toEqual([]);
});

test('leaving from the command palette saves a valid draft and asks before dropping one that cannot be saved', async ({ page, demo: server }) => {
  test.setTimeout(150_000);
  const pageErrors: string[] = [];
  page.on('pageerror', (error) => pageErrors.push(error.message));
  await openDemo(page, server);
  await page.keyboard.press('Control+4');
  await messageRow(page, UPSELL).getByRole('button', { name: UPSELL, exact: true }).click();
  await expect(page.getByRole('heading', { level: 1, name: UPSELL })).toBeVisible();

  const palette = async (command: string): Promise<void> => {
    await page.keyboard.press('Control+k');
    const dialog = page.getByRole('dialog', { name: 'Command palette' });
    await dialog.getByRole('combobox').fill(command);
    await expect(dialog.getByRole('option').first()).toContainText(command);
    await page.keyboard.press('Enter');
  };

  // No title: the draft cannot be saved and lives only here.
  const title = page.getByLabel('Title', { exact: true });
  const body = page.getByLabel('Body', { exact: true });
  await title.fill('');
  await body.fill('Typed while the title was empty');
  await expect(page.getByTestId('save-state')).toHaveText('Not saved: fix the fields marked below');

  // The palette's outbox would replace it: the same prompt as the back button comes up instead.
  await palette('Messages: outbox');
  const prompt = page.getByRole('alertdialog', { name: 'Leave with unsaved changes?' });
  await expect(prompt).toBeVisible();
  await expect(prompt.getByRole('button', { name: 'Keep editing' })).toBeFocused();
  await expect(prompt.getByRole('button', { name: 'Discard changes' })).toBeVisible();
  await prompt.getByRole('button', { name: 'Keep editing' }).click();
  await expect(prompt).toHaveCount(0);
  await expect(page.getByRole('heading', { level: 1, name: UPSELL })).toBeVisible();
  await expect(title).toHaveValue('');
  await expect(body).toHaveValue('Typed while the title was empty');

  // Valid again: leaving from the palette saves first, then shows the outbox.
  await title.fill('Unlock unlimited projects');
  await palette('Messages: outbox');
  await expect(page.getByRole('tab', { name: /^Outbox/ })).toHaveAttribute('aria-selected', 'true');
  await expect(prompt).toHaveCount(0);
  await page.getByRole('tab', { name: 'Messages', exact: true }).click();
  await messageRow(page, UPSELL).getByRole('button', { name: UPSELL, exact: true }).click();
  await expect(title).toHaveValue('Unlock unlimited projects');
  await expect(body).toHaveValue('Typed while the title was empty');
  expect(pageErrors).toEqual([]);
});
