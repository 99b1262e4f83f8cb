/**
 * The server-wide bound on storing records (src/delivery/ingest.ts): long batches take turns whose pauses
 * keep storing to a share of the thread, a slice also ends by time, and past the pending bound another
 * long batch is refused whole with 503 and Retry-After, before anything of it is stored.
 */
import { setImmediate as nextTurn } from 'node:timers/promises';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createTurns, INGEST_SLICE_RECORDS, type Turns } from '../../src/delivery/ingest';
import { MAX_BATCH_RECORDS } from '../../src/delivery/schemas';
import { T0, useDeliveryServer } from './delivery-helpers';

const start = useDeliveryServer();

function events(prefix: string, count: number, userId = 'u1'): unknown[] {
  return Array.from({ length: count }, (_, i) => ({ type: 'track', event: 'run', userId, messageId: `${prefix}${i}`, timestamp: T0 - i }));
}

describe('turns', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('pause the next slice for what the last one spent, in proportion to the share left to others', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'setImmediate'] });
    const turns = createTurns(0.5);
    const order: string[] = [];
    void turns.wait().then(() => {
      order.push('a');
      turns.spent(10);
    });
    void turns.wait().then(() => {
      order.push('b');
      turns.spent(0.2);
    });
    void turns.wait().then(() => order.push('c'));
    await vi.advanceTimersByTimeAsync(0);
    expect(order).toEqual(['a']);
    // A slice of 10 ms at a share of one half: the next waits 10 ms, the loop free meanwhile.
    await vi.advanceTimersByTimeAsync(9);
    expect(order).toEqual(['a']);
    // (The fake timers run the turn that decides the pause a tick later.)
    await vi.advanceTimersByTimeAsync(3);
    expect(order).toEqual(['a', 'b']);
    // Under a millisecond owed: the next turn of the loop, no timer.
    await vi.advanceTimersByTimeAsync(2);
    expect(order).toEqual(['a', 'b', 'c']);
  });

  it('a quarter share owes three times the slice', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'setImmediate'] });
    const turns = createTurns(0.25);
    const order: string[] = [];
    void turns.wait().then(() => {
      order.push('a');
      turns.spent(4);
    });
    void turns.wait().then(() => order.push('b'));
    await vi.advanceTimersByTimeAsync(11);
    expect(order).toEqual(['a']);
    await vi.advanceTimersByTimeAsync(3);
    expect(order).toEqual(['a', 'b']);
  });
});

/** Turns that run at once and count the slices reported. */
function countingTurns(): Turns & { slices: number } {
  const turns = {
    slices: 0,
    wait: () => Promise.resolve(),
    spent() {
      turns.slices += 1;
    },
  };
  return turns;
}

describe('slices', () => {
  it('end by time as well as by records, and every record is still stored once', async () => {
    const byRecords = countingTurns();
    const r1 = await start({ ingestion: { turns: byRecords, sliceMs: Infinity } });
    expect((await r1.track(events('a', 3 * INGEST_SLICE_RECORDS))).json).toEqual({ accepted: 300, duplicates: 0, rejected: [] });
    expect(byRecords.slices).toBe(3);

    // A slice that may run no time at all stores one record: the least a slice does.
    const byTime = countingTurns();
    const r2 = await start({ ingestion: { turns: byTime, sliceMs: 0 } });
    expect((await r2.track(events('a', 3 * INGEST_SLICE_RECORDS))).json).toEqual({ accepted: 300, duplicates: 0, rejected: [] });
    expect(byTime.slices).toBe(300);
    expect(r2.db.prepare('SELECT count(*) FROM records').pluck().get()).toBe(300);
  });
});

describe('the pending bound', () => {
  it('refuses a long batch whole with 503 and Retry-After while others wait, and takes it when sent again', async () => {
    const r = await start({ ingestion: { maxPendingRecords: MAX_BATCH_RECORDS + 1000 } });
    const first = r.track(events('a', MAX_BATCH_RECORDS));
    // The first batch has started (some slices stored) and is not done.
    for (;;) {
      await nextTurn();
      if (((r.db.prepare('SELECT count(*) FROM records').pluck().get() as number) ?? 0) > 0) break;
    }
    const refused = await r.track(events('b', 2000, 'u2'));
    expect(refused.status).toBe(503);
    expect(refused.json.code).toBe('unavailable');
    expect(refused.json.error).toMatch(/busy storing \d+ records of other batches: nothing of the batch was stored/);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    // A call of one slice (what the SDK sends) is never refused for the bound.
    expect((await r.track(events('c', INGEST_SLICE_RECORDS, 'u3'))).status).toBe(200);
    expect((await first).json).toEqual({ accepted: MAX_BATCH_RECORDS, duplicates: 0, rejected: [] });
    expect(r.db.prepare("SELECT count(*) FROM records WHERE user_id = 'u2'").pluck().get()).toBe(0);
    // Nothing waits now: the same batch is taken whole.
    expect((await r.track(events('b', 2000, 'u2'))).json).toEqual({ accepted: 2000, duplicates: 0, rejected: [] });
  });
});
