/**
 * The SDK's rendering in Chromium, no server needed: a tiny host page served on loopback by node:http
 * (a stand-in for a customer's app) loads the built SDK (out/sdk/guidepost.mjs: run `npm run build:sdk`)
 * and calls its render module directly; events are captured through the handlers.
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test as base, expect, type Page } from '@playwright/test';
import { expectNoSeriousA11yViolations } from './a11y';

const SDK_MODULE = 'out/sdk/guidepost.mjs';

/** What the host page exposes on window. */
interface HostWindow {
  /** Mounts a message with the SDK's mountMessage; its events land in `events`. */
  show(message: unknown, options?: unknown): boolean;
  events: { name: string; properties: Record<string, unknown> }[];
  xss?: number;
}

/** Host CSS that would break any widget drawn in the page's own DOM. */
const HOSTILE_CSS = `
  body * { display: none !important; color: red !important; font: 40px/3 serif !important; opacity: .2 !important;
           visibility: hidden !important; position: static !important; transform: rotate(3deg) !important; }
  guidepost-message, [role=dialog], div, h2, button, a, p { all: unset !important; display: none !important; }
  body { transform: translateX(-200px); overflow: hidden; }
  html { font-size: 8px; }
`;

const APP = `
  <header class="bar"><strong>Acme Analytics</strong><nav><a href="#">Dashboards</a><a href="#">Reports</a><a href="#">Settings</a></nav></header>
  <main>
    <h1>Weekly report</h1>
    <p>Active users grew 12% this week. Exports ran 1,204 times.</p>
    <div class="cards"><div class="card">Active users<b>8,412</b></div><div class="card">Exports<b>1,204</b></div><div class="card">Seats used<b>5 / 5</b></div></div>
    <p><button id="opener" type="button">Open message</button> <input id="search" placeholder="Search"></p>
  </main>`;

const APP_CSS = `
  body { margin: 0; font: 15px/1.5 system-ui, sans-serif; background: #f6f7f9; color: #1f2328; }
  .bar { display: flex; gap: 32px; align-items: center; padding: 14px 32px; background: #fff; border-bottom: 1px solid #e5e7eb; }
  .bar nav { display: flex; gap: 20px; } .bar a { color: #57606a; text-decoration: none; }
  main { padding: 32px; max-width: 960px; }
  .cards { display: flex; gap: 16px; margin: 24px 0; }
  .card { flex: 1; padding: 20px; background: #fff; border: 1px solid #e5e7eb; border-radius: 10px; color: #57606a; }
  .card b { display: block; font-size: 28px; color: #1f2328; }
  @media (prefers-color-scheme: dark) {
    body { background: #0d1117; color: #e6edf3; } .bar, .card { background: #161b22; border-color: #30363d; }
    .card b { color: #e6edf3; } .bar a, .card { color: #8b949e; }
  }`;

function hostPage(hostile: boolean): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Host app</title>
<style>${APP_CSS}${hostile ? HOSTILE_CSS : ''}</style></head>
<body>${APP}
<script type="module">
  import { mountMessage } from '/guidepost.mjs';
  window.events = [];
  window.show = (message, options) => !!mountMessage(message, {
    onEvent: (name, properties) => window.events.push({ name, properties }),
    onClose: () => window.events.push({ name: 'closed', properties: {} }),
  }, options);
  document.getElementById('opener').addEventListener('click', () => window.show(window.next));
  document.documentElement.dataset.ready = 'yes';
