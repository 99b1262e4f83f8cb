/**
 * Messages between an import and its parser threads. A batch travels as parallel columns (typed
 * arrays moved, not copied, for the numbers) because cloning thousands of small objects costs more
 * than the parsing saved.
 */
import type { EventFileFormat, ImportError } from '../../shared/types';
import type { ShapeEntries } from '../db/property-keys';
import type { PreparedBatch, PreparedRecord } from './prepare';
import type { ByteRange } from './readers';
import type { RecordTexts } from './prepare';

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
      this.numbers.set(text, n);
      this.fresh.push(text);
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

/** The parser thread's side: packs prepared batches into columns. */
export class BatchPacker {
  private readonly users = new Dictionary(USER_DICTIONARY_LIMIT);
  private readonly names = new Dictionary(Infinity);

  pack(batch: PreparedBatch, newShapes: [number, ShapeEntries][]): { message: PackedBatch; transfer: ArrayBuffer[] } {
    const n = batch.records.length;
    const keys = new Float64Array(n);
    const ts = new Float64Array(n);
    const shapes = new Int32Array(n);
    const users = new Int32Array(n);
    const names = new Int32Array(n);
    // One string for the batch's ids and JSON texts: it crosses to the writer as one copy, where
    // thousands of small strings each cost a step of the structured clone on both sides.
    const parts: string[] = new Array<string>(2 * n);
    const ends = new Int32Array(2 * n);
    let end = 0;
    this.users.reserve(n);
    for (let i = 0; i < n; i++) {
      const r = batch.records[i] as PreparedRecord;
      keys[i] = r.key;
      ts[i] = r.ts;
      shapes[i] = r.shape;
      users[i] = this.users.number(r.userId);
      names[i] = this.names.number(r.name);
      parts[2 * i] = r.id;
      ends[2 * i] = end += r.id.length;
      parts[2 * i + 1] = r.json ?? '';
      ends[2 * i + 1] = end += r.json?.length ?? 0;
    }
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
      texts: { text: parts.join(''), ends },
      rejects: batch.rejects,
      count: batch.count,
      bytes: batch.bytes,
    };
    return { message, transfer: [keys.buffer, ts.buffer, shapes.buffer, users.buffer, names.buffer, ends.buffer] as ArrayBuffer[] };
  }
}
