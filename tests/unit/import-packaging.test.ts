/**
 * Issue 15, "Packaging": gzip archives (found by their magic bytes), batch envelopes as a whole file or
 * on each NDJSON line, and a file holding one JSON object. The payloads are our own, modelled on the
 * Segment spec's documented forms (the HTTP API's /v1/batch body with its top-level context); each test
 * writes its fixture file itself.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, openSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { Db } from '../../src/main/db/connection';
import { importFile } from '../../src/main/ingest/import-file';
import { sniffEventFile } from '../../src/main/ingest/parse/sniff';
import { getReport } from '../../src/main/ingest/reports';
import type { ImportSummary } from '../../src/shared/types';
import { useTempCache, useTempDir } from './helpers';
import { builtCli, importInChildProcess, importWithBuiltCli } from './ingest-helpers';

const tempCache = useTempCache();
const tempDir = useTempDir();

const ndjson = (records: unknown[]): string => records.map((r) => JSON.stringify(r)).join('\n') + '\n';

const track = (id: string, userId: string, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  type: 'track',
  event: 'Order Completed',
  userId,
  messageId: id,
  timestamp: '2024-05-01T10:00:00.000Z',
  properties: { total: 42 },
  ...extra,
});

/** The HTTP API's /v1/batch body: records without their own context, and the envelope's context last. */
function batchBody(prefix: string, userId: string, count: number): Record<string, unknown> {
  return {
    batch: Array.from({ length: count }, (_, k) => track(`${prefix}-${k + 1}`, userId)),
    context: { device: { type: 'phone', name: 'Apple iPhone 6' }, traits: { plan: 'enterprise' } },
    integrations: { All: true },
  };
}

async function importContent(name: string, content: string | Buffer): Promise<{ db: Db; summary: ImportSummary }> {
  const { db, dir } = tempCache();
  const path = join(dir, name);
  writeFileSync(path, content);
  const summary = await importFile(db, path);
  return { db, summary };
}

/** The same import in a child process, on parser threads as the app and the CLI run it. */
function importOnThreads(name: string, content: string | Buffer, env: Record<string, string> = {}): { summary: ImportSummary; ids: string[] } {
  const { summary, read } = importInChildProcess(tempDir(), name, content, env, eventIds);
  return { summary, ids: read };
}

function eventIds(db: Db): string[] {
  return db.prepare('SELECT event_id FROM events ORDER BY event_id').pluck().all() as string[];
}

function traitsOf(db: Db, userId: string): Record<string, unknown> | undefined {
  const row = db.prepare<[string], { traits: string }>('SELECT traits FROM users WHERE id = ?').get(userId);
  return row && (JSON.parse(row.traits) as Record<string, unknown>);
}

