/**
 * The whole message loop, end to end and all on loopback: the real delivery server (`guidepost
 * delivery`, its own database), the companion in browser mode (its own database), and the SDK on a
 * customer's host page. A user is identified on the server with a trait, synced into the companion,
 * and falls in a trait segment; an NPS survey for that segment is authored, previewed, published
 * through the outbox, answered on the host page (3, with a comment), synced back, and read in the
 * message's results: a detractor, the score and the comment.
 * Needs `npx electron-vite build` and `npm run build:sdk` first.
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Page } from '@playwright/test';
import { parse } from 'csv-parse/sync';
import { deliveryAdmin, expect, startHostedDelivery, test as base } from './fixtures';

const ADMIN_TOKEN = 'e2e-messages-admin-token-0123456789';
const PUBLIC_KEY = 'pk-e2e-messages-key';
const QUESTION = 'How likely are you to recommend Acme to a colleague?';
const DETRACTOR_FOLLOW_UP = 'Sorry to hear that. What should we fix first?';
const COMMENT = 'CSV exports time out on big reports.';

interface Delivery {
  url: string;
  admin(method: string, path: string, body?: unknown): Promise<{ status: number; json: Record<string, unknown> }>;
  /** The host page's origin (an allowed origin of the server). */
  host: string;
  client(path: string, body: unknown): Promise<number>;
  events(): Promise<{ event?: string; userId: string; properties?: Record<string, unknown> }[]>;
}

