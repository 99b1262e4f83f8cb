/**
 * The body: POST, PUT and DELETE bodies are read up to the route's cap (or the client cap, for a
 * route that takes none), and parsed as JSON for the routes that take one. A body past its cap is
 * drained a little so the client still reads its 413.
 */
import { parseJsonWithExactIds } from '../../shared/exact-ids';
import { nestsDeeperThan, tooDeep } from '../../shared/json-depth';
import { fail, type Answer, type StepResult } from './answer';
import { MAX_CLIENT_BODY, type RouteSpec } from './route';

/** After a body passes its cap, at most this much more is read (and dropped) so the client still gets its 413. */
export const MAX_DRAIN_BYTES = 4 * 1024 * 1024;

/** What readBody needs of an IncomingMessage. */
export interface BodySource {
  on(event: 'data', listener: (chunk: Buffer) => void): unknown;
  on(event: 'end' | 'close', listener: () => void): unknown;
  on(event: 'error', listener: (err: Error) => void): unknown;
  destroy(): unknown;
  /** True once the whole message arrived. */
  readonly complete: boolean;
}

export type BodyRead = { ok: true; data: Buffer } | { ok: false };

/** Reads a body up to `max` bytes; a larger one is drained (up to a bound) and reported as too large. Rejects if the client goes away. */
export function readBody(source: BodySource, max: number): Promise<BodyRead> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    source.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (tooLarge) {
        if (size > max + MAX_DRAIN_BYTES) source.destroy();
        return;
      }
      if (size > max) {
        tooLarge = true;
        chunks.length = 0;
        return;
      }
      chunks.push(chunk);
    });
    source.on('end', () => resolve(tooLarge ? { ok: false } : { ok: true, data: Buffer.concat(chunks) }));
    source.on('error', reject);
    source.on('close', () => {
      if (!source.complete) reject(new Error('the client went away'));
    });
  });
}

/** The largest body a route reads: its own cap, or the client cap for a route whose body is not JSON. */
export function bodyLimit(spec: RouteSpec): number {
  return spec.maxBody > 0 ? spec.maxBody : MAX_CLIENT_BODY;
}

/** A Content-Length so far past the cap that the body is not worth reading: 413 at once, and the connection closes. */
export function refuseDeclaredSize(declaredLength: string | undefined, limit: number): Answer | undefined {
  const declared = Number(declaredLength);
  if (!Number.isFinite(declared) || declared <= limit + MAX_DRAIN_BYTES) return undefined;
  const answer = fail(413, 'too_large', `The body is larger than ${limit} bytes.`);
  answer.headers = { Connection: 'close' };
  return answer;
}

export type Body = { text: string; json: unknown };

/** No body read: the method carries none. */
export const NO_BODY: Body = { text: '', json: undefined };

/** The body as JSON (routes with a JSON body) or as nothing; its text is kept for the idempotency hash. */
export function parseBody(read: BodyRead, spec: RouteSpec): StepResult<Body> {
  if (!read.ok) return { ok: false, answer: fail(413, 'too_large', `The body is larger than ${bodyLimit(spec)} bytes.`) };
  const text = read.data.toString('utf8');
  if (spec.maxBody <= 0) return { ok: true, text, json: undefined };
  if (text.trim() === '') return { ok: false, answer: fail(400, 'invalid_argument', 'The body is empty: send a JSON object.') };
  let json: unknown;
  try {
    // A numeric userId keeps its digits (exact-ids.ts): 9007199254740993 is not user 9007199254740992.
    json = parseJsonWithExactIds(text);
  } catch (err) {
    return { ok: false, answer: fail(400, 'invalid_argument', `The body is not valid JSON: ${(err as Error).message}`) };
  }
  // Before any handler (zod, canonical JSON) recurses over it: 6,000 levels overflowed the stack, a 500 per request.
  if (nestsDeeperThan(json)) {
    const reason = tooDeep('The body');
    return { ok: false, answer: { ...fail(400, 'too_deep', `${reason}.`), logLine: reason } };
  }
  return { ok: true, text, json };
}

/** Whether the method carries a body the server reads. */
export function hasBody(method: string): boolean {
  return method === 'POST' || method === 'PUT' || method === 'DELETE';
}

/** The body step: the body read and parsed, or its refusal; `answer: null` when the client went away mid-body (nobody to answer). */
export async function takeBody(
  source: BodySource,
  method: string,
  spec: RouteSpec,
  declaredLength: string | undefined,
): Promise<StepResult<Body> | { ok: false; answer: null }> {
  if (!hasBody(method)) return { ok: true, ...NO_BODY };
  const tooLarge = refuseDeclaredSize(declaredLength, bodyLimit(spec));
  if (tooLarge) return { ok: false, answer: tooLarge };
  let read: BodyRead;
  try {
    read = await readBody(source, bodyLimit(spec));
  } catch {
    return { ok: false, answer: null };
  }
  return parseBody(read, spec);
}
