/**
 * npm run bench:segments: the demo-sized cache (50,000 users, ~1M events) and a set of representative
 * rules, timed through the real count path (SegmentService.count: compile, then one SQLite query),
 * median of several runs each. In the same run the same data goes into DuckDB (@duckdb/node-api,
 * installed on demand into a scratch folder: it is no dependency of the app) and equivalent SQL is
 * timed there. Prints each rule's count, ms, and the ratio SQLite / DuckDB (at most 1.0 is the target).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openCache } from '../../src/main/db/connection';
import { DEMO_AS_OF, generateDemo } from '../../src/main/demo/generate';
import { refreshEventSummary } from '../../src/main/segments/event-summary';
import { refreshPropertyValues } from '../../src/main/segments/property-values';
import { SegmentService } from '../../src/main/segments/service';
import type { Rule } from '../../src/shared/segments/rule';

const RUNS = Number(process.env.BENCH_RUNS ?? 9);
const dir = join(tmpdir(), 'guidepost-bench');
mkdirSync(dir, { recursive: true });
const dbPath = join(dir, 'segments-demo.db');
const asOf = DEMO_AS_OF;
const DAY = 86_400_000;

const { db } = openCache(dbPath);
if (db.prepare('SELECT count(*) FROM users').pluck().get() === 0) {
  process.stdout.write('Generating the demo workspace…\n');
  await generateDemo(db);
}
const segments = new SegmentService(db, () => asOf);

/** The property filter: the one rule that reads event_property_values (its pair report_run / format). */
const PDF_REPORTS: Rule = {
  version: 1,
  match: 'all',
  conditions: [
    { type: 'event', event: 'report_run', op: '>=', count: 3, within: { days: 30 }, where: [{ property: 'format', op: 'eq', value: 'pdf' }] },
  ],
};

// The first count after new data refreshes event_user_summary, and the first count that filters on a
// (name, key) pair builds its event_property_values: timed here, outside the medians below.
const refreshMs = (): number => {
  const t = performance.now();
  if (!refreshEventSummary(db)) throw new Error('the summary could not be refreshed');
  return performance.now() - t;
};
const valuesMs = (): number => {
  const t = performance.now();
  if (refreshPropertyValues(db, PDF_REPORTS).size !== 1) throw new Error('the property values could not be refreshed');
  return performance.now() - t;
};
db.prepare("DELETE FROM kv WHERE key = 'event_summary_through'").run();
const rebuildMs = refreshMs();
db.exec('DELETE FROM event_property_values_through; DELETE FROM event_property_values');
const buildValuesMs = valuesMs();
// An append (a sync page, a small import): the newest events again under new ids, rolled back after.
const APPENDED = 10_000;
db.exec('BEGIN');
db.prepare(
  `INSERT INTO events (event_key, event_id, user_pk, name_id, ts, properties)
   SELECT -event_pk, 'bench-' || event_pk, user_pk, name_id, ts, properties FROM events ORDER BY event_pk DESC LIMIT ?`,
).run(APPENDED);
const foldMs = refreshMs();
const foldValuesMs = valuesMs();
db.exec('ROLLBACK');
db.exec('ANALYZE');
const nameId = (name: string): number => db.prepare('SELECT name_id FROM event_names WHERE name = ?').pluck().get(name) as number;

interface Case {
  label: string;
  rule: Rule;
  duck: string;
}

const inWindow = (name: string, days: number, extra = ''): string =>
  `SELECT user_pk FROM events WHERE name_id = ${nameId(name)} AND ts > ${asOf - days * DAY} AND ts <= ${asOf}${extra}`;
const universe = `SELECT count(*) FROM users WHERE first_seen <= ${asOf}`;

