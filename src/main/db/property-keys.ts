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
      keys.set(key, (keys.get(key) ?? 0) | bits);
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
  }
}

/**
 * The distinct property "shapes" (event name, keys and their types) of prepared records, numbered.
 * A record carries only its shape's number; the writer notes the shapes of the records it actually
 * stored, so a duplicate's properties never reach the catalog. A parser thread sends new shapes along
 * with its batches and the writer's side keeps a mirror.
 */
/** Shapes shapeOf compares a record with before it builds a signature. */
const RECENT_SHAPES = 16;

export class ShapeTable {
  private readonly ids = new Map<string, number>();
  private readonly shapes: [string, string, number][][] = [[]];
  private sent = 1;

  /** The shapes numbered most recently, checked before building a signature (see shapeOf). */
  private readonly recent: number[] = [];
  private recentNext = 0;

  /** The shape number of an event's properties; 0 for none. */
  shapeOf(name: string, properties: Record<string, unknown> | null): number {
    if (!properties) return 0;
    // Most records repeat one of a few shapes. Comparing keys with a recent shape's is cheaper than
    // building the signature string: JSON.parse gives property names as internalized strings, so
    // the comparisons are mostly pointer checks.
    for (const id of this.recent) {
      if (this.matches(id, name, properties)) return id;
    }
    const id = this.signatureShape(name, properties);
    this.recent[this.recentNext] = id;
    this.recentNext = (this.recentNext + 1) % RECENT_SHAPES;
    return id;
  }

  private matches(id: number, name: string, properties: Record<string, unknown>): boolean {
    const entries = this.shapes[id] as [string, string, number][];
    if (entries.length === 0 || (entries[0] as [string, string, number])[0] !== name) return false;
    let i = 0;
    for (const key in properties) {
      const entry = entries[i++];
      if (entry === undefined || entry[1] !== key || entry[2] !== typeBitOf(properties[key])) return false;
    }
    return i === entries.length;
  }

  private signatureShape(name: string, properties: Record<string, unknown>): number {
    let signature = name;
    for (const key in properties) signature += `\u0000${key}\u0001${typeBitOf(properties[key])}`;
    let id = this.ids.get(signature);
    if (id === undefined) {
      id = this.shapes.length;
      this.ids.set(signature, id);
      this.shapes.push(Object.keys(properties).map((key): [string, string, number] => [name, key, typeBitOf(properties[key])]));
    }
    return id;
  }

  /** Shapes numbered since the last call, to send to the writer's mirror. */
  takeNew(): [number, [string, string, number][]][] {
    const fresh: [number, [string, string, number][]][] = [];
    for (; this.sent < this.shapes.length; this.sent++) fresh.push([this.sent, this.shapes[this.sent] as [string, string, number][]]);
    return fresh;
  }

  /** Adds a shape numbered elsewhere under a number of this table's own; returns that number. */
  add(entries: [string, string, number][]): number {
    this.shapes.push(entries);
    return this.shapes.length - 1;
  }

  /** Adds shapes numbered elsewhere (a parser thread). */
  adopt(shapes: Iterable<[number, [string, string, number][]]>): void {
    for (const [id, entries] of shapes) this.shapes[id] = entries;
  }

  entries(id: number): [string, string, number][] {
    return this.shapes[id] ?? [];
  }
}