/** The customer's page: loads the SDK from the delivery server and identifies the user in the query. */
function hostPage(delivery: string, user: string, plan: string): string {
  const options = JSON.stringify({ host: delivery, key: PUBLIC_KEY, userId: user, traits: { plan } }).replace(/</g, '\\u003c');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Acme reports</title></head>
<body><h1>Weekly report</h1><script src="${delivery}/sdk/guidepost.js"></script>
<script>guidepost.init(${options}).then(() => { document.documentElement.dataset.ready = 'yes'; });</script></body></html>`;
}

async function startDelivery(port = 0): Promise<{ delivery: Delivery; stop: () => Promise<void> }> {
  const { url, host, stop } = await startHostedDelivery({
    folderPrefix: 'guidepost-messages-e2e-',
    adminToken: ADMIN_TOKEN,
    publicKey: PUBLIC_KEY,
    port,
    hostPage: (deliveryUrl, query) => hostPage(deliveryUrl, query.get('user') ?? 'anonymous', query.get('plan') ?? 'free'),
  });
  const client: Delivery['client'] = async (path, body) => {
    const res = await fetch(url + path, { method: 'POST', headers: { 'X-Guidepost-Key': PUBLIC_KEY, 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
    return res.status;
  };
  const admin: Delivery['admin'] = (method, path, body) => deliveryAdmin(url, ADMIN_TOKEN, method, path, body);
  const events: Delivery['events'] = async () => (await admin('GET', '/v1/events?limit=1000')).json.events as Awaited<ReturnType<Delivery['events']>>;
  return { delivery: { url, host, admin, client, events }, stop };
}

const test = base.extend<{ delivery: Delivery }>({
  delivery: async ({}, use) => {
    const { delivery, stop } = await startDelivery();
    await use(delivery);
    await stop();
  },
});

/** A free loopback port: nothing listens there until the delivery server is started on it. */
async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

/** Calls the companion's backend through the bridge, as the renderer does (for set-up the test is not about). */
async function call(page: Page, method: string, arg: unknown): Promise<unknown> {
  return page.evaluate(
    async ({ method, arg }) => {
      const token = new URLSearchParams((globalThis as unknown as { location: { hash: string } }).location.hash.slice(1)).get('token') ?? '';
      const res = await fetch(`/api/call/${method}`, { method: 'POST', headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' }, body: JSON.stringify(arg) });
      const body = (await res.json()) as { ok: boolean; value?: unknown; error?: { message: string } };
      if (!body.ok) throw new Error(`${method}: ${body.error?.message}`);
      return body.value;
    },
    { method, arg },
  );
}

/** Reports what the companion's backend answered 'unavailable' to, so a half-built backend names its gaps. */
function watchCalls(page: Page): string[] {
  const failed: string[] = [];
  page.on('pageerror', (error) => failed.push(`page error: ${error.message}`));
  page.on('response', async (response) => {
    const match = /\/api\/call\/(\w+)$/.exec(response.url());
    if (!match) return;
    try {
      const body = (await response.json()) as { ok: boolean; error?: { code: string; message: string } };
      if (!body.ok) failed.push(`${match[1]}: ${body.error?.code} ${body.error?.message}`);
    } catch {
      // A body that is not JSON is not ours to judge.
    }
  });
  return failed;
}

test('author an NPS survey for a segment, publish it, answer it on the host page, sync, and read the detractor', async ({ page, context, server, delivery }) => {
  test.setTimeout(180_000);
  const failedCalls = watchCalls(page);
  test.info().annotations.push({ type: 'backend calls that failed', description: '(see the end of the test)' });
  try {
    // On the delivery server: a Pro user (in the segment to be) and a Free one.
    expect(await delivery.client('/v1/identify', { userId: 'u_123', traits: { plan: 'pro' } })).toBeLessThan(300);
    expect(await delivery.client('/v1/identify', { userId: 'u_free', traits: { plan: 'free' } })).toBeLessThan(300);

    await page.goto(server.url);
    await expect(page.getByRole('heading', { name: "Bring your product's events in" })).toBeVisible();

    // Sync them into the companion from the server's export.
    await page.getByRole('button', { name: 'Connect a source' }).click();
    await page.getByRole('textbox', { name: 'Source URL' }).fill(delivery.url);
    await page.getByLabel('Token').fill(ADMIN_TOKEN);
    await page.getByRole('button', { name: 'Connect and sync' }).click();
    await expect(page.getByText(/^2 users · /)).toBeVisible();

    // A trait segment the user is in.
    await page.keyboard.press('Control+2');
    await page.getByRole('button', { name: 'New segment', exact: true }).click();
    await page.getByRole('textbox', { name: 'Segment name' }).fill('Pro plan');
    await page.getByRole('button', { name: 'Add condition', exact: true }).click();
    await page.getByRole('menuitem', { name: /^Trait/ }).click();
    const condition = page.getByRole('group', { name: 'Condition 1' });
    await condition.getByLabel('Trait', { exact: true }).fill('plan');
    await condition.getByLabel('Value', { exact: true }).fill('pro');
    await page.getByRole('button', { name: /^Save/ }).click();
    await expect(page.getByTestId('save-state')).toHaveText('Saved');

    // A workshop persona with the same rule, so the comment shows whose voice it is.
    const workshop = (await call(page, 'createWorkshop', { title: 'Acme kickoff', template: 'personas' })) as { personas: unknown[] } & Record<string, unknown>;
    const persona = {
      id: 'pro-admins',
      name: 'Pro admins',
      description: 'Admins on the Pro plan',
      actions: [],
      jobs: [],
      frequency: 'week',
      threshold: 1,
      windowDays: 30,
      include: [],
      exclude: [],
      rule: { version: 1, match: 'all', conditions: [{ type: 'trait', trait: 'plan', op: 'eq', value: 'pro' }] },
      ruleEdited: true,
      segmentId: null,
    };
    await call(page, 'saveWorkshop', { workshop: { ...workshop, personas: [...workshop.personas, persona] } });

    // The production environment: the delivery server's URL and admin token (write-only).
    await page.keyboard.press('Control+4');
    await expect(page.getByRole('heading', { name: 'Write your first message' })).toBeVisible();
    await page.screenshot({ path: 'test-results/screens/60-messages-empty.png' });
    await page.getByRole('tab', { name: 'Environments' }).click();
    const production = page.getByTestId('environment-production');
    await production.getByLabel('Delivery URL').fill(delivery.url);
    await production.getByLabel('Admin token').fill(ADMIN_TOKEN);
    await production.getByRole('button', { name: 'Save production' }).click();
    await expect(production.getByTestId('token-state')).toContainText('Token held');
    await expect(production.getByLabel('Admin token')).toHaveValue('');

    // Author the survey.
    await page.getByRole('tab', { name: 'Messages', exact: true }).click();
    await page.getByRole('button', { name: 'New NPS survey' }).click();
    await page.getByLabel('Name (only you see it)').fill('Pro NPS');
    await page.screenshot({ path: 'test-results/screens/67-message-new.png' });
    // A new survey is aimed at no one until the author says who, and is not saved before (issue 17).
    await expect(page.getByTestId('untargeted')).toContainText('Not aimed at anyone yet.');
    await expect(page.getByLabel('Segment', { exact: true })).toHaveValue('');
    await expect(page.getByTestId('save-state')).toHaveText('Not saved: fix the fields marked below');
    expect(await call(page, 'listMessages', {})).toHaveLength(0);
    await page.getByLabel('Segment', { exact: true }).selectOption({ label: 'Pro plan' });
    await expect(page.getByTestId('untargeted')).toHaveCount(0);

    // Validation explains itself, beside the field.
    const question = page.getByLabel('Question', { exact: true });
    await question.fill('');
    await expect(page.locator('[data-field="nps.question"]').getByTestId('field-error')).toHaveText('give the question');
    await expect(page.getByTestId('save-state')).toHaveText('Not saved: fix the fields marked below');
    await expect(page.getByRole('button', { name: 'Publish…' })).toBeDisabled();
    await question.fill(QUESTION);
    await page.getByLabel('Follow-up for detractors (0-6)').fill(DETRACTOR_FOLLOW_UP);
    await page.getByLabel('Thank-you text').fill('Thanks for telling us!');
    await page.getByLabel('Delay after the trigger (seconds)').fill('0');
    await page.getByLabel('Rollout (% of the target)').fill('140');
    await expect(page.locator('[data-field="rollout"]').getByTestId('field-error')).toHaveText('rollout is 0 to 100%');
    await page.getByLabel('Rollout (% of the target)').fill('100');

    // The preview is the SDK's own rendering, re-drawn on every edit.
    const preview = page.frameLocator('iframe[title="Message preview"]');
    await expect(preview.getByRole('dialog', { name: QUESTION })).toBeVisible();
    await page.getByRole('group', { name: 'Preview theme' }).getByText('Dark').click();
    await page.getByRole('group', { name: 'Preview width' }).getByText('Phone (375 px)').click();
    await expect(page.getByRole('radio', { name: 'Phone (375 px)' })).toBeChecked();
    await expect(preview.getByRole('radio', { name: '3', exact: true })).toBeVisible();

    // Who would see it: the segment from the cache, and one named user.
    await expect(page.getByTestId('audience-count')).toContainText(/^1 user/);
    await page.getByPlaceholder('user id, e.g. u_123').fill('u_123');
    await page.getByRole('button', { name: 'Would they see it?' }).click();
    await expect(page.getByTestId('user-check')).toContainText('Yes: u_123 would see it.');
    await expect(page.getByTestId('save-state')).toHaveText('All changes saved');
    await page.screenshot({ path: 'test-results/screens/61-message-editor.png', fullPage: true });

    // Publish: the diff, then the outbox delivers it.
    await page.getByRole('button', { name: 'Publish…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Publish “Pro NPS”' });
    await expect(dialog.getByTestId('publish-diff')).toContainText(QUESTION);
    await page.screenshot({ path: 'test-results/screens/62-message-publish.png' });
    await dialog.getByRole('button', { name: 'Publish version 1' }).click();
    await expect(dialog).toBeHidden();
    await expect(page.getByTestId('outbox-strip').getByTestId('outbox-state')).toHaveAttribute('data-state', 'published');

    // The user answers 3 with a comment on the host page.
    const host = await context.newPage();
    await host.goto(`${delivery.host}/?user=u_123&plan=pro`);
    const survey = host.getByRole('dialog', { name: QUESTION });
    await expect(survey).toBeVisible();
    await survey.getByRole('radio', { name: '3', exact: true }).click();
    await survey.getByRole('textbox', { name: DETRACTOR_FOLLOW_UP }).fill(COMMENT);
    await survey.getByRole('button', { name: 'Send' }).click();
    await expect(host.getByRole('dialog', { name: 'Thanks for telling us!' })).toBeVisible();
    await expect
      .poll(async () => (await delivery.events()).some((e) => e.event === 'survey_answered' && e.userId === 'u_123'), { timeout: 20_000 })
      .toBe(true);
    await host.close();

    // Sync again, and read the results.
    await page.keyboard.press('Control+1');
    await page.getByRole('button', { name: 'Connect a source' }).click();
    await page.getByRole('button', { name: 'Sync now' }).click();
    await page.keyboard.press('Control+4');
    await page.getByRole('button', { name: '← Messages' }).click();
    const row = page.getByTestId('message-row').filter({ hasText: 'Pro NPS' });
    await expect(row.getByText('v1', { exact: true })).toBeVisible();
    await expect(row).toContainText('NPS −100');
    await page.screenshot({ path: 'test-results/screens/66-messages-list.png' });
    await row.getByRole('button', { name: 'Pro NPS', exact: true }).click();
    await page.getByRole('tab', { name: 'Results' }).click();
    const results = page.getByTestId('message-results');
    await expect(results.getByTestId('nps-score')).toContainText('−100');
    await expect(results.getByTestId('nps-detractors')).toContainText('1 · 100%');
    const comment = results.getByTestId('nps-comment');
    await expect(comment).toContainText(COMMENT);
    await expect(comment).toContainText('u_123');
    await expect(comment).toContainText('detractor');
    await expect(comment).toContainText('Pro admins');
    await expect(results.getByRole('region', { name: 'NPS by persona' })).toContainText('Pro admins');
    await page.getByRole('searchbox', { name: 'Search comments' }).fill('nothing like this');
    await expect(results.getByText('No comment matches “nothing like this”.')).toBeVisible();
    await page.getByRole('searchbox', { name: 'Search comments' }).fill('CSV');
    await expect(comment).toContainText(COMMENT);
    await page.screenshot({ path: 'test-results/screens/63-message-results.png', fullPage: true });
    expect(failedCalls.filter((f) => f.startsWith('page error'))).toEqual([]);
  } finally {
    const unavailable = [...new Set(failedCalls)];
    if (unavailable.length > 0) console.log(`Backend calls that answered with an error:\n  ${unavailable.join('\n  ')}`);
  }
});

test('bad input cannot be published; offline publishing queues and delivers once; a 409 shows both sides and overwrites nothing', async ({ page, server }) => {
  test.setTimeout(180_000);
  const failedCalls = watchCalls(page);
  const port = await freePort();
  let stopDelivery: (() => Promise<void>) | null = null;
  try {
    await page.goto(server.url);
    await expect(page.getByRole('heading', { name: "Bring your product's events in" })).toBeVisible();
    await call(page, 'saveSegment', { name: 'Starter admins', rule: { version: 1, match: 'all', conditions: [{ type: 'trait', trait: 'plan', op: 'eq', value: 'starter' }] } });
    // The server is down: nothing listens at the production URL yet.
    await call(page, 'setEnvironment', { environment: 'production', url: `http://127.0.0.1:${port}`, token: ADMIN_TOKEN });

    await page.keyboard.press('Control+4');
    await page.getByRole('button', { name: 'New upsell modal' }).click();
    await page.getByLabel('Name (only you see it)').fill('Project limit upsell');
    await page.getByLabel('Segment', { exact: true }).selectOption({ label: 'Starter admins' });

    // Bad input says why, beside each field, and cannot be published.
    const title = page.getByLabel('Title', { exact: true });
    await title.fill('');
    await page.getByLabel('Call to action URL').fill('javascript:alert(1)');
    await page.getByLabel('Rollout (% of the target)').fill('140');
    await expect(page.locator('[data-field="modal.title"]').getByTestId('field-error')).toHaveText('give the title');
    await expect(page.locator('[data-field="modal.cta.url"]').getByTestId('field-error')).toHaveText('must be an http(s) URL, such as https://example.com/upgrade');
    await expect(page.locator('[data-field="rollout"]').getByTestId('field-error')).toHaveText('rollout is 0 to 100%');
    await expect(page.getByTestId('issue-summary')).toContainText('3 things stop this message from being saved');
    await expect(page.getByRole('button', { name: 'Publish…' })).toBeDisabled();
    const preview = page.frameLocator('iframe[title="Message preview"]');
    // The preview never turns a javascript: URL into a link.
    await expect(preview.locator('a[href^="javascript"]')).toHaveCount(0);
    await title.fill('Unlock unlimited projects');
    await page.getByLabel('Call to action URL').fill('https://example.com/pricing');
    await page.getByLabel('Rollout (% of the target)').fill('100');
    await expect(preview.getByRole('dialog', { name: 'Unlock unlimited projects' })).toBeVisible();
    // A page pattern with a query string cannot match what the SDK sends: a warning, not a refusal.
    const pattern = page.getByLabel('Page URL pattern');
    await pattern.fill('https://app.example.com/projects?tab=limits');
    await expect(page.getByTestId('page-pattern-warning')).toContainText('This page pattern has a "?"');
    await expect(page.getByRole('button', { name: 'Publish…' })).toBeEnabled();
    await pattern.fill('https://app.example.com/projects*');
    await expect(page.getByTestId('page-pattern-warning')).toHaveCount(0);
    await expect(page.getByTestId('save-state')).toHaveText('All changes saved');

    // Publishing while the server is down: queued, with the reason, and retried.
    await page.getByRole('button', { name: 'Publish…' }).click();
    await page.getByRole('dialog', { name: 'Publish “Project limit upsell”' }).getByRole('button', { name: 'Publish version 1' }).click();
    const strip = page.getByTestId('outbox-strip');
    await expect(strip.getByTestId('outbox-state')).toHaveAttribute('data-state', /queued|failed/);
    await expect(strip).toContainText('Waiting for production');
    // Offline is a quiet state: the status bar says what waits, and takes you there.
    await expect(page.getByTestId('status-outbox')).toHaveText(/^1 (waiting|need a look)$/);
    await page.getByTestId('status-outbox').click();
    await expect(page.getByRole('tab', { name: /^Outbox/ })).toHaveAttribute('aria-selected', 'true');
    await expect(page.getByTestId('outbox-row')).toHaveCount(1);
    await page.screenshot({ path: 'test-results/screens/64-messages-outbox.png' });

    // The server comes up at that address: the next attempt delivers one version.
    const started = await startDelivery(port);
    stopDelivery = started.stop;
    const delivery = started.delivery;
    const retry = page.getByTestId('outbox-row').getByRole('button', { name: /^Retry/ });
    await retry.click({ timeout: 3000 }).catch(() => undefined);
    await expect(page.getByTestId('outbox-row').getByTestId('outbox-state')).toHaveAttribute('data-state', 'published');
    await expect(page.getByTestId('status-outbox')).toHaveCount(0);
    await expect.poll(async () => ((await delivery.admin('GET', `/v1/messages/${await messageId(page)}`)).json.message as { version?: number } | undefined)?.version).toBe(1);

    // Someone else publishes version 2 straight to the server.
    const id = await messageId(page);
    const theirs = await delivery.admin('PUT', `/v1/messages/${id}`, {
      kind: 'modal',
      content: { title: 'Their title', body: 'Theirs.', cta: { label: 'Upgrade', url: 'https://example.com/theirs' }, dismissLabel: 'Later' },
      rule: { version: 1, match: 'all', conditions: [] },
      trigger: { page: '*' },
      frequency: { once: true },
      rollout: 100,
      priority: 0,
      environment: 'production',
      version: 2,
    });
    expect(theirs.status, JSON.stringify(theirs.json)).toBeLessThan(300);

    // Ours, based on version 1, becomes version 2 too: the server answers 409 and both are shown.
    await page.getByTestId('outbox-row').getByRole('button', { name: 'Project limit upsell' }).click();
    await title.fill('Our new title');
    await expect(page.getByTestId('save-state')).toHaveText('All changes saved');
    await page.getByRole('button', { name: 'Publish…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Publish “Project limit upsell”' });
    await expect(dialog.getByTestId('publish-diff')).toContainText('Our new title');
    await dialog.getByRole('button', { name: 'Publish version 2' }).click();
    const conflict = page.getByTestId('conflict-view');
    await expect(conflict).toContainText('The server has a newer version of this message. Nothing was overwritten.');
    await expect(conflict).toContainText('Our new title');
    await expect(conflict).toContainText('Their title');
    await page.screenshot({ path: 'test-results/screens/65-message-conflict.png' });
    await conflict.getByRole('button', { name: 'Discard mine' }).click();
    await expect(conflict).toBeHidden();
    const stored = await delivery.admin('GET', `/v1/messages/${id}`);
    expect(stored.json.message).toMatchObject({ version: 2, content: { title: 'Their title' } });

    // A deleted target: a clear warning, not a crash.
    const segments = (await call(page, 'listSegments', {})) as { id: string }[];
    await call(page, 'deleteSegment', { id: segments[0]?.id });
    await page.getByRole('button', { name: '← Messages' }).click();
    await page.getByRole('tab', { name: 'Messages', exact: true }).click();
    await expect(page.getByTestId('message-row').getByTestId('target-warning')).toBeVisible();
    await page.getByTestId('message-row').getByRole('button', { name: 'Project limit upsell', exact: true }).click();
    await expect(page.getByRole('heading', { name: 'Project limit upsell' })).toBeVisible();
    await expect(page.getByTestId('target-warning')).toBeVisible();
    expect(failedCalls.filter((f) => f.startsWith('page error'))).toEqual([]);
  } finally {
    await stopDelivery?.();
    const unavailable = [...new Set(failedCalls)];
    if (unavailable.length > 0) console.log(`Backend calls that answered with an error:\n  ${unavailable.join('\n  ')}`);
  }
});

