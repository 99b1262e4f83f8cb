import { mkdirSync, writeFileSync } from 'node:fs';
import { request, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createBackend } from '../../src/main/api';
import { isAllowedHost, isAllowedOrigin, tokenMatches } from '../../src/main/bridge/guards';
import { startBridge, type RunningBridge } from '../../src/main/bridge/server';
import type { PushedEvent } from '../../src/shared/contract';
import { RENDERER_CSP } from '../../src/shared/csp';
import { dispatch } from '../../src/shared/dispatch';
import { useTempCache } from './helpers';

const tempCache = useTempCache();

const INDEX_HTML = '<!doctype html><title>Guidepost test index</title>';
const SECRET = 'this-file-is-outside-the-static-folder';

let bridge: RunningBridge;
let dir: string;

beforeEach(async () => {
  const cache = tempCache();
  dir = cache.dir;
  const listeners = new Set<(event: PushedEvent) => void>();
  const { handlers } = createBackend({
    db: cache.db,
    path: cache.path,
    emit: (name, payload) => {
      for (const listener of listeners) listener({ name, payload } as PushedEvent);
    },
  });
  const staticDir = join(dir, 'static');
  mkdirSync(join(staticDir, 'assets'), { recursive: true });
  writeFileSync(join(staticDir, 'index.html'), INDEX_HTML);
  writeFileSync(join(staticDir, 'assets', 'app.js'), 'console.log(1);');
  // Files beside the static folder that must never be served: a parent file and a sibling folder
  // whose name starts with the static folder's name.
  writeFileSync(join(dir, 'secret.txt'), SECRET);
  mkdirSync(join(dir, 'static-other'));
  writeFileSync(join(dir, 'static-other', 'secret.txt'), SECRET);
  bridge = await startBridge({
    port: 0,
    staticDir,
    call: (method, arg) => dispatch(handlers, method, arg),
    onEvent: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  });
});

afterEach(async () => {
  await bridge.close();
});

interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/** A request through node:http, which (unlike fetch) lets a test set Host and send a raw path. */
function raw(path: string, options: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port: bridge.port, path, method: options.method ?? 'GET', headers: options.headers ?? {} },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

const auth = (): Record<string, string> => ({ Authorization: `Bearer ${bridge.token}` });

