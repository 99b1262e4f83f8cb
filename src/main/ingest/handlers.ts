/** The contract's ingest methods: an import or a sync as a background job, and the reports they leave. */
import { basename } from 'node:path';
import type { IngestHandlers } from '../../shared/contract/ingest';
import { ApiError } from '../../shared/errors';
import type { SyncSummary } from '../../shared/types';
import { insecureTokenUrlReason, originOf } from '../../shared/secure-url';
import { parseWarehouseSource } from '../../shared/warehouse-source';
import { createKvRepo } from '../db/kv';
import { assertCacheSample } from '../db/user-sample';
import type { WritingJobDeps } from '../jobs/writers';
import { importFile } from './import-file';
import { getReport, listReports } from './reports';
import { syncFromSource } from './sync';
import { DEFAULT_LOOKBACK_HOURS, skippedMessage, syncFromWarehouse } from './warehouse-sync';

export interface IngestDeps extends WritingJobDeps {
  /** The import's parser thread script (out/main/parse-worker.js); without it imports parse inline. */
  parserScript?: URL;
  /**
   * PostgreSQL passwords by warehouse (host:port/database), as the Electron main process decrypted them from
   * its token vault. Held in memory only; passwords given later join them (the main process saved them first).
   */
  warehousePasswords?: Record<string, string>;
}

interface RememberedWarehouse {
  source: string;
  schema: string;
  lookbackHours: number;
}

const importMessage = (s: { imported: number; duplicates: number; rejected: number; state: string }): string =>
  `${s.state === 'cancelled' ? 'Import cancelled; kept' : 'Imported'} ${s.imported.toLocaleString('en-US')} records` +
  ` (${s.duplicates.toLocaleString('en-US')} duplicates, ${s.rejected.toLocaleString('en-US')} rejected).`;

const syncMessage = (summary: SyncSummary): string =>
  `Synced ${summary.fetched.toLocaleString('en-US')} records in ${summary.pages} pages: ` +
  `${summary.imported.toLocaleString('en-US')} new, ${summary.duplicates.toLocaleString('en-US')} duplicates, ${summary.rejected.toLocaleString('en-US')} rejected.`;