describe('gzip archives', () => {
  const records = [track('g-1', 'u-1'), track('g-2', 'u-2'), { ...track('g-3', 'u-3'), timestamp: 'yesterday' }];

  it('reads a gzipped NDJSON file by its magic bytes, whatever its name, inline and on the parser thread', async () => {
    const archive = gzipSync(ndjson(records));
    // Segment's S3 exports are gzipped files with no telling extension.
    const { db, summary } = await importContent('segment-logs-0001', archive);
    expect(summary).toMatchObject({ imported: 2, rejected: 1, errors: [{ line: 3, reason: expect.stringMatching(/timestamp "yesterday"/) }] });
    expect(summary.details?.recognized).toBe('NDJSON (gzip)');
    expect(getReport(db, summary.reportId)).toMatchObject({ format: 'ndjson', details: { recognized: 'NDJSON (gzip)' } });
    expect(eventIds(db)).toEqual(['g-1', 'g-2']);
    const threads = importOnThreads('events.ndjson.gz', archive);
    expect(threads.summary).toMatchObject({ imported: 2, rejected: 1, details: { recognized: 'NDJSON (gzip)' } });
    expect(threads.ids).toEqual(['g-1', 'g-2']);
  });

  it('reads a gzipped JSON array and a gzipped CSV', async () => {
    const array = await importContent('events.json.gz', gzipSync(JSON.stringify(records.slice(0, 2), null, 2)));
    expect(array.summary).toMatchObject({ imported: 2, rejected: 0, details: { recognized: 'JSON array (gzip)' } });
    const csv = 'type,event,userId,messageId,timestamp\ntrack,Signed Up,u-1,c-1,2024-01-15T10:00:00Z\ntrack,Signed Up,u-2,c-2,2024-01-15T11:00:00Z\n';
    const inline = await importContent('export.csv.gz', gzipSync(csv));
    expect(inline.summary).toMatchObject({ imported: 2, rejected: 0, details: { recognized: 'CSV (gzip)' } });
    expect(importOnThreads('export.csv.gz', gzipSync(csv)).ids).toEqual(['c-1', 'c-2']);
  });

  it('takes one parser thread for a gzip file however large, and streams it in many batches', () => {
    // About 6 MB of text: with ranges this small, a plain NDJSON file would be cut across two threads.
    const many = Array.from({ length: 20_000 }, (_, k) => ndjson([track(`m-${k}`, `u-${k % 500}`, { properties: { note: 'x'.repeat(200), k } })])).join('');
    const threads = importOnThreads('big.ndjson.gz', gzipSync(many), { PARSER_RANGE_BYTES: '65536' });
    expect(threads.summary).toMatchObject({ imported: 20_000, rejected: 0, details: { recognized: 'NDJSON (gzip)' } });
    expect(threads.ids).toHaveLength(20_000);
  });

  it("sizes a gzip file's events from its trailer, so the writer's mode judges what it holds, not its bytes on disk", () => {
    const text = ndjson(Array.from({ length: 5000 }, (_, k) => track(`z-${k}`, `u-${k % 50}`)));
    const file = join(tempDir(), 'export.ndjson.gz');
    writeFileSync(file, gzipSync(text));
    const sniffed = sniffEventFile(file);
    expect(sniffed.gzip).toBe(true);
    expect(sniffed.contentSize).toBe(Buffer.byteLength(text));
    expect(sniffed.size).toBeLessThan(sniffed.contentSize / 5);
    // A plain file holds what it weighs.
    const plain = join(tempDir(), 'export.ndjson');
    writeFileSync(plain, text);
    expect(sniffEventFile(plain)).toMatchObject({ gzip: false, size: Buffer.byteLength(text), contentSize: Buffer.byteLength(text) });
  });

  it('refuses a damaged gzip file with a clear error', async () => {
    const archive = gzipSync(ndjson(Array.from({ length: 2000 }, (_, k) => track(`d-${k}`, 'u-1', { properties: { k, pad: Math.random().toString(36) } }))));
    // Cut in the middle: the start still decompresses, the rest does not.
    await expect(importContent('cut.ndjson.gz', archive.subarray(0, Math.floor(archive.length / 2)))).rejects.toThrow(/gzip|unexpected end/);
  });
});

