/**
 * Streaming readers for event files: NDJSON, a JSON array, and CSV with a header row. Each yields
 * batches of raw records with their location (1-based line for NDJSON and CSV, element index for a
 * JSON array), never holding more of the file than one chunk and one batch.
 */
import { isAscii } from 'node:buffer';
import { closeSync, createReadStream, openSync, readSync } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';

export type EventFileFormat = 'ndjson' | 'json' | 'csv';

export interface RawRecord {
  line: number;
  /** The parsed value (CSV rows). */
  value?: unknown;
  /**
   * The record's JSON text, not yet parsed (NDJSON lines, JSON array elements): the consumer parses
   * one record at a time (parseRecordText), so a batch never holds a few thousand parsed objects at
   * once, which made every young-generation collection copy them (a third of a parser thread's time).
   */
  text?: string;
  /** Why it did not parse. */
  error?: string;
  /**
   * UTF-8 size of the record's JSON text, known without re-serializing: 0 when the text is so short
   * it is surely under the record size limit; undefined when the reader cannot tell (CSV).
   */
  bytes?: number;
}

export interface ReadProgress {
  bytes: number;
  /** Physical lines read so far (NDJSON), blank ones included. */
  lines?: number;
}

/** Bytes [start, end) of a file. */
export interface ByteRange {
  start: number;
  end: number;
}

/** Records per batch (an NDJSON batch may end sooner, see BATCH_TEXT). */
export const BATCH_RECORDS = 2000;
/**
 * NDJSON batches also end past this much text, so large records cannot make a batch large: a parser
 * thread holds a few batches at once within a capped heap.
 */
export const BATCH_TEXT = 2 * 1024 * 1024;
/**
 * Bytes per read. Under 1 MiB on purpose: Node keeps a Latin-1 string decoded from 1,031,913 bytes or
 * more outside the JavaScript heap, where the collector counts it late (figures: docs/PERFORMANCE.md,
 * "Import tuning history").
 */
export const CHUNK_BYTES = 1_000_000;

/**
 * The file (or a range of it) in chunks of CHUNK_BYTES, read synchronously: the import runs on its own (worker)
 * thread, and a synchronous read keeps it busy instead of idling between asynchronous chunks.
 */
function* readChunks(path: string, range?: ByteRange): Generator<Buffer> {
  const fd = openSync(path, 'r');
  try {
    let position = range?.start ?? 0;
    const end = range?.end ?? Infinity;
    while (position < end) {
      const chunk = Buffer.allocUnsafe(Math.min(CHUNK_BYTES, end - position));
      const n = readSync(fd, chunk, 0, chunk.length, position);
      if (n === 0) return;
      position += n;
      yield n === chunk.length ? chunk : chunk.subarray(0, n);
    }
  } finally {
    closeSync(fd);
  }
}

/**
 * Cuts an NDJSON file into ranges of about `rangeBytes` that each start at the beginning of a line,
 * so parser threads can read them side by side. A newline byte never occurs inside a multi-byte UTF-8
 * character, so every range decodes on its own.
 */
export function ndjsonRanges(path: string, size: number, rangeBytes: number): ByteRange[] {
  const cuts = [0];
  const fd = openSync(path, 'r');
  try {
    const probe = Buffer.allocUnsafe(64 * 1024);
    for (let nominal = rangeBytes; nominal < size; nominal += rangeBytes) {
      // A line longer than a range already carried the previous cut past this point.
      if (nominal < (cuts[cuts.length - 1] as number)) continue;
      for (let at = nominal; at < size; ) {
        const n = readSync(fd, probe, 0, probe.length, at);
        if (n === 0) break;
        const newline = probe.subarray(0, n).indexOf(10);
        if (newline !== -1) {
          if (at + newline + 1 < size) cuts.push(at + newline + 1);
          break;
        }
        at += n;
      }
    }
  } finally {
    closeSync(fd);
  }
  return cuts.map((start, k) => ({ start, end: cuts[k + 1] ?? size }));
}

/** A raw record's value: parsed from its text when it has one; a string is why it does not parse. */
export function parseRecordText(raw: RawRecord): { value: unknown } | string {
  if (raw.text === undefined) return { value: raw.value };
  try {
    return { value: JSON.parse(raw.text) };
  } catch (err) {
    return `not valid JSON (${(err as Error).message.replace(/^JSON\.parse: /, '')})`;
  }
}

