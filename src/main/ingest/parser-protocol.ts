/**
 * Messages between an import and its parser threads. A batch travels as parallel columns (typed
 * arrays moved, not copied, for the numbers) because cloning thousands of small objects costs more
 * than the parsing saved.
 */
import { detached } from '../../shared/strings';
import type { EventFileFormat, ImportError } from '../../shared/types';
import type { ShapeEntries } from '../db/property-keys';
import type { PreparedRecord, RecordTexts } from './prepare';
import type { ByteRange } from './readers';

export interface ParserSetup {
  path: string;
  format: EventFileFormat;
  /** The ranges this thread parses, in order; null: the whole file (every format but NDJSON). */
  ranges: ByteRange[] | null;
}

export type ParserRequest = { type: 'credit' };

export interface PackedBatch {
  type: 'batch';
  keys: Float64Array;
  ts: Float64Array;
  shapes: Int32Array;
  /** Shapes first seen in this batch: [number, [name, key, type bits][]]. */
  newShapes: [number, ShapeEntries][];
  /** Each record's user and event name as its number in the thread's dictionaries (see Dictionary). */
  users: Int32Array;
  names: Int32Array;
  /** Dictionary entries first used in this batch, in number order. */
  newUsers: string[];
  newNames: string[];
  /** The user dictionary started over with this batch: numbers from earlier batches mean nothing now. */
  usersRestarted: boolean;
  /** Every record's id then its properties' JSON, end to end (see RecordTexts). */
  texts: RecordTexts;
  rejects: ImportError[];
  count: number;
  bytes: number;
}

export type ParserMessage =
  | PackedBatch
  /** The end of one of the thread's ranges (or of the whole file), and how many lines it held. */
  | { type: 'range-end'; lines: number }
  | { type: 'error'; message: string };

/** User ids a parser thread numbers before it starts over: bounds both sides' dictionaries (~8 MB each). */
const USER_DICTIONARY_LIMIT = 100_000;

/**
 * Numbers strings (user ids, event names) so each crosses to the writer once per import, not once
 * per record: the writer then finds a record's user_pk in an array instead of hashing a freshly
 * cloned string in a map, which was a sixth of its time.
 */
class Dictionary {
  private readonly numbers = new Map<string, number>();
  private fresh: string[] = [];
  private restarted = false;

  constructor(private readonly limit: number) {}

  /**
   * Call before numbering a batch of `count` entries: the numbering starts over only between batches,
   * so every number in one batch refers to the same dictionary.
   */
  reserve(count: number): void {
    if (this.numbers.size + count > this.limit) {
      this.numbers.clear();
      this.fresh = [];
      this.restarted = true;
    }
  }

  number(text: string): number {
    let n = this.numbers.get(text);
    if (n === undefined) {
      n = this.numbers.size;
      // Kept until the dictionary starts over: a copy, not a view into the reader's chunk.
      const kept = detached(text);
      this.numbers.set(kept, n);
      this.fresh.push(kept);
    }
    return n;
  }

  /** Entries first used since the last call, and whether the numbering started over meanwhile. */
  take(): { fresh: string[]; restarted: boolean } {
    const taken = { fresh: this.fresh, restarted: this.restarted };
    this.fresh = [];
    this.restarted = false;
    return taken;
  }
}

/** Records a packed batch holds at most: the user dictionary is reserved for this many at a batch's start. */
export const MAX_BATCH_RECORDS = 8192;

/**
 * The parser thread's side: gathers records into columns as they are prepared, and hands them over
 * as one packed batch (take). Nothing per record is kept but the columns themselves.
 */
export class BatchBuilder {
  private readonly users = new Dictionary(USER_DICTIONARY_LIMIT);
  private readonly names = new Dictionary(Infinity);
  private keys = new Float64Array(MAX_BATCH_RECORDS);
  private ts = new Float64Array(MAX_BATCH_RECORDS);
  private shapes = new Int32Array(MAX_BATCH_RECORDS);
  private userNumbers = new Int32Array(MAX_BATCH_RECORDS);
  private nameNumbers = new Int32Array(MAX_BATCH_RECORDS);
  // One string for the batch's ids and JSON texts: it crosses to the writer as one copy, where
  // thousands of small strings each cost a step of the structured clone on both sides.
  private parts: string[] = [];
  private ends = new Int32Array(2 * MAX_BATCH_RECORDS);
  private textLength = 0;
  private rejects: ImportError[] = [];
  /** Records in the batch so far. */
  size = 0;

  constructor() {
    this.users.reserve(MAX_BATCH_RECORDS);
  }

  /** True when the batch cannot take another record. */
  get full(): boolean {
    return this.size === MAX_BATCH_RECORDS;
  }

  add(record: PreparedRecord): void {
    const i = this.size++;
    this.keys[i] = record.key;
    this.ts[i] = record.ts;
    this.shapes[i] = record.shape;
    this.userNumbers[i] = this.users.number(record.userId);
    this.nameNumbers[i] = this.names.number(record.name);
    this.parts.push(record.id);
    this.ends[2 * i] = this.textLength += record.id.length;
    const json = record.json ?? '';
    this.parts.push(json);
    this.ends[2 * i + 1] = this.textLength += json.length;
  }

  reject(error: ImportError): void {
    this.rejects.push(error);
  }

  /**
   * The batch built so far as a message (with the shapes numbered meanwhile, the records read
   * including rejected ones, and the bytes of the file read), and a fresh batch started.
   */
  take(newShapes: [number, ShapeEntries][], count: number, bytes: number): { message: PackedBatch; transfer: ArrayBuffer[] } {
    const n = this.size;
    const keys = this.keys.slice(0, n);
    const ts = this.ts.slice(0, n);
    const shapes = this.shapes.slice(0, n);
    const users = this.userNumbers.slice(0, n);
    const names = this.nameNumbers.slice(0, n);
    const ends = this.ends.slice(0, 2 * n);
    const newUsers = this.users.take();
    const message: PackedBatch = {
      type: 'batch',
      keys,
      ts,
      shapes,
      newShapes,
      users,
      names,
      newUsers: newUsers.fresh,
      newNames: this.names.take().fresh,
      usersRestarted: newUsers.restarted,
      texts: { text: this.parts.join(''), ends },
      rejects: this.rejects,
      count,
      bytes,
    };
    this.parts = [];
    this.textLength = 0;
    this.rejects = [];
    this.size = 0;
    this.users.reserve(MAX_BATCH_RECORDS);
    return { message, transfer: [keys.buffer, ts.buffer, shapes.buffer, users.buffer, names.buffer, ends.buffer] as ArrayBuffer[] };
  }
}
