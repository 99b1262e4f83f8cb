/**
 * Ingestion of the client records of identify and track calls: each record validated alone (a rejected
 * one does not sink its batch) and stored in slices of INGEST_SLICE_RECORDS, one engine call per slice
 * (one transaction; on PostgreSQL one round trip),
 * the event loop given back to waiting requests between slices. A full batch in one transaction held
 * every other request for its whole ingest (the hostile benchmark, docs/PERFORMANCE.md); now a request
 * waits for at most one slice, however many batches arrive at once: the batches being stored take turns,
 * one slice per turn of the event loop (createTurns).
 *
 * The work is bounded for the whole server, not per client (an attacker rotating addresses passes any
 * per-address limit): a slice holds fewer records when the last slices' cost says its records would take
 * the thread more than INGEST_SLICE_MS (a slice is one engine call, so it is sized before it starts); after a slice,
 * the next batch's slice waits so that storing takes at most INGEST_SHARE of the thread while batches
 * queue (createTurns), and past MAX_PENDING_RECORDS records waiting in long batches a new long batch is
 * answered 503 with Retry-After (IngestionBusy) before anything of it is stored. decide keeps the rest.
 *
 * So a batch is no longer atomic: slices already committed stay when the server stops mid-batch. That
 * is safe to retry because every record is stored once by its id (a duplicate changes nothing, counters
 * and the profile store included); docs/DELIVERY.md, "Batches are stored in slices", says what a
 * client sees.
 */
import { instantFromTimeFields, normalizeRecord, parseTimestamp, utcInstant, type TimeField } from '../shared/event-spec';
import { clampToServerClock, type ClampCounter } from './future-clamp';
import type { ProfileCache } from './profiles';
import type { DeliveryEngine, IngestOutcome } from './engine/types';
import { reservedRecordReason, type IncomingRecord, type RecordType } from './store';

/**
 * Records stored per transaction: the longest a waiting request waits behind a batch. A slice of 100 of
 * the hostile benchmark's events took 3-6 ms (median) on the loaded 2-core development machine, 250 took
 * 5-19 ms, the whole batch costing the same either way; the commit per slice costs no fsync (WAL,
 * synchronous=NORMAL). docs/PERFORMANCE.md, "Delivery under attack", has both sizes under attack.
 */
export const INGEST_SLICE_RECORDS = 100;

/** A slice also ends once it has run this long (at least one record each): records differ in cost. */
export const INGEST_SLICE_MS = 2;

/** The most of the thread long batches take while they queue: after a slice of d ms the next waits d·(1−s)/s ms. */
export const INGEST_SHARE = 0.5;

/** Records of long batches (more than one slice) being stored or waiting, server-wide, past which another is refused. */
export const MAX_PENDING_RECORDS = 25_000;

/** Timestamps the export can write as ISO 8601 with a four-digit year. */
export const MIN_TS = utcInstant(0, 1, 1);
export const MAX_TS = utcInstant(10000, 1, 1) - 1;

export interface IngestResult {
  accepted: number;
  duplicates: number;
  /** `tooLarge`: an identify refused because the user's traits would pass their cap (store.ts MAX_TRAIT_KEYS). */
  rejected: { index: number; reason: string; tooLarge?: true }[];
}

/** Why a record may not be stored before it is read (its user is not verified), or null. */
export type RecordRefusal = (item: unknown, index: number) => string | null;

/** An ingestion cut short by the server stopping: the records before `stoppedAt` were stored (or rejected), none after. */
export class IngestionStopped extends Error {
  constructor(
    readonly stoppedAt: number,
    readonly total: number,
  ) {
    super(`the server stopped after ${stoppedAt} of the ${total} records`);
    this.name = 'IngestionStopped';
  }
}

/** A long batch refused because the server already holds MAX_PENDING_RECORDS records waiting to be stored. */
export class IngestionBusy extends Error {
  constructor(
    readonly pending: number,
    readonly retryAfterSeconds: number,
  ) {
    super(`the server is storing ${pending} records of other batches`);
    this.name = 'IngestionBusy';
  }
}

export interface IngestionOptions {
  /** Records per transaction (default INGEST_SLICE_RECORDS). */
  sliceRecords?: number;
  /** The thread's milliseconds a slice may take, judged by the last slices' cost per record (default INGEST_SLICE_MS; Infinity: by records only; 0: one record). */
  sliceMs?: number;
  /** The turns slices of long batches take (default createTurns()). */
  turns?: Turns;
  /** Records of long batches that may wait at once (default MAX_PENDING_RECORDS). */
  maxPendingRecords?: number;
}

export interface Ingestion {
  /**
   * Validates and stores records, a slice per transaction; rejects with IngestionStopped once stop() was
   * called, and with IngestionBusy (nothing stored) when a long batch finds too many records waiting.
   */
  ingest(raws: readonly unknown[], now: number, refuse?: RecordRefusal): Promise<IngestResult>;
  /** Ends every ingestion under way at its next slice boundary and resolves when none runs (before the database closes). */
  stop(): Promise<void>;
}

