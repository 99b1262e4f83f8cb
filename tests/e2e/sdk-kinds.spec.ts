/**
 * Issue 18's kinds on a customer's page against the real delivery server: `guidepost delivery` from the
 * CLI on loopback, a host page on another loopback port loading /sdk/guidepost.js, which fetches the kinds
 * chunk from /sdk/<version>/guidepost-kinds.js when decide names a survey, a banner, a slideout or a
 * translated message. Answers are read back from GET /v1/events. Needs `npm run build:sdk` first.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test as base, expect, type Page } from '@playwright/test';
import { expectNoSeriousA11yViolations } from './a11y';
import { deliveryAdmin, startDeliveryServer } from './fixtures';

const ADMIN = 'e2e-kinds-admin-token-0123';
const KEY = 'pk-e2e-kinds-key';

interface Site {
  delivery: string;
  host: string;
  publish(id: string, kind: string, content: unknown, priority?: number): Promise<void>;
  /** The tracked events the server stored for a user, oldest first. */
  tracked(userId: string): Promise<{ event: string; properties: Record<string, unknown> }[]>;
}

/** The customer's page: the SDK from the delivery server, init with the query's user, locale and theme. */
function page(delivery: string, query: URLSearchParams): string {
  const options = { host: delivery, key: KEY, userId: query.get('user') ?? 'u', ...(query.get('locale') && { locale: query.get('locale') }), ...(query.get('theme') && { theme: query.get('theme') }) };
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Acme</title>
<style>body{margin:0;padding:80px 32px;font:15px/1.5 system-ui,sans-serif}</style></head>
<body><main><h1>Weekly report</h1><p>Active users grew 12%.</p><button id="export" type="button">Export CSV</button></main>
<script src="${delivery}/sdk/guidepost.js"></script>
<script>guidepost.init(${JSON.stringify(options).replace(/</g, '\\u003c')}).then(() => { document.documentElement.dataset.ready = 'yes'; });</script>
</body></html>`;
}

const test = base.extend<{ site: Site }>({
  site: async ({}, use) => {
    const dir = mkdtempSync(join(tmpdir(), 'guidepost-kinds-e2e-'));
    let delivery = '';
    const server: Server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      if (url.pathname !== '/') return void res.writeHead(404).end();
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' }).end(page(delivery, url.searchParams));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const host = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const running = await startDeliveryServer({ dir, adminToken: ADMIN, publicKey: KEY, allowedOrigin: host });
    delivery = running.url;
    const site: Site = {
      delivery,
      host,
      publish: async (id, kind, content, priority = 0) => {
        const body = { kind, content, rule: { version: 1, match: 'all', conditions: [] }, trigger: { page: '*' }, frequency: { once: true }, rollout: 100, priority, environment: 'production', version: 1 };
        const { status, json } = await deliveryAdmin(delivery, ADMIN, 'PUT', `/v1/messages/${id}`, body);
        expect(status, JSON.stringify(json)).toBeLessThan(300);
      },
      tracked: async (userId) => {
        const { json } = await deliveryAdmin(delivery, ADMIN, 'GET', '/v1/events?limit=1000');
        return (json.events as { type: string; userId: string; event: string; properties: Record<string, unknown> }[])
          .filter((e) => e.type === 'track' && e.userId === userId)
          .map(({ event, properties }) => ({ event, properties }));
      },
    };
    await use(site);
    await running.stop();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    rmSync(dir, { recursive: true, force: true });
  },
});

async function visit(p: Page, site: Site, query: Record<string, string>): Promise<void> {
  p.on('pageerror', (error) => {
    throw error;
  });
  // No entrance animation: axe judges contrast on the settled colours.
  await p.emulateMedia({ reducedMotion: 'reduce' });
  await p.goto(`${site.host}/?${new URLSearchParams(query)}`);
  await expect(p.locator('html')).toHaveAttribute('data-ready', 'yes');
}

/** CSAT (faces) → a choice question only for a low score → an open question. */
const SURVEY = {
  title: 'Tell us about reports',
  questions: [
    { id: 'sat', type: 'csat', style: 'faces', text: 'How satisfied are you with reports?', lowLabel: 'Very unsatisfied', highLabel: 'Very satisfied', branches: [{ when: { max: 2 }, goTo: 'why' }], next: 'more' },
    { id: 'why', type: 'single_choice', text: 'What went wrong?', choices: [{ id: 'slow', label: 'Too slow' }, { id: 'wrong', label: 'Wrong numbers' }], other: { label: 'Something else' } },
    { id: 'more', type: 'open_text', text: 'Anything else?', optional: true },
  ],
  thankYou: 'Thanks, that helps!',
  dismissLabel: 'Close the survey',
};

const answersOf = (events: { event: string; properties: Record<string, unknown> }[]) => events.filter((e) => e.event === 'survey_answered' || e.event === 'survey_closed');

test('a three-question survey with a branch, answered by keyboard alone: each answer arrives at once, then survey_closed completed', async ({ page: p, site }) => {
  await site.publish('reports-survey', 'survey', SURVEY);
  const chunk = p.waitForResponse((r) => /\/sdk\/[0-9a-f]{16}\/guidepost-kinds\.js$/.test(r.url()));
  await visit(p, site, { user: 'u-kb' });
  const served = await chunk;
  expect(served.status()).toBe(200);
  expect(served.headers()['cache-control']).toBe('public, max-age=31536000, immutable');
  const dialog = p.getByRole('dialog', { name: 'Tell us about reports' });
  await expect(dialog).toBeFocused();
  await expect(dialog).toHaveAttribute('aria-modal', 'true');
  await expectNoSeriousA11yViolations(p, 'survey, LTR, light');

  const scale = dialog.getByRole('radiogroup', { name: 'How satisfied are you with reports?' });
  await p.keyboard.press('Tab');
  await expect(scale.getByRole('radio', { name: '1, Very unsatisfied' })).toBeFocused();
  await p.keyboard.press('ArrowRight');
  await expect(scale.getByRole('radio', { name: '2', exact: true })).toBeChecked();
  await p.keyboard.press('Tab');
  await expect(dialog.getByRole('button', { name: 'Next' })).toBeFocused();
  await p.keyboard.press('Enter');
  // The first answer is on the server before the survey ends.
  await expect.poll(async () => answersOf(await site.tracked('u-kb')).length, { timeout: 15_000 }).toBe(1);

  // A low score branches to the choice question; focus lands on its first choice.
  const choices = dialog.getByRole('radiogroup', { name: 'What went wrong?' });
  await expect(choices.getByRole('radio', { name: 'Too slow' })).toBeFocused();
  await p.keyboard.press('ArrowDown');
  await p.keyboard.press('ArrowDown');
  await expect(choices.getByRole('radio', { name: 'Something else' })).toBeChecked();
  await p.keyboard.press('Tab');
  await expect(choices.getByRole('textbox', { name: 'Something else' })).toBeFocused();
  await p.keyboard.type('Exports time out');
  await p.keyboard.press('Tab');
  await p.keyboard.press('Enter');

  const open = dialog.getByRole('textbox', { name: 'Anything else?' });
  await expect(open).toBeFocused();
  await p.keyboard.type('PDF please');
  await p.keyboard.press('Tab');
  await expect(dialog.getByRole('button', { name: 'Send' })).toBeFocused();
  await p.keyboard.press('Enter');
  // The thank-you names the dialog now, and its live region says it.
  await expect(p.getByRole('dialog', { name: 'Thanks, that helps!' }).getByRole('status')).toHaveText('Thanks, that helps!');

  await expect.poll(async () => answersOf(await site.tracked('u-kb')).length, { timeout: 15_000 }).toBe(4);
  const [sat, why, more, closed] = answersOf(await site.tracked('u-kb'));
  const responseId = sat?.properties.response_id;
  expect(responseId).toMatch(/^[0-9a-f-]{36}$/);
  const common = { message_id: 'reports-survey', message_version: 1, response_id: responseId, locale: 'en' };
  expect(sat?.properties).toEqual({ ...common, question_id: 'sat', question_type: 'csat', survey: 'csat', score: 2 });
  expect(why?.properties).toEqual({ ...common, question_id: 'why', question_type: 'single_choice', survey: 'single_choice', choice: 'other', text: 'Exports time out' });
  expect(more?.properties).toEqual({ ...common, question_id: 'more', question_type: 'open_text', survey: 'open_text', text: 'PDF please' });
  expect(closed).toEqual({ event: 'survey_closed', properties: { ...common, last_question_id: 'more', completed: true } });
});

test('a survey closed after its first answer sends survey_closed with completed false and the question reached', async ({ page: p, site }) => {
  await site.publish('reports-survey', 'survey', SURVEY);
  await visit(p, site, { user: 'u-partial' });
  const dialog = p.getByRole('dialog', { name: 'Tell us about reports' });
  await dialog.getByRole('radio', { name: '5, Very satisfied' }).check();
  await dialog.getByRole('button', { name: 'Next' }).click();
  // A high score skips the choice question.
  await expect(dialog.getByRole('textbox', { name: 'Anything else?' })).toBeVisible();
  await p.keyboard.press('Escape');
  await expect(dialog).toHaveCount(0);
  await expect.poll(async () => answersOf(await site.tracked('u-partial')).map((e) => e.event), { timeout: 15_000 }).toEqual(['survey_answered', 'survey_closed']);
  const [answer, closed] = answersOf(await site.tracked('u-partial'));
  expect(closed?.properties).toEqual({ message_id: 'reports-survey', message_version: 1, response_id: answer?.properties.response_id, last_question_id: 'more', completed: false, locale: 'en' });
  // Answered once: a close after an answer is not a dismissal.
  expect((await site.tracked('u-partial')).map((e) => e.event)).not.toContain('message_dismissed');
});

test('right to left: an Arabic translation renders with dir=rtl, mirrored, and answers record the locale', async ({ page: p, site }) => {
  await site.publish('reports-survey', 'survey', {
    ...SURVEY,
    locale: 'en',
    translations: { ar: { title: 'أخبرنا عن التقارير', 'questions.sat.text': 'ما مدى رضاك عن التقارير؟', 'questions.sat.lowLabel': 'غير راضٍ', 'questions.sat.highLabel': 'راضٍ جدًا', dismissLabel: 'إغلاق' } },
  });
  await p.emulateMedia({ colorScheme: 'dark' });
  await visit(p, site, { user: 'u-ar', locale: 'ar-EG' });
  const dialog = p.getByRole('dialog', { name: 'أخبرنا عن التقارير' });
  await expect(dialog).toBeVisible();
  const wrap = p.locator('guidepost-message .gp-wrap');
  await expect(wrap).toHaveAttribute('dir', 'rtl');
  await expect(wrap).toHaveAttribute('lang', 'ar');
  // Mirrored: the close button sits at the dialog's left, the scale's 1 at its right.
  const box = (await dialog.boundingBox())!;
  const close = (await dialog.getByRole('button', { name: 'إغلاق' }).boundingBox())!;
  expect(close.x + close.width / 2).toBeLessThan(box.x + box.width / 2);
  const one = (await dialog.getByRole('radio', { name: '1, غير راضٍ' }).locator('..').boundingBox())!;
  const five = (await dialog.getByRole('radio', { name: '5, راضٍ جدًا' }).locator('..').boundingBox())!;
  expect(one.x).toBeGreaterThan(five.x);
  await expectNoSeriousA11yViolations(p, 'survey, RTL, dark');
  await dialog.getByRole('radio', { name: '4', exact: true }).check();
  await dialog.getByRole('button', { name: 'Next' }).click();
  await expect.poll(async () => answersOf(await site.tracked('u-ar'))[0]?.properties.locale, { timeout: 15_000 }).toBe('ar');
});

test('a banner and a modal on the same page: the modal takes focus, the banner does not; a slideout waits beside them without focus', async ({ page: p, site }) => {
  await site.publish('upsell', 'modal', { title: 'Unlock Pro', body: 'Unlimited **exports**.', cta: { label: 'Upgrade', url: 'https://example.com/pro' }, dismissLabel: 'Not now' }, 5);
  await site.publish('notice', 'banner', { text: 'Maintenance **tonight** at 22:00. [Details](https://example.com/status)', position: 'top', cta: { label: 'Status page', url: 'https://example.com/status' }, dismissLabel: 'Dismiss the notice' }, 1);
  await site.publish('tip', 'slideout', { title: 'New: scheduled reports', body: 'Send a report every Monday.', cta: { label: 'Try it', url: 'https://example.com/schedule' }, dismissLabel: 'Later', corner: 'bottom-right' }, 1);
  await visit(p, site, { user: 'u-both', theme: 'light' });
  const modal = p.getByRole('dialog', { name: 'Unlock Pro' });
  const banner = p.getByRole('region', { name: /Maintenance tonight/ });
  const slideout = p.getByRole('dialog', { name: 'New: scheduled reports' });
  await expect(modal).toBeVisible();
  await expect(banner).toBeVisible();
  await expect(slideout).toBeVisible();
  await expect(modal).toBeFocused();
  await expect(slideout).toHaveAttribute('aria-modal', 'false');
  // The core drew the modal at once, so its host is the first; the chunk's kinds came after.
  await expect(p.locator('guidepost-message').first().getByRole('dialog', { name: 'Unlock Pro' })).toBeVisible();
  const top = (await banner.boundingBox())!;
  expect(top.y).toBe(0);
  await expectNoSeriousA11yViolations(p, 'modal over a banner and a slideout, LTR, light', { include: 'guidepost-message:nth-of-type(1)' });

  // The modal traps Tab; Esc closes it, and the banner and slideout stay.
  for (let i = 0; i < 6; i++) {
    await p.keyboard.press('Tab');
    expect(await p.evaluate(() => document.activeElement?.tagName.toLowerCase())).toBe('guidepost-message');
  }
  await p.keyboard.press('Escape');
  await expect(modal).toHaveCount(0);
  await expect(banner).toBeVisible();
  await expect(slideout).toBeVisible();
  await expectNoSeriousA11yViolations(p, 'banner and slideout, LTR, light');
  // Neither took the focus: the page's own button is reachable and focused as usual.
  await p.locator('#export').focus();
  await expect(p.locator('#export')).toBeFocused();
  await p.locator('#export').blur();
  await banner.getByRole('button', { name: 'Dismiss the notice' }).click();
  await expect(banner).toHaveCount(0);
  // Esc with the focus on the page's body closes the slideout too.
  await p.locator('#export').blur();
  await p.keyboard.press('Escape');
  await expect(slideout).toHaveCount(0);
  await expect
    .poll(async () => (await site.tracked('u-both')).filter((e) => e.event === 'message_dismissed').map((e) => e.properties.message_id).sort(), { timeout: 15_000 })
    .toEqual(['notice', 'tip', 'upsell']);
});

test('the axe check on a banner and a slideout in the other corner, right to left and dark', async ({ page: p, site }) => {
  const translations = { he: { text: 'תחזוקה הלילה', dismissLabel: 'סגירה' } };
  await site.publish('notice', 'banner', { text: 'Maintenance tonight', position: 'top', dismissLabel: 'Dismiss', locale: 'en', translations }, 1);
  await site.publish('tip', 'slideout', { title: 'Scheduled reports', body: 'Every Monday.', cta: { label: 'Try', action: 'open_schedule' }, dismissLabel: 'Later', corner: 'bottom-left', locale: 'en', translations: { he: { title: 'דוחות מתוזמנים', body: 'כל יום שני.', 'cta.label': 'נסו', dismissLabel: 'אחר כך' } } }, 1);
  await visit(p, site, { user: 'u-he', locale: 'he', theme: 'dark' });
  const banner = p.getByRole('region', { name: 'תחזוקה הלילה' });
  const slideout = p.getByRole('dialog', { name: 'דוחות מתוזמנים' });
  await expect(banner).toBeVisible();
  await expect(slideout).toBeVisible();
  const viewport = p.viewportSize()!;
  expect((await banner.boundingBox())!.y).toBe(0);
  // bottom-left mirrors to the inline start: the right, right to left.
  const card = (await slideout.boundingBox())!;
  expect(card.x + card.width / 2).toBeGreaterThan(viewport.width / 2);
  await expectNoSeriousA11yViolations(p, 'banner and slideout, RTL, dark');
  await slideout.getByRole('button', { name: 'נסו' }).click();
  await expect(slideout).toHaveCount(0);
  await expect.poll(async () => (await site.tracked('u-he')).filter((e) => e.event === 'message_clicked').map((e) => e.properties.message_id), { timeout: 15_000 }).toEqual(['tip']);
});

test('a bottom banner and a slideout on one page: the slideout sits above the banner, both whole, at any width, and drops back when the banner goes', async ({ page: p, site }) => {
  await site.publish('notice', 'banner', { text: 'Maintenance **tonight** at 22:00: exports pause for ten minutes while we move the database to a larger machine.', position: 'bottom', cta: { label: 'Status page', url: 'https://example.com/status' }, dismissLabel: 'Dismiss the notice' }, 1);
  await site.publish('tip', 'slideout', { title: 'New: scheduled reports', body: 'Send a report every Monday.', cta: { label: 'Try it', action: 'open_schedule' }, dismissLabel: 'Later', corner: 'bottom-right' }, 1);
  await visit(p, site, { user: 'u-bottom', theme: 'light' });
  const banner = p.getByRole('region', { name: /Maintenance tonight/ });
  const slideout = p.getByRole('dialog', { name: 'New: scheduled reports' });
  await expect(banner).toBeVisible();
  await expect(slideout).toBeVisible();

  /** The banner's and the slideout's boxes do not meet, and both lie inside the viewport. */
  const apart = async (): Promise<void> => {
    const viewport = p.viewportSize()!;
    await expect
      .poll(async () => {
        const bar = (await banner.boundingBox())!;
        const card = (await slideout.boundingBox())!;
        return {
          cardAboveBar: card.y + card.height <= bar.y,
          barAtBottom: Math.round(bar.y + bar.height) === viewport.height,
          cardInside: card.y >= 0 && card.x >= 0 && card.x + card.width <= viewport.width,
        };
      })
      .toEqual({ cardAboveBar: true, barAtBottom: true, cardInside: true });
  };
  await apart();
  // Narrow: the banner's text wraps to more lines, and the slideout rises with it.
  const wide = (await banner.boundingBox())!.height;
  await p.setViewportSize({ width: 420, height: 800 });
  await expect.poll(async () => (await banner.boundingBox())!.height).toBeGreaterThan(wide);
  await apart();
  // Both stay usable: the slideout's button takes a click, not the banner under it.
  await expect(slideout.getByRole('button', { name: 'Try it' })).toBeVisible();
  await banner.getByRole('button', { name: 'Dismiss the notice' }).click();
  await expect(banner).toHaveCount(0);
  // Alone again, the slideout returns to its corner: 16px from the bottom.
  await expect.poll(async () => {
    const card = (await slideout.boundingBox())!;
    return Math.round(800 - (card.y + card.height));
  }).toBe(16);
  await slideout.getByRole('button', { name: 'Try it' }).click();
  await expect.poll(async () => (await site.tracked('u-bottom')).filter((e) => e.event === 'message_clicked').map((e) => e.properties.message_id), { timeout: 15_000 }).toEqual(['tip']);
});

test('an Arabic message with no translations renders right to left (its own language travels in the content), and the NPS answer records it', async ({ page: p, site }) => {
  // What the companion publishes for an NPS survey authored in Arabic alone: its language, no translations.
  await site.publish('nps-ar', 'nps', { question: 'ما مدى احتمال أن توصي بنا لزميل؟', lowLabel: 'غير محتمل', highLabel: 'محتمل جدًا', thankYou: 'شكرًا لك', locale: 'ar' });
  const chunk = p.waitForResponse((r) => /guidepost-kinds\.js$/.test(r.url()));
  // The visitor's browser asks for English: the one language the message has is shown.
  await visit(p, site, { user: 'u-ar-only', locale: 'en-US' });
  expect((await chunk).status()).toBe(200);
  const wrap = p.locator('guidepost-message .gp-wrap');
  await expect(wrap).toHaveAttribute('dir', 'rtl');
  await expect(wrap).toHaveAttribute('lang', 'ar');
  const dialog = p.getByRole('dialog');
  await expect(dialog).toBeVisible();
  await expectNoSeriousA11yViolations(p, 'NPS in Arabic alone, RTL');
  await dialog.getByRole('radio', { name: '9', exact: true }).click();
  await dialog.getByRole('button', { name: 'Send' }).click();
  await expect.poll(async () => (await site.tracked('u-ar-only')).find((e) => e.event === 'survey_answered')?.properties, { timeout: 15_000 }).toMatchObject({ survey: 'nps', score: 9, locale: 'ar' });
});

test('after an upgrade, a core cached from the previous build asks for its old chunk version and still shows the survey', async ({ page: p, site }) => {
  await site.publish('reports-survey', 'survey', SURVEY);
  // The previous build's core: the same SDK naming another chunk version (as the server's earlier build did).
  await p.route(`${site.delivery}/sdk/guidepost.js`, async (route) => {
    const response = await route.fetch();
    const core = (await response.text()).replace(/\/sdk\/[0-9a-f]{16}\/guidepost-kinds\.js/, '/sdk/0123456789abcdef/guidepost-kinds.js');
    await route.fulfill({ response, body: core });
  });
  const chunk = p.waitForResponse((r) => r.url().endsWith('/sdk/0123456789abcdef/guidepost-kinds.js'));
  await visit(p, site, { user: 'u-old-core' });
  const served = await chunk;
  expect(served.status()).toBe(200);
  expect(served.headers()['cache-control']).toBe('public, max-age=300');
  expect(served.headers()['x-guidepost-kinds-version']).toMatch(/^[0-9a-f]{16}$/);
  await expect(p.getByRole('dialog', { name: 'Tell us about reports' })).toBeVisible();
});
