/**
 * npm run bench:import [-- <events> [<rounds>]]: generates an NDJSON file of Segment-spec events with random UUID
 * messageIds and measures, side by side, each in its own process on the same file:
 *   - the parse ceiling: reading and JSON.parse-ing the file on one thread;
 *   - the naive floor: JSON.parse + INSERT OR IGNORE keyed by the messageId as TEXT UNIQUE, one transaction;
 *   - the real import path (parse, validate, dedupe, insert, indexes, report) into a fresh cache: the built
 *     CLI, `guidepost import <file> --db <new> --json`, exactly as a user runs it.
 * The three run turn about for a few rounds (3 by default), so a slow spell of a shared machine hits
 * them alike; the table gives each one's median round, and the ratios compare medians.
 * Prints events/s for each, the ratios, each process's peak memory and CPU time.
 */
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, openSync, rmSync, statSync, writeSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Random } from '../../src/shared/random';

const events = Number(process.argv[2] ?? 1_000_000);
const rounds = Math.max(1, Number(process.argv[3] ?? 3));
const dir = join(tmpdir(), 'guidepost-bench');
mkdirSync(dir, { recursive: true });
const file = join(dir, `events-${events}.ndjson`);

const NAMES = ['report_run', 'task_created', 'task_completed', 'login', 'project_viewed', 'comment_added', 'invite_sent', 'export_csv'];

function generate(): void {
  const rng = new Random(42);
  const fd = openSync(file, 'w');
  const start = Date.UTC(2026, 3, 1);
  let buffer = '';
  for (let i = 0; i < events; i++) {
    const user = `u_${rng.int(1, 50_000)}`;
    const ts = new Date(start + Math.floor((i / events) * 90 * 86_400_000)).toISOString();
    const record =
      i % 10 === 0
        ? { type: 'identify', messageId: randomUUID(), userId: user, timestamp: ts, traits: { plan: rng.pick(['free', 'starter', 'growth']), seats: rng.int(1, 50) } }
        : {
            type: 'track',
            messageId: randomUUID(),
            userId: user,
            event: rng.pick(NAMES),
            timestamp: ts,
            properties: { format: rng.pick(['pdf', 'csv', 'web']), count: rng.int(1, 100), source: 'web' },
          };
    buffer += `${JSON.stringify(record)}\n`;
    if (buffer.length > 1 << 20) {
      writeSync(fd, buffer);
      buffer = '';
    }
  }
  writeSync(fd, buffer);
  closeSync(fd);
}

if (!existsSync(file)) {
  process.stdout.write(`Generating ${events.toLocaleString('en-US')} events into ${file}…\n`);
  generate();
}
const mb = statSync(file).size / 1048576;
process.stdout.write(`File: ${file} (${mb.toFixed(0)} MB, ${events.toLocaleString('en-US')} events)\n\n`);

interface Run {
  mode: string;
  events: number;
  ms: number;
  cpuMs: number;
  peakRssMb: number;
}

function measure(mode: string): Run {
  const db = join(dir, `bench-${mode}.db`);
  if (mode === 'real') {
    // The product's own path: the built CLI, measured from outside (usage-on-exit.mjs reports its CPU
    // time and peak RSS); its "ms" is the import's, like the references' (process start-up excluded).
    for (const suffix of ['', '-wal', '-shm', '-journal']) rmSync(db + suffix, { force: true });
    const result = spawnSync(process.execPath, ['--import', './tests/bench/usage-on-exit.mjs', 'out/main/cli.js', 'import', file, '--db', db, '--json'], {
      encoding: 'utf8',
      maxBuffer: 1 << 24,
    });
    if (result.status !== 0) throw new Error(`the CLI import failed:\n${result.stderr}${result.stdout}`);
    const summary = JSON.parse(result.stdout) as { imported: number; ms: number };
    const usage = JSON.parse(/GUIDEPOST_USAGE (.*)/.exec(result.stderr)?.[1] ?? 'null') as { cpuMs: number; peakRssMb: number } | null;
    if (!usage) throw new Error(`no usage report from the CLI:\n${result.stderr}`);
    return { mode, events: summary.imported, ms: summary.ms, ...usage };
  }
  const result = spawnSync(process.execPath, ['--import', './scripts/register-ts.mjs', 'tests/bench/import-run.ts', mode, file, db], {
    encoding: 'utf8',
    maxBuffer: 1 << 24,
  });
  if (result.status !== 0) throw new Error(`${mode} failed:\n${result.stderr}`);
  return JSON.parse(result.stdout.trim().split('\n').pop() as string) as Run;
}

const modes = ['ceiling', 'floor', 'real'] as const;
const byMode = new Map<string, Run[]>(modes.map((mode) => [mode, []]));
for (let round = 1; round <= rounds; round++) {
  for (const mode of modes) {
    const run = measure(mode);
    byMode.get(mode)?.push(run);
    process.stdout.write(`round ${round}/${rounds} ${mode.padEnd(7)} ${(run.ms / 1000).toFixed(2)} s, CPU ${(run.cpuMs / 1000).toFixed(2)} s, ${run.peakRssMb} MB\n`);
  }
}
const median = (mode: string): Run => {
  const sorted = [...(byMode.get(mode) as Run[])].sort((a, b) => a.ms - b.ms);
  return sorted[Math.floor((sorted.length - 1) / 2)] as Run;
};
const rate = (run: Run): number => (run.events / run.ms) * 1000;
const [ceiling, floor, real] = modes.map(median) as [Run, Run, Run];
const fmt = (n: number): string => Math.round(n).toLocaleString('en-US').padStart(9);
const range = (mode: string): string => {
  const rates = (byMode.get(mode) as Run[]).map(rate);
  return `${fmt(Math.min(...rates)).trim()}-${fmt(Math.max(...rates)).trim()}`;
};
process.stdout.write(`\nmedian of ${rounds} round(s)               events/s   seconds  CPU s  peak MB  events/s range\n`);
for (const [label, mode, run] of [
  ['parse ceiling (read + JSON.parse)', 'ceiling', ceiling],
  ['naive floor (TEXT UNIQUE, 1 stmt)', 'floor', floor],
  ['guidepost import (real path)', 'real', real],
] as const) {
  process.stdout.write(
    `${label.padEnd(34)} ${fmt(rate(run))} ${(run.ms / 1000).toFixed(2).padStart(9)} ${(run.cpuMs / 1000).toFixed(2).padStart(6)} ${String(run.peakRssMb).padStart(8)}  ${range(mode)}\n`,
  );
}
process.stdout.write(`\nreal / floor:   ${(rate(real) / rate(floor)).toFixed(2)}x\n`);
process.stdout.write(`real / ceiling: ${(rate(real) / rate(ceiling)).toFixed(2)}x\n`);