/** The Segment-spec type a raw record arrives as (normalizeRecord accepted it). */
function recordType(raw: Record<string, unknown>): RecordType {
  const type = raw.type;
  if (typeof type === 'string' && type !== '') return type.toLowerCase() as RecordType;
  return raw.event !== undefined ? 'track' : 'identify';
}

/** One time field read by the strict parser (ISO 8601 with a zone, or epoch ms), its name in the reason. */
export function strictField(value: unknown, field: TimeField): number | string {
  const instant = parseTimestamp(value);
  return typeof instant === 'number' || field === 'timestamp' ? instant : `${field}: ${instant}`;
}

/** Turns of the event loop for the slices of long batches, and the time slices spent. */
export interface Turns {
  /** Resolves when the caller's slice may run. */
  wait(): Promise<void>;
  /** Reports that a slice ran for `ms` (long batches' and one-slice calls' alike). */
  spent(ms: number): void;
}

/**
 * Turns of the event loop shared by every batch being stored: each waiter gets one turn, in the order
 * they asked, and the requests that arrived in between are read and answered before it. Two batches
 * alternate slices; four batches at once never run four slices back to back. After slices that took d
 * ms, the next turn waits d·(1−share)/share ms (a timer, the loop free meanwhile), so while batches queue
 * storing takes at most `share` of the thread, however many clients send them.
 */
export function createTurns(share = INGEST_SHARE): Turns {
  const waiting: (() => void)[] = [];
  let scheduled = false;
  let owedMs = 0;
  const schedule = (): void => {
    scheduled = waiting.length > 0;
    if (!scheduled) return;
    const pause = owedMs;
    owedMs = 0;
    if (pause >= 1) setTimeout(next, pause);
    else setImmediate(next);
  };
  const next = (): void => {
    // The waiter's slice runs in the microtasks right after this callback; the next turn is decided in
    // the following turn of the loop (after its I/O), once that slice has reported what it spent.
    const resolve = waiting.shift();
    if (!resolve) {
      scheduled = false;
      return;
    }
    resolve();
    setImmediate(schedule);
  };
  return {
    wait: () =>
      new Promise<void>((resolve) => {
        waiting.push(resolve);
        if (scheduled) return;
        scheduled = true;
        setImmediate(next);
      }),
    spent(ms) {
      owedMs += (ms * (1 - share)) / share;
    },
  };
}

/** Seconds until a refused long batch is worth sending again: the waiting records at a cautious 10,000 a second, 1 to 30. */
function retryAfterSeconds(pending: number): number {
  return Math.min(30, Math.max(1, Math.ceil(pending / 10_000)));
}

/**
 * `clamps` counts the stored records whose instant was too far ahead and took the server's clock;
 * `onUsersChanged` is told the users whose stored profile a slice changed (the other nodes' caches drop them).
 */
