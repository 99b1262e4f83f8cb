/**
 * Decides, before anything is written, whether a file can be events at all and in which format.
 * An empty file, a binary file (an image, an archive) or text with no Segment-spec fields is refused.
 */
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { extname } from 'node:path';
import { ApiError } from '../../../shared/errors';
import { looksLikeEventsHeader, unsafeCsvHeader, type EventFileFormat } from './readers';
import { parse as parseCsvSync } from 'csv-parse/sync';

const SNIFF_BYTES = 256 * 1024;
const EVENT_FIELDS = ['type', 'event', 'userId', 'anonymousId', 'messageId', 'timestamp', 'traits', 'properties'];

function refuse(message: string): never {
  throw new ApiError('invalid_argument', message);
}

export interface SniffResult {
  format: EventFileFormat;
  size: number;
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
  const head = Buffer.alloc(Math.min(size, SNIFF_BYTES));
  const fd = openSync(path, 'r');
  try {
    readSync(fd, head, 0, head.length, 0);
  } finally {
    closeSync(fd);
  }
  if (head.includes(0)) refuse(`${path} is a binary file, not events (NDJSON, a JSON array or CSV).`);
  let text = head.toString('utf8');
  // A multi-byte character cut at the sniff boundary decodes to U+FFFD; anything else invalid means "not text".
  const cut = text.length - 4;
  if (text.slice(0, Math.max(0, cut)).includes('\uFFFD')) refuse(`${path} is not UTF-8 text, so it cannot be events.`);
  text = text.replace(/^\uFEFF/, '');
  if (text.trim() === '') refuse(`${path} is empty: there are no events to import.`);

  const format = requested ?? guessFormat(path, text);
  const complete = size <= SNIFF_BYTES;
  if (format === 'ndjson') {
    const lines = text.split('\n').slice(0, complete ? undefined : -1).map((l) => l.trim()).filter(Boolean).slice(0, 200);
    if (!lines.some((line) => hasEventFields(tryParse(line)))) {
      refuse(`${path} does not look like NDJSON events: none of its first lines is a JSON object with Segment fields (type, event, userId…).`);
    }
  } else if (format === 'json') {
    if (!text.trimStart().startsWith('[')) refuse(`${path} is not a JSON array of events: it does not start with "[".`);
    if (!/"(type|event|userId|anonymousId|messageId|timestamp)"\s*:/.test(text)) {
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
    if (!looksLikeEventsHeader(header)) {
      refuse(`${path} does not look like CSV events: its header needs userId (or anonymousId) and type, event or timestamp.`);
    }
    const unsafe = unsafeCsvHeader(header);
    if (unsafe !== null) refuse(`${path} cannot be imported: ${unsafe}.`);
  }
  return { format, size };
}

function guessFormat(path: string, text: string): EventFileFormat {
  const ext = extname(path).toLowerCase();
  if (ext === '.ndjson' || ext === '.jsonl') return 'ndjson';
  if (ext === '.csv') return 'csv';
  const first = text.trimStart()[0];
  if (first === '[') return 'json';
  if (first === '{') return 'ndjson';
  return 'csv';
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
