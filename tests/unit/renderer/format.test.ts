import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  formatBytes,
  formatDate,
  formatDateTime,
  formatDateTimeSeconds,
  formatDuration,
  formatElapsed,
  formatNumber,
  percent,
  plural,
  toCsv,
  valueText,
} from '../../../src/renderer/src/lib/format';

/**
 * A small RFC 4180 reader, to check toCsv against the standard rather than against itself. Like
 * spreadsheets, it ends a row at a bare CR or LF too: those must be quoted inside a cell.
 */
function readCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let i = 0;
  while (i <= text.length) {
    if (text[i] === '"') {
      for (i++; i < text.length; i++) {
        if (text[i] === '"' && text[i + 1] === '"') {
          cell += '"';
          i++;
        } else if (text[i] === '"') break;
        else cell += text[i];
      }
      i++;
    } else if (i === text.length || text[i] === '\r' || text[i] === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      i += text.startsWith('\r\n', i) ? 2 : 1;
    } else if (text[i] === ',') {
      row.push(cell);
      cell = '';
      i++;
    } else cell += text[i++];
  }
  return rows;
}

describe('numbers and sizes', () => {
  it('formatNumber groups thousands', () => {
    expect(formatNumber(0)).toBe('0');
    expect(formatNumber(1234567)).toBe('1,234,567');
    expect(formatNumber(-1500.25)).toBe('-1,500.25');
  });

  it('formatBytes: bytes under a KB, then one decimal under ten of a unit, and TB at most', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(1023)).toBe('1023 B');
    expect(formatBytes(1024)).toBe('1.0 KB');
    expect(formatBytes(1536)).toBe('1.5 KB');
    expect(formatBytes(20 * 1024)).toBe('20 KB');
    expect(formatBytes(1024 ** 2)).toBe('1.0 MB');
    expect(formatBytes(5.25 * 1024 ** 3)).toBe('5.3 GB');
    expect(formatBytes(1024 ** 4)).toBe('1.0 TB');
    expect(formatBytes(2048 * 1024 ** 4)).toBe('2048 TB');
  });

  it('formatBytes reads back to within its rounding', () => {
    const scale: Record<string, number> = { B: 1, KB: 1024, MB: 1024 ** 2, GB: 1024 ** 3, TB: 1024 ** 4 };
    fc.assert(
      fc.property(fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }), (bytes) => {
        const [value, unit] = formatBytes(bytes).split(' ') as [string, string];
        const back = Number(value) * (scale[unit] as number);
        // One decimal under 10, none from 10: half a unit of the last digit either way.
        const step = (value.includes('.') ? 0.05 : 0.5) * (scale[unit] as number);
        expect(Math.abs(back - bytes)).toBeLessThanOrEqual(step);
      }),
    );
  });

  it('plural counts with the right word, in grouped digits', () => {
    expect(plural(1, 'record')).toBe('1 record');
    expect(plural(0, 'record')).toBe('0 records');
    expect(plural(1234, 'record')).toBe('1,234 records');
    expect(plural(2, 'person', 'people')).toBe('2 people');
    expect(plural(1, 'person', 'people')).toBe('1 person');
  });

  it('percent: a decimal only under 10%, "<0.1%" for a sliver, and 0% of nothing', () => {
    expect(percent(0, 0)).toBe('0%');
    expect(percent(5, 0)).toBe('0%');
    expect(percent(0, 10)).toBe('0%');
    expect(percent(1, 2000)).toBe('<0.1%');
    expect(percent(1, 1000)).toBe('0.1%');
    expect(percent(4, 1000)).toBe('0.4%');
    expect(percent(5, 100)).toBe('5.0%');
    expect(percent(12, 100)).toBe('12%');
    expect(percent(1, 1)).toBe('100%');
  });
});

describe('dates and durations (UTC)', () => {
  it('formats an instant the same way on every machine', () => {
    const ms = Date.UTC(2026, 2, 9, 23, 5, 7, 900);
    expect(formatDate(ms)).toBe('2026-03-09');
    expect(formatDateTime(ms)).toBe('2026-03-09 23:05 UTC');
    expect(formatDateTimeSeconds(ms)).toBe('2026-03-09 23:05:07 UTC');
    expect(formatDate(0)).toBe('1970-01-01');
  });

  it('formatDuration: seconds under a minute, then minutes and two-digit seconds', () => {
    expect(formatDuration(0)).toBe('0s');
    expect(formatDuration(499)).toBe('0s');
    expect(formatDuration(59_499)).toBe('59s');
    expect(formatDuration(59_500)).toBe('1m 00s');
    expect(formatDuration(61_000)).toBe('1m 01s');
    expect(formatDuration(3_600_000)).toBe('60m 00s');
  });

  it('formatElapsed: ms under a second, tenths under a minute, then as formatDuration', () => {
    expect(formatElapsed(0)).toBe('0 ms');
    expect(formatElapsed(12.4)).toBe('12 ms');
    expect(formatElapsed(1_000)).toBe('1.0 s');
    expect(formatElapsed(12_345)).toBe('12.3 s');
    expect(formatElapsed(60_000)).toBe('1m 00s');
    expect(formatElapsed(125_000)).toBe('2m 05s');
  });
});

describe('toCsv', () => {
  it('quotes only the cells that need it, and ends rows with CRLF', () => {
    expect(toCsv(['name', 'count'], [['a', 1], ['b, c', 2], ['say "hi"', 3], ['two\nlines', 4]])).toBe(
      'name,count\r\na,1\r\n"b, c",2\r\n"say ""hi""",3\r\n"two\nlines",4',
    );
    expect(toCsv(['only'], [])).toBe('only');
    expect(toCsv(['cr'], [['a\rb']])).toBe('cr\r\n"a\rb"');
  });

  it('an RFC 4180 reader gives back every cell as text', () => {
    const cell = fc.oneof(fc.string({ unit: fc.constantFrom('a', ',', '"', '\r', '\n', ' ', 'é'), maxLength: 6 }), fc.integer());
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 4 }), fc.array(fc.array(cell, { minLength: 4, maxLength: 4 }), { maxLength: 5 }), (width, rows) => {
        const header = Array.from({ length: width }, (_, i) => `col ${i}`);
        const body = rows.map((r) => r.slice(0, width));
        expect(readCsv(toCsv(header, body))).toEqual([header, ...body.map((r) => r.map(String))]);
      }),
      { numRuns: 500 },
    );
  });
});

describe('valueText', () => {
  it('strings as they are, nothing as empty, everything else as JSON', () => {
    expect(valueText('<b>as is</b>')).toBe('<b>as is</b>');
    expect(valueText('')).toBe('');
    expect(valueText(undefined)).toBe('');
    expect(valueText(null)).toBe('null');
    expect(valueText(3)).toBe('3');
    expect(valueText(false)).toBe('false');
    expect(valueText({ a: [1, 'x'] })).toBe('{"a":[1,"x"]}');
  });

  it('is one line for any JSON value', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const text = valueText(value);
        if (typeof value !== 'string') expect(text).not.toMatch(/[\r\n]/);
      }),
    );
  });
});
