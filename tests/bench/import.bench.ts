/**
 * npm run bench:import [-- <records> [<rounds>]]: measures the import side by side on three NDJSON files of
 * the same number of records (tests/bench/real-shaped.ts writes them):
 *   - today's file: flat track and identify calls written by JSON.stringify;
 *   - real-shaped records, compact, keys in alphabetical order (as archives and warehouses write them);
 *   - the same records in Python's spaced JSON, keys in a random order;
 * and then the real path alone on a file of many users (2M events from 500,000 users), for its peak memory.
 * For each file, each in its own process on the same file:
 *   - the parse ceiling: one thread that reads the file and JSON.parses every line, nothing else;
 *   - the naive floor: JSON.parse + INSERT OR IGNORE keyed by the messageId as TEXT UNIQUE, one transaction;
 *   - the real path (parse, validate, dedupe, insert, indexes, report) into a fresh cache: the built CLI,
 *     `guidepost import <file> --db <new> --json`, exactly as a user runs it.
 * The three take turns for a few rounds (3 by default), so a slow spell of a shared machine hits them
 * alike; the table gives each one's median round, and the ratios compare medians. Rates count the file's
 * records (imported, duplicate or rejected alike); MB/s the file's bytes. Each file also gets the share of
 * records the fast path takes and why it declines the rest (fast-path-share.ts).
 *
 * Sizes: BENCH_RECORDS (or the first argument; default 1,000,000), BENCH_ROUNDS (or the second; 3),
 * BENCH_MANY_EVENTS and BENCH_MANY_USERS (2,000,000 and 500,000; BENCH_MANY_EVENTS=0 skips that run),
 * BENCH_FILES (a comma list of today, compact, python; default all three). Files are generated once
 * into $TMPDIR/guidepost-bench and reused.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeManyUsersFile, writeRealShapedFile, writeTodaysFile } from './real-shaped';

const count = (value: string | undefined, fallback: number): number => {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new Error(`not a whole number: ${value}`);
  return n;
};
const records = count(process.env.BENCH_RECORDS ?? process.argv[2], 1_000_000);
const rounds = Math.max(1, count(process.env.BENCH_ROUNDS ?? process.argv[3], 3));
const manyEvents = count(process.env.BENCH_MANY_EVENTS, 2_000_000);
const manyUsers = count(process.env.BENCH_MANY_USERS, 500_000);
const dir = join(tmpdir(), 'guidepost-bench');
mkdirSync(dir, { recursive: true });

interface BenchFile {
  key: string;
  label: string;
  path: string;
  write: (path: string) => void;
}

/** Generator versions in the names, so a changed generator never reuses a stale file. */
const FILES: BenchFile[] = [
  { key: 'today', label: "today's file (flat, JSON.stringify)", path: join(dir, `events-${records}.ndjson`), write: (path) => writeTodaysFile(path, records) },
  {
    key: 'compact',
    label: 'real-shaped, compact, alphabetical keys',
    path: join(dir, `real-v1-compact-${records}.ndjson`),
    write: (path) => writeRealShapedFile(path, records, 'compact-sorted'),
  },
  {
    key: 'python',
    label: "real-shaped, Python's spaced JSON, mixed key order",
    path: join(dir, `real-v1-python-${records}.ndjson`),
    write: (path) => writeRealShapedFile(path, records, 'python-spaced'),
  },
];
const chosen = (process.env.BENCH_FILES ?? 'today,compact,python').split(',').map((key) => key.trim());
const files = FILES.filter((file) => chosen.includes(file.key));

function ensure(path: string, write: (path: string) => void, what: string): void {
  if (existsSync(path)) return;
  process.stdout.write(`Generating ${what} into ${path}…\n`);
  write(path);
}

interface Run {
  mode: string;
  /** Records in the file the run went through. */
  records: number;
  ms: number;
  cpuMs: number;
  peakRssMb: number;
  imported?: number;
  duplicates?: number;
  rejected?: number;
}

