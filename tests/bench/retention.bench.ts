/**
 * Retention's step cost (not a test): a delivery database with N expired records spread over many users,
 * pruned RETENTION_BATCH rows per step as the server does; prints the steps' p50, p99 and max (the time
 * one step holds the event loop) and the rows per second.
 * Usage: node --import ./scripts/register-ts.mjs tests/bench/retention.bench.ts [records=200000] [--keep-none]
 * (--keep-none: message_shown is pruned too, as once the profile store keeps frequency state).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDeliveryDb } from '../../src/delivery/db';
import { createRecordPruner, RETENTION_BATCH } from '../../src/delivery/retention';

const total = Number(process.argv[2] ?? 200_000);
const keepNone = process.argv.includes('--keep-none');
const dir = mkdtempSync(join(tmpdir(), 'gp-retention-'));
const { db } = openDeliveryDb(join(dir, 'delivery.db'));
const insert = db.prepare('INSERT INTO records (record_id, type, user_id, name, ts, data, received_at) VALUES (?, ?, ?, ?, ?, ?, ?)');
db.transaction(() => {
  for (let i = 0; i < total; i++) {
    insert.run(`r-${i}`, 'track', `user-${i % 5_000}`, i % 10 === 0 ? 'message_shown' : 'report_run', i, '{"format":"pdf","rows":1200}', i);
  }
})();
const prune = keepNone ? createRecordPruner(db, []) : createRecordPruner(db);
const steps: number[] = [];
let pruned = 0;
const started = performance.now();
for (;;) {
  const t = performance.now();
  const { deleted } = prune(total, RETENTION_BATCH);
  steps.push(performance.now() - t);
  pruned += deleted;
  if (deleted < RETENTION_BATCH) break;
}
const ms = performance.now() - started;
steps.sort((a, b) => a - b);
const at = (q: number): string => (steps[Math.min(steps.length - 1, Math.floor(q * steps.length))] as number).toFixed(2);
console.log(
  `retention: ${total.toLocaleString('en-US')} records (10% message_shown, ${keepNone ? 'pruned too' : 'kept'}), ${pruned.toLocaleString('en-US')} pruned in ${steps.length} steps of ${RETENTION_BATCH}: ` +
    `step p50 ${at(0.5)} ms, p99 ${at(0.99)} ms, max ${at(1)} ms; ${Math.round(pruned / (ms / 1000)).toLocaleString('en-US')} rows/s`,
);
db.close();
rmSync(dir, { recursive: true, force: true });
