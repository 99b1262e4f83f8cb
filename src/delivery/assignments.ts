/**
 * Assignments to a message's exposed or holdout group (issue 19), written in groups. decide answers at
 * once and queues the users it assigned for the first time; one transaction stores every queued
 * assignment (its row and its message_assigned record) a short while later (MAX_DELAY_MS), at once
 * when MAX_QUEUED are waiting, and always before the events export reads or the server closes. A
 * write transaction per decide halved decide's throughput on the benchmark's first-time users, and one
 * per turn of the event loop still cost a commit per handful of decides (docs/PERFORMANCE.md).
 *
 * Whether a user is assigned already is known without a read for a cached user: the profile cache
 * remembers every assignment decide met for that user, stored or queued (profiles.ts).
 *
 * The group is a stable hash of user and message (decide.ts inHoldout), so an assignment lost with the
 * process (killed before its group was written) is made again, the same, by the user's next decide; the
 * unique row keeps it once however often it is queued. An erasure drops the user's queued assignments
 * (forgetUser), so nothing decided before it is stored after it.
 */
import type { Assignment } from './decide';
import type { ProfileCache } from './profiles';
import type { DeliveryStore } from './store';

/** The longest an assignment waits to be written: decides of these milliseconds share one transaction. */
export const MAX_DELAY_MS = 20;
/** Queued assignments that start a write at the end of this turn, whatever their age. */
export const MAX_QUEUED = 1_000;

export interface AssignmentWriterOptions {
  /** Tests: milliseconds an assignment may wait (default MAX_DELAY_MS). */
  maxDelayMs?: number;
  /** Tests: queued assignments that start a write at the end of the turn (default MAX_QUEUED). */
  maxQueued?: number;
  /** Where a failed write is reported (a timer's write has no request to fail). */
  log?: (line: string) => void;
}

export interface AssignmentWriter {
  /** Queues the user's assignments that are not stored or queued yet; stored within maxDelayMs. */
  assign(userId: string, passed: readonly Assignment[], now: number): void;
  /** Stores everything queued now (before the events export reads, and before the database closes). */
  flush(): void;
  /** Drops the user's queued assignments: the user is being erased, and nothing of theirs may be stored after. */
  forgetUser(userId: string): void;
  /** Assignments queued and not yet stored. */
  readonly queued: number;
}

interface Queued {
  messageId: string;
  group: Assignment['group'];
  now: number;
}

export function createAssignmentWriter(store: DeliveryStore, profiles: ProfileCache, options: AssignmentWriterOptions = {}): AssignmentWriter {
  const maxDelayMs = options.maxDelayMs ?? MAX_DELAY_MS;
  const maxQueued = options.maxQueued ?? MAX_QUEUED;
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  /** Per user, in the order queued (a Map keeps insertion order, so groups are written as decided). */
  let queue = new Map<string, Queued[]>();
  let count = 0;
  let timer: NodeJS.Timeout | null = null;
  let immediate: NodeJS.Immediate | null = null;

  const flush = (): void => {
    if (timer !== null) clearTimeout(timer);
    if (immediate !== null) clearImmediate(immediate);
    timer = null;
    immediate = null;
    if (count === 0) return;
    const batch = queue;
    queue = new Map();
    count = 0;
    let applied: ReturnType<DeliveryStore['assign']>[];
    try {
      applied = store.transaction(() => {
        const changes = [];
        for (const [userId, assignments] of batch) {
          for (const a of assignments) changes.push(store.assign(a.messageId, userId, a.group, a.now));
        }
        return changes;
      });
    } catch (err) {
      // Nothing of the group was stored: its users' next decides assign them again, once their cached
      // profiles no longer say they are assigned.
      let lost = 0;
      for (const [userId, assignments] of batch) {
        profiles.forget(userId);
        lost += assignments.length;
      }
      log(`guidepost delivery: storing ${lost} assignment${lost === 1 ? '' : 's'} failed (the users' next decides assign them again): ${(err as Error).message}`);
      return;
    }
    for (const change of applied) if (change !== null) profiles.apply(change);
  };

  const isQueued = (userId: string, messageId: string): boolean => queue.get(userId)?.some((a) => a.messageId === messageId) === true;

  return {
    assign(userId, passed, now) {
      for (const a of passed) {
        if (profiles.knowsAssigned(userId, a.messageId)) continue;
        // Not known to the cache (first met, or the profile was evicted): queued or stored decides it once.
        if (!isQueued(userId, a.messageId) && !store.isAssigned(a.messageId, userId)) {
          const mine = queue.get(userId);
          const entry = { messageId: a.messageId, group: a.group, now };
          if (mine) mine.push(entry);
          else queue.set(userId, [entry]);
          count += 1;
        }
        profiles.rememberAssigned(userId, a.messageId);
      }
      if (count === 0) return;
      if (count >= maxQueued) immediate ??= setImmediate(flush);
      else if (timer === null) {
        timer = setTimeout(flush, maxDelayMs);
        // A queued group never holds the process open: close() flushes it.
        timer.unref();
      }
    },
    flush,
    forgetUser(userId) {
      const dropped = queue.get(userId);
      if (!dropped) return;
      queue.delete(userId);
      count -= dropped.length;
    },
    get queued() {
      return count;
    },
  };
}
