import { describe, expect, it } from 'vitest';
import { backoffMs, nextBatch, RecordQueue, utf8Bytes, type QueuedRecord, type StorageLike } from '../../src/sdk/queue';

class MemoryStorage implements StorageLike {
  readonly data = new Map<string, string>();
  failWrites = false;
  getItem(key: string): string | null {
    return this.data.get(key) ?? null;
  }
  setItem(key: string, value: string): void {
    if (this.failWrites) throw new Error('QuotaExceededError');
    this.data.set(key, value);
  }
}

const record = (n: number, type = 'track'): QueuedRecord => ({ type, messageId: `m${n}`, event: 'e', properties: { n } });

describe('the SDK offline queue', () => {
  it('survives a reload: a new queue on the same storage sees the records, oldest first', () => {
    const storage = new MemoryStorage();
    const a = new RecordQueue(storage, 'q');
    a.push(record(1));
    a.push(record(2));
    const b = new RecordQueue(storage, 'q');
    expect(b.all().map((r) => r.messageId)).toEqual(['m1', 'm2']);
    b.remove(['m1']);
    expect(new RecordQueue(storage, 'q').all().map((r) => r.messageId)).toEqual(['m2']);
  });

  it('keeps a messageId once, and merges with what another tab stored', () => {
    const storage = new MemoryStorage();
    const tab1 = new RecordQueue(storage, 'q');
    const tab2 = new RecordQueue(storage, 'q');
    tab1.push(record(1));
    tab2.push(record(2));
    tab1.push(record(1));
    expect(tab1.all().map((r) => r.messageId)).toEqual(['m1', 'm2']);
  });

  it('is bounded by count and by size, dropping the oldest', () => {
    const storage = new MemoryStorage();
    const q = new RecordQueue(storage, 'q', 3, 10_000);
    for (let n = 1; n <= 5; n++) q.push(record(n));
    expect(q.all().map((r) => r.messageId)).toEqual(['m3', 'm4', 'm5']);
    const small = new RecordQueue(new MemoryStorage(), 's', 100, 200);
    for (let n = 1; n <= 10; n++) small.push(record(n));
    const kept = small.all();
    expect(kept.length).toBeLessThan(10);
    expect(kept[kept.length - 1]?.messageId).toBe('m10');
    expect(JSON.stringify(kept).length).toBeLessThanOrEqual(200);
  });

  it('falls back to memory when storage is missing, full or holds something else', () => {
    const memoryOnly = new RecordQueue(null, 'q');
    memoryOnly.push(record(1));
    expect(memoryOnly.all()).toHaveLength(1);

    const storage = new MemoryStorage();
    const q = new RecordQueue(storage, 'q');
    q.push(record(1));
    storage.failWrites = true;
    q.push(record(2));
    // The write failed, the stored copy is older: reading it gives the stored list.
    expect(q.all().map((r) => r.messageId)).toEqual(['m1']);

    storage.failWrites = false;
    storage.data.set('q', '{not json');
    expect(new RecordQueue(storage, 'q').all()).toEqual([]);
    storage.data.set('q', JSON.stringify([record(7), null, 3, { type: 'track' }, { messageId: 'x' }]));
    expect(new RecordQueue(storage, 'q').all().map((r) => r.messageId)).toEqual(['m7']);
  });

  it('backs off exponentially with jitter, capped at five minutes', () => {
    expect(backoffMs(1, () => 0)).toBe(500);
    expect(backoffMs(1, () => 1)).toBe(1000);
    expect(backoffMs(2, () => 0)).toBe(1000);
    expect(backoffMs(4, () => 1)).toBe(8000);
    expect(backoffMs(30, () => 1)).toBe(300_000);
    expect(backoffMs(30, () => 0)).toBe(150_000);
  });

  it('batches: identify and group records first and alone, in order, the others together in order within count and bytes', () => {
    const tracks = [record(2), record(3, 'page'), record(4), record(6)];
    const records = [tracks[0], tracks[1], record(1, 'identify'), tracks[2], record(5, 'identify'), tracks[3]] as QueuedRecord[];
    expect(nextBatch(records, 10, 10_000)).toEqual({ alone: true, records: [records[2]] });
    expect(nextBatch(tracks, 10, 10_000)).toEqual({ alone: false, records: tracks });
    const withGroup = [tracks[0], record(7, 'group'), record(8, 'identify')] as QueuedRecord[];
    expect(nextBatch(withGroup, 10, 10_000)).toEqual({ alone: true, records: [withGroup[1]] });
    expect(nextBatch(tracks, 2, 10_000).records.map((r) => r.messageId)).toEqual(['m2', 'm3']);
    const size = utf8Bytes(JSON.stringify(record(2)));
    expect(nextBatch(tracks, 10, 12 + 2 * (size + 1)).records).toHaveLength(2);
    // The head always goes, even over the budget.
    expect(nextBatch(tracks, 10, 1).records).toHaveLength(1);
    expect(nextBatch([], 10, 10)).toEqual({ alone: false, records: [] });
  });

  it('keeps each record’s userHash through a reload, and a batch carries one user and hash: a switch never mixes them', () => {
    const storage = new MemoryStorage();
    const made = (n: number, userId: string, userHash: string | undefined, type = 'track'): QueuedRecord => ({ ...record(n, type), userId, userHash });
    const q = new RecordQueue(storage, 'q');
    // User a's records wait; the page switches to b (identify with b's hash), then a record of an older
    // SDK without any hash, then more of each.
    const queued = [
      made(1, 'a', 'hash-a'),
      made(2, 'a', 'hash-a', 'page'),
      made(3, 'b', 'hash-b', 'identify'),
      made(4, 'b', 'hash-b'),
      made(5, 'a', undefined),
      made(6, 'a', 'hash-a'),
      made(7, 'b', 'hash-b'),
    ];
    for (const r of queued) q.push(r);
    const reloaded = new RecordQueue(storage, 'q');
    expect(reloaded.all().map((r) => [r.messageId, r.userHash])).toEqual(queued.map((r) => [r.messageId, r.userHash]));
    // What flush sends, request by request, until the queue is empty.
    const requests: string[][] = [];
    for (let left = reloaded.all(); left.length > 0; left = reloaded.all()) {
      const next = nextBatch(left, 100, 400_000);
      requests.push(next.records.map((r) => `${r.messageId} ${String(r.userId)}:${String(r.userHash)}`));
      reloaded.remove(next.records.map((r) => r.messageId));
    }
    expect(requests).toEqual([
      ['m3 b:hash-b'],
      ['m1 a:hash-a', 'm2 a:hash-a', 'm6 a:hash-a'],
      ['m4 b:hash-b', 'm7 b:hash-b'],
      ['m5 a:undefined'],
    ]);
  });

  it('counts UTF-8 bytes as the wire does', () => {
    for (const text of ['abc', 'é', '€', '😀', 'a\ud800b', 'mixed é€😀']) {
      expect(utf8Bytes(text), text).toBe(Buffer.byteLength(text));
    }
  });
});
