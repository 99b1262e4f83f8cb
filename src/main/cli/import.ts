/** `guidepost import <file>`: imports a file of Segment-spec events and prints its report. */
import { withBackend } from './backend';
import { replacedTracksNote } from '../../shared/import-notes';
import type { ImportError } from '../../shared/types';
import { conflictingDuplicatesText, erasedText, finished, identityText, progressPrinter, sampledOutText, sampleOption, type Command } from './command';

export const importCommand: Command = {
  summary: 'Import a file of Segment-spec events (NDJSON, a JSON array, or CSV with a header).',
  usage: 'guidepost import <file> [--db <file>] [--format ndjson|json|csv] [--timezone <IANA zone>] [--sample <percent>] [--json]',
  options: { format: { type: 'string' }, timezone: { type: 'string' }, sample: { type: 'string' } },
  run: (ctx) =>
    withBackend(ctx, async ({ handlers, runJob }) => {
      const [file, ...extra] = ctx.positionals;
      if (!file || extra.length > 0) throw new Error('name exactly one file to import.');
      const format = ctx.values.format;
      if (format !== undefined && format !== 'ndjson' && format !== 'json' && format !== 'csv') {
        throw new Error(`--format must be ndjson, json or csv, not "${String(format)}".`);
      }
      const timezone = ctx.values.timezone;
      const samplePercent = sampleOption(ctx);
      const progress = progressPrinter(ctx);
      const job = finished(
        await runJob(
          () =>
            handlers.startImport({
              path: file,
              ...(format ? { format } : {}),
              ...(typeof timezone === 'string' ? { timezone } : {}),
              ...(samplePercent !== undefined ? { samplePercent } : {}),
            }),
          (j) => {
            const records = j.progress.records ?? 0;
            const rate = Math.round(j.progress.recordRate ?? 0);
            progress(`  ${records.toLocaleString('en-US')} records · ${(j.progress.done / 1048576).toFixed(1)} of ${((j.progress.total ?? 0) / 1048576).toFixed(1)} MB · ${rate.toLocaleString('en-US')} records/s`);
          },
        ),
      );
      const report = await handlers.getImportReport({ id: job.result?.reportId ?? 0 });
      const { imported, duplicates, rejected, errors, users, ms, details } = report;
      const lines = [
        `Imported ${imported.toLocaleString('en-US')} records in ${(ms / 1000).toFixed(1)} s ` +
          `(${duplicates.toLocaleString('en-US')} duplicates, ${rejected.toLocaleString('en-US')} rejected); ${users.toLocaleString('en-US')} users in the cache.`,
        ...(details?.recognized ? [`  Read as ${details.recognized}.`] : []),
        ...(details?.zoneless
          ? [`  ${details.zoneless.toLocaleString('en-US')} records had date-times without a zone, read in ${details.timeZone ?? 'UTC'}.`]
          : []),
        ...(details?.futureDated
          ? [
              `  ${details.futureDated.toLocaleString('en-US')} records are dated more than a day ahead (latest ${new Date(details.latestFutureTs ?? 0).toISOString()}): ` +
                'imported, but "data as of" ignores them.',
            ]
          : []),
        ...conflictingDuplicatesText(details),
        ...(replacedTracksNote(details) ? [`  ${replacedTracksNote(details)}`] : []),
        ...identityText(details),
        ...erasedText(details),
        ...sampledOutText(details),
        ...errors.slice(0, 20).flatMap((e) => [`  line ${e.line}${e.element === undefined ? '' : `, element ${e.element}`}: ${e.reason}`, ...excerptLines(e)]),
        ...(errors.length > 20 ? [`  … and ${rejected - 20} more rejections (see --json)`] : []),
      ];
      return { data: { imported, duplicates, rejected, errors, users, ms, ...(details ? { details } : {}) }, text: lines.join('\n') };
    }),
};

/**
 * A rejection's excerpt as the line printed under it, indented, with "…" when the report kept only its
 * start. Control characters (line breaks inside a CSV cell, a terminal's escape sequences) are shown
 * escaped, so a record's text can neither break the listing nor drive the terminal.
 */
export function excerptLines(error: ImportError): string[] {
  if (error.excerpt === undefined) return [];
  let visible = '';
  for (const ch of error.excerpt) {
    const code = ch.charCodeAt(0);
    const control = code < 0x20 || (code >= 0x7f && code <= 0x9f);
    visible += !control ? ch : ch === '\n' ? '\\n' : ch === '\r' ? '\\r' : ch === '\t' ? '\\t' : `\\u${code.toString(16).padStart(4, '0')}`;
  }
  return [`      ${visible}${error.excerptCut ? '…' : ''}`];
}
