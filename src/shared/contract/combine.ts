/**
 * Merges tables of methods (the contract's per-domain specs, the backend's per-domain handlers) into
 * one, refusing a name that two tables define: the type checker names it at the call, and the merge
 * throws at run time for what the types cannot see (a table typed as a plain `object`).
 */

/** The names that appear in more than one of the tables, left to right. */
export type NamesDefinedTwice<Parts extends readonly object[], Seen extends PropertyKey = never> = Parts extends readonly [
  infer Head extends object,
  ...infer Rest extends readonly object[],
]
  ? (keyof Head & Seen) | NamesDefinedTwice<Rest, Seen | keyof Head>
  : never;

type Intersection<Parts extends readonly object[]> = Parts extends readonly [infer Head extends object, ...infer Rest extends readonly object[]]
  ? Head & Intersection<Rest>
  : unknown;

/** The tables merged into one object type. */
export type Combined<Parts extends readonly object[]> = { [K in keyof Intersection<Parts>]: Intersection<Parts>[K] };

/** Unsatisfiable while a name is defined twice: the compiler's error quotes the name. */
type EachNameOnce<Parts extends readonly object[]> = [NamesDefinedTwice<Parts>] extends [never]
  ? unknown
  : { [K in NamesDefinedTwice<Parts> & string as `method defined twice: ${K}`]: never };

export function combineMethods<Parts extends readonly object[]>(...parts: Parts & EachNameOnce<Parts>): Combined<Parts> {
  const combined: Record<string, unknown> = {};
  for (const part of parts as readonly object[]) {
    for (const [name, value] of Object.entries(part)) {
      if (Object.prototype.hasOwnProperty.call(combined, name)) throw new Error(`The method "${name}" is defined twice.`);
      combined[name] = value;
    }
  }
  return combined as Combined<Parts>;
}
