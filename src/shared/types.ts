import type { ApiErrorCode } from './errors';
import type { Estimate } from './estimate';
import type { Rule } from './segments/rule';

/** Domain types shared by the backend, the renderer and the CLI. Plain data only: everything here crosses a boundary. */

export interface CacheStatus {
  /** Absolute path of the SQLite file. */
  path: string;
  sizeBytes: number;
  users: number;
  events: number;
  schemaVersion: number;
  /** The default `asOf` for every time-relative figure, in ms since the epoch; null for an empty cache. */
  dataAsOf: number | null;
  /** Where dataAsOf came from. */
  dataAsOfSource: DataAsOfSource | null;
  /** True when the demo workspace has been generated into this cache. */
  hasDemo: boolean;
  /**
   * The share of users the cache holds, in percent: 100 for every user, less for a sampled cache
   * (docs/IMPORT.md, "A sample of users"), whose counts are estimates (src/shared/estimate.ts).
   */
  samplePercent: number;
}

export type DataAsOfSource = 'demo' | 'import' | 'sync' | 'manual';

export interface EventCatalogEntry {
  name: string;
  count: number;
  users: number;
  firstSeen: number;
  lastSeen: number;
  /** The property keys seen on this event, with the JSON types their values had. */
  properties: PropertyKeyInfo[];
}

export type JsonTypeName = 'string' | 'number' | 'boolean' | 'object' | 'array' | 'null';

export interface PropertyKeyInfo {
  key: string;
  types: JsonTypeName[];
}

export interface UserSummary {
  id: string;
  traits: Record<string, unknown>;
  firstSeen: number | null;
  lastSeen: number | null;
}

export interface UserPage {
  users: UserSummary[];
  /** Users matching the search, over all pages. */
  total: number;
}

export interface TimelineEntry {
  id: string;
  /** The event name, or null for an identify call. */
  name: string | null;
  ts: number;
  /** Event properties, or an identify call's traits. */
  data: Record<string, unknown> | null;
}

export interface UserTimeline {
  user: UserSummary;
  entries: TimelineEntry[];
  /** Records of this user in the cache, of which entries holds the newest. */
  total: number;
}

export interface DailyVolumePoint {
  /** UTC midnight of the day, in ms. */
  day: number;
  events: number;
}

export type JobKind = 'demo' | 'import' | 'sync' | 'backtest';
export type JobState = 'running' | 'done' | 'failed' | 'cancelled';

export interface JobProgress {
  done: number;
  total: number | null;
  /** What done and total count: 'users', 'bytes', 'pages'… */
  unit: string;
  /** Units per second over the job so far. */
  rate: number;
  /** Estimated ms left, when the total is known. */
  etaMs: number | null;
  /** Records handled so far, for jobs whose progress is measured in something else (bytes, pages). */
  records: number | null;
  /** Records per second over the job so far. */
  recordRate: number | null;
}

/** What a finished job leaves behind for the UI to link to. */
export interface JobResult {
  reportId?: number;
}

export interface JobInfo {
  id: string;
  kind: JobKind;
  title: string;
  state: JobState;
  startedAt: number;
  endedAt: number | null;
  progress: JobProgress;
  /** A sentence for the activity tray: the result on success, the reason on failure. */
  message: string | null;
  /** Why a failed job failed, for the UI to tell "offline" from "wrong token". */
  errorCode: ApiErrorCode | null;
  result: JobResult | null;
}

export interface JobRef {
  jobId: string;
}

export interface DemoResult {
  users: number;
  events: number;
  created: boolean;
}

export interface AppInfo {
  name: string;
  version: string;
  /** How the renderer reaches the backend: the Electron IPC or the loopback HTTP bridge. */
  transport: 'ipc' | 'bridge';
}

export type EventFileFormat = 'ndjson' | 'json' | 'csv';

/**
 * One rejected record: where it is (1-based line, or element index for a JSON array; inside a batch
 * envelope, the envelope's line and the record's 1-based element number) and why.
 */
export interface ImportError {
  line: number;
  /** The record's 1-based element number in the batch envelope at `line`; absent outside envelopes. */
  element?: number;
  /** The warehouse table of the row (PostgreSQL sync); `line` then counts that table's rows read in the run. */
  table?: string;
  reason: string;
  /**
   * The start of the rejected record's text (its line, array element or CSV row), at most 200 characters;
   * kept for the report's first 100 rejections only, so a huge bad file cannot bloat the cache.
   */
  excerpt?: string;
  /** The record's text went on past `excerpt`. */
  excerptCut?: boolean;
}

