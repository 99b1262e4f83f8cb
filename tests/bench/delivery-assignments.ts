/**
 * `npm run bench:delivery -- --assignments [--users <n>]`: what one assignment costs to store (issue 19's
 * row and message_assigned record, src/delivery/assignments.ts), by how many share a transaction. In
 * process, on a delivery database in the temp directory seeded like the HTTP benchmark's (one identify
 * and four events per user), each user assigned once to one of ten messages, in random order as
 * first-time users arrive. Prints the CPU time (user + system) and wall time per assignment.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDeliveryDb } from '../../src/delivery/db';
import { createStore } from '../../src/delivery/store';
import { Random } from '../../src/shared/random';
import { RULE_EVENT } from './delivery-server';

/** Group sizes measured: one per transaction, a turn's few at 8 connections, and larger groups. */
const GROUPS = [1, 8, 64, 512] as const;
/** Assignments measured per group size. */
const PER_GROUP = 5_000;
const DAY_MS = 86_400_000;

export async function runAssignmentCost(users: number): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'guidepost-bench-assignments-'));
  const { db } = openDeliveryDb(join(dir, 'delivery.db'));
  try {
    const store = createStore(db);
    const rng = new Random(11);
    const now = Date.now();
    const seeding = performance.now();
    for (let first = 0; first < users; first += 500) {
      store.transaction(() => {
        for (let u = first; u < Math.min(users, first + 500); u++) {
          const userId = `u${u}`;
          store.ingest({ type: 'identify', record: { kind: 'identify', id: `i-${u}`, userId, name: '', ts: now - DAY_MS, data: { plan: 'pro' } } }, now);
          for (let e = 0; e < 4; e++) {
            const record = { kind: 'event' as const, id: `e-${u}-${e}`, userId, name: RULE_EVENT, ts: now - rng.int(1, 40) * DAY_MS, data: { format: 'pdf' } };
            store.ingest({ type: 'track', record }, now);
          }
        }
      });
    }
    process.stdout.write(`Assignment writes: ${users.toLocaleString('en-US')} users seeded in ${((performance.now() - seeding) / 1000).toFixed(1)} s\n`);
    const order = Array.from({ length: users }, (_, i) => i);
    for (let i = order.length - 1; i > 0; i--) {
      const j = rng.int(0, i);
      [order[i], order[j]] = [order[j] as number, order[i] as number];
    }
    let next = 0;
    for (const group of GROUPS) {
      const count = Math.min(PER_GROUP, users - next);
      if (count <= 0) break;
      const cpu = process.cpuUsage();
      const started = performance.now();
      for (let i = 0; i < count; i += group) {
        store.transaction(() => {
          for (let j = i; j < Math.min(count, i + group); j++) {
            const u = order[next + j] as number;
            store.assign(`bench-${u % 10}`, `u${u}`, 'exposed', now);
          }
        });
      }
      next += count;
      const used = process.cpuUsage(cpu);
      const wallUs = ((performance.now() - started) * 1000) / count;
      process.stdout.write(`  ${String(group).padStart(4)} per transaction: ${((used.user + used.system) / count).toFixed(1)} µs CPU, ${wallUs.toFixed(1)} µs wall per assignment\n`);
    }
  } finally {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
