/** A pgpass file (mode 0600, as libpq and pg require) for a test database. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestDatabase } from '../support/postgres-vitest';

export function tempPgpass(db: TestDatabase): string {
  const file = join(mkdtempSync(join(tmpdir(), 'guidepost-pgpass-')), 'pgpass');
  writeFileSync(file, `${db.cluster.host}:${db.cluster.port}:${db.name}:${db.cluster.user}:${db.cluster.password}\n`, { mode: 0o600 });
  return file;
}