describe('batch envelopes', () => {
  it('reads a pretty-printed /v1/batch body: each element a record, the envelope context applied where an element has none', async () => {
    const body = batchBody('b', 'u-7', 3);
    const elements = body.batch as Record<string, unknown>[];
    // The second brings its own context (no traits): the envelope's does not apply to it.
    elements[1] = { ...elements[1], userId: 'u-8', context: { ip: '203.0.113.9' } };
    elements[2] = { ...elements[2], timestamp: 'not a date' };
    const text = JSON.stringify(body, null, 2);
    const { db, summary } = await importContent('batch.json', text);
    expect(summary).toMatchObject({ imported: 2, rejected: 1, details: { recognized: 'batch envelope (JSON)' } });
    // The third element starts on the line its "{" is on.
    const lines = text.split('\n');
    const idLine = lines.findIndex((l) => l.includes('"b-3"'));
    const line = lines.slice(0, idLine).findLastIndex((l) => l.trim() === '{') + 1;
    expect(line).toBeGreaterThan(20);
    expect(summary.errors).toMatchObject([{ line, element: 3, reason: expect.stringMatching(/timestamp "not a date"/) }]);
    expect(traitsOf(db, 'u-7')).toEqual({ plan: 'enterprise' });
    expect(traitsOf(db, 'u-8')).toEqual({});
  });

  it('reads NDJSON lines that are each an envelope, locating a rejection at its line and element, inline and on the parser thread', async () => {
    const first = batchBody('n1', 'u-1', 2);
    const second = batchBody('n2', 'u-2', 3);
    (second.batch as Record<string, unknown>[])[1] = { type: 'track', userId: 'u-2', messageId: 'n2-bad', timestamp: '2024-05-01T10:00:00.000Z' };
    const content = ndjson([first, second, track('plain-1', 'u-3')]);
    const expected = { imported: 5, rejected: 1, errors: [{ line: 2, element: 2, reason: expect.stringMatching(/event/) }] };
    const inline = await importContent('batches.ndjson', content);
    expect(inline.summary).toMatchObject({ ...expected, details: { recognized: 'batch envelopes (NDJSON lines)' } });
    expect(traitsOf(inline.db, 'u-2')).toEqual({ plan: 'enterprise' });
    const ids = ['n1-1', 'n1-2', 'n2-1', 'n2-3', 'plain-1'];
    expect(eventIds(inline.db)).toEqual(ids);
    const plain = importOnThreads('batches.ndjson', content);
    expect(plain.summary).toMatchObject({ ...expected, details: { recognized: 'batch envelopes (NDJSON lines)' } });
    expect(plain.ids).toEqual(ids);
    const gz = importOnThreads('batches', gzipSync(content));
    expect(gz.summary).toMatchObject({ ...expected, details: { recognized: 'batch envelopes (NDJSON lines, gzip)' } });
    expect(gz.ids).toEqual(ids);
  });

  it('splits an envelope line of more elements than a packed batch holds, gzipped (the general path), inline and on the parser thread', async () => {
    const small = (k: number): Record<string, unknown> => ({ type: 'track', event: 'e', userId: `u-${k % 3}`, messageId: `s-${k}`, timestamp: '2024-05-01T10:00:00Z' });
    const line = JSON.stringify({ batch: Array.from({ length: 9000 }, (_, k) => small(k)) });
    // Under the 1 MB a line may hold: read as one line, its 9,000 elements exceed a packed batch's 8,192.
    expect(line.length).toBeLessThan(1_000_000);
    const content = gzipSync(`${line}\n`);
    const { db, summary } = await importContent('many.ndjson.gz', content);
    expect(summary).toMatchObject({ imported: 9000, rejected: 0 });
    expect(eventIds(db)).toHaveLength(9000);
    expect(importOnThreads('many.ndjson.gz', content).ids).toHaveLength(9000);
  });

  it('splits an envelope larger than a batch across batches on the parser thread', () => {
    const content = ndjson([batchBody('w', 'u-1', 4500)]);
    const threads = importOnThreads('wide.ndjson', content);
    expect(threads.summary).toMatchObject({ imported: 4500, rejected: 0 });
  });

  it('reads a compact one-line envelope file and one too long for the sniffer to see whole', async () => {
    const body = batchBody('c', 'u-1', 2000);
    (body.batch as Record<string, unknown>[])[1999] = { type: 'track', userId: 'u-1', messageId: 'c-x', timestamp: 'soon' };
    const text = JSON.stringify(body);
    expect(text.length).toBeGreaterThan(256 * 1024);
    const { summary } = await importContent('one-line.json', text);
    expect(summary).toMatchObject({ imported: 1999, rejected: 1, errors: [{ line: 1, element: 2000 }] });
    expect(importOnThreads('one-line', gzipSync(text)).summary).toMatchObject({ imported: 1999, rejected: 1, errors: [{ line: 1, element: 2000 }] });
  });
});

describe('a file holding one JSON object', () => {
  it('is one record, pretty-printed or not', async () => {
    const record = { ...track('one-1', 'u-1'), context: { library: { name: 'analytics.js', version: '4.1.0' } } };
    const pretty = await importContent('event.json', JSON.stringify(record, null, 2));
    expect(pretty.summary).toMatchObject({ imported: 1, rejected: 0, details: { recognized: 'one JSON object' } });
    expect(eventIds(pretty.db)).toEqual(['one-1']);
    const threads = importOnThreads('event', gzipSync(JSON.stringify(record, null, 4)));
    expect(threads.summary).toMatchObject({ imported: 1, details: { recognized: 'one JSON object (gzip)' } });
  });

  it('rejects a pretty-printed object cut off at its end, at its line', async () => {
    const text = JSON.stringify(track('cut-1', 'u-1'), null, 2);
    const { summary } = await importContent('cut.json', `\n\n${text.slice(0, -3)}`);
    expect(summary).toMatchObject({ imported: 0, rejected: 1, errors: [{ line: 3, reason: expect.stringMatching(/cut off/) }] });
  });
});

