/**
 * CSV as RFC 4180 says, plus what spreadsheet programs need to open it right: UTF-8 with a byte-order mark
 * (without it Excel reads the file in the machine's legacy code page and mangles “quotes” and accents),
 * CRLF line ends, and fields quoted when they hold a comma, a quote, CR or LF, with quotes doubled.
 * Every CSV the backend writes goes through here: the workshop export and a survey's responses.
 */

const BOM = '\uFEFF';
const PLAIN_NUMBER = /^-?\d+(\.\d+)?$/;

/**
 * Formula injection (CWE-1236): a spreadsheet runs a cell that starts with = + - or @ (and, in some programs,
 * a tab or CR) as a formula, so authored text such as =HYPERLINK(...) could act when the file is opened.
 * A leading single quote makes it plain text, and spreadsheets hide that quote. Plain numbers, negative
 * ones included, are left alone so they stay numbers.
 */
export function guardFormula(cell: string): string {
  if (PLAIN_NUMBER.test(cell)) return cell;
  return /^[=+\-@\t\r]/.test(cell) ? `'${cell}` : cell;
}

export function csvField(cell: string): string {
  const safe = guardFormula(cell);
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** The whole file: header row, then the rows, each line ending in CRLF (the RFC's last line break is optional; we keep it). */
export function toCsv(table: { columns: readonly string[]; rows: readonly (readonly string[])[] }): string {
  const lines = [table.columns, ...table.rows].map((row) => row.map(csvField).join(','));
  return BOM + lines.map((l) => `${l}\r\n`).join('');
}
