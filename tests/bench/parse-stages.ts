/**
 * What one parser thread's stages cost per record on an NDJSON file, on this thread, nothing written:
 *   - JSON.parse of every line (the parse ceiling's work), and the general path's parse (exact ids);
 *   - the fast path (prepareFastAt) over every line, and the share it takes;
 *   - the general path (prepareLine without the fast path: parse, validate, normalize, key, re-serialize)
 *     over every line;
 *   - the import's mix: the fast path, else the general path, as the parser threads do.
 * Usage: parse-stages.ts <file.ndjson> [records]  (default: the first 200,000 lines). Best of 3 passes each.
 * For docs/PERFORMANCE.md's analysis of where real-shaped files lose time; not a timed test.
 */
import { ShapeNumbering } from '../../src/main/db/property-keys';
import { nextBackslashIn, nextUnusual, prepareFastAt } from '../../src/main/ingest/parse/fast-record';
import { prepareLine } from '../../src/main/ingest/parse/prepare';
import { byteSize, readNdjsonChunks, recordText, SURELY_SMALL_TEXT } from '../../src/main/ingest/parse/readers';
import { RecordTime } from '../../src/main/ingest/parse/record-time';
import { parseJsonWithExactIds } from '../../src/shared/exact-ids';

const [file, limit] = process.argv.slice(2) as [string, string | undefined];
const wanted = Number(limit ?? 200_000);
const lines: string[] = [];
for (const chunk of readNdjsonChunks(file, { bytes: 0 })) {
  for (let k = 0; k < chunk.starts.length && lines.length < wanted; k++) lines.push(recordText(chunk, chunk.starts[k] as number, chunk.ends[k] as number));
  if (lines.length >= wanted) break;
}
const shapes = new ShapeNumbering(() => {});
const time = new RecordTime();
const progress = { bytes: 0 };

function best(label: string, pass: () => number): void {
  let ms = Infinity;
  let result = 0;
  for (let k = 0; k < 3; k++) {
    const started = performance.now();
    result = pass();
    ms = Math.min(ms, performance.now() - started);
  }
  process.stdout.write(`${label.padEnd(44)} ${((ms * 1000) / lines.length).toFixed(2).padStart(6)} µs/record  (${result.toLocaleString('en-US')})\n`);
}

const fastOk = (line: string): boolean => line.length <= SURELY_SMALL_TEXT && nextUnusual(line, 0) >= line.length && prepareFastAt(line, 0, line.length, shapes, nextBackslashIn(line, 0));

process.stdout.write(`${file}: ${lines.length.toLocaleString('en-US')} records, ${(lines.reduce((n, l) => n + l.length, 0) / lines.length).toFixed(0)} characters each\n`);
best('JSON.parse (the ceiling\'s work)', () => lines.filter((line) => JSON.parse(line) !== null).length);
best('parseJsonWithExactIds (the general path\'s parse)', () => lines.filter((line) => parseJsonWithExactIds(line) !== null).length);
best('fast path tried on every record (taken)', () => lines.filter(fastOk).length);
best('general path on every record (prepared)', () => lines.filter((line) => typeof prepareLine(line, byteSize(line), 1, shapes, time, progress, false) !== 'string').length);
best('the import\'s mix: fast, else general (fast)', () => {
  let fast = 0;
  for (const line of lines) {
    if (fastOk(line)) fast += 1;
    else prepareLine(line, byteSize(line), 1, shapes, time, progress, false);
  }
  return fast;
});