const cases: Case[] = [
  {
    label: 'event count in a window',
    rule: { version: 1, match: 'all', conditions: [{ type: 'event', event: 'report_run', op: '>=', count: 6, within: { days: 30 } }] },
    duck: `${universe} AND user_pk IN (${inWindow('report_run', 30)} GROUP BY user_pk HAVING count(*) >= 6)`,
  },
  {
    label: 'did / did not',
    rule: {
      version: 1,
      match: 'all',
      conditions: [
        { type: 'event', event: 'report_run', op: '>=', count: 6, within: { days: 30 } },
        { type: 'event', event: 'invite_sent', op: '=', count: 0 },
      ],
    },
    duck:
      `${universe} AND user_pk IN (${inWindow('report_run', 30)} GROUP BY user_pk HAVING count(*) >= 6)` +
      ` AND user_pk NOT IN (SELECT user_pk FROM events WHERE name_id = ${nameId('invite_sent')} AND ts <= ${asOf})`,
  },
  {
    label: 'nested any/all with a trait',
    rule: {
      version: 1,
      match: 'all',
      conditions: [
        { type: 'trait', trait: 'plan', op: 'in', value: ['starter', 'growth'] },
        {
          type: 'group',
          match: 'any',
          conditions: [
            { type: 'event', event: 'task_created', op: '>=', count: 10, within: { days: 30 } },
            { type: 'event', event: 'export_csv', op: '>=', count: 2, within: { days: 30 } },
          ],
        },
      ],
    },
    duck:
      `${universe} AND json_extract_string(traits, '$.plan') IN ('starter', 'growth') AND (` +
      `user_pk IN (${inWindow('task_created', 30)} GROUP BY user_pk HAVING count(*) >= 10) OR ` +
      `user_pk IN (${inWindow('export_csv', 30)} GROUP BY user_pk HAVING count(*) >= 2))`,
  },
  {
    label: 'a negated group',
    rule: {
      version: 1,
      match: 'all',
      conditions: [
        { type: 'event', event: 'login', op: '>=', count: 1, within: { days: 14 } },
        {
          type: 'group',
          match: 'any',
          negate: true,
          conditions: [
            { type: 'event', event: 'upgrade_clicked', op: '>=', count: 1 },
            { type: 'event', event: 'billing_viewed', op: '>=', count: 1 },
          ],
        },
      ],
    },
    duck:
      `${universe} AND user_pk IN (${inWindow('login', 14)}) AND NOT (` +
      `user_pk IN (SELECT user_pk FROM events WHERE name_id = ${nameId('upgrade_clicked')} AND ts <= ${asOf}) OR ` +
      `user_pk IN (SELECT user_pk FROM events WHERE name_id = ${nameId('billing_viewed')} AND ts <= ${asOf}))`,
  },
  {
    label: 'a where on a property',
    rule: PDF_REPORTS,
    duck: `${universe} AND user_pk IN (${inWindow('report_run', 30, ` AND json_extract_string(properties, '$.format') = 'pdf'`)} GROUP BY user_pk HAVING count(*) >= 3)`,
  },
];

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;