/** What an import or a sync did, as kept in the cache. */
export interface ImportReport {
  id: number;
  kind: 'file' | 'sync';
  source: string;
  format: string | null;
  startedAt: number;
  ms: number;
  state: 'done' | 'cancelled' | 'failed';
  imported: number;
  duplicates: number;
  rejected: number;
  /** Users in the cache afterwards. */
  users: number;
  bytes: number;
  /** The first 1,000 rejections (empty in lists; read one report for them). */
  errors: ImportError[];
  message: string | null;
  /** Further counts; absent in reports kept before they existed. */
  details?: ImportDetails;
}

/** An import's counts beyond imported, duplicate and rejected (see docs/IMPORT.md, "Time"). */
export interface ImportDetails {
  /** Records whose instant came from a date-time without a zone, read as UTC or in `timeZone`. */
  zoneless?: number;
  /** The IANA zone zone-less date-times were read in; absent: UTC. */
  timeZone?: string;
  /** Records dated more than a day after the import's own clock: stored, but "data as of" ignores them. */
  futureDated?: number;
  /** The latest instant among them, ms. */
  latestFutureTs?: number;
  /**
   * The packaging recognized, when there was more to it than the format: "NDJSON (gzip)", "batch
   * envelopes (NDJSON)", "one JSON object"… (docs/IMPORT.md, "Packaging").
   */
  recognized?: string;
  /**
   * Rows of a warehouse per-event table that replaced the `tracks` row stored under their id, which
   * lacked the custom properties (docs/IMPORT.md, "Warehouse tables"). Counted among `imported`.
   */
  replaced?: number;
  /**
   * Duplicates (a messageId already stored) whose user, event, instant or properties differ from the
   * stored record's; the stored one stays. Counted among `duplicates` too.
   */
  conflictingDuplicates?: number;
  /** The first few of them. */
  conflictExamples?: ConflictingDuplicate[];
  /**
   * Alias and group calls read: applied to identities and accounts, not stored as events, so counted
   * neither as imported nor as duplicates (docs/IMPORT.md, "Identity").
   */
  identityCalls?: number;
  /** Anonymous ids seen with a userId of another user than the one they stayed with (the first). */
  identityConflicts?: number;
  /**
   * Records skipped because their user was erased after them (a tombstone in the cache: docs/IMPORT.md,
   * "Erased users"). Counted neither as imported nor as duplicates.
   */
  erasedSkipped?: number;
  /**
   * Records skipped because their user (userId, else anonymousId) is out of the cache's user sample
   * (docs/IMPORT.md, "A sample of users"). Counted neither as imported nor as duplicates.
   */
  sampledOut?: number;
  /** A delivery sync's erase markers applied: users removed from the cache, each with every id merged into them. */
  usersErased?: number;
  /** A PostgreSQL sync's tables: the kind recognized, rows read this run, or why it was skipped. */
  warehouseTables?: { table: string; kind: string | null; fetched: number; error?: string }[];
}

/** A duplicate whose content differs from the record stored under its messageId. */
export interface ConflictingDuplicate {
  messageId: string;
  /** Its line in the file (a sync: its position in the stream), when known. */
  line?: number;
}

export interface ImportSummary {
  imported: number;
  duplicates: number;
  rejected: number;
  errors: ImportError[];
  users: number;
  ms: number;
  reportId: number;
  state: ImportReport['state'];
  details?: ImportDetails;
}

/** Where incremental sync reads from, and how far it got. The token is never part of it. */
export interface SyncState {
  source: string | null;
  /** The last successful sync, in ms; null before the first. */
  lastSyncAt: number | null;
  /** The position after the last event received. */
  cursor: string | null;
  /** Whether a token for the source is held (in memory, or from GUIDEPOST_SYNC_TOKEN). */
  hasToken: boolean;
}

/** The PostgreSQL warehouse the app syncs from (see docs/IMPORT.md, "PostgreSQL"). */
export interface WarehouseSourceState {
  /** postgres://user@host:port/database, never with a password; null before one is added. */
  source: string | null;
  schema: string | null;
  lookbackHours: number;
  /** Whether a password is held for it (the app's vault, or PGPASSWORD); pgpass files are read at sync time. */
  hasPassword: boolean;
  /** The last successful sync, in ms; null before the first. */
  lastSyncAt: number | null;
}

