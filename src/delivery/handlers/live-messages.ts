/**
 * The published messages decide reads, compiled and in priority order. They live in memory and are
 * compiled again after every change (on this node after its own admin changes, and on PostgreSQL after
 * another node's, through the change feed: postgres/notify.ts), so decide never reads SQL for them.
 */
import { hashHex } from '../../shared/hash';
import { byPriority, compileMessage, neededEventNames, type LiveMessage } from '../decide';
import type { DeliveryEngine } from '../engine/types';
import type { ProfileCache } from '../profiles';
import type { PublishBody } from '../schemas';

export interface LiveMessages {
  /** The compiled messages that are not deleted, highest priority first. */
  readonly current: LiveMessage[];
  /**
   * The loaded message set's version: a hash of every message's id, version and state, the same on every
   * node that loaded the same set (GET /v1/health shows it, so nodes can be compared). '' before the first load.
   */
  readonly version: string;
  /** When the set was last loaded (ms), null before the first load. */
  readonly loadedAt: number | null;
  /**
   * Reads and compiles the stored messages again, and tells the profile cache which events they need
   * (collected from now on). Reloads asked for while one runs share one more reload after it, so the
   * set a caller awaits was read after its call.
   */
  reload(): Promise<void>;
}

export function createLiveMessages(engine: Pick<DeliveryEngine, 'messages'>, profiles: ProfileCache, clock: () => number): LiveMessages {
  let current: LiveMessage[] = [];
  let version = '';
  let loadedAt: number | null = null;
  let running: Promise<void> | null = null;
  let next: Promise<void> | null = null;

  const load = async (): Promise<void> => {
    const rows = (await engine.messages()).filter((row) => row.state !== 'deleted');
    const compiled = rows
      .map((row) => compileMessage(row.id, row.version, row.state as LiveMessage['state'], JSON.parse(row.body) as PublishBody))
      .sort(byPriority);
    const now = clock();
    await profiles.setNeededNames(neededEventNames(compiled), now);
    current = compiled;
    version = hashHex(
      rows
        .map((row) => `${row.id}\u0000${row.version}\u0000${row.state}`)
        .sort()
        .join('\n'),
    ).slice(0, 16);
    loadedAt = now;
  };

  const reload = (): Promise<void> => {
    if (running === null) {
      running = load().finally(() => {
        running = null;
      });
      return running;
    }
    next ??= running
      .catch(() => undefined)
      .then(() => {
        next = null;
        return reload();
      });
    return next;
  };

  return {
    get current() {
      return current;
    },
    get version() {
      return version;
    },
    get loadedAt() {
      return loadedAt;
    },
    reload,
  };
}
