/**
 * Ids → numbers (user_pks) outside the JavaScript heap: each id's text in one growing byte arena, its
 * number and hash in typed arrays, and an open-addressing table of entry numbers. A Map of strings held
 * the same ~200,000 ids at ~90 bytes each inside the writer's heap, which V8 lets grow to a few times
 * its live size between full collections (docs/PERFORMANCE.md, "Where the memory goes"); here an id
 * costs its length plus ~20 bytes, out of the collector's sight.
 *
 * An id is stored as its UTF-16 code units, exactly: one byte for a unit below 0x80, else a 0xff byte
 * and the unit's two bytes. Two ids are the same when their bytes are, so lone surrogates stay apart
 * (UTF-8 would turn both into U+FFFD).
 */
const EMPTY = 0;
const WIDE = 0xff;

export class IdTable {
  private arena = Buffer.allocUnsafeSlow(1 << 16);
  private used = 0;
  /** Entry k's bytes are arena[starts[k], starts[k + 1]). */
  private starts = new Int32Array(1025);
  private values = new Int32Array(1024);
  private hashes = new Int32Array(1024);
  /** Entry number + 1 per slot; EMPTY: none. */
  private slots = new Int32Array(2048);
  private mask = 2047;
  /** The last id encoded (scratch[0, scratchLength)) and its hash. */
  private scratch = new Uint8Array(256);
  private scratchLength = 0;
  private scratchHash = 0;
  size = 0;

  /** The id's number; -1 when absent. */
  get(id: string): number {
    this.encode(id);
    const entry = this.find();
    return entry < 0 ? -1 : (this.values[entry] as number);
  }

  /** Adds an id that get() said is absent, with its number. */
  add(id: string, value: number): void {
    this.encode(id);
    if (this.find() >= 0) throw new Error('IdTable.add: the id is already there');
    const entry = this.size++;
    if (entry >= this.values.length) this.growEntries();
    const length = this.scratchLength;
    if (this.used + length > this.arena.length) {
      let size = this.arena.length * 2;
      while (this.used + length > size) size *= 2;
      const larger = Buffer.allocUnsafeSlow(size);
      this.arena.copy(larger, 0, 0, this.used);
      this.arena = larger;
    }
    this.arena.set(this.scratch.subarray(0, length), this.used);
    this.used += length;
    this.starts[entry + 1] = this.used;
    this.values[entry] = value;
    this.hashes[entry] = this.scratchHash;
    if (2 * this.size > this.slots.length) this.rehash(this.slots.length * 2);
    else this.place(entry);
  }

  /** Bytes held, all outside the JavaScript heap. */
  get bytes(): number {
    return this.arena.length + this.starts.byteLength + this.values.byteLength + this.hashes.byteLength + this.slots.byteLength;
  }

  private encode(id: string): void {
    if (3 * id.length > this.scratch.length) this.scratch = new Uint8Array(3 * id.length);
    const scratch = this.scratch;
    let at = 0;
    // FNV-1a over the code units.
    let hash = 0x811c9dc5;
    for (let k = 0; k < id.length; k++) {
      const unit = id.charCodeAt(k);
      hash = Math.imul(hash ^ unit, 0x01000193);
      if (unit < 0x80) scratch[at++] = unit;
      else {
        scratch[at++] = WIDE;
        scratch[at++] = unit >>> 8;
        scratch[at++] = unit & 0xff;
      }
    }
    this.scratchLength = at;
    this.scratchHash = hash | 0;
  }

  /** The entry of the id last encoded; -1 when absent. */
  private find(): number {
    const hash = this.scratchHash;
    const length = this.scratchLength;
    const scratch = this.scratch;
    const arena = this.arena;
    for (let slot = hash & this.mask; ; slot = (slot + 1) & this.mask) {
      const held = this.slots[slot] as number;
      if (held === EMPTY) return -1;
      const entry = held - 1;
      if (this.hashes[entry] !== hash) continue;
      const start = this.starts[entry] as number;
      if ((this.starts[entry + 1] as number) - start !== length) continue;
      let k = 0;
      while (k < length && arena[start + k] === scratch[k]) k++;
      if (k === length) return entry;
    }
  }

  private place(entry: number): void {
    let slot = (this.hashes[entry] as number) & this.mask;
    while (this.slots[slot] !== EMPTY) slot = (slot + 1) & this.mask;
    this.slots[slot] = entry + 1;
  }

  private growEntries(): void {
    const size = this.values.length * 2;
    const starts = new Int32Array(size + 1);
    starts.set(this.starts);
    this.starts = starts;
    const values = new Int32Array(size);
    values.set(this.values);
    this.values = values;
    const hashes = new Int32Array(size);
    hashes.set(this.hashes);
    this.hashes = hashes;
  }

  private rehash(capacity: number): void {
    this.slots = new Int32Array(capacity);
    this.mask = capacity - 1;
    for (let entry = 0; entry < this.size; entry++) this.place(entry);
  }
}
