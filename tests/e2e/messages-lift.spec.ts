/**
 * A message's lift, end to end and all on loopback (issue 19): the real delivery server (`guidepost
 * delivery`, its own database), the companion in browser mode (its own database), and the SDK on a
 * customer's host page. An upsell modal gets a goal and a 50% holdout in the editor and is published
 * through the outbox; scripted users open the host page, where the server shows it to the exposed and
 * holds the others out (both recorded as message_assigned); then some of them perform the goal. After a
 * sync, the message's results show both groups, the lift with its interval, and the caution that so few
 * users cannot answer yet. Needs `npx electron-vite build` and `npm run build:sdk` first.
 */
import type { Page } from '@playwright/test';
import { inHoldout } from '../../src/delivery/decide';
import { callBridge, deliveryAdmin, expect, startHostedDelivery, test as base } from './fixtures';

const ADMIN_TOKEN = 'e2e-lift-admin-token-0123456789';
const PUBLIC_KEY = 'pk-e2e-lift-key';
const TITLE = 'Unlimited projects on Growth';
const MESSAGE_ID = 'lift-upsell';
const HOLDOUT = 50;

interface Delivery {
  url: string;
  host: string;
  client(path: string, body: unknown): Promise<number>;
  events(): Promise<{ event?: string; userId: string; properties?: Record<string, unknown> }[]>;
}