describe('the CLI', () => {
  it('prints a rejection inside an envelope as "line n, element k", and the packaging it recognized', () => {
    const cli = builtCli();
    const dir = tempDir();
    const file = join(dir, 'batches.gz');
    const body = batchBody('k', 'u-1', 3);
    (body.batch as Record<string, unknown>[])[2] = { type: 'track', userId: 'u-1', messageId: 'k-bad', event: 'x' };
    writeFileSync(file, gzipSync(ndjson([track('k-0', 'u-1'), body])));
    const run = spawnSync(process.execPath, [cli, 'import', file, '--db', join(dir, 'cli.db')], { encoding: 'utf8' });
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('Read as batch envelope (NDJSON lines, gzip)');
    expect(run.stdout).toMatch(/line 2, element 3: missing timestamp/);
  });
});

describe('the CLI prints excerpts', () => {
  it('prints each rejection\'s record text under it, cut with "…", line breaks and escape characters shown escaped', () => {
    const cli = builtCli();
    const dir = tempDir();
    const file = join(dir, 'rows.csv');
    const long = 'y'.repeat(300);
    writeFileSync(file, `userId,type,event,timestamp,properties.note\nu-1,track,Signed Up,2024-05-01T10:00:00Z,fine\nu-2,track,Signed Up,not a date,"two\nlines \u001b[31mred"\nu-3,track,Signed Up,soon,${long}\n`);
    const run = spawnSync(process.execPath, [cli, 'import', file, '--db', join(dir, 'cli.db')], { encoding: 'utf8' });
    expect(run.status).toBe(0);
    const lines = run.stdout.split('\n');
    const first = lines.findIndex((l) => l.startsWith('  line 3: '));
    expect(first).toBeGreaterThan(-1);
    expect(lines[first + 1]).toBe('      u-2,track,Signed Up,not a date,"two\\nlines \\u001b[31mred"');
    const second = lines.findIndex((l) => l.startsWith('  line 5: '));
    expect(second).toBe(first + 2);
    const cut = `u-3,track,Signed Up,soon,${long}`.slice(0, 200);
    expect(lines[second + 1]).toBe(`      ${cut}…`);
    expect(run.stdout).not.toContain('\u001b');
  });
});

