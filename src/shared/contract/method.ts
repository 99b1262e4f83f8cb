/**
 * The building blocks of the contract's per-domain tables: a method is the zod schema of its single
 * argument plus (as a phantom type) its result, and a domain's handlers are typed from its table.
 */
import { z } from 'zod';
import { insecureTokenUrlReason } from '../secure-url';

export interface MethodSpec<I extends z.ZodType, O> {
  input: I;
  /** Never set: carries the result type. */
  readonly output?: O;
}

export function method<O>() {
  return <I extends z.ZodType>(input: I): MethodSpec<I, O> => ({ input });
}

/** A table of methods, as each domain's contract file declares it. */
export type MethodTable = Record<string, MethodSpec<z.ZodType, unknown>>;

/** The result a method answers with. */
export type OutputOf<S> = S extends MethodSpec<z.ZodType, infer O> ? O : never;

/** What the backend implements for a table: one function per method, receiving the validated argument. */
export type HandlersFor<M extends MethodTable> = {
  [K in keyof M]: (arg: z.output<M[K]['input']>) => OutputOf<M[K]> | Promise<OutputOf<M[K]>>;
};

export const noArgs = z.object({}).strict();
export const epochMs = z.number().int().min(0).max(8.64e15);
/** An http(s) URL, as a delivery server's or a sync source's address. */
export const httpUrl = (error: string) => z.url({ protocol: /^https?$/, error }).max(2000);
/**
 * An http(s) URL a bearer token is sent to: https, or http on loopback only (src/shared/secure-url.ts).
 * The error names the URL and why.
 */
export const tokenUrl = (error: string) =>
  httpUrl(error).superRefine((text, ctx) => {
    const reason = insecureTokenUrlReason(text);
    if (reason !== null) ctx.addIssue({ code: 'custom', message: reason });
  });
