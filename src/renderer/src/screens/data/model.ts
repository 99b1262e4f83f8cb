/**
 * The Data area's pure logic: what it says once the import or sync it follows ends, the ninety days of
 * the volume chart, the users table's trait columns, and the wording of reports and timelines.
 * No DOM and no backend: unit-tested in tests/unit/renderer.
 */
import type { DailyVolumePoint, EventCatalogEntry, ImportError, ImportReport, JobInfo } from '../../../../shared/types';
import { formatDateTime, formatNumber, spreadsheetSafe, toCsv, valueText } from '../../lib/format';
import { warehouseKindWords } from '../../../../shared/warehouse-source';

export type DataTab = 'events' | 'users' | 'accounts' | 'imports';

/**
 * What the Data area says about its last import or sync that did not leave a report to open: a failed
 * import (in red), or a sync that could not reach its source (calm: offline is a normal state).
 */
export interface DataNotice {
  tone: 'error' | 'calm';
  title: string;
  text: string;
}

export interface SettledJob {
  /** Why it stopped, when it failed; null leaves whatever the area says now. */
  notice: DataNotice | null;
  /** The report it left, to open in place. */
  reportId: number | null;
}

/** What the Data area shows once its job ends. `message` is the job's last word, with file names the user knows. */
export function settledJob(job: Pick<JobInfo, 'kind' | 'state' | 'result'>, message: string): SettledJob {
  const reportId = job.result?.reportId ?? null;
  if (job.state !== 'failed') return { notice: null, reportId };
  const notice: DataNotice =
    job.kind === 'sync'
      ? {
          tone: 'calm',
          title: 'The sync did not finish',
          text: `${message || 'The source did not answer.'} Everything already in the cache keeps working offline.`,
        }
      : { tone: 'error', title: 'Import failed', text: message || 'The file could not be imported.' };
  return { notice, reportId };
}

const DAY_MS = 86_400_000;
export const VOLUME_DAYS = 90;

/**
 * Every UTC day of the window, days without events as zero: the backend lists only days that have
 * events, and a chart of a one-day import must still read as one day out of ninety. The window ends on
 * the day before `asOf` (or on the last day with events, with no as-of yet).
 */
export function fillDays(points: readonly DailyVolumePoint[], asOf: number | null): DailyVolumePoint[] {
  const last = asOf !== null ? Math.floor((asOf - 1) / DAY_MS) : points.length > 0 ? Math.floor((points[points.length - 1]?.day ?? 0) / DAY_MS) : null;
  if (last === null) return [...points];
  const byDay = new Map(points.map((p) => [Math.floor(p.day / DAY_MS), p.events]));
  return Array.from({ length: VOLUME_DAYS }, (_, i) => {
    const day = last - VOLUME_DAYS + 1 + i;
    return { day: day * DAY_MS, events: byDay.get(day) ?? 0 };
  });
}

/** The catalog's entries whose name holds the filter, in any case. */
export function matchingEvents(catalog: readonly EventCatalogEntry[], filter: string): EventCatalogEntry[] {
  const needle = filter.trim().toLowerCase();
  return catalog.filter((e) => e.name.toLowerCase().includes(needle));
}

/** Traits with their own column in the users table; the rest are summed up as text in "Other traits". */
export const TRAIT_COLUMNS = ['plan', 'role', 'company'] as const;

/** The traits without a column of their own (by default the users table's), as "key: value · key: value". */
export function otherTraits(traits: Record<string, unknown>, shown: readonly string[] = TRAIT_COLUMNS): string {
  return Object.entries(traits)
    .filter(([key]) => !shown.includes(key))
    .map(([key, value]) => `${key}: ${valueText(value)}`)
    .join(' · ');
}

/** One trait as text; '' when it is missing, null or empty (the table shows a dash). */
export function traitText(traits: Record<string, unknown>, key: string): string {
  const value = traits[key];
  return value === undefined || value === null || value === '' ? '' : valueText(value);
}

