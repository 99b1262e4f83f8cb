/**
 * The one API contract between the renderer and the backend.
 *
 * `methods` maps each method name to the zod schema of its single argument and (as a phantom type)
 * its result. `events` lists what the backend pushes. The Electron IPC binding, the preload,
 * the loopback HTTP bridge and the CLI are all derived from these two tables, so adding a feature
 * means adding a row here, implementing it in src/main/api.ts and calling it from the renderer.
 */
import { z } from 'zod';
import type { Envelope } from './errors';
import type {
  CacheStatus,
  DailyVolumePoint,
  EventCatalogEntry,
  EventFileFormat,
  ImportReport,
  JobInfo,
  OpenRequest,
  JobRef,
  SavedSegment,
  SegmentComparison,
  SegmentPreview,
  SegmentTrendPoint,
  SyncState,
  UserPage,
  UserTimeline,
} from './types';
import { workshopIdSchema, type Workshop, type WorkshopSummary } from './workshop/model';
import type { AudienceCheck, EnvironmentSettings, MessageRecord, MessageResults, OutboxItem } from './messages/model';
import { ENVIRONMENTS, MESSAGE_ID_PATTERN } from './messages/model';
import { TEMPLATE_IDS } from './workshop/templates';
import type { ThresholdSize, WorkshopUsage } from './workshop/usage';

export interface MethodSpec<I extends z.ZodType, O> {
  input: I;
  /** Never set: carries the result type. */
  readonly output?: O;
}

function method<O>() {
  return <I extends z.ZodType>(input: I): MethodSpec<I, O> => ({ input });
}

const noArgs = z.object({}).strict();
const epochMs = z.number().int().min(0).max(8.64e15);
const workshopId = workshopIdSchema;
const messageId = z.string().regex(MESSAGE_ID_PATTERN, 'message ids start with a letter or digit and hold letters, digits, . _ : -');
const eventFileFormat = z.enum(['ndjson', 'json', 'csv']) satisfies z.ZodType<EventFileFormat>;
const importArgs = z
  .object({ path: z.string().min(1, 'choose a file').max(4096), format: eventFileFormat.optional() })
  .strict();

