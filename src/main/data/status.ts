/** What the cache holds, and its "data as of": the instant every time-relative figure defaults to. */
import { statSync } from 'node:fs';
import type { CacheStatus, DataAsOfSource } from '../../shared/types';
import type { Db } from '../db/connection';
import { createEventsRepo } from '../db/events-repo';
import { createKvRepo } from '../db/kv';
import { cacheSamplePercent } from '../db/user-sample';

export interface CacheStatusReader {
  status(): CacheStatus;
  /** The manual "data as of" if one was set, else the one the data implies; null for an empty cache. */
  dataAsOf(): number | null;
}

function sizeOf(path: string): number {
  let total = 0;
  for (const suffix of ['', '-wal']) {
    try {
      total += statSync(path + suffix).size;
    } catch {
      // A missing WAL file simply adds nothing.
    }
  }
  return total;
}

/** `hasDemo` comes from the demo domain, which knows how it marks the cache. */
export function createCacheStatus(db: Db, path: string, hasDemo: () => boolean): CacheStatusReader {
  const kv = createKvRepo(db);
  const events = createEventsRepo(db);
  const dataAsOf = (): number | null => {
    const manual = kv.get('data_as_of_manual');
    const recorded = kv.get('data_as_of');
    return manual !== undefined ? Number(manual) : recorded !== undefined ? Number(recorded) : null;
  };
  const status = (): CacheStatus => {
    const asOf = dataAsOf();
    const source = kv.get('data_as_of_manual') !== undefined ? 'manual' : ((kv.get('data_as_of_source') as DataAsOfSource | undefined) ?? null);
    return {
      path,
      sizeBytes: sizeOf(path),
      users: events.countUsers(),
      events: events.countEvents(),
      schemaVersion: Number(db.pragma('user_version', { simple: true })),
      dataAsOf: asOf,
      dataAsOfSource: asOf === null ? null : source,
      hasDemo: hasDemo(),
      samplePercent: cacheSamplePercent(db),
    };
  };
  return { status, dataAsOf };
}
