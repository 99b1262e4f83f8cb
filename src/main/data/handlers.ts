/** The contract's data methods: the cache's status and "data as of", its event catalog and volume, and its users. */
import { ApiError } from '../../shared/errors';
import type { DataHandlers } from '../../shared/contract/data';
import type { CacheStatus } from '../../shared/types';
import type { Db } from '../db/connection';
import { accountMembers, listAccounts } from '../db/accounts-repo';
import { createEventsRepo } from '../db/events-repo';
import { createKvRepo } from '../db/kv';
import { DAY_MS } from '../db/rollup';
import { listUsers, userTimeline } from '../db/users-repo';
import type { WriterLock } from '../jobs/writers';
import type { CacheStatusReader } from './status';

export interface DataDeps {
  db: Db;
  cache: CacheStatusReader;
  writers: WriterLock;
  /** Tells listeners the cache's status changed (a new "data as of"). */
  changed: (status: CacheStatus) => void;
}

export function createDataHandlers({ db, cache, writers, changed }: DataDeps): DataHandlers {
  const kv = createKvRepo(db);
  const events = createEventsRepo(db);
  return {
    getStatus: () => cache.status(),
    setDataAsOf: ({ asOf }) => {
      writers.assertNone('change “data as of”');
      if (asOf === null) kv.delete('data_as_of_manual');
      else kv.set('data_as_of_manual', String(asOf));
      const next = cache.status();
      changed(next);
      return next;
    },
    listEventCatalog: () => events.catalog(),
    getDailyVolume: ({ days }) => {
      const asOf = cache.dataAsOf() ?? events.newestEventTs();
      if (asOf === null) return [];
      const toDay = Math.floor((asOf - 1) / DAY_MS);
      return events.dailyVolume(toDay - (days ?? 90) + 1, toDay);
    },
    listUsers: ({ search, sort, trait, limit, offset }) => listUsers(db, { search, sort, trait, limit: limit ?? 50, offset: offset ?? 0 }),
    listAccounts: ({ search, limit, offset }) => listAccounts(db, search, limit ?? 50, offset ?? 0),
    getAccountMembers: ({ groupId, limit, offset }) => {
      const page = accountMembers(db, groupId, limit ?? 50, offset ?? 0);
      if (!page) throw new ApiError('not_found', `No account “${groupId}” in the cache.`);
      return page;
    },
    getUserTimeline: ({ userId, limit }) => {
      const timeline = userTimeline(db, userId, limit ?? 200);
      if (!timeline) throw new ApiError('not_found', `No user “${userId}” in the cache.`);
      return timeline;
    },
  };
}
