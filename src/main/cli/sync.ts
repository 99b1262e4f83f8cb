/**
 * `guidepost sync`: pulls new events from a delivery server, or from a PostgreSQL warehouse schema,
 * resuming where the last sync stopped.
 */
import { isWarehouseUrl, warehouseKindWords } from '../../shared/warehouse-source';
import type { ImportReport, JobInfo } from '../../shared/types';
import { withBackend, type CliBackend } from './backend';
import { conflictingDuplicatesText, erasedText, finished, identityText, progressPrinter, sampledOutText, sampleOption, secretOption, type Command, type CommandContext } from './command';

const SYNC_TOKEN = { flag: 'token', fileFlag: 'token-file', envVar: 'GUIDEPOST_SYNC_TOKEN' };

export const syncCommand: Command = {
  summary: 'Sync new events from a delivery server (GET /v1/events) or a PostgreSQL warehouse schema, resuming where the last sync stopped.',
  usage:
    'guidepost sync --source <url> [--token-file <file>] [--sample <percent>] [--db <file>] [--json]   (the token from GUIDEPOST_SYNC_TOKEN or --token-file)\n' +
    '       guidepost sync --source postgres://user@host:port/db --schema <schema> [--lookback-hours <h>] [--page-rows <n>] [--sample <percent>] [--db <file>] [--json]\n' +
    '         (the password from PGPASSWORD or a pgpass file, never the URL)',
  options: {
    source: { type: 'string' },
    token: { type: 'string' },
    'token-file': { type: 'string' },
    schema: { type: 'string' },
    'lookback-hours': { type: 'string' },
    'page-rows': { type: 'string' },
    sample: { type: 'string' },
  },
  run: (ctx) =>
    withBackend(ctx, async (backend) => {
      const source = ctx.values.source as string | undefined;
      if (source !== undefined && isWarehouseUrl(source)) return syncWarehouse(ctx, backend, source);
      if (ctx.values.schema !== undefined) throw new Error('--schema is for a postgres:// source.');
      const { handlers, runJob } = backend;
      const token = secretOption(ctx, SYNC_TOKEN);
      if (!token) throw new Error('give the source\'s token in GUIDEPOST_SYNC_TOKEN or a file named with --token-file.');
      const samplePercent = sampleOption(ctx);
      const progress = progressPrinter(ctx);
      const job = finished(
        await runJob(
          () => handlers.startSync({ ...(source ? { source } : {}), token, ...(samplePercent !== undefined ? { samplePercent } : {}) }),
          (j) => progress(`  ${(j.progress.records ?? 0).toLocaleString('en-US')} records in ${j.progress.done} pages`),
        ),
      );
      const report = await handlers.getImportReport({ id: job.result?.reportId ?? 0 });
      return syncOutput(job, report);
    }),
};

/** The counts both kinds of sync print. */
function syncOutput(job: JobInfo, report: ImportReport, extra: { data?: object; lines?: string[] } = {}): { data: object; text: string } {
  const { details } = report;
  // Alias and group calls, erase markers and records of erased users store no event: neither new nor duplicates, but fetched.
  const fetched =
    report.imported +
    report.duplicates +
    report.rejected +
    (details?.identityCalls ?? 0) +
    (details?.usersErased ?? 0) +
    (details?.erasedSkipped ?? 0) +
    (details?.sampledOut ?? 0);
  const pages = job.progress.done;
  const conflicts = details?.conflictingDuplicates ? { conflictingDuplicates: details.conflictingDuplicates, conflictExamples: details.conflictExamples ?? [] } : {};
  const identity = {
    ...(details?.identityCalls ? { identityCalls: details.identityCalls } : {}),
    ...(details?.identityConflicts ? { identityConflicts: details.identityConflicts } : {}),
    ...(details?.usersErased ? { usersErased: details.usersErased } : {}),
    ...(details?.erasedSkipped ? { erasedSkipped: details.erasedSkipped } : {}),
    ...(details?.sampledOut ? { sampledOut: details.sampledOut } : {}),
  };
  const data = { fetched, imported: report.imported, duplicates: report.duplicates, rejected: report.rejected, pages, ms: report.ms, ...conflicts, ...identity, ...extra.data };
  const text = [
    `Synced ${fetched.toLocaleString('en-US')} records in ${pages} pages (${(report.ms / 1000).toFixed(1)} s): ` +
      `${report.imported.toLocaleString('en-US')} new, ${report.duplicates.toLocaleString('en-US')} duplicates, ${report.rejected.toLocaleString('en-US')} rejected.`,
    ...(extra.lines ?? []),
    ...conflictingDuplicatesText(details),
    ...identityText(details),
    ...erasedText(details),
    ...sampledOutText(details),
  ].join('\n');
  return { data, text };
}

function numberOption(ctx: CommandContext, name: string): number | undefined {
  const text = ctx.values[name] as string | undefined;
  if (text === undefined) return undefined;
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value)) throw new Error(`--${name} takes a number, not "${text}".`);
  return value;
}

async function syncWarehouse(ctx: CommandContext, { handlers, runJob }: CliBackend, source: string): Promise<{ data: object; text: string }> {
  if (ctx.values.token !== undefined || ctx.values['token-file'] !== undefined) throw new Error('--token and --token-file are for a delivery server; a PostgreSQL password comes from PGPASSWORD or a pgpass file.');
  const schema = ctx.values.schema as string | undefined;
  if (!schema) throw new Error('name the warehouse schema to read with --schema (the source name Segment or RudderStack loads into).');
  const lookbackHours = numberOption(ctx, 'lookback-hours');
  const pageRows = numberOption(ctx, 'page-rows');
  const samplePercent = sampleOption(ctx);
  const progress = progressPrinter(ctx);
  const job = finished(
    await runJob(
      () =>
        handlers.startWarehouseSync({
          source,
          schema,
          ...(lookbackHours !== undefined ? { lookbackHours } : {}),
          ...(pageRows !== undefined ? { pageRows } : {}),
          ...(samplePercent !== undefined ? { samplePercent } : {}),
        }),
      (j) => progress(`  ${(j.progress.records ?? 0).toLocaleString('en-US')} rows in ${j.progress.done} pages`),
    ),
  );
  const report = await handlers.getImportReport({ id: job.result?.reportId ?? 0 });
  const tables = report.details?.warehouseTables ?? [];
  const lines = tables.map((t) => (t.error !== undefined ? `  ${t.table}: skipped, ${t.error}` : `  ${t.table} (${warehouseKindWords(t.kind)}): ${t.fetched.toLocaleString('en-US')} rows read`));
  return syncOutput(job, report, { data: { tables }, lines });
}