</script></body></html>`;
}

/** Serves `/` (the host page; `/?hostile` adds HOSTILE_CSS) and `/guidepost.mjs` on 127.0.0.1. */
async function startHost(): Promise<{ url: string; close: () => Promise<void> }> {
  const sdk = readFileSync(SDK_MODULE);
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname === '/guidepost.mjs') {
      res.writeHead(200, { 'Content-Type': 'text/javascript; charset=utf-8' });
      res.end(sdk);
    } else if (url.pathname === '/hero.svg') {
      res.writeHead(200, { 'Content-Type': 'image/svg+xml' });
      res.end(HERO_SVG);
    } else if (url.pathname === '/') {
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
      res.end(hostPage(url.searchParams.has('hostile')));
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}


const HERO_SVG = `<svg xmlns="http://www.w3.org/2000/svg" width="880" height="360" viewBox="0 0 880 360">
<defs><linearGradient id="g" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="#4f46e5"/><stop offset="1" stop-color="#9333ea"/></linearGradient></defs>
<rect width="880" height="360" fill="url(#g)"/><circle cx="720" cy="60" r="160" fill="#fff" opacity=".08"/><circle cx="140" cy="340" r="120" fill="#fff" opacity=".06"/>
<g fill="#fff"><rect x="300" y="120" width="280" height="150" rx="14" opacity=".95"/></g>
<g fill="#4f46e5"><rect x="324" y="144" width="120" height="12" rx="6"/><rect x="324" y="230" width="22" height="18" rx="3" opacity=".5"/><rect x="354" y="214" width="22" height="34" rx="3" opacity=".7"/><rect x="384" y="196" width="22" height="52" rx="3"/><rect x="414" y="176" width="22" height="72" rx="3"/></g>
<g fill="#e4e4e7"><rect x="324" y="166" width="200" height="8" rx="4"/><rect x="470" y="196" width="86" height="52" rx="6"/></g></svg>`;

const test = base.extend<{ host: string }>({
  host: async ({}, use) => {
    const server = await startHost();
    await use(server.url);
    await server.close();
  },
});

async function open(page: Page, host: string, query = ''): Promise<void> {
  page.on('dialog', (dialog) => {
    throw new Error(`a JavaScript dialog opened: ${dialog.message()}`);
  });
  await page.goto(`${host}/${query}`);
  await expect(page.locator('html')).toHaveAttribute('data-ready', 'yes');
}

async function show(page: Page, message: unknown, options?: unknown): Promise<boolean> {
  return page.evaluate(([m, o]) => (globalThis as unknown as HostWindow).show(m, o), [message, options] as const);
}

async function events(page: Page): Promise<HostWindow['events']> {
  return page.evaluate(() => (globalThis as unknown as HostWindow).events);
}

/** Arms the page's opener button with a message: clicking it (or Enter on it) shows the message. */
async function arm(page: Page, message: unknown): Promise<void> {
  await page.evaluate((m) => {
    ((globalThis as unknown as HostWindow) as unknown as { next: unknown }).next = m;
  }, message);
}

const upsell = (host: string) => ({
  id: 'upsell-seats',
  kind: 'modal',
  version: 3,
  content: {
    title: 'Unlock unlimited seats with Pro',
    body:
      'Your team is using **all 5 seats** on the Starter plan. Upgrade to bring everyone in:\n\n' +
      '- Unlimited seats and *guest* access\n- Single sign-on with `SAML 2.0`\n- Priority support, [see everything in Pro](https://example.com/pricing)',
    cta: { label: 'Upgrade to Pro', url: 'https://example.com/upgrade' },
    dismissLabel: 'Maybe later',
    imageUrl: `${host}/hero.svg`,
  },
});

const FOLLOW_UP = {
  promoter: 'What do you love most about Acme?',
  passive: 'What would make Acme a 10 for you?',
  detractor: 'Sorry to hear that. What should we fix first?',
};

const nps = {
  id: 'nps-q3',
  kind: 'nps',
  version: 1,
  content: {
    question: 'How likely are you to recommend Acme to a colleague?',
    lowLabel: 'Not likely',
    highLabel: 'Very likely',
    followUp: FOLLOW_UP,
    thankYou: 'Thank you! Your feedback goes straight to our product team.',
  },
};

test('the upsell modal renders in a shadow root, accessibly; Esc closes it and focus goes back', async ({ page, host }) => {
  await page.setViewportSize({ width: 1100, height: 760 });
  await open(page, host);
  await arm(page, upsell(host));
  await page.locator('#opener').click();

  const dialog = page.getByRole('dialog', { name: 'Unlock unlimited seats with Pro' });
  await expect(dialog).toBeVisible();
  await expect(dialog).toHaveAttribute('aria-modal', 'true');
  await expect(dialog).toBeFocused();
  // In a shadow root: the page's own DOM has no dialog, the <guidepost-message> element hosts it.
  expect(await page.evaluate(() => (globalThis as unknown as { document: { querySelector(s: string): unknown } }).document.querySelector('[role=dialog]'))).toBeNull();
  expect(await page.locator('guidepost-message').evaluate((el) => (el as unknown as { shadowRoot: unknown }).shadowRoot !== null)).toBe(true);

  // The body: markdown as nodes.
  await expect(dialog.locator('strong')).toHaveText('all 5 seats');
  await expect(dialog.locator('li')).toHaveCount(3);
  await expect(dialog.locator('code')).toHaveText('SAML 2.0');
  await expect(dialog.getByRole('link', { name: 'see everything in Pro' })).toHaveAttribute('href', 'https://example.com/pricing');
  await expect(dialog.getByRole('link', { name: 'Upgrade to Pro' })).toHaveAttribute('href', 'https://example.com/upgrade');
  await expect(dialog.locator('img')).toHaveJSProperty('complete', true);
  await page.screenshot({ path: 'test-results/screens/50-sdk-modal-light.png' });
  // The message itself passes axe in both themes (the host page is a stand-in, not ours to check).
  await expectNoSeriousA11yViolations(page, 'SDK upsell modal, light', { include: 'guidepost-message' });
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.screenshot({ path: 'test-results/screens/51-sdk-modal-dark.png' });
  await expectNoSeriousA11yViolations(page, 'SDK upsell modal, dark', { include: 'guidepost-message' });
  await page.emulateMedia({ colorScheme: 'light' });

  // Tab visits every stop in DOM order (the body's link first), then wraps round; Shift+Tab wraps back.
  const order: string[] = [];
  for (let i = 0; i < 5; i++) {
    await page.keyboard.press('Tab');
    order.push(await page.evaluate(() => {
      let active = (globalThis as unknown as { document: { activeElement: { shadowRoot?: { activeElement: unknown } | null; textContent: string; getAttribute(n: string): string | null } } }).document.activeElement;
      while (active.shadowRoot?.activeElement) active = active.shadowRoot.activeElement as typeof active;
      return active.getAttribute('aria-label') ?? active.textContent;
    }));
  }
  expect(order).toEqual(['see everything in Pro', 'Maybe later', 'Upgrade to Pro', 'Close', 'see everything in Pro']);
  await page.keyboard.press('Shift+Tab');
  await expect(dialog.getByRole('button', { name: 'Close' })).toBeFocused();

  await page.keyboard.press('Escape');
  await expect(dialog).toHaveCount(0);
  await expect(page.locator('guidepost-message')).toHaveCount(0);
  await expect(page.locator('#opener')).toBeFocused();
  expect(await events(page)).toEqual([
    { name: 'message_shown', properties: { message_id: 'upsell-seats', message_version: 3 } },
    { name: 'message_dismissed', properties: { message_id: 'upsell-seats', message_version: 3 } },
    { name: 'closed', properties: {} },
  ]);
});

test('the call to action navigates and reports a click, not a dismissal', async ({ page, host }) => {
  await open(page, host);
  await show(page, { id: 'cta', kind: 'modal', content: { title: 'See pricing', cta: { label: 'Compare plans', url: `${host}/#pricing` } } });
  await page.getByRole('link', { name: 'Compare plans' }).click();
  await expect(page).toHaveURL(`${host}/#pricing`);
  await expect(page.getByRole('dialog')).toHaveCount(0);
  expect((await events(page)).map((e) => e.name)).toEqual(['message_shown', 'message_clicked', 'closed']);
});

