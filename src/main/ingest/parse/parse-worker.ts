/**
 * An import's parser thread: reads, parses, validates and prepares records (prepare.ts) while the
 * database thread writes the previous batches. It keeps at most a few batches in flight, so memory
 * stays flat whatever the file's size. A large NDJSON file is cut into ranges that two of these
 * threads parse turn about; each ends a range with its line count so the writer can number the next.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { packFile } from './pack';
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
  for await (const out of packFile({ path, format, ranges, packaging, ...(timeZone ? { timeZone } : {}) })) {
    if (out.type === 'range-end') {
      const end: ParserMessage = { type: 'range-end', lines: out.lines };
      post(end);
      continue;
    }
    post(out.message, out.transfer);
    inFlight += 1;
    while (inFlight >= MAX_IN_FLIGHT) await new Promise<void>((resolve) => (wake = resolve));
  }
}

run().catch((err: unknown) => {
  const failed: ParserMessage = { type: 'error', message: err instanceof Error ? err.message : String(err) };
  post(failed);
});