function measure(mode: string, file: string): Run {
  const db = join(dir, `bench-${mode}.db`);
  for (const suffix of ['', '-wal', '-shm', '-journal']) rmSync(db + suffix, { force: true });
  if (mode === 'real') {
    // The product's own path: the built CLI, measured from outside (usage-on-exit.mjs reports its CPU
    // time and peak RSS); its "ms" is the import's, like the references' (process start-up excluded).
    const result = spawnSync(process.execPath, ['--import', './tests/bench/usage-on-exit.mjs', 'out/main/cli.js', 'import', file, '--db', db, '--json'], {
      encoding: 'utf8',
      maxBuffer: 1 << 26,
    });
    if (result.status !== 0) throw new Error(`the CLI import failed:\n${result.stderr}${result.stdout.slice(0, 2000)}`);
    const summary = JSON.parse(result.stdout) as { imported: number; duplicates: number; rejected: number; ms: number };
    const usage = JSON.parse(/GUIDEPOST_USAGE (.*)/.exec(result.stderr)?.[1] ?? 'null') as { cpuMs: number; peakRssMb: number } | null;
    if (!usage) throw new Error(`no usage report from the CLI:\n${result.stderr}`);
    const { imported, duplicates, rejected, ms } = summary;
    return { mode, records: imported + duplicates + rejected, ms, ...usage, imported, duplicates, rejected };
  }
  const result = spawnSync(process.execPath, ['--import', './scripts/register-ts.mjs', 'tests/bench/import-run.ts', mode, file, db], {
    encoding: 'utf8',
    maxBuffer: 1 << 24,
  });
  if (result.status !== 0) throw new Error(`${mode} failed:\n${result.stderr}`);
  const run = JSON.parse(result.stdout.trim().split('\n').pop() as string) as Omit<Run, 'records'> & { events: number };
  return { ...run, records: run.events };
}

function fastPathShare(file: string): { records: number; fast: number; reasons: Record<string, number> } {
  const result = spawnSync(process.execPath, ['--import', './scripts/register-ts.mjs', 'tests/bench/fast-path-share.ts', file], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`fast-path-share failed:\n${result.stderr}`);
  return JSON.parse(result.stdout.trim()) as { records: number; fast: number; reasons: Record<string, number> };
}

const MODES = ['ceiling', 'floor', 'real'] as const;
const LABELS: Record<(typeof MODES)[number], string> = {
  ceiling: 'parse ceiling (read + JSON.parse)',
  floor: 'naive floor (TEXT UNIQUE, 1 stmt)',
  real: 'guidepost import (real path)',
};
const fmt = (n: number, width = 9): string => Math.round(n).toLocaleString('en-US').padStart(width);
const rate = (run: Run): number => (run.records / run.ms) * 1000;

interface FileResult {
  file: BenchFile;
  mb: number;
  medians: Record<(typeof MODES)[number], Run>;
}
const results: FileResult[] = [];