/** Longest UTF-16 length that is surely within the record size limit (at most 3 UTF-8 bytes per unit). */
export const SURELY_SMALL_TEXT = Math.floor(32_768 / 3);

/** A record text's UTF-8 size as RawRecord.bytes has it: 0 when it is surely within the limit. */
export function byteSize(text: string): number {
  return text.length <= SURELY_SMALL_TEXT ? 0 : Buffer.byteLength(text, 'utf8');
}

/**
 * A decoded stretch of an NDJSON file and the records in it: record k is text[starts[k], ends[k])
 * (a trailing CR excluded) on line lines[k]. Blank lines are counted but are not records.
 */
export interface NdjsonChunk {
  text: string;
  starts: number[];
  ends: number[];
  lines: number[];
}

/**
 * NDJSON lines as spans of decoded chunks (a record's text is never copied out here); with a range,
 * only that range's lines, numbered from 1 at its start. `progress` counts bytes and lines read.
 */
export function* readNdjsonChunks(path: string, progress: ReadProgress, range?: ByteRange): Generator<NdjsonChunk> {
  const decoder = new StringDecoder('utf8');
  let carry = '';
  let line = 0;
  // Only the file's own start can carry a byte order mark.
  let first = (range?.start ?? 0) === 0;
  const spans = (text: string, last: boolean): NdjsonChunk & { rest: number } => {
    const chunk: NdjsonChunk & { rest: number } = { text, starts: [], ends: [], lines: [], rest: 0 };
    let start = 0;
    for (;;) {
      let end = text.indexOf('\n', start);
      if (end === -1) {
        if (!last || start === text.length) break;
        end = text.length;
      }
      const next = end + 1;
      line += 1;
      if (end > start && text.charCodeAt(end - 1) === 0x0d) end -= 1;
      if (!isBlank(text, start, end)) {
        chunk.starts.push(start);
        chunk.ends.push(end);
        chunk.lines.push(line);
      }
      start = next;
      if (start >= text.length) break;
    }
    chunk.rest = Math.min(start, text.length);
    return chunk;
  };
  // The previous chunk's last byte: when it was ASCII, the decoder holds no partial character.
  let lastByte = 0;
  for (const bytes of readChunks(path, range)) {
    progress.bytes += bytes.length;
    // ASCII decodes the same as Latin-1, which Node copies straight into a string: about twice as fast
    // as the UTF-8 decoder, and most files are all ASCII.
    const decoded = lastByte < 0x80 && isAscii(bytes) ? bytes.toString('latin1') : decoder.write(bytes);
    lastByte = bytes[bytes.length - 1] ?? 0;
    let text = carry + decoded;
    if (first) {
      // A byte order mark is not part of the first record.
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
      first = false;
    }
    const chunk = spans(text, false);
    carry = text.slice(chunk.rest);
    progress.lines = line;
    yield chunk;
  }
  carry += decoder.end();
  if (carry !== '') {
    const chunk = spans(carry, true);
    progress.lines = line;
    yield chunk;
  }
}

/** True when text[start, end) is empty or only whitespace. */
function isBlank(text: string, start: number, end: number): boolean {
  if (end === start) return true;
  const c = text.charCodeAt(start);
  if (c > 0x20 && c < 0x7f) return false;
  return text.slice(start, end).trim() === '';
}

/** NDJSON records; with a range, only that range's lines, numbered from 1 at its start. */
export async function* readNdjson(path: string, progress: ReadProgress, range?: ByteRange): AsyncGenerator<RawRecord[]> {
  let batch: RawRecord[] = [];
  let batchText = 0;
  for (const chunk of readNdjsonChunks(path, progress, range)) {
    for (let k = 0; k < chunk.starts.length; k++) {
      const text = chunk.text.slice(chunk.starts[k], chunk.ends[k]);
      batch.push({ line: chunk.lines[k] as number, text, bytes: byteSize(text) });
    }
    batchText += chunk.text.length;
    if (batch.length >= BATCH_RECORDS || batchText >= BATCH_TEXT) {
      yield batch;
      batch = [];
      batchText = 0;
    }
  }
  if (batch.length > 0) yield batch;
}

/**
 * A JSON array, element by element: a small scanner finds each top-level element's end (tracking
 * strings and nesting), so one malformed element is rejected alone and the file is never slurped.
 */
