/** The contract's ingest methods: importing a file, syncing from a delivery server, and their reports. */
import { z } from 'zod';
import type { EventFileFormat, ImportReport, JobRef, SyncState } from '../types';
import { httpUrl, method, noArgs, type HandlersFor } from './method';

const eventFileFormat = z.enum(['ndjson', 'json', 'csv']) satisfies z.ZodType<EventFileFormat>;
const importArgs = z
  .object({ path: z.string().min(1, 'choose a file').max(4096), format: eventFileFormat.optional() })
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
