import type { JobInfo, JobProgress } from '../../../shared/types';
import { formatBytes, formatDuration, formatNumber, plural } from './format';

/** The fraction done, when the job knows its total; null draws an indeterminate bar. */
export function progressFraction(progress: JobProgress): number | null {
  if (progress.total === null || progress.total <= 0) return null;
  return Math.min(1, Math.max(0, progress.done / progress.total));
}

function amount(value: number, unit: string): string {
  return unit === 'bytes' ? formatBytes(value) : formatNumber(value);
}

function timeLeft(ms: number): string {
  return ms < 1000 ? 'under a second left' : `${formatDuration(ms)} left`;
}

/**
 * What a job has done so far, as short phrases: records, how far through its unit (bytes of a file,
 * pages of a sync, users of the demo), the rate, and the time left.
 */
export function progressParts(progress: JobProgress): string[] {
  const { done, total, unit, rate, etaMs, records, recordRate } = progress;
  if (done === 0 && !records) return [unit === 'pages' ? 'Waiting for the first page…' : 'Starting…'];
  const parts: string[] = [];
  if (records !== null) parts.push(plural(records, 'record'));
  if (unit === 'bytes') {
    parts.push(total !== null ? `${formatBytes(done)} of ${formatBytes(total)}` : formatBytes(done));
  } else if (unit === 'pages') {
    parts.push(plural(done, 'page'));
  } else {
    parts.push(total !== null ? `${formatNumber(done)} of ${amount(total, unit)} ${unit}` : `${formatNumber(done)} ${unit}`);
  }
  if (recordRate !== null && recordRate > 0) parts.push(`${formatNumber(Math.round(recordRate))} records/s`);
  else if (records === null && rate > 0) parts.push(`${formatNumber(Math.round(rate))} ${unit}/s`);
  if (etaMs !== null && done > 0) parts.push(timeLeft(etaMs));
  return parts;
}

export const isDataJob = (job: JobInfo): boolean => job.kind === 'import' || job.kind === 'sync';

/** Jobs that write to the cache: the backend runs one at a time. */
export const isWriterJob = (job: JobInfo): boolean => job.state === 'running' && (job.kind === 'import' || job.kind === 'sync' || job.kind === 'demo');
