/**
 * One reference measurement of `npm run bench:import` (the real path is the built CLI itself), run in
 * its own process so its peak memory is its own.
 * Usage: import-run.ts <floor|ceiling> <file.ndjson> <db>
 * Prints one JSON line: {"mode", "events", "ms", "cpuMs", "peakRssMb"}.
 */
import { createReadStream, rmSync } from 'node:fs';
import { createInterface } from 'node:readline';
import Database from 'better-sqlite3';

const [mode, file, dbPath] = process.argv.slice(2) as [string, string, string];
for (const suffix of ['', '-wal', '-shm']) rmSync(dbPath + suffix, { force: true });

let peakRss = process.memoryUsage().rss;
const sampler = setInterval(() => {
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
}, 50);

async function run(): Promise<number> {
  const lines = createInterface({ input: createReadStream(file, { highWaterMark: 1 << 20 }), crlfDelay: Infinity });
  if (mode === 'ceiling') {
    let n = 0;
    for await (const line of lines) {
      if (line) {
        JSON.parse(line);
        n += 1;
      }
    }
    return n;
  }
  // The naive floor: parse each line, INSERT OR IGNORE keyed by the messageId as TEXT UNIQUE, one transaction.
  const db = new Database(dbPath);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec('CREATE TABLE events (message_id TEXT UNIQUE, user_id TEXT, name TEXT, ts INTEGER, properties TEXT)');
  const insert = db.prepare('INSERT OR IGNORE INTO events VALUES (?, ?, ?, ?, ?)');
  let n = 0;
  db.exec('BEGIN');
  for await (const line of lines) {
    if (!line) continue;
    // The fields where today's file and the real-shaped ones have them (a visitor's anonymousId until it
    // identifies, originalTimestamp where an SDK wrote no timestamp): still no validation at all.
    const e = JSON.parse(line) as { messageId: string; userId?: string; anonymousId?: string; event?: string; timestamp?: string | number; originalTimestamp?: string; properties?: unknown; traits?: unknown };
    const time = e.timestamp ?? e.originalTimestamp ?? '';
    insert.run(e.messageId, e.userId ?? e.anonymousId ?? null, e.event ?? null, typeof time === 'number' ? time : Date.parse(time), JSON.stringify(e.properties ?? e.traits ?? null));
    n += 1;
  }
  db.exec('COMMIT');
  db.close();
  return n;
}

const started = performance.now();
const cpuBefore = process.cpuUsage();
const events = await run();
const ms = performance.now() - started;
// CPU time of every thread of the process: steadier than wall time when the machine is busy.
const cpu = process.cpuUsage(cpuBefore);
clearInterval(sampler);
peakRss = Math.max(peakRss, process.memoryUsage().rss, process.resourceUsage().maxRSS * 1024);
process.stdout.write(`${JSON.stringify({ mode, events, ms: Math.round(ms), cpuMs: Math.round((cpu.user + cpu.system) / 1000), peakRssMb: Math.round(peakRss / 1048576) })}\n`);
