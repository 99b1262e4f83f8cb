import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test as base, type Page } from '@playwright/test';
import { copyDemoDatabase } from './demo-db';

export interface BrowserModeServer {
  /** The URL to open, token included. */
  url: string;
  dbPath: string;
  dir: string;
}

/**
 * Runs `node <args>` and resolves once its output (stdout or stderr) matches `ready`; `stop` ends it with
 * SIGTERM and waits for it. Fails with everything it printed if it exits or stays silent for a minute.
 */
export async function spawnUntilReady(args: string[], ready: RegExp, what: string): Promise<{ match: RegExpExecArray; stop: () => Promise<void> }> {
  const child: ChildProcess = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const match = await new Promise<RegExpExecArray>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what} did not start:\n${output}`)), 60_000);
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      const found = ready.exec(output);
      if (found) {
        clearTimeout(timer);
        resolve(found);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => reject(new Error(`${what} exited with ${code}:\n${output}`)));
  });
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  };
  return { match, stop };
}

/**
 * Starts `node out/main/web.js` on a free port with a database in its own temporary folder: fresh, or
 * with `demo`, a copy of the run's demo database. `open`: a .guidepost bundle or guidepost:// link it
 * is launched with, as the OS launches the app.
 */
export async function startBrowserMode(open?: string, options: { demo?: boolean } = {}): Promise<{ server: BrowserModeServer; stop: () => Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'guidepost-e2e-'));
  const dbPath = join(dir, 'cache.db');
  if (options.demo) copyDemoDatabase(dbPath);
  const args = ['out/main/web.js', '--port', '0', '--db', dbPath, ...(open ? [open] : [])];
  const web = await spawnUntilReady(args, /open:\s+(\S+)/, 'browser mode');
  const stop = async (): Promise<void> => {
    await web.stop();
    rmSync(dir, { recursive: true, force: true });
  };
  return { server: { url: web.match[1] as string, dbPath, dir }, stop };
}

/**
 * The delivery server from source (`guidepost delivery`) on loopback, its database under `dir`; `port` 0
 * picks a free one. Answers its URL without the trailing slash.
 */
export async function startDeliveryServer(options: {
  dir: string;
  adminToken: string;
  publicKey: string;
  port?: number;
  allowedOrigin?: string;
  /** Identity secrets (verified identity), each passed as --identity-secret-file in `dir`, mode 600. */
  identitySecrets?: string[];
}): Promise<{ url: string; stop: () => Promise<void> }> {
  const args = ['--import', './scripts/register-ts.mjs', 'src/main/cli/index.ts', 'delivery', '--port', String(options.port ?? 0)];
  args.push('--db', join(options.dir, 'delivery.db'), '--admin-token', options.adminToken, '--public-key', options.publicKey, '--json');
  if (options.allowedOrigin) args.push('--allowed-origin', options.allowedOrigin);
  (options.identitySecrets ?? []).forEach((secret, i) => {
    const file = join(options.dir, `identity-secret-${i}`);
    writeFileSync(file, secret, { mode: 0o600 });
    args.push('--identity-secret-file', file);
  });
  const delivery = await spawnUntilReady(args, /\{"url":"([^"]+)"/, 'the delivery server');
  return { url: (delivery.match[1] as string).replace(/\/$/, ''), stop: delivery.stop };
}

/**
 * A customer's host page and the delivery server it talks to, both on loopback: the page server answers `/`
 * with `hostPage(deliveryUrl, query)` (the delivery server's URL, and the request's query), and the delivery
 * server allows the page's origin. `stop` ends both and removes the server's folder.
 */
export async function startHostedDelivery(options: {
  folderPrefix: string;
  adminToken: string;
  publicKey: string;
  port?: number;
  hostPage: (deliveryUrl: string, query: URLSearchParams) => string;
}): Promise<{ url: string; host: string; stop: () => Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), options.folderPrefix));
  let url = '';
  const page: Server = createServer((req, res) => {
    const q = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (q.pathname !== '/') return void res.writeHead(404).end();
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
    res.end(options.hostPage(url, q.searchParams));
  });
  await new Promise<void>((resolve) => page.listen(0, '127.0.0.1', resolve));
  const host = `http://127.0.0.1:${(page.address() as AddressInfo).port}`;
  const server = await startDeliveryServer({ dir, port: options.port, adminToken: options.adminToken, publicKey: options.publicKey, allowedOrigin: host });
  url = server.url;
  const stop = async (): Promise<void> => {
    await server.stop();
    await new Promise<void>((resolve) => page.close(() => resolve()));
    rmSync(dir, { recursive: true, force: true });
  };
  return { url, host, stop };
}

/** A delivery admin call with the admin token: its status and JSON answer. */
export async function deliveryAdmin(
  deliveryUrl: string,
  adminToken: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; json: Record<string, unknown> }> {
  const response = await fetch(deliveryUrl + path, {
    method,
    headers: { Authorization: `Bearer ${adminToken}`, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

/** Calls the backend through the bridge, as the page does (the token is in the URL's fragment). */
export async function callBridge<T>(server: BrowserModeServer, method: string, arg: unknown): Promise<T> {
  const url = new URL(server.url);
  const token = new URLSearchParams(url.hash.slice(1)).get('token') ?? '';
  const response = await fetch(new URL(`/api/call/${method}`, url.origin), {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(arg),
  });
  const envelope = (await response.json()) as { ok: true; value: T } | { ok: false; error: { message: string } };
  if (!envelope.ok) throw new Error(`${method}: ${envelope.error.message}`);
  return envelope.value;
}

/**
 * What `guidepost segment count --json` prints for a rule, over the same SQLite file the server has open
 * (a sampled cache's adds `ci95`, `sampled` and `totalCi95`: name them in T).
 */
export function cliCount<T extends { count: number; total: number } = { count: number; total: number }>(server: BrowserModeServer, rule: unknown): T {
  const file = join(server.dir, 'rule.json');
  writeFileSync(file, JSON.stringify(rule));
  const out = execFileSync(
    process.execPath,
    ['--import', './scripts/register-ts.mjs', 'src/main/cli/index.ts', 'segment', 'count', '--db', server.dbPath, '--rule', file, '--json'],
    { encoding: 'utf8' },
  );
  return JSON.parse(out) as T;
}

/** Opens the app of a `demo` server and waits for the Data area, where a cache with data lands. */
export async function openDemo(page: Page, server: BrowserModeServer): Promise<void> {
  await page.goto(server.url);
  await expect(page.getByRole('heading', { name: 'Data', exact: true })).toBeVisible();
}

export const test = base.extend<{ server: BrowserModeServer; demo: BrowserModeServer }>({
  server: async ({}, use) => {
    const { server, stop } = await startBrowserMode();
    await use(server);
    await stop();
  },
  /** Browser mode over a copy of the run's demo database (generated once, in global-setup.ts). */
  demo: async ({}, use) => {
    const { server, stop } = await startBrowserMode(undefined, { demo: true });
    await use(server);
    await stop();
  },
});

export { expect };