test('host CSS cannot break the message, and the message leaves the host page alone', async ({ page, host }) => {
  await page.setViewportSize({ width: 1100, height: 760 });
  await open(page, host, '?hostile');
  await expect(page.locator('#opener')).toBeHidden(); // the hostile CSS hides the page's own elements
  await show(page, upsell(host));
  const dialog = page.getByRole('dialog', { name: 'Unlock unlimited seats with Pro' });
  await expect(dialog).toBeVisible();
  await expect(dialog.getByRole('link', { name: 'Upgrade to Pro' })).toBeVisible();
  // Measure once the entrance animation (opacity and scale) is over.
  await expect
    .poll(() => dialog.evaluate((el) => (globalThis as unknown as { getComputedStyle(e: unknown): { opacity: string } }).getComputedStyle(el).opacity))
    .toBe('1');
  await expect.poll(() => dialog.evaluate((el) => (el as unknown as { getBoundingClientRect(): { width: number } }).getBoundingClientRect().width)).toBe(440);
  const look = await dialog.evaluate((el) => {
    const node = el as unknown as { getBoundingClientRect(): { x: number; y: number; width: number; height: number }; querySelector(s: string): unknown };
    const css = (globalThis as unknown as { getComputedStyle(e: unknown): Record<string, string> }).getComputedStyle;
    const title = css(node.querySelector('h2'));
    const box = node.getBoundingClientRect();
    return { box, color: title.color, font: title.fontFamily, size: title.fontSize, opacity: css(el).opacity };
  });
  expect(look.color).not.toBe('rgb(255, 0, 0)');
  expect(look.font).not.toContain('serif,');
  expect(look.size).toBe('20px');
  expect(look.opacity).toBe('1');
  // Centred in the viewport, whatever the body's transform.
  expect(Math.abs(look.box.x + look.box.width / 2 - 550)).toBeLessThan(2);
  expect(look.box.width).toBe(440);
  await page.screenshot({ path: 'test-results/screens/55-sdk-modal-hostile-css.png' });
  // And nothing of ours leaks out: the host page's elements keep their own styles.
  expect(await page.locator('h1').evaluate((el) => (globalThis as unknown as { getComputedStyle(e: unknown): { color: string } }).getComputedStyle(el).color)).toBe('rgb(255, 0, 0)');
});

