/**
 * Issue 15: importing records in the Segment spec's documented forms (HTTP API bodies, RudderStack's
 * shape, warehouse time formats). The payloads are our own, modelled on the spec pages' examples; each
 * test writes its fixture file itself.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Db } from '../../src/main/db/connection';
import { importFile, type ImportOptions } from '../../src/main/ingest/import-file';
import type { ImportSummary } from '../../src/shared/types';
import { useTempCache } from './helpers';

const tempCache = useTempCache();

const ndjson = (records: unknown[]): string => records.map((r) => JSON.stringify(r)).join('\n') + '\n';

/** Imports `content` (written to a file of that name) into a fresh cache. */
async function importText(name: string, content: string, options: ImportOptions = {}): Promise<{ db: Db; summary: ImportSummary }> {
  const { db, dir } = tempCache();
  const path = join(dir, name);
  writeFileSync(path, content);
  const summary = await importFile(db, path, options);
  return { db, summary };
}

function traitsOf(db: Db, userId: string): Record<string, unknown> | undefined {
  const row = db.prepare<[string], { traits: string }>('SELECT traits FROM users WHERE id = ?').get(userId);
  return row && (JSON.parse(row.traits) as Record<string, unknown>);
}

describe('type-less records (HTTP API bodies)', () => {
  it('infers track and identify, and refuses group and alias bodies instead of reading them as identify calls', async () => {
    const { db, summary } = await importText(
      'http-api.ndjson',
      ndjson([
        { messageId: 'id-1', userId: 'user-42', timestamp: '2024-05-01T09:00:00.000Z', traits: { name: 'Peter Gibbons', email: 'peter@initech.example' } },
        { messageId: 'tr-1', userId: 'user-42', timestamp: '2024-05-01T09:05:00.000Z', event: 'Report Filed', properties: { pages: 3 } },
        // The company's traits: read as an identify, they overwrote the user's name.
        { messageId: 'gr-1', userId: 'user-42', timestamp: '2024-05-01T09:10:00.000Z', groupId: 'grp-0042', traits: { name: 'Initech', employees: 329 } },
        { messageId: 'al-1', userId: 'user-42', timestamp: '2024-05-01T09:15:00.000Z', previousId: 'anon-7f3a' },
        { messageId: 'xx-1', userId: 'user-42', timestamp: '2024-05-01T09:20:00.000Z', properties: { plan: 'pro' } },
      ]),
    );
    expect(summary.imported).toBe(2);
    expect(summary.errors).toEqual([
      { line: 3, reason: expect.stringMatching(/^unsupported type "group" \(inferred from groupId\): group calls are not supported yet/) },
      { line: 4, reason: expect.stringMatching(/^unsupported type "alias" \(inferred from previousId\): alias calls are not supported yet/) },
      { line: 5, reason: expect.stringMatching(/^missing type, and none could be inferred/) },
    ]);
    expect(traitsOf(db, 'user-42')).toEqual({ name: 'Peter Gibbons', email: 'peter@initech.example' });
  });
});
