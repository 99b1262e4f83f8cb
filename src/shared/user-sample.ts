/**
 * The user sample (docs/IMPORT.md, "A sample of users"): a cache may keep every record of a fixed,
 * stable share of users and none of the others. Whether a user is in is a pure function of their id,
 * so every import, sync and machine agrees, whatever the order records arrive in:
 *
 *   in ⇔ murmur3_x86_32(UTF-8 bytes of the id, seed) < floor(percent / 100 × 2^32)
 *
 * MurmurHash3's 32-bit x86 variant (Austin Appleby, public domain) is fixed here for good: a cache
 * records its rate and later imports must choose the same users, so this function never changes. The
 * cache's sample uses seed 0; other seeds exist for tests that draw many independent samples.
 */

/** The sample every cache uses: the hash and seed, as docs/IMPORT.md names them. */
export const USER_SAMPLE_HASH = 'murmur3_x86_32(utf8(id), seed 0)';
/** The seed of the cache's own sample. */
export const USER_SAMPLE_SEED = 0;

const C1 = 0xcc9e2d51;
const C2 = 0x1b873593;

let scratch = new Uint8Array(256);
const encoder = new TextEncoder();

/** MurmurHash3 x86_32 of the string's UTF-8 bytes, as an unsigned 32-bit integer. */
export function murmur3(text: string, seed = 0): number {
  // UTF-8 takes at most 3 bytes per UTF-16 unit.
  if (scratch.length < text.length * 3) scratch = new Uint8Array(text.length * 3);
  const length = encoder.encodeInto(text, scratch).written;
  const bytes = scratch;
  let h = seed >>> 0;
  const blocks = length & ~3;
  for (let i = 0; i < blocks; i += 4) {
    let k = (bytes[i] as number) | ((bytes[i + 1] as number) << 8) | ((bytes[i + 2] as number) << 16) | ((bytes[i + 3] as number) << 24);
    k = Math.imul(k, C1);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, C2);
    h ^= k;
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  const tail = length & 3;
  if (tail > 0) {
    let k = bytes[blocks] as number;
    if (tail > 1) k ^= (bytes[blocks + 1] as number) << 8;
    if (tail > 2) k ^= (bytes[blocks + 2] as number) << 16;
    k = Math.imul(k, C1);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, C2);
    h ^= k;
  }
  h ^= length;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** The hashes below which a user is in a sample of `percent` %. */
export function sampleThreshold(percent: number): number {
  return Math.floor((percent / 100) * 2 ** 32);
}

/**
 * A sample of users at a rate: `keeps(id)` says whether the user with that id (the record's userId,
 * or its anonymousId when it has none) is in it.
 */
export interface UserSample {
  /** The rate in percent, above 0 and at most 100. */
  readonly percent: number;
  keeps(id: string): boolean;
}

export function userSample(percent: number, seed = USER_SAMPLE_SEED): UserSample {
  if (!(percent > 0 && percent <= 100)) throw new RangeError(`a sample rate is a percentage above 0 and at most 100, not ${percent}`);
  const threshold = sampleThreshold(percent);
  if (percent === 100) return { percent, keeps: () => true };
  return { percent, keeps: (id) => murmur3(id, seed) < threshold };
}

/**
 * A sample rate as a person writes it ("10", "10%", "0.5"): the percentage, or a sentence saying what
 * is wrong with it.
 */
export function parseSamplePercent(text: string): number | string {
  const trimmed = text.trim().replace(/%$/, '');
  const value = Number(trimmed);
  if (trimmed === '' || !Number.isFinite(value)) return `a sample rate is a percentage such as 10, not "${text}"`;
  if (!(value > 0 && value <= 100)) return `a sample rate is a percentage above 0 and at most 100, not ${text}`;
  return value;
}

/** "10%" as the rate is shown: up to two decimals, no trailing zeros. */
export function formatSamplePercent(percent: number): string {
  return `${Number(percent.toFixed(2))}%`;
}