// DuckDB, installed on demand outside the project.
const duckDir = join(dir, 'duckdb');
if (!existsSync(join(duckDir, 'node_modules', '@duckdb', 'node-api'))) {
  process.stdout.write('Installing @duckdb/node-api for the comparison (benchmark only)…\n');
  mkdirSync(duckDir, { recursive: true });
  writeFileSync(join(duckDir, 'package.json'), '{"name":"guidepost-bench-duckdb","private":true}');
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '@duckdb/node-api@1.5.6-r.1'], { cwd: duckDir, stdio: 'inherit' });
}
/** The slice of @duckdb/node-api this benchmark uses (it is not installed in the project, so no types). */
interface DuckAppender {
  appendInteger(v: number): void;
  appendBigInt(v: bigint): void;
  appendVarchar(v: string): void;
  appendNull(): void;
  endRow(): void;
  closeSync(): void;
}
interface DuckConnection {
  run(sql: string): Promise<unknown>;
  createAppender(table: string): Promise<DuckAppender>;
  runAndReadAll(sql: string): Promise<{ getRows(): unknown[][] }>;
}
const duckdb = createRequire(join(duckDir, 'package.json'))('@duckdb/node-api') as {
  DuckDBInstance: { create(path: string, options: Record<string, string>): Promise<{ connect(): Promise<DuckConnection> }> };
};
const instance = await duckdb.DuckDBInstance.create(':memory:', { threads: '2' });
const con = await instance.connect();
await con.run('CREATE TABLE users (user_pk INTEGER, first_seen BIGINT, traits VARCHAR)');
await con.run('CREATE TABLE events (name_id INTEGER, user_pk INTEGER, ts BIGINT, properties VARCHAR)');
let appender = await con.createAppender('users');
for (const u of db.prepare('SELECT user_pk, first_seen, traits FROM users').iterate() as Iterable<{ user_pk: number; first_seen: number; traits: string }>) {
  appender.appendInteger(u.user_pk);
  appender.appendBigInt(BigInt(u.first_seen));
  appender.appendVarchar(u.traits);
  appender.endRow();
}
appender.closeSync();
appender = await con.createAppender('events');
for (const e of db.prepare('SELECT name_id, user_pk, ts, properties FROM events').iterate() as Iterable<{ name_id: number; user_pk: number; ts: number; properties: string | null }>) {
  appender.appendInteger(e.name_id);
  appender.appendInteger(e.user_pk);
  appender.appendBigInt(BigInt(e.ts));
  if (e.properties === null) appender.appendNull();
  else appender.appendVarchar(e.properties);
  appender.endRow();
}
appender.closeSync();

const events = db.prepare('SELECT count(*) FROM events WHERE name_id <> 0').pluck().get() as number;
process.stdout.write(`Cache: ${dbPath} (${(db.prepare('SELECT count(*) FROM users').pluck().get() as number).toLocaleString('en-US')} users, ${events.toLocaleString('en-US')} events), median of ${RUNS} runs\n\n`);
process.stdout.write(
  `event_user_summary: rebuilt in ${rebuildMs.toFixed(0)} ms (a new cache or changed events); ` +
    `${APPENDED.toLocaleString('en-US')} appended events folded in in ${foldMs.toFixed(1)} ms\n` +
    `event_property_values (report_run, format): built in ${buildValuesMs.toFixed(0)} ms (its first use, or changed events); ` +
    `the same ${APPENDED.toLocaleString('en-US')} appended events folded in in ${foldValuesMs.toFixed(1)} ms\n\n`,
);
process.stdout.write('rule                           members   sqlite ms   duckdb ms   ratio\n');
let worst = 0;
for (const c of cases) {
  const sqliteTimes: number[] = [];
  let count = 0;
  for (let i = 0; i < RUNS; i++) {
    const t = performance.now();
    count = segments.count(c.rule, asOf);
    sqliteTimes.push(performance.now() - t);
  }
  const duckTimes: number[] = [];
  let duckCount = 0;
  for (let i = 0; i < RUNS; i++) {
    const t = performance.now();
    const reader = await con.runAndReadAll(c.duck);
    duckCount = Number(reader.getRows()[0]?.[0]);
    duckTimes.push(performance.now() - t);
  }
  const s = median(sqliteTimes);
  const d = median(duckTimes);
  worst = Math.max(worst, s / d);
  const agree = count === duckCount ? '' : `  (DuckDB counted ${duckCount}!)`;
  process.stdout.write(`${c.label.padEnd(30)} ${String(count).padStart(7)} ${s.toFixed(1).padStart(11)} ${d.toFixed(1).padStart(11)} ${(s / d).toFixed(2).padStart(7)}${agree}\n`);
}
process.stdout.write(`\nworst ratio SQLite / DuckDB: ${worst.toFixed(2)} (target at most 1.0; every rule at most 30 ms)\n`);
db.close();
