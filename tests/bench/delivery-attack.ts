/**
 * The hostile benchmark's pure pieces: the attacker's bodies, built at the limits the delivery server
 * states (tests/unit/delivery-attack-bodies.test.ts holds them to those limits), the addresses
 * everyone's requests come from, and the percentiles of the normal clients' latencies.
 */
import { MAX_BATCH_RECORDS } from '../../src/delivery/schemas';
import { MAX_TRAIT_KEYS, MAX_TRAITS_BYTES } from '../../src/delivery/store';
import { MAX_RECORD_BYTES } from '../../src/shared/event-spec';

/** How deep the deep body nests: the review's 6,000 levels, which overflowed the stack before the depth check. */
export const DEEP_LEVELS = 6_000;
/** New trait keys per identify: two identifies fill a user's traits to MAX_TRAIT_KEYS exactly, every later one passes it. */
export const TRAIT_KEYS_PER_IDENTIFY = MAX_TRAIT_KEYS / 2;

/** The attacker's users: one whose history grows, one whose traits sit at the cap. */
export const VICTIM = 'attack-victim';
export const TRAIT_VICTIM = 'attack-traits';

/**
 * A batch of MAX_BATCH_RECORDS events for one user (name one the live rules count, so profiles keep them), timestamps descending by 1 ms from `newestTs`:
 * each record is older than everything sent before it (when the next batch starts below this one's
 * oldest, see nextNewest), the worst order for a history kept sorted. Records are as small as the
 * server takes, so the batch is at the record limit, far under MAX_BATCH_BYTES.
 */
export function worstCaseBatch(userId: string, event: string, newestTs: number, records = MAX_BATCH_RECORDS): string {
  const parts: string[] = [];
  for (let i = 0; i < records; i++) parts.push(JSON.stringify({ type: 'track', userId, event, timestamp: newestTs - i }));
  return `{"batch":[${parts.join(',')}]}`;
}

/** Where the batch after one starting at `newestTs` starts: below its oldest record. */
export function nextNewest(newestTs: number, records = MAX_BATCH_RECORDS): number {
  return newestTs - records;
}

/** A trait key no earlier identify used: `t` and the index in base 36, always 8 characters (up to 36^7 keys). */
export function traitKey(index: number): string {
  return `t${index.toString(36).padStart(7, '0')}`;
}

/**
 * An identify with TRAIT_KEYS_PER_IDENTIFY new keys from `firstKey` on, each value as long as lets
 * MAX_TRAIT_KEYS of them stay within MAX_TRAITS_BYTES and one call within MAX_RECORD_BYTES: the first
 * two fill the user's traits to the cap, every later one is refused with 413 after the server has
 * read and merged the full traits.
 */
export function traitCapIdentify(userId: string, firstKey: number): string {
  // `"t0000000":"…",` is 14 bytes around the value; the cap's bytes spread over its keys, less the braces.
  const perKey = Math.min(Math.floor((MAX_TRAITS_BYTES - 2) / MAX_TRAIT_KEYS), Math.floor((MAX_RECORD_BYTES - 200) / TRAIT_KEYS_PER_IDENTIFY));
  const value = 'v'.repeat(perKey - 14);
  const traits: Record<string, string> = {};
  for (let i = 0; i < TRAIT_KEYS_PER_IDENTIFY; i++) traits[traitKey(firstKey + i)] = value;
  return JSON.stringify({ userId, traits });
}

/** An identify whose traits nest so that the body is `levels` objects deep (the body itself is the first). */
export function deepIdentify(userId: string, levels = DEEP_LEVELS): string {
  const inner = levels - 1;
  return `{"userId":${JSON.stringify(userId)},"traits":${'{"a":'.repeat(inner - 1)}{}${'}'.repeat(inner - 1)}}`;
}

/** The address a normal user's requests come from: its own, in 198.18.0.0/15 (the benchmarking range). */
export function userAddress(user: number): string {
  const n = user % 131_072;
  return `198.${18 + (n >>> 16)}.${(n >>> 8) & 255}.${n & 255}`;
}

/** The address seeding batch `index` comes from, so seeding stays within any rate limit. */
export function seedAddress(index: number): string {
  return `10.0.${(index >>> 8) & 255}.${index & 255}`;
}

/** The attacker's own addresses (TEST-NET-3), one per kind of request, so one kind's 429s do not hide another's answers. */
export const ATTACKER_ADDRESSES = { batch: '203.0.113.1', decide: '203.0.113.2', identify: '203.0.113.3', deep: '203.0.113.4' } as const;

