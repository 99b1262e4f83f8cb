/**
 * The import's side of its parser threads (parse-worker.ts): one for CSV, JSON arrays and small
 * NDJSON files; two for a large NDJSON file, cut into ranges at line starts that the threads parse
 * turn about. Batches come out in file order whatever the threads' pace, with line numbers, byte
 * counts and property shapes made whole-file again, so the writer sees exactly what one thread
 * would have given it (first occurrence wins, lines as in the file).
 */
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
import type { EventFileFormat } from '../../../shared/types';
import type { ShapeTable } from '../../db/property-keys';
import type { PackedBatch, ParserMessage, ParserRequest, ParserSetup } from './parser-protocol';
import type { PreparedBatch } from '../records';
import { BatchUnpacker, type RecordResolver } from './unpack';
import { CHUNK_BYTES, ndjsonRanges, type ByteRange, type Packaging } from './readers';

/** NDJSON files at least this large are parsed by two threads. */
const PARALLEL_MIN_BYTES = 16 * 1024 * 1024;
/** A parser thread's old-generation heap, in MB. */
const PARSER_OLD_GENERATION_MB = 48;
/**
 * A parser thread's young generation, in MB. Each scavenge copies the batch in progress, so a small
 * young generation collects often for little; batches are columns and windows of text, and this size
 * imports as fast as twice it at less peak memory (docs/PERFORMANCE.md, "Import tuning history").
 */
const PARSER_YOUNG_GENERATION_MB = 12;
/**
 * Bytes per range. The writer takes the ranges in file order, so a thread whose range comes next can
 * only work ahead as far as its batches in flight allow (parse-worker.ts): small ranges with several
 * batches in flight keep both threads busy (the measurements: docs/PERFORMANCE.md, "Import tuning history").
 * A little less than the reader's chunk, so that a range, which ends at the next line start, is one read.
 */
const RANGE_BYTES = CHUNK_BYTES - 40_000;

class ParserThread {
  private readonly worker: Worker;
  /** The thread's messages, taken one at a time when the import is ready for the next (see ParserSetup). */
  private readonly messages: MessagePort;
  private wake: (() => void) | null = null;
  private failure: Error | null = null;
  /** This thread's numbers → the writer's (one unpacker per thread: each has its own dictionaries). */
  private readonly unpacker = new BatchUnpacker();

  constructor(script: URL, setup: Omit<ParserSetup, 'messages'>) {
    const channel = new MessageChannel();
    this.messages = channel.port1;
    const workerData: ParserSetup = { ...setup, messages: channel.port2 };
    // Capped heaps keep an import's memory flat with two parser threads. A thread holds little for long: a few batches of at most 2 MB of text (readers.ts), its
    // user dictionary and the property shapes; the rest is short-lived.
    this.worker = new Worker(script, {
      workerData,
      transferList: [channel.port2],
      resourceLimits: { maxYoungGenerationSizeMb: PARSER_YOUNG_GENERATION_MB, maxOldGenerationSizeMb: PARSER_OLD_GENERATION_MB },
    });
    // The thread rings after each message it posts.
    this.worker.on('message', () => this.wake?.());
    this.worker.on('error', (err) => {
      this.failure = err;
      this.wake?.();
    });
    // A thread that stops without an error (process.exit in it, say) would otherwise leave the import
    // waiting for its next message for ever. What it posted before is still taken first (next()).
    this.worker.on('exit', (code) => {
      this.failure ??= new Error(`A parser thread stopped before it finished (exit code ${code}).`);
      this.wake?.();
    });
  }

  async next(): Promise<ParserMessage> {
    for (;;) {
      const received = receiveMessageOnPort(this.messages);
      if (!received && this.failure !== null) throw this.failure;
      if (received) {
        const message = received.message as ParserMessage;
        if (message.type === 'error') throw new Error(message.message);
        if (message.type === 'batch') {
          const credit: ParserRequest = { type: 'credit' };
          this.worker.postMessage(credit);
        }
        return message;
      }
      await new Promise<void>((resolve) => (this.wake = resolve));
      this.wake = null;
    }
  }

  /** A batch's rows, resolved: the writer's shape numbers, user_pk and name_id. */
  unpack(packed: PackedBatch, shapes: ShapeTable, resolver: RecordResolver): PreparedBatch {
    return this.unpacker.unpack(packed, shapes, resolver);
  }

  terminate(): Promise<number> {
    this.messages.close();
    return this.worker.terminate();
  }
}

/** Prepared batches of a file, in file order, parsed on one or two threads. */
export async function* parseOnThreads(
  script: URL,
  path: string,
  format: EventFileFormat,
  size: number,
  shapes: ShapeTable,
  resolver: RecordResolver,
  rangeBytes = RANGE_BYTES,
  timeZone?: string,
  packaging: Packaging = { gzip: false, objects: false },
): AsyncGenerator<PreparedBatch> {
  const ranges: (ByteRange | null)[] =
    // Tests give small ranges to split small files; otherwise two threads from PARALLEL_MIN_BYTES on. A gzip
    // stream cannot be entered in the middle, so a gzip file takes one thread, whatever its size.
    format === 'ndjson' && !packaging.gzip && size >= (rangeBytes === RANGE_BYTES ? PARALLEL_MIN_BYTES : 4 * rangeBytes)
      ? ndjsonRanges(path, size, rangeBytes)
      : [null];
  const threadCount = ranges.length > 1 ? 2 : 1;
  const threads: ParserThread[] = [];
  try {
    for (let t = 0; t < threadCount; t++) {
      const mine = ranges.filter((_, k) => k % threadCount === t);
      threads.push(new ParserThread(script, { path, format, timeZone, packaging, ranges: mine.every((r) => r !== null) ? (mine as ByteRange[]) : null }));
    }
    let lines = 0;
    for (let k = 0; k < ranges.length; k++) {
      const thread = threads[k % threadCount] as ParserThread;
      const start = ranges[k]?.start ?? 0;
      for (;;) {
        const message = await thread.next();
        if (message.type === 'range-end') {
          lines += message.lines;
          break;
        }
        if (message.type !== 'batch') continue;
        const batch = thread.unpack(message, shapes, resolver);
        // Lines and bytes arrive counted from the range's start.
        for (const reject of batch.rejects) reject.line += lines;
        const recordLines = batch.rows.lines;
        if (recordLines && lines > 0) for (let i = 0; i < recordLines.length; i++) recordLines[i] = (recordLines[i] as number) + lines;
        batch.bytes += start;
        yield batch;
      }
    }
  } finally {
    await Promise.all(threads.map((thread) => thread.terminate()));
  }
}