export function createIngestHandlers({ db, clock, jobs, writers, afterWrite, parserScript, warehousePasswords }: IngestDeps): IngestHandlers {
  const kv = createKvRepo(db);
  // Warehouse passwords, like the sync token, are never written to the cache.
  const passwords = new Map<string, string>(Object.entries(warehousePasswords ?? {}));
  const remembered = (): RememberedWarehouse | null => {
    const text = kv.get('warehouse_source');
    return text === undefined ? null : (JSON.parse(text) as RememberedWarehouse);
  };
  // The sync token lives in memory only (or comes from the environment): it is never written to the cache.
  let syncToken: string | null = process.env.GUIDEPOST_SYNC_TOKEN ?? null;
  // The origin the token was entered for; null for GUIDEPOST_SYNC_TOKEN, which belongs to the source remembered at the time.
  let syncTokenOrigin: string | null = null;

  return {
    startImport: ({ path: file, format, timezone, samplePercent }) => {
      writers.assertNone('start an import');
      // Refused before the job starts; the writer checks again inside its transaction.
      assertCacheSample(db, samplePercent ?? 100);
      const { jobId } = jobs.start('import', `Importing ${basename(file)}`, 'bytes', async (ctx) => {
        const summary = await importFile(db, file, {
          clock,
          ...(parserScript ? { parserScript } : {}),
          ...(format ? { format } : {}),
          ...(timezone ? { timeZone: timezone } : {}),
          ...(samplePercent !== undefined ? { samplePercent } : {}),
          onProgress: (p) => ctx.progress(p.bytes, p.totalBytes, p.records),
          checkpoint: ctx.checkpoint,
        });
        afterWrite();
        ctx.setResult({ reportId: summary.reportId });
        if (summary.state === 'cancelled') throw new ApiError('cancelled', importMessage(summary));
        return importMessage(summary);
      });
      return { jobId };
    },
    listImportReports: ({ limit }) => listReports(db, limit ?? 20),
    getImportReport: ({ id }) => {
      const report = getReport(db, id);
      if (!report) throw new ApiError('not_found', `No import report ${id}.`);
      return report;
    },
    startSync: ({ source, token, samplePercent }) => {
      writers.assertNone('start a sync');
      assertCacheSample(db, samplePercent ?? 100);
      const from = source ?? kv.get('sync_source');
      if (!from) throw new ApiError('invalid_argument', 'Name the source to sync from: the delivery server URL.');
      // A source remembered before https was required is checked here too: the token must not go to it.
      const insecure = insecureTokenUrlReason(from);
      if (insecure !== null) throw new ApiError('invalid_argument', `The sync source ${insecure}`);
      if (token !== undefined) {
        syncToken = token;
        syncTokenOrigin = originOf(from);
      } else if (syncToken !== null) {
        // The held token belongs to the server it was entered for: another origin asks for it again.
        const remembered = kv.get('sync_source');
        const held = syncTokenOrigin ?? (remembered === undefined ? null : originOf(remembered));
        if (held !== null && originOf(from) !== held) {
          syncToken = null;
          syncTokenOrigin = null;
          throw new ApiError('invalid_argument', `A token for ${originOf(from) ?? from} is needed: the one held was entered for ${held}, so it was dropped.`);
        }
      }
      if (syncToken === null) throw new ApiError('invalid_argument', 'A token for the source is needed.');
      const bearer = syncToken;
      // Remember the source at once, so "Sync now" is offered even when the first attempt finds us offline.
      // Another source starts from its own beginning: a cursor means nothing to a different server.
      if (kv.get('sync_source') !== from) {
        kv.delete('sync_cursor');
        kv.set('sync_source', from);
      }
      const { jobId } = jobs.start('sync', `Syncing from ${new URL(from).host}`, 'pages', async (ctx) => {
        const linkReport = (): void => {
          const [latest] = listReports(db, 1);
          if (latest) ctx.setResult({ reportId: latest.id });
        };
        let summary;
        try {
          summary = await syncFromSource(db, {
            source: from,
            token: bearer,
            clock,
            signal: ctx.signal,
            checkpoint: ctx.checkpoint,
            ...(samplePercent !== undefined ? { samplePercent } : {}),
            onPage: (s) => ctx.progress(s.pages, null, s.fetched),
          });
        } catch (err) {
          linkReport();
          afterWrite();
          throw err;
        }
        linkReport();
        afterWrite();
        return syncMessage(summary);
      });
      return { jobId };
    },
    startWarehouseSync: ({ source, schema, password, lookbackHours, pageRows, samplePercent }) => {
      writers.assertNone('start a sync');
      assertCacheSample(db, samplePercent ?? 100);
      // The main process keeps a password under the source the call names: one without it could not be kept.
      if (password !== undefined && source === undefined) throw new ApiError('invalid_argument', 'Give the source with its password, so the password is kept for that warehouse.');
      const before = remembered();
      const target: RememberedWarehouse | null =
        source !== undefined && schema !== undefined
          ? { source, schema, lookbackHours: lookbackHours ?? DEFAULT_LOOKBACK_HOURS }
          : before && source === undefined && schema === undefined
            ? { ...before, ...(lookbackHours !== undefined ? { lookbackHours } : {}) }
            : null;
      if (!target) throw new ApiError('invalid_argument', 'Name the PostgreSQL source and its schema: postgres://user@host:port/database and the schema the warehouse loads.');
      const parsed = parseWarehouseSource(target.source);
      if ('error' in parsed) throw new ApiError('invalid_argument', parsed.error);
      if (password !== undefined) passwords.set(parsed.key, password);
      // Remembered at once, so "Sync now" is offered even when the first attempt fails.
      kv.set('warehouse_source', JSON.stringify(target));
      const held = passwords.get(parsed.key);
      const { jobId } = jobs.start('sync', `Syncing ${target.schema} from ${parsed.host}`, 'pages', async (ctx) => {
        let result;
        try {
          result = await syncFromWarehouse(db, {
            source: target.source,
            schema: target.schema,
            lookbackHours: target.lookbackHours,
            ...(held !== undefined ? { password: held } : {}),
            ...(pageRows !== undefined ? { pageSize: pageRows } : {}),
            ...(samplePercent !== undefined ? { samplePercent } : {}),
            clock,
            checkpoint: ctx.checkpoint,
            onPage: (s) => ctx.progress(s.pages, null, s.fetched),
          });
        } finally {
          const [latest] = listReports(db, 1);
          if (latest) ctx.setResult({ reportId: latest.id });
          afterWrite();
        }
        kv.set('warehouse_last_sync_at', String(clock()));
        const skipped = result.tables.filter((t) => t.error !== undefined);
        return [syncMessage(result), ...(skipped.length > 0 ? [skippedMessage(skipped)] : [])].join(' ');
      });
      return { jobId };
    },
    getWarehouseSource: () => {
      const current = remembered();
      const parsed = current ? parseWarehouseSource(current.source) : null;
      const last = kv.get('warehouse_last_sync_at');
      return {
        source: current?.source ?? null,
        schema: current?.schema ?? null,
        lookbackHours: current?.lookbackHours ?? DEFAULT_LOOKBACK_HOURS,
        hasPassword: (parsed !== null && !('error' in parsed) && passwords.has(parsed.key)) || process.env.PGPASSWORD !== undefined,
        lastSyncAt: last === undefined ? null : Number(last),
      };
    },
    getSyncState: () => {
      const lastSync = kv.get('last_sync_at');
      return {
        source: kv.get('sync_source') ?? null,
        lastSyncAt: lastSync === undefined ? null : Number(lastSync),
        cursor: kv.get('sync_cursor') ?? null,
        hasToken: syncToken !== null,
      };
    },
  };
}
