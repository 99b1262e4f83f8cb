import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { MAX_BATCH_BYTES, ROUTES } from '../../src/delivery/server';
import { ADMIN_TOKEN, messageBody, ORIGIN, PUBLIC_KEY, T0, trackCall, useDeliveryServer } from './delivery-helpers';
import { seeded } from './ingest-helpers';

const start = useDeliveryServer();

function randomBuffer(random: () => number, length: number): Buffer {
  const buffer = Buffer.alloc(length);
  for (let i = 0; i < length; i++) buffer[i] = Math.floor(random() * 256);
  return buffer;
}

describe('bodies', () => {
  it('oversized bodies get 413, whether announced or streamed', async () => {
    const r = await start();
    const filler = (bytes: number): Record<string, unknown>[] => {
      const one = trackCall('u1', 'x', T0, { pad: 'p'.repeat(1000) });
      const count = Math.ceil(bytes / JSON.stringify(one).length);
      return Array.from({ length: count }, () => trackCall('u1', 'x', T0, { pad: 'p'.repeat(1000) }));
    };
    const tooBig = await r.track(filler(MAX_BATCH_BYTES + 1000));
    expect(tooBig.status).toBe(413);
    expect(tooBig.json).toMatchObject({ code: 'too_large' });
    // Just under the cap is fine.
    const fits = filler(MAX_BATCH_BYTES - 20_000);
    expect(JSON.stringify({ batch: fits }).length).toBeLessThan(MAX_BATCH_BYTES);
    expect((await r.track(fits)).status).toBe(200);

    const bigDecide = await r.client('POST', '/v1/decide', { userId: 'u1', url: 'x'.repeat(100_000) });
    expect(bigDecide.status).toBe(413);
    const bigIdentify = await r.client('POST', '/v1/identify', { userId: 'u1', traits: { blob: 'x'.repeat(70_000) } });
    expect(bigIdentify.status).toBe(413);
    const bigPublish = await r.admin('PUT', '/v1/messages/m1', messageBody({ content: { blob: 'x'.repeat(1_100_000) } }));
    expect(bigPublish.status).toBe(413);
    // A body that announces many megabytes is refused before it is read.
    const announced = await r.raw('POST', '/v1/track', {
      headers: { 'X-Guidepost-Key': PUBLIC_KEY, 'Content-Length': String(50 * 1024 * 1024) },
      body: Buffer.from('{"batch":['),
    }).catch((err: Error) => ({ status: -1, text: err.message }));
    expect([413, -1]).toContain(announced.status);
    // A 32 KB event inside a batch that fits is rejected alone.
    const mixed = await r.track([trackCall('u1', 'ok', T0), trackCall('u1', 'big', T0, { blob: 'b'.repeat(40_000) })]);
    expect(mixed.status).toBe(200);
    expect(mixed.json).toMatchObject({ accepted: 1, rejected: [{ index: 1 }] });
    expect((await r.raw('GET', '/v1/health')).status).toBe(200);
  });

  it('a body nested 6,000 deep gets a 400 and one log line, never a 500 and a stack trace', async () => {
    const logged: string[] = [];
    const r = await start({ log: (line) => logged.push(line) });
    // Written as text: JSON.stringify itself cannot serialize 6,000 levels.
    const traits = '{"n":'.repeat(6000) + '{"plan":"pro"}' + '}'.repeat(6000);
    const deepIdentify = await r.client('POST', '/v1/identify', `{"userId":"u1","traits":${traits}}`);
    expect(deepIdentify.status).toBe(400);
    expect(deepIdentify.json).toEqual({ code: 'too_deep', error: 'The body nests objects and arrays more than 64 levels deep.' });
    const call = JSON.stringify(trackCall('u1', 'x', T0, { deep: 'DEEP' })).replace('"DEEP"', '['.repeat(6000) + ']'.repeat(6000));
    const deepTrack = await r.client('POST', '/v1/track', `{"batch":[${call}]}`);
    expect(deepTrack.status).toBe(400);
    expect(logged).toEqual([
      'guidepost delivery: POST /v1/identify: 400 The body nests objects and arrays more than 64 levels deep',
      'guidepost delivery: POST /v1/track: 400 The body nests objects and arrays more than 64 levels deep',
    ]);
    // Nesting within the limit is still an ordinary body.
    let fine: unknown = 'x';
    for (let i = 0; i < 40; i++) fine = { nested: fine };
    expect((await r.client('POST', '/v1/identify', { userId: 'u1', traits: { fine } })).status).toBe(200);
  });

  it('caps a user’s traits by keys and bytes: an identify past the cap is 413 and stores nothing; the user’s own updates still go', async () => {
    const r = await start();
    const keys = (from: number, count: number): Record<string, number> => Object.fromEntries(Array.from({ length: count }, (_, i) => [`k${from + i}`, i]));
    expect((await r.identify('u1', keys(0, 400))).status).toBe(200);
    const over = await r.identify('u1', keys(400, 101));
    expect(over.status).toBe(413);
    expect(over.json).toEqual({
      code: 'too_large',
      error: "The identify call was refused: the user's traits would have 501 keys, more than the 500 a user may have. Nothing of it was stored.",
    });
    // Nothing of the refused call was stored: not its record, not one of its keys.
    const exported = await r.admin('GET', '/v1/events?limit=1000');
    expect((exported.json.events as { type: string }[]).filter((e) => e.type === 'identify')).toHaveLength(1);
    // Updating keys the user has is fine, and up to the cap new ones too.
    expect((await r.identify('u1', { k0: 'changed', ...keys(400, 100) })).status).toBe(200);
    // Bytes: large values pass the byte cap long before the key cap (each call within a record's 32 KB).
    for (const key of ['b0', 'b1', 'b2']) expect((await r.identify('u2', { [key]: 'x'.repeat(20_000) })).status).toBe(200);
    const tooBig = await r.identify('u2', { more: 'y'.repeat(10_000) });
    expect(tooBig.status).toBe(413);
    expect(tooBig.json.error).toMatch(/^The identify call was refused: the user's traits would be \d+ bytes of JSON, more than the 65536-byte limit/);
    // In a batch, such an identify is one rejected record among accepted ones.
    const batch = await r.track([trackCall('u2', 'fine', T0), { type: 'identify', userId: 'u2', traits: { other: 'z'.repeat(10_000) }, timestamp: new Date(T0).toISOString() }]);
    expect(batch.status).toBe(200);
    expect(batch.json).toMatchObject({ accepted: 1, rejected: [{ index: 1, reason: expect.stringMatching(/65536-byte limit/) as unknown as string }] });
  });

  it('caps a message’s texts and content at publish: every visitor’s browser parses them', async () => {
    const r = await start();
    const longBody = await r.admin('PUT', '/v1/messages/m1', messageBody({ content: { title: 'Hi', body: 'x'.repeat(4_001) } }));
    expect(longBody.status).toBe(400);
    expect(JSON.stringify(longBody.json)).toContain('content.body is longer than 4000 characters');
    const nested = await r.admin('PUT', '/v1/messages/m1', messageBody({ content: { title: 'Hi', options: ['ok', 'y'.repeat(4_001)] } }));
    expect(JSON.stringify(nested.json)).toContain('content.options[1] is longer than 4000 characters');
    const many = Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`t${i}`, 'z'.repeat(2_000)]));
    const heavy = await r.admin('PUT', '/v1/messages/m1', messageBody({ content: many }));
    expect(heavy.status).toBe(400);
    expect(JSON.stringify(heavy.json)).toMatch(/content: is \d+ bytes of JSON, more than the 16384 a message may carry/);
    // Nothing was published; a body of 4,000 characters is.
    expect((await r.admin('GET', '/v1/messages/m1')).status).toBe(404);
    expect((await r.admin('PUT', '/v1/messages/m1', messageBody({ content: { title: 'Hi', body: 'x'.repeat(4_000) } }))).status).toBe(201);
  });

  it('malformed JSON gets 400 with a reason; the wrong shape names what is wrong', async () => {
    const r = await start();
    const cases: [string, string, RegExp][] = [
      ['/v1/track', '{"batch": [', /not valid JSON/],
      ['/v1/track', '', /body is empty/],
      ['/v1/track', '[]', /batch/],
      ['/v1/track', '"text"', /expected object|batch/],
      ['/v1/track', '{"batch": []}', /at least one event/],
      ['/v1/track', '{"batch": {"type": "track"}}', /batch/],
      ['/v1/decide', '{"userId": ""}', /userId: must not be empty/],
      ['/v1/decide', '{"userId": "u1", "event": {"name": 5}}', /event › name/],
      ['/v1/decide', '{"userId": "u1", "environment": "dev"}', /environment/],
      ['/v1/identify', '{"userId": null}', /userId/],
      ['/v1/identify', 'null', /expected object/],
    ];
    for (const [path, body, reason] of cases) {
      const reply = await r.client('POST', path, body);
      expect(reply.status, `${path} ${body}`).toBe(400);
      expect(reply.json.error, `${path} ${body}`).toMatch(reason);
    }
    const publish = await r.admin('PUT', '/v1/messages/m1', '{"kind": "modal",');
    expect(publish.status).toBe(400);
    expect(publish.json.error).toMatch(/not valid JSON/);
  });

  it('random bytes as a body never crash the server', async () => {
    const r = await start({ rateLimit: 0 });
    await r.publish('m1');
    const random = seeded(20260601);
    const lengths = [0, 1, 2, 7, 64, 1000, 5000, 40_000];
    for (const route of ROUTES) {
      const path = route.path.replace('{id}', 'm1');
      for (let round = 0; round < 12; round++) {
        const body = randomBuffer(random, lengths[round % lengths.length] as number);
        // With valid credentials (so the body is read), and with junk ones.
        const headers: Record<string, string> =
          round % 3 === 2 ? { 'X-Guidepost-Key': 'junk' } : route.access === 'client' ? { 'X-Guidepost-Key': PUBLIC_KEY, Origin: ORIGIN } : { Authorization: `Bearer ${ADMIN_TOKEN}` };
        for (const method of [route.method, 'POST']) {
          const reply = await r.raw(method, path, { body, headers: { ...headers, 'Content-Type': round % 2 ? 'application/octet-stream' : 'application/json' } });
          expect(reply.status, `${method} ${path} round ${round}`).toBeLessThan(500);
          expect(reply.status).toBeGreaterThanOrEqual(200);
        }
      }
    }
    // Random bytes as the whole request, not just the body.
    for (let round = 0; round < 20; round++) {
      await new Promise<void>((resolve) => {
        const socket = connect(Number(new URL(r.url).port), '127.0.0.1', () => {
          socket.end(randomBuffer(random, 200 + round * 50));
        });
        socket.on('data', () => undefined);
        socket.on('error', () => resolve());
        socket.on('close', () => resolve());
      });
    }
    const health = await r.raw('GET', '/v1/health');
    expect(health.status).toBe(200);
    expect(health.json.ok).toBe(true);
    // And it still works (the random DELETEs did delete m1: a DELETE needs no body).
    expect((await r.admin('GET', '/v1/messages/m1')).status).toBe(404);
    await r.publish('m2');
    await r.identify('u1', {});
    expect(await r.decideIds('u1')).toEqual(['m2']);
  });
});

