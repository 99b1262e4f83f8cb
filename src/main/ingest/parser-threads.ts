/**
 * The import's side of its parser threads (parse-worker.ts): one for CSV, JSON arrays and small
 * NDJSON files; two for a large NDJSON file, cut into ranges at line starts that the threads parse
 * turn about. Batches come out in file order whatever the threads' pace, with line numbers, byte
 * counts and property shapes made whole-file again, so the writer sees exactly what one thread
 * would have given it (first occurrence wins, lines as in the file).
 */
import { Worker } from 'node:worker_threads';
import type { EventFileFormat } from '../../shared/types';
import type { ShapeTable } from '../db/property-keys';
import { unpackBatch, type ParserMessage, type ParserRequest, type ParserSetup } from './parser-protocol';
import type { PreparedBatch } from './prepare';
import { ndjsonRanges, type ByteRange } from './readers';

/** NDJSON files at least this large are parsed by two threads. */
const PARALLEL_MIN_BYTES = 16 * 1024 * 1024;
/** Bytes per range: large enough that each thread reads long runs, small enough to keep both busy. */
const RANGE_BYTES = 4 * 1024 * 1024;

class ParserThread {
  private readonly worker: Worker;
  private readonly queue: ParserMessage[] = [];
  private wake: (() => void) | null = null;
  private failure: Error | null = null;
  /** This thread's shape numbers → the writer's. */
  private readonly shapeIds: number[] = [0];

  constructor(script: URL, setup: ParserSetup) {
    // A small young generation keeps the parser thread's memory low; it allocates short-lived objects only.
    this.worker = new Worker(script, { workerData: setup, resourceLimits: { maxYoungGenerationSizeMb: 8 } });
    this.worker.on('message', (message: ParserMessage) => {
      this.queue.push(message);
      this.wake?.();
    });
    this.worker.on('error', (err) => {
      this.failure = err;
      this.wake?.();
    });
  }

  async next(): Promise<ParserMessage> {
    while (this.queue.length === 0 && this.failure === null) await new Promise<void>((resolve) => (this.wake = resolve));
    if (this.failure !== null) throw this.failure;
    const message = this.queue.shift() as ParserMessage;
    if (message.type === 'error') throw new Error(message.message);
    if (message.type === 'batch') {
      const credit: ParserRequest = { type: 'credit' };
      this.worker.postMessage(credit);
    }
    return message;
  }

  /** A batch's records, with this thread's shape numbers turned into the writer's. */
  adopt(batch: PreparedBatch, newShapes: [number, [string, string, number][]][], shapes: ShapeTable): PreparedBatch {
    for (const [id, entries] of newShapes) this.shapeIds[id] = shapes.add(entries);
    for (const record of batch.records) record.shape = this.shapeIds[record.shape] as number;
    return batch;
  }

  terminate(): Promise<number> {
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
  rangeBytes = RANGE_BYTES,
): AsyncGenerator<PreparedBatch> {
  const ranges: (ByteRange | null)[] =
    format === 'ndjson' && size >= Math.min(PARALLEL_MIN_BYTES, 4 * rangeBytes) ? ndjsonRanges(path, size, rangeBytes) : [null];
  const threadCount = ranges.length > 1 ? 2 : 1;
  const threads = Array.from({ length: threadCount }, (_, t) => {
    const mine = ranges.filter((_, k) => k % threadCount === t);
    return new ParserThread(script, { path, format, ranges: mine.every((r) => r !== null) ? (mine as ByteRange[]) : null });
  });
  try {
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
        const batch = thread.adopt(unpackBatch(message), message.newShapes, shapes);
        // Lines and bytes arrive counted from the range's start.
        for (const reject of batch.rejects) reject.line += lines;
        batch.bytes += start;
        yield batch;
      }
    }
  } finally {
    await Promise.all(threads.map((thread) => thread.terminate()));
  }
}
