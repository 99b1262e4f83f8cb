/**
 * Idempotency for the admin changes: a change sent with an Idempotency-Key is applied once; a repeat
 * of the same request replays the stored answer, and the key reused for a different request is refused.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { hashHex } from '../../shared/hash';
import type { DeliveryStore } from '../store';
import { fail, type Answer, type StepResult } from './answer';

/** How long a key is remembered. */
export const IDEMPOTENCY_TTL_MS = 30 * 86_400_000;

/** What the step needs of the store: the remembered answers, and a transaction around the change. */
export type IdempotencyStore = Pick<DeliveryStore, 'idempotent' | 'saveIdempotent' | 'pruneIdempotency' | 'transaction'>;

/** The request's Idempotency-Key (undefined: none sent), refused unless it is 1 to 255 visible ASCII characters. */
export function idempotencyKey(headers: IncomingHttpHeaders): StepResult<{ key: string | undefined }> {
  const header = headers['idempotency-key'];
  const key = typeof header === 'string' ? header : undefined;
  if (key !== undefined && (key.length < 1 || key.length > 255 || !/^[\x21-\x7e]+$/.test(key))) {
    return { ok: false, answer: fail(400, 'invalid_argument', 'An Idempotency-Key is 1 to 255 visible ASCII characters.') };
  }
  return { ok: true, key };
}

/** What makes two requests the same request: method, path as sent, and body text. */
export function requestHash(method: string, pathname: string, bodyText: string): string {
  return hashHex(`${method} ${pathname}\n${bodyText}`);
}

/** Runs an admin change once per Idempotency-Key: a repeat replays the stored answer and changes nothing. */
export function runOnce(store: IdempotencyStore, key: string | undefined, hash: string, now: number, change: () => Answer): Answer {
  if (key === undefined) return change();
  const prior = store.idempotent(key);
  if (prior) {
    if (prior.request_hash !== hash) {
      return fail(422, 'invalid_argument', 'This Idempotency-Key was already used for a different request. Use a new key for a new request.');
    }
    return { status: prior.status, jsonText: prior.body, headers: { 'Idempotent-Replayed': 'true' } };
  }
  return store.transaction(() => {
    const answer = change();
    // Only what was applied is remembered: a refused request changed nothing and may be corrected.
    if (answer.status >= 200 && answer.status < 300) {
      store.saveIdempotent(key, hash, answer.status, answer.jsonText ?? JSON.stringify(answer.body), now);
      store.pruneIdempotency(now - IDEMPOTENCY_TTL_MS);
    }
    return answer;
  });
}