/**
 * Where a rejection is: a line of NDJSON or CSV, an element of a JSON array, a record of a sync; a
 * line and an element when some rejected record was inside a batch envelope. A JSON file of objects
 * (its packaging named, and not an array) is located by lines too.
 */
export function locationLabel(report: Pick<ImportReport, 'kind' | 'format'> & Partial<Pick<ImportReport, 'details' | 'errors'>>): string {
  if (report.kind === 'sync') return 'Record';
  if (report.errors?.some((e) => e.element !== undefined)) return 'Location';
  const recognized = report.details?.recognized;
  return report.format === 'json' && (recognized === undefined || recognized.startsWith('JSON array')) ? 'Element' : 'Line';
}

/**
 * A report's rejections as CSV, for "Copy rejections as CSV": where (the warehouse table and row, or the
 * line and, inside envelopes, the element), the reason and the record's excerpt ("…" where the report
 * kept only its start). Text cells are made safe to open in a spreadsheet.
 */
export function rejectionsCsv(report: Pick<ImportReport, 'kind' | 'format' | 'errors'> & Partial<Pick<ImportReport, 'details'>>): string {
  const errors = report.errors;
  const inTables = errors.some((e) => e.table !== undefined);
  const inEnvelopes = errors.some((e) => e.element !== undefined);
  const place = inTables ? ['table', 'row'] : inEnvelopes ? ['line', 'element'] : [locationLabel(report).toLowerCase()];
  const rows = errors.map((e) => [
    ...(inTables ? [spreadsheetSafe(e.table ?? ''), e.line] : inEnvelopes ? [e.line, e.element ?? ''] : [e.line]),
    spreadsheetSafe(e.reason),
    e.excerpt === undefined ? '' : spreadsheetSafe(`${e.excerpt}${e.excerptCut ? '…' : ''}`),
  ]);
  return toCsv([...place, 'reason', 'excerpt'], rows);
}

/** One rejection's place as the table shows it: its line (or element), or "line n, element k" inside an envelope. */
export function rejectionPlace(error: ImportError): string {
  if (error.table !== undefined) return `${error.table} row ${error.line}`;
  return error.element === undefined ? String(error.line) : `line ${error.line}, element ${error.element}`;
}

/** One table of a PostgreSQL sync as its report lists it (after the table's name). */
export function warehouseTableText(table: { kind: string | null; fetched: number; error?: string }): string {
  if (table.error !== undefined) return `skipped: ${table.error}`;
  return `(${warehouseKindWords(table.kind)}): ${formatNumber(table.fetched)} ${table.fetched === 1 ? 'row' : 'rows'} read`;
}

/** What the report says about how the file was read: the packaging recognized, else the format. */
export function formatText(report: Pick<ImportReport, 'format' | 'details'>): string {
  return report.details?.recognized ?? `${(report.format ?? 'file').toUpperCase()} file`;
}

/**
 * The calm warning an import with future-dated records leaves: they were imported, but "data as of"
 * stayed where it was (one record dated 2099 would otherwise empty every "within N days" figure).
 */
export function futureDatedWarning(details: ImportReport['details']): string | null {
  const count = details?.futureDated ?? 0;
  if (count === 0) return null;
  const latest = details?.latestFutureTs;
  const records = count === 1 ? '1 record is' : `${formatNumber(count)} records are`;
  return (
    `${records} dated more than a day after the import${latest === undefined ? '' : ` (the latest ${formatDateTime(latest)})`}. ` +
    `${count === 1 ? 'It was' : 'They were'} imported, but "data as of" was not moved to ${count === 1 ? 'it' : 'them'}.`
  );
}

/** The heading over a timeline: all its records, or the newest of more. */
export function timelineCount(shown: number, total: number): string {
  return total > shown ? `Newest ${formatNumber(shown)} of ${formatNumber(total)} records` : `${formatNumber(total)} ${total === 1 ? 'record' : 'records'}`;
}
