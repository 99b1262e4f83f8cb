import type { Db } from '../db/connection';
import type { ImportDetails, ImportError, ImportReport } from '../../shared/types';

/** The cache keeps every import's report, with its first rejections, so the app can show it later. */
export const MAX_REPORTED_ERRORS = 1000;
/** Of those, the first this many keep their record's excerpt (at most 200 characters each: parse/excerpt.ts). */
export const MAX_EXCERPTS = 100;

/** The rejection as the report keeps it at `index` among its errors: past MAX_EXCERPTS, without the excerpt. */
export function reportedError(error: ImportError, index: number): ImportError {
  if (error.excerpt === undefined) return error;
  // A copy: a slice of a reader's chunk can keep the whole chunk (a megabyte) alive for as long as the report.
  if (index < MAX_EXCERPTS) return { ...error, excerpt: Array.from(error.excerpt).join('') };
  const { excerpt: _excerpt, excerptCut: _cut, ...rest } = error;
  return rest;
}

interface ReportRow {
  id: number;
  kind: 'file' | 'sync';
  source: string;
  format: string | null;
  started_at: number;
  ms: number;
  state: ImportReport['state'];
  imported: number;
  duplicates: number;
  rejected: number;
  users: number;
  bytes: number;
  errors: string;
  message: string | null;
  details: string | null;
}

const toReport = (row: ReportRow, withErrors: boolean): ImportReport => ({
  id: row.id,
  kind: row.kind,
  source: row.source,
  format: row.format,
  startedAt: row.started_at,
  ms: row.ms,
  state: row.state,
  imported: row.imported,
  duplicates: row.duplicates,
  rejected: row.rejected,
  users: row.users,
  bytes: row.bytes,
  errors: withErrors ? (JSON.parse(row.errors) as ImportError[]) : [],
  message: row.message,
  ...(row.details === null ? {} : { details: JSON.parse(row.details) as ImportDetails }),
});

export function saveReport(db: Db, report: Omit<ImportReport, 'id'>): number {
  const result = db
    .prepare(
      `INSERT INTO import_reports (kind, source, format, started_at, ms, state, imported, duplicates, rejected, users, bytes, errors, message, details)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    )
    .run(
      report.kind,
      report.source,
      report.format,
      report.startedAt,
      report.ms,
      report.state,
      report.imported,
      report.duplicates,
      report.rejected,
      report.users,
      report.bytes,
      JSON.stringify(report.errors.slice(0, MAX_REPORTED_ERRORS).map(reportedError)),
      report.message,
      report.details === undefined || Object.keys(report.details).length === 0 ? null : JSON.stringify(report.details),
    );
  return Number(result.lastInsertRowid);
}

export function listReports(db: Db, limit: number): ImportReport[] {
  return db
    .prepare<[number], ReportRow>('SELECT * FROM import_reports ORDER BY id DESC LIMIT ?')
    .all(limit)
    .map((row) => toReport(row, false));
}

export function getReport(db: Db, id: number): ImportReport | null {
  const row = db.prepare<[number], ReportRow>('SELECT * FROM import_reports WHERE id = ?').get(id);
  return row ? toReport(row, true) : null;
}
