import type { Db } from '../db/connection';
import { createKvRepo } from '../db/kv';
import type { DataAsOfSource } from '../../shared/types';

/**
 * Moves the cache's "data as of" forward after a write: to the newest record for imports, to the
 * sync's own instant for syncs. It never moves back, so importing an old file after a sync keeps the sync's instant.
 */
export function advanceDataAsOf(db: Db, instant: number, source: DataAsOfSource): void {
  const kv = createKvRepo(db);
  const current = kv.get('data_as_of');
  if (current === undefined || instant >= Number(current)) {
    kv.set('data_as_of', String(instant));
    kv.set('data_as_of_source', source);
  }
}
