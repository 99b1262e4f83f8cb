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
