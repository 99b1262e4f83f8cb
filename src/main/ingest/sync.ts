/**
 * Incremental sync from a delivery server's events export:
 *   GET {source}/v1/events?after=<cursor>&limit=<n>  with  Authorization: Bearer <token>
 *   → {"events": [Segment-spec records], "next": "<cursor>", "hasMore": true|false}
 *
 * Each page is committed in one transaction together with its `next` cursor, so a sync killed at any
 * instant resumes where it stopped with nothing lost or doubled. A page whose body does not parse or
 * validate is never committed. Network errors, cut-off bodies, 429 (honouring Retry-After) and 5xx are
 * retried with exponential backoff and full jitter; any other 4xx stops with a clear message.
 */
import { z } from 'zod';
import { ApiError } from '../../shared/errors';
import { parseTimestamp } from '../../shared/event-spec';
import { retryAfterMs } from '../../shared/retry-after';
import type { SyncSummary } from '../../shared/types';
import type { Db } from '../db/connection';
import { createKvRepo } from '../db/kv';
import { advanceDataAsOf } from './data-as-of';
import { commitSyncPage, newSyncTally, recordSyncReport, type PageItem } from './sync-pages';

export const SYNC_PAGE_LIMIT = 1000;

/** A delivery server's erase marker in its export (DELETE /v1/users/{userId}): the erased id and when. */
const eraseMarkerSchema = z.object({ type: z.literal('erase'), userId: z.string().min(1), timestamp: z.string() });

/** One exported record as a page item: an erase marker the cache applies, or a record to write. */
export function syncItem(raw: unknown, line: number): PageItem {
  const at = { line };
  if (typeof raw !== 'object' || raw === null || (raw as { type?: unknown }).type !== 'erase') return { raw, at };
  const marker = eraseMarkerSchema.safeParse(raw);
  const erasedAt = marker.success ? parseTimestamp(marker.data.timestamp) : null;
  if (!marker.success || typeof erasedAt !== 'number') return { rejected: 'an erase marker without a userId and a valid timestamp', at };
  return { erase: { userId: marker.data.userId, erasedAt }, at };
}

const pageSchema = z.object({
  events: z.array(z.unknown()),
  next: z.string(),
  hasMore: z.boolean(),
});

export interface SyncOptions {
  source: string;
  token: string;
  pageSize?: number;
  clock?: () => number;
  /** Waits between retries; tests pass a fast one. */
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  /** Attempts per page before giving up. */
  maxAttempts?: number;
  /** Backoff before the first retry, doubled each time (with full jitter), capped at maxDelayMs. */
  baseDelayMs?: number;
  maxDelayMs?: number;
  onPage?: (summary: SyncSummary) => void;
  checkpoint?: () => Promise<void>;
  signal?: AbortSignal;
  /** The record key of an id (RecordWriterOptions.recordKey): tests give a weak hash to make ids collide. */
  recordKey?: (id: string) => number;
  /** The share of users the cache keeps, in percent (RecordWriterOptions.samplePercent; 100 when absent). */
  samplePercent?: number;
}

/** The events export URL for a source given as a server's base URL (or as the export URL itself). */
export function eventsUrl(source: string, after: string | null, limit: number): string {
  const url = new URL(source);
  if (!url.pathname.endsWith('/v1/events')) url.pathname = `${url.pathname.replace(/\/+$/, '')}/v1/events`;
  url.search = '';
  if (after !== null) url.searchParams.set('after', after);
  url.searchParams.set('limit', String(limit));
  return url.toString();
}

class RetryableError extends Error {
  constructor(
    message: string,
    readonly waitMs: number | null = null,
  ) {
    super(message);
  }
}