export async function* readJsonArray(path: string, progress: ReadProgress): AsyncGenerator<RawRecord[]> {
  const decoder = new StringDecoder('utf8');
  let buffer = '';
  let pos = 0;
  let opened = false;
  let closed = false;
  let index = 0;
  let batch: RawRecord[] = [];
  // Scanner state for the element being read.
  let elementStart = -1;
  let depth = 0;
  let inString = false;
  let escaped = false;

  const scan = (final: boolean): void => {
    while (pos < buffer.length && !closed) {
      const ch = buffer.charCodeAt(pos);
      if (!opened) {
        if (ch === 0x5b /* [ */) opened = true;
        else if (!isSpace(ch)) throw new Error('a JSON array file must start with "["');
        pos += 1;
        continue;
      }
      if (elementStart === -1) {
        if (isSpace(ch) || ch === 0x2c /* , */) {
          pos += 1;
          continue;
        }
        if (ch === 0x5d /* ] */) {
          closed = true;
          pos += 1;
          continue;
        }
        elementStart = pos;
        depth = 0;
        inString = false;
        escaped = false;
      }
      if (inString) {
        if (escaped) escaped = false;
        else if (ch === 0x5c /* \ */) escaped = true;
        else if (ch === 0x22 /* " */) inString = false;
      } else if (ch === 0x22) inString = true;
      else if (ch === 0x7b || ch === 0x5b) depth += 1;
      else if (ch === 0x7d || ch === 0x5d) {
        if (depth === 0) {
          // A "]" closing the array right after a scalar element.
          emit(buffer.slice(elementStart, pos));
          continue;
        }
        depth -= 1;
      } else if (ch === 0x2c && depth === 0) {
        emit(buffer.slice(elementStart, pos));
        pos += 1;
        continue;
      }
      pos += 1;
      if (depth === 0 && !inString && elementStart !== -1 && (ch === 0x7d || ch === 0x5d)) {
        emit(buffer.slice(elementStart, pos));
      }
    }
    if (final && elementStart !== -1 && !closed) {
      // An element the file ends inside of: one rejection that says the array is cut off there.
      index += 1;
      elementStart = -1;
      batch.push({ line: index, error: 'the JSON array is cut off inside this element (no closing "]")' });
    } else if (final && opened && !closed) {
      // Complete elements, then the end of the file: the elements are kept, and the missing "]" is said,
      // since the file may have been cut off right after one.
      index += 1;
      batch.push({ line: index, error: `the JSON array ends without its closing "]" after element ${index - 1}: the file may be cut off` });
    }
  };
  const emit = (text: string): void => {
    index += 1;
    elementStart = -1;
    const trimmed = text.trim();
    batch.push({ line: index, text: trimmed, bytes: byteSize(trimmed) });
  };

  for (const chunk of readChunks(path)) {
    progress.bytes += chunk.length;
    buffer += decoder.write(chunk);
    scan(false);
    // Keep only the unfinished element.
    const keepFrom = elementStart === -1 ? pos : elementStart;
    buffer = buffer.slice(keepFrom);
    pos -= keepFrom;
    if (elementStart !== -1) elementStart = 0;
    if (batch.length >= BATCH_RECORDS) {
      yield batch;
      batch = [];
    }
  }
  buffer += decoder.end();
  scan(true);
  if (!opened) throw new Error('the file holds no JSON array');
  if (batch.length > 0) yield batch;
}

function isSpace(ch: number): boolean {
  return ch === 0x20 || ch === 0x0a || ch === 0x0d || ch === 0x09 || ch === 0xfeff;
}

/** A CSV cell typed as the import spec says: canonical JSON numbers, true/false, and empty as missing. */
export function typeCell(cell: string): unknown {
  if (cell === '') return undefined;
  if (cell === 'true') return true;
  if (cell === 'false') return false;
  if (/^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?$/.test(cell)) {
    const n = Number(cell);
    // Only a canonical spelling becomes a number, so nothing is lost: "007", "1.50" and "1e3" stay text.
    if (Number.isFinite(n) && String(n) === cell) return n;
  }
  return cell;
}

const TOP_LEVEL = new Set(['type', 'event', 'userId', 'anonymousId', 'messageId', 'timestamp', 'name']);

