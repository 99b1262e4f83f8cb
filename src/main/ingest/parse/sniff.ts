/**
 * Decides, before anything is written, whether a file can be events at all, in which format and how
 * it is packaged. A gzip file is recognized by its magic bytes, whatever its name, and its start is
 * decompressed to be looked at like any file. An empty file, a binary file (an image, an archive) or
 * text with no Segment-spec fields is refused. A CSV header is read as our dialect or as a warehouse
 * table's export (warehouse.ts), and refused, naming both dialects' minimum columns, when it is neither.
 */
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { extname } from 'node:path';
import { constants as zlibConstants, gunzipSync } from 'node:zlib';
import { ApiError } from '../../../shared/errors';
import { looksLikeEventsHeader, readCsvHeader, type EventFileFormat, type Packaging } from './readers';
import type { WarehouseTable } from './warehouse';
import { parse as parseCsvSync } from 'csv-parse/sync';

const SNIFF_BYTES = 256 * 1024;
/** Compressed bytes decompressed to look at a gzip file's start: enough for its first lines, whatever the ratio. */
const SNIFF_GZIP_BYTES = 64 * 1024;
const EVENT_FIELDS = ['type', 'event', 'userId', 'anonymousId', 'messageId', 'timestamp', 'traits', 'properties'];

/** A Segment field written as a JSON key. */
const SEGMENT_FIELD = /"(type|event|userId|anonymousId|messageId|timestamp)"\s*:/;

function refuse(message: string): never {
  throw new ApiError('invalid_argument', message);
}

export interface SniffResult extends Packaging {
  format: EventFileFormat;
  /** The file's bytes on disk. */
  size: number;
  /** The bytes of events it holds: the size, or for gzip the size its trailer records (below 4 GiB, exact). */
  contentSize: number;
  /** A CSV export of a warehouse table: its kind, and its name as the file's name gives it. */
  warehouse?: { kind: WarehouseTable; table: string };
}

/**
 * What a gzip file decompresses to, from its trailer's ISIZE (the last member's length mod 2^32): never
 * taken as less than the compressed size, so a wrapped or multi-member figure errs towards the file's own.
 */
function gzipContentSize(fd: number, size: number): number {
  if (size < 18) return size;
  const trailer = Buffer.alloc(4);
  readSync(fd, trailer, 0, 4, size - 4);
  return Math.max(size, trailer.readUInt32LE(0));
}

/** gzip's magic bytes (RFC 1952). */
function isGzip(head: Buffer): boolean {
  return head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b;
}

