/** The contract's ingest methods: importing a file, syncing from a delivery server, and their reports. */
import { z } from 'zod';
import type { EventFileFormat, ImportReport, JobRef, SyncState, WarehouseSourceState } from '../types';
import { parseWarehouseSource, WAREHOUSE_SCHEMA } from '../warehouse-source';
import { method, noArgs, tokenUrl, type HandlersFor } from './method';

const eventFileFormat = z.enum(['ndjson', 'json', 'csv']) satisfies z.ZodType<EventFileFormat>;
/** Whether the runtime knows an IANA time zone by that name. */
function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

/**
 * The share of users the cache keeps, in percent (docs/IMPORT.md, "A sample of users"): fixed by the
 * first records of a cache, and refused when it differs from the cache's; absent means every user (100).
 */
const samplePercent = z.number().gt(0, 'a sample rate is above 0 %').max(100, 'a sample rate is at most 100 %');

const importArgs = z
  .object({
    path: z.string().min(1, 'choose a file').max(4096),
    format: eventFileFormat.optional(),
    /** The IANA zone of the file's zone-less date-times (UTC by default). */
    timezone: z.string().min(1).max(64).refine(isTimeZone, 'unknown time zone (an IANA name, such as Europe/Paris)').optional(),
    samplePercent: samplePercent.optional(),
  })
  .strict();

export const ingestMethods = {
  /** Imports a file of Segment-spec events as a background job. */
  startImport: method<JobRef>()(importArgs),
  listImportReports: method<ImportReport[]>()(z.object({ limit: z.number().int().min(1).max(200).optional() }).strict()),
  /** One report with its first 1,000 rejections. */
  getImportReport: method<ImportReport>()(z.object({ id: z.number().int().min(1) }).strict()),
  /**
   * Syncs new events from a delivery server's export (GET /v1/events) as a background job. The token
   * stays in memory for this run of the app; omit it to reuse the one held (or GUIDEPOST_SYNC_TOKEN).
   */
  startSync: method<JobRef>()(
    z
      .object({
        source: tokenUrl('source must be an http(s) URL').optional(),
        token: z.string().min(1).max(4096).optional(),
        samplePercent: samplePercent.optional(),
      })
      .strict(),
  ),
  getSyncState: method<SyncState>()(noArgs),
  /**
   * Syncs a PostgreSQL warehouse schema (Segment's or RudderStack's PostgreSQL destination) as a
   * background job. The source is remembered for "Sync now"; the password never travels in the URL: give
   * it here (the app keeps it encrypted in its token vault, the worker in memory) or through PGPASSWORD
   * or a pgpass file. Omit everything to run the remembered source again.
   */
  startWarehouseSync: method<JobRef>()(
    z
      .object({
        source: z
          .string()
          .max(2000)
          .superRefine((text, ctx) => {
            const parsed = parseWarehouseSource(text);
            if ('error' in parsed) ctx.addIssue({ code: 'custom', message: parsed.error });
          })
          .optional(),
        schema: z.string().regex(WAREHOUSE_SCHEMA, 'a schema name: letters, digits and _, at most 63').optional(),
        password: z.string().min(1).max(1024).optional(),
        lookbackHours: z.number().min(0).max(2160).optional(),
        /** Rows per page and transaction (tests make it small). */
        pageRows: z.number().int().min(1).max(10_000).optional(),
        samplePercent: samplePercent.optional(),
      })
      .strict()
      .refine((args) => args.password === undefined || args.source !== undefined, {
        message: 'give the source with its password, so the password is kept for that warehouse',
        path: ['password'],
      }),
  ),
  /** The PostgreSQL source the app remembers, whether a password is held for it, and its last sync. */
  getWarehouseSource: method<WarehouseSourceState>()(noArgs),
} as const;

export type IngestHandlers = HandlersFor<typeof ingestMethods>;
