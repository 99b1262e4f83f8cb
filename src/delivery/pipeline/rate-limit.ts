/**
 * The rate limit: token buckets per key (the caller's credential and client network), each holding
 * `perMinute` units in a burst, refilled evenly over a minute; time comes from the injected clock.
 * Requests are counted before the body is read; the records and bytes a body carries are counted
 * after, so one request of 5,000 records costs what 5,000 requests of one would. Only the admin and
 * client endpoints are limited, and a failed credential counts against its address too.
 *
 * A client network is an IPv4 address, or an IPv6 /64: one subscriber usually holds a whole /64, so
 * rotating through its addresses must not buy fresh buckets.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { isIPv6 } from 'node:net';
import { fail, type Answer } from './answer';
import type { Access } from './route';

export type RateDecision = { ok: true } | { ok: false; retryAfterSeconds: number };

interface Bucket {
  tokens: number;
  at: number;
}

/** Above this many tracked keys, full buckets (which carry no information) are dropped. */
const SWEEP_AT = 50_000;

export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly perMs: number;

  constructor(
    /** Units (requests, records or bytes) per minute per key; 0 turns the limit off. */
    readonly perMinute: number,
    private readonly clock: () => number,
  ) {
    this.perMs = perMinute / 60_000;
  }

  /** Takes `cost` units; a cost above the whole burst takes the full bucket (and so needs it full). */
  take(key: string, cost = 1): RateDecision {
    if (this.perMinute <= 0) return { ok: true };
    const units = Math.min(cost, this.perMinute);
    const now = this.clock();
    let bucket = this.buckets.get(key);
    if (!bucket) {
      if (this.buckets.size >= SWEEP_AT) this.sweep(now);
      bucket = { tokens: this.perMinute, at: now };
      this.buckets.set(key, bucket);
    } else {
      bucket.tokens = Math.min(this.perMinute, bucket.tokens + Math.max(0, now - bucket.at) * this.perMs);
      bucket.at = now;
    }
    if (bucket.tokens >= units) {
      bucket.tokens -= units;
      return { ok: true };
    }
    return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((units - bucket.tokens) / this.perMs / 1000)) };
  }

  private sweep(now: number): void {
    for (const [key, bucket] of this.buckets) {
      if (bucket.tokens + Math.max(0, now - bucket.at) * this.perMs >= this.perMinute) this.buckets.delete(key);
    }
  }
}

/**
 * The caller's address: the socket's, or behind `proxyHops` trusted reverse proxies the entry of
 * X-Forwarded-For that the outermost of them appended. Each proxy appends the address it saw, so with
 * n proxies the n-th entry from the end is the client as the first proxy saw it; anything before it
 * is the client's own claim. Fewer entries than hops: the first one.
 */
export function clientAddress(headers: IncomingHttpHeaders, remoteAddress: string | undefined, proxyHops: number): string {
  if (proxyHops > 0) {
    const forwarded = headers['x-forwarded-for'];
    const list = (Array.isArray(forwarded) ? forwarded.join(',') : (forwarded ?? ''))
      .split(',')
      .map((entry) => entry.trim())
      .filter((entry) => entry !== '');
    const entry = list[Math.max(0, list.length - proxyHops)];
    if (entry) return entry;
  }
  return remoteAddress ?? 'unknown';
}

/** The network an address's requests are counted under: an IPv4 address as it is, an IPv6 address's /64. */
export function clientNetwork(address: string): string {
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(address);
  if (mapped) return mapped[1] as string;
  const bare = address.split('%')[0] as string;
  if (!isIPv6(bare)) return address;
  const [head = '', tail] = bare.split('::');
  const groups = (part: string | undefined): string[] => (part ? part.split(':').flatMap((g) => (g.includes('.') ? ['0', '0'] : [g])) : []);
  const front = groups(head);
  const back = groups(tail);
  const all = tail === undefined ? front : [...front, ...Array<string>(8 - front.length - back.length).fill('0'), ...back];
  return `${all
    .slice(0, 4)
    .map((g) => parseInt(g, 16).toString(16))
    .join(':')}::/64`;
}

/** The bucket a request draws from. Failed attempts from one network share one: guessing keys is limited too. */
export function rateKey(access: Access, authorized: boolean, address: string): string {
  return `${authorized ? access : 'unauthorized'}|${clientNetwork(address)}`;
}

/** A 429 with Retry-After, saying what ran out. */
function overLimit(what: string, retryAfterSeconds: number): Answer {
  const seconds = String(retryAfterSeconds);
  const answer = fail(429, 'rate_limited', `${what}: try again in ${seconds} s.`);
  answer.headers = { 'Retry-After': seconds };
  return answer;
}

/** Takes one request from the key's bucket; a 429 with Retry-After when it is empty. */
export function refuseOverLimit(limiter: RateLimiter, key: string): Answer | undefined {
  const rate = limiter.take(key);
  return rate.ok ? undefined : overLimit('Too many requests', rate.retryAfterSeconds);
}

/** Records and bytes per minute per key, beside the requests. */
export interface VolumeLimits {
  records: RateLimiter;
  bytes: RateLimiter;
}

/** A burst of this many records (or KB of body) per request allowed a minute: the volume limits scale with the request limit. */
export const RECORDS_PER_REQUEST = 25;
export const BYTES_PER_REQUEST = 25 * 1024;

export function volumeLimits(requestsPerMinute: number, clock: () => number): VolumeLimits {
  return {
    records: new RateLimiter(requestsPerMinute * RECORDS_PER_REQUEST, clock),
    bytes: new RateLimiter(requestsPerMinute * BYTES_PER_REQUEST, clock),
  };
}

/** The records a body carries: a batch's elements, else one. */
export function recordsIn(body: unknown): number {
  if (typeof body !== 'object' || body === null) return 1;
  const batch = (body as { batch?: unknown }).batch;
  return Array.isArray(batch) ? Math.max(1, batch.length) : 1;
}

/** Takes a read body's records and bytes from the key's buckets; a 429 with Retry-After when either runs short. */
export function refuseOverVolume(limits: VolumeLimits, key: string, records: number, bytes: number): Answer | undefined {
  const byRecords = limits.records.take(key, records);
  if (!byRecords.ok) return overLimit(`Too many records (${records} in this request)`, byRecords.retryAfterSeconds);
  const byBytes = limits.bytes.take(key, bytes);
  return byBytes.ok ? undefined : overLimit(`Too much data (${bytes} bytes in this request)`, byBytes.retryAfterSeconds);
}
