/**
 * Streaming readers for event files: NDJSON, a JSON array, and CSV with a header row. Each yields
 * batches of raw records with their location (1-based line for NDJSON and CSV, element index for a
 * JSON array), never holding more of the file than one chunk and one batch.
 */
import { isAscii } from 'node:buffer';
import { closeSync, createReadStream, openSync, readSync } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import { pipeline } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { parseJsonWithExactIds } from '../../../shared/exact-ids';
import { FORBIDDEN_KEYS, typeCell } from './cells';
import { EXCERPT_CHARS } from './excerpt';
import { recognizeWarehouseTable, tableNameFromFile, WAREHOUSE_MINIMUM, warehouseRecord, type WarehouseTable } from './warehouse';

export type EventFileFormat = 'ndjson' | 'json' | 'csv';

export interface RawRecord {
  line: number;
  /** Its 1-based element number inside a batch envelope (the envelope is at `line`). */
  element?: number;
  /** Its envelope's context and integrations, for a record that lacks its own. */
  defaults?: EnvelopeDefaults;
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
  /** The start of a record too long to hold (its first characters only), for the rejection's excerpt. */
  head?: string;
  /** A CSV row's cells as read, so a rejected row's report can show the row (excerpt.ts); not kept past the batch. */
  cells?: string[];
  /** A warehouse `tracks` row (warehouse.ts): a per-event table's row with its id replaces it. */
  replaceable?: boolean;
  /** A warehouse `accounts` row: an account's traits with no user (NormalizeOptions.accountRow). */
  accountRow?: boolean;
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
  /** Batch envelopes read so far (an NDJSON line or a JSON object whose `batch` is an array). */
  envelopes?: number;
}

