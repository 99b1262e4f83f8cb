/**
 * Idempotency for the admin changes: a change sent with an Idempotency-Key is applied once; a repeat
 * of the same request replays the stored answer, and the key reused for a different request is refused.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { hashHex } from '../../shared/hash';
import type { DeliveryEngine } from '../engine/types';
import { fail, type Answer, type StepResult } from './answer';

/** How long a key is remembered. */
export const IDEMPOTENCY_TTL_MS = 30 * 86_400_000;

/** What the step needs of the engine: the remembered answers, and same-key changes taking turns. */
export type IdempotencyStore = Pick<DeliveryEngine, 'idempotent' | 'saveIdempotent' | 'withIdempotencyKey'>;

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

/**
 * Runs an admin change once per Idempotency-Key: a repeat replays the stored answer and changes nothing.
 * Requests with the same key take turns (on every node of the database), so a repeat sent while the first
 * runs waits and replays its answer. The change and the saved answer are two engine operations: a process
 * that dies between them leaves the change applied and the key free, so the repeat runs the change again
 * and gets the answer the change gives then (a publish of the same version: 409, as without a key).
 */
export async function runOnce(store: IdempotencyStore, key: string | undefined, hash: string, now: number, change: () => Answer | Promise<Answer>): Promise<Answer> {
  if (key === undefined) return change();
  const replay = (prior: { request_hash: string; status: number; body: string }): Answer => {
    if (prior.request_hash !== hash) {
      return fail(422, 'invalid_argument', 'This Idempotency-Key was already used for a different request. Use a new key for a new request.');
    }
    return { status: prior.status, jsonText: prior.body, headers: { 'Idempotent-Replayed': 'true' } };
  };
  const prior = await store.idempotent(key);
  if (prior) return replay(prior);
  return store.withIdempotencyKey(key, async () => {
    // Read again under the key: a request with the same key may have finished while this one waited.
    const first = await store.idempotent(key);
    if (first) return replay(first);
    const answer = await change();
    // Only what was applied is remembered: a refused request changed nothing and may be corrected.
    if (answer.status < 200 || answer.status >= 300) return answer;
    const body = answer.jsonText ?? JSON.stringify(answer.body);
    const saved = await store.saveIdempotent({ key, requestHash: hash, status: answer.status, body, now }, now - IDEMPOTENCY_TTL_MS);
    return saved.saved ? answer : replay(saved.stored);
  });
}
