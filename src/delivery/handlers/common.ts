/** What the route handlers share: the timestamp format of every answer, and the 400 for a body or query that fails its schema. */
import { fail, type Answer } from '../pipeline/answer';

export const iso = (ts: number): string => new Date(ts).toISOString();

export function invalid(what: string, issues: string[]): Answer {
  return fail(400, 'invalid_argument', `${what} is not valid: ${issues.join('; ')}`, { issues });
}
