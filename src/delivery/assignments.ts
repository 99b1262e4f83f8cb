/**
 * Assignments to a message's exposed or holdout group (issue 19), written in groups. decide answers at
 * once and queues the users it assigned for the first time; one transaction per turn of the event loop
 * stores every queued assignment (its row and its message_assigned record). A write transaction per
 * decide halved decide's throughput on the benchmark's first-time users (docs/PERFORMANCE.md); grouped,
 * the cost is shared by every decide of the turn.
 *
 * The group is a stable hash of user and message (decide.ts inHoldout), so an assignment lost with the
 * process (killed before the turn ended) is made again, the same, by the user's next decide; the unique
 * row keeps it once however often it is queued.
 */
import type { Assignment } from './decide';
import type { ProfileCache } from './profiles';
import type { DeliveryStore } from './store';

export interface AssignmentWriter {
  /** Queues the user's assignments that are not stored or queued yet; stored at the end of this turn. */
  assign(userId: string, passed: readonly Assignment[], now: number): void;
  /** Stores everything queued now (the server calls it before its database closes). */
  flush(): void;
}

export function createAssignmentWriter(store: DeliveryStore, profiles: ProfileCache): AssignmentWriter {
  let queue: { messageId: string; userId: string; group: Assignment['group']; now: number }[] = [];
  const queued = new Set<string>();
  let scheduled = false;
  const flush = (): void => {
    scheduled = false;
    if (queue.length === 0) return;
    const batch = queue;
    queue = [];
    queued.clear();
    const applied = store.transaction(() => batch.map((a) => store.assign(a.messageId, a.userId, a.group, a.now)));
    for (const change of applied) if (change !== null) profiles.apply(change);
  };
  return {
    assign(userId, passed, now) {
      for (const a of passed) {
        const key = `${a.messageId}\u0000${userId}`;
        if (queued.has(key) || store.isAssigned(a.messageId, userId)) continue;
        queued.add(key);
        queue.push({ messageId: a.messageId, userId, group: a.group, now });
      }
      if (queue.length > 0 && !scheduled) {
        scheduled = true;
        setImmediate(flush);
      }
    },
    flush,
  };
}
