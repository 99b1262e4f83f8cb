/**
 * The records every stage of an import shares: what the parse side hands the write side. The stages
 * (parse/, write/) import this module, never each other's types, so imports flow one way.
 */
import type { ImportError } from '../../shared/types';

/** A record ready for the writer: its dedupe key computed and its data serialized. */
export interface PreparedRecord {
  key: number;
  id: string;
  userId: string;
  /** '' for identify calls. */
  name: string;
  ts: number;
  /** Properties or traits as JSON text; null when empty. */
  json: string | null;
  /** Number of the record's property shape (ShapeNumbering; 0: none, and identify calls). */
  shape: number;
  /** The parsed data when still at hand (inline path); the writer parses `json` otherwise, for identify calls. */
  data?: Record<string, unknown> | null;
  /** An event's context.traits as JSON text, merged into the user's traits at its instant; absent when none. */
  traitsJson?: string;
  /** The user's user_pk and the name's name_id, when already resolved (the parser threads' rows, queued in indexed mode). */
  userPk?: number;
  nameId?: number;
  /** Where the record was read (a file's line, a sync's position), for the report's conflicting duplicates. */
  line?: number;
  /** A warehouse `tracks` row: a record with its id and the custom properties replaces it (write/replaceable.ts). */
  replaceable?: boolean;
  /** True when `userId` is the record's anonymousId (it had no userId). */
  anonymous?: true;
  /** A second id linked to the user: the anonymousId of a record with a userId too, or an alias call's previousId. */
  linkedId?: string;
  /** An identity call, which stores no event (docs/IMPORT.md, "Identity"); absent for events and identify calls. */
  call?: IdentityCall;
  /** A group call's groupId (its traits are `json`). */
  groupId?: string;
}

/** 'account': a warehouse `accounts` row, an account's traits with no user (its userId is ''), so no membership. */
export type IdentityCall = 'alias' | 'group' | 'account';

/** Bits of ResolvedRows.flags, per record. */
export const ROW_ANONYMOUS = 1;
export const ROW_ALIAS = 2;
export const ROW_GROUP = 4;
/** With ROW_GROUP: an account's own row (no user; its user_pk is -1). */
export const ROW_ACCOUNT = 8;

/**
 * A batch's records as columns, already resolved to the writer's user_pk, name_id and shape numbers
 * (what the parser threads hand over): the writer reads them without an object per record.
 */
export interface ResolvedRows {
  count: number;
  keys: Float64Array;
  ts: Float64Array;
  shapes: Int32Array;
  userPks: Int32Array;
  nameIds: Int32Array;
  texts: RecordTexts;
  /** Each record's line in the file, when the parse side gives it (the report's conflicting duplicates name it). */
  lines?: Int32Array;
  /** The numbers of the batch's replaceable records (PreparedRecord.replaceable), increasing; absent when none. */
  replaceable?: number[];
  /** Each record's linked id (PreparedRecord.linkedId) as its user_pk; -1: none. */
  linkedPks: Int32Array;
  /** Each record's ROW_* bits: anonymous user, alias call, group call. */
  flags: Uint8Array;
  /** Group calls' groupIds, by record number in increasing order; absent when the batch has none. */
  groupIds?: [number, string][];
}

/**
 * Where a batch's records have their id and properties' JSON: record i's are in pieces[pieceOf[i]],
 * the id at [spans[6i], spans[6i + 1]), the JSON at [spans[6i + 2], spans[6i + 3]) and a page or
 * screen call's name token, which joins the JSON last (withName), at [spans[6i + 4], spans[6i + 5])
 * (an empty span stands for none). A piece is text (general records' texts joined) or UTF-8 bytes
 * (fast-path records lie in the reader's chunks: positions are in bytes, and the spans are decoded).
 */
export interface RecordTexts {
  pieces: (string | Buffer)[];
  pieceOf: Int32Array;
  spans: Int32Array;
  /** Events' context.traits as JSON text, by record number in increasing order; absent when no record has them. */
  traits?: [number, string][];
}

function pieceText(piece: string | Buffer, start: number, end: number): string {
  return typeof piece === 'string' ? piece.slice(start, end) : piece.toString('utf8', start, end);
}

/** Numbers per record in RecordTexts.spans. */
export const SPAN_STRIDE = 6;

export function recordId(texts: RecordTexts, i: number): string {
  const at = SPAN_STRIDE * i;
  return pieceText(texts.pieces[texts.pieceOf[i] as number] as string | Buffer, texts.spans[at] as number, texts.spans[at + 1] as number);
}

export function recordJson(texts: RecordTexts, i: number): string | null {
  const at = SPAN_STRIDE * i;
  const { spans } = texts;
  const piece = texts.pieces[texts.pieceOf[i] as number] as string | Buffer;
  const start = spans[at + 2] as number;
  const end = spans[at + 3] as number;
  const json = end > start ? pieceText(piece, start, end) : null;
  const nameStart = spans[at + 4] as number;
  const nameEnd = spans[at + 5] as number;
  return nameEnd > nameStart ? withName(json, pieceText(piece, nameStart, nameEnd)) : json;
}

/**
 * A page or screen call's data with its `name` (a JSON string token) last, as the general path writes
 * `{...properties, name}`; `json` null: no properties.
 */
export function withName(json: string | null, nameToken: string): string {
  return json === null ? `{"name":${nameToken}}` : `${json.slice(0, -1)},"name":${nameToken}}`;
}

/**
 * The pieces of texts that came from another thread as bytes, made Buffers again (a structured clone
 * gives a plain Uint8Array), in place; the memory is not copied.
 */
export function asBufferPieces(texts: RecordTexts): void {
  const pieces = texts.pieces as (string | Uint8Array)[];
  for (let k = 0; k < pieces.length; k++) {
    const piece = pieces[k] as string | Uint8Array;
    if (typeof piece !== 'string' && !Buffer.isBuffer(piece)) pieces[k] = Buffer.from(piece.buffer, piece.byteOffset, piece.byteLength);
  }
}

/** A batch as the writer takes it: every batch carries rows (parse/unpack.ts makes them). */
export interface PreparedBatch {
  rows: ResolvedRows;
  rejects: ImportError[];
  /** Records read in this batch, rejected ones included. */
  count: number;
  /** Bytes of the file read so far. */
  bytes: number;
  /** Records of this batch whose instant came from a date-time without a zone (read as UTC or the import's zone). */
  zoneless: number;
  /** Batch envelopes read in this batch (`{"batch": [...]}` lines or objects); absent: none. */
  envelopes?: number;
}

