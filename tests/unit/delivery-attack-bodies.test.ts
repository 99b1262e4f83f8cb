/**
 * The hostile delivery benchmark's attacker (tests/bench/delivery-attack.ts) sends what docs/PERFORMANCE.md
 * says it does, at the limits the server states: a batch at the record limit with descending
 * timestamps, identifies that fill the trait cap and then pass it, a body 6,000 levels deep, and
 * addresses that rotate inside one IPv6 /64 (one network to the rate limit) and outside it. Checked
 * against the server's own schemas, limits and address grouping; nothing here is timed.
 */
import { isIP, isIPv4, isIPv6 } from 'node:net';
import { describe, expect, it } from 'vitest';
import { clientNetwork } from '../../src/delivery/pipeline/rate-limit';
import { MAX_BATCH_BYTES, MAX_CLIENT_BODY } from '../../src/delivery/pipeline/route';
import { identifySchema, MAX_BATCH_RECORDS, trackSchema } from '../../src/delivery/schemas';
import { MAX_TRAIT_KEYS, MAX_TRAITS_BYTES } from '../../src/delivery/store';
import { nestsDeeperThan } from '../../src/shared/json-depth';
import { MAX_RECORD_BYTES, normalizeRecord } from '../../src/shared/event-spec';
import {
  ATTACK_KINDS,
  attackKinds,
  DEEP_LEVELS,
  deepIdentify,
  nextNewest,
  percentile,
  rotatingAddress,
  seedAddress,
  TRAIT_KEYS_PER_IDENTIFY,
  traitCapIdentify,
  userAddress,
  worstCaseBatch,
} from '../bench/delivery-attack';

/** How many objects and arrays deep a parsed value nests (the value itself is level 1), without recursion. */
function depthOf(value: unknown): number {
  let deepest = 0;
  const stack: [unknown, number][] = [[value, 1]];
  for (let top = stack.pop(); top !== undefined; top = stack.pop()) {
    const [node, level] = top;
    if (typeof node !== 'object' || node === null) continue;
    deepest = Math.max(deepest, level);
    for (const child of Object.values(node)) stack.push([child, level + 1]);
  }
  return deepest;
}

describe('the worst-case batch', () => {
  const now = Date.UTC(2026, 11, 7);
  const text = worstCaseBatch('victim', 'report_run', now);
  const body = JSON.parse(text) as { batch: { type: string; userId: string; event: string; timestamp: number }[] };

  it('holds as many records as a track batch may, and one more is refused', () => {
    expect(body.batch).toHaveLength(MAX_BATCH_RECORDS);
    expect(trackSchema.safeParse(body).success).toBe(true);
    expect(trackSchema.safeParse({ batch: [...body.batch, body.batch[0]] }).success).toBe(false);
    expect(Buffer.byteLength(text)).toBeLessThanOrEqual(MAX_BATCH_BYTES);
  });

  it('is one user\'s valid events, each older than the one before, and the next batch starts older still', () => {
    expect(new Set(body.batch.map((r) => r.userId))).toEqual(new Set(['victim']));
    for (const record of body.batch.slice(0, 50)) expect(normalizeRecord(record).ok).toBe(true);
    const times = body.batch.map((r) => r.timestamp);
    expect(times[0]).toBe(now);
    for (let i = 1; i < times.length; i++) expect(times[i]).toBeLessThan(times[i - 1] as number);
    const next = JSON.parse(worstCaseBatch('victim', 'report_run', nextNewest(now))) as typeof body;
    expect(next.batch[0]?.timestamp).toBeLessThan(times[times.length - 1] as number);
  });
});

