/**
 * npm run bench:delivery: the delivery server (built CLI, its own process) with 100 published messages
 * and 100,000 users with profiles, loaded on loopback by autocannon with the rate limit off. Prints:
 *   - track ingestion: events/s sent in batches of 500 by 4 concurrent senders (target ≥ 20,000);
 *   - decide throughput with 64 connections (target ≥ 10,000 requests/s);
 *   - decide latency with 8 connections (target p99 ≤ 5 ms).
 *
 * npm run bench:delivery -- --hostile [--duration <s>] [--users <n>] [--baseline <rev> | --no-baseline]
 *   [--attack batch,decide,identify,deep,rotating]:
 * the decide load with and without an attacker, beside the parent commit's build (delivery-hostile.ts);
 * --attack sends only the kinds named, to see which one hurts.
 *
 * npm run bench:delivery -- --assignments [--users <n>]: what storing one of decide's assignments costs, by
 * how many share a transaction (in process; delivery-assignments.ts).
 *
 * Every request stays on 127.0.0.1, bounded in count and time.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type autocannon from 'autocannon';
import { cleanUpAll } from './cleanup';
import { attackKinds } from './delivery-attack';
import { runAssignmentCost } from './delivery-assignments';
import { runHostile } from './delivery-hostile';
import { decideLoad, MESSAGES, publishMessages, seedProfiles, startDeliveryServer } from './delivery-server';

const { values: args } = parseArgs({
  options: {
    hostile: { type: 'boolean', default: false },
    duration: { type: 'string' },
    users: { type: 'string' },
    baseline: { type: 'string' },
    'no-baseline': { type: 'boolean', default: false },
    attack: { type: 'string' },
    assignments: { type: 'boolean', default: false },
  },
});

function wholeNumber(value: string | undefined, what: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value) || Number(value) < 1) throw new Error(`${what} must be a whole number of at least 1, not "${value}".`);
  return Number(value);
}

const USERS = wholeNumber(args.users ?? process.env.BENCH_USERS, '--users (or BENCH_USERS)', 100_000);
const SECONDS = wholeNumber(args.duration ?? process.env.BENCH_SECONDS, '--duration (or BENCH_SECONDS)', 10);
if (!args.hostile && (args.baseline !== undefined || args['no-baseline'] || args.attack !== undefined)) throw new Error('--baseline, --no-baseline and --attack go with --hostile.');
const kinds = attackKinds(args.attack);

const cli = join(process.cwd(), 'out', 'main', 'cli.js');
if (!existsSync(cli)) throw new Error('Build first: npm run build (the benchmark runs the built CLI).');

async function normal(): Promise<void> {
  // BENCH_SERVER_NODE_ARGS="--cpu-prof" profiles the server under load.
  const nodeArgs = (process.env.BENCH_SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const server = await startDeliveryServer(cli, ['--rate-limit', '0'], { nodeArgs });
  try {
    await publishMessages(server.base);
    const ingest = await seedProfiles(server.base, USERS);
    const ingestRate = ingest.records / ingest.seconds;

    const decide = (connections: number): Promise<autocannon.Result> => decideLoad({ base: server.base, users: USERS, connections, seconds: SECONDS });
    await decide(8); // warm-up: profiles into the cache
    const throughput = await decide(64);
    const latency = await decide(8);
    const ok = (r: autocannon.Result): string => (r.non2xx > 0 || r.errors > 0 ? ` (${r.non2xx} non-2xx, ${r.errors} errors!)` : '');

    process.stdout.write(`Delivery server: ${MESSAGES} messages, ${USERS.toLocaleString('en-US')} users, ${SECONDS} s per run\n\n`);
    process.stdout.write(`track ingestion (batches of 500, 4 senders): ${Math.round(ingestRate).toLocaleString('en-US')} events/s  (target ≥ 20,000)\n`);
    process.stdout.write(`decide, 64 connections: ${Math.round(throughput.requests.average).toLocaleString('en-US')} requests/s, p99 ${throughput.latency.p99} ms  (target ≥ 10,000/s)${ok(throughput)}\n`);
    process.stdout.write(`decide, 8 connections: p99 ${latency.latency.p99} ms, p50 ${latency.latency.p50} ms, ${Math.round(latency.requests.average).toLocaleString('en-US')} requests/s  (target p99 ≤ 5 ms)${ok(latency)}\n`);
  } finally {
    await server.stop();
  }
}

try {
  if (args.assignments) await runAssignmentCost(USERS);
  else if (args.hostile) await runHostile({ cli, users: USERS, seconds: SECONDS, baseline: args['no-baseline'] ? null : (args.baseline ?? 'HEAD~1'), kinds });
  else await normal();
} finally {
  cleanUpAll();
}
