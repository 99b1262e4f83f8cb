/**
 * The delivery server's storage, one operation at a time (issue 20): what the handlers, ingestion,
 * assignments, erasure and retention do with their database, as one async interface with two engines,
 * SQLite (engine/sqlite.ts: the existing sync store, one transaction per operation) and PostgreSQL
 * (postgres/engine.ts: a pool shared by any number of stateless nodes).
 *
 * Every rule that must hold across nodes is the database's, never one process's memory: the 409 rule of
 * publish is a conditional update, an Idempotency-Key is a unique row (the second save loses and reads the
 * first), an assignment is a unique row, a record id is stored once. Row and profile types are the
 * SQLite store's (store.ts, profile-store.ts), so the server switches engines without new shapes.
 *
 * Each operation is atomic on its own: it commits whole or not at all. Nothing here spans two operations
 * except withIdempotencyKey, which makes same-key admin requests take turns across nodes.
 */
import type { Erasure } from '../erasure';
import type { CollectedChange, StoredProfile } from '../profile-store';
import type { PruneStep } from '../retention';
import type { JsonObject } from '../schemas';
import type {
  Applied,
  AssignmentGroup,
  GroupApplied,
  GroupCall,
  IdempotentAnswer,
  IncomingRecord,
  MessageRow,
  RecordRow,
  Results,
  StoredState,
  TraitsRefused,
} from '../store';

export type EngineKind = 'sqlite' | 'postgres';

/** A version to publish: the handler validated the body; the engine applies the version and holdout rules. */
export interface PublishInput {
  id: string;
  version: number;
  /** The validated publish body as JSON text. */
  body: string;
  /** The body's holdout percentage: fixed after the first publish (a tombstone keeps it too). */
  holdout: number;
  now: number;
}

/**
 * What a publish did. `applied`: the new version is stored (`created` when the id was new or deleted,
 * so the state went back to running). `conflict`: nothing changed, because the stored version is not
 * older (`version`) or the stored holdout differs (`holdout`); `stored` is the row as it is.
 */
export type PublishOutcome =
  | { outcome: 'applied'; row: MessageRow; created: boolean }
  | { outcome: 'conflict'; reason: 'version' | 'holdout'; stored: MessageRow };

/**
 * What a state change did. `applied`: the row after it (unchanged, `updated_at` too, when it was already in
 * that state). `missing`: no message, or a deleted one. `ended`: an ended message cannot be paused or
 * resumed; `stored` is the row as it is.
 */
export type StateOutcome = { outcome: 'applied'; row: MessageRow } | { outcome: 'missing' } | { outcome: 'ended'; stored: MessageRow };

/** An admin answer to remember under an Idempotency-Key. */
export interface IdempotentSave {
  key: string;
  requestHash: string;
  status: number;
  body: string;
  now: number;
}

/** `saved`: this answer is the key's. Otherwise another request saved the key first, and this is its answer. */
export type IdempotentSaveOutcome = { saved: true } | { saved: false; stored: IdempotentAnswer };

/** What storing one record of a slice did: Applied (stored), a refusal (traits cap, nothing stored), or null (a duplicate). */
export type IngestOutcome = Applied | TraitsRefused | null;

/** One assignment decide made: the user joins the message's exposed or holdout group, once. */
export interface AssignmentInput {
  messageId: string;
  userId: string;
  group: AssignmentGroup;
  now: number;
}

/** A user's stored profile, with the current traits of each of the user's accounts (decide reads both). */
export interface LoadedProfile {
  profile: StoredProfile;
  /** Per groupId of profile.accountIds: the account's merged traits. */
  accounts: Map<string, JsonObject>;
}

/** Whether the node can serve: the database answers, and its schema is the one this version migrates to. */
export interface EngineHealth {
  engine: EngineKind;
  reachable: boolean;
  migrated: boolean;
  /** The database's schema version (0 when unreachable). */
  schema: number;
  /** Why it is not healthy, for the health answer and the log; null when it is. */
  problem: string | null;
}

/**
 * What an engine in this process does at once (SQLite: the file is this process's, and a read is a few
 * microseconds). Decide uses the reads to answer a first-time user in the request's own turn: through the
 * async reads, each load and assignment check cost a promise and a later turn, which made SQLite's
 * first-time decide markedly slower (docs/PERFORMANCE.md, delivery). Ingestion uses ingestWhile to end a
 * slice by the clock, record by record, as it did before the engines. PostgreSQL has none: a call there is
 * a round trip.
 */
