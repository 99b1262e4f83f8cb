/**
 * Issue 15, item 9: every batch the parser hands the writer carries rows, whichever thread parsed it
 * and whatever the file's packaging, so an import writes one way (RecordWriter.writeRows). The batches
 * are read as the import reads them inline (parseInline) and on a parser thread, and the two imports
 * must leave the same events, users and links.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { Db } from '../../src/main/db/connection';
import { importFile } from '../../src/main/ingest/import-file';
import { parseInline } from '../../src/main/ingest/parse/pack';
import { sniffEventFile } from '../../src/main/ingest/parse/sniff';
import { RecordWriter } from '../../src/main/ingest/write/writer';
import { useTempCache, useTempDir } from './helpers';
import { importInChildProcess } from './ingest-helpers';

const tempCache = useTempCache();
const tempDir = useTempDir();

const at = (k: number): string => new Date(Date.UTC(2024, 4, 1, 10, k)).toISOString();
const records = [
  { type: 'track', event: 'Signed Up', userId: 'u-1', anonymousId: 'a-1', messageId: 'm-1', timestamp: at(1), properties: { plan: 'pro' } },
  { type: 'identify', userId: 'u-1', messageId: 'm-2', timestamp: at(2), traits: { email: 'u1@example.com' } },
  { type: 'page', name: 'Home', anonymousId: 'a-2', messageId: 'm-3', timestamp: at(3), properties: { path: '/' } },
  { type: 'group', userId: 'u-1', groupId: 'g-1', messageId: 'm-4', timestamp: at(4), traits: { plan: 'enterprise' } },
  { type: 'alias', userId: 'u-2', previousId: 'a-2', messageId: 'm-5', timestamp: at(5) },
  { type: 'track', event: 'Report Run', userId: 'u-2', messageId: 'm-6', timestamp: 'not a date' },
  { type: 'track', event: 'Report Run', userId: 'u-2', messageId: 'm-7', timestamp: at(7), context: { traits: { seats: 3 } } },
];
const ndjson = records.map((r) => JSON.stringify(r)).join('\n') + '\n';
const csv =
  'userId,anonymousId,type,event,messageId,timestamp,properties.plan\n' +
  'u-1,a-1,track,Signed Up,m-1,2024-05-01T10:01:00Z,pro\n' +
  'u-2,,track,Report Run,m-6,soon,\n' +
  'u-2,,track,Report Run,m-7,2024-05-01T10:07:00Z,\n';
const warehouse =
  'id,user_id,anonymous_id,event,event_text,timestamp,received_at,context_ip\n' +
  'w-1,u-1,a-1,signed_up,Signed Up,2024-05-01 10:01:00,2024-05-01 10:01:01,10.0.0.1\n' +
  'w-2,,,signed_up,Signed Up,2024-05-01 10:02:00,2024-05-01 10:02:01,10.0.0.2\n';

const files: [string, string | Buffer][] = [
  ['plain.ndjson', ndjson],
  ['archive.ndjson.gz', gzipSync(ndjson)],
  ['array.json', JSON.stringify(records)],
  ['envelope.json', JSON.stringify({ batch: records, context: { ip: '203.0.113.9' } }, null, 2)],
  ['envelopes.ndjson', `${JSON.stringify({ batch: records.slice(0, 3) })}\n${JSON.stringify({ batch: records.slice(3) })}\n`],
  ['events.csv', csv],
  ['tracks.csv', warehouse],
];

function contents(db: Db): unknown {
  return {
    events: db.prepare('SELECT event_id, u.id AS user, ts, properties FROM events JOIN users u ON u.user_pk = events.user_pk ORDER BY event_id').all(),
    users: db.prepare('SELECT id, traits FROM users ORDER BY id').all(),
    links: db.prepare('SELECT l.id, l.known, u.id AS user FROM identity_links l JOIN users u ON u.user_pk = l.user_pk ORDER BY l.id').all(),
  };
}

describe('one write path for every batch (issue 15, item 9)', () => {
  it.each(files)('%s: every batch parsed inline carries its records as rows, the rest as rejections', async (name, content) => {
    const { db, dir } = tempCache();
    const path = join(dir, name);
    writeFileSync(path, content);
    const { format, gzip, objects } = sniffEventFile(path);
    db.exec('BEGIN');
    const writer = new RecordWriter(db, 'indexed');
    let read = 0;
    let rows = 0;
    for await (const batch of parseInline(path, format, writer.shapes, writer, undefined, { gzip, objects })) {
      expect(Object.keys(batch)).not.toContain('records');
      expect(batch.rows.count + batch.rejects.length).toBe(batch.count);
      expect(batch.rows.userPks.length).toBe(batch.rows.count);
      read += batch.count;
      rows += batch.rows.count;
    }
    db.exec('ROLLBACK');
    expect(read).toBeGreaterThan(0);
    expect(rows).toBeGreaterThan(0);
  });

  it.each(files)('%s: imported inline and on a parser thread, the cache ends the same', async (name, content) => {
    const { db, dir } = tempCache();
    const path = join(dir, name);
    writeFileSync(path, content);
    const inline = await importFile(db, path);
    const threads = importInChildProcess(tempDir(), name, content, {}, contents);
    expect(threads.summary).toMatchObject({ imported: inline.imported, duplicates: inline.duplicates, rejected: inline.rejected });
    expect(threads.read).toEqual(contents(db));
  });
});
