/**
 * Errors that cross a boundary (IPC, the HTTP bridge, the CLI) travel as plain data:
 * a stable code for programs and a sentence for people.
 */
export type ApiErrorCode =
  | 'invalid_argument'
  | 'unknown_method'
  | 'not_found'
  | 'conflict'
  | 'cancelled'
  | 'database_too_new'
  | 'database_error'
  | 'forbidden'
  /** A server or source could not be reached: offline is a normal state, not a failure of ours. */
  | 'unavailable'
  | 'internal';

export interface ApiErrorData {
  code: ApiErrorCode;
  message: string;
}

export class ApiError extends Error {
  readonly code: ApiErrorCode;
  constructor(code: ApiErrorCode, message: string) {
    super(message);
    this.name = 'ApiError';
    this.code = code;
  }
  toData(): ApiErrorData {
    return { code: this.code, message: this.message };
  }
}

/** What a call returns over any transport: a value, or an error that says what went wrong. */
export type Envelope<T> = { ok: true; value: T } | { ok: false; error: ApiErrorData };

export function toErrorData(err: unknown): ApiErrorData {
  if (err instanceof ApiError) return err.toData();
  if (err instanceof Error) return { code: 'internal', message: err.message };
  return { code: 'internal', message: String(err) };
}

export function unwrap<T>(envelope: Envelope<T>): T {
  if (envelope.ok) return envelope.value;
  throw new ApiError(envelope.error.code, envelope.error.message);
}

/** Ends an exhaustive switch: the compiler proves it unreachable, and at run time it names the stray case. */
export function missingCase(value: never): never {
  throw new Error(`Unhandled case: ${JSON.stringify(value)}`);
}