export interface SyncSummary {
  fetched: number;
  imported: number;
  duplicates: number;
  rejected: number;
  pages: number;
  ms: number;
  /** Duplicates whose content differs from the stored record's (see ImportDetails); absent when none. */
  conflictingDuplicates?: number;
  conflictExamples?: ConflictingDuplicate[];
  /** Alias and group calls and identity conflicts (see ImportDetails); absent when none. */
  identityCalls?: number;
  identityConflicts?: number;
  /** Records of erased users skipped, and erase markers applied (see ImportDetails); absent when none. */
  erasedSkipped?: number;
  usersErased?: number;
  /** Records of users out of the cache's user sample, skipped (see ImportDetails); absent when none. */
  sampledOut?: number;
}

export interface SavedSegment {
  id: string;
  name: string;
  description: string;
  /** The rule as saved (portable JSON; see docs/SEGMENTS.md). */
  rule: Rule;
  createdAt: number;
  updatedAt: number;
  /** The rule in plain English. */
  sentence: string;
}

export interface SegmentPreview {
  /** Users of this cache that match (in a sampled cache, of its sample: show `estimate`). */
  count: number;
  /** Users in the universe at asOf: everyone with a record at or before it (of the cache, as `count`). */
  total: number;
  /** The figures to show: exact in a cache of every user, scaled with their 95 % intervals in a sampled one. */
  estimate: Estimate;
  totalEstimate: Estimate;
  asOf: number;
  sentence: string;
  /** Things worth a look that do not stop the rule: events or traits the cache has not seen. */
  warnings: string[];
  /** A few members, with their traits. */
  sample: UserSummary[];
}

/** A rule's members (up to a limit) and its size, as the contract's segmentMembers answers. */
export interface SegmentMembers {
  members: string[];
  /** As SegmentPreview's: of this cache; `estimate` and `totalEstimate` are the figures to show. */
  count: number;
  total: number;
  estimate: Estimate;
  totalEstimate: Estimate;
  asOf: number;
}

export interface SegmentTrendPoint {
  asOf: number;
  /** Of this cache, as SegmentPreview's; `estimate` is the figure to show. */
  count: number;
  total: number;
  estimate: Estimate;
}

/** One segment in a "do these segments behave differently?" comparison. */
export interface SegmentComparisonRow {
  label: string;
  size: number;
  /** Share of the universe. */
  share: number;
  /** Members who did the goal event at least once in the window before asOf. */
  converted: number;
  conversion: number;
  /** Share of members active (any event) in each of the weeks before asOf, the most recent week first. */
  weeklyActive: number[];
}

export interface SegmentComparison {
  asOf: number;
  goalEvent: string;
  windowDays: number;
  total: number;
  rows: SegmentComparisonRow[];
}

/** Something the app was asked to open from outside (a guidepost:// link, a double-clicked bundle). */
export interface OpenRequest {
  area: 'workshops' | 'segments' | 'messages';
  /** The workshop, segment or message to open; null when there is nothing to open. */
  id: string | null;
  /** Why it could not be opened (a refused bundle), shown to the user. */
  message?: string;
  /** A bundle opened from outside: what it holds, shown for the user to confirm before anything is imported. */
  bundle?: BundlePreview;
}

/** What a .guidepost bundle holds, read and checked without importing it. */
export interface BundlePreview {
  path: string;
  fileName: string;
  title: string;
  account: string;
  /** The day the workshop is held, YYYY-MM-DD. */
  date: string;
  participants: number;
  personas: string[];
  segments: number;
  /** A workshop with the bundle's id is already here: the import adds a copy beside it, it never replaces it. */
  alreadyHere: boolean;
}

/** An account (a group call's groupId) with its current merged traits and how many users belong to it. */
export interface AccountSummary {
  groupId: string;
  traits: Record<string, unknown>;
  members: number;
  firstSeen: number | null;
  lastSeen: number | null;
}

export interface AccountPage {
  accounts: AccountSummary[];
  /** Accounts matching the search, over all pages. */
  total: number;
}

/** A member of an account: the user, and the earliest group call that made them one. */
export interface AccountMember {
  user: UserSummary;
  since: number;
}

export interface AccountMemberPage {
  groupId: string;
  members: AccountMember[];
  /** Members of the account, over all pages. */
  total: number;
}
