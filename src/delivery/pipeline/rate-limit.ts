/**
 * The rate limit: a token bucket per key (the caller's credential and client address), `perMinute`
 * requests in a burst, refilled evenly over a minute; time comes from the injected clock. Only the
 * admin and client endpoints are limited, and a failed credential counts against its address too.
 */
import type { IncomingHttpHeaders } from 'node:http';
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
    /** Requests per minute per key; 0 turns the limit off. */
    readonly perMinute: number,
    private readonly clock: () => number,
  ) {
    this.perMs = perMinute / 60_000;
  }

  take(key: string): RateDecision {
    if (this.perMinute <= 0) return { ok: true };
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
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return { ok: true };
    }
    return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - bucket.tokens) / this.perMs / 1000)) };
  }

  private sweep(now: number): void {
    for (const [key, bucket] of this.buckets) {
      if (bucket.tokens + Math.max(0, now - bucket.at) * this.perMs >= this.perMinute) this.buckets.delete(key);
    }
  }
}

/** The caller's address: the socket's, or with a trusted proxy the last X-Forwarded-For entry. */
export function clientAddress(headers: IncomingHttpHeaders, remoteAddress: string | undefined, trustProxy: boolean): string {
  if (trustProxy) {
    const forwarded = headers['x-forwarded-for'];
    const list = (Array.isArray(forwarded) ? forwarded.join(',') : (forwarded ?? '')).split(',');
    // The proxy appends the address it saw: the last entry is the one nobody upstream could forge.
    const last = list[list.length - 1]?.trim();
    if (last) return last;
  }
  return remoteAddress ?? 'unknown';
}

/** The bucket a request draws from. Failed attempts from one address share one: guessing keys is limited too. */
export function rateKey(access: Access, authorized: boolean, address: string): string {
  return `${authorized ? access : 'unauthorized'}|${address}`;
}

/** Takes one request from the key's bucket; a 429 with Retry-After when it is empty. */
export function refuseOverLimit(limiter: RateLimiter, key: string): Answer | undefined {
  const rate = limiter.take(key);
  if (rate.ok) return undefined;
  const seconds = String(rate.retryAfterSeconds);
  const answer = fail(429, 'rate_limited', `Too many requests: try again in ${seconds} s.`);
  answer.headers = { 'Retry-After': seconds };
  return answer;
}