/** The customer's page: loads the SDK from the delivery server and identifies the user in the query. */
function hostPage(delivery: string, user: string): string {
  const options = JSON.stringify({ host: delivery, key: PUBLIC_KEY, userId: user, traits: { plan: 'starter' } }).replace(/</g, '\\u003c');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Acme projects</title></head>
<body><h1>Projects</h1><script src="${delivery}/sdk/guidepost.js"></script>
<script>guidepost.init(${options}).then(() => { document.documentElement.dataset.ready = 'yes'; });</script></body></html>`;
}

async function startDelivery(): Promise<{ delivery: Delivery; stop: () => Promise<void> }> {
  const { url, host, stop } = await startHostedDelivery({
    folderPrefix: 'guidepost-lift-e2e-',
    adminToken: ADMIN_TOKEN,
    publicKey: PUBLIC_KEY,
    hostPage: (deliveryUrl, query) => hostPage(deliveryUrl, query.get('user') ?? 'anonymous'),
  });
  const client: Delivery['client'] = async (path, body) => {
    const res = await fetch(url + path, { method: 'POST', headers: { 'X-Guidepost-Key': PUBLIC_KEY, 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
    return res.status;
  };
  const events: Delivery['events'] = async () => (await deliveryAdmin(url, ADMIN_TOKEN, 'GET', '/v1/events?limit=1000')).json.events as Awaited<ReturnType<Delivery['events']>>;
  return { delivery: { url, host, client, events }, stop };
}

const test = base.extend<{ delivery: Delivery }>({
  delivery: async ({}, use) => {
    const { delivery, stop } = await startDelivery();
    await use(delivery);
    await stop();
  },
});

async function syncNow(page: Page): Promise<void> {
  await page.keyboard.press('Control+1');
  await page.getByRole('button', { name: 'Connect a source' }).click();
  await page.getByRole('button', { name: 'Sync now' }).click();
}

test('set a goal and a holdout, publish, let users see it or be held out and convert, sync, and read the lift', async ({ page, context, server, delivery }) => {
  test.setTimeout(240_000);
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  // Ten starter users; the server's own draw decides who is held out (a hash of user and message).
  const users = Array.from({ length: 10 }, (_, i) => `u_${String(i + 1).padStart(2, '0')}`);
  const heldOut = users.filter((u) => inHoldout(u, MESSAGE_ID, HOLDOUT));
  const exposed = users.filter((u) => !heldOut.includes(u));
  expect(heldOut.length).toBeGreaterThan(0);
  expect(exposed.length).toBeGreaterThan(0);
  for (const user of users) expect(await delivery.client('/v1/identify', { userId: user, traits: { plan: 'starter' } })).toBeLessThan(300);

  // Sync them into the companion, aim a modal at them (set-up), and point production at the server.
  await page.goto(server.url);
  await page.getByRole('button', { name: 'Connect a source' }).click();
  await page.getByRole('textbox', { name: 'Source URL' }).fill(delivery.url);
  await page.getByLabel('Token').fill(ADMIN_TOKEN);
  await page.getByRole('button', { name: 'Connect and sync' }).click();
  await expect(page.getByText(/^10 users · /)).toBeVisible();
  await callBridge(server, 'saveSegment', { id: 'seg_starter', name: 'Starter plan', rule: { version: 1, match: 'all', conditions: [{ type: 'trait', trait: 'plan', op: 'eq', value: 'starter' }] } });
  await callBridge(server, 'setEnvironment', { environment: 'production', url: delivery.url, token: ADMIN_TOKEN });
  await callBridge(server, 'saveMessage', {
    message: {
      id: MESSAGE_ID,
      name: 'Growth upsell',
      kind: 'modal',
      modal: { title: TITLE, body: 'Growth has **unlimited projects**.', cta: { label: 'Upgrade', url: 'https://acme.example/upgrade' }, dismissLabel: 'Not now' },
      target: { type: 'segment', segmentId: 'seg_starter' },
      trigger: {},
      frequency: { once: true },
      schedule: {},
      rollout: 100,
      priority: 0,
      environment: 'production',
      archived: false,
    },
  });

  // The goal and the holdout, in the editor.
  await page.keyboard.press('Control+4');
  await page.getByTestId('message-row').filter({ hasText: 'Growth upsell' }).getByRole('button', { name: 'Growth upsell', exact: true }).click();
  const goal = page.getByTestId('goal-section');
  await goal.getByLabel('Measure a goal').check();
  await goal.getByLabel('Goal event').fill('upgraded');
  await expect(goal.getByLabel('Within (days of the assignment)')).toHaveValue('14');
  await goal.getByLabel('Holdout (% held back)').fill('70');
  await expect(page.locator('[data-field="holdout"]').getByTestId('field-error')).toHaveText('holdout is 0 to 50%');
  await goal.getByLabel('Holdout (% held back)').fill(String(HOLDOUT));
  await expect(page.getByTestId('save-state')).toHaveText('All changes saved');

  // Publish: the server keeps the goal and the holdout, and the holdout locks in the editor.
  await page.getByRole('button', { name: 'Publish…' }).click();
  const dialog = page.getByRole('dialog', { name: 'Publish “Growth upsell”' });
  await dialog.getByRole('button', { name: 'Publish version 1' }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByTestId('outbox-strip').getByTestId('outbox-state')).toHaveAttribute('data-state', 'published');
  await expect(page.getByTestId('outbox-strip')).not.toContainText('did not keep');
  await expect(goal.getByLabel('Holdout (% held back)')).toBeDisabled();

  // The users visit the host page: the exposed see the modal, the held out see nothing.
  const host = await context.newPage();
  for (const user of users) {
    const decided = host.waitForResponse((r) => r.url() === `${delivery.url}/v1/decide` && r.request().method() === 'POST');
    await host.goto(`${delivery.host}/?user=${user}`);
    await expect(host.locator('html')).toHaveAttribute('data-ready', 'yes');
    const answer = (await (await decided).json()) as { messages: { id: string }[] };
    expect(answer.messages.map((m) => m.id), user).toEqual(exposed.includes(user) ? [MESSAGE_ID] : []);
    if (exposed.includes(user)) await expect(host.getByRole('dialog', { name: TITLE })).toBeVisible();
    else await expect(host.getByRole('dialog', { name: TITLE })).toHaveCount(0);
  }
  await host.close();
  await expect
    .poll(async () => (await delivery.events()).filter((e) => e.event === 'message_assigned').map((e) => `${e.userId}:${String(e.properties?.group)}`).sort(), { timeout: 20_000 })
    .toEqual(users.map((u) => `${u}:${exposed.includes(u) ? 'exposed' : 'holdout'}`).sort());

  // Then they perform the goal: every exposed user but one upgrades, and one held-out user does.
  const converting = [...exposed.slice(1), heldOut[0] as string];
  // Stamped now: after every assignment, and not after the sync's own instant (the data's as-of).
  const now = new Date().toISOString();
  const batch = converting.map((userId, i) => ({ type: 'track', event: 'upgraded', userId, messageId: `up-${i}`, timestamp: now }));
  expect(await delivery.client('/v1/track', { batch })).toBe(200);

  // Sync, and read the lift.
  await syncNow(page);
  await page.keyboard.press('Control+4');
  await page.getByRole('button', { name: '← Messages' }).click();
  await page.getByTestId('message-row').filter({ hasText: 'Growth upsell' }).getByRole('button', { name: 'Growth upsell', exact: true }).click();
  await page.getByRole('tab', { name: 'Results' }).click();
  const lift = page.getByTestId('lift-panel');
  await expect(lift.getByTestId('lift-exposed')).toHaveText(`${((100 * (exposed.length - 1)) / exposed.length).toFixed(1)}% of ${exposed.length}`);
  await expect(lift.getByTestId('lift-holdout')).toHaveText(`${(100 / heldOut.length).toFixed(1)}% of ${heldOut.length}`);
  await expect(lift.getByTestId('lift-sentence')).toHaveText(
    new RegExp(`^Users who saw it upgraded \\d+\\.\\d points (more|less) often \\(95% CI −?\\d+\\.\\d to \\d+\\.\\d\\); ${exposed.length} vs ${heldOut.length} users\\.$`),
  );
  await expect(lift.getByTestId('lift-absolute')).toContainText(' to ');
  await expect(lift.getByTestId('lift-caution')).toContainText(/^Not enough users yet: need about [\d,]+ per group for a 2-point difference/);
  // Nobody was assigned a full day ago: the curves say when they start rather than draw nothing.
  await expect(lift.getByTestId('lift-curve-empty')).toContainText('no user has been assigned for a full day yet');
  await lift.screenshot({ path: 'test-results/screens/69-message-lift.png' });
  expect(errors).toEqual([]);
});
