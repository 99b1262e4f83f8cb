import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { KeySet } from '../../src/main/ingest/write/key-set';

describe('KeySet: the bulk import dedupe', () => {
  it('answers as a Set of the same keys would, across growth and reserve()', () => {
    const key = fc.oneof(fc.integer({ min: 0, max: 200 }), fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }));
    const step = fc.oneof(
      { weight: 9, arbitrary: key.map((k) => ({ add: k })) },
      { weight: 1, arbitrary: fc.integer({ min: 0, max: 5_000 }).map((n) => ({ reserve: n })) },
    );
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 3_000 }), fc.array(step, { maxLength: 4_000 }), (expected, steps) => {
        const keys = new KeySet(expected);
        const model = new Set<number>();
        for (const s of steps) {
          if ('reserve' in s) keys.reserve(s.reserve);
          else {
            expect(keys.add(s.add)).toBe(!model.has(s.add));
            model.add(s.add);
          }
          expect(keys.size).toBe(model.size);
        }
        // Everything added is still there after every rehash.
        for (const k of model) expect(keys.add(k)).toBe(false);
        expect(keys.bytes).toBeGreaterThanOrEqual(keys.size * 2 * 8);
      }),
      { numRuns: 60 },
    );
  });

  it('keeps the event_pk given with each key: addOrFind answers it on a hit and -1 when it adds', () => {
    const entry = fc.tuple(fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }), fc.integer({ min: 0, max: 0xffff_ffff }));
    fc.assert(
      fc.property(fc.array(entry, { maxLength: 3_000 }), (entries) => {
        const keys = new KeySet(16);
        const model = new Map<number, number>();
        for (const [key, pk] of entries) {
          expect(keys.addOrFind(key, pk)).toBe(model.get(key) ?? -1);
          if (!model.has(key)) model.set(key, pk);
        }
        for (const [key, pk] of model) expect(keys.addOrFind(key, 0)).toBe(pk);
      }),
      { numRuns: 40 },
    );
  });
});
