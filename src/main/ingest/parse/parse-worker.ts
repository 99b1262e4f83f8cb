/**
 * An import's parser thread: reads, parses, validates and prepares records (prepare.ts) while the
 * database thread writes the previous batches. It keeps at most a few batches in flight, so memory
 * stays flat whatever the file's size. A large NDJSON file is cut into ranges that two of these
 * threads parse turn about; each ends a range with its line count so the writer can number the next.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { ShapeNumbering, type ShapeEntries } from '../../db/property-keys';
import { prepareFile, prepareNdjsonInto } from './prepare';
import type { ReadProgress } from './readers';
import { RecordTime } from './record-time';
import { BatchBuilder } from './batch-builder';
import type { ParserMessage, ParserRequest, ParserSetup } from './parser-protocol';

const port = parentPort;
if (!port) throw new Error('parse-worker must run as a worker thread.');
const { path, format, ranges, messages, timeZone, packaging } = workerData as ParserSetup;
/**
 * Batches a thread sends ahead of the writer. They wait serialized, outside the JavaScript heap, until
 * the writer takes them; with 1 MB ranges (parser-threads.ts) a batch holds at most about a range's text.
 */
const MAX_IN_FLIGHT = 4;
let inFlight = 0;
let wake: (() => void) | null = null;

port.on('message', (message: ParserRequest) => {
  if (message.type === 'credit') {
    inFlight -= 1;
    wake?.();
    wake = null;
  }
});

/** Posts a message where the import takes it, and rings to say it is there. */
function post(message: ParserMessage, transfer: ArrayBuffer[] = []): void {
  messages.postMessage(message, transfer);
  port!.postMessage(null);
}

async function run(): Promise<void> {
  // Shapes numbered since the last batch went out travel with the next one.
  let newShapes: [number, ShapeEntries][] = [];
  const shapes = new ShapeNumbering((id, entries) => newShapes.push([id, entries]));
  const builder = new BatchBuilder();
  const time = new RecordTime(timeZone);
  let zonelessSent = 0;
  let envelopesSent = 0;
  const send = async (count: number, bytes: number, envelopes: number): Promise<void> => {
    const { message, transfer } = builder.take(newShapes, count, bytes, time.zoneless - zonelessSent);
    zonelessSent = time.zoneless;
    if (envelopes > envelopesSent) message.envelopes = envelopes - envelopesSent;
    envelopesSent = envelopes;
    newShapes = [];
    post(message, transfer);
    inFlight += 1;
    while (inFlight >= MAX_IN_FLIGHT) await new Promise<void>((resolve) => (wake = resolve));
  };
  for (const range of ranges ?? [undefined]) {
    const progress: ReadProgress = { bytes: 0, lines: 0, envelopes: 0 };
    envelopesSent = 0;
    // A gzip stream is not where the reader's chunks can be prepared in place: it goes the general way.
    if (format === 'ndjson' && !packaging.gzip) {
      for (const count of prepareNdjsonInto(path, shapes, builder, time, range, progress)) await send(count, progress.bytes, progress.envelopes ?? 0);
    } else {
      for await (const batch of prepareFile(path, format, shapes, time, range, progress, packaging)) {
        for (const record of batch.records) builder.add(record);
        for (const reject of batch.rejects) builder.reject(reject);
        await send(batch.count, batch.bytes, progress.envelopes ?? 0);
      }
    }
    const end: ParserMessage = { type: 'range-end', lines: progress.lines ?? 0 };
    post(end);
  }
}

run().catch((err: unknown) => {
  const failed: ParserMessage = { type: 'error', message: err instanceof Error ? err.message : String(err) };
  post(failed);
});
