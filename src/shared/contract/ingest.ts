/** The contract's ingest methods: importing a file, syncing from a delivery server, and their reports. */
import { z } from 'zod';
import type { EventFileFormat, ImportReport, JobRef, SyncState } from '../types';
import { httpUrl, method, noArgs, type HandlersFor } from './method';

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

const importArgs = z
  .object({
    path: z.string().min(1, 'choose a file').max(4096),
    format: eventFileFormat.optional(),
    /** The IANA zone of the file's zone-less date-times (UTC by default). */
    timezone: z.string().min(1).max(64).refine(isTimeZone, 'unknown time zone (an IANA name, such as Europe/Paris)').optional(),
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
        source: httpUrl('source must be an http(s) URL').optional(),
        token: z.string().min(1).max(4096).optional(),
      })
      .strict(),
  ),
  getSyncState: method<SyncState>()(noArgs),
} as const;

export type IngestHandlers = HandlersFor<typeof ingestMethods>;
