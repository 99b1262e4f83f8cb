/**
 * How deep parsed JSON nests, checked before anything that recurses over it (zod, JSON.stringify,
 * a rule's own walk) sees it: JSON.parse itself takes any depth, and a value 6,000 levels deep
 * overflowed the stack of the first recursive reader. The check recurses at most `levels` deep.
 */

/** Levels of objects and arrays a value may nest (the value itself is the first): records, request bodies, rules, bundles. */
export const MAX_JSON_DEPTH = 64;

/** Whether a parsed value nests objects and arrays more than `levels` deep; stops looking at that depth. */
export function nestsDeeperThan(value: unknown, levels: number = MAX_JSON_DEPTH): boolean {
  if (typeof value !== 'object' || value === null) return false;
  if (levels === 0) return true;
  if (Array.isArray(value)) {
    for (const item of value) if (nestsDeeperThan(item, levels - 1)) return true;
    return false;
  }
  const object = value as Record<string, unknown>;
  for (const key in object) if (nestsDeeperThan(object[key], levels - 1)) return true;
  return false;
}

/** The sentence every refusal of too deep a value uses, after what was too deep. */
export function tooDeep(what: string, levels: number = MAX_JSON_DEPTH): string {
  return `${what} nests objects and arrays more than ${levels} levels deep`;
}
