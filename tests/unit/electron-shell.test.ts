import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { appUrlMatcher, bindIpc, bindShowInFolder, isTrustedSender, type IpcMainLike, type IpcSenderLike, type TrustPolicy } from '../../src/main/electron/ipc';
import { isAllowedNavigation, isSafeExternalUrl } from '../../src/main/electron/navigation';
import { DEFAULT_BOUNDS, mainWindowOptions, sanitizeBounds } from '../../src/main/electron/window-options';
import { ipcChannels, methodNames } from '../../src/shared/contract';
import type { Envelope } from '../../src/shared/errors';

describe('mainWindowOptions', () => {
  it('locks the renderer down and passes the preload path through', () => {
    const options = mainWindowOptions('/app/out/preload/index.cjs');
    const prefs = options.webPreferences;
    expect(prefs.preload).toBe('/app/out/preload/index.cjs');
    expect(prefs.contextIsolation).toBe(true);
    expect(prefs.sandbox).toBe(true);
    expect(prefs.nodeIntegration).toBe(false);
    expect(prefs.nodeIntegrationInWorker).toBe(false);
    expect(prefs.nodeIntegrationInSubFrames).toBe(false);
    expect(prefs.webSecurity).toBe(true);
    expect(prefs.allowRunningInsecureContent).toBe(false);
    expect(prefs.webviewTag).toBe(false);
    expect(Object.keys(prefs)).not.toContain('enableRemoteModule');
  });

  it('starts hidden at the given bounds, with the theme background', () => {
    const bounds = { x: 10, y: 20, width: 1000, height: 700 };
    const options = mainWindowOptions('/p.cjs', bounds, true);
    expect(options).toMatchObject({ ...bounds, show: false, title: 'Guidepost', backgroundColor: '#16171a' });
    expect(mainWindowOptions('/p.cjs').backgroundColor).toBe('#ffffff');
    expect(mainWindowOptions('/p.cjs')).toMatchObject(DEFAULT_BOUNDS);
  });
});

describe('sanitizeBounds', () => {
  const displays = [{ x: 0, y: 0, width: 1920, height: 1080 }];

  it('falls back to the default bounds for anything that is not a sane bounds object', () => {
    const garbage: unknown[] = [
      null,
      undefined,
      'big',
      42,
      [],
      {},
      { x: 0, y: 0, width: 1000 },
      { x: '0', y: 0, width: 1000, height: 700 },
      { x: 0, y: 0, width: Number.NaN, height: 700 },
      { x: 0, y: 0, width: Number.POSITIVE_INFINITY, height: 700 },
      { x: 0, y: 0, width: 100, height: 700 },
      { x: 0, y: 0, width: 1000, height: 10 },
      { x: 0, y: 0, width: -1000, height: -700 },
    ];
    for (const saved of garbage) {
      expect(sanitizeBounds(saved, displays), JSON.stringify(saved)).toEqual(DEFAULT_BOUNDS);
    }
  });

  it('keeps only the size of bounds that no display shows', () => {
    expect(sanitizeBounds({ x: 5000, y: 5000, width: 1000, height: 700 }, displays)).toEqual({ width: 1000, height: 700 });
    expect(sanitizeBounds({ x: -1000, y: 100, width: 1000, height: 700 }, displays)).toEqual({ width: 1000, height: 700 });
    expect(sanitizeBounds({ x: 100, y: 100, width: 1000, height: 700 }, [])).toEqual({ width: 1000, height: 700 });
  });

  it('keeps bounds that fit a display, including a second one', () => {
    const saved = { x: 100, y: 80, width: 1200, height: 800 };
    expect(sanitizeBounds(saved, displays)).toEqual(saved);
    const onSecond = { x: 2000, y: 100, width: 1000, height: 700 };
    expect(sanitizeBounds(onSecond, [...displays, { x: 1920, y: 0, width: 2560, height: 1440 }])).toEqual(onSecond);
  });
});