/**
 * Path segments a CSV header may not name: setting them on a plain object reaches Object.prototype (a
 * header `properties.__proto__.messageId` gave every later record of the parser thread that messageId).
 */
const FORBIDDEN_SEGMENTS = new Set(['__proto__', 'constructor', 'prototype']);

/** Why a CSV header cannot be read safely, naming the column; null when it can. */
export function unsafeCsvHeader(header: string[]): string | null {
  for (const raw of header) {
    const name = raw.replace(/^\uFEFF/, '').trim();
    const segment = name.split('.').find((part) => FORBIDDEN_SEGMENTS.has(part));
    if (segment !== undefined) {
      return `the CSV header column "${name.slice(0, 80)}" names "${segment}", which cannot be a property or trait path (__proto__, constructor and prototype are refused)`;
    }
  }
  return null;
}

/** How a CSV header maps to record fields: top-level fields, and dotted paths under properties or traits. */
export function csvColumns(header: string[]): { path: string[]; typed: boolean }[] {
  const unsafe = unsafeCsvHeader(header);
  if (unsafe !== null) throw new Error(unsafe);
  return header.map((raw) => {
    const name = raw.replace(/^\uFEFF/, '').trim();
    if (TOP_LEVEL.has(name)) return { path: [name], typed: false };
    const [root, ...rest] = name.split('.');
    if ((root === 'properties' || root === 'traits') && rest.length > 0 && rest.every((p) => p !== '')) {
      return { path: [root, ...rest], typed: true };
    }
    return { path: ['properties', name], typed: true };
  });
}

export function looksLikeEventsHeader(header: string[]): boolean {
  const names = new Set(header.map((h) => h.replace(/^\uFEFF/, '').trim()));
  return (names.has('userId') || names.has('anonymousId')) && (names.has('type') || names.has('event') || names.has('timestamp'));
}

function setPath(target: Record<string, unknown>, path: string[], value: unknown): void {
  let node = target;
  for (let i = 0; i < path.length - 1; i++) {
    const key = path[i] as string;
    let next = node[key];
    if (typeof next !== 'object' || next === null) node[key] = next = {};
    node = next as Record<string, unknown>;
  }
  node[path[path.length - 1] as string] = value;
}

const LINE_BREAKS = /\r\n|\r|\n/g;

export async function* readCsv(path: string, progress: ReadProgress): AsyncGenerator<RawRecord[]> {
  // Loaded when a CSV file comes: most of a parser thread's start-up time otherwise (~12 ms).
  const { parse: parseCsv } = await import('csv-parse');
  const source = createReadStream(path, { highWaterMark: CHUNK_BYTES });
  source.on('data', (chunk) => {
    progress.bytes += (chunk as Buffer).length;
  });
  const parser = source.pipe(parseCsv({ relax_column_count: true, bom: true, relax_quotes: false }));
  let columns: { path: string[]; typed: boolean }[] | null = null;
  let width = 0;
  // The physical line where the next row starts. csv-parse's own line counter miscounts CRLF inside
  // quotes, so lines are counted from the line breaks each row holds.
  let nextLine = 1;
  let batch: RawRecord[] = [];
  try {
    for await (const row of parser as AsyncIterable<string[]>) {
      const line = nextLine;
      let breaks = 0;
      for (const cell of row) {
        const m = cell.match(LINE_BREAKS);
        if (m) breaks += m.length;
      }
      nextLine = line + breaks + 1;
      if (columns === null) {
        columns = csvColumns(row);
        width = row.length;
        continue;
      }
      if (row.length === 1 && (row[0] ?? '').trim() === '') continue;
      if (row.length !== width) {
        batch.push({ line, error: `row has ${row.length} cells but the header has ${width}` });
      } else {
        const record: Record<string, unknown> = {};
        for (let i = 0; i < width; i++) {
          const column = columns[i] as { path: string[]; typed: boolean };
          const cell = row[i] as string;
          const value = column.typed ? typeCell(cell) : cell === '' ? undefined : cell;
          if (value !== undefined) setPath(record, column.path, value);
        }
        batch.push({ line, value: record });
      }
      if (batch.length >= BATCH_RECORDS) {
        yield batch;
        batch = [];
      }
    }
  } catch (err) {
    batch.push({ line: nextLine, error: `the CSV cannot be read past this line: ${(err as Error).message}` });
  }
  if (batch.length > 0) yield batch;
}
