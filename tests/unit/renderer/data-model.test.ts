import { parse as parseCsv } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import type { EventCatalogEntry } from '../../../src/shared/types';
import {
  fillDays,
  formatText,
  futureDatedWarning,
  locationLabel,
  matchingEvents,
  otherTraits,
  rejectionPlace,
  rejectionsCsv,
  settledJob,
  timelineCount,
  traitText,
  VOLUME_DAYS,
} from '../../../src/renderer/src/screens/data/model';

const DAY = 86_400_000;

describe('the Data area once its job ends', () => {
  it('opens the report a finished or cancelled job left, and says nothing more', () => {
    expect(settledJob({ kind: 'import', state: 'done', result: { reportId: 7 } }, 'Imported 3 records.')).toEqual({ notice: null, reportId: 7 });
    expect(settledJob({ kind: 'sync', state: 'cancelled', result: null }, '')).toEqual({ notice: null, reportId: null });
  });

  it('says in red why an import failed, and calmly that a sync did not finish (offline is normal)', () => {
    expect(settledJob({ kind: 'import', state: 'failed', result: null }, 'empty.ndjson is empty.')).toEqual({
      notice: { tone: 'error', title: 'Import failed', text: 'empty.ndjson is empty.' },
      reportId: null,
    });
    expect(settledJob({ kind: 'import', state: 'failed', result: null }, '').notice?.text).toBe('The file could not be imported.');
    const sync = settledJob({ kind: 'sync', state: 'failed', result: { reportId: 2 } }, 'Cannot reach http://127.0.0.1:9.');
    expect(sync.notice).toEqual({
      tone: 'calm',
      title: 'The sync did not finish',
      text: 'Cannot reach http://127.0.0.1:9. Everything already in the cache keeps working offline.',
    });
    expect(sync.reportId).toBe(2);
    expect(settledJob({ kind: 'sync', state: 'failed', result: null }, '').notice?.text).toMatch(/^The source did not answer\. /);
  });
});

describe('the volume chart', () => {
  it('fills ninety UTC days up to the day before as-of, days without events as zero', () => {
    const asOf = Date.UTC(2026, 5, 30);
    const days = fillDays([{ day: Date.UTC(2026, 5, 29), events: 12 }, { day: Date.UTC(2026, 3, 1), events: 5 }], asOf);
    expect(days).toHaveLength(VOLUME_DAYS);
    expect(days.at(-1)).toEqual({ day: Date.UTC(2026, 5, 29), events: 12 });
    expect(days[0]?.day).toBe(Date.UTC(2026, 5, 29) - (VOLUME_DAYS - 1) * DAY);
    expect(days.find((d) => d.day === Date.UTC(2026, 3, 1))?.events).toBe(5);
    expect(days.reduce((n, d) => n + d.events, 0)).toBe(17);
  });

  it('without an as-of, ends on the last day with events; with nothing at all, stays empty', () => {
    const days = fillDays([{ day: Date.UTC(2026, 4, 1), events: 3 }], null);
    expect(days.at(-1)).toEqual({ day: Date.UTC(2026, 4, 1), events: 3 });
    expect(fillDays([], null)).toEqual([]);
  });
});

describe('the catalog, the users and the reports', () => {
  const entry = (name: string): EventCatalogEntry => ({ name, count: 1, users: 1, firstSeen: 0, lastSeen: 0, properties: [] });

  it('filters the catalog by name, in any case', () => {
    const catalog = [entry('report_run'), entry('Report_exported'), entry('invite_sent')];
    expect(matchingEvents(catalog, ' REPORT ').map((e) => e.name)).toEqual(['report_run', 'Report_exported']);
    expect(matchingEvents(catalog, '')).toHaveLength(3);
  });

  it('sums up the traits without a column, and shows a missing trait as nothing', () => {
    const traits = { plan: 'team', role: 'admin', email: 'a@example.com', seats: 5, beta: null };
    expect(otherTraits(traits)).toBe('email: a@example.com · seats: 5 · beta: null');
    expect(traitText(traits, 'plan')).toBe('team');
    expect(traitText(traits, 'company')).toBe('');
    expect(traitText(traits, 'beta')).toBe('');
    expect(traitText({ seats: 0 }, 'seats')).toBe('0');
  });

  it('names where a rejection is, and counts a timeline', () => {
    expect(locationLabel({ kind: 'file', format: 'ndjson' })).toBe('Line');
    expect(locationLabel({ kind: 'file', format: 'json' })).toBe('Element');
    expect(locationLabel({ kind: 'sync', format: null })).toBe('Record');
    expect(timelineCount(1, 1)).toBe('1 record');
    expect(timelineCount(31, 31)).toBe('31 records');
    expect(timelineCount(200, 2500)).toBe('Newest 200 of 2,500 records');
  });
});

