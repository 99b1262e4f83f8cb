/**
 * A file (or its ranges) parsed into packed batches (parser-protocol.ts): what a parser thread posts
 * to the import (parse-worker.ts), and what an inline import (parseInline) resolves on its own thread.
 * One way to make batches, so whichever thread parses, every batch carries rows.
 */
import type { EventFileFormat } from '../../../shared/types';
import { ShapeNumbering, type ShapeEntries, type ShapeTable } from '../../db/property-keys';
import type { PreparedBatch, PreparedRecord } from '../records';
import { BatchBuilder } from './batch-builder';
import type { PackedBatch } from './parser-protocol';
import { prepareFile, prepareNdjsonInto } from './prepare';
import type { ByteRange, Packaging, ReadProgress } from './readers';
import { RecordTime } from './record-time';
import { BatchUnpacker, type RecordResolver } from './unpack';

export type PackedOutput =
  | { type: 'batch'; message: PackedBatch; transfer: ArrayBuffer[] }
  /** The end of one range (or of the whole file), and how many lines it held. */
  | { type: 'range-end'; lines: number };

export interface PackSetup {
  path: string;
  format: EventFileFormat;
  /** The ranges to parse, in order; null: the whole file. */
  ranges: ByteRange[] | null;
  packaging: Packaging;
  timeZone?: string;
}

/** The file's batches, packed, each range followed by its end. */
export async function* packFile({ path, format, ranges, packaging, timeZone }: PackSetup): AsyncGenerator<PackedOutput> {
  // Shapes numbered since the last batch went out travel with the next one.
  let newShapes: [number, ShapeEntries][] = [];
  const shapes = new ShapeNumbering((id, entries) => newShapes.push([id, entries]));
  const builder = new BatchBuilder();
  const time = new RecordTime(timeZone);
  let zonelessSent = 0;
  let envelopesSent = 0;
  const take = (count: number, bytes: number, envelopes: number): PackedOutput => {
    const { message, transfer } = builder.take(newShapes, count, bytes, time.zoneless - zonelessSent);
    zonelessSent = time.zoneless;
    if (envelopes > envelopesSent) message.envelopes = envelopes - envelopesSent;
    envelopesSent = envelopes;
    newShapes = [];
    return { type: 'batch', message, transfer };
  };
  for (const range of ranges ?? [undefined]) {
    const progress: ReadProgress = { bytes: 0, lines: 0, envelopes: 0 };
    envelopesSent = 0;
    // A gzip stream is not where the reader's chunks can be prepared in place: it goes the general way.
    if (format === 'ndjson' && !packaging.gzip) {
      for await (const count of prepareNdjsonInto(path, shapes, builder, time, range, progress)) yield take(count, progress.bytes, progress.envelopes ?? 0);
    } else {
      for await (const batch of prepareFile(path, format, shapes, time, range, progress, packaging)) {
        // A batch of records can outgrow a packed one (an envelope's elements all come with their line).
        let sent = 0;
        for (let i = 0; i < batch.records.length; i++) {
          builder.add(batch.records[i] as PreparedRecord);
          if (builder.full) {
            yield take(i + 1 - sent, batch.bytes, progress.envelopes ?? 0);
            sent = i + 1;
          }
        }
        for (const reject of batch.rejects) builder.reject(reject);
        yield take(batch.count - sent, batch.bytes, progress.envelopes ?? 0);
      }
    }
    yield { type: 'range-end', lines: progress.lines ?? 0 };
  }
}

/**
 * A file's batches parsed on this thread (where no worker can start: unit tests under vitest), made
 * and resolved exactly as a parser thread's are (parser-threads.ts), so the writer takes rows either way.
 */
export async function* parseInline(
  path: string,
  format: EventFileFormat,
  shapes: ShapeTable,
  resolver: RecordResolver,
  timeZone?: string,
  packaging: Packaging = { gzip: false, objects: false },
): AsyncGenerator<PreparedBatch> {
  const unpacker = new BatchUnpacker();
  for await (const out of packFile({ path, format, ranges: null, packaging, ...(timeZone ? { timeZone } : {}) })) {
    if (out.type === 'batch') yield unpacker.unpack(out.message, shapes, resolver);
  }
}
