/**
 * A parser thread's batches in the making: records gathered into the columns of a PackedBatch
 * (parser-protocol.ts), with user ids and event names numbered through dictionaries.
 */
import { detached } from '../../../shared/strings';
import type { ImportError } from '../../../shared/types';
import type { ShapeEntries } from '../../db/property-keys';
import { ROW_ACCOUNT, ROW_ALIAS, ROW_ANONYMOUS, ROW_GROUP, SPAN_STRIDE, type PreparedRecord } from '../records';
import type { FastRecord } from './fast-record';
import { USER_DICTIONARY_LIMIT, type PackedBatch } from './parser-protocol';

/**
 * Numbers strings (user ids, event names) so each crosses to the writer once per import, not once
 * per record: the writer then finds a record's user_pk in an array instead of hashing a freshly
 * cloned string in a map, which was a sixth of its time.
 */
class Dictionary {
  private readonly numbers = new Map<string, number>();
  private fresh: string[] = [];
  private restarted = false;
  /** Counts the times the numbering started over: a number kept from an earlier generation means nothing. */
  generation = 0;

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
      this.generation += 1;
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

/**
 * Characters per piece of a batch's text (see BatchBuilder). A piece is small enough, 64 KB even as
 * two-byte text, for V8 to allocate it in the writer's young generation, where it dies young. A larger
 * string goes to the large-object space, which only a full collection frees, so whole 1 MB chunks per
 * batch piled up as spent texts in the writer's thread (docs/PERFORMANCE.md, "Import tuning history").
 */
const PIECE_CHARS = 32_768;

/** A copy of `bytes` in memory of its own (never Node's shared pool of small buffers), so it can move to another thread. */
function ownCopy(bytes: Buffer): Buffer {
  const copy = Buffer.allocUnsafeSlow(bytes.length);
  bytes.copy(copy);
  return copy;
}

/** Records a packed batch holds at most. */
export const MAX_BATCH_RECORDS = 8192;
/** User dictionary entries one batch may add: a record names up to two ids (its user and a linked id). */
const USERS_PER_BATCH = 2 * MAX_BATCH_RECORDS;

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
  private lines = new Int32Array(MAX_BATCH_RECORDS);
  private userNumbers = new Int32Array(MAX_BATCH_RECORDS);
  /** Each record's linked id (an anonymousId beside a userId, an alias's previousId) in the user dictionary; -1: none. */
  private linkedNumbers = new Int32Array(MAX_BATCH_RECORDS);
  private flags = new Uint8Array(MAX_BATCH_RECORDS);
  private nameNumbers = new Int32Array(MAX_BATCH_RECORDS);
  // The batch's ids and JSON texts cross to the writer in pieces, with each record's piece and spans
  // in it: thousands of small strings would each cost a step of the structured clone on both sides.
  // Fast-path records lie in the reader's chunk, which goes over along with them: cutting out and
  // joining two strings per record cost more than sending the rest of the chunk. The chunk goes as
  // bytes, outside the JavaScript heaps: a chunk that is not ASCII as its own bytes, moved rather than
  // copied where the parser is done with them (take); an ASCII chunk, whose bytes the reader does not
  // keep, as its records' stretch of text written back as bytes. The writer decodes each record's id and
  // JSON (recordId, recordJson). As strings, a batch's texts lived in the writer's heap for the ~150 ms
  // it takes to write them, long enough to be promoted and to fill its old generation with garbage
  // (docs/PERFORMANCE.md, "Where the memory goes").
  private pieces: (string | Buffer)[] = [];
  private pieceOf = new Int32Array(MAX_BATCH_RECORDS);
  private spans = new Int32Array(SPAN_STRIDE * MAX_BATCH_RECORDS);
  /** The reader's chunk that addFast records lie in (its text and bytes, see NdjsonChunk), and whether the reader may still give records from it. */
  private chunkText = '';
  private chunk: Buffer = Buffer.alloc(0);
  private chunkAscii = true;
  private chunkOpen = false;
  /** The piece of this batch that stands for the chunk (-1: none yet), and the part of the chunk it holds (not ASCII: to the chunk's end; ASCII: to the last record's end). */
  private windowPiece = -1;
  private windowStart = 0;
  private windowEnd = 0;
  /** The piece being filled with general records' texts (-1: none), joined when full or taken. */
  private loose: string[] = [];
  private looseLength = 0;
  private loosePiece = -1;
  private rejects: ImportError[] = [];
  /** Events' context.traits in this batch, by record number. */
  private traits: [number, string][] = [];
  /** Replaceable records in this batch, by record number. */
  private replaceable: number[] = [];
  /** Group calls' groupIds in this batch, by record number (they are rare: no column). */
  private groupIds: [number, string][] = [];
  /**
   * Per user number, the linked id (anonymousId) its last fast record carried, and that id's number:
   * real files repeat a user's anonymousId on every record, and comparing it with the last one costs
   * less than numbering it again (hashing a new slice of the chunk). Valid for one user generation.
   */
  private lastLinkedText: string[] = [];
  private readonly lastLinkedNumber = new Int32Array(USER_DICTIONARY_LIMIT);
  private linkedGeneration = 0;
  /** Records in the batch so far. */
  size = 0;

