/**
 * A map from record keys (integers below 2^53, from recordKey) to the event_pk of the row stored
 * under each, in two flat typed arrays: open addressing with linear probing, half full at most.
 * Twelve to twenty-four bytes a key and no object per key, so a bulk import can dedupe a million
 * records in memory at about 24 MB instead of asking a unique index whose random insertions cost
 * more than everything else an import does. The event_pk is what confirms a hit: the writer reads
 * the stored row's id by it (a rowid lookup) and compares, since two ids can share a key.
 */
const EMPTY = -1;
/** event_pk values the key set can hold (Uint32Array); the writer stays indexed above it. */
export const MAX_KEY_SET_PK = 0xffff_ffff;

export class KeySet {
  private slots: Float64Array;
  private pks: Uint32Array;
  private mask: number;
  size = 0;

  constructor(expected = 1024) {
    const capacity = KeySet.capacityFor(expected);
    this.slots = new Float64Array(capacity).fill(EMPTY);
    this.pks = new Uint32Array(capacity);
    this.mask = capacity - 1;
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

  /** Adds a key (with the event_pk stored under it); false when it was already there. */
  add(key: number, pk = 0): boolean {
    return this.addOrFind(key, pk) < 0;
  }

  /**
   * Adds the key with `pk` and answers -1, or, when the key was already there, answers the event_pk
   * stored under it and changes nothing.
   */
  addOrFind(key: number, pk: number): number {
    // Keys are hashes, so their low 32 bits are as good a slot as any.
    let slot = (key >>> 0) & this.mask;
    const slots = this.slots;
    for (;;) {
      const held = slots[slot] as number;
      if (held === key) return this.pks[slot] as number;
      if (held === EMPTY) break;
      slot = (slot + 1) & this.mask;
    }
    slots[slot] = key;
    this.pks[slot] = pk;
    this.size += 1;
    if (this.size * 2 > slots.length) this.rehash(slots.length * 2);
    return -1;
  }

  /** Bytes held, for the writer's memory budget. */
  get bytes(): number {
    return this.slots.byteLength + this.pks.byteLength;
  }

  private rehash(capacity: number): void {
    const oldSlots = this.slots;
    const oldPks = this.pks;
    this.slots = new Float64Array(capacity).fill(EMPTY);
    this.pks = new Uint32Array(capacity);
    this.mask = capacity - 1;
    this.size = 0;
    for (let i = 0; i < oldSlots.length; i++) {
      const key = oldSlots[i] as number;
      if (key !== EMPTY) this.addOrFind(key, oldPks[i] as number);
    }
  }
}
