import { detached } from '../../shared/strings';
import type { Db } from './connection';

/** JSON type bits, as stored in event_property_keys.types. */
export const TYPE_BITS = { string: 1, number: 2, boolean: 4, object: 8, array: 16, null: 32 } as const;
export type JsonTypeName = keyof typeof TYPE_BITS;

export function typeBitOf(value: unknown): number {
  if (value === null) return TYPE_BITS.null;
  if (Array.isArray(value)) return TYPE_BITS.array;
  switch (typeof value) {
    case 'string':
      return TYPE_BITS.string;
    case 'number':
      return TYPE_BITS.number;
    case 'boolean':
      return TYPE_BITS.boolean;
    default:
      return TYPE_BITS.object;
  }
}

export function typeNames(bits: number): JsonTypeName[] {
  return (Object.entries(TYPE_BITS) as [JsonTypeName, number][]).filter(([, bit]) => (bits & bit) !== 0).map(([name]) => name);
}

/**
 * Collects the property keys (and their JSON types) seen per event name while a writer runs. Keyed by
 * name, not id, so an import's parser thread can collect them and hand over the result.
 */
export class PropertyKeyTracker {
  private readonly seen = new Map<string, Map<string, number>>();
  /** (name, key) pairs held (counted by merge). */
  size = 0;

  add(name: string, properties: Record<string, unknown> | null): void {
    if (!properties) return;
    let keys = this.seen.get(name);
    if (!keys) this.seen.set(name, (keys = new Map()));
    for (const key in properties) {
      keys.set(key, (keys.get(key) ?? 0) | typeBitOf(properties[key]));
    }
  }

  entries(): [name: string, key: string, bits: number][] {
    const out: [string, string, number][] = [];
    for (const [name, keys] of this.seen) for (const [key, bits] of keys) out.push([name, key, bits]);
    return out;
  }

  merge(entries: Iterable<[string, string, number]>): void {
    for (const [name, key, bits] of entries) {
      let keys = this.seen.get(name);
      if (!keys) this.seen.set(name, (keys = new Map()));
      const held = keys.get(key);
      if (held === undefined) this.size += 1;
      keys.set(key, (held ?? 0) | bits);
    }
  }

  /** Writes the collected keys; `nameId` maps an event name to its id. */
  flush(db: Db, nameId: (name: string) => number): void {
    const upsert = db.prepare(
      `INSERT INTO event_property_keys (name_id, key, types) VALUES (?, ?, ?)
       ON CONFLICT (name_id, key) DO UPDATE SET types = types | excluded.types`,
    );
    for (const [name, key, bits] of this.entries()) upsert.run(nameId(name), key, bits);
    this.seen.clear();
    this.size = 0;
  }
}

/** The keys of a record's flat properties as spans of its JSON text, with their type bits (see ingest/fast-record.ts). */
export interface ScannedKeys {
  text: string;
  starts: Int32Array;
  ends: Int32Array;
  types: Int32Array;
  count: number;
}

/** A shape's entries: [event name, property key, JSON type bit] per key, in the properties' key order. */
export type ShapeEntries = [string, string, number][];

/** Shapes shapeOf compares a record with before it builds a signature. */
const RECENT_SHAPES = 16;
/** Signatures a ShapeNumbering remembers before it starts a new set (numbers keep increasing). */
const SIGNATURE_LIMIT = 4096;

/**
 * Numbers the distinct property "shapes" (event name, keys and their types) of prepared records. A
 * record carries only its shape's number; each new number goes once to a sink (the writer's ShapeTable,
 * directly or from a parser thread), and the writer notes the keys of the records it actually stores,
 * so a duplicate's properties never reach the catalog.
 *
 * Memory stays bounded whatever the file, even one whose events all carry different keys: past
 * SIGNATURE_LIMIT signatures the numbering forgets them and goes on with fresh numbers, so a shape
 * seen again may get a second number (harmless: both carry the same entries).
 */
export class ShapeNumbering {
  private ids = new Map<string, number>();
  private next = 1;
  /** The shapes numbered most recently, checked before building a signature (see shapeOf). */
  private readonly recent: { id: number; entries: ShapeEntries }[] = [];
  private recentNext = 0;