/** How a file is packaged (sniff.ts tells). */
export interface Packaging {
  /** gzip-compressed (its magic bytes), decompressed as it streams. */
  gzip: boolean;
  /** A JSON file of objects (one record, or batch envelopes) rather than an array. */
  objects: boolean;
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
 * Characters of text the readers hold for one record (an NDJSON line, an object or envelope element of a
 * JSON-objects file, an envelope's member): a record longer than this is rejected at its location
 * without being held whole, so one huge record cannot exhaust a parser thread's heap (the compact size
 * limit, 32 KB, refuses it anyway; this bounds the memory on the way there).
 */
export const MAX_HELD_RECORD_TEXT = 1024 * 1024;

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
    // Numeric ids keep their digits (exact-ids.ts).
    return { value: parseJsonWithExactIds(raw.text) };
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
 * A stretch of an NDJSON file and the records in it: record k is text[starts[k], ends[k]) (a trailing
 * CR excluded) on line lines[k]. Blank lines are counted but are not records. `text` is the Latin-1
 * reading of `bytes`, one character per byte, so a position is the same in both: the stretch is cut
 * into lines and scanned as one-byte text whatever it holds, and only a record's text is decoded as
 * UTF-8 (recordText), where it is not ASCII. Decoding whole chunks as UTF-8 made every chunk with one
 * non-ASCII character (half a real file's) a two-byte string that every later scan walked at twice
 * the bytes, and the decoding itself was a seventh of a parser thread's time.
 */
export interface NdjsonChunk {
  text: string;
  /** The stretch's bytes (UTF-8), `text` read as Latin-1; empty when `ascii` (the text is all there is to read). */
  bytes: Buffer;
  /** True when every byte is ASCII: then `text` is the decoded text itself. */
  ascii: boolean;
  starts: number[];
  ends: number[];
  lines: number[];
  /**
   * A line that ended in this chunk (before its records) but was let go for its length, unread: over
   * MAX_HELD_RECORD_TEXT, it is rejected at its line without being held whole.
   */
  oversized?: number;
  /** That line's first characters (more than an excerpt keeps, so the excerpt says it was cut). */
  oversizedHead?: string;
  /**
   * That line's bytes [start, end) in the file's content (decompressed, for gzip), so it can be read
   * again as a stream: a batch envelope on it is read element by element (readJsonObjects with a range).
   */
  oversizedBytes?: ByteRange;
}

/**
 * Cuts decoded NDJSON text into records as bytes come: push() each chunk of bytes (in file order),
 * then end() once. Lines are numbered from 1 at the first chunk; `first` says whether that chunk is the
 * file's start (the only place a byte order mark can be).
 */
export class NdjsonSplitter {
  /** The line in progress, as Latin-1 text and as its bytes (a copy: a chunk's bytes may move to another thread). */
  private carry = '';
  private carryBytes: Buffer = EMPTY_BYTES;
  /** Physical lines read so far, blank ones included. */
  line = 0;
  /** The number of the line being let go for its length (read past up to its end, not kept); 0: none. */
  private skipping = 0;
  /** The start of the line being let go, for its rejection's excerpt. */
  private skippingHead = '';
  /** Where the line being let go starts in the content. */
  private skippingStart = 0;
  /** Content bytes pushed so far (from `offset`, the first chunk's place in the content). */
  private pushed: number;
  /** Where the line in progress (the carry) starts in the content. */
  private lineStart: number;

  constructor(
    private first: boolean,
    offset = 0,
  ) {
    this.pushed = offset;
    this.lineStart = offset;
  }

  push(pushed: Buffer): NdjsonChunk {
    let bytes = pushed;
    const chunkStart = this.pushed;
    this.pushed += bytes.length;
    // A newline byte is never part of a multi-byte character: the bytes tell where lines start.
    const lastNewline = bytes.lastIndexOf(10);
    if (this.first) {
      // A byte order mark is not part of the first record.
      if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) bytes = bytes.subarray(3);
      this.first = false;
    }
    // Latin-1 is a copy of the bytes into a one-byte string (see NdjsonChunk).
    let text = this.carry + bytes.toString('latin1');
    // An ASCII chunk is its text: its bytes are not kept (nor copied together with the carry's).
    const ascii = isAscii(this.carryBytes) && isAscii(bytes);
    let all = ascii ? EMPTY_BYTES : this.carry === '' ? bytes : Buffer.concat([this.carryBytes, bytes]);
    let oversized = 0;
    let oversizedHead = '';
    let oversizedBytes: ByteRange | null = null;
    if (this.skipping !== 0) {
      const newline = text.indexOf('\n');
      if (newline === -1) return { text: '', bytes: EMPTY_BYTES, ascii: true, starts: [], ends: [], lines: [] };
      oversized = this.skipping;
      oversizedHead = this.skippingHead;
      oversizedBytes = { start: this.skippingStart, end: chunkStart + bytes.indexOf(10) };
      this.skipping = 0;
      this.skippingHead = '';
      this.line += 1;
      text = text.slice(newline + 1);
      if (!ascii) all = all.subarray(newline + 1);
    }
    const chunk = this.spans(text, all, ascii, false);
    this.carry = text.slice(chunk.rest);
    this.carryBytes = this.carry === '' ? EMPTY_BYTES : ascii ? Buffer.from(this.carry, 'latin1') : Buffer.from(all.subarray(chunk.rest));
    if (lastNewline !== -1) this.lineStart = chunkStart + lastNewline + 1;
    // A line longer than a record may be is let go rather than held whole (one line of 100 MB would
    // otherwise grow the carry to 100 MB, and past a thread's heap).
    if (this.carry.length > MAX_HELD_RECORD_TEXT) {
      this.skipping = this.line + 1;
      this.skippingHead = heldHead(this.carryBytes.toString('utf8', 0, 4 * (EXCERPT_CHARS + 1)), 0);
      this.skippingStart = this.lineStart;
      this.carry = '';
      this.carryBytes = EMPTY_BYTES;
    }
    if (oversized !== 0) {
      chunk.oversized = oversized;
      chunk.oversizedHead = oversizedHead;
      if (oversizedBytes !== null) chunk.oversizedBytes = oversizedBytes;
    }
    return chunk;
  }

  /** The last line, when the file does not end with a line break. */
  end(): NdjsonChunk | null {
    if (this.skipping !== 0) {
      this.line += 1;
      const oversized = this.skipping;
      const oversizedHead = this.skippingHead;
      const oversizedBytes = { start: this.skippingStart, end: this.pushed };
      this.skipping = 0;
      this.skippingHead = '';
      this.carry = '';
      return { text: '', bytes: EMPTY_BYTES, ascii: true, starts: [], ends: [], lines: [], oversized, oversizedHead, oversizedBytes };
    }
    return this.carry === '' ? null : this.spans(this.carry, this.carryBytes, isAscii(this.carryBytes), true);
  }

  private spans(text: string, bytes: Buffer, ascii: boolean, last: boolean): NdjsonChunk & { rest: number } {
    const chunk: NdjsonChunk & { rest: number } = { text, bytes, ascii, starts: [], ends: [], lines: [], rest: 0 };
    let start = 0;
    for (;;) {
      let end = text.indexOf('\n', start);
      if (end === -1) {
        if (!last || start === text.length) break;
        end = text.length;
      }
      const next = end + 1;
      this.line += 1;
      if (end > start && text.charCodeAt(end - 1) === 0x0d) end -= 1;
      if (!isBlank(chunk, start, end)) {
        chunk.starts.push(start);
        chunk.ends.push(end);
        chunk.lines.push(this.line);
      }
      start = next;
      if (start >= text.length) break;
    }
    chunk.rest = Math.min(start, text.length);
    return chunk;
  }
}

/** The text of a chunk's record at [start, end), decoded (see NdjsonChunk). */
export function recordText(chunk: NdjsonChunk, start: number, end: number): string {
  return chunk.ascii ? chunk.text.slice(start, end) : chunk.bytes.toString('utf8', start, end);
}

const EMPTY_BYTES = Buffer.alloc(0);

/**
 * NDJSON lines as spans of decoded chunks (a record's text is never copied out here); with a range,
 * only that range's lines, numbered from 1 at its start. `progress` counts bytes and lines read.
 */
export function* readNdjsonChunks(path: string, progress: ReadProgress, range?: ByteRange): Generator<NdjsonChunk> {
  const splitter = new NdjsonSplitter((range?.start ?? 0) === 0, range?.start ?? 0);
  for (const bytes of readChunks(path, range)) {
    progress.bytes += bytes.length;
    const chunk = splitter.push(bytes);
    progress.lines = splitter.line;
    yield chunk;
  }
  const chunk = splitter.end();
  if (chunk !== null) {
    progress.lines = splitter.line;
    yield chunk;
  }
}

/**
 * A gzip-compressed file's content, decompressed as it streams, in chunks under CHUNK_BYTES (see there);
 * `progress` counts the compressed bytes read, as the file's size does. Concatenated gzip members (what
 * `cat a.gz b.gz` makes) are read one after the other.
 */
async function* gunzipChunks(path: string, progress: ReadProgress): AsyncGenerator<Buffer> {
  const source = createReadStream(path, { highWaterMark: GZIP_READ_BYTES });
  source.on('data', (chunk) => {
    progress.bytes += (chunk as Buffer).length;
  });
  // pipeline, not pipe: a read error or a damaged stream ends the iteration below with that error.
  const gunzip = pipeline(source, createGunzip({ chunkSize: GZIP_READ_BYTES }), () => {});
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  try {
    for await (const piece of gunzip as AsyncIterable<Buffer>) {
      pending.push(piece);
      pendingBytes += piece.length;
      if (pendingBytes >= CHUNK_BYTES - GZIP_READ_BYTES) {
        yield pending.length === 1 ? (pending[0] as Buffer) : Buffer.concat(pending, pendingBytes);
        pending = [];
        pendingBytes = 0;
      }
    }
  } catch (err) {
    throw new Error(`the gzip stream is damaged: ${(err as Error).message}`, { cause: err });
  } finally {
    source.destroy();
    gunzip.destroy();
  }
  if (pendingBytes > 0) yield Buffer.concat(pending, pendingBytes);
}

/** Decompressed bytes per gzip output piece (and compressed bytes per read). */
const GZIP_READ_BYTES = 256 * 1024;

/** A file's content as bytes in order: read as it is, or decompressed when it is gzip (progress counts the file's bytes). */
async function* contentChunks(path: string, progress: ReadProgress, gzip: boolean, range?: ByteRange): AsyncGenerator<Buffer> {
  if (gzip && range !== undefined) {
    // A compressed stream cannot be entered in the middle: decompressed from the start, the bytes before the range dropped.
    let at = 0;
    for await (const bytes of gunzipChunks(path, progress)) {
      const from = Math.max(range.start - at, 0);
      const to = Math.min(range.end - at, bytes.length);
      at += bytes.length;
      if (to > from) yield bytes.subarray(from, to);
      if (at >= range.end) return;
    }
    return;
  }
  if (gzip) {
    yield* gunzipChunks(path, progress);
    return;
  }
  for (const bytes of readChunks(path, range)) {
    progress.bytes += bytes.length;
    yield bytes;
  }
}

/** True when text[start, end) is empty or only whitespace. */
function isBlank(chunk: NdjsonChunk, start: number, end: number): boolean {
  if (end === start) return true;
  const c = chunk.text.charCodeAt(start);
  if (c > 0x20 && c < 0x7f) return false;
  return recordText(chunk, start, end).trim() === '';
}

/**
 * NDJSON records; with a range, only that range's lines, numbered from 1 at its start. A gzip file is
 * read whole (a compressed stream cannot be entered in the middle, so it has no ranges).
 */
export async function* readNdjson(path: string, progress: ReadProgress, range?: ByteRange, gzip = false): AsyncGenerator<RawRecord[]> {
  let batch: RawRecord[] = [];
  let batchText = 0;
  const splitter = new NdjsonSplitter((range?.start ?? 0) === 0, range?.start ?? 0);
  const take = (chunk: NdjsonChunk): void => {
    for (let k = 0; k < chunk.starts.length; k++) {
      const text = recordText(chunk, chunk.starts[k] as number, chunk.ends[k] as number);
      batch.push({ line: chunk.lines[k] as number, text, bytes: byteSize(text) });
    }
    batchText += chunk.text.length;
  };
  const pieces = contentChunks(path, progress, gzip, range);
  for (let done = false; !done; ) {
    const next = await pieces.next();
    const chunk = next.done ? splitter.end() : splitter.push(next.value);
    done = next.done === true;
    progress.lines = splitter.line;
    if (chunk === null) continue;
    if (chunk.oversized !== undefined) {
      // Its records come as they are read, in batches like any others.
      for await (const records of readOversizedLine(path, chunk, progress, gzip)) {
        batch.push(...records);
        if (batch.length >= BATCH_RECORDS) {
          yield batch;
          batch = [];
          batchText = 0;
        }
      }
    }
    take(chunk);
    if (batch.length >= BATCH_RECORDS || batchText >= BATCH_TEXT) {
      yield batch;
      batch = [];
      batchText = 0;
    }
  }
  if (batch.length > 0) yield batch;
}

/**
 * The records of an NDJSON line too long to hold (NdjsonChunk.oversized), read again from the file as
 * a stream of JSON objects: a batch envelope's elements one by one (the record limit is per record, not
 * per line), located at the line and their element; anything else one rejection at the line, with the
 * line's first characters. `progress` counts the envelopes read.
 */
export async function* readOversizedLine(path: string, chunk: NdjsonChunk, progress: ReadProgress, gzip: boolean): AsyncGenerator<RawRecord[]> {
  const line = chunk.oversized as number;
  const rejected: RawRecord = { line, error: tooLong(), ...(chunk.oversizedHead !== undefined ? { head: chunk.oversizedHead } : {}) };
  const bytes = chunk.oversizedBytes;
  if (bytes === undefined || !ENVELOPE_START.test(chunk.oversizedHead ?? '')) {
    yield [rejected];
    return;
  }
  const read: ReadProgress = { bytes: 0, envelopes: 0 };
  try {
    // The line holds no line break: every record is on it.
    for await (const records of readJsonObjects(path, read, gzip, bytes)) yield records.map((r) => ({ ...r, line }));
  } catch {
    // Nothing on it is a JSON object.
    yield [rejected];
  }
  progress.envelopes = (progress.envelopes ?? 0) + (read.envelopes ?? 0);
}

/** The start of a line that may be a batch envelope: an object whose members the reader can stream. */
const ENVELOPE_START = /^\s*\{/;


/**
 * A JSON array, element by element: a small scanner finds each top-level element's end (tracking
 * strings and nesting), so one malformed element is rejected alone and the file is never slurped.
 */
export async function* readJsonArray(path: string, progress: ReadProgress, gzip = false): AsyncGenerator<RawRecord[]> {
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
  let elementDropped = false;
  let droppedHead = '';

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
    if (elementDropped) {
      elementDropped = false;
      batch.push({ line: index, error: tooLong(), head: droppedHead });
      return;
    }
    const trimmed = text.trim();
    batch.push({ line: index, text: trimmed, bytes: byteSize(trimmed) });
  };

  for await (const chunk of contentChunks(path, progress, gzip)) {
    buffer += decoder.write(chunk);
    scan(false);
    // An element longer than a record may be is let go as it is read (still scanned for its end), and rejected there.
    if (elementStart !== -1 && pos - elementStart > MAX_HELD_RECORD_TEXT) {
      if (!elementDropped) droppedHead = heldHead(buffer, elementStart);
      elementStart = pos;
      elementDropped = true;
    }
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

/** What a batch envelope gives the elements that lack their own: its context and integrations. */
export interface EnvelopeDefaults {
  context?: unknown;
  integrations?: unknown;
}

/** The envelope's members that apply to its elements. */
const ENVELOPE_DEFAULTS = ['context', 'integrations'] as const;

/** A member's `"key":` at the start of its text; the rest is its value. */
const MEMBER_KEY = /^\s*("(?:[^"\\]|\\.)*")\s*:/;

/**
 * A file of JSON objects, possibly pretty-printed, one after another (most often just one): an object
 * whose `batch` is an array is a batch envelope whose elements are the records, streamed one by one;
 * any other object is one record. A record's location is the line its text starts on, with, inside an
 * envelope, its 1-based element number.
 *
 * Two passes: an envelope's context may follow its batch (the HTTP API's own example writes it last),
 * so the first pass only collects each envelope's context and integrations, and the second reads the
 * records with them at hand. Neither holds more than one record (or one envelope member) and a chunk.
 */
export async function* readJsonObjects(path: string, progress: ReadProgress, gzip = false, range?: ByteRange): AsyncGenerator<RawRecord[]> {
  const defaults: (EnvelopeDefaults | null)[] = [];
  for await (const batch of scanJsonObjects(path, { bytes: 0 }, gzip, defaults, false, range)) void batch;
  yield* scanJsonObjects(path, progress, gzip, defaults, true, range);
}

async function* scanJsonObjects(
  path: string,
  progress: ReadProgress,
  gzip: boolean,
  defaults: (EnvelopeDefaults | null)[],
  emitting: boolean,
  range?: ByteRange,
): AsyncGenerator<RawRecord[]> {
  const decoder = new StringDecoder('utf8');
  let buffer = '';
  let pos = 0;
  let line = 1;
  let batch: RawRecord[] = [];
  let depth = 0;
  let inString = false;
  let escaped = false;
  let failed = false;
  // The object in progress (a "root"): where it starts, and whether its text is held (a record's: -1 when not).
  let root = -1;
  let rootStart = -1;
  let rootLine = 0;
  let rootOversized = false;
  let rootHead = '';
  let envelope: EnvelopeDefaults | null = null;
  let batchSeen = false;
  // The root's member in progress (its `"key": value` text, held unless it is the batch), and whether it is the batch.
  let inMember = false;
  let memberStart = -1;
  let inBatch = false;
  let batchMember = false;
  // The batch element in progress (its text held only in the second pass, and only up to the limit).
  let inElement = false;
  let elementStart = -1;
  let elementLine = 0;
  let element = 0;
  let elementHead = '';

  const finishMember = (end: number): void => {
    if (memberStart !== -1 && !batchMember && !emitting) {
      const text = buffer.slice(memberStart, end);
      const key = MEMBER_KEY.exec(text);
      const name = key ? (JSON.parse(key[1] as string) as string) : '';
      if (key && (ENVELOPE_DEFAULTS as readonly string[]).includes(name)) {
        try {
          (envelope ??= {})[name as (typeof ENVELOPE_DEFAULTS)[number]] = JSON.parse(text.slice(key[0].length));
        } catch {
          // Not applied: a malformed context gives the elements nothing rather than failing them all.
        }
      }
    }
    inMember = false;
    memberStart = -1;
    batchMember = false;
  };
  const finishRoot = (end: number): void => {
    if (!emitting) defaults[root] = batchSeen ? (envelope ?? {}) : null;
    else if (rootStart !== -1) {
      const text = buffer.slice(rootStart, end);
      batch.push({ line: rootLine, text, bytes: byteSize(text) });
    } else if (rootOversized) batch.push({ line: rootLine, error: tooLong(), head: rootHead });
    rootStart = -1;
  };
  const emitElement = (end: number): void => {
    element += 1;
    if (elementStart !== -1) {
      const text = buffer.slice(elementStart, end).trim();
      const given = defaults[root];
      batch.push({ line: elementLine, element, text, bytes: byteSize(text), ...(given && Object.keys(given).length > 0 ? { defaults: given } : {}) });
    } else if (emitting) batch.push({ line: elementLine, element, error: tooLong(), head: elementHead });
    inElement = false;
    elementStart = -1;
    elementHead = '';
  };

  const scan = (): void => {
    while (pos < buffer.length && !failed) {
      const ch = buffer.charCodeAt(pos);
      if (ch === 0x0a) line += 1;
      if (inString) {
        if (escaped) escaped = false;
        else if (ch === 0x5c /* \ */) escaped = true;
        else if (ch === 0x22 /* " */) inString = false;
      } else if (depth === 0) {
        if (ch === 0x7b /* { */) {
          root += 1;
          rootLine = line;
          const isEnvelope = emitting && defaults[root] !== null && defaults[root] !== undefined;
          rootStart = emitting && !isEnvelope ? pos : -1;
          rootOversized = false;
          if (isEnvelope) progress.envelopes = (progress.envelopes ?? 0) + 1;
          envelope = null;
          batchSeen = false;
          element = 0;
          depth = 1;
        } else if (!isSpace(ch)) {
          if (emitting) batch.push({ line, error: 'not a JSON object: the file cannot be read from here on' });
          failed = true;
        }
      } else if (depth === 1) {
        if (ch === 0x2c /* , */) finishMember(pos);
        else if (ch === 0x7d /* } */) {
          finishMember(pos);
          depth = 0;
          finishRoot(pos + 1);
        } else if (!isSpace(ch)) {
          if (!inMember) {
            inMember = true;
            memberStart = pos;
          }
          if (ch === 0x22) inString = true;
          else if (ch === 0x5b /* [ */ && memberStart !== -1 && /^\s*"batch"\s*:\s*$/.test(buffer.slice(memberStart, pos))) {
            memberStart = -1;
            inBatch = true;
            batchMember = true;
            batchSeen = true;
            depth = 2;
          } else if (ch === 0x7b || ch === 0x5b) depth = 2;
        }
      } else if (depth === 2 && inBatch) {
        if (ch === 0x2c || ch === 0x5d /* ] */) {
          if (inElement) emitElement(pos);
          if (ch === 0x5d) {
            inBatch = false;
            depth = 1;
          }
        } else if (!isSpace(ch)) {
          if (!inElement) {
            inElement = true;
            elementStart = emitting ? pos : -1;
            elementLine = line;
          }
          if (ch === 0x22) inString = true;
          else if (ch === 0x7b || ch === 0x5b) depth = 3;
        }
      } else if (ch === 0x22) inString = true;
      else if (ch === 0x7b || ch === 0x5b) depth += 1;
      else if (ch === 0x7d || ch === 0x5d) depth -= 1;
      pos += 1;
    }
  };

  for await (const chunk of contentChunks(path, progress, gzip, range)) {
    buffer += decoder.write(chunk);
    scan();
    // A record, member or element longer than the limit is let go: it is rejected (or ignored) when it ends.
    if (rootStart !== -1 && pos - rootStart > MAX_HELD_RECORD_TEXT) {
      rootHead = heldHead(buffer, rootStart);
      rootStart = -1;
      rootOversized = true;
    }
    if (memberStart !== -1 && pos - memberStart > MAX_HELD_RECORD_TEXT) memberStart = -1;
    if (elementStart !== -1 && pos - elementStart > MAX_HELD_RECORD_TEXT) {
      elementHead = heldHead(buffer, elementStart);
      elementStart = -1;
    }
    // Keep only what is still needed: the record, member or element being read.
    let keepFrom = pos;
    for (const start of [rootStart, memberStart, elementStart]) if (start !== -1) keepFrom = Math.min(keepFrom, start);
    buffer = buffer.slice(keepFrom);
    pos -= keepFrom;
    if (rootStart !== -1) rootStart -= keepFrom;
    if (memberStart !== -1) memberStart -= keepFrom;
    if (elementStart !== -1) elementStart -= keepFrom;
    if (batch.length >= BATCH_RECORDS) {
      yield batch;
      batch = [];
    }
    if (failed) break;
  }
  buffer += decoder.end();
  scan();
  if (emitting && !failed && depth > 0) {
    if (inElement) batch.push({ line: elementLine, element: element + 1, error: 'the file is cut off inside this element' });
    else batch.push({ line: rootLine, error: 'the file ends inside this JSON object: it may be cut off' });
  }
  if (root === -1 && !failed) throw new Error('the file holds no JSON object');
  if (batch.length > 0) yield batch;
}

/**
 * The first characters of a record about to be let go for its length, from `start` in `text`: more than
 * an excerpt keeps, so the excerpt made from it is marked cut (excerpt.ts).
 */
function heldHead(text: string, start: number): string {
  return text.slice(start, start + EXCERPT_CHARS + 1);
}

/** Why a record whose text exceeds MAX_HELD_RECORD_TEXT is rejected. */
export function tooLong(): string {
  return `record is larger than ${MAX_HELD_RECORD_TEXT / (1024 * 1024)} MB of text, so it was not read`;
}

function isSpace(ch: number): boolean {
  return ch === 0x20 || ch === 0x0a || ch === 0x0d || ch === 0x09 || ch === 0xfeff;
}

/** Our dialect's columns that are the record's own fields, taken as text. */
const TOP_LEVEL = new Set([
  'type',
  'event',
  'name',
  'userId',
  'anonymousId',
  'messageId',
  'groupId',
  'previousId',
  'timestamp',
  'originalTimestamp',
  'sentAt',
  'receivedAt',
]);

/** Our dialect's dotted roots: `properties.plan`, `traits.email`, `context.ip`, `integrations.All`. */
const DOTTED_ROOTS = new Set(['properties', 'traits', 'context', 'integrations']);

/** Why a CSV header cannot be read safely, naming the column; null when it can. */
export function unsafeCsvHeader(header: string[]): string | null {
  for (const raw of header) {
    const name = raw.replace(/^\uFEFF/, '').trim();
    const segment = name.split('.').find((part) => FORBIDDEN_KEYS.has(part));
    if (segment !== undefined) {
      return `the CSV header column "${name.slice(0, 80)}" names "${segment}", which cannot be a property or trait path (__proto__, constructor and prototype are refused)`;
    }
  }
  return null;
}

/**
 * How a header of our dialect maps to record fields: the record's own fields (TOP_LEVEL) as text, and
 * dotted paths under properties, traits, context or integrations, typed (typeCell); any other column
 * is a property of that name. `context.*` columns are the record's context, never properties.
 */
export function csvColumns(header: string[]): { path: string[]; typed: boolean }[] {
  const unsafe = unsafeCsvHeader(header);
  if (unsafe !== null) throw new Error(unsafe);
  return header.map((raw) => {
    const name = raw.replace(/^\uFEFF/, '').trim();
    if (TOP_LEVEL.has(name)) return { path: [name], typed: false };
    const [root, ...rest] = name.split('.');
    if (DOTTED_ROOTS.has(root as string) && rest.length > 0 && rest.every((p) => p !== '')) {
      return { path: [root as string, ...rest], typed: true };
    }
    return { path: ['properties', name], typed: true };
  });
}

/** Our dialect's minimum, as a refusal names it. */
export const CSV_DIALECT_MINIMUM = 'userId or anonymousId, and type, event or timestamp';

export function looksLikeEventsHeader(header: string[]): boolean {
  const names = new Set(header.map((h) => h.replace(/^\uFEFF/, '').trim()));
  return (names.has('userId') || names.has('anonymousId')) && (names.has('type') || names.has('event') || names.has('timestamp'));
}

/** How a CSV file's header reads: our dialect's columns, or a warehouse table's (and the table's name). */
export type CsvHeader =
  | { dialect: 'ours'; columns: { path: string[]; typed: boolean }[] }
  | { dialect: 'warehouse'; kind: WarehouseTable; table: string; names: string[] };

/**
 * A CSV header read as our dialect, else as a warehouse table export (whose table name the file's
 * name may give: order_completed.csv); an error names both dialects' minimum columns, or the column
 * that cannot be read safely.
 */
export function readCsvHeader(header: string[], path: string): CsvHeader | { error: string } {
  if (looksLikeEventsHeader(header)) {
    const unsafe = unsafeCsvHeader(header);
    return unsafe !== null ? { error: unsafe } : { dialect: 'ours', columns: csvColumns(header) };
  }
  const table = tableNameFromFile(path);
  const recognized = recognizeWarehouseTable(header, table);
  if ('kind' in recognized) return { dialect: 'warehouse', kind: recognized.kind, table, names: header };
  return {
    error:
      `its header is neither our CSV dialect, which needs ${CSV_DIALECT_MINIMUM}, nor a warehouse table's, which needs ${WAREHOUSE_MINIMUM}` +
      ` (as a warehouse table: ${recognized.error}; docs/IMPORT.md, "CSV")`,
  };
}

/** One data row of a warehouse table export as a raw record (or why it is not one). */
function warehouseRaw(header: Extract<CsvHeader, { dialect: 'warehouse' }>, row: string[], line: number): RawRecord {
  // No prototype: a column's name is only ever a key here (the header was checked anyway).
  const values = Object.create(null) as Record<string, string>;
  header.names.forEach((name, i) => {
    values[name] = row[i] as string;
  });
  const mapped = warehouseRecord(header.kind, values, header.table);
  if ('reason' in mapped) return { line, error: mapped.reason, cells: row };
  return { line, value: mapped.record, cells: row, ...(mapped.replaceable ? { replaceable: true } : {}), ...(header.kind === 'accounts' ? { accountRow: true } : {}) };
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

export async function* readCsv(path: string, progress: ReadProgress, gzip = false): AsyncGenerator<RawRecord[]> {
  // Loaded when a CSV file comes: most of a parser thread's start-up time otherwise (~12 ms).
  const { parse: parseCsv } = await import('csv-parse');
  const source = createReadStream(path, { highWaterMark: CHUNK_BYTES });
  source.on('data', (chunk) => {
    progress.bytes += (chunk as Buffer).length;
  });
  const options = { relax_column_count: true, bom: true, relax_quotes: false };
  const parser = gzip ? pipeline(source, createGunzip(), parseCsv(options), () => {}) : source.pipe(parseCsv(options));
  let header: CsvHeader | null = null;
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
      if (header === null) {
        const read = readCsvHeader(row, path);
        if ('error' in read) throw new Error(read.error);
        header = read;
        width = row.length;
        continue;
      }
      if (row.length === 1 && (row[0] ?? '').trim() === '') continue;
      if (row.length !== width) {
        batch.push({ line, error: `row has ${row.length} cells but the header has ${width}`, cells: row });
      } else if (header.dialect === 'warehouse') batch.push(warehouseRaw(header, row, line));
      else {
        const record: Record<string, unknown> = {};
        for (let i = 0; i < width; i++) {
          const column = header.columns[i] as { path: string[]; typed: boolean };
          const cell = row[i] as string;
          const value = column.typed ? typeCell(cell) : cell === '' ? undefined : cell;
          if (value !== undefined) setPath(record, column.path, value);
        }
        batch.push({ line, value: record, cells: row });
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
