/**
 * What a parser thread costs on an NDJSON file, on this thread, and what its batches cost the writer's
 * thread to take: packFile over the file (read, split, decode, fast or general path, pack), each batch
 * posted through a MessageChannel with its transfer list as parse-worker.ts posts it, then received
 * (receiveMessageOnPort) and every record's id and JSON made into strings as the writer makes them
 * (recordId, recordJson). Nothing is written to a database.
 * Usage: parse-side.ts <file.ndjson> [passes]. Prints CPU ms for the parse side and for the taking, per pass.
 * For comparing two versions of the parse path side by side on a loaded machine (CPU time is steadier
 * than wall time); not a timed test.
 */
import { MessageChannel, receiveMessageOnPort } from 'node:worker_threads';
import { packFile } from '../../src/main/ingest/parse/pack';
import type { PackedBatch } from '../../src/main/ingest/parse/parser-protocol';
import { BatchUnpacker } from '../../src/main/ingest/parse/unpack';
import { ShapeTable } from '../../src/main/db/property-keys';
import { recordId, recordJson } from '../../src/main/ingest/records';

const [file, passesArg] = process.argv.slice(2) as [string, string | undefined];
const passes = Number(passesArg ?? 3);

const cpuMs = (since: NodeJS.CpuUsage): number => {
  const used = process.cpuUsage(since);
  return (used.user + used.system) / 1000;
};

for (let pass = 1; pass <= passes; pass++) {
  const { port1, port2 } = new MessageChannel();
  const unpacker = new BatchUnpacker();
  const shapes = new ShapeTable();
  let users = 0;
  const resolver = { userPk: () => ++users, nameId: () => 1, knownId: () => {} };
  let parseMs = 0;
  let takeMs = 0;
  let records = 0;
  let chars = 0;
  let since = process.cpuUsage();
  for await (const out of packFile({ path: file, format: 'ndjson', ranges: null, packaging: { gzip: false, objects: false } })) {
    if (out.type !== 'batch') continue;
    port2.postMessage(out.message, out.transfer);
    parseMs += cpuMs(since);
    since = process.cpuUsage();
    const packed = receiveMessageOnPort(port1)?.message as PackedBatch;
    const batch = unpacker.unpack(packed, shapes, resolver);
    const { texts, count } = batch.rows;
    for (let i = 0; i < count; i++) chars += recordId(texts, i).length + (recordJson(texts, i)?.length ?? 0);
    records += count;
    takeMs += cpuMs(since);
    since = process.cpuUsage();
  }
  port1.close();
  port2.close();
  process.stdout.write(`pass ${pass}: ${records.toLocaleString('en-US')} records (${chars.toLocaleString('en-US')} chars of ids and JSON): parse side ${parseMs.toFixed(0)} ms CPU, taking ${takeMs.toFixed(0)} ms CPU\n`);
}