async function fetchPage(url: string, token: string, options: SyncOptions, clock: () => number): Promise<z.infer<typeof pageSchema>> {
  let res: Response;
  try {
    res = await fetch(url, {
      headers: { Authorization: `Bearer ${token}`, Accept: 'application/json' },
      ...(options.signal ? { signal: options.signal } : {}),
    });
  } catch (err) {
    if (options.signal?.aborted) throw new ApiError('cancelled', 'Sync was cancelled.');
    throw new RetryableError(`cannot reach ${new URL(url).origin}: ${(err as Error).message}`);
  }
  let text: string;
  try {
    text = await res.text();
  } catch (err) {
    throw new RetryableError(`the answer was cut off: ${(err as Error).message}`);
  }
  if (res.status === 429) throw new RetryableError('the server is rate limiting (429)', retryAfterMs(res.headers.get('retry-after'), clock()));
  if (res.status >= 500) throw new RetryableError(`the server failed (${res.status})`);
  if (!res.ok) {
    let detail = '';
    try {
      const body = JSON.parse(text) as { error?: unknown };
      if (typeof body.error === 'string') detail = `: ${body.error}`;
    } catch {
      // No JSON error body: the status says enough.
    }
    const hint = res.status === 401 || res.status === 403 ? ' Check the token.' : res.status === 404 ? ' Check the source URL.' : '';
    throw new ApiError('invalid_argument', `The source answered ${res.status}${detail}.${hint}`);
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new RetryableError('the answer is not complete JSON (cut off?)');
  }
  const page = pageSchema.safeParse(body);
  if (!page.success) {
    throw new RetryableError(`the answer is not an events page: ${page.error.issues[0]?.path.join('.') || 'body'} ${page.error.issues[0]?.message ?? ''}`);
  }
  return page.data;
}

export async function syncFromSource(db: Db, options: SyncOptions): Promise<SyncSummary> {
  const clock = options.clock ?? Date.now;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const random = options.random ?? Math.random;
  const maxAttempts = options.maxAttempts ?? 6;
  const baseDelay = options.baseDelayMs ?? 500;
  const maxDelay = options.maxDelayMs ?? 30_000;
  const limit = Math.min(options.pageSize ?? SYNC_PAGE_LIMIT, SYNC_PAGE_LIMIT);
  const kv = createKvRepo(db);
  const started = clock();
  const tally = newSyncTally();
  const { summary } = tally;
  // A different source starts from its beginning: its cursors mean nothing to another server.
  if (kv.get('sync_source') !== options.source) {
    kv.delete('sync_cursor');
    kv.set('sync_source', options.source);
  }
  let cursor = kv.get('sync_cursor') ?? null;
  let state: 'done' | 'cancelled' = 'done';

  try {
    for (;;) {
      if (options.checkpoint) await options.checkpoint();
      const url = eventsUrl(options.source, cursor, limit);
      let page: z.infer<typeof pageSchema> | null = null;
      for (let attempt = 1; page === null; attempt++) {
        try {
          page = await fetchPage(url, options.token, options, clock);
        } catch (err) {
          if (!(err instanceof RetryableError)) throw err;
          if (attempt >= maxAttempts) {
            throw new ApiError('unavailable', `Sync stopped after ${attempt} attempts: ${err.message}. What was synced so far is kept.`);
          }
          const backoff = Math.min(maxDelay, baseDelay * 2 ** (attempt - 1)) * random();
          await sleep(Math.max(err.waitMs ?? 0, backoff));
          if (options.checkpoint) await options.checkpoint();
        }
      }

      const first = summary.fetched;
      const next = page.next;
      const items = page.events.map((raw, i): PageItem => syncItem(raw, first + i + 1));
      commitSyncPage(
        db,
        items,
        tally,
        (kv) => {
          kv.set('sync_source', options.source);
          kv.set('sync_cursor', next);
        },
        {
          ...(options.recordKey ? { recordKey: options.recordKey } : {}),
          ...(options.samplePercent !== undefined ? { samplePercent: options.samplePercent } : {}),
        },
      );
      cursor = page.next;
      summary.ms = clock() - started;
      options.onPage?.({ ...summary });
      if (!page.hasMore) break;
    }
  } catch (err) {
    if (!(err instanceof ApiError && err.code === 'cancelled')) {
      recordSyncReport(db, { source: options.source, started, clock }, tally, 'failed', (err as Error).message);
      throw err;
    }
    state = 'cancelled';
  }
  summary.ms = clock() - started;
  if (state === 'done') {
    const now = clock();
    kv.set('last_sync_at', String(now));
    advanceDataAsOf(db, now, 'sync');
  }
  const cancelled = 'Sync cancelled: the pages synced before the cancel were kept.';
  recordSyncReport(db, { source: options.source, started, clock }, tally, state, state === 'cancelled' ? cancelled : null);
  if (state === 'cancelled') throw new ApiError('cancelled', cancelled);
  return summary;
}
