/**
 * Which share of an NDJSON file's records the import's fast path takes, and why it declines the others:
 * the parser threads' own test (prepareNdjsonInto: short enough, no unusual character, prepareFastAt), on
 * one thread, then for each declined record the first of the reasons below that it has.
 * Usage: fast-path-share.ts <file.ndjson>. Prints one JSON line: {"records", "fast", "reasons": {...}}.
 * Run by `npm run bench:import` for each file; a mechanism, not a timing.
 */
import { ShapeNumbering } from '../../src/main/db/property-keys';
import { nextBackslashIn, nextUnusual, prepareFastAt } from '../../src/main/ingest/parse/fast-record';
import { readNdjsonChunks, recordText, SURELY_SMALL_TEXT } from '../../src/main/ingest/parse/readers';

const file = process.argv[2] as string;
const shapes = new ShapeNumbering(() => {});
const reasons = new Map<string, number>();
let records = 0;
let fast = 0;

const ZONED_OR_EPOCH_MS = /^(\d{4}-\d\d-\d\dT.*([zZ]|[+-]\d\d:?\d\d)|\d{12,15})$/;
const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The first reason, in this order, why the fast path leaves a record to the general one. */
function whyDeclined(text: string): string {
  if (text.length > SURELY_SMALL_TEXT) return 'longer than the fast path measures';
  if (nextUnusual(text, 0) < text.length) return 'a control character or surrogate in its text';
  let record: unknown;
  try {
    record = JSON.parse(text);
  } catch {
    return 'not valid JSON';
  }
  if (!isObject(record)) return 'not an object';
  const type = record.type;
  if (type !== 'track' && type !== 'identify' && type !== 'page' && type !== 'screen') return `type ${typeof type === 'string' ? type : 'missing (inferred)'}`;
  const timeFields = record.timestamp !== undefined ? ['timestamp'] : record.originalTimestamp !== undefined ? ['originalTimestamp', 'sentAt', 'receivedAt'] : ['receivedAt'];
  const readable = (field: string): boolean => record[field] === undefined || (typeof record[field] === 'string' && ZONED_OR_EPOCH_MS.test(record[field]));
  if (record.timestamp === undefined && record.originalTimestamp === undefined && record.receivedAt === undefined) return 'no time field';
  if (!timeFields.every(readable)) return 'time zone-less, epoch seconds or a number';
  if (isObject(record.context) && record.context.traits !== undefined) return 'context.traits';
  if (typeof record.userId !== 'string' && record.userId !== undefined) return 'numeric userId';
  const event = type !== 'identify';
  const data = event ? record.properties : record.traits;
  if (isObject(data) && Object.values(data).some((value) => typeof value === 'object' && value !== null)) return 'nested properties or traits (objects, arrays)';
  if ((event ? record.traits : record.properties) !== undefined) return 'the other call kind\'s data (traits on an event, properties on an identify)';
  if ((type === 'page' || type === 'screen') && record.name !== undefined && record.name !== null && (typeof record.name !== 'string' || (isObject(data) && 'name' in data))) {
    return 'a page or screen name that is not a text, or beside a name property';
  }
  return 'other';
}

for (const chunk of readNdjsonChunks(file, { bytes: 0 })) {
  let unusual = -1;
  let backslash = -1;
  for (let k = 0; k < chunk.starts.length; k++) {
    const start = chunk.starts[k] as number;
    const end = chunk.ends[k] as number;
    records += 1;
    if (unusual < start) unusual = nextUnusual(chunk.text, start);
    if (backslash < start) backslash = nextBackslashIn(chunk.text, start);
    if (end - start <= SURELY_SMALL_TEXT && unusual >= end && prepareFastAt(chunk.text, start, end, shapes, backslash, chunk.ascii ? null : chunk.bytes)) fast += 1;
    else {
      const reason = whyDeclined(recordText(chunk, start, end));
      reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
    }
  }
}
process.stdout.write(`${JSON.stringify({ records, fast, reasons: Object.fromEntries([...reasons].sort((a, b) => b[1] - a[1])) })}\n`);