  constructor() {
    this.users.reserve(USERS_PER_BATCH);
  }

  /** True when the batch cannot take another record. */
  get full(): boolean {
    return this.size === MAX_BATCH_RECORDS;
  }

  /**
   * The chunk (its UTF-8 bytes, see NdjsonChunk) the records given to addFast from now on lie in, at
   * positions in those bytes. The builder keeps it until endChunk says no more records come from it.
   */
  useChunk(text: string, bytes: Buffer, ascii: boolean): void {
    this.sealWindow();
    this.chunkText = text;
    this.chunk = bytes;
    this.chunkAscii = ascii;
    this.chunkOpen = true;
  }

  /** No more records come from the current chunk: the batch may move its bytes to the writer's thread. */
  endChunk(): void {
    this.chunkOpen = false;
  }

  /** The piece that stands for the chunk in this batch, made final: the chunk itself from windowStart on. */
  private sealWindow(): void {
    if (this.windowPiece < 0) return;
    if (this.chunkAscii) {
      // An ASCII chunk's bytes are not kept (NdjsonChunk): the window's text is written back as bytes, a
      // memory-speed copy, so that it too crosses outside the JavaScript heaps.
      const window = Buffer.allocUnsafeSlow(this.windowEnd - this.windowStart);
      window.write(this.chunkText.slice(this.windowStart, this.windowEnd), 'latin1');
      this.pieces[this.windowPiece] = window;
      this.windowPiece = -1;
      return;
    }
    const chunk = this.chunk;
    // The bytes move to the writer when the reader is done with them and no other buffer shares their
    // memory; otherwise the part this batch needs is copied (a chunk shared with the next batch).
    const own = !this.chunkOpen && chunk.byteOffset === 0 && chunk.byteLength === chunk.buffer.byteLength;
    this.pieces[this.windowPiece] = own ? chunk.subarray(this.windowStart) : ownCopy(chunk.subarray(this.windowStart));
    this.windowPiece = -1;
  }

  /** A record the fast path prepared where it lies in the current chunk (see useChunk), on chunk[lineStart, lineEnd), the file's `line`. */
  addFast(record: FastRecord, lineStart: number, lineEnd: number, line: number): void {
    if (this.windowPiece < 0) {
      this.windowStart = lineStart;
      this.windowPiece = this.pieces.push('') - 1;
    }
    this.windowEnd = lineEnd;
    const i = this.addColumns(record.key, record.ts, record.shape, record.userId, record.name);
    this.lines[i] = line;
    this.flags[i] = record.anonymous ? ROW_ANONYMOUS : 0;
    this.linkedNumbers[i] = record.linkedId === '' ? -1 : this.linkedNumber(this.userNumbers[i] as number, record.linkedId);
    const at = this.windowStart;
    const spans = this.spans;
    this.pieceOf[i] = this.windowPiece;
    const s = SPAN_STRIDE * i;
    spans[s] = record.idStart - at;
    spans[s + 1] = record.idEnd - at;
    spans[s + 2] = record.jsonStart < 0 ? 0 : record.jsonStart - at;
    spans[s + 3] = record.jsonStart < 0 ? 0 : record.jsonEnd - at;
    spans[s + 4] = record.nameStart < 0 ? 0 : record.nameStart - at;
    spans[s + 5] = record.nameStart < 0 ? 0 : record.nameEnd - at;
  }

  /** The number of the linked id `text` of user number `user`, by the user's last one when it is the same. */
  private linkedNumber(user: number, text: string): number {
    if (this.linkedGeneration !== this.users.generation) {
      this.lastLinkedText = [];
      this.linkedGeneration = this.users.generation;
    }
    if (this.lastLinkedText[user] === text) return this.lastLinkedNumber[user] as number;
    const number = this.users.number(text);
    // A copy: a slice would keep the reader's whole chunk alive.
    this.lastLinkedText[user] = detached(text);
    this.lastLinkedNumber[user] = number;
    return number;
  }