test('authored markup and javascript: URLs stay inert text', async ({ page, host }) => {
  await open(page, host);
  const hostile = {
    id: 'xss',
    kind: 'modal',
    content: {
      title: '<img src=x onerror="window.xss=1">Hello',
      body: '<script>alert(1)</script> and [click me](javascript:alert(2)) and [also](JAVASCRIPT:window.xss=3)\n\n<b onclick="alert(4)">bold?</b>',
      cta: { label: 'Run it', url: 'javascript:window.xss=5' },
      dismissLabel: '<i>no</i>',
      imageUrl: 'javascript:window.xss=6',
    },
  };
  expect(await show(page, hostile)).toBe(true);
  const dialog = page.getByRole('dialog');
  await expect(dialog.locator('h2')).toHaveText('<img src=x onerror="window.xss=1">Hello');
  await expect(dialog.locator('p').first()).toHaveText('<script>alert(1)</script> and click me and also');
  await expect(dialog.locator('p').nth(1)).toHaveText('<b onclick="alert(4)">bold?</b>');
  await expect(dialog.locator('script, img, b, i')).toHaveCount(0);
  await expect(page.locator('guidepost-message a')).toHaveCount(0);
  await expect(page.locator('a[href^="javascript" i]')).toHaveCount(0);
  // The call to action with a bad URL is an inert button: it reports the click and closes, nothing runs.
  const cta = dialog.getByRole('button', { name: 'Run it' });
  await expect(cta).not.toHaveAttribute('href');
  await cta.click();
  await expect(dialog).toHaveCount(0);
  await page.waitForTimeout(200);
  expect(await page.evaluate(() => (globalThis as unknown as HostWindow).xss)).toBeUndefined();
  expect((await events(page)).map((e) => e.name)).toEqual(['message_shown', 'message_clicked', 'closed']);
});

