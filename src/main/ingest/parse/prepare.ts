/**
 * Turns a file into prepared records: read, parse, validate, normalize, key and serialize. This is
 * the CPU-heavy half of an import, so it can run on its own thread (parse-worker.ts) beside the
 * thread that writes to SQLite, or inline where no worker can start (unit tests under vitest).
 */
import { MAX_RECORD_BYTES, normalizeRecord, recordKey, type NormalizedRecord, type NormalizeOptions } from '../../../shared/event-spec';
import { MAX_JSON_DEPTH, nestsDeeperThan } from '../../../shared/json-depth';
import type { EventFileFormat, ImportError } from '../../../shared/types';
import type { ShapeNumbering } from '../../db/property-keys';
import { fastRecord, nextBackslashIn, nextUnusual, prepareFast, prepareFastAt, preparedFast } from './fast-record';
import type { PreparedBatch, PreparedRecord } from '../records';

/** Prepared records of a stretch of a file, before a BatchBuilder packs them (pack.ts): the writer never sees these. */
export interface RecordBatch extends Omit<PreparedBatch, 'rows'> {
  records: PreparedRecord[];
}
import type { BatchBuilder } from './batch-builder';
import { csvRowText, jsonText, withExcerpt } from './excerpt';
import { RecordTime } from './record-time';
import {
  BATCH_RECORDS,
  BATCH_TEXT,
  byteSize,
  parseRecordText,
  readCsv,
  readJsonArray,
  readJsonObjects,
  readNdjson,
  readNdjsonChunks,
  readOversizedLine,
  recordText,
  SURELY_SMALL_TEXT,
  type ByteRange,
  type EnvelopeDefaults,
  type Packaging,
  type RawRecord,
  type ReadProgress,
} from './readers';

export function prepare(record: NormalizedRecord, shapes?: ShapeNumbering): PreparedRecord {
  // A group call with no user is an accounts row (NormalizeOptions.accountRow).
  const call = record.kind === 'group' && record.userId === '' ? 'account' : record.kind === 'alias' || record.kind === 'group' ? record.kind : undefined;
  return {
    shape: record.kind === 'event' && shapes ? shapes.shapeOf(record.name, record.data) : 0,
    key: recordKey(record.id),
    id: record.id,
    userId: record.userId,
    name: record.kind === 'event' ? record.name : '',
    ts: record.ts,
    json: record.data ? JSON.stringify(record.data) : null,
    data: record.data,
    ...(record.traits ? { traitsJson: JSON.stringify(record.traits) } : {}),
    ...(record.anonymous ? { anonymous: true } : {}),
    ...(record.linkedId !== undefined ? { linkedId: record.linkedId } : {}),
    ...(call ? { call } : {}),
    ...(record.groupId !== undefined ? { groupId: record.groupId } : {}),
  };
}

/** Reads time in UTC where the caller names no zone (sync, tests). */
const UTC_TIME = new RecordTime();

/** How the import normalizes records with `time`, made once per RecordTime rather than once per record. */
const normalizeOptions = new WeakMap<RecordTime, NormalizeOptions>();

/** The same for warehouse `accounts` rows (NormalizeOptions.accountRow). */
const accountRowOptions = new WeakMap<RecordTime, NormalizeOptions>();

function optionsFor(time: RecordTime, accountRow: boolean): NormalizeOptions {
  const made = accountRow ? accountRowOptions : normalizeOptions;
  let options = made.get(time);
  if (options === undefined) {
    options = { instantOf: (record) => time.instantOf(record), contextTraits: true, identityCalls: true, ...(accountRow ? { accountRow } : {}) };
    made.set(time, options);
  }
  return options;
}

/** Levels of objects and arrays a record may nest (the record itself is the first). */
export const MAX_RECORD_DEPTH = MAX_JSON_DEPTH;

