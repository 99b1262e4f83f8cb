/**
 * A set of record keys (integers below 2^53, from recordKey) in one flat Float64Array: open addressing
 * with linear probing, half full at most. Eight to sixteen bytes a key and no object per key, so a
 * bulk import can dedupe a million records in memory at about 16 MB instead of asking a unique index
 * whose random insertions cost more than everything else an import does.
 */
const EMPTY = -1;

export class KeySet {
  private slots: Float64Array;
  private mask: number;
  size = 0;

  constructor(expected = 1024) {
    this.slots = new Float64Array(KeySet.capacityFor(expected)).fill(EMPTY);
    this.mask = this.slots.length - 1;
  }

  private static capacityFor(expected: number): number {
    let capacity = 1024;
    while (capacity < expected * 2) capacity *= 2;
    return capacity;
  }

  /** Makes room for `expected` keys in all at once: one rehash instead of one at every doubling. */
  reserve(expected: number): void {
    const capacity = KeySet.capacityFor(expected);
    if (capacity > this.slots.length) this.rehash(capacity);
  }

  /** Adds a key; false when it was already there. */
  add(key: number): boolean {
    // Keys are hashes, so their low 32 bits are as good a slot as any.
    let slot = (key >>> 0) & this.mask;
    const slots = this.slots;
    for (;;) {
      const held = slots[slot] as number;
      if (held === key) return false;
      if (held === EMPTY) break;
      slot = (slot + 1) & this.mask;
    }
    slots[slot] = key;
    this.size += 1;
    if (this.size * 2 > slots.length) this.rehash(slots.length * 2);
    return true;
  }

  /** Bytes held, for the writer's memory budget. */
  get bytes(): number {
    return this.slots.byteLength;
  }

  private rehash(capacity: number): void {
    const old = this.slots;
    this.slots = new Float64Array(capacity).fill(EMPTY);
    this.mask = this.slots.length - 1;
    this.size = 0;
    for (let i = 0; i < old.length; i++) {
      const key = old[i] as number;
      if (key !== EMPTY) this.add(key);
    }
  }
}