describe('the identify at the trait cap', () => {
  const calls = [0, 1, 2].map((n) => JSON.parse(traitCapIdentify('traits-victim', n * TRAIT_KEYS_PER_IDENTIFY)) as { userId: string; traits: Record<string, string> });

  it('is a valid identify body under the body and record limits', () => {
    for (const call of calls) {
      expect(identifySchema.safeParse(call).success).toBe(true);
      expect(Buffer.byteLength(JSON.stringify(call))).toBeLessThanOrEqual(MAX_CLIENT_BODY);
      expect(normalizeRecord({ type: 'identify', ...call, timestamp: Date.UTC(2026, 11, 7) }).ok).toBe(true);
      expect(Buffer.byteLength(JSON.stringify({ type: 'identify', ...call }))).toBeLessThanOrEqual(MAX_RECORD_BYTES);
    }
  });

  it('brings new keys each time: two fill the cap exactly within its bytes, the third passes it', () => {
    const merged: Record<string, string> = {};
    Object.assign(merged, calls[0]?.traits, calls[1]?.traits);
    expect(Object.keys(merged)).toHaveLength(MAX_TRAIT_KEYS);
    expect(Buffer.byteLength(JSON.stringify(merged))).toBeLessThanOrEqual(MAX_TRAITS_BYTES);
    // Filled to within 1 KB of the byte cap too (each call is as large as one record may be).
    expect(Buffer.byteLength(JSON.stringify(merged))).toBeGreaterThan(MAX_TRAITS_BYTES - 1024);
    Object.assign(merged, calls[2]?.traits);
    expect(Object.keys(merged)).toHaveLength(MAX_TRAIT_KEYS + TRAIT_KEYS_PER_IDENTIFY);
  });
});

describe('the deep body', () => {
  const text = deepIdentify('deep');

  it('nests exactly 6,000 levels, fits the client body limit, and is refused by the depth check', () => {
    const parsed: unknown = JSON.parse(text);
    expect(DEEP_LEVELS).toBe(6_000);
    expect(depthOf(parsed)).toBe(6_000);
    expect(Buffer.byteLength(text)).toBeLessThanOrEqual(MAX_CLIENT_BODY);
    expect(nestsDeeperThan(parsed)).toBe(true);
    expect(depthOf(JSON.parse(deepIdentify('deep', 3)))).toBe(3);
  });
});

describe('the addresses', () => {
  const rotating = Array.from({ length: 4_000 }, (_, i) => rotatingAddress(i));
  const inGroup = (group: string): string[] => rotating.filter((r) => r.group === group).map((r) => r.address);

  it('are valid IP addresses of the family their group names', () => {
    for (const { address, group } of rotating) expect(group === 'ipv4' ? isIPv4(address) : isIPv6(address), address).toBe(true);
  });

  it('inside one /64 are all different, and the rate limit counts them as one network', () => {
    const one64 = inGroup('one64');
    expect(one64.length).toBe(2_000);
    expect(new Set(one64).size).toBe(one64.length);
    expect(new Set(one64.map(clientNetwork)).size).toBe(1);
  });

  it('outside it are a new network each time (within the IPv4 pool)', () => {
    const new64 = inGroup('new64');
    expect(new Set(new64.map(clientNetwork)).size).toBe(new64.length);
    expect(new64.map(clientNetwork)).not.toContain(clientNetwork(inGroup('one64')[0] as string));
    const ipv4 = inGroup('ipv4');
    expect(new Set(ipv4.map(clientNetwork)).size).toBe(ipv4.length);
  });

  it('give every normal user an address of its own, apart from the seeding addresses', () => {
    const users = Array.from({ length: 100_000 }, (_, u) => userAddress(u));
    expect(new Set(users).size).toBe(users.length);
    expect(users.every((a) => isIP(a) === 4)).toBe(true);
    const seeds = Array.from({ length: 1_000 }, (_, i) => seedAddress(i));
    expect(new Set(seeds).size).toBe(seeds.length);
    expect(seeds.some((a) => users.includes(a))).toBe(false);
  });
});

describe('percentile', () => {
  it('takes the nearest rank', () => {
    const sorted = Array.from({ length: 1_000 }, (_, i) => i + 1);
    expect(percentile(sorted, 50)).toBe(500);
    expect(percentile(sorted, 99)).toBe(990);
    expect(percentile(sorted, 99.9)).toBe(999);
    expect(percentile(sorted, 100)).toBe(1_000);
    expect(percentile([7], 99.9)).toBe(7);
    expect(percentile([], 50)).toBeNaN();
  });
});

describe('--attack', () => {
  it('names kinds, kept in their round-robin order; none named is all of them; an unknown one is refused by name', () => {
    expect(attackKinds(undefined)).toEqual([...ATTACK_KINDS]);
    expect(attackKinds('deep, batch')).toEqual(['batch', 'deep']);
    expect(() => attackKinds('batch,flood')).toThrow(/not "flood"/);
  });
});
