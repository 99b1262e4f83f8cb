/**
 * What every sync shares, whatever it reads from (a delivery server's export, a PostgreSQL warehouse):
 * a page of records is written in one transaction together with the position it reached, so a sync
 * killed at any instant resumes where it stopped with nothing lost or doubled; and each run, finished,
 * cancelled or failed, leaves a report.
 */
import type { ImportDetails, ImportError, SyncSummary } from '../../shared/types';
import type { Db } from '../db/connection';
import { createEventsRepo } from '../db/events-repo';
import { createKvRepo, type KvRepo } from '../db/kv';
import { prepareRaw } from './parse/prepare';
import { jsonText, withExcerpt } from './parse/excerpt';
import { MAX_REPORTED_ERRORS, reportedError, saveReport } from './reports';
import { eraseUserFromCache } from './write/erase';
import { CONFLICT_EXAMPLES, RecordWriter, type RecordWriterOptions } from './write/writer';

/** A run's counts and its first rejections, as its pages add to them. */
export interface SyncTally {
  summary: SyncSummary;
  errors: ImportError[];
  /** Records that replaced a stored warehouse `tracks` row (among `imported`). */
  replaced: number;
}

export function newSyncTally(): SyncTally {
  return { summary: { fetched: 0, imported: 0, duplicates: 0, rejected: 0, pages: 0, ms: 0 }, errors: [], replaced: 0 };
}

/**
 * One item of a page: a record to write, or one refused before it became a record; both at their
 * location. `replaceable`: a warehouse `tracks` row, which the per-event row with its id replaces.
 * `accountRow`: a warehouse `accounts` row, an account's traits with no user.
 * `excerpt`: the text a rejection shows, when it is not the record's JSON (a warehouse row's columns),
 * made only for a rejected item.
 */
export type PageItem =
  | { raw: unknown; at: Omit<ImportError, 'reason'>; replaceable?: boolean; accountRow?: boolean; excerpt?: () => string }
  | { rejected: string; at: Omit<ImportError, 'reason'>; excerpt?: () => string }
  /** A delivery server's erase marker: the user (and every id merged into them) leaves the cache, tombstoned at `erasedAt`. */
  | { erase: { userId: string; erasedAt: number }; at: Omit<ImportError, 'reason'> };

/**
 * Writes a page's items and, in the same transaction, whatever `savePosition` stores in the kv table
 * (the cursor or checkpoint the page reached). Nothing of a page that fails is kept. Counts the page's
 * items as fetched.
 */
export function commitSyncPage(
  db: Db,
  items: readonly PageItem[],
  tally: SyncTally,
  savePosition: (kv: KvRepo) => void,
  writerOptions: Pick<RecordWriterOptions, 'recordKey' | 'samplePercent'> = {},
): void {
  const { summary, errors } = tally;
  const kv = createKvRepo(db);
  db.exec('BEGIN IMMEDIATE');
  try {
    const { recordKey } = writerOptions;
    const newWriter = (): RecordWriter => new RecordWriter(db, 'indexed', writerOptions);
    let writer = newWriter();
    for (const item of items) {
      if ('erase' in item) {
        // The records before the marker are written first, and those after it by a writer that knows the tombstones.
        finishWriter(writer, tally);
        eraseUserFromCache(db, item.erase.userId, item.erase.erasedAt, recordKey);
        summary.usersErased = (summary.usersErased ?? 0) + 1;
        writer = newWriter();
        continue;
      }
      const prepared = 'raw' in item ? prepareRaw(item.raw, writer.shapeNumbers, undefined, undefined, item.accountRow === true) : item.rejected;
      if (typeof prepared === 'string') {
        summary.rejected += 1;
        if (errors.length < MAX_REPORTED_ERRORS) errors.push(reportedError(withExcerpt({ ...item.at, reason: prepared }, item.excerpt ? item.excerpt() : 'raw' in item ? jsonText(item.raw) : undefined), errors.length));
      } else writer.write({ ...prepared, line: item.at.line, ...('raw' in item && item.replaceable ? { replaceable: true } : {}) });
    }
    finishWriter(writer, tally);
    savePosition(kv);
    db.exec('COMMIT');
  } catch (err) {
    db.exec('ROLLBACK');
    throw err;
  }
  summary.fetched += items.length;
  summary.pages += 1;
}

/** Writes what a page's writer holds and adds its counts to the run's. */
function finishWriter(writer: RecordWriter, tally: SyncTally): void {
  const { summary } = tally;
  writer.finish();
  tally.replaced += writer.replaced;
  summary.imported += writer.imported;
  summary.duplicates += writer.duplicates;
  if (writer.identityCalls > 0) summary.identityCalls = (summary.identityCalls ?? 0) + writer.identityCalls;
  if (writer.identityConflicts > 0) summary.identityConflicts = (summary.identityConflicts ?? 0) + writer.identityConflicts;
  if (writer.erasedSkipped > 0) summary.erasedSkipped = (summary.erasedSkipped ?? 0) + writer.erasedSkipped;
  if (writer.sampledOut > 0) summary.sampledOut = (summary.sampledOut ?? 0) + writer.sampledOut;
  if (writer.conflictingDuplicates > 0) {
    summary.conflictingDuplicates = (summary.conflictingDuplicates ?? 0) + writer.conflictingDuplicates;
    const examples = (summary.conflictExamples ??= []);
    for (const example of writer.conflictExamples) if (examples.length < CONFLICT_EXAMPLES) examples.push(example);
  }
}

/** Keeps a sync run's report (kind 'sync'), with its conflicting duplicates and any further details. */
export function recordSyncReport(
  db: Db,
  run: { source: string; format?: string; started: number; clock: () => number; details?: ImportDetails },
  tally: SyncTally,
  state: 'done' | 'cancelled' | 'failed',
  message: string | null,
): void {
  const { summary, errors } = tally;
  saveReport(db, {
    kind: 'sync',
    source: run.source,
    format: run.format ?? null,
    startedAt: run.started,
    ms: run.clock() - run.started,
    state,
    imported: summary.imported,
    duplicates: summary.duplicates,
    rejected: summary.rejected,
    users: createEventsRepo(db).countUsers(),
    bytes: 0,
    errors,
    message,
    details: {
      ...run.details,
      ...(tally.replaced > 0 ? { replaced: tally.replaced } : {}),
      ...(summary.conflictingDuplicates ? { conflictingDuplicates: summary.conflictingDuplicates, conflictExamples: summary.conflictExamples ?? [] } : {}),
      ...(summary.identityCalls ? { identityCalls: summary.identityCalls } : {}),
      ...(summary.identityConflicts ? { identityConflicts: summary.identityConflicts } : {}),
      ...(summary.erasedSkipped ? { erasedSkipped: summary.erasedSkipped } : {}),
      ...(summary.sampledOut ? { sampledOut: summary.sampledOut } : {}),
      ...(summary.usersErased ? { usersErased: summary.usersErased } : {}),
    },
  });
}