/**
 * A number written with an exponent, the one way a record's compact form can be longer than its text
 * (1e300 is written back as 301 digits): whitespace, escapes, duplicate keys and other spellings of
 * numbers only shrink. Strings that happen to match merely cost a measurement.
 */
const EXPONENT_NUMBER = /[:,[]\s*-?\d+(?:\.\d+)?[eE]/;

/**
 * Validates one parsed record and prepares it, its instant read by `time`; a string is the rejection
 * reason. The size limit applies to the record re-serialized compactly, whatever its text looked like
 * in the file (pretty-printed, \u escapes), and a record nested too deep is refused before that
 * serialization, which would overflow the stack. `text`: the record's JSON text and its UTF-8 size as
 * the reader gives it (0: surely small), when it has one; a text within the limit and free of
 * exponents spares the serialization, which costs as much as parsing the record did.
 */
export function prepareRaw(
  raw: unknown,
  shapes: ShapeNumbering,
  time: RecordTime = UTC_TIME,
  text?: { text: string; bytes: number | undefined },
  accountRow = false,
): PreparedRecord | string {
  if (nestsDeeperThan(raw, MAX_RECORD_DEPTH)) return `record is nested more than ${MAX_RECORD_DEPTH} levels deep`;
  let compactBytes = 0;
  if (typeof raw === 'object' && raw !== null && !Array.isArray(raw)) {
    const textBytes = text?.bytes;
    const textBounds = textBytes !== undefined && textBytes <= MAX_RECORD_BYTES && !EXPONENT_NUMBER.test((text as { text: string }).text);
    compactBytes = textBounds ? textBytes : Buffer.byteLength(JSON.stringify(raw), 'utf8');
  }
  const result = normalizeRecord(raw, compactBytes, optionsFor(time, accountRow));
  return result.ok ? prepare(result.record, shapes) : result.reason;
}

/**
 * Prepared batches of a file. A range (NDJSON only) limits reading to those bytes, with lines numbered
 * from its start; `progress` then tells the lines read, for the caller to number the next range.
 * `packaging` says how the file is packaged (sniff.ts): gzip, and for JSON, objects rather than an array.
 */
export async function* prepareFile(
  path: string,
  format: EventFileFormat,
  shapes: ShapeNumbering,
  time: RecordTime,
  range?: ByteRange,
  progress: ReadProgress = { bytes: 0 },
  packaging: Packaging = PLAIN,
): AsyncGenerator<RecordBatch> {
  const { gzip } = packaging;
  const source =
    format === 'ndjson'
      ? readNdjson(path, progress, range, gzip)
      : format === 'csv'
        ? readCsv(path, progress, gzip)
        : packaging.objects
          ? readJsonObjects(path, progress, gzip)
          : readJsonArray(path, progress, gzip);
  // Envelopes are counted by the reader (JSON objects) as it reads a batch, or below (NDJSON lines).
  let envelopesBefore = progress.envelopes ?? 0;
  for await (const batch of source as AsyncGenerator<RawRecord[]>) {
    const records: PreparedRecord[] = [];
    const rejects: ImportError[] = [];
    const zonelessBefore = time.zoneless;
    let count = 0;
    for (const raw of batch) {
      const prepared =
        raw.error !== undefined
          ? raw.error
          : raw.text === undefined
            ? prepareRaw(raw.value, shapes, time, undefined, raw.accountRow === true)
            : raw.element !== undefined
              ? prepareElement(raw.text, raw.defaults, shapes, time)
              : prepareLine(raw.text, raw.bytes, raw.line, shapes, time, progress);
      if (typeof prepared === 'string') rejects.push(withExcerpt(located(raw.line, raw.element, prepared), raw.text ?? raw.head ?? (raw.cells ? csvRowText(raw.cells) : undefined)));
      else if (raw.replaceable === true && !Array.isArray(prepared)) records.push({ ...prepared, line: raw.line, replaceable: true });
      else if (Array.isArray(prepared)) {
        for (const item of prepared) {
          if ('reason' in item) rejects.push(item);
          else records.push({ ...item, line: raw.line });
        }
        count += prepared.length;
        continue;
      } else records.push({ ...prepared, line: raw.line });
      count += 1;
    }
    const envelopes = (progress.envelopes ?? 0) - envelopesBefore;
    envelopesBefore += envelopes;
    yield { records, rejects, count, bytes: progress.bytes, zoneless: time.zoneless - zonelessBefore, ...(envelopes > 0 ? { envelopes } : {}) };
  }
}

const PLAIN: Packaging = { gzip: false, objects: false };

/** A rejection at a line, and within an envelope at its element. */
function located(line: number, element: number | undefined, reason: string): ImportError {
  return element === undefined ? { line, reason } : { line, element, reason };
}

/** An envelope's elements: the `batch` of a plain object whose batch is an array; null for anything else. */
function envelopeBatch(value: unknown): unknown[] | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  const batch = (value as { batch?: unknown }).batch;
  return Array.isArray(batch) ? batch : null;
}