export function sniffEventFile(path: string, requested?: EventFileFormat): SniffResult {
  let size: number;
  try {
    const stat = statSync(path);
    if (!stat.isFile()) refuse(`${path} is not a file.`);
    size = stat.size;
  } catch (err) {
    if (err instanceof ApiError) throw err;
    refuse(`Cannot read ${path}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}.`);
  }
  if (size === 0) refuse(`${path} is empty: there are no events to import.`);
  let head: Buffer = Buffer.alloc(Math.min(size, SNIFF_BYTES));
  const fd = openSync(path, 'r');
  let gzip: boolean;
  let contentSize = size;
  try {
    readSync(fd, head, 0, head.length, 0);
    gzip = isGzip(head);
    if (gzip) contentSize = gzipContentSize(fd, size);
  } finally {
    closeSync(fd);
  }
  let complete = size <= SNIFF_BYTES;
  if (gzip) {
    const compressed = head.subarray(0, SNIFF_GZIP_BYTES);
    try {
      // A sync flush at the end takes what the head decompresses to without asking for the rest.
      head = gunzipSync(compressed, { finishFlush: zlibConstants.Z_SYNC_FLUSH });
    } catch (err) {
      refuse(`${path} is gzip-compressed but cannot be decompressed (${(err as Error).message}).`);
    }
    complete = size <= SNIFF_GZIP_BYTES && head.length <= SNIFF_BYTES;
    head = head.subarray(0, SNIFF_BYTES);
    if (head.length === 0) refuse(`${path} is empty: there are no events to import.`);
  }
  if (head.includes(0)) refuse(`${path} is a binary file, not events (NDJSON, a JSON array or CSV).`);
  let text = head.toString('utf8');
  // A multi-byte character cut at the sniff boundary decodes to U+FFFD; anything else invalid means "not text".
  const cut = text.length - 4;
  if (text.slice(0, Math.max(0, cut)).includes('\uFFFD')) refuse(`${path} is not UTF-8 text, so it cannot be events.`);
  text = text.replace(/^\uFEFF/, '');
  if (text.trim() === '') refuse(`${path} is empty: there are no events to import.`);

  const format = requested ?? guessFormat(path, text, complete);
  const objects = format === 'json' && text.trimStart().startsWith('{');
  if (format === 'ndjson') {
    const lines = text.split('\n').slice(0, complete ? undefined : -1).map((l) => l.trim()).filter(Boolean).slice(0, 200);
    // A first line longer than the sniffed start (a wide batch envelope) is judged by the fields it shows.
    const looksLikeEvents = lines.length === 0 ? SEGMENT_FIELD.test(text) : lines.some((line) => hasEventFields(tryParse(line)) || isEnvelopeOfEvents(tryParse(line)));
    if (!looksLikeEvents) {
      refuse(`${path} does not look like NDJSON events: none of its first lines is a JSON object with Segment fields (type, event, userId…).`);
    }
  } else if (format === 'json') {
    if (!objects && !text.trimStart().startsWith('[')) refuse(`${path} is not JSON events: it starts with neither "[" (an array) nor "{" (an object).`);
    if (!SEGMENT_FIELD.test(text)) {
      refuse(`${path} does not look like a JSON array of events: no Segment fields (type, event, userId…) near its start.`);
    }
  } else {
    const firstLine = text.split(/\r?\n/)[0] ?? '';
    let header: string[];
    try {
      header = (parseCsvSync(firstLine, { relax_column_count: true }) as string[][])[0] ?? [];
    } catch {
      header = [];
    }
    const read = readCsvHeader(header, path);
    if ('error' in read) {
      refuse(looksLikeEventsHeader(header) ? `${path} cannot be imported: ${read.error}.` : `${path} does not look like CSV events: ${read.error}.`);
    }
    if (read.dialect === 'warehouse') return { format, size, contentSize, gzip, objects, warehouse: { kind: read.kind, table: read.table } };
  }
  return { format, size, contentSize, gzip, objects };
}

/**
 * The format by the file's name (inside a .gz one: `events.ndjson.gz` is NDJSON), else by its content.
 * Text starting with "{" is NDJSON when one of its first lines is a whole JSON object, and otherwise
 * JSON objects: one pretty-printed record or envelope, or a single line too long to look at whole.
 */
function guessFormat(path: string, text: string, complete: boolean): EventFileFormat {
  const name = path.replace(/\.(gz|gzip)$/i, '');
  const ext = extname(name).toLowerCase();
  if (ext === '.ndjson' || ext === '.jsonl') return 'ndjson';
  if (ext === '.csv') return 'csv';
  const first = text.trimStart()[0];
  if (first === '[') return 'json';
  if (first === '{') {
    const lines = text.split('\n').slice(0, complete ? undefined : -1).map((l) => l.trim()).filter(Boolean).slice(0, 20);
    return lines.some((line) => line.startsWith('{') && tryParse(line) !== undefined) ? 'ndjson' : 'json';
  }
  return 'csv';
}

/** A batch envelope whose first element has Segment fields. */
function isEnvelopeOfEvents(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const batch = (value as { batch?: unknown }).batch;
  return Array.isArray(batch) && hasEventFields(batch[0]);
}

function tryParse(line: string): unknown {
  try {
    return JSON.parse(line);
  } catch {
    return undefined;
  }
}

function hasEventFields(value: unknown): boolean {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && EVENT_FIELDS.some((f) => f in value);
}