/** A stand-in for Electron's ipcMain: records the handlers so a test can invoke them as a renderer would. */
class FakeIpcMain implements IpcMainLike {
  readonly handlers = new Map<string, (event: IpcSenderLike, ...args: unknown[]) => Promise<unknown>>();
  handle(channel: string, listener: (event: IpcSenderLike, ...args: unknown[]) => Promise<unknown>): void {
    if (this.handlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`);
    this.handlers.set(channel, listener);
  }
  removeHandler(channel: string): void {
    this.handlers.delete(channel);
  }
  invoke(channel: string, event: IpcSenderLike, arg: unknown): Promise<unknown> {
    const handler = this.handlers.get(channel);
    if (!handler) throw new Error(`No handler registered for '${channel}'`);
    return handler(event, arg);
  }
}

const APP_URL = 'file:///opt/guidepost/out/renderer/index.html';

function setup() {
  const ipc = new FakeIpcMain();
  const calls: { method: string; arg: unknown }[] = [];
  const policy: TrustPolicy = { windowIds: () => [7], isAppUrl: appUrlMatcher(APP_URL) };
  const unbind = bindIpc(ipc, policy, async (method, arg) => {
    calls.push({ method, arg });
    return { ok: true, value: { method } };
  });
  return { ipc, calls, unbind, policy };
}

const trusted: IpcSenderLike = { sender: { id: 7 }, senderFrame: { url: `${APP_URL}#/data` } };

function expectRefused(result: unknown, code: string): void {
  const envelope = result as Envelope<unknown>;
  expect(envelope.ok).toBe(false);
  if (!envelope.ok) expect(envelope.error.code).toBe(code);
}

describe('bindIpc', () => {
  it('registers exactly one channel per contract method, and unbinding removes them all', () => {
    const { ipc, unbind } = setup();
    expect([...ipc.handlers.keys()].sort()).toEqual(methodNames.map((name) => ipcChannels.method(name)).sort());
    expect(ipc.handlers.size).toBe(methodNames.length);
    unbind();
    expect(ipc.handlers.size).toBe(0);
  });

  it('refuses a call from an unknown sender id with forbidden, without reaching the backend', async () => {
    const { ipc, calls } = setup();
    const stranger: IpcSenderLike = { sender: { id: 99 }, senderFrame: { url: APP_URL } };
    expectRefused(await ipc.invoke(ipcChannels.method('getStatus'), stranger, {}), 'forbidden');
    expect(calls).toEqual([]);
  });

  it('refuses a call from a known window whose frame is not the app page', async () => {
    const { ipc, calls } = setup();
    for (const senderFrame of [{ url: 'https://evil.example/' }, { url: 'file:///tmp/other.html' }, { url: `${APP_URL}.evil` }, null]) {
      const event: IpcSenderLike = { sender: { id: 7 }, senderFrame };
      expectRefused(await ipc.invoke(ipcChannels.method('setDataAsOf'), event, { asOf: 1 }), 'forbidden');
    }
    expect(calls).toEqual([]);
  });

  it('answers a trusted call with a bad argument with invalid_argument, without reaching the backend', async () => {
    const { ipc, calls } = setup();
    const result = (await ipc.invoke(ipcChannels.method('getDailyVolume'), trusted, { days: -3 })) as Envelope<unknown>;
    expectRefused(result, 'invalid_argument');
    if (!result.ok) expect(result.error.message).toMatch(/days/);
    expectRefused(await ipc.invoke(ipcChannels.method('getStatus'), trusted, { extra: 1 }), 'invalid_argument');
    expect(calls).toEqual([]);
  });

  it('passes a trusted good call to the backend with the parsed argument, and returns its envelope', async () => {
    const { ipc, calls } = setup();
    const result = await ipc.invoke(ipcChannels.method('setDataAsOf'), trusted, { asOf: 1_700_000_000_000 });
    expect(result).toEqual({ ok: true, value: { method: 'setDataAsOf' } });
    expect(await ipc.invoke(ipcChannels.method('getStatus'), trusted, undefined)).toEqual({ ok: true, value: { method: 'getStatus' } });
    expect(calls).toEqual([
      { method: 'setDataAsOf', arg: { asOf: 1_700_000_000_000 } },
      { method: 'getStatus', arg: {} },
    ]);
  });

  it('turns a backend that throws into an error envelope', async () => {
    const ipc = new FakeIpcMain();
    bindIpc(ipc, { windowIds: () => [7], isAppUrl: appUrlMatcher(APP_URL) }, async () => {
      throw new Error('worker is gone');
    });
    const result = (await ipc.invoke(ipcChannels.method('getStatus'), trusted, {})) as Envelope<unknown>;
    expect(result).toEqual({ ok: false, error: { code: 'internal', message: 'worker is gone' } });
  });
});

describe('isTrustedSender and appUrlMatcher', () => {
  it('trust needs both a known window and the app page', () => {
    const policy: TrustPolicy = { windowIds: () => new Set([3, 4]), isAppUrl: appUrlMatcher(APP_URL) };
    expect(isTrustedSender({ sender: { id: 4 }, senderFrame: { url: APP_URL } }, policy)).toBe(true);
    expect(isTrustedSender({ sender: { id: 5 }, senderFrame: { url: APP_URL } }, policy)).toBe(false);
    expect(isTrustedSender({ sender: { id: 4 }, senderFrame: { url: 'https://evil.example' } }, policy)).toBe(false);
    expect(isTrustedSender({ sender: { id: 4 }, senderFrame: null }, policy)).toBe(false);
  });

  it('matches the app page with any hash, and nothing else', () => {
    const isApp = appUrlMatcher(APP_URL);
    expect(isApp(APP_URL)).toBe(true);
    expect(isApp(`${APP_URL}#/settings`)).toBe(true);
    expect(isApp(`${APP_URL}?x=1`)).toBe(false);
    expect(isApp('file:///opt/guidepost/out/renderer/other.html')).toBe(false);
    expect(isApp('https://evil.example/#file:///opt/guidepost/out/renderer/index.html')).toBe(false);
    expect(isAllowedNavigation(`${APP_URL}#/data`, isApp)).toBe(true);
    expect(isAllowedNavigation('https://example.com/', isApp)).toBe(false);
  });

  it('matches pages of the dev server when one is given', () => {
    const isApp = appUrlMatcher(APP_URL, 'http://localhost:5173/');
    expect(isApp('http://localhost:5173/')).toBe(true);
    expect(isApp('http://localhost:5173/#/data')).toBe(true);
    expect(isApp('http://localhost:5174/')).toBe(false);
    expect(appUrlMatcher(APP_URL)('http://localhost:5173/')).toBe(false);
  });
});

describe('isSafeExternalUrl', () => {
  it('lets plain http and https links out', () => {
    expect(isSafeExternalUrl('https://docs.example.com/guide?x=1#part')).toBe(true);
    expect(isSafeExternalUrl('http://example.com/')).toBe(true);
  });

  it('refuses every other scheme, credentials, and what is not a URL', () => {
    for (const url of [
      'javascript:alert(1)',
      'JavaScript:alert(1)',
      'file:///etc/passwd',
      'data:text/html,<script>alert(1)</script>',
      'https://user:pass@example.com/',
      'https://user@example.com/',
      'http://:secret@example.com/',
      'ftp://example.com/',
      'smb://server/share',
      'vbscript:msgbox(1)',
      'mailto:someone@example.com',
      '//example.com/',
      'not a url',
      '',
    ]) {
      expect(isSafeExternalUrl(url), url).toBe(false);
    }
  });
});

describe('bindShowInFolder', () => {
  const dir = mkdtempSync(join(tmpdir(), 'guidepost-show-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const exportsRoot = join(dir, 'exports');
  mkdirSync(join(exportsRoot, 'taskly'), { recursive: true });
  const exported = join(exportsRoot, 'taskly', 'taskly-csv.zip');
  writeFileSync(exported, 'zip');
  const outside = join(dir, 'guidepost.db');
  writeFileSync(outside, 'db');
  // A link inside the folder that leads out of it.
  symlinkSync(outside, join(exportsRoot, 'taskly', 'escape.csv'));

  function bound() {
    const ipc = new FakeIpcMain();
    const shown: string[] = [];
    const unbind = bindShowInFolder(ipc, { windowIds: () => [7], isAppUrl: appUrlMatcher(APP_URL) }, exportsRoot, (p) => shown.push(p));
    return { ipc, shown, unbind };
  }

  it('shows an exported file in its folder', async () => {
    const { ipc, shown } = bound();
    expect(await ipc.invoke(ipcChannels.showInFolder, trusted, exported)).toEqual({ ok: true, value: null });
    expect(shown).toEqual([exported]);
  });

  it('refuses anything but a regular file inside the exports folder, and callers that are not our window', async () => {
    const { ipc, shown, unbind } = bound();
    for (const arg of [outside, join(exportsRoot, 'taskly', '..', '..', 'guidepost.db'), join(exportsRoot, 'taskly', 'escape.csv'), join(exportsRoot, 'taskly'), 'taskly/taskly-csv.zip', join(exportsRoot, 'missing.csv'), 42, null]) {
      expectRefused(await ipc.invoke(ipcChannels.showInFolder, trusted, arg), 'invalid_argument');
    }
    expectRefused(await ipc.invoke(ipcChannels.showInFolder, { sender: { id: 8 }, senderFrame: { url: APP_URL } }, exported), 'forbidden');
    expectRefused(await ipc.invoke(ipcChannels.showInFolder, { sender: { id: 7 }, senderFrame: { url: 'https://evil.example/' } }, exported), 'forbidden');
    expect(shown).toEqual([]);
    unbind();
    expect(ipc.handlers.size).toBe(0);
  });
});