  add(record: PreparedRecord): void {
    const account = record.call === 'account';
    const i = this.addColumns(record.key, record.ts, record.shape, record.userId, record.name, account);
    this.lines[i] = record.line ?? 0;
    this.flags[i] =
      (record.anonymous ? ROW_ANONYMOUS : 0) | (record.call === 'alias' ? ROW_ALIAS : record.call === 'group' ? ROW_GROUP : account ? ROW_GROUP | ROW_ACCOUNT : 0);
    this.linkedNumbers[i] = record.linkedId === undefined ? -1 : this.users.number(record.linkedId);
    if (record.groupId !== undefined) this.groupIds.push([i, record.groupId]);
    const json = record.json ?? '';
    if (this.loosePiece >= 0 && this.looseLength > 0 && this.looseLength + record.id.length + json.length > PIECE_CHARS) this.sealLoose();
    if (this.loosePiece < 0) this.loosePiece = this.pieces.push('') - 1;
    this.pieceOf[i] = this.loosePiece;
    const spans = this.spans;
    const s = SPAN_STRIDE * i;
    spans[s] = this.looseLength;
    spans[s + 1] = this.looseLength += record.id.length;
    spans[s + 2] = this.looseLength;
    spans[s + 3] = this.looseLength += json.length;
    spans[s + 4] = 0;
    spans[s + 5] = 0;
    this.loose.push(record.id, json);
    if (record.traitsJson !== undefined) this.traits.push([i, record.traitsJson]);
    if (record.replaceable === true) this.replaceable.push(i);
  }

  /** `userless`: an accounts row, whose user number is -1 (no user is numbered, so none is made). */
  private addColumns(key: number, ts: number, shape: number, userId: string, name: string, userless = false): number {
    const i = this.size++;
    this.keys[i] = key;
    this.ts[i] = ts;
    this.shapes[i] = shape;
    this.userNumbers[i] = userless ? -1 : this.users.number(userId);
    this.nameNumbers[i] = this.names.number(name);
    return i;
  }

  private sealLoose(): void {
    if (this.loosePiece >= 0) this.pieces[this.loosePiece] = this.loose.join('');
    this.loose = [];
    this.looseLength = 0;
    this.loosePiece = -1;
  }

  reject(error: ImportError): void {
    this.rejects.push(error);
  }

  /**
   * The batch built so far as a message (with the shapes numbered meanwhile, the records read
   * including rejected ones, and the bytes of the file read), and a fresh batch started. The transfer
   * list holds the memory the message moves rather than copies: its columns, and chunks' bytes.
   */
  take(newShapes: [number, ShapeEntries][], count: number, bytes: number, zoneless: number): { message: PackedBatch; transfer: ArrayBuffer[] } {
    this.sealWindow();
    const n = this.size;
    const keys = this.keys.slice(0, n);
    const ts = this.ts.slice(0, n);
    const shapes = this.shapes.slice(0, n);
    const lines = this.lines.slice(0, n);
    const users = this.userNumbers.slice(0, n);
    const linked = this.linkedNumbers.slice(0, n);
    const flags = this.flags.slice(0, n);
    const names = this.nameNumbers.slice(0, n);
    this.sealLoose();
    const pieceOf = this.pieceOf.slice(0, n);
    const spans = this.spans.slice(0, SPAN_STRIDE * n);
    const newUsers = this.users.take();
    const message: PackedBatch = {
      type: 'batch',
      keys,
      ts,
      shapes,
      lines,
      newShapes,
      users,
      linked,
      flags,
      ...(this.groupIds.length > 0 ? { groupIds: this.groupIds } : {}),
      names,
      newUsers: newUsers.fresh,
      newNames: this.names.take().fresh,
      usersRestarted: newUsers.restarted,
      texts: { pieces: this.pieces, pieceOf, spans, ...(this.traits.length > 0 ? { traits: this.traits } : {}) },
      rejects: this.rejects,
      count,
      bytes,
      zoneless,
      ...(this.replaceable.length > 0 ? { replaceable: this.replaceable } : {}),
    };
    this.replaceable = [];
    this.pieces = [];
    this.windowPiece = -1;
    this.rejects = [];
    this.traits = [];
    this.groupIds = [];
    this.size = 0;
    this.users.reserve(USERS_PER_BATCH);
    const transfer = [keys.buffer, ts.buffer, shapes.buffer, lines.buffer, users.buffer, linked.buffer, flags.buffer, names.buffer, pieceOf.buffer, spans.buffer];
    for (const piece of message.texts.pieces) if (typeof piece !== 'string') transfer.push(piece.buffer as ArrayBuffer);
    return { message, transfer: transfer as ArrayBuffer[] };
  }
}