function callApi(method: string, body: unknown, headers: Record<string, string> = auth()): Promise<Response> {
  return fetch(`${bridge.url}api/call/${method}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
}

describe('the bridge guards', () => {
  it('isAllowedHost accepts only 127.0.0.1 and localhost on the bridge port', () => {
    expect(isAllowedHost('127.0.0.1:4321', 4321)).toBe(true);
    expect(isAllowedHost('localhost:4321', 4321)).toBe(true);
    expect(isAllowedHost(undefined, 4321)).toBe(false);
    expect(isAllowedHost('', 4321)).toBe(false);
    expect(isAllowedHost('127.0.0.1', 4321)).toBe(false);
    expect(isAllowedHost('127.0.0.1:4322', 4321)).toBe(false);
    expect(isAllowedHost('evil.example:4321', 4321)).toBe(false);
    expect(isAllowedHost('192.168.1.5:4321', 4321)).toBe(false);
    expect(isAllowedHost('localhost:4321.evil.example', 4321)).toBe(false);
    expect(isAllowedHost('127.0.0.1:43210', 4321)).toBe(false);
    expect(isAllowedHost('[::1]:4321', 4321)).toBe(false);
  });

  it('isAllowedOrigin accepts no Origin or our own http origin only', () => {
    expect(isAllowedOrigin(undefined, 4321)).toBe(true);
    expect(isAllowedOrigin('http://127.0.0.1:4321', 4321)).toBe(true);
    expect(isAllowedOrigin('http://localhost:4321', 4321)).toBe(true);
    expect(isAllowedOrigin('http://evil.example', 4321)).toBe(false);
    expect(isAllowedOrigin('null', 4321)).toBe(false);
    expect(isAllowedOrigin('', 4321)).toBe(false);
    expect(isAllowedOrigin('https://127.0.0.1:4321', 4321)).toBe(false);
    expect(isAllowedOrigin('http://127.0.0.1:4322', 4321)).toBe(false);
    expect(isAllowedOrigin('http://127.0.0.1:4321.evil.example', 4321)).toBe(false);
  });

  it('tokenMatches wants exactly "Bearer <token>"', () => {
    expect(tokenMatches('Bearer s3cret-token', 's3cret-token')).toBe(true);
    expect(tokenMatches(undefined, 's3cret-token')).toBe(false);
    expect(tokenMatches('s3cret-token', 's3cret-token')).toBe(false);
    expect(tokenMatches('bearer s3cret-token', 's3cret-token')).toBe(false);
    expect(tokenMatches('Bearer s3cret-toke', 's3cret-token')).toBe(false);
    expect(tokenMatches('Bearer s3cret-token2', 's3cret-token')).toBe(false);
    expect(tokenMatches('Bearer s3cret-tokeN', 's3cret-token')).toBe(false);
    expect(tokenMatches('Bearer ', 's3cret-token')).toBe(false);
    expect(tokenMatches('Basic s3cret-token', 's3cret-token')).toBe(false);
  });
});

describe('the running bridge', () => {
  it('listens on 127.0.0.1 with a random token that the open URL carries in its fragment', () => {
    expect(bridge.url).toBe(`http://127.0.0.1:${bridge.port}/`);
    expect(bridge.port).toBeGreaterThan(0);
    expect(bridge.token.length).toBeGreaterThanOrEqual(20);
    expect(bridge.openUrl).toBe(`${bridge.url}#token=${bridge.token}`);
  });

  it('refuses an API call without Authorization with 401', async () => {
    const res = await callApi('getStatus', {}, {});
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ ok: false, error: { code: 'forbidden' } });
  });

  it('refuses an API call with a wrong token with 401', async () => {
    const res = await callApi('getStatus', {}, { Authorization: `Bearer ${bridge.token}x` });
    expect(res.status).toBe(401);
    const other = await callApi('getStatus', {}, { Authorization: 'Bearer not-the-token' });
    expect(other.status).toBe(401);
  });

  it('answers an API call with the right token with 200 and the envelope', async () => {
    const res = await callApi('getStatus', {});
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    const body = (await res.json()) as { ok: boolean; value: { users: number; hasDemo: boolean } };
    expect(body).toMatchObject({ ok: true, value: { users: 0, events: 0, hasDemo: false } });
  });

  it('accepts an empty body as no argument', async () => {
    const res = await raw('/api/call/getStatus', { method: 'POST', headers: { ...auth(), 'Content-Type': 'application/json' } });
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toMatchObject({ ok: true });
  });

  it('refuses a request from another Origin with 403, token or not', async () => {
    const res = await raw('/api/call/getStatus', {
      method: 'POST',
      headers: { ...auth(), 'Content-Type': 'application/json', Origin: 'http://evil.example' },
      body: '{}',
    });
    expect(res.status).toBe(403);
    expect(JSON.parse(res.body)).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    const nullOrigin = await raw('/', { headers: { Origin: 'null' } });
    expect(nullOrigin.status).toBe(403);
  });

  it('accepts our own Origin', async () => {
    const res = await raw('/api/call/getStatus', {
      method: 'POST',
      headers: { ...auth(), 'Content-Type': 'application/json', Origin: `http://localhost:${bridge.port}` },
      body: '{}',
    });
    expect(res.status).toBe(200);
  });

  it('refuses a request addressed to another Host with 403 even with the token (DNS rebinding)', async () => {
    for (const host of [`evil.example:${bridge.port}`, `192.168.1.5:${bridge.port}`, '127.0.0.1', `127.0.0.1:${bridge.port + 1}`]) {
      const res = await raw('/api/call/getStatus', {
        method: 'POST',
        headers: { ...auth(), 'Content-Type': 'application/json', Host: host },
        body: '{}',
      });
      expect(res.status, host).toBe(403);
      expect(JSON.parse(res.body), host).toMatchObject({ ok: false, error: { code: 'forbidden' } });
      const page = await raw('/', { headers: { Host: host } });
      expect(page.status, host).toBe(403);
      expect(page.body).not.toContain(INDEX_HTML);
    }
    const local = await raw('/api/call/getStatus', {
      method: 'POST',
      headers: { ...auth(), 'Content-Type': 'application/json', Host: `localhost:${bridge.port}` },
      body: '{}',
    });
    expect(local.status).toBe(200);
  });

  it('answers a body that is not JSON with 400 and the reason', async () => {
    const res = await raw('/api/call/setDataAsOf', {
      method: 'POST',
      headers: { ...auth(), 'Content-Type': 'application/json' },
      body: '{asOf: tomorrow',
    });
    expect(res.status).toBe(400);
    const body = JSON.parse(res.body) as { ok: boolean; error: { code: string; message: string } };
    expect(body.ok).toBe(false);
    expect(body.error.code).toBe('invalid_argument');
    expect(body.error.message).toMatch(/not valid JSON/);
  });

  it('answers a body sent as another content type with 415', async () => {
    const res = await raw('/api/call/getStatus', { method: 'POST', headers: { ...auth(), 'Content-Type': 'text/plain' }, body: '{}' });
    expect(res.status).toBe(415);
    expect(JSON.parse(res.body)).toMatchObject({ ok: false, error: { code: 'invalid_argument' } });
  });

  it('answers a bad argument with 400 invalid_argument naming the field', async () => {
    const res = await callApi('getDailyVolume', { days: -3 });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { ok: boolean; error: { code: string; message: string } };
    expect(body).toMatchObject({ ok: false, error: { code: 'invalid_argument' } });
    expect(body.error.message).toMatch(/days/);
    const extra = await callApi('getStatus', { admin: true });
    expect(extra.status).toBe(400);
    expect(((await extra.json()) as { error: { message: string } }).error.message).toMatch(/admin/);
  });

  it('answers an unknown method or endpoint with an error and never a value', async () => {
    const unknown = await callApi('dropEverything', {});
    expect([400, 404]).toContain(unknown.status);
    expect(await unknown.json()).toMatchObject({ ok: false, error: { code: 'unknown_method' } });

    const inherited = await callApi('constructor', {});
    expect([400, 404]).toContain(inherited.status);
    expect(await inherited.json()).toMatchObject({ ok: false });

    const badPath = await callApi('get-status', {});
    expect(badPath.status).toBe(404);
    expect(await badPath.json()).toMatchObject({ ok: false });

    const wrongVerb = await fetch(`${bridge.url}api/call/getStatus`, { headers: auth() });
    expect(wrongVerb.status).toBe(404);
    expect(await wrongVerb.json()).toMatchObject({ ok: false });
  });

  it('serves index.html at / with the renderer CSP, and other static files, without a token', async () => {
    const res = await fetch(bridge.url);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    const csp = res.headers.get('content-security-policy');
    expect(csp).toContain("script-src 'self'");
    expect(csp).toBe(RENDERER_CSP);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await res.text()).toBe(INDEX_HTML);

    const js = await fetch(`${bridge.url}assets/app.js`);
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect(await js.text()).toBe('console.log(1);');

    const missing = await fetch(`${bridge.url}nope.html`);
    expect(missing.status).toBe(404);
    const folder = await fetch(`${bridge.url}assets`);
    expect(folder.status).toBe(404);
  });

  it('never serves a file outside the static folder, however the path is spelled', async () => {
    const attempts = [
      '/../../etc/passwd',
      '/../secret.txt',
      '/assets/../../secret.txt',
      '/..%2f..%2fetc%2fpasswd',
      '/..%2fsecret.txt',
      '/%2e%2e/secret.txt',
      '/%2e%2e%2fsecret.txt',
      '/assets/..%2f..%2fsecret.txt',
      '/..%5csecret.txt',
      '/..\\secret.txt',
      '/%2e%2e%2fstatic-other%2fsecret.txt',
      '/..%2fstatic-other%2fsecret.txt',
      '/%2fetc%2fpasswd',
      '//etc/passwd',
      `/${encodeURIComponent(join(dir, 'secret.txt'))}`,
      '/index.html%00.js',
      '/%E0%A4%A',
      '/%',
    ];
    for (const path of attempts) {
      const res = await raw(path);
      expect(res.status, path).not.toBe(200);
      expect(res.body, path).not.toContain(SECRET);
      expect(res.body, path).not.toMatch(/root:.*:0:0:/);
    }
  });

  it('streams pushed events to /api/events as NDJSON', async () => {
    const unauthorized = await raw('/api/events');
    expect(unauthorized.status).toBe(401);

    const asOf = Date.UTC(2026, 2, 1);
    const { res, lines } = await openEventStream();
    try {
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toMatch(/^application\/x-ndjson/);
      const call = await callApi('setDataAsOf', { asOf });
      expect(call.status).toBe(200);
      const event = await lines.next((line) => (JSON.parse(line) as PushedEvent).name === 'cacheChanged');
      expect(JSON.parse(event)).toMatchObject({ name: 'cacheChanged', payload: { dataAsOf: asOf, dataAsOfSource: 'manual' } });
    } finally {
      res.destroy();
    }
  });
});

/** Opens the event stream and returns once the bridge has registered it (its first byte arrived). */
function openEventStream(): Promise<{ res: IncomingMessage; lines: { next(match: (line: string) => boolean): Promise<string> } }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: bridge.port, path: '/api/events', headers: auth() }, (res) => {
      let buffer = '';
      const complete: string[] = [];
      let waiter: { match: (line: string) => boolean; resolve: (line: string) => void } | null = null;
      const deliver = (): void => {
        if (!waiter) return;
        const index = complete.findIndex(waiter.match);
        if (index >= 0) {
          const [line] = complete.splice(0, index + 1).slice(-1);
          const w = waiter;
          waiter = null;
          w.resolve(line as string);
        }
      };
      let started = false;
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buffer += chunk;
        const parts = buffer.split('\n');
        buffer = parts.pop() ?? '';
        complete.push(...parts.filter((line) => line.trim() !== ''));
        deliver();
        if (!started) {
          started = true;
          resolve({
            res,
            lines: {
              next: (match) =>
                new Promise<string>((resolveLine) => {
                  waiter = { match, resolve: resolveLine };
                  deliver();
                }),
            },
          });
        }
      });
      res.on('error', () => undefined);
    });
    req.on('error', reject);
    req.end();
  });
}
