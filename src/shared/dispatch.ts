import type { z } from 'zod';
import { ApiError, toErrorData, type Envelope } from './errors';
import { nestsDeeperThan, tooDeep } from './json-depth';
import { isMethodName, methods, type Handlers, type MethodArg, type MethodName } from './contract';

function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => {
      const where = issue.path.length > 0 ? issue.path.join('.') : 'argument';
      return `${where}: ${issue.message}`;
    })
    .join('; ');
}

/** Validates a raw call against the contract. Throws an ApiError that says which field is wrong. */
export function validateCall<K extends MethodName>(name: unknown, raw: unknown): { name: K; arg: MethodArg<K> } {
  if (!isMethodName(name)) {
    throw new ApiError('unknown_method', `Unknown method ${JSON.stringify(name)}.`);
  }
  // Before zod recurses over it: a call's argument (a rule, a workshop) never nests anywhere near this deep.
  if (nestsDeeperThan(raw)) throw new ApiError('invalid_argument', `Invalid argument for ${name}: ${tooDeep('it')}.`);
  const parsed = methods[name].input.safeParse(raw === undefined ? {} : raw);
  if (!parsed.success) {
    throw new ApiError('invalid_argument', `Invalid argument for ${name}: ${describeIssues(parsed.error)}.`);
  }
  return { name: name as K, arg: parsed.data as MethodArg<K> };
}

/** Validates and runs one call against a handler table, turning every failure into an error envelope. */
export async function dispatch(handlers: Handlers, name: unknown, raw: unknown): Promise<Envelope<unknown>> {
  try {
    const call = validateCall(name, raw);
    const handler = handlers[call.name] as (arg: unknown) => unknown;
    const value = await handler(call.arg);
    return { ok: true, value };
  } catch (err) {
    return { ok: false, error: toErrorData(err) };
  }
}
