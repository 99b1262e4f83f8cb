/**
 * Messages between an import and its parser threads. A batch travels as parallel columns (typed
 * arrays moved, not copied, for the numbers) because cloning thousands of small objects costs more
 * than the parsing saved.
 */
import type { EventFileFormat, ImportError } from '../../shared/types';
import type { PreparedBatch, PreparedRecord } from './prepare';
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
  newShapes: [number, [string, string, number][]][];
  ids: string[];
  users: string[];
  names: string[];
  jsons: (string | null)[];
  rejects: ImportError[];
  count: number;
  bytes: number;
}

export type ParserMessage =
  | PackedBatch
  /** The end of one of the thread's ranges (or of the whole file), and how many lines it held. */
  | { type: 'range-end'; lines: number }
  | { type: 'error'; message: string };

export function packBatch(
  batch: PreparedBatch,
  newShapes: [number, [string, string, number][]][],
): { message: PackedBatch; transfer: ArrayBuffer[] } {
  const n = batch.records.length;
  const keys = new Float64Array(n);
  const ts = new Float64Array(n);
  const shapes = new Int32Array(n);
  const ids: string[] = new Array<string>(n);
  const users: string[] = new Array<string>(n);
  const names: string[] = new Array<string>(n);
  const jsons: (string | null)[] = new Array<string | null>(n);
  batch.records.forEach((r, i) => {
    keys[i] = r.key;
    ts[i] = r.ts;
    shapes[i] = r.shape;
    ids[i] = r.id;
    users[i] = r.userId;
    names[i] = r.name;
    jsons[i] = r.json;
  });
  return {
    message: { type: 'batch', keys, ts, shapes, newShapes, ids, users, names, jsons, rejects: batch.rejects, count: batch.count, bytes: batch.bytes },
    transfer: [keys.buffer as ArrayBuffer, ts.buffer as ArrayBuffer, shapes.buffer as ArrayBuffer],
  };
}

export function unpackBatch(packed: PackedBatch): PreparedBatch {
  const records: PreparedRecord[] = new Array<PreparedRecord>(packed.ids.length);
  for (let i = 0; i < records.length; i++) {
    records[i] = {
      key: packed.keys[i] as number,
      shape: packed.shapes[i] as number,
      id: packed.ids[i] as string,
      userId: packed.users[i] as string,
      name: packed.names[i] as string,
      ts: packed.ts[i] as number,
      json: packed.jsons[i] ?? null,
    };
  }
  return { records, rejects: packed.rejects, count: packed.count, bytes: packed.bytes };
}
