/**
 * A rejection carries the start of its record's text (the line, the array element, the CSV row, the
 * envelope's element), inline and on the parser threads; the report keeps it for its first 100
 * rejections only, at most 200 characters each, so a huge bad file cannot bloat the cache.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { importFile } from '../../src/main/ingest/import-file';
import { csvRowText, EXCERPT_CHARS, withExcerpt } from '../../src/main/ingest/parse/excerpt';
import { getReport, MAX_EXCERPTS } from '../../src/main/ingest/reports';
import { useTempCache, useTempDir } from './helpers';
import { importInChildProcess } from './ingest-helpers';

const tempCache = useTempCache();
const tempDir = useTempDir();

const good = (i: number): string => JSON.stringify({ type: 'track', event: 'open', userId: `u${i}`, messageId: `m${i}`, timestamp: '2024-05-01T10:00:00Z' });
/** A line of invalid JSON, `length` characters long, that starts with its own number. */
const badLine = (i: number, length = 40): string => `{"n": ${i}, "broken": "${'x'.repeat(Math.max(0, length - 20))}`.slice(0, length);

async function importText(name: string, text: string) {
  const { db, dir } = tempCache();
  const path = join(dir, name);
  writeFileSync(path, text);
  const summary = await importFile(db, path);
  return { db, summary, report: getReport(db, summary.reportId) };
}

describe('withExcerpt', () => {
  it('keeps a short text whole, cuts a long one at 200 characters and says so, never inside a surrogate pair', () => {
    expect(withExcerpt({ line: 3, reason: 'r' }, 'short')).toEqual({ line: 3, reason: 'r', excerpt: 'short' });
    const long = 'a'.repeat(250);
    expect(withExcerpt({ line: 1, reason: 'r' }, long)).toEqual({ line: 1, reason: 'r', excerpt: 'a'.repeat(EXCERPT_CHARS), excerptCut: true });
    const emoji = `${'a'.repeat(EXCERPT_CHARS - 1)}😀tail`;
    expect(withExcerpt({ line: 1, reason: 'r' }, emoji).excerpt).toBe('a'.repeat(EXCERPT_CHARS - 1));
    expect(withExcerpt({ line: 1, reason: 'r' }, undefined)).toEqual({ line: 1, reason: 'r' });
    expect(csvRowText(['a', 'b,c', 'say "hi"'])).toBe('a,"b,c","say ""hi"""');
  });
});

describe('rejections carry their text', () => {
  it('NDJSON: the bad line itself, a long one cut at 200 characters, in the saved report too', async () => {
    const long = badLine(2, 500);
    const missingUser = JSON.stringify({ type: 'track', event: 'open', timestamp: '2024-05-01T10:00:00Z' });
    const { summary, report } = await importText('e.ndjson', [good(1), long, missingUser, good(4)].join('\n') + '\n');
    const expected = [
      { line: 2, excerpt: long.slice(0, EXCERPT_CHARS), excerptCut: true },
      { line: 3, excerpt: missingUser },
    ];
    expect(summary.errors).toMatchObject(expected);
    expect(summary.errors[1]?.excerptCut).toBeUndefined();
    expect(report?.errors).toMatchObject(expected);
  });

  it('JSON array: the element; CSV: the row; an envelope: its element', async () => {
    const element = { type: 'track', userId: 'u1', messageId: 'a-1', timestamp: 'soon' };
    const array = await importText('a.json', JSON.stringify([JSON.parse(good(1)), element]));
    expect(array.summary.errors).toEqual([{ line: 2, reason: expect.stringMatching(/timestamp "soon"/) as unknown as string, excerpt: JSON.stringify(element) }]);

    const csv = await importText('e.csv', ['type,event,userId,timestamp', 'track,open,u1,2024-05-01T10:00:00Z', 'track,"open, now",,2024-05-01T10:00:00Z', 'track,open'].join('\n'));
    expect(csv.summary.errors).toMatchObject([
      { line: 3, excerpt: 'track,"open, now",,2024-05-01T10:00:00Z' },
      { line: 4, excerpt: 'track,open' },
    ]);

    const body = { batch: [JSON.parse(good(1)), { type: 'track', userId: 'u2', messageId: 'b-2', timestamp: '2024-05-01T10:00:00Z' }] };
    const envelope = await importText('b.ndjson', JSON.stringify(body) + '\n');
    expect(envelope.summary.errors).toMatchObject([{ line: 1, element: 2, excerpt: JSON.stringify(body.batch[1]) }]);
  });

  it('on the parser threads as inline', () => {
    const lines = [good(1), badLine(2), good(3), JSON.stringify({ batch: [{ type: 'track', userId: 'u', messageId: 'e', timestamp: '2024-05-01T10:00:00Z' }] })];
    const { summary } = importInChildProcess(tempDir(), 'threads.ndjson', lines.join('\n') + '\n', {}, () => null);
    expect(summary.errors).toMatchObject([
      { line: 2, excerpt: badLine(2) },
      { line: 4, element: 1, excerpt: '{"type":"track","userId":"u","messageId":"e","timestamp":"2024-05-01T10:00:00Z"}' },
    ]);
  });

  it('keeps excerpts for the first 100 rejections only, in the summary and the saved report', async () => {
    const lines = Array.from({ length: 300 }, (_, i) => (i % 3 === 0 ? good(i) : badLine(i + 1, 300)));
    const { summary, report } = await importText('many.ndjson', lines.join('\n') + '\n');
    expect(summary.rejected).toBe(200);
    for (const errors of [summary.errors, report?.errors ?? []]) {
      expect(errors).toHaveLength(200);
      const withText = errors.filter((e) => e.excerpt !== undefined);
      expect(withText).toHaveLength(MAX_EXCERPTS);
      expect(errors.slice(0, MAX_EXCERPTS).every((e) => e.excerpt?.length === EXCERPT_CHARS && e.excerptCut === true)).toBe(true);
      expect(errors[0]?.excerpt).toBe(lines[1]?.slice(0, EXCERPT_CHARS));
      expect(errors[MAX_EXCERPTS]).toEqual({ line: expect.any(Number) as unknown as number, reason: expect.any(String) as unknown as string });
    }
  });
});
