/**
 * The published messages decide reads, compiled and in priority order. They live in memory and are
 * compiled again after every change, so decide never reads SQL for them.
 */
import { byPriority, compileMessage, neededEventNames, type LiveMessage } from '../decide';
import type { ProfileCache } from '../profiles';
import type { PublishBody } from '../schemas';
import type { DeliveryStore } from '../store';

export interface LiveMessages {
  /** The compiled messages that are not deleted, highest priority first. */
  readonly current: LiveMessage[];
  /** Compiles the stored messages again, and tells the profile cache which events they need (collected from now on). */
  reload(): void;
}

export function createLiveMessages(store: DeliveryStore, profiles: ProfileCache, clock: () => number): LiveMessages {
  let current: LiveMessage[] = [];
  const reload = (): void => {
    current = store
      .messages()
      .filter((row) => row.state !== 'deleted')
      .map((row) => compileMessage(row.id, row.version, row.state as LiveMessage['state'], JSON.parse(row.body) as PublishBody))
      .sort(byPriority);
    profiles.setNeededNames(neededEventNames(current), clock());
  };
  reload();
  return {
    get current() {
      return current;
    },
    reload,
  };
}
