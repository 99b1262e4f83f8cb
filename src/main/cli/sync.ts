/** `guidepost sync`: pulls new events from a delivery server, resuming where the last sync stopped. */
import { withBackend } from './backend';
import { conflictingDuplicatesText, finished, identityText, progressPrinter, type Command } from './command';

export const syncCommand: Command = {
  summary: 'Sync new events from a delivery server (GET /v1/events), resuming where the last sync stopped.',
  usage: 'guidepost sync --source <url> --token <token> [--db <file>] [--json]   (or GUIDEPOST_SYNC_TOKEN)',
  options: { source: { type: 'string' }, token: { type: 'string' } },
  run: (ctx) =>
    withBackend(ctx, async ({ handlers, runJob }) => {
      const source = ctx.values.source as string | undefined;
      const token = (ctx.values.token as string | undefined) ?? process.env.GUIDEPOST_SYNC_TOKEN;
      if (!token) throw new Error('give the source\'s token with --token or GUIDEPOST_SYNC_TOKEN.');
      const progress = progressPrinter(ctx);
      const job = finished(
        await runJob(
          () => handlers.startSync({ ...(source ? { source } : {}), token }),
          (j) => progress(`  ${(j.progress.records ?? 0).toLocaleString('en-US')} records in ${j.progress.done} pages`),
        ),
      );
      const report = await handlers.getImportReport({ id: job.result?.reportId ?? 0 });
      const { details } = report;
      // Alias and group calls store no event: neither new nor duplicates, but fetched.
      const fetched = report.imported + report.duplicates + report.rejected + (details?.identityCalls ?? 0);
      const pages = job.progress.done;
      const conflicts = details?.conflictingDuplicates ? { conflictingDuplicates: details.conflictingDuplicates, conflictExamples: details.conflictExamples ?? [] } : {};
      const identity = {
        ...(details?.identityCalls ? { identityCalls: details.identityCalls } : {}),
        ...(details?.identityConflicts ? { identityConflicts: details.identityConflicts } : {}),
      };
      const data = { fetched, imported: report.imported, duplicates: report.duplicates, rejected: report.rejected, pages, ms: report.ms, ...conflicts, ...identity };
      const text = [
        `Synced ${fetched.toLocaleString('en-US')} records in ${pages} pages (${(report.ms / 1000).toFixed(1)} s): ` +
          `${report.imported.toLocaleString('en-US')} new, ${report.duplicates.toLocaleString('en-US')} duplicates, ${report.rejected.toLocaleString('en-US')} rejected.`,
        ...conflictingDuplicatesText(details),
        ...identityText(details),
      ].join('\n');
      return { data, text };
    }),
};
