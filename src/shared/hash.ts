/**
 * cyrb53: a fast, well-mixed 53-bit string hash (public domain algorithm by bryc).
 * Pure JS so it runs in Node, the renderer and the SDK alike. Not for security.
 */
export function hash53(text: string, seed = 0): number {
  return hash53Of(text, 0, text.length, seed);
}

/** hash53 of text[start, end), without cutting it out. */
export function hash53Of(text: string, start: number, end: number, seed: number): number {
  let h1 = 0xdeadbeef ^ seed;
  let h2 = 0x41c6ce57 ^ seed;
  for (let i = start; i < end; i++) {
    const ch = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507);
  h1 ^= Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507);
  h2 ^= Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}

export function hashHex(text: string): string {
  return hash53(text).toString(16).padStart(14, '0');
}
