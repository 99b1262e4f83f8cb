/**
 * What every step of the request pipeline and every route handler produces: an answer, written to
 * the wire by `writeAnswer`. A step that refuses a request returns its answer and the pipeline stops.
 */
import type { ServerResponse } from 'node:http';

export interface Answer {
  status: number;
  /** A JSON value, or JSON text already serialized. */
  body?: unknown;
  jsonText?: string;
  headers?: Record<string, string>;
  /** A non-JSON body (the SDK file). */
  raw?: { contentType: string; data: Buffer };
  /** One short line for the server's log (a refusal worth noticing), never a stack trace. */
  logLine?: string;
}

/** A step that either finds what the next steps need, or refuses the request with an answer. */
export type StepResult<T> = ({ ok: true } & T) | { ok: false; answer: Answer };

export const BASE_HEADERS = {
  'X-Content-Type-Options': 'nosniff',
  'Cache-Control': 'no-store',
  // A JSON answer opened as a page runs nothing and cannot be framed.
  'Content-Security-Policy': "default-src 'none'; frame-ancestors 'none'",
  'Referrer-Policy': 'no-referrer',
};

export function fail(status: number, code: string, error: string, extra: Record<string, unknown> = {}): Answer {
  return { status, body: { error, code, ...extra } };
}

/** Writes an answer, its own headers over `extraHeaders` over the base headers; nothing if the response is gone. */
export function writeAnswer(res: ServerResponse, answer: Answer, extraHeaders: Record<string, string>): void {
  if (res.headersSent || res.destroyed) return;
  if (answer.raw) {
    res.writeHead(answer.status, {
      ...BASE_HEADERS,
      ...extraHeaders,
      ...answer.headers,
      'Content-Type': answer.raw.contentType,
      'Content-Length': answer.raw.data.length,
    });
    res.end(answer.raw.data);
    return;
  }
  if (answer.status === 204) {
    res.writeHead(204, { ...BASE_HEADERS, ...extraHeaders, ...answer.headers });
    res.end();
    return;
  }
  // '<' only ever stands inside JSON strings, where \u003c means the same: no answer can read as markup.
  const text = (answer.jsonText ?? JSON.stringify(answer.body ?? null)).replace(/</g, '\\u003c');
  res.writeHead(answer.status, {
    ...BASE_HEADERS,
    ...extraHeaders,
    ...answer.headers,
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
  });
  res.end(text);
}
