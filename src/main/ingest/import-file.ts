/**
 * File import: streams a file of Segment-spec records into the cache, counting every record exactly
 * once as imported, duplicate or rejected, and keeping a report. One transaction: a crash leaves the
 * cache as it was (import again: nothing doubles), and a cancel keeps what was read so far.
 *
 * Parsing runs on parser threads beside the writing thread when a parser script is given (the app,
 * the CLI, the benchmark), and inline otherwise (unit tests, where a worker cannot load TypeScript).
 */
import { ApiError } from '../../shared/errors';
import type { EventFileFormat, ImportDetails, ImportError, ImportSummary } from '../../shared/types';
import { useRollbackJournal, type Db } from '../db/connection';
import { createEventsRepo } from '../db/events-repo';
import { advanceDataAsOf } from './data-as-of';
import { parseOnThreads } from './parse/parser-threads';
import { parseInline } from './parse/pack';
import { MAX_REPORTED_ERRORS, reportedError, saveReport } from './reports';
import { sniffEventFile } from './parse/sniff';
import { describeWarehouseTable } from './parse/warehouse';
import { RecordWriter, writerModeFor, type WriterMode } from './write/writer';

export interface ImportProgress {
  records: number;
  bytes: number;
  totalBytes: number;
}

export interface ImportOptions {
  format?: EventFileFormat;
  /** The IANA zone of the file's zone-less date-times (UTC when absent); the contract has checked it. */
  timeZone?: string;
  /** The import's wall clock: its report's times, and what counts as future-dated (a day past it). */
  clock?: () => number;
  onProgress?: (progress: ImportProgress) => void;
  /** Awaited between batches; throws ApiError('cancelled') to stop (what was read is kept). */
  checkpoint?: () => Promise<void>;
  /** Forces a writer mode (tests compare both); by default writerModeFor the cache's size and the file's. */
  mode?: WriterMode;
  /** Keys a bulk import dedupes in memory before it turns to the key index (tests lower it). */
  bulkKeyLimit?: number;
  /** The record key of an id (RecordWriterOptions.recordKey): tests give a weak hash to make ids collide. */
  recordKey?: (id: string) => number;
  /** Identity links held before they are written (RecordWriterOptions.identityLinksLimit; tests lower it). */
  identityLinksLimit?: number;
  /** The built parse-worker script; without it, parsing runs inline on this thread. */
  parserScript?: URL;
  /** Bytes per range when two parser threads share an NDJSON file (tests lower it to split small files). */
  parserRangeBytes?: number;
  /** The share of users the cache keeps, in percent (RecordWriterOptions.samplePercent; 100 when absent). */
  samplePercent?: number;
}

/** Records dated more than this after the import's clock are future-dated (see RecordWriter.futureAfter). */
const FUTURE_AFTER_MS = 86_400_000;
/**
 * Bytes per record assumed when estimating a file's records from its size, for the writer's mode: the
 * small end of real records (the benchmark's are ~190 bytes, real exports ~1 KB), so a file is never
 * taken for smaller than it is.
 */
const ESTIMATE_RECORD_BYTES = 200;
/**
 * The import's page cache, in KiB as PRAGMA cache_size takes it (negative). Small: a bulk load only
 * appends to a table without indexes, and the memory goes to the parser threads instead.
 */
const IMPORT_CACHE_KIB = -8_192;

