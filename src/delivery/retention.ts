/**
 * Retention (`--retain-days <n>`, opt-in): records that arrived more than n days ago are pruned, oldest
 * first, RETENTION_BATCH rows per step, the event loop given back to waiting requests between steps
 * (setImmediate), so a pass over millions of old rows never holds up a decide. Without it nothing is
 * pruned. docs/DELIVERY.md, "Retention and erasure", says what goes and what stays.
 *
 * A record's age is its arrival (received_at), not its instant: every record stays on the server for
 * the whole period, so a sync that runs within it sees each one, however old the instant a client gave.
 */
import { ASSIGNED_EVENT } from '../shared/messages/lift-results';
import type { DeliveryDb } from './db';
import { ERASE_MARKER_TYPE } from './erasure';

/** Rows deleted per step: a few milliseconds of work between two chances for requests to run. */
export const RETENTION_BATCH = 500;
/** How often a pass starts (a pass runs until nothing expired is left). */
export const RETENTION_INTERVAL_MS = 10 * 60_000;

/**
 * Record names retention keeps whatever their age. None: decide reads frequency and cooldown from the
 * profile store's own tables (profile-store.ts, `message_shows`), never from records, so pruning
 * `message_shown` records cannot show a once-only message again. A test pins that, with this list empty.
 */
export const KEPT_FOR_FREQUENCY: readonly string[] = [];

/**
 * Record names retention keeps whatever their age, for lift: decide's message_assigned records. Each is
 * the user's assignment to a message (store.ts assign, migration 0009): lift counts the groups from
 * them, and a pruned one would let decide assign the user again. One per user and message at most.
 * records_by_arrival leaves them out, so a pass never steps over them.
 */
export const KEPT_FOR_LIFT: readonly string[] = [ASSIGNED_EVENT];

/**
 * The tables retention prunes, and only these: raw records, and the profile store's copies of them
 * (`profile_events`, through the `onDeleted` the server gives: ProfileStore.forgetEvents). Traits,
 * first and last seen, account memberships, message results, erasures, frequency state and the latest
 * NPS and survey answers (`survey_answers`) are kept until the user is erased.
 */
export const PRUNED_TABLES = ['records', 'profile_events'] as const;

/** A pruned record, as the profile store keys its copy. */
export interface PrunedRecord {
  userId: string;
  name: string;
  ts: number;
  recordId: string;
}

export interface PruneStep {
  /** Rows deleted. */
  deleted: number;
  /** The users whose records went (their cached profiles are stale). */
  userIds: string[];
}

/** Deletes up to `limit` records that arrived before `cutoff`, oldest first; erase markers and decide's assignments (KEPT_FOR_LIFT) never. */
export function createRecordPruner(db: DeliveryDb, kept: readonly string[] = KEPT_FOR_FREQUENCY, onDeleted: (records: readonly PrunedRecord[]) => void = () => {}) {
  const step = db.prepare<[number, string, number], PrunedRecord>(
    `DELETE FROM records WHERE seq IN (
       SELECT seq FROM records INDEXED BY records_by_arrival
        WHERE received_at < ? AND type <> '${ERASE_MARKER_TYPE}' AND name <> '${ASSIGNED_EVENT}' AND name NOT IN (SELECT value FROM json_each(?))
        ORDER BY received_at LIMIT ?)
     RETURNING user_id AS userId, name, ts, record_id AS recordId`,
  );
  const keptJson = JSON.stringify(kept);
  // The records and their copies in the profile store go in one transaction: never one without the other.
  const pruneStep = db.transaction((cutoff: number, limit: number): PruneStep => {
    const records = step.all(cutoff, keptJson, limit);
    onDeleted(records);
    return { deleted: records.length, userIds: [...new Set(records.map((record) => record.userId))] };
  });
  return (cutoff: number, limit: number): PruneStep => pruneStep(cutoff, limit);
}

export interface RetentionOptions {
  /** One step: prunes up to `limit` records that arrived before `cutoff`, with the profile store's copies (DeliveryEngine.pruneStep). */
  prune: (cutoff: number, limit: number) => Promise<PruneStep>;
  retainDays: number;
  clock: () => number;
  /** Told after each step which users lost records. */
  onPruned: (userIds: readonly string[]) => void;
  log: (line: string) => void;
  batchSize?: number;
  intervalMs?: number;
  /** Awaited between steps; by default setImmediate, which lets every request already waiting run first. */
  yieldBetweenSteps?: () => Promise<void>;
}

export interface Retention {
  /** One pass: prunes every expired record, a batch per step; resolves with how many went. */
  pass(): Promise<number>;
  /** Starts a pass now and one every interval. */
  start(): void;
  /** Stops the timer and ends a running pass at its next step; resolves once no step runs (before the database closes). */
  stop(): Promise<void>;
}

const DAY_MS = 86_400_000;

export function createRetention(options: RetentionOptions): Retention {
  const prune = options.prune;
  const batch = options.batchSize ?? RETENTION_BATCH;
  const yieldBetweenSteps = options.yieldBetweenSteps ?? (() => new Promise<void>((resolve) => setImmediate(resolve)));
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<number> | null = null;
  let stopped = false;

  const runPass = async (): Promise<number> => {
    const cutoff = options.clock() - options.retainDays * DAY_MS;
    let total = 0;
    for (;;) {
      if (stopped) break;
      const { deleted, userIds } = await prune(cutoff, batch);
      total += deleted;
      if (userIds.length > 0) options.onPruned(userIds);
      if (deleted < batch) break;
      await yieldBetweenSteps();
    }
    return total;
  };
  const pass = (): Promise<number> => {
    // One pass at a time: a timer firing during a long pass joins it.
    running ??= runPass().finally(() => {
      running = null;
    });
    return running;
  };
  const scheduled = (): void => {
    pass().catch((err: unknown) => options.log(`guidepost delivery: retention pass failed: ${err instanceof Error ? err.message : String(err)}`));
  };
  return {
    pass,
    start() {
      stopped = false;
      scheduled();
      timer = setInterval(scheduled, options.intervalMs ?? RETENTION_INTERVAL_MS);
      timer.unref();
    },
    async stop() {
      stopped = true;
      if (timer) clearInterval(timer);
      timer = null;
      // A pass between two steps would otherwise take its next step on a closed database.
      await running?.catch(() => 0);
    },
  };
}
