/**
 * npm run bench:delivery: the delivery server (built CLI, its own process) with 100 published messages
 * and 100,000 users with profiles, loaded on loopback by autocannon with the rate limit off. Prints:
 *   - track ingestion: events/s sent in batches of 500 by 4 concurrent senders (target ≥ 20,000);
 *   - decide throughput with 64 connections (target ≥ 10,000 requests/s);
 *   - decide latency with 8 connections (target p99 ≤ 5 ms).
 * Every request stays on 127.0.0.1, bounded in count and time.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { Random } from '../../src/shared/random';

const USERS = Number(process.env.BENCH_USERS ?? 100_000);
const MESSAGES = 100;
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const ADMIN = 'bench-admin-token-0123456789abcdef';
const KEY = 'bench-public-key-01';
const PLANS = ['free', 'starter', 'growth', 'enterprise'];

const cli = join(process.cwd(), 'out', 'main', 'cli.js');
if (!existsSync(cli)) throw new Error('Build first: npm run build (the benchmark runs the built CLI).');
const dir = mkdtempSync(join(tmpdir(), 'guidepost-bench-delivery-'));
// BENCH_SERVER_NODE_ARGS="--cpu-prof" profiles the server under load.
const nodeArgs = (process.env.BENCH_SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean);
const server = spawn(process.execPath, [...nodeArgs, cli, 'delivery', '--port', '0', '--json', '--db', join(dir, 'delivery.db'), '--admin-token', ADMIN, '--public-key', KEY, '--rate-limit', '0'], {
  stdio: ['ignore', 'pipe', 'inherit'],
});
const base = await new Promise<string>((resolve, reject) => {
  let out = '';
  server.stdout.on('data', (d: Buffer) => {
    out += d.toString();
    const line = out.split('\n').find((l) => l.includes('"url"'));
    if (line) resolve((JSON.parse(line) as { url: string }).url.replace(/\/$/, ''));
  });
  server.once('exit', (code) => reject(new Error(`delivery server exited with ${code}`)));
});

async function call(method: string, path: string, body: unknown, admin = true): Promise<void> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { 'Content-Type': 'application/json', ...(admin ? { Authorization: `Bearer ${ADMIN}` } : { 'X-Guidepost-Key': KEY }) },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
}

try {
  // 100 messages: a trait condition and an event condition each, page trigger, various priorities.
  for (let i = 0; i < MESSAGES; i++) {
    await call('PUT', `/v1/messages/bench-${i}`, {
      kind: i % 2 === 0 ? 'modal' : 'nps',
      content: { title: `Message ${i}`, body: 'Try **Growth**.', cta: { label: 'Upgrade', url: 'https://example.com/up' }, question: 'How likely…?' },
      rule: {
        version: 1,
        match: 'all',
        conditions: [
          { type: 'trait', trait: 'plan', op: 'eq', value: PLANS[i % PLANS.length] },
          { type: 'event', event: 'report_run', op: '>=', count: 1 + (i % 5), within: { days: 30 } },
        ],
      },
      trigger: { page: `https://app.example.com/${i % 10}/*` },
      frequency: { everyDays: 7 },
      rollout: 50 + (i % 50),
      priority: i,
      environment: 'production',
      version: 1,
    });
  }

  // Profiles: one identify and four events per user, sent as track batches of 500.
  const rng = new Random(7);
  const now = Date.now();
  const batches: unknown[][] = [];
  let batch: unknown[] = [];
  let seq = 0;
  const push = (record: unknown): void => {
    batch.push(record);
    if (batch.length === 500) {
      batches.push(batch);
      batch = [];
    }
  };
  for (let u = 0; u < USERS; u++) {
    const userId = `u${u}`;
    push({ type: 'identify', userId, messageId: `b-${seq++}`, timestamp: new Date(now - 86_400_000).toISOString(), traits: { plan: rng.pick(PLANS) } });
    for (let e = 0; e < 4; e++) {
      push({ type: 'track', userId, event: 'report_run', messageId: `b-${seq++}`, timestamp: new Date(now - rng.int(1, 40) * 86_400_000).toISOString(), properties: { format: 'pdf' } });
    }
  }
  if (batch.length > 0) batches.push(batch);
  const started = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      while (next < batches.length) await call('POST', '/v1/track', { batch: batches[next++] }, false);
    }),
  );
  const ingestSeconds = (performance.now() - started) / 1000;
  const ingestRate = seq / ingestSeconds;

  const decide = (connections: number): Promise<autocannon.Result> =>
    autocannon({
      url: base,
      connections,
      duration: SECONDS,
      requests: [
        {
          method: 'POST',
          path: '/v1/decide',
          headers: { 'Content-Type': 'application/json', 'X-Guidepost-Key': KEY },
          setupRequest: (request) => ({
            ...request,
            body: JSON.stringify({ userId: `u${Math.floor(Math.random() * USERS)}`, url: `https://app.example.com/${Math.floor(Math.random() * 10)}/board` }),
          }),
        },
      ],
    });
  await decide(8); // warm-up: profiles into the cache
  const throughput = await decide(64);
  const latency = await decide(8);
  const ok = (r: autocannon.Result): string => (r.non2xx > 0 || r.errors > 0 ? ` (${r.non2xx} non-2xx, ${r.errors} errors!)` : '');

  process.stdout.write(`Delivery server: ${MESSAGES} messages, ${USERS.toLocaleString('en-US')} users, ${SECONDS} s per run\n\n`);
  process.stdout.write(`track ingestion (batches of 500, 4 senders): ${Math.round(ingestRate).toLocaleString('en-US')} events/s  (target ≥ 20,000)\n`);
  process.stdout.write(`decide, 64 connections: ${Math.round(throughput.requests.average).toLocaleString('en-US')} requests/s, p99 ${throughput.latency.p99} ms  (target ≥ 10,000/s)${ok(throughput)}\n`);
  process.stdout.write(`decide, 8 connections: p99 ${latency.latency.p99} ms, p50 ${latency.latency.p50} ms, ${Math.round(latency.requests.average).toLocaleString('en-US')} requests/s  (target p99 ≤ 5 ms)${ok(latency)}\n`);
} finally {
  server.kill('SIGTERM');
  await new Promise((resolve) => server.once('exit', resolve));
  rmSync(dir, { recursive: true, force: true });
}
