/**
 * File import: streams a file of Segment-spec records into the cache, counting every record exactly
 * once as imported, duplicate or rejected, and keeping a report. One transaction: a crash leaves the
 * cache as it was (import again: nothing doubles), and a cancel keeps what was read so far.
 *
 * Parsing runs on a parser thread beside the writing thread when a parser script is given (the app,
 * the CLI, the benchmark), and inline otherwise (unit tests, where a worker cannot load TypeScript).
 */
import { Worker } from 'node:worker_threads';
import { ApiError } from '../../shared/errors';
import type { EventFileFormat, ImportError, ImportSummary } from '../../shared/types';
import type { Db } from '../db/connection';
import { createEventsRepo } from '../db/events-repo';
import type { PropertyKeyTracker } from '../db/property-keys';
import { advanceDataAsOf } from './data-as-of';
import { unpackBatch, type ParserMessage, type ParserRequest, type ParserSetup } from './parser-protocol';
import { prepareFile, type PreparedBatch } from './prepare';
import { MAX_REPORTED_ERRORS, saveReport } from './reports';
import { sniffEventFile } from './sniff';
import { BULK_KEY_BUDGET, RecordWriter } from './writer';

export interface ImportProgress {
  records: number;
  bytes: number;
  totalBytes: number;
}

export interface ImportOptions {
  format?: EventFileFormat;
  clock?: () => number;
  onProgress?: (progress: ImportProgress) => void;
  /** Awaited between batches; throws ApiError('cancelled') to stop (what was read is kept). */
  checkpoint?: () => Promise<void>;
  /** Bulk mode's in-memory key budget (tests lower it to exercise the switch to indexed mode). */
  keyBudget?: number;
  /** The built parse-worker script; without it, parsing runs inline on this thread. */
  parserScript?: URL;
}

/** Above this many events already in the cache, an import keeps the indexes live instead of rebuilding them. */
const BULK_MAX_EXISTING = 2_000_000;

/** Batches from a parser thread, with the property keys it collected once it is done. */
async function* parseOnWorker(script: URL, setup: ParserSetup, propertyKeys: PropertyKeyTracker): AsyncGenerator<PreparedBatch> {
  const worker = new Worker(script, { workerData: setup });
  const queue: ParserMessage[] = [];
  let wake: (() => void) | null = null;
  let failure: Error | null = null;
  worker.on('message', (message: ParserMessage) => {
    queue.push(message);
    wake?.();
  });
  worker.on('error', (err) => {
    failure = err;
    wake?.();
  });
  try {
    for (;;) {
      while (queue.length === 0 && failure === null) await new Promise<void>((resolve) => (wake = resolve));
      if (failure !== null) throw failure;
      const message = queue.shift() as ParserMessage;
      if (message.type === 'error') throw new Error(message.message);
      if (message.type === 'done') {
        propertyKeys.merge(message.propertyKeys);
        return;
      }
      const credit: ParserRequest = { type: 'credit' };
      worker.postMessage(credit);
      yield unpackBatch(message);
    }
  } finally {
    await worker.terminate();
  }
}

export async function importFile(db: Db, path: string, options: ImportOptions = {}): Promise<ImportSummary> {
  const clock = options.clock ?? Date.now;
  const started = clock();
  const { format, size } = sniffEventFile(path, options.format);
  let imported = 0;
  let duplicates = 0;
  let rejected = 0;
  let records = 0;
  let bytes = 0;
  const errors: ImportError[] = [];
  const existing = createEventsRepo(db).countEvents();
  let state: 'done' | 'cancelled' = 'done';

  db.exec('BEGIN IMMEDIATE');
  try {
    const writer = new RecordWriter(db, existing <= BULK_MAX_EXISTING ? 'bulk' : 'indexed', options.keyBudget ?? BULK_KEY_BUDGET);
    const batches = options.parserScript
      ? parseOnWorker(options.parserScript, { path, format }, writer.propertyKeys)
      : prepareFile(path, format, writer.propertyKeys);
    try {
      for await (const batch of batches) {
        records += batch.count;
        bytes = batch.bytes;
        rejected += batch.rejects.length;
        for (const reject of batch.rejects) {
          if (errors.length >= MAX_REPORTED_ERRORS) break;
          errors.push(reject);
        }
        for (const record of batch.records) {
          if (writer.write(record) === 'imported') imported += 1;
          else duplicates += 1;
        }
        options.onProgress?.({ records, bytes, totalBytes: size });
        if (options.checkpoint) await options.checkpoint();
      }
    } catch (err) {
      if (!(err instanceof ApiError && err.code === 'cancelled')) throw err;
      state = 'cancelled';
      await batches.return(undefined);
    }
    writer.finish();
    if (writer.newestTs !== null) advanceDataAsOf(db, writer.newestTs, 'import');
    const users = createEventsRepo(db).countUsers();
    const ms = Math.max(0, clock() - started);
    const reportId = saveReport(db, {
      kind: 'file',
      source: path,
      format,
      startedAt: started,
      ms,
      state,
      imported,
      duplicates,
      rejected,
      users,
      bytes,
      errors,
      message: state === 'cancelled' ? 'Cancelled: the records read before the cancel were kept.' : null,
    });
    db.exec('COMMIT');
    return { imported, duplicates, rejected, errors, users, ms, reportId, state };
  } catch (err) {
    if (db.inTransaction) db.exec('ROLLBACK');
    throw err;
  }
}