test('the NPS survey is answered with the keyboard alone; the follow-up follows the score', async ({ page, host }) => {
  await page.setViewportSize({ width: 1100, height: 760 });
  await open(page, host);
  await arm(page, nps);
  await page.locator('#opener').focus();
  await page.keyboard.press('Enter');

  const dialog = page.getByRole('dialog', { name: nps.content.question });
  await expect(dialog).toBeFocused();
  const scale = dialog.getByRole('radiogroup', { name: nps.content.question });
  await expect(scale.getByRole('radio')).toHaveCount(11);
  await expect(dialog.getByRole('textbox')).toHaveCount(0);

  await page.keyboard.press('Tab');
  await expect(scale.getByRole('radio', { name: '0, Not likely' })).toBeFocused();
  await page.keyboard.press('End');
  await expect(scale.getByRole('radio', { name: '10, Very likely' })).toBeChecked();
  await expect(dialog.getByRole('textbox', { name: FOLLOW_UP.promoter })).toBeVisible();
  await page.keyboard.press('ArrowLeft');
  await page.keyboard.press('ArrowLeft');
  await expect(scale.getByRole('radio', { name: '8', exact: true })).toBeChecked();
  await expect(dialog.getByRole('textbox', { name: FOLLOW_UP.passive })).toBeVisible();
  await page.keyboard.press('Home');
  for (let i = 0; i < 3; i++) await page.keyboard.press('ArrowRight');
  const three = scale.getByRole('radio', { name: '3', exact: true });
  await expect(three).toBeFocused();
  await expect(three).toBeChecked();
  await expect(scale.getByRole('radio', { checked: true })).toHaveCount(1);
  await page.keyboard.press('Enter');

  const comment = dialog.getByRole('textbox', { name: FOLLOW_UP.detractor });
  await expect(comment).toBeFocused();
  await page.keyboard.type('Exports of big reports keep timing out.');
  await page.screenshot({ path: 'test-results/screens/52-sdk-nps-light.png' });
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.screenshot({ path: 'test-results/screens/53-sdk-nps-dark.png' });
  await page.emulateMedia({ colorScheme: 'light' });

  await page.keyboard.press('Tab');
  await expect(dialog.getByRole('button', { name: 'Send' })).toBeFocused();
  await page.keyboard.press('Enter');
  const thanks = page.getByRole('dialog', { name: nps.content.thankYou });
  await expect(thanks).toBeVisible();
  await expect(thanks.getByRole('button', { name: 'Close' })).toBeFocused();
  await page.screenshot({ path: 'test-results/screens/54-sdk-nps-thanks.png' });
  expect(await events(page)).toEqual([
    { name: 'message_shown', properties: { message_id: 'nps-q3', message_version: 1 } },
    {
      name: 'survey_answered',
      properties: { message_id: 'nps-q3', message_version: 1, survey: 'nps', score: 3, comment: 'Exports of big reports keep timing out.' },
    },
  ]);
  await page.keyboard.press('Escape');
  await expect(thanks).toHaveCount(0);
  await expect(page.locator('#opener')).toBeFocused();
  // Answered: closing is not a dismissal.
  expect((await events(page)).map((e) => e.name)).toEqual(['message_shown', 'survey_answered', 'closed']);
});

test('closing the survey after a score keeps the answer; closing before one is a dismissal', async ({ page, host }) => {
  await page.setViewportSize({ width: 390, height: 760 }); // a phone: the scale wraps to two rows
  await open(page, host);
  await show(page, nps);
  await page.getByRole('radio', { name: '9', exact: true }).click();
  await expect(page.getByRole('textbox', { name: FOLLOW_UP.promoter })).toBeFocused();
  await page.screenshot({ path: 'test-results/screens/56-sdk-nps-phone.png' });
  await page.getByRole('button', { name: 'Close' }).click();
  await show(page, nps);
  await page.getByRole('dialog').click({ position: { x: 5, y: 5 } }); // inside the dialog: stays
  await expect(page.getByRole('dialog')).toBeVisible();
  await page.mouse.click(10, 10); // the backdrop: dismisses
  await expect(page.getByRole('dialog')).toHaveCount(0);
  expect((await events(page)).map((e) => [e.name, e.properties.score])).toEqual([
    ['message_shown', undefined],
    ['survey_answered', 9],
    ['closed', undefined],
    ['message_shown', undefined],
    ['message_dismissed', undefined],
    ['closed', undefined],
  ]);
});