export const methods = {
  getStatus: method<CacheStatus>()(noArgs),
  /** Moves the default `asOf`; null goes back to the instant the data itself implies. */
  setDataAsOf: method<CacheStatus>()(z.object({ asOf: epochMs.nullable() }).strict()),
  listEventCatalog: method<EventCatalogEntry[]>()(noArgs),
  getDailyVolume: method<DailyVolumePoint[]>()(
    z.object({ days: z.number().int().min(1).max(3660).optional() }).strict(),
  ),
  /** Users with their traits, newest activity first; `search` matches the id or any trait value. */
  listUsers: method<UserPage>()(
    z
      .object({
        search: z.string().max(200).optional(),
        limit: z.number().int().min(1).max(500).optional(),
        offset: z.number().int().min(0).optional(),
      })
      .strict(),
  ),
  /** One user's records, newest first. */
  getUserTimeline: method<UserTimeline>()(
    z.object({ userId: z.string().min(1).max(1000), limit: z.number().int().min(1).max(1000).optional() }).strict(),
  ),
  /** Generates the demo workspace as a background job (see the `job` event). */
  startDemo: method<JobRef>()(noArgs),
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
        source: z.url({ protocol: /^https?$/, error: 'source must be an http(s) URL' }).max(2000).optional(),
        token: z.string().min(1).max(4096).optional(),
      })
      .strict(),
  ),
  getSyncState: method<SyncState>()(noArgs),
  /** Size, share, sentence, warnings and a sample of a rule (saved or not) as of asOf (default: data as of). */
  previewSegment: method<SegmentPreview>()(
    z.object({ rule: z.unknown(), asOf: epochMs.optional(), sample: z.number().int().min(0).max(100).optional() }).strict(),
  ),
  /** Member ids of a rule or a saved segment. */
  segmentMembers: method<{ members: string[]; count: number; total: number; asOf: number }>()(
    z
      .object({ rule: z.unknown().optional(), segmentId: z.string().min(1).max(100).optional(), asOf: epochMs.optional(), limit: z.number().int().min(1).max(1_000_000).optional() })
      .strict()
      .refine((a) => (a.rule === undefined) !== (a.segmentId === undefined), 'give either a rule or a segmentId'),
  ),
  /** The rule's size at the end of each of the last `weeks` weeks (default 12). */
  segmentTrend: method<SegmentTrendPoint[]>()(
    z.object({ rule: z.unknown(), asOf: epochMs.optional(), weeks: z.number().int().min(1).max(52).optional() }).strict(),
  ),
  /** Do 2 to 5 segments behave differently? Size, goal conversion and weekly activity for each. */
  compareSegments: method<SegmentComparison>()(
    z
      .object({
        segmentIds: z.array(z.string().min(1).max(100)).min(2, 'pick at least two segments').max(5, 'compare at most five segments'),
        goalEvent: z.string().min(1, 'pick a goal event').max(200),
        asOf: epochMs.optional(),
        windowDays: z.number().int().min(1).max(365).optional(),
        weeks: z.number().int().min(1).max(26).optional(),
      })
      .strict(),
  ),
  listSegments: method<SavedSegment[]>()(noArgs),
  getSegment: method<SavedSegment>()(z.object({ id: z.string().min(1).max(100) }).strict()),
  /**
   * Creates (no id, or an id not in use: Undo after a delete) or updates a segment; a rule referring to
   * itself in a cycle is refused.
   */
  saveSegment: method<SavedSegment>()(
    z
      .object({
        id: z.string().regex(/^[A-Za-z0-9_-]{1,100}$/, 'ids are letters, digits, _ and -').optional(),
        name: z.string().min(1, 'give the segment a name').max(200),
        description: z.string().max(2000).optional(),
        rule: z.unknown(),
      })
      .strict(),
  ),
  duplicateSegment: method<SavedSegment>()(z.object({ id: z.string().min(1).max(100) }).strict()),
  /**
   * What would break if the segment went: segments referring to it, and workshop personas linked to it
   * (`linked`: deleting unlinks them, they keep the rule) or whose rules refer to it (messages join later).
   */
  segmentUsage: method<{
    segments: SavedSegment[];
    personas: { workshopId: string; workshopTitle: string; personaId: string; personaName: string; linked: boolean }[];
  }>()(z.object({ id: z.string().min(1).max(100) }).strict()),
  deleteSegment: method<{ deleted: boolean }>()(z.object({ id: z.string().min(1).max(100) }).strict()),
  /** Workshops, newest change first; archived ones only when asked. */
  listWorkshops: method<WorkshopSummary[]>()(z.object({ includeArchived: z.boolean().optional() }).strict()),
  getWorkshop: method<Workshop>()(z.object({ id: workshopId }).strict()),
  createWorkshop: method<Workshop>()(
    z
      .object({
        title: z.string().trim().min(1, 'give the workshop a title').max(200),
        account: z.string().max(200).optional(),
        date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'the date is YYYY-MM-DD').optional(),
        template: z.enum(TEMPLATE_IDS),
        participants: z.array(z.object({ name: z.string().trim().min(1).max(200), role: z.string().max(500) }).strict()).max(100).optional(),
      })
      .strict(),
  ),
  /** Autosave: the whole document, validated (the error names the field); answers with the stored document. */
  saveWorkshop: method<Workshop>()(z.object({ workshop: z.unknown() }).strict()),
  duplicateWorkshop: method<Workshop>()(z.object({ id: workshopId }).strict()),
  archiveWorkshop: method<Workshop>()(z.object({ id: workshopId, archived: z.boolean() }).strict()),
  /** Removes a workshop; saveWorkshop with the same document brings it back (Undo). */
  deleteWorkshop: method<{ deleted: boolean }>()(z.object({ id: workshopId }).strict()),
  /** Step 3: every persona's figures as of the workshop's asOf (or the given one). */
  workshopUsage: method<WorkshopUsage>()(z.object({ id: workshopId, asOf: epochMs.optional() }).strict()),
  /** The persona's size if its threshold were `threshold` (the live figure while the facilitator drags). */
  personaThresholdSize: method<ThresholdSize>()(
    z.object({ id: workshopId, personaId: workshopId, threshold: z.number().int().min(0).max(1_000_000) }).strict(),
  ),
  /** Saves the persona's rule as a segment (or updates the one it is linked to) and links the two. */
  savePersonaSegment: method<{ workshop: Workshop; segment: SavedSegment }>()(
    z.object({ id: workshopId, personaId: workshopId }).strict(),
  ),
  /**
   * Writes the export into an exports folder beside the cache and lists the files. The window cannot name
   * the folder: a page that could would write files anywhere on disk. (The CLI's --out goes through
   * Backend.exportWorkshopTo, in-process.)
   */
  exportWorkshop: method<{ files: string[] }>()(z.object({ id: workshopId, format: z.enum(['pdf', 'csv', 'md', 'bundle']) }).strict()),
  /** Recreates a workshop from a .guidepost bundle; a damaged or foreign file is refused and changes nothing. */
  importWorkshopBundle: method<{ id: string }>()(z.object({ path: z.string().min(1, 'choose a file').max(4096) }).strict()),
  /** Messages with their status, target, published version and pending outbox work. */
  listMessages: method<MessageRecord[]>()(z.object({ includeArchived: z.boolean().optional() }).strict()),
  getMessage: method<MessageRecord>()(z.object({ id: messageId }).strict()),
  /** Creates or updates a draft; the error names the field and says what to do. */
  saveMessage: method<MessageRecord>()(z.object({ message: z.unknown() }).strict()),
  duplicateMessage: method<MessageRecord>()(z.object({ id: messageId }).strict()),
  archiveMessage: method<MessageRecord>()(z.object({ id: messageId, archived: z.boolean() }).strict()),
  /** Removes a draft that was never published; saveMessage with its document brings it back (Undo). */
  deleteMessage: method<{ deleted: boolean }>()(z.object({ id: messageId }).strict()),
  /** Who would see it now (the target's size as of "data as of"), and whether one named user would, and why not. */
  messageAudience: method<AudienceCheck>()(
    z.object({ message: z.unknown(), userId: z.string().min(1).max(200).optional() }).strict(),
  ),
  /** What publishing would change against the version the server has: field by field, and the next version. */
  messageDiff: method<{ nextVersion: number; body: unknown; changes: { path: string; before: unknown; after: unknown }[] }>()(
    z.object({ id: messageId }).strict(),
  ),
  /** Queues the message's next version in the outbox; the sender delivers it when the server is reachable. */
  publishMessage: method<MessageRecord>()(z.object({ id: messageId }).strict()),
  /** Pause, resume or end on the server, through the same outbox. */
  messageCommand: method<MessageRecord>()(z.object({ id: messageId, op: z.enum(['pause', 'resume', 'end']) }).strict()),
  listOutbox: method<OutboxItem[]>()(noArgs),
  /** Tries a failed or waiting item now. */
  retryOutbox: method<OutboxItem>()(z.object({ id: z.number().int().min(1) }).strict()),
  /** Drops a failed or conflicting item (the draft stays). */
  discardOutbox: method<{ discarded: boolean }>()(z.object({ id: z.number().int().min(1) }).strict()),
  getEnvironments: method<EnvironmentSettings[]>()(noArgs),
  /** Sets an environment's delivery URL and, optionally, its token (kept in safeStorage in the app, in memory in browser mode). */
  setEnvironment: method<EnvironmentSettings>()(
    z
      .object({
        environment: z.enum(ENVIRONMENTS),
        url: z.url({ protocol: /^https?$/, error: 'the delivery URL must be http(s)' }).max(2000).nullable(),
        token: z.string().min(1).max(4096).optional(),
      })
      .strict(),
  ),
  /** Shown, dismissed, clicked and CTR; for surveys the NPS, distribution, weekly trend, per segment and persona, and comments. */
  messageResults: method<MessageResults>()(z.object({ id: messageId, search: z.string().max(200).optional() }).strict()),
  cancelJob: method<{ cancelled: boolean }>()(z.object({ jobId: z.string().min(1).max(100) }).strict()),
  listJobs: method<JobInfo[]>()(noArgs),
} as const;

