import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ShapeTable } from '../../src/main/db/property-keys';
import { parseOnThreads } from '../../src/main/ingest/parse/parser-threads';
import { useTempDir } from './helpers';

const tempDir = useTempDir();

describe('parseOnThreads', () => {
  it('fails, rather than waits for ever, when a parser thread stops without an error', async () => {
    const file = join(tempDir(), 'a.ndjson');
    writeFileSync(file, '{"type":"track","userId":"u","event":"e","timestamp":"2026-01-01T00:00:00.000Z"}\n');
    const script = new URL('./fixtures/exiting-parser.mjs', import.meta.url);
    const resolver = { userPk: () => 1, nameId: () => 1, knownId: () => undefined };
    const read = async (): Promise<number> => {
      let batches = 0;
      for await (const batch of parseOnThreads(script, file, 'ndjson', 80, new ShapeTable(), resolver)) batches += batch.count;
      return batches;
    };
    await expect(read()).rejects.toThrow(/parser thread stopped before it finished \(exit code 0\)/);
  });
});