describe('an import report\'s packaging and warnings (issue 15)', () => {
  it('locates a rejection inside a batch envelope as "line n, element k", and a JSON objects file by lines', () => {
    expect(rejectionPlace({ line: 4, reason: 'x' })).toBe('4');
    expect(rejectionPlace({ line: 2, element: 3, reason: 'x' })).toBe('line 2, element 3');
    expect(locationLabel({ kind: 'file', format: 'ndjson', errors: [{ line: 2, element: 3, reason: 'x' }] })).toBe('Location');
    expect(locationLabel({ kind: 'file', format: 'json', details: { recognized: 'one JSON object' }, errors: [] })).toBe('Line');
    expect(locationLabel({ kind: 'file', format: 'json', details: { recognized: 'JSON array (gzip)' }, errors: [] })).toBe('Element');
  });

  it('names the packaging recognized, else the format', () => {
    expect(formatText({ format: 'ndjson', details: { recognized: 'NDJSON (gzip)' } })).toBe('NDJSON (gzip)');
    expect(formatText({ format: 'csv' })).toBe('CSV file');
  });

  it('warns calmly about future-dated records, naming the count and the latest instant', () => {
    expect(futureDatedWarning(undefined)).toBeNull();
    expect(futureDatedWarning({ zoneless: 3 })).toBeNull();
    expect(futureDatedWarning({ futureDated: 2, latestFutureTs: Date.UTC(2099, 0, 1) })).toBe(
      '2 records are dated more than a day after the import (the latest 2099-01-01 00:00 UTC). They were imported, but "data as of" was not moved to them.',
    );
    expect(futureDatedWarning({ futureDated: 1, latestFutureTs: Date.UTC(2030, 2, 1, 8, 30) })).toMatch(/^1 record is dated .* \(the latest 2030-03-01 08:30 UTC\)\. It was imported/);
  });
});

describe('"Copy rejections as CSV" (issue 17)', () => {
  const read = (csv: string): string[][] => parseCsv(csv, { relax_column_count: false }) as string[][];

  it('has the place, the reason and the excerpt of every rejection, readable by a CSV parser', () => {
    const csv = rejectionsCsv({
      kind: 'file',
      format: 'csv',
      errors: [
        { line: 3, reason: 'timestamp "soon" is not a date', excerpt: 'u-2,track,"Signed, Up",soon\nsecond line', excerptCut: false },
        { line: 9, reason: 'missing event', excerpt: '=HYPERLINK("http://x")', excerptCut: true },
        { line: 12, reason: 'missing userId' },
      ],
    });
    expect(read(csv)).toEqual([
      ['line', 'reason', 'excerpt'],
      ['3', 'timestamp "soon" is not a date', 'u-2,track,"Signed, Up",soon\nsecond line'],
      // A cut excerpt says so; a formula is defused.
      ['9', 'missing event', `'=HYPERLINK("http://x")…`],
      ['12', 'missing userId', ''],
    ]);
  });

  it('names line and element inside envelopes, and table and row for a warehouse sync', () => {
    const envelopes = rejectionsCsv({ kind: 'file', format: 'ndjson', errors: [{ line: 2, element: 3, reason: 'missing timestamp', excerpt: '{"type":"track"}' }] });
    expect(read(envelopes)).toEqual([
      ['line', 'element', 'reason', 'excerpt'],
      ['2', '3', 'missing timestamp', '{"type":"track"}'],
    ]);
    const sync = rejectionsCsv({ kind: 'sync', format: 'postgres', errors: [{ line: 4, table: 'tracks', reason: 'row id bad-1: missing user', excerpt: 'tracks row bad-1: {}' }] });
    expect(read(sync)).toEqual([
      ['table', 'row', 'reason', 'excerpt'],
      ['tracks', '4', 'row id bad-1: missing user', 'tracks row bad-1: {}'],
    ]);
  });
});