export type RotatingGroup = 'ipv4' | 'one64' | 'new64';
/** The groups rotating addresses cycle through, and what each shows. */
export const ROTATING_GROUPS: Record<RotatingGroup, string> = {
  ipv4: 'IPv4, rotating over 4,096 addresses',
  one64: 'IPv6, a new address in one /64',
  new64: 'IPv6, a new /64 each time',
};
const IPV4_POOL = 4_096;
const ONE_64 = '2001:db8:a77a:64';

const hex = (n: number): string => (n & 0xffff).toString(16);

/**
 * The i-th rotating address, cycling through the groups: an IPv4 address from a pool (fresh buckets:
 * what any limit per address allows), two addresses inside one IPv6 /64 (the server counts them as one
 * network, so they soon get 429), and a fresh /64 (a network the limit has not seen).
 */
export function rotatingAddress(i: number): { address: string; group: RotatingGroup } {
  const round = Math.floor(i / 4);
  switch (i % 4) {
    case 0: {
      const k = round % IPV4_POOL;
      return { address: `172.16.${k >>> 8}.${k & 255}`, group: 'ipv4' };
    }
    case 3:
      return { address: `2001:db8:${hex(round >>> 16)}:${hex(round)}::1`, group: 'new64' };
    default: {
      // The interface identifier: the counter, and a scrambled copy of it so the addresses do not look sequential.
      const mixed = Math.imul(i, 0x9e3779b1) >>> 0;
      return { address: `${ONE_64}:${hex(i >>> 16)}:${hex(i)}:${hex(mixed >>> 16)}:${hex(mixed)}`, group: 'one64' };
    }
  }
}

/** The p-th percentile (0-100) of ascending values, nearest rank; NaN for none. */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  // Less a hair, so that 99.9 % of 1,000 is rank 999 despite floating point (0.999 * 1000 = 999.0000000000001).
  const rank = Math.ceil((p / 100) * sorted.length - 1e-9);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1] as number;
}

/** The attacker's connections: fixed, each sending its next request as soon as the last is answered. */
export const ATTACKER_CONNECTIONS = 4;

/** What the attacker sends, round robin. */
export const ATTACK_KINDS = ['batch', 'decide', 'identify', 'deep', 'rotating'] as const;
export type AttackKind = (typeof ATTACK_KINDS)[number];

/** The kinds named in a comma-separated list (`--attack batch,deep`), in ATTACK_KINDS order; every kind for none. */
export function attackKinds(list: string | undefined): AttackKind[] {
  if (list === undefined) return [...ATTACK_KINDS];
  const named = list.split(',').map((name) => name.trim());
  const unknown = named.filter((name) => !(ATTACK_KINDS as readonly string[]).includes(name));
  if (unknown.length > 0 || named.length === 0) throw new Error(`--attack takes a comma-separated list of ${ATTACK_KINDS.join(', ')}; not "${unknown.join(', ') || list}".`);
  return ATTACK_KINDS.filter((kind) => named.includes(kind));
}

/** Requests of one kind (or one group of rotating addresses): how many, their answers' statuses, what they stored. */
export interface Tally {
  sent: number;
  /** Status code (or "error" for a request that got no answer) → count. */
  statuses: Record<string, number>;
  bodyBytes: number;
  /** Records the server reported accepted. */
  stored: number;
}

export function emptyTally(): Tally {
  return { sent: 0, statuses: {}, bodyBytes: 0, stored: 0 };
}

/**
 * Where an attack leaves off, so the next one (another process) goes on from there: its batches older
 * than every stored one, its trait keys new.
 */
export interface AttackCursor {
  newestTs: number;
  nextTraitKey: number;
}

/** The attacker process's one argument, as JSON. */
export interface AttackerConfig {
  base: string;
  key: string;
  /** The event the live rules count (profiles keep it). */
  event: string;
  /** What to send, round robin. */
  kinds: AttackKind[];
  /** Where the last attack on this server left off. */
  cursor: AttackCursor;
}

/** What the attacker process reports when told to stop. */
export interface AttackReport {
  seconds: number;
  cursor: AttackCursor;
  kinds: Record<AttackKind, Tally>;
  rotating: Record<RotatingGroup, Tally>;
}

/** A tally's statuses as "429: 1,234 · 200: 5", most frequent first. */
export function statusMix(tally: Tally): string {
  return Object.entries(tally.statuses)
    .sort((a, b) => b[1] - a[1])
    .map(([status, count]) => `${status}: ${count.toLocaleString('en-US')}`)
    .join(' · ');
}