test('bad content falls back to defaults or renders nothing, and never throws', async ({ page, host }) => {
  await open(page, host);
  expect(await show(page, { id: 'b1', kind: 'banner', content: {} })).toBe(false);
  expect(await show(page, null)).toBe(false);
  await expect(page.locator('guidepost-message')).toHaveCount(0);

  expect(await show(page, { id: 'm1', kind: 'modal', content: 'not an object' })).toBe(true);
  await expect(page.getByRole('dialog').getByRole('button', { name: 'Not now' })).toBeVisible();
  await page.keyboard.press('Escape');

  expect(await show(page, { id: 'm2', kind: 'modal', content: { title: 7, body: { x: 1 }, cta: { label: 'Go', url: 12 }, imageUrl: 'ftp://x' } })).toBe(true);
  await expect(page.getByRole('dialog').getByRole('button', { name: 'Go' })).toBeVisible();
  await page.keyboard.press('Escape');

  expect(await show(page, { id: 3, kind: 'nps', content: { question: 42, lowLabel: ['x'], followUp: 'nope', thankYou: null } })).toBe(true);
  const dialog = page.getByRole('dialog', { name: 'How likely are you to recommend us to a friend or colleague?' });
  await expect(dialog).toBeVisible();
  await dialog.getByRole('radio', { name: '0, Not at all likely' }).click();
  await expect(dialog.getByRole('textbox', { name: 'What could we do better?' })).toBeFocused();
  await dialog.getByRole('button', { name: 'Send' }).click();
  await expect(page.getByRole('dialog', { name: 'Thank you for your feedback!' })).toBeVisible();
  const answered = (await events(page)).find((e) => e.name === 'survey_answered');
  expect(answered?.properties).toEqual({ message_id: '3', survey: 'nps', score: 0, comment: '' });
});

test('prefers-reduced-motion turns the entrance animation off', async ({ page, host }) => {
  await open(page, host);
  const animations = (): Promise<string> =>
    page
      .locator('guidepost-message .gp-dialog')
      .evaluate((el) => (globalThis as unknown as { getComputedStyle(e: unknown): { animationName: string } }).getComputedStyle(el).animationName);
  await show(page, nps);
  expect(await animations()).toBe('gp-up');
  await page.keyboard.press('Escape');
  await page.emulateMedia({ reducedMotion: 'reduce' });
  await show(page, nps);
  expect(await animations()).toBe('none');
});

test('CSS variables theme it from the host page, and the theme option overrides the OS', async ({ page, host }) => {
  await open(page, host);
  const colours = (): Promise<{ bg: string; cta: string; radius: string }> =>
    page.getByRole('dialog').evaluate((el) => {
      const css = (globalThis as unknown as { getComputedStyle(e: unknown): { backgroundColor: string; borderTopLeftRadius: string } }).getComputedStyle;
      const cta = (el as unknown as { querySelector(s: string): unknown }).querySelector('.gp-primary');
      return { bg: css(el).backgroundColor, cta: css(cta).backgroundColor, radius: css(el).borderTopLeftRadius };
    });
  const message = { id: 't', kind: 'modal', content: { title: 'Themed', cta: { label: 'Go', url: 'https://example.com' } } };

  await show(page, message, { theme: 'dark' });
  expect(await colours()).toEqual({ bg: 'rgb(28, 28, 33)', cta: 'rgb(79, 70, 229)', radius: '14px' });
  await page.keyboard.press('Escape');

  await page.addStyleTag({ content: 'guidepost-message { --gp-accent: rgb(0, 120, 60); --gp-bg: rgb(250, 248, 240); --gp-radius: 4px; }' });
  await show(page, message);
  expect(await colours()).toEqual({ bg: 'rgb(250, 248, 240)', cta: 'rgb(0, 120, 60)', radius: '4px' });
});
