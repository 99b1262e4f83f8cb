/**
 * File import: streams a file of Segment-spec records into the cache, counting every record exactly
 * once as imported, duplicate or rejected, and keeping a report. One transaction: a crash leaves the
 * cache as it was (import again: nothing doubles), and a cancel keeps what was read so far.
 */
import { ApiError } from '../../shared/errors';
import { normalizeRecord } from '../../shared/segment-spec';
import type { EventFileFormat, ImportError, ImportSummary } from '../../shared/types';
import type { Db } from '../db/connection';
import { createEventsRepo } from '../db/events-repo';
import { advanceDataAsOf } from './data-as-of';
import { readCsv, readJsonArray, readNdjson, type RawRecord, type ReadProgress } from './readers';
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
}

/** Above this many events already in the cache, an import keeps the indexes live instead of rebuilding them. */
const BULK_MAX_EXISTING = 2_000_000;

export async function importFile(db: Db, path: string, options: ImportOptions = {}): Promise<ImportSummary> {
  const clock = options.clock ?? Date.now;
  const started = clock();
  const { format, size } = sniffEventFile(path, options.format);
  const read = format === 'ndjson' ? readNdjson : format === 'json' ? readJsonArray : readCsv;
  const progress: ReadProgress = { bytes: 0 };
  let imported = 0;
  let duplicates = 0;
  let rejected = 0;
  let records = 0;
  const errors: ImportError[] = [];
  const reject = (line: number, reason: string): void => {
    rejected += 1;
    if (errors.length < MAX_REPORTED_ERRORS) errors.push({ line, reason });
  };
  const existing = createEventsRepo(db).countEvents();
  let state: 'done' | 'cancelled' = 'done';

  db.exec('BEGIN IMMEDIATE');
  try {
    const writer = new RecordWriter(db, existing <= BULK_MAX_EXISTING ? 'bulk' : 'indexed', options.keyBudget ?? BULK_KEY_BUDGET);
    try {
      for await (const batch of read(path, progress) as AsyncGenerator<RawRecord[]>) {
        for (const raw of batch) {
          records += 1;
          if (raw.error !== undefined) {
            reject(raw.line, raw.error);
            continue;
          }
          const result = normalizeRecord(raw.value, raw.bytes);
          if (!result.ok) {
            reject(raw.line, result.reason);
            continue;
          }
          if (writer.write(result.record) === 'imported') imported += 1;
          else duplicates += 1;
        }
        options.onProgress?.({ records, bytes: progress.bytes, totalBytes: size });
        if (options.checkpoint) await options.checkpoint();
      }
    } catch (err) {
      if (!(err instanceof ApiError && err.code === 'cancelled')) throw err;
      state = 'cancelled';
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
      bytes: progress.bytes,
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
