/**
 * Ingestion of the client records of identify and track calls: each record validated alone (a rejected
 * one does not sink its batch) and stored in slices of INGEST_SLICE_RECORDS, one transaction per slice,
 * the event loop given back to waiting requests between slices. A full batch in one transaction held
 * every other request for its whole ingest (the hostile benchmark, docs/PERFORMANCE.md); now a request
 * waits for at most one slice, however many batches arrive at once: the batches being stored take turns,
 * one slice per turn of the event loop (createTurns).
 *
 * So a batch is no longer atomic: slices already committed stay when the server stops mid-batch. That
 * is safe to retry because every record is stored once by its id (a duplicate changes nothing, counters
 * and the profile store included); docs/DELIVERY.md, "Batches are stored in slices", says what a
 * client sees.
 */
import { instantFromTimeFields, normalizeRecord, parseTimestamp, utcInstant, type TimeField } from '../shared/event-spec';
import { clampToServerClock, type ClampCounter } from './future-clamp';
import type { ProfileCache } from './profiles';
import { reservedRecordReason, type DeliveryStore, type IncomingRecord, type RecordType } from './store';

/**
 * Records stored per transaction: the longest a waiting request waits behind a batch. A slice of 100 of
 * the hostile benchmark's events took 3-6 ms (median) on the loaded 2-core development machine, 250 took
 * 5-19 ms, the whole batch costing the same either way; the commit per slice costs no fsync (WAL,
 * synchronous=NORMAL). docs/PERFORMANCE.md, "Delivery under attack", has both sizes under attack.
 */
export const INGEST_SLICE_RECORDS = 100;

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

export interface IngestionOptions {
  /** Records per transaction (default INGEST_SLICE_RECORDS). */
  sliceRecords?: number;
  /**
   * Awaited before each slice of a batch longer than one slice; by default the next turn (createTurns),
   * which lets every request already waiting run first.
   */
  waitForTurn?: () => Promise<void>;
}

export interface Ingestion {
  /** Validates and stores records, a slice per transaction; rejects with IngestionStopped once stop() was called. */
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

/**
 * Turns of the event loop shared by every batch being stored: each waiter gets one turn (a setImmediate
 * of its own, so the requests that arrived in between are read and answered before it), in the order
 * they asked. Two batches alternate slices; four batches at once never run four slices back to back.
 */
export function createTurns(): () => Promise<void> {
  const waiting: (() => void)[] = [];
  let scheduled = false;
  const next = (): void => {
    // The waiter's slice runs in the microtasks right after this callback; the next waiter's turn is a
    // setImmediate queued from inside one, so it runs in the next turn of the loop, after its I/O.
    waiting.shift()?.();
    scheduled = waiting.length > 0;
    if (scheduled) setImmediate(next);
  };
  return () =>
    new Promise<void>((resolve) => {
      waiting.push(resolve);
      if (scheduled) return;
      scheduled = true;
      setImmediate(next);
    });
}

/** `clamps` counts the stored records whose instant was too far ahead and took the server's clock. */
export function createIngestion(store: DeliveryStore, profiles: ProfileCache, clamps: ClampCounter, options: IngestionOptions = {}): Ingestion {
  const sliceRecords = options.sliceRecords ?? INGEST_SLICE_RECORDS;
  const waitForTurn = options.waitForTurn ?? createTurns();
  const running = new Set<Promise<IngestResult>>();
  let stopped = false;

  /** Validates and stores raws[start, end) in one transaction, adding to `result`. */
  const storeSlice = (raws: readonly unknown[], start: number, end: number, now: number, refuse: RecordRefusal, result: IngestResult): void => {
    const valid: IncomingRecord[] = [];
    /** Each valid record's place in the request, for the rejections the store makes. */
    const validIndex: number[] = [];
    const clamped = new Set<IncomingRecord>();
    for (let index = start; index < end; index++) {
      const item = raws[index];
      const refusal = refuse(item, index);
      if (refusal !== null) {
        result.rejected.push({ index, reason: refusal });
        continue;
      }
      // The spec's chain, with this server's arrival as receivedAt: a record without any time field
      // happened when it arrived, and an SDK's un-timestamped message is corrected for its clock's skew.
      const normalized = normalizeRecord(item, undefined, { instantOf: (raw) => instantFromTimeFields(raw, strictField, now) });
      const reserved = normalized.ok ? reservedRecordReason(normalized.record) : null;
      if (!normalized.ok) result.rejected.push({ index, reason: normalized.reason });
      else if (reserved !== null) result.rejected.push({ index, reason: reserved });
      else if (normalized.record.ts < MIN_TS || normalized.record.ts > MAX_TS) {
        result.rejected.push({ index, reason: 'timestamp is outside the years 0000 to 9999' });
      } else {
        // The id was derived (or given) before the clamp, so a replay of the same record stays a duplicate.
        const ts = clampToServerClock(normalized.record.ts, now);
        const incoming = { type: recordType(item as Record<string, unknown>), record: { ...normalized.record, ts } };
        if (ts !== normalized.record.ts) clamped.add(incoming);
        valid.push(incoming);
        validIndex.push(index);
      }
    }
    const applied = store.transaction(() => valid.map((incoming) => store.ingest(incoming, now)));
    // The slice is committed: the cached profiles follow it before any other request can read them.
    applied.forEach((change, i) => {
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
    });
  };

  const run = async (raws: readonly unknown[], now: number, refuse: RecordRefusal): Promise<IngestResult> => {
    const result: IngestResult = { accepted: 0, duplicates: 0, rejected: [] };
    // A call of one slice (the SDK's usual batch, an identify) is stored at once; a longer one takes
    // turns from its first slice, so batches arriving together do not run their first slices back to back.
    const sliced = raws.length > sliceRecords;
    for (let start = 0; start < raws.length; start += sliceRecords) {
      if (sliced) await waitForTurn();
      if (stopped) throw new IngestionStopped(start, raws.length);
      storeSlice(raws, start, Math.min(raws.length, start + sliceRecords), now, refuse, result);
    }
    result.rejected.sort((a, b) => a.index - b.index);
    return result;
  };

  return {
    ingest(raws, now, refuse = () => null) {
      if (stopped) return Promise.reject(new IngestionStopped(0, raws.length));
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
