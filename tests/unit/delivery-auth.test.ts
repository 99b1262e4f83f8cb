import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { kindsVersion } from '../../src/delivery/handlers/public';
import { ROUTES } from '../../src/delivery/server';
import { ADMIN_TOKEN, messageBody, ORIGIN, PUBLIC_KEY, useDeliveryServer, type Running } from './delivery-helpers';
import { useTempDir } from './helpers';

const start = useDeliveryServer();
const tempDir = useTempDir();

/** A request that gets past validation on each route, so only the credential decides. */
function sample(route: (typeof ROUTES)[number]): { path: string; body?: unknown } {
  const path = route.path.replace('{id}', 'welcome').replace('{userId}', 'u1');
  switch (route.name) {
    case 'publish':
      return { path, body: messageBody({ version: 99 }) };
    case 'identify':
      return { path, body: { userId: 'u1', traits: { plan: 'pro' } } };
    case 'group':
      return { path, body: { userId: 'u1', groupId: 'acme', traits: { plan: 'enterprise' } } };
    case 'track':
      return { path, body: { batch: [{ type: 'track', event: 'x', userId: 'u1', timestamp: '2026-06-01T09:00:00Z' }] } };
    case 'decide':
      return { path, body: { userId: 'u1' } };
    default:
      return { path };
  }
}

async function withMessage(): Promise<Running> {
  const r = await start();
  await r.publish('welcome');
  return r;
}

const adminRoutes = ROUTES.filter((route) => route.access === 'admin');
const clientRoutes = ROUTES.filter((route) => route.access === 'client');