export function createIngestion(
  engine: Pick<DeliveryEngine, 'ingest' | 'immediate'>,
  profiles: ProfileCache,
  clamps: ClampCounter,
  options: IngestionOptions = {},
  onUsersChanged: (userIds: readonly string[]) => void = () => undefined,
): Ingestion {
  const sliceRecords = options.sliceRecords ?? INGEST_SLICE_RECORDS;
  const sliceMs = options.sliceMs ?? INGEST_SLICE_MS;
  const turns = options.turns ?? createTurns();
  const maxPending = options.maxPendingRecords ?? MAX_PENDING_RECORDS;
  const running = new Set<Promise<IngestResult>>();
  let stopped = false;
  /** Records of long batches not yet stored. */
  let pending = 0;

  /**
   * The thread's milliseconds per record of the last slices (validating, and what the engine's call took of
   * the thread: all of a SQLite write, only the query's making for PostgreSQL), so a slice can end near
   * sliceMs before it starts: a slice is one engine call (one transaction, one round trip).
   */
  let msPerRecord = 0;

  /**
   * Validates and stores raws[start, end) in one engine call, adding to `result`, or fewer when the last
   * slices' cost says that many would run past sliceMs (at least one record); returns where it stopped.
   */
  const storeSlice = async (raws: readonly unknown[], start: number, end: number, now: number, refuse: RecordRefusal, result: IngestResult): Promise<number> => {
    const began = performance.now();
    const valid: IncomingRecord[] = [];
    /** Each valid record's place in the request, for the rejections the store makes. */
    const validIndex: number[] = [];
    const clamped = new Set<IncomingRecord>();
    let index = start;
    /** The next valid record of the slice, validated now, or null when the slice ends (by its records, or by `more`). */
    const next = (more: () => boolean): IncomingRecord | null => {
      while (index < end && more()) {
        const at = index++;
        const incoming = validated(raws[at], at, now, refuse, result);
        if (incoming === null) continue;
        if (incoming.clamped) clamped.add(incoming.record);
        valid.push(incoming.record);
        validIndex.push(at);
        return incoming.record;
      }
      return null;
    };
    let stored: IngestOutcome[];
    if (engine.immediate) {
      // In process (SQLite): records are validated and stored in one pass, and the slice ends by the clock,
      // however dear its records (an attacker's heavy records after cheap ones would overrun any estimate).
      stored = engine.immediate.ingestWhile(() => next(() => index === start || performance.now() - began < sliceMs), now);
      turns.spent(performance.now() - began);
    } else {
      // One round trip per slice: its size is chosen before it starts, from the last slices' cost per record.
      const budget = msPerRecord > 0 ? Math.max(1, Math.floor(sliceMs / msPerRecord)) : end - start;
      const stop = sliceMs === Infinity ? end : Math.min(end, start + (sliceMs <= 0 ? 1 : budget));
      while (next(() => index < stop) !== null);
      const writing = valid.length > 0 ? engine.ingest(valid, now) : Promise.resolve([]);
      const threadMs = performance.now() - began;
      msPerRecord = threadMs / (index - start);
      turns.spent(threadMs);
      stored = await writing;
    }
    // The slice is committed: the cached profiles follow it before any other request can read them.
    const changedUsers: string[] = [];
    stored.forEach((change, i) => {
      if (change === null) {
        result.duplicates += 1;
        return;
      }
      if ('refused' in change) {
        result.rejected.push({ index: validIndex[i] as number, reason: change.refused, tooLarge: true });
        return;
      }
      result.accepted += 1;
      if (clamped.has(valid[i] as IncomingRecord)) clamps.add(1);
      profiles.apply(change);
      changedUsers.push(change.record.userId);
    });
    if (changedUsers.length > 0) onUsersChanged(changedUsers);
    return index;
  };

  /** One raw record checked and normalized, or null (its rejection added to `result`). */
  const validated = (item: unknown, index: number, now: number, refuse: RecordRefusal, result: IngestResult): { record: IncomingRecord; clamped: boolean } | null => {
    const refusal = refuse(item, index);
    if (refusal !== null) {
      result.rejected.push({ index, reason: refusal });
      return null;
    }
    // The spec's chain, with this server's arrival as receivedAt: a record without any time field
    // happened when it arrived, and an SDK's un-timestamped message is corrected for its clock's skew.
    const normalized = normalizeRecord(item, undefined, { instantOf: (raw) => instantFromTimeFields(raw, strictField, now) });
    if (!normalized.ok) {
      result.rejected.push({ index, reason: normalized.reason });
      return null;
    }
    const reserved = reservedRecordReason(normalized.record);
    if (reserved !== null) {
      result.rejected.push({ index, reason: reserved });
      return null;
    }
    if (normalized.record.ts < MIN_TS || normalized.record.ts > MAX_TS) {
      result.rejected.push({ index, reason: 'timestamp is outside the years 0000 to 9999' });
      return null;
    }
    // The id was derived (or given) before the clamp, so a replay of the same record stays a duplicate.
    const ts = clampToServerClock(normalized.record.ts, now);
    return { record: { type: recordType(item as Record<string, unknown>), record: { ...normalized.record, ts } }, clamped: ts !== normalized.record.ts };
  };

  const run = async (raws: readonly unknown[], now: number, refuse: RecordRefusal): Promise<IngestResult> => {
    const result: IngestResult = { accepted: 0, duplicates: 0, rejected: [] };
    // A call of one slice (the SDK's usual batch, an identify) is stored at once; a longer one takes
    // turns from its first slice, so batches arriving together do not run their first slices back to back.
    const sliced = raws.length > sliceRecords;
    let start = 0;
    try {
      while (start < raws.length) {
        if (sliced) await turns.wait();
        if (stopped) throw new IngestionStopped(start, raws.length);
        const end = await storeSlice(raws, start, Math.min(raws.length, start + sliceRecords), now, refuse, result);
        if (sliced) pending -= end - start;
        start = end;
      }
    } finally {
      if (sliced) pending -= raws.length - start;
    }
    result.rejected.sort((a, b) => a.index - b.index);
    return result;
  };

  return {
    ingest(raws, now, refuse = () => null) {
      if (stopped) return Promise.reject(new IngestionStopped(0, raws.length));
      if (raws.length > sliceRecords) {
        // Refused before anything is stored, so sending it again later loses and repeats nothing.
        if (pending > 0 && pending + raws.length > maxPending) return Promise.reject(new IngestionBusy(pending, retryAfterSeconds(pending)));
        pending += raws.length;
      }
      const job = run(raws, now, refuse);
      running.add(job);
      const forget = (): void => {
        running.delete(job);
      };
      job.then(forget, forget);
      return job;
    },
    async stop() {
      stopped = true;
      await Promise.allSettled([...running]);
    },
  };
}
