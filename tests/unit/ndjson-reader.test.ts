/**
 * The NDJSON reader reads a file in chunks (CHUNK_BYTES), cut into lines on their bytes and read as Latin-1,
 * each record decoded as UTF-8 only where its chunk is not ASCII (recordText). Whatever falls on a chunk
 * boundary, its lines must be what decoding the whole file gives.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CHUNK_BYTES, readNdjsonChunks, recordText } from '../../src/main/ingest/parse/readers';
import { useTempDir } from './helpers';

const tempDir = useTempDir();
const CHUNK = CHUNK_BYTES;

function linesRead(path: string): string[] {
  const lines: string[] = [];
  for (const chunk of readNdjsonChunks(path, { bytes: 0, lines: 0 })) {
    chunk.starts.forEach((start, k) => lines.push(recordText(chunk, start, chunk.ends[k] as number)));
  }
  return lines;
}

/** A file whose byte CHUNK + offset is the first byte of `middle`, with ASCII lines around it. */
function fileAround(name: string, middle: Buffer, offset: number): { path: string; bytes: Buffer } {
  const line = `{"pad":"${'x'.repeat(90)}"}\n`;
  const before = Buffer.from(line.repeat(Math.ceil(CHUNK / line.length) + 1)).subarray(0, CHUNK + offset);
  // Cut the padding at a line end so `middle` starts a record of its own.
  const cut = before.lastIndexOf(10) + 1;
  const head = Buffer.concat([before.subarray(0, cut), Buffer.from('{"a":"'.padEnd(CHUNK + offset - cut, 'y'))]);
  const bytes = Buffer.concat([head, middle, Buffer.from(`"}\n${line.repeat(3)}`)]);
  const path = join(tempDir(), name);
  writeFileSync(path, bytes);
  return { path, bytes };
}

describe('readNdjsonChunks', () => {
  const cases: [string, Buffer][] = [
    ['a two-byte character', Buffer.from('é')],
    ['a three-byte character', Buffer.from('€')],
    ['a four-byte character', Buffer.from('😀')],
    ['a lone lead byte before ASCII (invalid UTF-8)', Buffer.from([0xe2, 0x61])],
    ['a lead byte without its last continuation byte (invalid UTF-8)', Buffer.from([0xe2, 0x82, 0x61])],
  ];
  for (const [what, middle] of cases) {
    for (const offset of [-3, -2, -1, 0, 1]) {
      it(`gives the lines whole-file decoding gives with ${what} at ${offset} from a chunk boundary`, () => {
        const { path, bytes } = fileAround('file.ndjson', middle, offset);
        const expected = bytes.toString('utf8').split('\n').filter((l) => l !== '');
        expect(linesRead(path)).toEqual(expected);
      });
    }
  }

  it('drops a byte order mark at the file start, counts whitespace-only lines as blank by their decoded text, and keeps invalid bytes as a record', () => {
    const path = join(tempDir(), 'marks.ndjson');
    // U+00A0 (no-break space) and U+FEFF are whitespace once decoded; a lone 0xA0 byte is invalid UTF-8, a record to reject.
    const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"a":1}\n\u00a0\n\ufeff \n'), Buffer.from([0xa0, 0x0a]), Buffer.from('{"b":"é"}\n')]);
    writeFileSync(path, bytes);
    expect(linesRead(path)).toEqual(['{"a":1}', '\ufffd', '{"b":"é"}']);
  });
});
