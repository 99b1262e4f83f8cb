/**
 * The delivery engines' ingestion, side by side in one run (issue 20; not a timed test):
 *   node --import ./scripts/register-ts.mjs tests/bench/delivery-engine.bench.ts [--events <n>]
 * stores <n> track events (default 20,000; a third of a collected name, across 5,000 users) in slices of 100, as
 * ingest.ts does, through the SQLite engine (one file) and the PostgreSQL engine with 1 and 2 engine instances (two
 * nodes' pools) on one database of a private cluster (tests/support/postgres.ts; started here, stopped after).
 * Prints events/s, the node's CPU seconds and the load average: the database's CPU shares the same cores.
 * Engines only, no HTTP: the server's own benchmark (npm run bench:delivery) measures requests.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { openDeliveryDb } from '../../src/delivery/db';
import { createSqliteEngine } from '../../src/delivery/engine/sqlite';
import type { DeliveryEngine } from '../../src/delivery/engine/types';
import { resolveDeliveryDatabase, type DeliveryDatabase } from '../../src/delivery/postgres/connection';
import { openPostgresEngine } from '../../src/delivery/postgres/engine';
import type { IncomingRecord } from '../../src/delivery/store';
import { createTestDatabase, startPostgresCluster, stopPostgresCluster } from '../support/postgres';

const { values: args } = parseArgs({ options: { events: { type: 'string', default: '20000' } } });
const EVENTS = Number(args.events);
if (!Number.isInteger(EVENTS) || EVENTS < 100) throw new Error(`--events must be a whole number of at least 100, not "${args.events}".`);
const SLICE = 100;
const T0 = Date.UTC(2026, 5, 1);

function slices(tag: string): IncomingRecord[][] {
  const out: IncomingRecord[][] = [];
  for (let s = 0; s < EVENTS / SLICE; s++) {
    out.push(
      Array.from({ length: SLICE }, (_, i): IncomingRecord => ({
        type: 'track',
        record: { kind: 'event', id: `${tag}-${s}-${i}`, userId: `user-${(s * SLICE + i) % 5000}`, name: i % 3 === 0 ? 'clicked' : 'page_viewed', ts: T0 + i, data: { path: '/pricing', n: i } },
      })),
    );
  }
  return out;
}

async function measure(label: string, engines: DeliveryEngine[]): Promise<void> {
  await (engines[0] as DeliveryEngine).collect(new Set(['clicked']), T0);
  const work = engines.map((_, k) => slices(`${label}-${k}`));
  const cpu = process.cpuUsage();
  const started = performance.now();
  await Promise.all(engines.map(async (engine, k) => {
    for (const slice of work[k] as IncomingRecord[][]) await engine.ingest(slice, T0);
  }));
  const seconds = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  const total = EVENTS * engines.length;
  console.log(
    `${label.padEnd(22)} ${String(total).padStart(7)} events  ${String(Math.round(total / seconds)).padStart(7)} events/s  ` +
      `node CPU ${((used.user + used.system) / 1e6).toFixed(2)} s  wall ${seconds.toFixed(2)} s  load ${loadavg()[0]?.toFixed(2)}`,
  );
}

const dir = mkdtempSync(join(tmpdir(), 'guidepost-engine-bench-'));
const cluster = await startPostgresCluster();
try {
  const { db } = openDeliveryDb(join(dir, 'delivery.db'), { now: T0 });
  const sqlite = createSqliteEngine(db, { closeDatabase: true });
  await measure('sqlite', [sqlite]);
  await sqlite.close();
  for (const nodes of [1, 2]) {
    const database = await createTestDatabase(cluster, 'engine_bench');
    const config = resolveDeliveryDatabase(database.url, {}) as DeliveryDatabase;
    config.url.password = cluster.password;
    const engines: DeliveryEngine[] = [];
    for (let i = 0; i < nodes; i++) engines.push((await openPostgresEngine(config, { now: T0 })).engine);
    await measure(`postgres, ${nodes} node${nodes > 1 ? 's' : ''}`, engines);
    for (const engine of engines) await engine.close();
    await database.drop();
  }
} finally {
  await stopPostgresCluster(cluster);
  rmSync(dir, { recursive: true, force: true });
}