/** The envelope's context and integrations, where it has them. */
function envelopeDefaults(envelope: Record<string, unknown>): EnvelopeDefaults | undefined {
  const defaults: EnvelopeDefaults = {};
  if (envelope.context !== undefined) defaults.context = envelope.context;
  if (envelope.integrations !== undefined) defaults.integrations = envelope.integrations;
  return Object.keys(defaults).length > 0 ? defaults : undefined;
}

/** An envelope's element with the envelope's context and integrations where it lacks its own. */
function withDefaults(element: unknown, defaults: EnvelopeDefaults | undefined): unknown {
  if (defaults === undefined || typeof element !== 'object' || element === null || Array.isArray(element)) return element;
  const record = element as Record<string, unknown>;
  const missing = Object.entries(defaults).filter(([key]) => record[key] === undefined);
  return missing.length === 0 ? record : { ...record, ...Object.fromEntries(missing) };
}

/** One element of a batch envelope, from its text, given its envelope's defaults; a string is why it is rejected. */
function prepareElement(text: string, defaults: EnvelopeDefaults | undefined, shapes: ShapeNumbering, time: RecordTime): PreparedRecord | string {
  if (defaults === undefined) return prepareText(text, byteSize(text), shapes, time);
  const parsed = parseRecordText({ line: 0, text });
  return typeof parsed === 'string' ? parsed : prepareRaw(withDefaults(parsed.value, defaults), shapes, time);
}

/**
 * An NDJSON line prepared: one record, or when the line is a batch envelope (`{"batch": [...]}`), each
 * of its elements, rejected ones located at the line and their 1-based element number. A string is
 * why the line's one record is rejected. `progress` counts the envelopes.
 */
export function prepareLine(
  text: string,
  bytes: number | undefined,
  line: number,
  shapes: ShapeNumbering,
  time: RecordTime,
  progress: ReadProgress,
  tryFast = true,
): PreparedRecord | string | (PreparedRecord | ImportError)[] {
  const fast = tryFast ? prepareFast(text, bytes, shapes) : null;
  if (fast !== null) return fast;
  const parsed = parseRecordText({ line: 0, text });
  if (typeof parsed === 'string') return parsed;
  const elements = envelopeBatch(parsed.value);
  if (elements === null) return prepareRaw(parsed.value, shapes, time, { text, bytes });
  progress.envelopes = (progress.envelopes ?? 0) + 1;
  const defaults = envelopeDefaults(parsed.value as Record<string, unknown>);
  return elements.map((element, k) => {
    const prepared = prepareRaw(withDefaults(element, defaults), shapes, time);
    return typeof prepared === 'string' ? withExcerpt({ line, element: k + 1, reason: prepared }, jsonText(element)) : prepared;
  });
}

