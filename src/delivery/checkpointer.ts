/**
 * WAL checkpoints off the request path. SQLite checkpoints in the connection whose commit takes the WAL
 * past wal_autocheckpoint pages (1,000 by default): on the server's one connection that is some decide's
 * or ingest's turn of the event loop, which then copies every page of the WAL into the database and waits
 * for two fsyncs. On the benchmark's first-time users that was over half the wall time of storing an
 * assignment (docs/PERFORMANCE.md, delivery).
 *
 * Here a worker thread with a connection of its own runs a PASSIVE checkpoint every `intervalMs`: it
 * copies what is committed without waiting for, or blocking, the server's reads and writes, and the
 * server's next write starts the WAL over once everything in it is copied. The server's own connection
 * keeps an automatic checkpoint only as a safety net (SAFETY_NET_PAGES), for a WAL the worker does not
 * keep small (a thread that died, a disk that cannot keep up).
 *
 * The worker's code is a string run with `eval`: the server runs from the built CLI and from the
 * sources under test alike, and both resolve better-sqlite3 here and hand the worker its path.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { DeliveryDb } from './db';

/** How often the worker checkpoints: at most this long of writes waits in the WAL. */
export const CHECKPOINT_INTERVAL_MS = 100;
/** SQLite's own default: the server's connection checkpoints past this many WAL pages when the worker is not there. */
const DEFAULT_AUTOCHECKPOINT_PAGES = 1_000;
/** With the worker running, the server's connection checkpoints only past this many pages (64 MB of 4 KB pages). */
export const SAFETY_NET_PAGES = 16_000;

export interface CheckpointerOptions {
  intervalMs?: number;
  /** Where a worker that fails is reported (the server then checkpoints as SQLite does by default). */
  log?: (line: string) => void;
}

export interface CheckpointStats {
  checkpoints: number;
  walFrames: number;
  copiedFrames: number;
}

export interface Checkpointer {
  /** Checkpoints the worker ran, and what the last one found: frames in the WAL, and how many of them are copied (for tests and diagnostics). */
  stats(): Promise<CheckpointStats>;
  /** Stops the worker and closes its connection; the server's connection checkpoints as by default again. Call before closing the database. */
  stop(): Promise<void>;
}

/** The worker: opens the database, checkpoints PASSIVE on a timer, answers 'stats', closes on 'stop'. */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.sqlite);
const db = new Database(workerData.path, { fileMustExist: true });
// A PASSIVE checkpoint never waits on a lock: a busy database is simply copied on the next tick.
db.pragma('busy_timeout = 0');
const stats = { checkpoints: 0, walFrames: 0, copiedFrames: 0 };
const tick = () => {
  const row = db.pragma('wal_checkpoint(PASSIVE)')[0];
  stats.checkpoints += 1;
  stats.walFrames = row.log;
  stats.copiedFrames = row.checkpointed;
};
const timer = setInterval(() => {
  try {
    tick();
  } catch (err) {
    clearInterval(timer);
    db.close();
    throw err;
  }
}, workerData.intervalMs);
parentPort.on('message', (message) => {
  if (message === 'stats') parentPort.postMessage(stats);
  else if (message === 'stop') {
    clearInterval(timer);
    db.close();
    parentPort.close();
  }
});
`;

/**
 * Starts checkpointing `db` (the file at `path`, in WAL mode) from a worker thread. The server's connection
 * keeps checkpointing by itself only past SAFETY_NET_PAGES, and as by default again once the worker stops or fails.
 */
export function startCheckpointer(db: DeliveryDb, path: string, options: CheckpointerOptions = {}): Checkpointer {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const sqlite = createRequire(import.meta.url).resolve('better-sqlite3');
  const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { sqlite, path, intervalMs: options.intervalMs ?? CHECKPOINT_INTERVAL_MS } });
  // The timer keeps the thread alive, not the process: a server that ends without stop() still exits.
  worker.unref();
  db.pragma(`wal_autocheckpoint = ${SAFETY_NET_PAGES}`);
  let running = true;
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  const fallBack = (): void => {
    running = false;
    if (db.open) db.pragma(`wal_autocheckpoint = ${DEFAULT_AUTOCHECKPOINT_PAGES}`);
  };
  worker.once('error', (err) => {
    fallBack();
    log(`guidepost delivery: the checkpoint thread failed (the server checkpoints by itself again): ${err.message}`);
  });
  void exited.then(fallBack);
  return {
    stats: () =>
      new Promise((resolve, reject) => {
        if (!running) {
          reject(new Error('the checkpoint thread is not running'));
          return;
        }
        worker.once('message', (stats: CheckpointStats) => resolve(stats));
        worker.postMessage('stats');
      }),
    async stop() {
      // Held again while it closes: an unreferenced thread would let the process end before its exit is seen.
      worker.ref();
      if (running) worker.postMessage('stop');
      await exited;
    },
  };
}
