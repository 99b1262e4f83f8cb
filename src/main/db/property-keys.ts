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

/** Collects the property keys (and their JSON types) seen per event name while a writer runs. */
export class PropertyKeyTracker {
  private readonly seen = new Map<number, Map<string, number>>();

  add(nameId: number, properties: Record<string, unknown> | null): void {
    if (!properties) return;
    let keys = this.seen.get(nameId);
    if (!keys) this.seen.set(nameId, (keys = new Map()));
    for (const key in properties) {
      keys.set(key, (keys.get(key) ?? 0) | typeBitOf(properties[key]));
    }
  }

  flush(db: Db): void {
    const upsert = db.prepare(
      `INSERT INTO event_property_keys (name_id, key, types) VALUES (?, ?, ?)
       ON CONFLICT (name_id, key) DO UPDATE SET types = types | excluded.types`,
    );
    for (const [nameId, keys] of this.seen) for (const [key, bits] of keys) upsert.run(nameId, key, bits);
    this.seen.clear();
  }
}