for (const file of files) {
  ensure(file.path, file.write, `${records.toLocaleString('en-US')} records, ${file.label}`);
  const mb = statSync(file.path).size / 1048576;
  process.stdout.write(`\n== ${file.label}: ${file.path} (${mb.toFixed(0)} MB, ${records.toLocaleString('en-US')} records, ${((mb * 1048576) / records).toFixed(0)} B each)\n`);
  const share = fastPathShare(file.path);
  const percent = (n: number): string => `${((n / share.records) * 100).toFixed(1)} %`;
  process.stdout.write(`fast path takes ${percent(share.fast)}; the general path takes the rest:\n`);
  for (const [reason, n] of Object.entries(share.reasons)) process.stdout.write(`  ${percent(n).padStart(7)}  ${reason}\n`);
  const byMode = new Map<string, Run[]>(MODES.map((mode) => [mode, []]));
  for (let round = 1; round <= rounds; round++) {
    for (const mode of MODES) {
      const run = measure(mode, file.path);
      byMode.get(mode)?.push(run);
      process.stdout.write(`round ${round}/${rounds} ${mode.padEnd(7)} ${(run.ms / 1000).toFixed(2)} s, CPU ${(run.cpuMs / 1000).toFixed(2)} s, ${run.peakRssMb} MB\n`);
    }
  }
  const median = (mode: string): Run => {
    const sorted = [...(byMode.get(mode) as Run[])].sort((a, b) => a.ms - b.ms);
    return sorted[Math.floor((sorted.length - 1) / 2)] as Run;
  };
  const medians = { ceiling: median('ceiling'), floor: median('floor'), real: median('real') };
  results.push({ file, mb, medians });
  process.stdout.write(`\nmedian of ${rounds} round(s)               events/s     MB/s   seconds  CPU s  peak MB  events/s range\n`);
  for (const mode of MODES) {
    const run = medians[mode];
    const rates = (byMode.get(mode) as Run[]).map(rate);
    process.stdout.write(
      `${LABELS[mode].padEnd(34)} ${fmt(rate(run))} ${((mb / run.ms) * 1000).toFixed(1).padStart(8)} ${(run.ms / 1000).toFixed(2).padStart(9)} ${(run.cpuMs / 1000).toFixed(2).padStart(6)} ${String(run.peakRssMb).padStart(8)}  ${fmt(Math.min(...rates)).trim()}-${fmt(Math.max(...rates)).trim()}\n`,
    );
  }
  const { real } = medians;
  process.stdout.write(
    `real / ceiling ${(rate(real) / rate(medians.ceiling)).toFixed(2)}x, real / floor ${(rate(real) / rate(medians.floor)).toFixed(2)}x ` +
      `(imported ${real.imported?.toLocaleString('en-US')}, duplicates ${real.duplicates?.toLocaleString('en-US')}, rejected ${real.rejected?.toLocaleString('en-US')})\n`,
  );
}

let many: Run | null = null;
if (manyEvents > 0) {
  const path = join(dir, `many-users-v1-${manyEvents}-${manyUsers}.ndjson`);
  ensure(path, (p) => writeManyUsersFile(p, manyEvents, manyUsers), `${manyEvents.toLocaleString('en-US')} events from ${manyUsers.toLocaleString('en-US')} users`);
  process.stdout.write(`\n== many users: ${path} (${(statSync(path).size / 1048576).toFixed(0)} MB), the real path once\n`);
  many = measure('real', path);
  process.stdout.write(`${(many.ms / 1000).toFixed(2)} s, CPU ${(many.cpuMs / 1000).toFixed(2)} s, peak RSS ${many.peakRssMb} MB\n`);
}

process.stdout.write(`\nSummary (medians of ${rounds} round(s); events/s and MB/s)\n`);
process.stdout.write(`${'file'.padEnd(52)} ${'ceiling'.padStart(17)} ${'floor'.padStart(17)} ${'real'.padStart(17)}  real/ceil  real/floor  peak MB (real)\n`);
for (const { file, mb, medians } of results) {
  const cell = (run: Run): string => `${fmt(rate(run))} ${((mb / run.ms) * 1000).toFixed(1).padStart(7)}`;
  process.stdout.write(
    `${file.label.padEnd(52)} ${cell(medians.ceiling)} ${cell(medians.floor)} ${cell(medians.real)}  ${(rate(medians.real) / rate(medians.ceiling)).toFixed(2).padStart(8)}x ${(rate(medians.real) / rate(medians.floor)).toFixed(2).padStart(10)}x  ${String(medians.real.peakRssMb).padStart(14)}\n`,
  );
}
if (many) process.stdout.write(`${`${manyEvents.toLocaleString('en-US')} events, ${manyUsers.toLocaleString('en-US')} users (real path)`.padEnd(52)} ${' '.repeat(17 * 3 + 2)}${' '.repeat(22)}  ${String(many.peakRssMb).padStart(14)}\n`);
process.stdout.write('Targets (issue 15): real >= 1.0x the ceiling on both real-shaped files, no regression on today\'s file, peak RSS <= 300 MB.\n');
