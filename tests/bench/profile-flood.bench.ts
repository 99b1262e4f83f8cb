/**
 * node --import ./scripts/register-ts.mjs tests/bench/profile-flood.bench.ts: the review's reproduction of
 * issue 16 item 1, measured. One user gets a long history of an event a live rule counts (BENCH_HISTORY,
 * default 135,000, sent in ascending batches after a decide has cached the profile), then one batch of
 * BENCH_BATCH records (default 4,500, about 460 KB) stamped in descending order, each older than all
 * before it. Prints how long that batch took and the slowest `/v1/health` answer another client got
 * meanwhile, then a decide's time for that user; and the rate the history itself was stored at. In-process server on loopback, rate limit off.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDeliveryDb } from '../../src/delivery/db';
import { createDeliveryServer } from '../../src/delivery/server';

const HISTORY = Number(process.env.BENCH_HISTORY ?? 135_000);
const BATCH = Number(process.env.BENCH_BATCH ?? 4_500);
const ADMIN = 'bench-admin-token-0123456789abcdef';
const KEY = 'bench-public-key-01';
const T0 = Date.UTC(2026, 5, 1);

const dir = mkdtempSync(join(tmpdir(), 'guidepost-bench-flood-'));
const { db } = openDeliveryDb(join(dir, 'delivery.db'));
const server = createDeliveryServer({ db, adminToken: ADMIN, publicKey: KEY, rateLimit: 0, clock: () => T0 + 1000, log: () => undefined });
const base = await server.listen(0);

async function call(method: string, path: string, body?: unknown, auth: 'admin' | 'client' = 'client'): Promise<{ status: number; text: string }> {
  const headers: Record<string, string> = { 'Content-Type': 'application/json' };
  if (auth === 'admin') headers.Authorization = `Bearer ${ADMIN}`;
  else headers['X-Guidepost-Key'] = KEY;
  const reply = await fetch(`${base}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: reply.status, text: await reply.text() };
}

let id = 0;
const event = (ts: number): Record<string, unknown> => ({
  type: 'track',
  event: 'report_run',
  userId: 'victim',
  messageId: String((id += 1)),
  timestamp: ts,
});

try {
  const rule = { version: 1, match: 'all', conditions: [{ type: 'event', event: 'report_run', op: '>=', count: 3 }] };
  const published = await call('PUT', '/v1/messages/upsell', { kind: 'modal', content: { title: 'Upsell' }, rule, environment: 'production', version: 1 }, 'admin');
  if (published.status !== 201) throw new Error(`publish: ${published.status} ${published.text}`);
  await call('POST', '/v1/decide', { userId: 'victim' });
  // The history, oldest first, ending an hour before T0.
  const start = T0 - 3_600_000 - HISTORY * 1000;
  const fillBegan = performance.now();
  for (let sent = 0; sent < HISTORY; sent += 2000) {
    const n = Math.min(2000, HISTORY - sent);
    const reply = await call('POST', '/v1/track', { batch: Array.from({ length: n }, (_, i) => event(start + (sent + i) * 1000)) });
    if (reply.status !== 200) throw new Error(`history: ${reply.status} ${reply.text}`);
  }
  const fillMs = performance.now() - fillBegan;
  const flood = { batch: Array.from({ length: BATCH }, (_, i) => event(start - (i + 1) * 1000)) };
  const bytes = Buffer.byteLength(JSON.stringify(flood));
  let slowestHealth = 0;
  let floodDone = false;
  const pinger = (async () => {
    while (!floodDone) {
      const began = performance.now();
      await call('GET', '/v1/health');
      // Back to back, so that one is always waiting on the server while the flood is handled.
      slowestHealth = Math.max(slowestHealth, performance.now() - began);
    }
  })();
  await new Promise((resolve) => setTimeout(resolve, 20));
  const began = performance.now();
  const reply = await call('POST', '/v1/track', flood);
  const floodMs = performance.now() - began;
  floodDone = true;
  await pinger;
  if (reply.status !== 200) throw new Error(`flood: ${reply.status} ${reply.text}`);
  const decideBegan = performance.now();
  const decided = await call('POST', '/v1/decide', { userId: 'victim' });
  const decideMs = performance.now() - decideBegan;
  console.log(`history ${HISTORY.toLocaleString('en-US')} events for one user; flood ${BATCH.toLocaleString('en-US')} records (${Math.round(bytes / 1024)} KB), descending`);
  console.log(`  history sent in order:   ${Math.round(HISTORY / (fillMs / 1000)).toLocaleString('en-US')} events/s (batches of 2,000, one sender)`);
  console.log(`  flood batch:              ${floodMs.toFixed(0)} ms`);
  console.log(`  slowest /v1/health meanwhile: ${slowestHealth.toFixed(0)} ms`);
  console.log(`  decide afterwards:        ${decideMs.toFixed(1)} ms (${decided.text})`);
} finally {
  await server.close();
  db.close();
  rmSync(dir, { recursive: true, force: true });
}