  constructor(private readonly sink: (id: number, entries: ShapeEntries) => void) {}

  /** The shape number of an event's properties; 0 for none. */
  shapeOf(name: string, properties: Record<string, unknown> | null): number {
    if (!properties) return 0;
    // Most records repeat one of a few shapes. Comparing keys with a recent shape's is cheaper than
    // building the signature string: JSON.parse gives property names as internalized strings, so
    // the comparisons are mostly pointer checks.
    for (const shape of this.recent) {
      if (matches(shape.entries, name, properties)) return shape.id;
    }
    return this.number(name, shapeEntries(name, properties));
  }

  /** The same for properties the fast path scanned (fast-record.ts) without parsing them. */
  shapeOfScanned(name: string, keys: ScannedKeys): number {
    if (keys.count === 0) return 0;
    for (const shape of this.recent) {
      if (matchesScanned(shape.entries, name, keys)) return shape.id;
    }
    const entries: ShapeEntries = [];
    for (let k = 0; k < keys.count; k++) {
      // Shapes are kept (recent ones, and as signatures): copies, not views into the reader's chunk.
      entries.push([name, detached(keys.text.slice(keys.starts[k], keys.ends[k])), keys.types[k] as number]);
    }
    return this.number(name, entries);
  }

  /** The number of a shape no recent one matched: its signature's, or a new one. */
  private number(name: string, entries: ShapeEntries): number {
    let signature = name;
    for (const [, key, bit] of entries) signature += `\u0000${key}\u0001${bit}`;
    let id = this.ids.get(signature);
    if (id === undefined) {
      if (this.ids.size >= SIGNATURE_LIMIT) this.ids = new Map();
      id = this.next++;
      this.ids.set(signature, id);
      this.sink(id, entries);
    }
    this.recent[this.recentNext] = { id, entries };
    this.recentNext = (this.recentNext + 1) % RECENT_SHAPES;
    return id;
  }
}

function matchesScanned(entries: ShapeEntries, name: string, keys: ScannedKeys): boolean {
  if (entries.length !== keys.count || (entries[0] as [string, string, number])[0] !== name) return false;
  for (let k = 0; k < keys.count; k++) {
    const [, key, bit] = entries[k] as [string, string, number];
    const start = keys.starts[k] as number;
    if (bit !== keys.types[k] || key.length !== (keys.ends[k] as number) - start) return false;
    for (let i = 0; i < key.length; i++) if (key.charCodeAt(i) !== keys.text.charCodeAt(start + i)) return false;
  }
  return true;
}

function shapeEntries(name: string, properties: Record<string, unknown>): ShapeEntries {
  return Object.keys(properties).map((key): [string, string, number] => [name, key, typeBitOf(properties[key])]);
}

function matches(entries: ShapeEntries, name: string, properties: Record<string, unknown>): boolean {
  if (entries.length === 0 || (entries[0] as [string, string, number])[0] !== name) return false;
  let i = 0;
  for (const key in properties) {
    const entry = entries[i++];
    if (entry === undefined || entry[1] !== key || entry[2] !== typeBitOf(properties[key])) return false;
  }
  return i === entries.length;
}

/**
 * The writer's side: the entries of shapes numbered so far and not yet taken. The writer takes a
 * shape's entries the first time it stores a record of that shape (later records find nothing to
 * take: their keys are already in the catalog), so entries live only until first use.
 */
export class ShapeTable {
  private readonly entries = new Map<number, ShapeEntries>();
  private next = 1;

  /** A shape numbered by a ShapeNumbering that feeds this table directly. */
  set(id: number, entries: ShapeEntries): void {
    this.entries.set(id, entries);
    if (id >= this.next) this.next = id + 1;
  }

  /** A shape numbered elsewhere (a parser thread), under a number of this table's own; returns it. */
  add(entries: ShapeEntries): number {
    const id = this.next++;
    this.entries.set(id, entries);
    return id;
  }

  /** The shape's entries the first time it is asked for; null afterwards. */
  take(id: number): ShapeEntries | null {
    const entries = this.entries.get(id);
    if (entries === undefined) return null;
    this.entries.delete(id);
    return entries;
  }
}