export interface ImmediateCalls {
  loadProfile(userId: string): LoadedProfile;
  isAssigned(messageId: string, userId: string): boolean;
  /**
   * Stores records in one transaction, asking `next` for each until it answers null (ingest: the caller
   * validates each record as it goes and ends the slice by its clock). One outcome per record stored, in order.
   */
  ingestWhile(next: () => IncomingRecord | null, receivedAt: number): IngestOutcome[];
}

export interface DeliveryEngine {
  readonly kind: EngineKind;
  /** Present when the engine works in this process and answers at once (SQLite). */
  readonly immediate?: ImmediateCalls;
  /** Events kept per user and collected name (profile-store.ts). */
  readonly eventsPerName: number;

  /** The messages that are not deleted, by id. */
  messages(): Promise<MessageRow[]>;
  /** One message, a deleted one (a tombstone) included; undefined when the id was never published. */
  message(id: string): Promise<MessageRow | undefined>;
  /** Stores a new version when it is newer than the stored one and keeps the first holdout (PublishOutcome). */
  publish(input: PublishInput): Promise<PublishOutcome>;
  /** Pauses, resumes, ends or deletes a message that exists and is not deleted (StateOutcome). */
  setState(id: string, state: StoredState, now: number): Promise<StateOutcome>;
  /** The event names the profile store collects now, sorted. */
  collectedNames(): Promise<string[]>;
  /** Collects exactly these names from now on (ProfileStore.collect). */
  collect(names: ReadonlySet<string>, now: number): Promise<CollectedChange>;
  /** Deletes up to `limit` kept events of names no longer collected (ProfileStore.dropRetiredEvents). */
  dropRetiredEvents(limit: number): Promise<number>;

  /** The answer remembered under an Idempotency-Key. */
  idempotent(key: string): Promise<IdempotentAnswer | undefined>;
  /** Remembers an answer, unless the key is taken: then the first answer stays and is returned. Prunes keys older than `pruneBefore`. */
  saveIdempotent(save: IdempotentSave, pruneBefore: number): Promise<IdempotentSaveOutcome>;
  /**
   * Runs `change` while holding the key: requests with the same key take turns, on this node and on every
   * node of the database, so the second reads the first's saved answer instead of applying again.
   */
  withIdempotencyKey<T>(key: string, change: () => Promise<T>): Promise<T>;

  /**
   * Stores a slice of records in one transaction, each once by its id (store.ts ingest: trait merge,
   * caps, results counted per distinct user, the profile store). One outcome per record, in order.
   */
  ingest(slice: readonly IncomingRecord[], receivedAt: number): Promise<IngestOutcome[]>;
  /** Stores a group call (store.ts group): null for a duplicate, a refusal past a cap. */
  group(call: GroupCall, receivedAt: number): Promise<GroupApplied | null>;
  /** An account's merged traits ({} for one no group call named). */
  accountTraits(groupId: string): Promise<JsonObject>;
  /** A user's profile as stored, with the traits of the user's accounts. */
  loadProfile(userId: string): Promise<LoadedProfile>;

  /** Whether the user was assigned to the message's group already. */
  isAssigned(messageId: string, userId: string): Promise<boolean>;
  /** Stores assignments in one transaction, each once per message and user, with its message_assigned record; null where it was stored already. */
  assign(batch: readonly AssignmentInput[]): Promise<(Applied | null)[]>;
  /** A message's results: users per metric, NPS categories by each user's latest answer. */
  results(messageId: string): Promise<Results>;

  /**
   * Up to `limit` records after the export position `after`, in the one global order every node serves.
   * Commit-safe: a record whose transaction is still open is never passed over by a later one's position.
   * RecordRow.seq is the export position (the cursor).
   */
  exportPage(after: number, limit: number): Promise<RecordRow[]>;
  /** Erases everything held about a user and adds an erase marker to the export (erasure.ts, and the profile store's part). */
  eraseUser(userId: string, now: number): Promise<Erasure | null>;
  /** Prunes up to `limit` records that arrived before `cutoff`, oldest first, with the profile store's copies (retention.ts). */
  pruneStep(cutoff: number, limit: number): Promise<PruneStep>;

  health(): Promise<EngineHealth>;
  /** Releases the database (the pool, or the SQLite file when the engine opened it). */
  close(): Promise<void>;
}

/** The holdout a stored version carries (0 for a body stored before holdouts existed). */
export function holdoutOf(body: string): number {
  const holdout = (JSON.parse(body) as { holdout?: unknown }).holdout;
  return typeof holdout === 'number' ? holdout : 0;
}