/** The id of the message the companion lists first. */
async function messageId(page: Page): Promise<string> {
  const list = (await call(page, 'listMessages', {})) as { message: { id: string } }[];
  return list[0]?.message.id ?? '';
}

/** A CSAT question, a branch to a choice question for a low score, and an open question (issue 18). */
const REPORTS_SURVEY = {
  title: 'Tell us about reports',
  questions: [
    { id: 'sat', type: 'csat', text: 'How satisfied are you with reports?', lowLabel: 'Very unsatisfied', highLabel: 'Very satisfied', branches: [{ when: { max: 2 }, goTo: 'why' }], next: 'more' },
    { id: 'why', type: 'single_choice', text: 'What went wrong?', choices: [{ id: 'slow', label: 'Too slow' }, { id: 'wrong', label: 'Wrong numbers' }] },
    { id: 'more', type: 'open_text', text: 'Anything else?', optional: true },
  ],
  thankYou: 'Thanks, that helps!',
  dismissLabel: 'Close the survey',
};

test('a survey published from the companion, answered on the host page (one through the branch, one partial), synced, shown in the results by persona; the CSV parses back', async ({ page, context, server, delivery }) => {
  test.setTimeout(240_000);
  const failedCalls = watchCalls(page);
  for (const userId of ['u_full', 'u_part']) expect(await delivery.client('/v1/identify', { userId, traits: { plan: 'pro' } })).toBeLessThan(300);
  await page.goto(server.url);
  await page.getByRole('button', { name: 'Connect a source' }).click();
  await page.getByRole('textbox', { name: 'Source URL' }).fill(delivery.url);
  await page.getByLabel('Token').fill(ADMIN_TOKEN);
  await page.getByRole('button', { name: 'Connect and sync' }).click();
  await expect(page.getByText(/^2 users · /)).toBeVisible();

  // Set-up the test is not about, through the bridge: a persona of Pro users, the environment, the survey aimed at the persona.
  const workshop = (await call(page, 'createWorkshop', { title: 'Acme kickoff', template: 'personas' })) as { id: string; personas: unknown[] } & Record<string, unknown>;
  const persona = { id: 'pro-admins', name: 'Pro admins', description: 'Admins on the Pro plan', actions: [], jobs: [], frequency: 'week', threshold: 1, windowDays: 30, include: [], exclude: [], rule: { version: 1, match: 'all', conditions: [{ type: 'trait', trait: 'plan', op: 'eq', value: 'pro' }] }, ruleEdited: true, segmentId: null };
  await call(page, 'saveWorkshop', { workshop: { ...workshop, personas: [...workshop.personas, persona] } });
  await call(page, 'setEnvironment', { environment: 'production', url: delivery.url, token: ADMIN_TOKEN });
  const draft = { id: 'reports-survey', name: 'Reports survey', kind: 'survey', survey: REPORTS_SURVEY, target: { type: 'persona', workshopId: workshop.id, personaId: 'pro-admins' }, trigger: { page: '*', delaySeconds: 0 }, frequency: { once: true }, schedule: {}, rollout: 100, priority: 0, environment: 'production', archived: false };
  await call(page, 'saveMessage', { message: draft });
  await call(page, 'publishMessagesNow', { ids: ['reports-survey'] });
  expect((await delivery.admin('GET', '/v1/messages/reports-survey')).status).toBe(200);

  // u_full answers to the end through the branch; u_part answers the first question and closes the survey.
  const host = await context.newPage();
  await host.goto(`${delivery.host}/?user=u_full&plan=pro`);
  const survey = host.getByRole('dialog', { name: 'Tell us about reports' });
  await survey.getByRole('radio', { name: '1, Very unsatisfied' }).check();
  await survey.getByRole('button', { name: 'Next' }).click();
  await survey.getByRole('radio', { name: 'Too slow' }).check();
  await survey.getByRole('button', { name: 'Next' }).click();
  await survey.getByRole('textbox', { name: 'Anything else?' }).fill('PDF exports, please');
  await survey.getByRole('button', { name: 'Send' }).click();
  await expect(host.getByRole('dialog', { name: 'Thanks, that helps!' })).toBeVisible();
  await host.goto(`${delivery.host}/?user=u_part&plan=pro`);
  await survey.getByRole('radio', { name: '4', exact: true }).check();
  await survey.getByRole('button', { name: 'Next' }).click();
  await expect(survey.getByRole('textbox', { name: 'Anything else?' })).toBeVisible();
  await survey.getByRole('button', { name: 'Close the survey' }).click();
  await expect
    .poll(async () => (await delivery.events()).filter((e) => e.event === 'survey_closed').length, { timeout: 20_000 })
    .toBe(2);
  await host.close();

  // Sync, and read the results.
  await page.keyboard.press('Control+1');
  await page.getByRole('button', { name: 'Connect a source' }).click();
  await page.getByRole('button', { name: 'Sync now' }).click();
  await expect(page.getByText(/^2 users · /)).toBeVisible();
  await page.keyboard.press('Control+4');
  await page.getByTestId('message-row').getByRole('button', { name: 'Reports survey', exact: true }).click();
  await page.getByRole('tab', { name: 'Results' }).click();
  const results = page.getByTestId('survey-results');
  await expect(results.getByTestId('survey-responses').locator('dd')).toContainText('2', { timeout: 60_000 });
  // One of two reached the end: the partial response counts as a response, not as complete.
  await expect(results.getByTestId('survey-completion').locator('dd')).toContainText('50%');
  await expect(results.getByTestId('survey-personas')).toContainText('Pro admins');
  const texts = results.locator('[data-question="more"]').getByTestId('survey-text');
  await expect(texts).toContainText('PDF exports, please');
  await expect(texts).toContainText('u_full');
  await expect(texts).toContainText('Pro admins');

  const [download] = await Promise.all([page.waitForEvent('download'), results.getByTestId('download-responses').click()]);
  const rows = parse(readFileSync(await download.path(), 'utf8'), { bom: true, columns: true }) as Record<string, string>[];
  const byUser = Object.fromEntries(rows.map((r) => [r.user_id, r]));
  expect(rows).toHaveLength(2);
  expect(byUser.u_full).toMatchObject({ locale: 'en', completed: 'true', personas: 'Pro admins', sat: '1', why: 'slow', more: 'PDF exports, please' });
  expect(byUser.u_part).toMatchObject({ locale: 'en', completed: 'false', personas: 'Pro admins', sat: '4', why: '', more: '' });
  expect(failedCalls.filter((f) => f.startsWith('page error'))).toEqual([]);
});
