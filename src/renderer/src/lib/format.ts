import { isEstimated, type Estimate } from '../../../shared/estimate';

const numberFormat = new Intl.NumberFormat('en-US');

export const formatNumber = (n: number): string => numberFormat.format(n);

/** A count of users as shown: "≈ 12,400" when estimated from a sample of users, the plain number when exact. */
export function approximateCount(figure: Estimate): string {
  return isEstimated(figure) ? `≈ ${formatNumber(figure.count)}` : formatNumber(figure.count);
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

/** Dates are shown in UTC: the cache's days are UTC days, and every machine must show the same figures. */
export function formatDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

export function formatDateTime(ms: number): string {
  const iso = new Date(ms).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}

export function formatDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  return `${m}m ${String(s % 60).padStart(2, '0')}s`;
}

/**
 * A text cell a spreadsheet would read as a formula (it starts with =, +, -, @, a tab or a carriage
 * return) with a leading apostrophe, so opening the CSV runs nothing.
 */
export function spreadsheetSafe(text: string): string {
  return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
}

/** RFC 4180 CSV of a header and rows, for "copy as CSV" next to charts and tables. */
export function toCsv(header: readonly string[], rows: readonly (readonly (string | number)[])[]): string {
  const cell = (value: string | number): string => {
    const text = String(value);
    return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
  };
  return [header, ...rows].map((row) => row.map(cell).join(',')).join('\r\n');
}

/** Date and time to the second, in UTC, for timelines where several records share a minute. */
export function formatDateTimeSeconds(ms: number): string {
  const iso = new Date(ms).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)} UTC`;
}

/** How long something took: milliseconds under a second, tenths under a minute, then minutes. */
export function formatElapsed(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  return formatDuration(ms);
}

/** A JSON value as one line of text (never markup): strings as they are, everything else as JSON. */
export function valueText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === undefined) return '';
  return JSON.stringify(value) ?? String(value);
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${formatNumber(n)} ${n === 1 ? one : many}`;
}

/** A share as a percentage, with a decimal only where it matters ("0.4%", "12%"). */
export function percent(part: number, whole: number): string {
  if (whole === 0) return '0%';
  const p = (part / whole) * 100;
  return `${p === 0 || p >= 10 ? p.toFixed(0) : p < 0.1 ? '<0.1' : p.toFixed(1)}%`;
}

/**
 * How a date field shows an instant: ISO, "yyyy-mm-dd" or "yyyy-mm-dd hh:mm", in UTC like every date in
 * the app (the browser's date picker would show the system's format, mm/dd/yyyy in the US, and local time).
 */
export function formatUtcInput(ms: number, withTime: boolean): string {
  const iso = new Date(ms).toISOString();
  return withTime ? `${iso.slice(0, 10)} ${iso.slice(11, 16)}` : iso.slice(0, 10);
}

/** What a date field says about text it cannot read, with the format it wants. */
export function utcInstantProblem(text: string, withTime: boolean): string {
  return withTime
    ? `“${text}” is not a date: write it as yyyy-mm-dd or yyyy-mm-dd hh:mm (UTC), e.g. 2026-06-30 00:00.`
    : `“${text}” is not a date: write it as yyyy-mm-dd (UTC), e.g. 2026-06-30.`;
}

/** Parses "yyyy-mm-dd" (the start of that UTC day); null for anything else, a time included. */
export function parseUtcDay(value: string): number | null {
  return /^\s*\d{4}-\d{2}-\d{2}\s*$/.test(value) ? parseUtcInstant(value) : null;
}

/** Parses "yyyy-mm-dd" or "yyyy-mm-dd hh:mm" (UTC); null when it is not a real date and time. */
export function parseUtcInstant(value: string): number | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2}))?$/.exec(value.trim());
  if (!match) return null;
  const [year, month, day, hour = 0, minute = 0] = match.slice(1).map((part) => (part === undefined ? undefined : Number(part))) as number[];
  const ms = Date.UTC(year as number, (month as number) - 1, day, hour, minute);
  const back = new Date(ms);
  // Date.UTC rolls 2026-02-30 over to March: a date that does not round-trip does not exist.
  if (back.getUTCFullYear() !== year || back.getUTCMonth() !== (month as number) - 1 || back.getUTCDate() !== day || hour > 23 || minute > 59) return null;
  return ms;
}
