/**
 * The delivery server's request pipeline, one step at a time and without a server: each step gets
 * request facts, config and time as plain values. The end-to-end behaviour is in delivery-auth and
 * delivery-robustness; these tests pin what each step decides on its own, and the runner's order.
 */
import type * as crypto from 'node:crypto';
import { timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { PassThrough } from 'node:stream';
import { describe, expect, it, vi } from 'vitest';
import type { Answer } from '../../src/delivery/pipeline/answer';
import { createCredentials, isAuthorized, refuseUnauthorized, sameSecret } from '../../src/delivery/pipeline/auth';
import { MAX_DRAIN_BYTES, parseBody, readBody, refuseDeclaredSize, takeBody } from '../../src/delivery/pipeline/body';
import { corsFor, normalizeOrigin, preflight, refuseForeignOrigin } from '../../src/delivery/pipeline/cors';
import { IDEMPOTENCY_TTL_MS, idempotencyKey, requestHash, runOnce, type IdempotencyStore } from '../../src/delivery/pipeline/idempotency';
import {
  BYTES_PER_REQUEST,
  clientAddress,
  clientNetwork,
  rateKey,
  RateLimiter,
  RECORDS_PER_REQUEST,
  recordsIn,
  refuseOverLimit,
  refuseOverVolume,
  volumeLimits,
} from '../../src/delivery/pipeline/rate-limit';
import { chooseRoute, compileRoutes, MAX_CLIENT_BODY, matchPath, ROUTES, splitTarget, type Route } from '../../src/delivery/pipeline/route';
import { createPipeline, type ChangeHandler, type Handlers, type PipelineConfig, type RequestFacts } from '../../src/delivery/pipeline/run';
import type { IdempotentAnswer } from '../../src/delivery/store';
import type { IdempotentSave, IdempotentSaveOutcome } from '../../src/delivery/engine/types';

// The real timingSafeEqual, observed: the secret comparison must go through it whatever the input.
vi.mock('node:crypto', async (importOriginal) => {
  const actual = await importOriginal<typeof crypto>();
  return { ...actual, timingSafeEqual: vi.fn(actual.timingSafeEqual) };
});

const ADMIN_TOKEN = 'admin-token-0123456789abcdef';
const PUBLIC_KEY = 'pk-public-0123456789';
const ORIGIN = 'https://app.example.com';
const ALLOWED = new Set([ORIGIN]);
const routes = compileRoutes(ROUTES);

function route(name: Route['name']): Route {
  return ROUTES.find((r) => r.name === name) as Route;
}

function errorOf(answer: Answer | undefined): { code: string; error: string } {
  return answer?.body as { code: string; error: string };
}

/** A request as the pipeline reads it: headers, an address, and a body stream that ends, breaks off, or is still arriving. */
function fakeRequest(
  method: string,
  url: string,
  options: { headers?: Record<string, string | string[]>; body?: string | Buffer | Buffer[]; ending?: 'end' | 'break off' | 'none' } = {},
): RequestFacts & { wasRead: () => boolean } {
  const stream = new PassThrough();
  const headers: IncomingHttpHeaders = Object.fromEntries(Object.entries(options.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
  const facts = Object.assign(stream, {
    method,
    url,
    headers,
    socket: { remoteAddress: '127.0.0.1' },
    complete: false,
    // Whoever reads the body listens for its data.
    wasRead: () => stream.listenerCount('data') > 0,
  });
  stream.once('end', () => (facts.complete = true));
  for (const chunk of Array.isArray(options.body) ? options.body : options.body === undefined ? [] : [options.body]) stream.write(chunk);
  const ending = options.ending ?? 'end';
  if (ending === 'end') stream.end();
  else if (ending === 'break off') setImmediate(() => stream.destroy());
  return facts;
}

describe('route', () => {
  it('splits the target at the first "?" and keeps the path as sent', () => {
    expect(splitTarget('/v1/events?after=3&limit=2')).toEqual({ pathname: '/v1/events', queryText: 'after=3&limit=2' });
    expect(splitTarget('/v1/../v1/events')).toEqual({ pathname: '/v1/../v1/events', queryText: '' });
  });

  it('an unknown path is a 404 naming it (cut at 200 characters); "." in a template is literal', () => {
    for (const path of ['/v1/nothing', '/v1/../v1/events', '/v1/openapiXjson', '/v1/messages/a/b', '/v1/health/']) {
      const result = matchPath(routes, path);
      expect(result.ok, path).toBe(false);
      if (!result.ok) expect(result.answer).toEqual({ status: 404, body: { code: 'not_found', error: `There is no endpoint ${path}.` } });
    }
    const long = matchPath(routes, `/${'x'.repeat(500)}`);
    expect(long.ok).toBe(false);
    if (!long.ok) expect(errorOf(long.answer).error).toHaveLength('There is no endpoint .'.length + 200);
  });

  it('a path names every route on it, whatever the method', () => {
    const result = matchPath(routes, '/v1/messages/welcome');
    expect(result.ok && result.matches.map((m) => m.route.spec.name)).toEqual(['getMessage', 'publish', 'deleteMessage']);
  });

  it('picks the route for the method and decodes its parameters', () => {
    const matched = matchPath(routes, '/v1/messages/a%3Ab');
    if (!matched.ok) throw new Error('no match');
    const chosen = chooseRoute(matched.matches, 'PUT', '/v1/messages/a%3Ab');
    expect(chosen.ok && [chosen.spec.name, chosen.params]).toEqual(['publish', { id: 'a:b' }]);
  });

  it('a wrong method is a 405 with Allow; HEAD works only on public GETs', () => {
    const matched = matchPath(routes, '/v1/messages/welcome');
    if (!matched.ok) throw new Error('no match');
    const wrong = chooseRoute(matched.matches, 'PATCH', '/v1/messages/welcome');
    expect(wrong).toEqual({
      ok: false,
      answer: {
        status: 405,
        body: { code: 'method_not_allowed', error: '/v1/messages/welcome answers GET, PUT, DELETE, not PATCH.' },
        headers: { Allow: 'GET, PUT, DELETE' },
      },
    });
    const health = matchPath(routes, '/v1/health');
    const events = matchPath(routes, '/v1/events');
    if (!health.ok || !events.ok) throw new Error('no match');
    expect(chooseRoute(health.matches, 'HEAD', '/v1/health').ok).toBe(true);
    const headEvents = chooseRoute(events.matches, 'HEAD', '/v1/events');
    expect(headEvents.ok ? 200 : headEvents.answer.status).toBe(405);
  });

  it('a parameter that is not valid percent-encoding is a 400', () => {
    const matched = matchPath(routes, '/v1/messages/m%ZZ');
    if (!matched.ok) throw new Error('no match');
    const chosen = chooseRoute(matched.matches, 'GET', '/v1/messages/m%ZZ');
    expect(chosen.ok ? 200 : [chosen.answer.status, errorOf(chosen.answer).error]).toEqual([400, 'The request path is not valid percent-encoding.']);
  });
});

describe('cors', () => {
  it('a client path lets an allowed origin read the answer, Retry-After included', () => {
    expect(corsFor(true, ORIGIN, ALLOWED)).toEqual({
      clientPath: true,
      originAllowed: true,
      headers: { 'Access-Control-Allow-Origin': ORIGIN, 'Access-Control-Expose-Headers': 'Retry-After', Vary: 'Origin' },
    });
  });

  it('never echoes a foreign origin, nor any origin on a path without client routes', () => {
    for (const origin of ['https://evil.example', 'null', 'http://app.example.com', 'https://app.example.com.evil.example']) {
      expect(corsFor(true, origin, ALLOWED).headers, origin).toEqual({ Vary: 'Origin' });
    }
    expect(corsFor(false, ORIGIN, ALLOWED)).toEqual({ clientPath: false, originAllowed: true, headers: {} });
    expect(corsFor(true, undefined, ALLOWED).originAllowed).toBe(false);
  });

  it('preflight: 204 with the methods and headers for an allowed origin, 403 for a foreign one, 405 off the client paths', () => {
    const allowed = preflight(corsFor(true, ORIGIN, ALLOWED));
    expect(allowed).toEqual({
      status: 204,
      headers: { 'Access-Control-Allow-Methods': 'POST, OPTIONS', 'Access-Control-Allow-Headers': 'Content-Type, X-Guidepost-Key, X-Guidepost-User-Hash', 'Access-Control-Max-Age': '600' },
    });
    const foreign = preflight(corsFor(true, 'https://evil.example', ALLOWED));
    expect([foreign.status, errorOf(foreign).code]).toEqual([403, 'forbidden']);
    expect(errorOf(foreign).error).toMatch(/--allowed-origin/);
    const admin = preflight(corsFor(false, ORIGIN, ALLOWED));
    expect([admin.status, errorOf(admin).code]).toEqual([405, 'method_not_allowed']);
  });

  it('refuses a client call from a foreign page, not one without an Origin, and never an admin call', () => {
    const foreign = corsFor(true, 'https://evil.example', ALLOWED);
    expect(refuseForeignOrigin('client', 'https://evil.example', foreign)?.status).toBe(403);
    expect(refuseForeignOrigin('client', undefined, corsFor(true, undefined, ALLOWED))).toBeUndefined();
    expect(refuseForeignOrigin('client', ORIGIN, corsFor(true, ORIGIN, ALLOWED))).toBeUndefined();
    expect(refuseForeignOrigin('admin', 'https://evil.example', corsFor(false, 'https://evil.example', ALLOWED))).toBeUndefined();
  });

  it('allowed origins are normalized the way browsers send them, and anything else is refused', () => {
    expect(normalizeOrigin('https://App.Example.com/')).toBe('https://app.example.com');
    expect(normalizeOrigin('http://localhost:5173')).toBe('http://localhost:5173');
    expect(() => normalizeOrigin('not an origin')).toThrow(/not an origin/);
    expect(() => normalizeOrigin('ftp://files.example.com')).toThrow(/not an http\(s\) origin/);
    expect(() => normalizeOrigin('file:///tmp/x')).toThrow(/not an http\(s\) origin/);
  });
});

describe('auth', () => {
  const credentials = createCredentials(ADMIN_TOKEN, PUBLIC_KEY);

  it('refuses weak or shared secrets', () => {
    expect(() => createCredentials('short', PUBLIC_KEY)).toThrow(/at least 16/);
    expect(() => createCredentials(ADMIN_TOKEN, 'pk')).toThrow(/at least 8/);
    expect(() => createCredentials(ADMIN_TOKEN, ADMIN_TOKEN)).toThrow(/must differ/);
  });

  it('admin routes take exactly "Bearer <admin token>"', () => {
    const admin = (headers: Record<string, string>): boolean => isAuthorized('admin', headers, credentials);
    expect(admin({ authorization: `Bearer ${ADMIN_TOKEN}` })).toBe(true);
    expect(admin({})).toBe(false);
    expect(admin({ authorization: 'Bearer ' })).toBe(false);
    expect(admin({ authorization: `Bearer ${ADMIN_TOKEN}x` })).toBe(false);
    expect(admin({ authorization: `Bearer ${ADMIN_TOKEN.slice(0, -1)}!` })).toBe(false);
    expect(admin({ authorization: ADMIN_TOKEN })).toBe(false);
    expect(admin({ authorization: `Basic ${ADMIN_TOKEN}` })).toBe(false);
    expect(admin({ authorization: `Bearer ${PUBLIC_KEY}` })).toBe(false);
    expect(admin({ 'x-guidepost-key': ADMIN_TOKEN })).toBe(false);
  });

  it('client routes take exactly the public key in X-Guidepost-Key', () => {
    const client = (headers: Record<string, string | string[]>): boolean => isAuthorized('client', headers, credentials);
    expect(client({ 'x-guidepost-key': PUBLIC_KEY })).toBe(true);
    expect(client({})).toBe(false);
    expect(client({ 'x-guidepost-key': '' })).toBe(false);
    expect(client({ 'x-guidepost-key': ADMIN_TOKEN })).toBe(false);
    expect(client({ 'x-guidepost-key': [PUBLIC_KEY, PUBLIC_KEY] })).toBe(false);
    expect(client({ authorization: `Bearer ${PUBLIC_KEY}` })).toBe(false);
    expect(isAuthorized('public', {}, credentials)).toBe(true);
  });

  it('compares in constant time, also when the length differs', () => {
    const spy = vi.mocked(timingSafeEqual);
    const secret = Buffer.from(ADMIN_TOKEN);
    for (const [given, expected] of [
      [ADMIN_TOKEN, true],
      [`${ADMIN_TOKEN.slice(0, -1)}X`, false],
      ['short', false],
      [`${ADMIN_TOKEN}-longer`, false],
    ] as const) {
      spy.mockClear();
      expect(sameSecret(given, secret), given).toBe(expected);
      expect(spy, given).toHaveBeenCalledTimes(1);
      // Always a full-length comparison: never a shorter buffer that would end early.
      expect((spy.mock.calls[0]?.[0] as Buffer).length).toBe(secret.length);
    }
    spy.mockClear();
    expect(sameSecret(undefined, secret)).toBe(false);
    expect(sameSecret('', secret)).toBe(false);
  });

  it('the 401 says which credential the route takes; only admin routes ask for a Bearer token', () => {
    const admin = refuseUnauthorized('admin', false);
    expect([admin?.status, errorOf(admin).code, admin?.headers]).toEqual([401, 'unauthorized', { 'WWW-Authenticate': 'Bearer' }]);
    expect(errorOf(admin).error).toMatch(/admin token/);
    const client = refuseUnauthorized('client', false);
    expect([client?.status, client?.headers]).toEqual([401, undefined]);
    expect(errorOf(client).error).toMatch(/X-Guidepost-Key/);
    expect(refuseUnauthorized('admin', true)).toBeUndefined();
  });
});

describe('rate limit', () => {
  it('a burst of perMinute requests, then 429 until the bucket refills evenly over the minute', () => {
    let now = 0;
    const limiter = new RateLimiter(6, () => now);
    for (let i = 0; i < 6; i++) expect(refuseOverLimit(limiter, 'client|a'), `request ${i}`).toBeUndefined();
    const limited = refuseOverLimit(limiter, 'client|a');
    expect([limited?.status, errorOf(limited).code, limited?.headers]).toEqual([429, 'rate_limited', { 'Retry-After': '10' }]);
    expect(errorOf(limited).error).toBe('Too many requests: try again in 10 s.');
    // Another key has its own bucket.
    expect(refuseOverLimit(limiter, 'client|b')).toBeUndefined();
    now += 9_999;
    expect(refuseOverLimit(limiter, 'client|a')?.headers).toEqual({ 'Retry-After': '1' });
    now += 1;
    expect(refuseOverLimit(limiter, 'client|a')).toBeUndefined();
    expect(refuseOverLimit(limiter, 'client|a')?.status).toBe(429);
    // A quiet minute fills it again, but never past the burst.
    now += 10 * 60_000;
    for (let i = 0; i < 6; i++) expect(refuseOverLimit(limiter, 'client|a')).toBeUndefined();
    expect(refuseOverLimit(limiter, 'client|a')?.status).toBe(429);
  });

  it('0 turns it off', () => {
    const limiter = new RateLimiter(0, () => 0);
    for (let i = 0; i < 100; i++) expect(refuseOverLimit(limiter, 'client|a')).toBeUndefined();
  });

  it('X-Forwarded-For counts only behind trusted proxies, and then only the entry the outermost one appended', () => {
    const headers = { 'x-forwarded-for': '203.0.113.9, 198.51.100.1 ' };
    expect(clientAddress(headers, '10.0.0.5', 0)).toBe('10.0.0.5');
    expect(clientAddress(headers, '10.0.0.5', 1)).toBe('198.51.100.1');
    expect(clientAddress({ 'x-forwarded-for': ['203.0.113.9', '198.51.100.2'] }, '10.0.0.5', 1)).toBe('198.51.100.2');
    expect(clientAddress({ 'x-forwarded-for': ' ' }, '10.0.0.5', 1)).toBe('10.0.0.5');
    expect(clientAddress({}, '10.0.0.5', 1)).toBe('10.0.0.5');
    expect(clientAddress({}, undefined, 0)).toBe('unknown');
    // Two proxies (a CDN, then a load balancer): the client is the second entry from the end; what it claimed before is ignored.
    const twoHops = { 'x-forwarded-for': 'forged-by-client, 203.0.113.9, 10.1.1.1' };
    expect(clientAddress(twoHops, '10.0.0.5', 2)).toBe('203.0.113.9');
    // With one trusted hop everyone behind the second proxy would share its bucket: hops must match the deployment.
    expect(clientAddress(twoHops, '10.0.0.5', 1)).toBe('10.1.1.1');
    expect(clientAddress({ 'x-forwarded-for': '203.0.113.9' }, '10.0.0.5', 3)).toBe('203.0.113.9');
  });

  it('counts an IPv6 client by its /64, so rotating addresses inside it buys no fresh bucket', () => {
    expect(clientNetwork('2001:db8:aa:bb:1:2:3:4')).toBe('2001:db8:aa:bb::/64');
    expect(clientNetwork('2001:db8:aa:bb::9')).toBe('2001:db8:aa:bb::/64');
    expect(clientNetwork('2001:0DB8:00aa:00bb:ffff::1%eth0')).toBe('2001:db8:aa:bb::/64');
    expect(clientNetwork('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(clientNetwork('::1')).toBe('0:0:0:0::/64');
    expect(clientNetwork('::ffff:203.0.113.9')).toBe('203.0.113.9');
    expect(clientNetwork('64:ff9b::203.0.113.9')).toBe('64:ff9b:0:0::/64');
    expect(clientNetwork('203.0.113.9')).toBe('203.0.113.9');
    expect(clientNetwork('unknown')).toBe('unknown');
    const limiter = new RateLimiter(2, () => 0);
    const key = (address: string): string => rateKey('client', true, address);
    expect(refuseOverLimit(limiter, key('2001:db8:aa:bb::1'))).toBeUndefined();
    expect(refuseOverLimit(limiter, key('2001:db8:aa:bb::2'))).toBeUndefined();
    expect(refuseOverLimit(limiter, key('2001:db8:aa:bb:ffff:1:2:3'))?.status).toBe(429);
    expect(refuseOverLimit(limiter, key('2001:db8:aa:bc::1'))).toBeUndefined();
  });

  it('counts the records and bytes a body carries, not only the request', () => {
    let now = 0;
    const limits = volumeLimits(10, () => now);
    expect(limits.records.perMinute).toBe(10 * RECORDS_PER_REQUEST);
    expect(recordsIn({ batch: new Array(200).fill({}) })).toBe(200);
    expect(recordsIn({ batch: [] })).toBe(1);
    expect(recordsIn({ userId: 'u1' })).toBe(1);
    expect(recordsIn(null)).toBe(1);
    expect(refuseOverVolume(limits, 'client|a', 200, 1000)).toBeUndefined();
    const refused = refuseOverVolume(limits, 'client|a', 200, 1000);
    expect([refused?.status, errorOf(refused).code]).toEqual([429, 'rate_limited']);
    expect(errorOf(refused).error).toMatch(/^Too many records \(200 in this request\): try again in \d+ s\.$/);
    // Another network is untouched; bytes run out on their own.
    expect(refuseOverVolume(limits, 'client|b', 1, 10 * BYTES_PER_REQUEST)).toBeUndefined();
    expect(errorOf(refuseOverVolume(limits, 'client|b', 1, 1000)).error).toMatch(/^Too much data \(1000 bytes in this request\)/);
    // A request larger than the whole burst passes only on a full bucket.
    now += 60_000;
    expect(refuseOverVolume(limits, 'client|c', 10_000, 10)).toBeUndefined();
    expect(refuseOverVolume(limits, 'client|c', 1, 10)?.status).toBe(429);
  });

  it('a failed credential draws from its address’s shared bucket, a valid one from its own', () => {
    expect(rateKey('admin', false, '10.0.0.5')).toBe(rateKey('client', false, '10.0.0.5'));
    expect(rateKey('admin', true, '10.0.0.5')).not.toBe(rateKey('client', true, '10.0.0.5'));
    expect(rateKey('admin', true, '10.0.0.5')).not.toBe(rateKey('admin', false, '10.0.0.5'));
    expect(rateKey('client', true, '10.0.0.5')).not.toBe(rateKey('client', true, '10.0.0.6'));
  });
});

describe('body', () => {
  const track = route('track');
  const deleteMessage = route('deleteMessage');

  it('reads a body within the cap', async () => {
    const read = await readBody(fakeRequest('POST', '/v1/track', { body: '{"batch":[]}' }), 100);
    expect(read.ok && read.data.toString()).toBe('{"batch":[]}');
  });

  it('a body past the cap is drained and reported; far past it, the connection is dropped', async () => {
    // Read to its end, so the client gets its 413.
    const over = fakeRequest('POST', '/v1/track', { body: [Buffer.alloc(60), Buffer.alloc(41), Buffer.alloc(MAX_DRAIN_BYTES - 1)] });
    expect(await readBody(over, 100)).toEqual({ ok: false });
    expect(over.complete).toBe(true);
    // Past the drain bound the request is destroyed: nobody is left to answer.
    const huge = fakeRequest('POST', '/v1/track', { body: [Buffer.alloc(101), Buffer.alloc(MAX_DRAIN_BYTES)], ending: 'none' });
    await expect(readBody(huge, 100)).rejects.toThrow(/went away/);
    expect(huge.complete).toBe(false);
  });

  it('a client that goes away mid-body rejects the read', async () => {
    await expect(readBody(fakeRequest('POST', '/v1/track', { body: '{"ba', ending: 'break off' }), 100)).rejects.toThrow(/went away/);
  });

  it('a Content-Length far past the cap is refused before reading, and closes the connection', () => {
    const refused = refuseDeclaredSize(String(1000 + MAX_DRAIN_BYTES + 1), 1000);
    expect([refused?.status, errorOf(refused).error, refused?.headers]).toEqual([413, 'The body is larger than 1000 bytes.', { Connection: 'close' }]);
    expect(refuseDeclaredSize(String(1000 + MAX_DRAIN_BYTES), 1000)).toBeUndefined();
    expect(refuseDeclaredSize(undefined, 1000)).toBeUndefined();
    expect(refuseDeclaredSize('lots', 1000)).toBeUndefined();
  });

  it('a JSON route refuses a body that is too large, empty or not JSON, naming why', () => {
    const parse = (text: string) => parseBody({ ok: true, data: Buffer.from(text) }, track);
    const tooLarge = parseBody({ ok: false }, track);
    expect(tooLarge.ok ? 200 : [tooLarge.answer.status, errorOf(tooLarge.answer).error]).toEqual([413, `The body is larger than ${track.maxBody} bytes.`]);
    const empty = parse('  \n');
    expect(empty.ok ? 200 : [empty.answer.status, errorOf(empty.answer).error]).toEqual([400, 'The body is empty: send a JSON object.']);
    const broken = parse('{"batch": [');
    expect(broken.ok ? 200 : broken.answer.status).toBe(400);
    expect(broken.ok ? '' : errorOf(broken.answer).error).toMatch(/^The body is not valid JSON: /);
    expect(parse('{"batch": []}')).toEqual({ ok: true, text: '{"batch": []}', json: { batch: [] } });
  });

  it('a route without a JSON body keeps the text (for the idempotency hash) and parses nothing', () => {
    expect(parseBody({ ok: true, data: Buffer.from('not json') }, deleteMessage)).toEqual({ ok: true, text: 'not json', json: undefined });
    const tooLarge = parseBody({ ok: false }, deleteMessage);
    expect(tooLarge.ok ? '' : errorOf(tooLarge.answer).error).toBe(`The body is larger than ${MAX_CLIENT_BODY} bytes.`);
  });

  it('the step reads only POST, PUT and DELETE bodies, and says when nobody is left to answer', async () => {
    const get = fakeRequest('GET', '/v1/events', { body: 'ignored' });
    expect(await takeBody(get, 'GET', route('events'), '7')).toEqual({ ok: true, text: '', json: undefined });
    expect(get.wasRead()).toBe(false);
    expect(await takeBody(fakeRequest('POST', '/v1/track', { body: '{"batch":[1]}' }), 'POST', track, '13')).toEqual({
      ok: true,
      text: '{"batch":[1]}',
      json: { batch: [1] },
    });
    const gone = await takeBody(fakeRequest('POST', '/v1/track', { body: '{"ba', ending: 'break off' }), 'POST', track, '100');
    expect(gone).toEqual({ ok: false, answer: null });
    const announced = fakeRequest('POST', '/v1/track', { body: '{' });
    const refused = await takeBody(announced, 'POST', track, String(50 * 1024 * 1024));
    expect(refused.ok ? 200 : refused.answer?.status).toBe(413);
    expect(announced.wasRead()).toBe(false);
  });
});

/** An in-memory idempotency table, with the turns taken under a key recorded (one node: the first save wins). */
function memoryStore(): IdempotencyStore & { rows: Map<string, IdempotentAnswer & { at: number }>; prunedBefore: number[]; transactions: number } {
  const rows = new Map<string, IdempotentAnswer & { at: number }>();
  const store = {
    rows,
    prunedBefore: [] as number[],
    transactions: 0,
    idempotent: async (key: string) => rows.get(key),
    saveIdempotent: async ({ key, requestHash: request_hash, status, body, now }: IdempotentSave, pruneBefore: number): Promise<IdempotentSaveOutcome> => {
      const stored = rows.get(key);
      if (stored) return { saved: false, stored };
      rows.set(key, { request_hash, status, body, at: now });
      store.prunedBefore.push(pruneBefore);
      return { saved: true };
    },
    withIdempotencyKey: <T>(_key: string, change: () => Promise<T>): Promise<T> => {
      store.transactions += 1;
      return change();
    },
  };
  return store;
}

describe('idempotency', () => {
  it('a key is 1 to 255 visible ASCII characters; none is fine', () => {
    expect(idempotencyKey({})).toEqual({ ok: true, key: undefined });
    expect(idempotencyKey({ 'idempotency-key': 'k'.repeat(255) })).toEqual({ ok: true, key: 'k'.repeat(255) });
    for (const bad of ['', 'k'.repeat(256), 'has space', 'é', 'tab\t']) {
      const result = idempotencyKey({ 'idempotency-key': bad });
      expect(result.ok ? 200 : [result.answer.status, errorOf(result.answer).error], JSON.stringify(bad)).toEqual([
        400,
        'An Idempotency-Key is 1 to 255 visible ASCII characters.',
      ]);
    }
  });

  it('the same request is the same method, path and body', () => {
    const hash = requestHash('PUT', '/v1/messages/m1', '{"version":1}');
    expect(requestHash('PUT', '/v1/messages/m1', '{"version":1}')).toBe(hash);
    expect(requestHash('PUT', '/v1/messages/m1', '{"version":2}')).not.toBe(hash);
    expect(requestHash('PUT', '/v1/messages/m2', '{"version":1}')).not.toBe(hash);
    expect(requestHash('DELETE', '/v1/messages/m1', '{"version":1}')).not.toBe(hash);
  });

  it('without a key the change simply runs, and nothing is remembered', async () => {
    const store = memoryStore();
    const change = vi.fn((): Answer => ({ status: 200, body: { ok: 1 } }));
    expect(await runOnce(store, undefined, 'h', 1000, change)).toEqual({ status: 200, body: { ok: 1 } });
    expect(await runOnce(store, undefined, 'h', 1000, change)).toEqual({ status: 200, body: { ok: 1 } });
    expect(change).toHaveBeenCalledTimes(2);
    expect(store.rows.size).toBe(0);
  });

  it('a repeat replays the stored answer without running the change again', async () => {
    const store = memoryStore();
    let runs = 0;
    const change = (): Answer => ({ status: 201, body: { run: ++runs } });
    expect(await runOnce(store, 'k1', 'h1', 5000, change)).toEqual({ status: 201, body: { run: 1 } });
    expect(store.transactions).toBe(1);
    expect(store.rows.get('k1')).toEqual({ request_hash: 'h1', status: 201, body: '{"run":1}', at: 5000 });
    expect(store.prunedBefore).toEqual([5000 - IDEMPOTENCY_TTL_MS]);
    expect(await runOnce(store, 'k1', 'h1', 9000, change)).toEqual({ status: 201, jsonText: '{"run":1}', headers: { 'Idempotent-Replayed': 'true' } });
    expect(runs).toBe(1);
  });

  it('a key reused for a different request is refused, and changes nothing', async () => {
    const store = memoryStore();
    await runOnce(store, 'k1', 'h1', 5000, () => ({ status: 200, jsonText: '{"first":true}' }));
    const change = vi.fn((): Answer => ({ status: 200, body: {} }));
    const reused = await runOnce(store, 'k1', 'h2', 6000, change);
    expect([reused.status, errorOf(reused).code]).toEqual([422, 'invalid_argument']);
    expect(errorOf(reused).error).toMatch(/already used for a different request/);
    expect(change).not.toHaveBeenCalled();
    expect(store.rows.get('k1')?.body).toBe('{"first":true}');
  });

  it('a refused change is not remembered: the corrected request may reuse the key', async () => {
    const store = memoryStore();
    expect((await runOnce(store, 'k1', 'h1', 5000, () => ({ status: 409, body: { code: 'conflict' } }))).status).toBe(409);
    expect(store.rows.size).toBe(0);
    expect(await runOnce(store, 'k1', 'h1', 5000, () => ({ status: 200, body: { fixed: true } }))).toEqual({ status: 200, body: { fixed: true } });
    expect(store.rows.get('k1')?.body).toBe('{"fixed":true}');
  });
});

describe('the runner', () => {
  const answered = (name: string): ChangeHandler => (ctx) => ({ status: 200, body: { name, params: ctx.params, body: ctx.body, query: ctx.query.toString(), now: ctx.now } });
  const handlers: Handlers = {
    health: answered('health'),
    openapi: answered('openapi'),
    sdk: answered('sdk'),
    sdkKinds: answered('sdkKinds'),
    listMessages: answered('listMessages'),
    getMessage: answered('getMessage'),
    publish: answered('publish'),
    deleteMessage: answered('deleteMessage'),
    pause: answered('pause'),
    resume: answered('resume'),
    end: answered('end'),
    events: answered('events'),
    eraseUser: answered('eraseUser'),
    identify: answered('identify'),
    group: answered('group'),
    track: answered('track'),
    decide: answered('decide'),
  };

  function pipeline(overrides: Partial<PipelineConfig> = {}): { run: ReturnType<typeof createPipeline>; changes: () => number } {
    let changes = 0;
    const run = createPipeline({
      routes,
      allowedOrigins: ALLOWED,
      credentials: createCredentials(ADMIN_TOKEN, PUBLIC_KEY),
      limiter: new RateLimiter(0, () => 0),
      proxyHops: 0,
      clock: () => 42,
      idempotency: memoryStore(),
      handlers,
      afterChange: () => {
        changes += 1;
      },
      ...overrides,
    });
    return { run, changes: () => changes };
  }
  const client = { 'X-Guidepost-Key': PUBLIC_KEY };
  const admin = { Authorization: `Bearer ${ADMIN_TOKEN}` };

  it('hands the handler its parameters, query, parsed body and the clock’s time, with the CORS headers', async () => {
    const { run } = pipeline();
    const decide = await run(fakeRequest('POST', '/v1/decide?x=1', { headers: { ...client, Origin: ORIGIN }, body: '{"userId":"u1"}' }));
    expect(decide).toEqual({
      answer: { status: 200, body: { name: 'decide', params: {}, body: { userId: 'u1' }, query: 'x=1', now: 42 } },
      headers: { 'Access-Control-Allow-Origin': ORIGIN, 'Access-Control-Expose-Headers': 'Retry-After', Vary: 'Origin' },
    });
    const message = await run(fakeRequest('GET', '/v1/messages/m%2E1', { headers: admin }));
    expect(message?.answer.body).toMatchObject({ name: 'getMessage', params: { id: 'm.1' } });
    expect(message?.headers).toEqual({});
  });

  it('an unknown path is a 404 without CORS headers; a preflight is answered before the method is checked', async () => {
    const { run } = pipeline();
    expect(await run(fakeRequest('GET', '/v1/nothing', { headers: { Origin: ORIGIN } }))).toEqual({
      answer: { status: 404, body: { code: 'not_found', error: 'There is no endpoint /v1/nothing.' } },
      headers: {},
    });
    const options = await run(fakeRequest('OPTIONS', '/v1/track', { headers: { Origin: ORIGIN } }));
    expect([options?.answer.status, options?.headers['Access-Control-Allow-Origin']]).toEqual([204, ORIGIN]);
    const wrongMethod = await run(fakeRequest('GET', '/v1/track', { headers: { ...client, Origin: ORIGIN } }));
    expect([wrongMethod?.answer.status, wrongMethod?.answer.headers, wrongMethod?.headers.Vary]).toEqual([405, { Allow: 'POST' }, 'Origin']);
  });

  it('refuses in order: rate limit, then credential, then origin; and reads no body it refuses', async () => {
    let now = 0;
    const { run } = pipeline({ limiter: new RateLimiter(1, () => now), clock: () => now });
    const foreign = { Origin: 'https://evil.example' };
    const first = fakeRequest('POST', '/v1/track', { headers: { 'X-Guidepost-Key': 'guess', ...foreign }, body: '{}' });
    expect((await run(first))?.answer.status).toBe(401);
    expect(first.wasRead()).toBe(false);
    // The failed guess used the address's one request; the next guess is limited before its credential is looked at.
    expect((await run(fakeRequest('GET', '/v1/events', { headers: { Authorization: 'Bearer guess' } })))?.answer.status).toBe(429);
    const right = fakeRequest('POST', '/v1/track', { headers: { ...client, ...foreign }, body: '{}' });
    expect((await run(right))?.answer.status).toBe(403);
    expect(right.wasRead()).toBe(false);
    // Public routes are never limited.
    expect((await run(fakeRequest('GET', '/v1/health')))?.answer.status).toBe(200);
    now += 60_000;
    expect((await run(fakeRequest('GET', '/v1/events', { headers: admin })))?.answer.status).toBe(200);
  });

  it('a client that goes away mid-body gets no answer', async () => {
    const { run } = pipeline();
    expect(await run(fakeRequest('POST', '/v1/track', { headers: client, body: '{"ba', ending: 'break off' }))).toBeNull();
  });

  it('admin changes run once per Idempotency-Key, and the live state reloads after each attempt', async () => {
    const idempotency = memoryStore();
    let runs = 0;
    const { run, changes } = pipeline({ idempotency, handlers: { ...handlers, pause: () => ({ status: 200, body: { run: ++runs } }) } });
    const pause = (key: string, body?: string) =>
      run(fakeRequest('POST', '/v1/messages/m1/pause', { headers: { ...admin, 'Idempotency-Key': key }, body }));
    expect((await pause('k1'))?.answer).toEqual({ status: 200, body: { run: 1 } });
    expect((await pause('k1'))?.answer).toEqual({ status: 200, jsonText: '{"run":1}', headers: { 'Idempotent-Replayed': 'true' } });
    expect((await pause('k1', 'another body'))?.answer.status).toBe(422);
    expect(runs).toBe(1);
    expect(changes()).toBe(3);
    // A malformed key is refused before anything runs, so nothing needs reloading.
    expect((await pause('has space'))?.answer.status).toBe(400);
    expect(changes()).toBe(3);
    // A read is not a change.
    await run(fakeRequest('GET', '/v1/messages', { headers: admin }));
    expect(changes()).toBe(3);
  });
});