describe('a record too long to hold (issue 15, "Limits and robustness")', () => {
  const good = (from: number, count: number): string => ndjson(Array.from({ length: count }, (_, k) => track(`ok-${from + k}`, `u-${(from + k) % 50}`)));

  it('rejects a 3 MB line at its line inline, gzip or not, and imports the lines around it', async () => {
    const long = `{"type":"track","event":"Huge","userId":"u-1","messageId":"huge","timestamp":"2024-05-01T10:00:00.000Z","properties":{"pad":"${'x'.repeat(3_000_000)}"}}\n`;
    const content = good(0, 10) + long + good(10, 10);
    for (const [name, data] of [['long.ndjson', content], ['long.ndjson.gz', gzipSync(content)]] as const) {
      const { db, summary } = await importContent(name, data);
      expect(summary).toMatchObject({ imported: 20, rejected: 1, errors: [{ line: 11, reason: expect.stringMatching(/larger than 1 MB of text/) }] });
      expect(eventIds(db)).toHaveLength(20);
    }
  });

  it('rejects a 3 MB element of a JSON array at its element, gzip or not, and imports the others', async () => {
    const huge = { ...track('huge', 'u-1'), properties: { pad: 'x'.repeat(3_000_000) } };
    const text = JSON.stringify([track('a-1', 'u-1'), huge, track('a-2', 'u-2')]);
    for (const [name, data] of [['array.json', text], ['array.json.gz', gzipSync(text)]] as const) {
      const { db, summary } = await importContent(name, data);
      expect(summary).toMatchObject({ imported: 2, rejected: 1, errors: [{ line: 2, reason: expect.stringMatching(/larger than 1 MB of text/) }] });
      expect(eventIds(db)).toEqual(['a-1', 'a-2']);
    }
  });

  it("keeps a too-long record's first characters as its excerpt, marked cut: a line, an array element, an object and an envelope's element, inline and on the parser thread", async () => {
    const head = `{"type":"track","event":"Huge","userId":"u-1","messageId":"huge","timestamp":"2024-05-01T10:00:00.000Z","properties":{"pad":"`;
    const huge = `${head}${'x'.repeat(3_000_000)}"}}`;
    const expected = (line: number, element?: number) => ({
      line,
      ...(element !== undefined ? { element } : {}),
      reason: expect.stringMatching(/larger than 1 MB of text/),
      excerpt: `${head}${'x'.repeat(200 - head.length)}`,
      excerptCut: true,
    });
    const lines = good(0, 3) + `${huge}\n` + good(3, 2);
    const array = `[${JSON.stringify(track('a-1', 'u-1'))},\n  ${huge}]`;
    const envelope = `{"batch":[${JSON.stringify(track('e-1', 'u-1'))},${huge}],"context":{"ip":"203.0.113.9"}}`;
    const cases = [
      ['long.ndjson', lines, expected(4)],
      ['long.ndjson.gz', gzipSync(lines), expected(4)],
      ['array.json', array, expected(2)],
      ['object.json', `\n${huge}\n`, expected(2)],
      ['envelope.json', envelope, expected(1, 2)],
    ] as const;
    for (const [name, data, error] of cases) {
      const { summary } = await importContent(name, data);
      expect(summary.errors, name).toEqual([error]);
    }
    // The parser threads' own NDJSON path (prepareNdjsonInto) keeps it too.
    expect(importOnThreads('long.ndjson', lines).summary.errors).toEqual([expected(4)]);
  });

  it('streams an NDJSON line holding a batch envelope over 1 MB element by element: the limit is per record, not per line', async () => {
    const users = (k: number): string => `u-${k % 7}`;
    const elements = Array.from({ length: 10_000 }, (_, k) => track(`big-${k + 1}`, users(k), { properties: { total: k, note: 'x'.repeat(200) } }));
    delete elements[4]?.timestamp;
    // The envelope's context comes after its batch, as the HTTP API's own example writes it.
    const wide = JSON.stringify({ batch: elements, context: { traits: { plan: 'enterprise' } } });
    expect(wide.length).toBeGreaterThan(2_500_000);
    const huge = { ...track('huge-1', 'u-1'), properties: { pad: 'y'.repeat(3_000_000) } };
    const withHuge = JSON.stringify({ batch: [track('h-1', 'u-1'), huge, track('h-2', 'u-1')] });
    const content = `${JSON.stringify(track('first', 'u-1'))}\n${wide}\n${withHuge}\n${JSON.stringify(track('last', 'u-1'))}\n`;
    const expected = {
      imported: 1 + 9_999 + 2 + 1,
      rejected: 2,
      errors: [
        { line: 2, element: 5, reason: expect.stringMatching(/timestamp/) },
        { line: 3, element: 2, reason: expect.stringMatching(/larger than 1 MB of text/), excerpt: expect.stringMatching(/^\{"type":"track"/), excerptCut: true },
      ],
      details: { recognized: expect.stringMatching(/^batch envelopes \(NDJSON lines/) },
    };
    const inline = await importContent('wide.ndjson', content);
    expect(inline.summary).toMatchObject(expected);
    // The context after the batch reached every element.
    expect(traitsOf(inline.db, 'u-3')).toEqual({ plan: 'enterprise' });
    expect(eventIds(inline.db)).toHaveLength(expected.imported);
    expect((await importContent('wide.ndjson.gz', gzipSync(content))).summary).toMatchObject(expected);
    for (const [name, data] of [['wide.ndjson', content], ['wide.ndjson.gz', gzipSync(content)]] as const) {
      const threads = importOnThreads(name, data);
      expect(threads.summary, name).toMatchObject(expected);
      expect(threads.ids).toHaveLength(expected.imported);
    }
  });

  it('imports the good records around a 100 MB line on the parser threads, the line rejected at its place, memory flat', async () => {
    const dir = tempDir();
    const file = join(dir, 'huge-line.ndjson');
    const fd = openSync(file, 'w');
    try {
      writeSync(fd, good(0, 1000));
      writeSync(fd, '{"type":"track","event":"Huge","userId":"u-1","messageId":"huge","timestamp":"2024-05-01T10:00:00.000Z","properties":{"pad":"');
      const mb = Buffer.alloc(1024 * 1024, 'x');
      for (let i = 0; i < 100; i++) writeSync(fd, mb);
      writeSync(fd, '"}}\n');
      writeSync(fd, good(1000, 1000));
    } finally {
      closeSync(fd);
    }
    const { out, peakRssMb } = await importWithBuiltCli(file, join(dir, 'cache.db'));
    const summary = JSON.parse(out.trim()) as ImportSummary;
    expect(summary).toMatchObject({ imported: 2000, rejected: 1, errors: [{ line: 1001, reason: expect.stringMatching(/larger than 1 MB of text/) }] });
    // A small import peaks around 150 MB; holding the line (twice, as text and decoded) would pass 300 MB.
    expect(peakRssMb).toBeLessThan(260);
  });
});