/** One record's JSON text prepared (the fast path first, else the general one); a string is why it is rejected. */
function prepareText(text: string, bytes: number | undefined, shapes: ShapeNumbering, time: RecordTime, tryFast = true): PreparedRecord | string {
  const fast = tryFast ? prepareFast(text, bytes, shapes) : null;
  if (fast !== null) return fast;
  const parsed = parseRecordText({ line: 0, text });
  return typeof parsed === 'string' ? parsed : prepareRaw(parsed.value, shapes, time, { text, bytes });
}

/**
 * An NDJSON file (or range) prepared straight into a parser thread's BatchBuilder: records stay spans
 * of the reader's chunks, and the common ones are prepared where they lie (prepareFastAt), so no
 * record's text is copied out and no object is made per record. Yields each time a batch is ready,
 * with the records it read (rejected ones included); the caller takes the batch from the builder.
 */
export async function* prepareNdjsonInto(
  path: string,
  shapes: ShapeNumbering,
  builder: BatchBuilder,
  time: RecordTime,
  range: ByteRange | undefined,
  progress: ReadProgress,
): AsyncGenerator<number> {
  let count = 0;
  let text = 0;
  for (const chunk of readNdjsonChunks(path, progress, range)) {
    const { starts, ends, lines } = chunk;
    if (chunk.oversized !== undefined) {
      // A line too long to hold: read again as a stream, a batch envelope's elements one by one.
      for await (const raws of readOversizedLine(path, chunk, progress, false)) {
        for (const raw of raws) {
          const prepared =
            raw.error !== undefined
              ? raw.error
              : raw.element !== undefined
                ? prepareElement(raw.text as string, raw.defaults, shapes, time)
                : prepareText(raw.text as string, raw.bytes, shapes, time);
          if (typeof prepared === 'string') builder.reject(withExcerpt(located(raw.line, raw.element, prepared), raw.text ?? raw.head));
          else builder.add({ ...prepared, line: raw.line });
          count += 1;
          if (builder.full) {
            yield count;
            count = 0;
            text = 0;
          }
        }
      }
    }
    builder.useChunk(chunk.text, chunk.bytes, chunk.ascii);
    // Where the chunk is not ASCII, its text is its bytes read as Latin-1 (NdjsonChunk): the fast path
    // decodes what it keeps from the bytes.
    const utf8 = chunk.ascii ? null : chunk.bytes;
    let unusual = -1;
    let backslash = -1;
    for (let k = 0; k < starts.length; k++) {
      const start = starts[k] as number;
      const end = ends[k] as number;
      if (unusual < start) unusual = nextUnusual(chunk.text, start);
      if (backslash < start) backslash = nextBackslashIn(chunk.text, start);
      if (end - start <= SURELY_SMALL_TEXT && unusual >= end && prepareFastAt(chunk.text, start, end, shapes, backslash, utf8)) {
        if (fastRecord.jsonText === null) builder.addFast(fastRecord, start, end, lines[k] as number);
        else builder.add({ ...preparedFast(), line: lines[k] as number });
      } else {
        const line = recordText(chunk, start, end);
        const prepared = prepareLine(line, byteSize(line), lines[k] as number, shapes, time, progress, false);
        if (typeof prepared === 'string') builder.reject(withExcerpt({ line: lines[k] as number, reason: prepared }, line));
        else if (Array.isArray(prepared)) {
          // A batch envelope: its elements, each a record, as many batches as they fill.
          for (const item of prepared) {
            if ('reason' in item) builder.reject(item);
            else builder.add({ ...item, line: lines[k] as number });
            count += 1;
            if (builder.full) {
              yield count;
              count = 0;
              text = 0;
            }
          }
          continue;
        } else builder.add({ ...prepared, line: lines[k] as number });
      }
      count += 1;
      if (builder.full) {
        yield count;
        count = 0;
        text = 0;
      }
    }
    builder.endChunk();
    text += chunk.text.length;
    if (count >= BATCH_RECORDS || text >= BATCH_TEXT) {
      yield count;
      count = 0;
      text = 0;
    }
  }
  if (count > 0) yield count;
}