export type Methods = typeof methods;
export type MethodName = keyof Methods;
export type MethodInput<K extends MethodName> = z.input<Methods[K]['input']>;
export type MethodArg<K extends MethodName> = z.output<Methods[K]['input']>;
export type MethodOutput<K extends MethodName> = Methods[K] extends MethodSpec<z.ZodType, infer O> ? O : never;

export const methodNames = Object.keys(methods) as MethodName[];

export function isMethodName(name: unknown): name is MethodName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(methods, name);
}

/** What the renderer calls: one async function per method. */
export type Api = { [K in MethodName]: (arg: MethodInput<K>) => Promise<MethodOutput<K>> };

/** What the backend implements: receives the validated argument. */
export type Handlers = {
  [K in MethodName]: (arg: MethodArg<K>) => MethodOutput<K> | Promise<MethodOutput<K>>;
};

/** Events the backend pushes, by name. */
export interface Events {
  /** A background job started, moved, or ended. */
  job: JobInfo;
  /** The cache's contents or status changed (after a job, or a setting). */
  cacheChanged: CacheStatus;
  /** An outbox item was queued, sent, published, failed or hit a conflict. */
  outbox: OutboxItem;
  /** The desktop app was asked to open something (a guidepost:// link, a .guidepost bundle). */
  open: OpenRequest;
}
export type EventName = keyof Events;
export const eventNames: readonly EventName[] = ['job', 'cacheChanged', 'outbox', 'open'];

export interface PushedEvent<K extends EventName = EventName> {
  name: K;
  payload: Events[K];
}

/** Channel names are derived here and nowhere else. */
export const ipcChannels = {
  method: (name: MethodName) => `guidepost:call:${name}`,
  event: 'guidepost:event',
} as const;

/** The same methods, answering with the transport envelope rather than throwing. */
export type EnvelopeApi = { [K in MethodName]: (arg: MethodInput<K>) => Promise<Envelope<MethodOutput<K>>> };

/** Window API exposed by the preload: the methods plus an event subscription. */
export type WindowApi = EnvelopeApi & {
  onEvent(listener: (event: PushedEvent) => void): () => void;
  /** The path on disk of a file the user picked or dropped (Electron's webUtils), for startImport. */
  pathForFile(file: File): string;
};