describe('credentials', () => {
  it('every admin endpoint refuses a missing token, a wrong one, and the public key in any header', async () => {
    const r = await withMessage();
    for (const route of adminRoutes) {
      const { path, body } = sample(route);
      const label = `${route.method} ${route.path}`;
      const attempts: Record<string, string>[] = [
        {},
        { Authorization: `Bearer ${PUBLIC_KEY}` },
        { 'X-Guidepost-Key': PUBLIC_KEY },
        { Authorization: `Bearer ${ADMIN_TOKEN}x` },
        { Authorization: `Bearer ${ADMIN_TOKEN.slice(0, -1)}` },
        { Authorization: ADMIN_TOKEN },
        { Authorization: `Basic ${ADMIN_TOKEN}` },
        { 'X-Guidepost-Key': ADMIN_TOKEN },
      ];
      for (const headers of attempts) {
        const reply = await r.raw(route.method, path, { body, headers });
        expect(reply.status, `${label} with ${JSON.stringify(headers)}`).toBe(401);
        expect(reply.json.code).toBe('unauthorized');
        expect(reply.headers['www-authenticate']).toBe('Bearer');
      }
    }
    // Nothing changed: the message is still there, running, at version 1.
    const after = await r.admin('GET', '/v1/messages/welcome');
    expect(after.json.message).toMatchObject({ version: 1, state: 'running' });
  });

  it('every admin endpoint accepts the admin token', async () => {
    const r = await withMessage();
    // A user to erase (an id the server never held is a 404).
    await r.identify('u1', { plan: 'pro' });
    // Delete last: the others need the message.
    const ordered = [...adminRoutes.filter((x) => x.name !== 'deleteMessage'), ...adminRoutes.filter((x) => x.name === 'deleteMessage')];
    for (const route of ordered) {
      const { path, body } = sample(route);
      const reply = await r.admin(route.method, path, body);
      expect(reply.status, `${route.method} ${route.path}: ${reply.text}`).toBeLessThan(300);
    }
  });

  it('every client endpoint refuses a missing key, a wrong one, and the admin token in any header', async () => {
    const r = await withMessage();
    for (const route of clientRoutes) {
      const { path, body } = sample(route);
      const attempts: Record<string, string>[] = [
        {},
        { 'X-Guidepost-Key': ADMIN_TOKEN },
        { Authorization: `Bearer ${ADMIN_TOKEN}` },
        { Authorization: `Bearer ${PUBLIC_KEY}` },
        { 'X-Guidepost-Key': `${PUBLIC_KEY}0` },
        { 'X-Guidepost-Key': '' },
      ];
      for (const headers of attempts) {
        const reply = await r.raw(route.method, path, { body, headers });
        expect(reply.status, `${route.method} ${route.path} with ${JSON.stringify(headers)}`).toBe(401);
        expect(reply.json.code).toBe('unauthorized');
      }
    }
    // Nothing was recorded.
    const events = await r.admin('GET', '/v1/events');
    expect(events.json.events).toEqual([]);
  });

  it('every client endpoint accepts the public key', async () => {
    const r = await withMessage();
    for (const route of clientRoutes) {
      const { path, body } = sample(route);
      const reply = await r.client(route.method, path, body);
      expect(reply.status, `${route.method} ${route.path}: ${reply.text}`).toBe(200);
    }
  });

  it('public endpoints need no credential', async () => {
    const r = await start();
    expect((await r.raw('GET', '/v1/health')).json).toMatchObject({ ok: true });
    const head = await r.raw('HEAD', '/v1/health');
    expect([head.status, head.text]).toEqual([200, '']);
    expect((await r.admin('HEAD', '/v1/events')).status).toBe(405);
    expect((await r.raw('GET', '/v1/openapi.json')).json.openapi).toBe('3.1.0');
    const sdk = await r.raw('GET', '/sdk/guidepost.js');
    expect(sdk.status).toBe(404);
    expect(sdk.json.error).toMatch(/SDK is not built/);
  });

  it('serves the built SDK as JavaScript when it is there', async () => {
    const dir = tempDir();
    const file = join(dir, 'guidepost.js');
    writeFileSync(file, 'window.guidepost = {};\n');
    const r = await start({ sdkFile: file });
    const sdk = await r.raw('GET', '/sdk/guidepost.js');
    expect(sdk.status).toBe(200);
    expect(sdk.text).toBe('window.guidepost = {};\n');
    expect(sdk.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(sdk.headers['x-content-type-options']).toBe('nosniff');
    expect(sdk.headers['cross-origin-resource-policy']).toBe('cross-origin');
    expect((await r.raw('POST', '/sdk/guidepost.js')).status).toBe(405);
  });

  it('serves the kinds chunk at its content version cached for a year, another build\'s version for 5 minutes; the built core names its version', async () => {
    const dir = tempDir();
    const file = join(dir, 'guidepost.js');
    writeFileSync(file, 'window.guidepost = {};\n');
    const r = await start({ sdkFile: file });
    expect((await r.raw('GET', '/sdk/0123456789abcdef/guidepost-kinds.js')).json.error).toMatch(/kinds chunk is not built/);
    const chunk = 'var guidepostKinds = {};\n';
    writeFileSync(join(dir, 'guidepost-kinds.js'), chunk);
    // The version is the chunk's SHA-256, first 16 hex digits, computed here independently of the server.
    const version = createHash('sha256').update(chunk).digest('hex').slice(0, 16);
    expect(kindsVersion(Buffer.from(chunk))).toBe(version);
    const served = await r.raw('GET', `/sdk/${version}/guidepost-kinds.js`);
    expect([served.status, served.text]).toEqual([200, chunk]);
    expect(served.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(served.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(served.headers['cross-origin-resource-policy']).toBe('cross-origin');
    // Another build's version (a core cached from before an upgrade): the current chunk, for 5 minutes only,
    // naming its own version; the chunk itself refuses a core of another contract (sdk-kinds.test.ts).
    const stale = await r.raw('GET', '/sdk/0123456789abcdef/guidepost-kinds.js');
    expect([stale.status, stale.text]).toEqual([200, chunk]);
    expect(stale.headers['cache-control']).toBe('public, max-age=300');
    expect(stale.headers['x-guidepost-kinds-version']).toBe(version);
    expect(stale.headers['cross-origin-resource-policy']).toBe('cross-origin');
    // Not a version at all: 404, naming the server's.
    const malformed = await r.raw('GET', '/sdk/latest/guidepost-kinds.js');
    expect(malformed.status).toBe(404);
    expect(malformed.json.error).toContain(`version ${version}, not latest: a version is 16 hex digits`);
    // The SDK as built here (npm run build:sdk) asks for its own chunk's version.
    const built = 'out/sdk/guidepost.js';
    if (existsSync(built) && existsSync('out/sdk/guidepost-kinds.js')) {
      expect(readFileSync(built, 'utf8')).toContain(`/sdk/${kindsVersion(readFileSync('out/sdk/guidepost-kinds.js'))}/guidepost-kinds.js`);
    }
  });

  it('the server refuses to start with weak or shared credentials', async () => {
    await expect(start({ adminToken: 'short' })).rejects.toThrow(/at least 16/);
    await expect(start({ publicKey: 'pk' })).rejects.toThrow(/at least 8/);
    await expect(start({ publicKey: ADMIN_TOKEN })).rejects.toThrow(/must differ/);
    await expect(start({ allowedOrigins: ['not an origin'] })).rejects.toThrow(/not an origin/);
  });
});

describe('CORS on the client endpoints', () => {
  it('answers a preflight from an allowed origin, and echoes the origin on the answer', async () => {
    const r = await withMessage();
    for (const route of clientRoutes) {
      const preflight = await r.raw('OPTIONS', route.path, {
        headers: { Origin: ORIGIN, 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'content-type, x-guidepost-key' },
      });
      expect(preflight.status).toBe(204);
      expect(preflight.headers['access-control-allow-origin']).toBe(ORIGIN);
      expect(preflight.headers['access-control-allow-methods']).toContain('POST');
      expect(preflight.headers['access-control-allow-headers']?.toLowerCase()).toContain('x-guidepost-key');
      expect(preflight.headers.vary).toBe('Origin');

      const { body } = sample(route);
      const reply = await r.client('POST', route.path, body, { Origin: ORIGIN });
      expect(reply.status).toBe(200);
      expect(reply.headers['access-control-allow-origin']).toBe(ORIGIN);
    }
  });

  it('never echoes another origin, and refuses calls that come from one', async () => {
    const r = await withMessage();
    for (const origin of ['https://evil.example', 'null', 'https://app.example.com.evil.example', 'http://app.example.com']) {
      const preflight = await r.raw('OPTIONS', '/v1/decide', { headers: { Origin: origin, 'Access-Control-Request-Method': 'POST' } });
      expect(preflight.status, origin).toBe(403);
      expect(preflight.headers['access-control-allow-origin']).toBeUndefined();
      const reply = await r.client('POST', '/v1/track', sample(clientRoutes.find((x) => x.name === 'track')!).body, { Origin: origin });
      expect(reply.status, origin).toBe(403);
      expect(reply.headers['access-control-allow-origin']).toBeUndefined();
    }
    expect((await r.admin('GET', '/v1/events')).json.events).toEqual([]);
  });

  it('admin endpoints never answer cross-origin, even for an allowed origin', async () => {
    const r = await withMessage();
    const preflight = await r.raw('OPTIONS', '/v1/messages/welcome', { headers: { Origin: ORIGIN, 'Access-Control-Request-Method': 'PUT' } });
    expect(preflight.status).toBe(405);
    expect(preflight.headers['access-control-allow-origin']).toBeUndefined();
    const list = await r.admin('GET', '/v1/messages', undefined, { Origin: ORIGIN });
    expect(list.headers['access-control-allow-origin']).toBeUndefined();
  });
});

describe('routing', () => {
  it('answers 404 for unknown paths and 405 with Allow for a wrong method', async () => {
    const r = await start();
    const missing = await r.admin('GET', '/v1/nothing');
    expect(missing.status).toBe(404);
    expect(missing.json.code).toBe('not_found');
    const wrong = await r.admin('PATCH', '/v1/messages/welcome');
    expect(wrong.status).toBe(405);
    expect(wrong.headers.allow).toBe('GET, PUT, DELETE');
    const decideGet = await r.client('GET', '/v1/decide');
    expect(decideGet.status).toBe(405);
  });

  it('every answer is JSON that cannot be read as markup', async () => {
    const r = await start();
    await r.publish('xss', { content: { title: '<script>alert(1)</script>', html: '<img src=x onerror=alert(1)>' } });
    const reply = await r.admin('GET', '/v1/messages/xss');
    expect(reply.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(reply.headers['x-content-type-options']).toBe('nosniff');
    expect(reply.headers['content-security-policy']).toContain("default-src 'none'");
    expect(reply.text).not.toContain('<');
    // The content comes back exactly as authored, as data.
    expect(reply.json.message.content.title).toBe('<script>alert(1)</script>');
    const errorReply = await r.admin('GET', '/v1/<b>x</b>');
    expect(errorReply.text).not.toContain('<');
  });
});
