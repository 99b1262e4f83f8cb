/**
 * Assignments to a message's exposed or holdout group (issue 19), written in groups. decide answers at
 * once and queues the users it assigned for the first time; one transaction stores every queued
 * assignment (its row and its message_assigned record) a short while later (MAX_DELAY_MS), at once
 * when MAX_QUEUED are waiting, and always before the events export reads or the server closes. A
 * write transaction per decide halved decide's throughput on the benchmark's first-time users, and one
 * per turn of the event loop still cost a commit per handful of decides (docs/PERFORMANCE.md).
 *
 * Whether a user is assigned already is known without a read for a cached user: the profile cache
 * remembers every assignment decide met for that user, stored or queued (profiles.ts). For another user
 * the engine is asked (DeliveryEngine.isAssigned), and the assignment is queued when the answer comes;
 * flush() waits for the answers of the decides before it.
 *
 * The group is a stable hash of user and message (decide.ts inHoldout), so an assignment lost with the
 * process (killed before its group was written) is made again, the same, by the user's next decide; the
 * unique row keeps it once however often it is queued. An erasure drops the user's queued assignments
 * (forgetUser), so nothing decided before it is stored after it.
 */
import type { Assignment } from './decide';
import type { ProfileCache } from './profiles';
import type { DeliveryEngine } from './engine/types';

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
  /** Stores everything queued now, once the reads of whether they are stored end (before the events export reads, and before the database closes). */
  flush(): Promise<void>;
  /** Drops the user's queued assignments: the user is being erased, and nothing of theirs may be stored after. */
  forgetUser(userId: string): void;
  /** Resolves when no write runs (the ones started before the call are stored or failed). */
  settled(): Promise<void>;
  /** Assignments queued and not yet stored. */
  readonly queued: number;
}

interface Queued {
  messageId: string;
  group: Assignment['group'];
  now: number;
}

/** A read of whether an assignment is stored, under way; `dropped` once its user was forgotten meanwhile. */
interface Check {
  dropped: boolean;
}

/**
 * `onUsersChanged` is told the users whose assignments were stored (each adds a message_assigned record to
 * the user's profile: the other nodes' caches drop them).
 */
export function createAssignmentWriter(
  engine: Pick<DeliveryEngine, 'isAssigned' | 'assign' | 'immediate'>,
  profiles: ProfileCache,
  options: AssignmentWriterOptions = {},
  onUsersChanged: (userIds: readonly string[]) => void = () => undefined,
): AssignmentWriter {
  const maxDelayMs = options.maxDelayMs ?? MAX_DELAY_MS;
  const maxQueued = options.maxQueued ?? MAX_QUEUED;
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  /** Per user, in the order queued (a Map keeps insertion order, so groups are written as decided). */
  let queue = new Map<string, Queued[]>();
  let count = 0;
  let timer: NodeJS.Timeout | null = null;
  let immediate: NodeJS.Immediate | null = null;
  /** Reads of whether an assignment is stored, per user, under way. */
  const checks = new Map<string, Set<Check>>();
  const reading = new Set<Promise<void>>();
  const writing = new Set<Promise<void>>();

  const write = async (batch: Map<string, Queued[]>): Promise<void> => {
    const inputs = [...batch].flatMap(([userId, assignments]) => assignments.map((a) => ({ messageId: a.messageId, userId, group: a.group, now: a.now })));
    let applied: Awaited<ReturnType<DeliveryEngine['assign']>>;
    try {
      applied = await engine.assign(inputs);
    } catch (err) {
      // Nothing of the group was stored: its users' next decides assign them again, once their cached
      // profiles no longer say they are assigned.
      for (const userId of batch.keys()) profiles.forget(userId);
      const lost = inputs.length;
      log(`guidepost delivery: storing ${lost} assignment${lost === 1 ? '' : 's'} failed (the users' next decides assign them again): ${(err as Error).message}`);
      return;
    }
    const changed: string[] = [];
    for (const change of applied) {
      if (change === null) continue;
      profiles.apply(change);
      changed.push(change.record.userId);
    }
    if (changed.length > 0) onUsersChanged(changed);
  };

  const startWrite = (): Promise<void> => {
    if (timer !== null) clearTimeout(timer);
    if (immediate !== null) clearImmediate(immediate);
    timer = null;
    immediate = null;
    if (count === 0) return Promise.resolve();
    const batch = queue;
    queue = new Map();
    count = 0;
    const job = write(batch);
    writing.add(job);
    void job.finally(() => writing.delete(job));
    return job;
  };

  const flush = async (): Promise<void> => {
    // The decides before this call whose reads are under way queue their assignments first.
    if (reading.size > 0) await Promise.all([...reading]);
    await startWrite();
    // A group a timer started before this call is still being written on PostgreSQL (a round trip): the
    // export that flushes must see it too, so wait for every write under way, not only this one.
    if (writing.size > 0) await Promise.all([...writing]);
  };

  const schedule = (): void => {
    if (count === 0) return;
    if (count >= maxQueued) immediate ??= setImmediate(startWrite);
    else if (timer === null) {
      timer = setTimeout(startWrite, maxDelayMs);
      // A queued group never holds the process open: close() flushes it.
      timer.unref();
    }
  };

  const isQueued = (userId: string, messageId: string): boolean => queue.get(userId)?.some((a) => a.messageId === messageId) === true;

  const enqueue = (userId: string, a: Assignment, now: number): void => {
    if (isQueued(userId, a.messageId)) return;
    const mine = queue.get(userId);
    const entry = { messageId: a.messageId, group: a.group, now };
    if (mine) mine.push(entry);
    else queue.set(userId, [entry]);
    count += 1;
  };

  /** Reads whether the assignment is stored, and queues it when it is not (unless the user was forgotten meanwhile). */
  const check = (userId: string, a: Assignment, now: number): void => {
    const mine = checks.get(userId) ?? new Set<Check>();
    checks.set(userId, mine);
    const entry: Check = { dropped: false };
    mine.add(entry);
    const job = engine
      .isAssigned(a.messageId, userId)
      .then(
        (stored) => {
          if (stored || entry.dropped) return;
          enqueue(userId, a, now);
          schedule();
        },
        (err: unknown) => {
          // Not known: the user's next decide asks again.
          profiles.forget(userId);
          log(`guidepost delivery: reading whether user "${userId}" is assigned to "${a.messageId}" failed: ${(err as Error).message}`);
        },
      )
      .finally(() => {
        mine.delete(entry);
        if (mine.size === 0 && checks.get(userId) === mine) checks.delete(userId);
        reading.delete(job);
      });
    reading.add(job);
  };

  return {
    assign(userId, passed, now) {
      for (const a of passed) {
        if (profiles.knowsAssigned(userId, a.messageId)) continue;
        // Not known to the cache (first met, or the profile was evicted): queued or stored decides it once.
        if (!isQueued(userId, a.messageId)) {
          if (!engine.immediate) check(userId, a, now);
          // Read at once on SQLite: no promise, and nothing for flush() to wait for.
          else if (!engine.immediate.isAssigned(a.messageId, userId)) enqueue(userId, a, now);
        }
        profiles.rememberAssigned(userId, a.messageId);
      }
      schedule();
    },
    flush,
    forgetUser(userId) {
      for (const entry of checks.get(userId) ?? []) entry.dropped = true;
      const dropped = queue.get(userId);
      if (!dropped) return;
      queue.delete(userId);
      count -= dropped.length;
    },
    async settled() {
      await Promise.all([...writing]);
    },
    get queued() {
      return count;
    },
  };
}
