/**
 * The app's PostgreSQL source: its password is kept encrypted in the token vault (beside the delivery
 * tokens), handed to the database worker in memory, and never written to the cache or its reports.
 */
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createBackend } from '../../src/main/api';
import { TokenVault, withTokenVault } from '../../src/main/electron/token-vault';
import type { Envelope } from '../../src/shared/errors';
import type { JobInfo } from '../../src/shared/types';
import { useTestDatabase } from '../support/postgres-vitest';
import { apiErrorOf, testCipher, useTempCache, useTempDir } from './helpers';
import { counts } from './ingest-helpers';
import { createWarehouseSchema, insertWarehouseRows } from '../support/warehouse-schema';

const tempDir = useTempDir();
const tempCache = useTempCache();
const database = useTestDatabase('warehouse_vault');

const forward = (calls: unknown[]) => async (method: string, arg: unknown): Promise<Envelope<unknown>> => {
  calls.push([method, arg]);
  return { ok: true, value: null };
};

describe('the PostgreSQL password in the token vault', () => {
  it('is saved encrypted (0600) before startWarehouseSync is forwarded, beside the delivery tokens', async () => {
    const file = join(tempDir(), 'delivery-tokens.json');
    const vault = new TokenVault(file, testCipher());
    await vault.save('staging', 'stage-token', 'https://d.example');
    const calls: unknown[] = [];
    const wrapped = withTokenVault(vault, forward(calls));
    await wrapped('startWarehouseSync', { source: 'postgres://reader@wh.example:5439/analytics', schema: 'shop', password: 'pg-secret-1' });
    expect(calls).toHaveLength(1);
    expect(readFileSync(file, 'utf8')).not.toContain('pg-secret-1');
    if (process.platform !== 'win32') expect(statSync(file).mode & 0o777).toBe(0o600);
    const reopened = new TokenVault(file, testCipher());
    expect(await reopened.loadWarehousePasswords()).toEqual({ 'wh.example:5439/analytics': 'pg-secret-1' });
    expect(await reopened.load()).toEqual({ tokens: { staging: 'stage-token' }, origins: { staging: 'https://d.example' } });
    // A call without a password, or with a source that does not parse, saves nothing new.
    await wrapped('startWarehouseSync', {});
    await wrapped('startWarehouseSync', { source: 'postgres://reader:inline@wh.example/analytics', schema: 'shop', password: 'x' });
    expect(await new TokenVault(file, testCipher()).loadWarehousePasswords()).toEqual({ 'wh.example:5439/analytics': 'pg-secret-1' });
  });

  it('without secure storage the call fails, nothing is written and nothing is forwarded', async () => {
    const file = join(tempDir(), 'delivery-tokens.json');
    const calls: unknown[] = [];
    const wrapped = withTokenVault(new TokenVault(file, testCipher(false)), forward(calls));
    const err = await apiErrorOf(wrapped('startWarehouseSync', { source: 'postgres://reader@wh.example/analytics', schema: 'shop', password: 'p' }));
    expect(err.message).toMatch(/no secure storage for the password .* PGPASSWORD or a pgpass file/);
    expect(calls).toHaveLength(0);
    expect(() => statSync(file)).toThrow();
  });

  it('the worker syncs with the password the vault handed it, remembers the source, and the cache never holds the password', async () => {
    const db = database();
    await createWarehouseSchema(db, 'app_prod');
    await insertWarehouseRows(db, 'app_prod', 0, 120, 60);
    const key = `127.0.0.1:${db.cluster.port}/${db.name}`;
    const { db: cache, path } = tempCache();
    const backend = createBackend({ db: cache, path, outbox: { autoStart: false }, warehousePasswords: { [key]: db.cluster.password } });
    try {
      const { handlers, jobs } = backend;
      const finished = async (jobId: string): Promise<JobInfo> => {
        for (;;) {
          const job = jobs.list().find((j) => j.id === jobId) as JobInfo;
          if (job.state !== 'running') return job;
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
      };
      expect(await handlers.getWarehouseSource({})).toMatchObject({ source: null, schema: null, lastSyncAt: null });
      const first = await finished((await handlers.startWarehouseSync({ source: db.url, schema: 'app_prod', lookbackHours: 2 })).jobId);
      expect(first.state, first.message ?? '').toBe('done');
      expect(first.message).toMatch(/^Synced \d+ records in \d+ pages: 120 new/);
      expect(await handlers.getWarehouseSource({})).toMatchObject({ source: db.url, schema: 'app_prod', lookbackHours: 2, hasPassword: true });
      // "Sync now": the remembered source again.
      const again = await finished((await handlers.startWarehouseSync({})).jobId);
      expect(again.state).toBe('done');
      expect(counts(cache).records).toBe(120);
      const everything = JSON.stringify([cache.prepare('SELECT * FROM kv').all(), cache.prepare('SELECT * FROM import_reports').all()]);
      expect(everything).not.toContain(db.cluster.password);
      expect((await apiErrorOf(() => handlers.startWarehouseSync({ password: 'x' }))).message).toMatch(/Give the source with its password/);
    } finally {
      backend.close();
    }
  });
});
