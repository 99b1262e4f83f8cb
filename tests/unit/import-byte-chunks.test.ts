/**
 * Issue 15, item 8 (speed on real shapes): an NDJSON chunk that holds a non-ASCII byte is scanned as the
 * Latin-1 reading of its bytes, its records take the fast path there, and their ids and JSON cross to the
 * writer as the chunk's bytes (moved, not copied, once the reader is done with the chunk), decoded only
 * where they are used. An ASCII chunk's records cross as bytes too, their stretch of its text written back
 * as bytes. Either way the writer gets the ids and JSON the general path gives for the same line.
 */
import { MessageChannel, receiveMessageOnPort } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { ShapeNumbering } from '../../src/main/db/property-keys';
import { BatchBuilder } from '../../src/main/ingest/parse/batch-builder';
import { fastRecord, nextBackslashIn, nextUnusual, prepareFastAt } from '../../src/main/ingest/parse/fast-record';
import type { PackedBatch } from '../../src/main/ingest/parse/parser-protocol';
import { prepareLine } from '../../src/main/ingest/parse/prepare';
import { NdjsonSplitter, recordText } from '../../src/main/ingest/parse/readers';
import { RecordTime } from '../../src/main/ingest/parse/record-time';
import { asBufferPieces, recordId, recordJson, type PreparedRecord } from '../../src/main/ingest/records';

const at = (k: number): string => new Date(Date.UTC(2024, 4, 1, 10, k)).toISOString();
const context = { ip: '10.0.0.1', library: { name: 'analytics.js', version: '4.1.0' }, page: { path: '/a', title: 'Pricing – Acme · Zürich' }, userAgent: 'Mozilla/5.0' };
const lines = [
  { anonymousId: 'a-1', context, event: 'Café ouvert', messageId: 'm-1', properties: { plan: 'pro', city: 'Zürich 東京' }, timestamp: at(1), type: 'track', userId: 'u-1' },
  { anonymousId: 'a-2', context, messageId: 'm-2', name: 'Pricing – Acme', properties: { path: '/pricing' }, timestamp: at(2), type: 'page' },
  { context, messageId: 'm-3', name: 'Home', timestamp: at(3), type: 'page', userId: 'user-ü' },
  // Long enough for the chunk to be a buffer of its own (Node pools small ones, which stay where they are).
  { messageId: 'm-4', properties: { emoji: '😀', note: 'n'.repeat(5000) }, timestamp: at(4), type: 'track', event: 'Reacted', userId: 'u-1' },
].map((record) => JSON.stringify(record));

/** What the writer reads for each record of a batch the builder made from one chunk of `lines`, and the batch's transfer list. */
function throughBuilder(text: string): { read: { id: string; json: string | null }[]; moved: number; pieces: string[] } {
  const splitter = new NdjsonSplitter(true);
  const chunk = splitter.push(Buffer.from(text));
  const shapes = new ShapeNumbering(() => undefined);
  const builder = new BatchBuilder();
  builder.useChunk(chunk.text, chunk.bytes, chunk.ascii);
  for (let k = 0; k < chunk.starts.length; k++) {
    const start = chunk.starts[k] as number;
    const end = chunk.ends[k] as number;
    const taken = nextUnusual(chunk.text, start) >= end && prepareFastAt(chunk.text, start, end, shapes, nextBackslashIn(chunk.text, start), chunk.ascii ? null : chunk.bytes);
    // Every line here is one the fast path takes, in either kind of chunk.
    expect(taken, recordText(chunk, start, end)).toBe(true);
    expect(fastRecord.jsonText).toBeNull();
    builder.addFast(fastRecord, start, end, k + 1);
  }
  builder.endChunk();
  const { message, transfer } = builder.take([], chunk.starts.length, text.length, 0);
  const moved = transfer.filter((buffer) => buffer === chunk.bytes.buffer).length;
  const pieces = message.texts.pieces.map((piece) => (typeof piece === 'string' ? 'text' : 'bytes'));
  // Across a thread boundary as the parser threads post it.
  const { port1, port2 } = new MessageChannel();
  port1.postMessage(message, transfer);
  const received = receiveMessageOnPort(port2)?.message as PackedBatch;
  port1.close();
  asBufferPieces(received.texts);
  const read = Array.from({ length: received.keys.length }, (_, i) => ({ id: recordId(received.texts, i), json: recordJson(received.texts, i) }));
  return { read, moved, pieces };
}

function general(line: string): { id: string; json: string | null } {
  const prepared = prepareLine(line, 0, 1, new ShapeNumbering(() => undefined), new RecordTime(), { bytes: 0 }, false) as PreparedRecord;
  return { id: prepared.id, json: prepared.json };
}

describe('import: chunks that are not ASCII', () => {
  it('take the fast path and cross as bytes, moved to the writer, which reads what the general path gives', () => {
    const { read, moved, pieces } = throughBuilder(`${lines.join('\n')}\n`);
    expect(pieces).toEqual(['bytes']);
    expect(moved).toBe(1);
    expect(read).toEqual(lines.map(general));
    // The page call's name joins its properties last, decoded: the writer assembles it from two spans.
    expect(read[1]?.json).toBe('{"path":"/pricing","name":"Pricing – Acme"}');
    expect(read[2]?.json).toBe('{"name":"Home"}');
  });

  it('cross as bytes too when the chunk is ASCII: its records\' stretch of text, written back as bytes', () => {
    const ascii = lines.map((line) => line.replace(/[^\x20-\x7e]/gu, 'x'));
    const { read, moved, pieces } = throughBuilder(`${ascii.join('\n')}\n`);
    // Outside the writer's heap: as strings, a batch's texts lived there long enough to be promoted.
    expect(pieces).toEqual(['bytes']);
    // The reader keeps no bytes of an ASCII chunk (its text is its bytes): nothing of the reader's moves.
    expect(moved).toBe(0);
    expect(read).toEqual(ascii.map(general));
  });
});