export async function importFile(db: Db, path: string, options: ImportOptions = {}): Promise<ImportSummary> {
  const clock = options.clock ?? Date.now;
  const started = clock();
  const { format, size, contentSize, gzip, objects, warehouse } = sniffEventFile(path, options.format);
  const packaging = { gzip, objects };
  let envelopes = 0;
  let imported: number;
  let duplicates: number;
  let rejected = 0;
  let records = 0;
  let bytes = 0;
  let zoneless = 0;
  const errors: ImportError[] = [];
  const existing = createEventsRepo(db).countEvents();
  let state: 'done' | 'cancelled' = 'done';

  // A smaller page cache while importing keeps memory flat whatever the file's size; queries get it back after.
  const cacheSize = db.pragma('cache_size', { simple: true }) as number;
  db.pragma(`cache_size = ${IMPORT_CACHE_KIB}`);
  // From what the file holds, not its bytes on disk: a gzip archive is several times smaller than its events.
  const mode = options.mode ?? writerModeFor(existing, contentSize / ESTIMATE_RECORD_BYTES);
  const restoreJournal = mode === 'bulk' ? useRollbackJournal(db) : null;
  try {
    db.exec('BEGIN IMMEDIATE');
    const writer = new RecordWriter(db, mode, {
      ...(options.bulkKeyLimit === undefined ? {} : { keySetLimit: options.bulkKeyLimit }),
      ...(options.recordKey ? { recordKey: options.recordKey } : {}),
      ...(options.identityLinksLimit === undefined ? {} : { identityLinksLimit: options.identityLinksLimit }),
      ...(options.samplePercent === undefined ? {} : { samplePercent: options.samplePercent }),
    });
    writer.futureAfter = started + FUTURE_AFTER_MS;
    const batches = options.parserScript
      ? parseOnThreads(options.parserScript, path, format, size, writer.shapes, writer, options.parserRangeBytes, options.timeZone, packaging)
      : parseInline(path, format, writer.shapes, writer, options.timeZone, packaging);
    try {
      for await (const batch of batches) {
        records += batch.count;
        bytes = batch.bytes;
        zoneless += batch.zoneless;
        envelopes += batch.envelopes ?? 0;
        rejected += batch.rejects.length;
        for (const reject of batch.rejects) {
          if (errors.length >= MAX_REPORTED_ERRORS) break;
          errors.push(reportedError(reject, errors.length));
        }
        if (records === batch.count && batch.bytes > 0) writer.expectRecords(Math.ceil((size / batch.bytes) * records));
        // One path whichever thread parsed: every batch carries rows.
        writer.writeRows(batch.rows);
        options.onProgress?.({ records, bytes, totalBytes: size });
        if (options.checkpoint) await options.checkpoint();
      }
    } catch (err) {
      if (!(err instanceof ApiError && err.code === 'cancelled')) throw err;
      state = 'cancelled';
      await batches.return(undefined);
    }
    writer.finish();
    imported = writer.imported;
    duplicates = writer.duplicates;
    if (writer.newestTs !== null) advanceDataAsOf(db, writer.newestTs, 'import');
    const users = createEventsRepo(db).countUsers();
    const ms = Math.max(0, clock() - started);
    const recognized = warehouse ? `${describeWarehouseTable(warehouse.kind, warehouse.table)}${gzip ? ' (CSV, gzip)' : ' (CSV)'}` : packagingLabel(format, gzip, objects, envelopes, records);
    const details: ImportDetails = {
      ...(recognized !== null ? { recognized } : {}),
      ...(writer.replaced > 0 ? { replaced: writer.replaced } : {}),
      ...(zoneless > 0 ? { zoneless } : {}),
      ...(options.timeZone ? { timeZone: options.timeZone } : {}),
      ...(writer.futureDated > 0 ? { futureDated: writer.futureDated, latestFutureTs: writer.latestFutureTs as number } : {}),
      ...writer.conflictDetails(),
      ...writer.identityDetails(),
      ...(writer.erasedSkipped > 0 ? { erasedSkipped: writer.erasedSkipped } : {}),
      ...(writer.sampledOut > 0 ? { sampledOut: writer.sampledOut } : {}),
    };
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
      details,
    });
    db.exec('COMMIT');
    return { imported, duplicates, rejected, errors, users, ms, reportId, state, ...(Object.keys(details).length > 0 ? { details } : {}) };
  } catch (err) {
    if (db.inTransaction) db.exec('ROLLBACK');
    throw err;
  } finally {
    db.pragma(`cache_size = ${cacheSize}`);
    restoreJournal?.();
  }
}

const FORMAT_NAMES: Record<EventFileFormat, string> = { ndjson: 'NDJSON', json: 'JSON', csv: 'CSV' };

/**
 * What the report says the file was, when there was more to it than its format: "NDJSON (gzip)",
 * "batch envelopes (NDJSON lines)", "batch envelope (JSON, gzip)", "one JSON object"; null for a plain
 * NDJSON, JSON array or CSV file, which the report's format names.
 */
export function packagingLabel(format: EventFileFormat, gzip: boolean, objects: boolean, envelopes: number, records: number): string | null {
  if (!gzip && !objects && envelopes === 0) return null;
  const name = FORMAT_NAMES[format];
  const gz = gzip ? ', gzip' : '';
  if (envelopes > 0) return `${envelopes === 1 ? 'batch envelope' : 'batch envelopes'} (${format === 'ndjson' ? 'NDJSON lines' : name}${gz})`;
  if (objects) return `${records === 1 ? 'one JSON object' : 'JSON objects'}${gzip ? ' (gzip)' : ''}`;
  return `${format === 'json' ? 'JSON array' : name} (gzip)`;
}
