/**
 * Messages between an import and its parser threads. A batch travels as parallel columns (typed
 * arrays moved, not copied, for the numbers) because cloning thousands of small objects costs more
 * than the parsing saved.
 */
import type { MessagePort } from 'node:worker_threads';
import type { EventFileFormat, ImportError } from '../../../shared/types';
import type { ShapeEntries } from '../../db/property-keys';
import type { RecordTexts } from '../records';
import type { ByteRange, Packaging } from './readers';

export interface ParserSetup {
  path: string;
  format: EventFileFormat;
  /** The ranges this thread parses, in order; null: the whole file (every format but NDJSON, and any gzip file). */
  ranges: ByteRange[] | null;
  /** How the file is packaged (sniff.ts). */
  packaging: Packaging;
  /** The IANA zone of zone-less date-times (UTC when absent; see record-time.ts). */
  timeZone?: string;
  /**
   * Where the thread posts its messages (ParserMessage). Nothing listens on the other end: the import
   * takes each message when it is ready for it (receiveMessageOnPort), so a batch stays serialized
   * until then, and the thread rings on its parent port to say one is there. Delivered as events,
   * batches were copied into the import's heap as they came and waited there long enough for V8 to
   * move their texts into the old generation, which only a full collection frees.
   */
  messages: MessagePort;
}

export type ParserRequest = { type: 'credit' };

export interface PackedBatch {
  type: 'batch';
  keys: Float64Array;
  ts: Float64Array;
  shapes: Int32Array;
  /** Each record's line, counted from its range's start (the report's conflicting duplicates name it). */
  lines: Int32Array;
  /** Shapes first seen in this batch: [number, [name, key, type bits][]]. */
  newShapes: [number, ShapeEntries][];
  /** Each record's user and event name as its number in the thread's dictionaries (see Dictionary). */
  users: Int32Array;
  /** Each record's linked id (ResolvedRows.linkedPks) as its number in the user dictionary; -1: none. */
  linked: Int32Array;
  /** Each record's ROW_* bits (records.ts). */
  flags: Uint8Array;
  /** Group calls' groupIds, by record number (rare: not a column). */
  groupIds?: [number, string][];
  names: Int32Array;
  /** Dictionary entries first used in this batch, in number order. */
  newUsers: string[];
  newNames: string[];
  /** The user dictionary started over with this batch: numbers from earlier batches mean nothing now. */
  usersRestarted: boolean;
  /** Where every record's id and properties' JSON lie (see RecordTexts). */
  texts: RecordTexts;
  rejects: ImportError[];
  count: number;
  bytes: number;
  /** Records of the batch read with a zone-less date-time. */
  zoneless: number;
  /** Batch envelopes read in this batch; absent: none. */
  envelopes?: number;
}

export type ParserMessage =
  | PackedBatch
  /** The end of one of the thread's ranges (or of the whole file), and how many lines it held. */
  | { type: 'range-end'; lines: number }
  | { type: 'error'; message: string };

/** User ids a parser thread numbers before it starts over: bounds both sides' dictionaries (~8 MB each). */
export const USER_DICTIONARY_LIMIT = 100_000;