describe('rate limit', () => {
  it('429 with Retry-After once a key and address has used its requests per minute', async () => {
    const r = await start({ rateLimit: 5, trustProxy: true });
    const from = (address: string): Record<string, string> => ({ 'X-Forwarded-For': `203.0.113.9, ${address}` });
    for (let i = 0; i < 5; i++) expect((await r.client('POST', '/v1/decide', { userId: 'u1' }, from('198.51.100.1'))).status).toBe(200);
    const limited = await r.client('POST', '/v1/decide', { userId: 'u1' }, { ...from('198.51.100.1'), Origin: ORIGIN });
    expect(limited.status).toBe(429);
    expect(limited.json.code).toBe('rate_limited');
    expect(Number(limited.headers['retry-after'])).toBe(12);
    // The SDK can read it cross-origin.
    expect(limited.headers['access-control-allow-origin']).toBe(ORIGIN);
    expect(limited.headers['access-control-expose-headers']).toContain('Retry-After');
    // Another address, and the admin token from the same address, have their own budgets.
    expect((await r.client('POST', '/v1/decide', { userId: 'u1' }, from('198.51.100.2'))).status).toBe(200);
    expect((await r.admin('GET', '/v1/messages', undefined, from('198.51.100.1'))).status).toBe(200);
    // Health is never limited.
    expect((await r.raw('GET', '/v1/health', { headers: from('198.51.100.1') })).status).toBe(200);
    // The budget refills over the minute.
    r.clock.advance(12_000);
    expect((await r.client('POST', '/v1/decide', { userId: 'u1' }, from('198.51.100.1'))).status).toBe(200);
    expect((await r.client('POST', '/v1/decide', { userId: 'u1' }, from('198.51.100.1'))).status).toBe(429);
  });

  it('guessing keys is limited too: failed attempts from one address share a budget', async () => {
    const r = await start({ rateLimit: 3 });
    for (let i = 0; i < 3; i++) expect((await r.raw('GET', '/v1/events', { headers: { Authorization: `Bearer guess-${i}` } })).status).toBe(401);
    expect((await r.raw('GET', '/v1/events', { headers: { Authorization: `Bearer guess-9` } })).status).toBe(429);
    expect((await r.raw('POST', '/v1/decide', { headers: { 'X-Guidepost-Key': 'guess' }, body: {} })).status).toBe(429);
    // The right token still has its own budget.
    expect((await r.admin('GET', '/v1/events')).status).toBe(200);
  });

  it('without a trusted proxy, X-Forwarded-For is ignored', async () => {
    const r = await start({ rateLimit: 2 });
    for (let i = 0; i < 2; i++) expect((await r.client('POST', '/v1/decide', { userId: 'u' }, { 'X-Forwarded-For': `10.0.0.${i}` })).status).toBe(200);
    expect((await r.client('POST', '/v1/decide', { userId: 'u' }, { 'X-Forwarded-For': '10.0.0.99' })).status).toBe(429);
  });

  it('counts records, not only requests: one batch of 3,000 records costs its records (nothing stored when refused)', async () => {
    const r = await start({ rateLimit: 150 });
    // 150 requests a minute allow 3,750 records a minute in a burst.
    const batch = (n: number, tag: string): Record<string, unknown>[] => Array.from({ length: n }, (_, i) => trackCall(`u${i}`, tag, T0));
    expect((await r.track(batch(3000, 'first'))).status).toBe(200);
    const refused = await r.track(batch(3000, 'second'));
    expect(refused.status).toBe(429);
    expect(refused.json.error).toMatch(/^Too many records \(3000 in this request\)/);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    const exported = await r.admin('GET', '/v1/events?limit=1000');
    const names = new Set((exported.json.events as { event?: string }[]).map((e) => e.event));
    expect(names.has('second')).toBe(false);
    // Small requests from the same address still go while records are left.
    expect((await r.track(batch(400, 'third'))).status).toBe(200);
  });

  it('caps open connections: past maxConnections a new connection is closed at once', async () => {
    const r = await start({ maxConnections: 2 });
    const port = Number(new URL(r.url).port);
    const open = (): Promise<{ socket: ReturnType<typeof connect>; closed: Promise<void> }> =>
      new Promise((resolve) => {
        const socket = connect(port, '127.0.0.1', () => resolve({ socket, closed }));
        const closed = new Promise<void>((done) => socket.on('close', () => done()));
        socket.on('error', () => undefined);
      });
    const held = [await open(), await open()];
    const third = await open();
    await third.closed;
    for (const { socket } of held) expect(socket.destroyed).toBe(false);
    for (const { socket } of held) socket.destroy();
    await Promise.all(held.map((h) => h.closed));
    expect((await r.raw('GET', '/v1/health')).status).toBe(200);
  });

  it('is off with 0', async () => {
    const r = await start({ rateLimit: 0 });
    for (let i = 0; i < 50; i++) expect((await r.client('POST', '/v1/decide', { userId: 'u' })).status).toBe(200);
  });
});
