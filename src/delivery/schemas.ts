/**
 * What the delivery server accepts: the bodies of its endpoints, validated with zod. Unknown fields
 * are ignored (zod objects strip them); authored objects (content, traits, properties) are kept as
 * they arrived, never rebuilt, so a key such as "__proto__" stays plain data.
 */
import { z } from 'zod';
import { parseTimestamp } from '../shared/event-spec';
import { parseRule, referencedSegments, type PropertyFilter, type Rule } from '../shared/segments/rule';
import { ENVIRONMENTS, MESSAGE_ID_PATTERN, MESSAGE_KINDS, type Environment, type MessageKind } from '../shared/messages/model';

// Kinds, environments and message ids are one definition, shared with the companion that authors messages.
export { ENVIRONMENTS, MESSAGE_KINDS, type Environment, type MessageKind };
export type MessageState = 'running' | 'paused' | 'ended';

/** Message ids: what a URL path segment carries without escaping. */
export const MESSAGE_ID = MESSAGE_ID_PATTERN;

export type JsonObject = Record<string, unknown>;

export function isPlainObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const plainObject = (what: string): z.ZodType<JsonObject> => z.custom<JsonObject>(isPlainObject, { message: `${what} must be a JSON object` });

/**
 * A message's texts (title, body, question, labels) are at most this long each, and its content this
 * many bytes of compact JSON: every visitor's browser parses and renders them. The companion's own
 * editor caps a body at the same 4,000 characters (src/shared/messages/model.ts).
 */
export const MAX_CONTENT_TEXT = 4_000;
export const MAX_CONTENT_BYTES = 16 * 1024;

/** The first text in a content value longer than MAX_CONTENT_TEXT, as its path; null when none. */
function overlongText(value: unknown, path: string): string | null {
  if (typeof value === 'string') return value.length > MAX_CONTENT_TEXT ? path : null;
  if (typeof value !== 'object' || value === null) return null;
  for (const [key, item] of Object.entries(value)) {
    const found = overlongText(item, Array.isArray(value) ? `${path}[${key}]` : `${path}.${key}`);
    if (found) return found;
  }
  return null;
}

const messageContent = plainObject('content').superRefine((content, ctx) => {
  const bytes = Buffer.byteLength(JSON.stringify(content));
  if (bytes > MAX_CONTENT_BYTES) ctx.addIssue({ code: 'custom', message: `is ${bytes} bytes of JSON, more than the ${MAX_CONTENT_BYTES} a message may carry` });
  const long = overlongText(content, 'content');
  if (long) ctx.addIssue({ code: 'custom', message: `${long} is longer than ${MAX_CONTENT_TEXT} characters` });
});

/** An ISO 8601 instant with a time zone, read by the same parser as event timestamps. */
const instant = z
  .string()
  .max(64)
  .refine((text) => typeof parseTimestamp(text) === 'number' && !/^-?\d+(\.\d+)?$/.test(text.trim()), {
    message: 'must be an ISO 8601 instant with Z or an offset, such as 2026-06-01T09:00:00Z',
  });

/** Rewrites the rule validator's "condition 1 › filter 2 › value" for a trigger's where list. */
function whereIssue(text: string): string {
  return text.replace(/^condition 1 › /, '');
}

const triggerSchema = z
  .object({
    page: z.string().min(1, 'page pattern must not be empty').max(2048).optional(),
    event: z
      .object({
        name: z.string().min(1, 'name the event').max(200),
        where: z.array(z.unknown()).max(20).optional(),
      })
      .optional(),
    delaySeconds: z.number().min(0, 'cannot be negative').max(86_400, 'must be at most 86400 (one day)').optional(),
  })
  .superRefine((trigger, ctx) => {
    if (!trigger.event?.where) return;
    const check = eventFilters(trigger.event.name, trigger.event.where);
    if (!check.ok) {
      for (const message of check.errors) ctx.addIssue({ code: 'custom', message: whereIssue(message), path: ['event', 'where'] });
    }
  });

/**
 * Validates a trigger's property filters with the rule model's own validator (an event condition's
 * `where`), so a trigger filter means exactly what a segment filter means.
 */
export function eventFilters(name: string, where: unknown[]): { ok: true; where: PropertyFilter[] } | { ok: false; errors: string[] } {
  const parsed = parseRule({ version: 1, match: 'all', conditions: [{ type: 'event', event: name, op: '>=', count: 0, where }] });
  if (!parsed.ok) return parsed;
  const condition = parsed.rule.conditions[0];
  return { ok: true, where: condition?.type === 'event' ? (condition.where ?? []) : [] };
}

/**
 * A message's goal (issue 19): an event, with property filters validated as a trigger's (a rule's event
 * condition's `where`), performed within `withinDays` of the user's assignment. Stored and echoed back;
 * decide ignores it (the companion measures lift from it).
 */
const goalSchema = z
  .object({
    event: z.string().min(1, 'name the goal event').max(200),
    where: z.array(z.unknown()).max(20).optional(),
    withinDays: z.int('must be a whole number of days').min(1, 'must be at least 1 day').max(365, 'must be at most 365 days').default(14),
  })
  .superRefine((goal, ctx) => {
    if (!goal.where) return;
    const check = eventFilters(goal.event, goal.where);
    if (!check.ok) {
      for (const message of check.errors) ctx.addIssue({ code: 'custom', message: whereIssue(message), path: ['where'] });
    }
  });

/** The most of a message's eligible users a holdout may keep back (percent). */
export const MAX_HOLDOUT = 50;

export const publishSchema = z
  .object({
    kind: z.enum(MESSAGE_KINDS),
    content: messageContent,
    rule: z.unknown().transform((rule, ctx): Rule => {
      const parsed = parseRule(rule);
      if (!parsed.ok) {
        for (const message of parsed.errors) ctx.addIssue({ code: 'custom', message });
        return z.NEVER;
      }
      const refs = referencedSegments(parsed.rule.conditions);
      if (refs.length > 0) {
        ctx.addIssue({
          code: 'custom',
          message: `still refers to the saved segment “${refs[0]}”: inline every segment reference before publishing`,
        });
        return z.NEVER;
      }
      return parsed.rule;
    }),
    trigger: triggerSchema.default({}),
    frequency: z
      .object({
        once: z.boolean().optional(),
        everyDays: z.number().gt(0, 'must be more than 0').max(36_500).optional(),
        maxTimes: z.int('must be a whole number').min(1, 'must be at least 1').max(1_000_000).optional(),
      })
      .default({}),
    cooldownHours: z.number().min(0, 'cannot be negative').max(87_600).optional(),
    schedule: z
      .object({ start: instant.optional(), end: instant.optional() })
      .default({})
      .refine((s) => s.start === undefined || s.end === undefined || (parseTimestamp(s.start) as number) < (parseTimestamp(s.end) as number), {
        message: 'start must be before end',
      }),
    rollout: z.number().min(0, 'must be 0 to 100').max(100, 'must be 0 to 100').default(100),
    priority: z.int('must be a whole number').min(-1_000_000).max(1_000_000).default(0),
    goal: goalSchema.optional(),
    /** Percent of the users who pass every check held back as a control group; fixed after the first publish. */
    holdout: z.number().min(0, `must be 0 to ${MAX_HOLDOUT}`).max(MAX_HOLDOUT, `must be 0 to ${MAX_HOLDOUT}`).default(0),
    environment: z.enum(ENVIRONMENTS),
    version: z.int('must be a whole number').min(1, 'must be at least 1').max(Number.MAX_SAFE_INTEGER),
  });

export type PublishBody = z.infer<typeof publishSchema>;

const userId = z.union([z.string().min(1, 'must not be empty').max(200), z.number().refine(Number.isFinite, 'must be finite')]).transform(String);

export const decideSchema = z.object({
  userId,
  url: z.string().max(4096).optional(),
  event: z.object({ name: z.string().min(1).max(200), properties: plainObject('event.properties').optional() }).optional(),
  environment: z.enum(ENVIRONMENTS).default('production'),
});
export type DecideBody = z.infer<typeof decideSchema>;

export const identifySchema = z.object({
  userId,
  traits: plainObject('traits').optional(),
  timestamp: z.union([z.string(), z.number()]).optional(),
  messageId: z.union([z.string().min(1).max(200), z.number()]).optional(),
});

/**
 * A group call (the Segment spec's group): the user says they belong to the account `groupId`, and sets
 * some of its traits. The groupId is the client's claim, taken as sent: identity verification does not
 * cover it. A numeric groupId keeps the digits JSON gave it.
 */
export const groupSchema = z.object({
  userId,
  groupId: z
    .union([z.string().min(1, 'must not be empty').max(200, 'is longer than 200 characters'), z.number().refine(Number.isFinite, 'must be finite')])
    .transform(String),
  traits: plainObject('traits').optional(),
  timestamp: z.union([z.string(), z.number()]).optional(),
  messageId: z.union([z.string().min(1).max(200), z.number()]).optional(),
});

/** The most records one track batch may hold (stored in slices: ingest.ts INGEST_SLICE_RECORDS). */
export const MAX_BATCH_RECORDS = 5_000;

export const trackSchema = z.object({
  batch: z.array(z.unknown()).min(1, 'send at least one event').max(MAX_BATCH_RECORDS),
});

export const exportQuerySchema = z.object({
  after: z
    .string()
    .regex(/^\d{1,15}$/, 'is not a cursor this server gave out')
    .optional(),
  limit: z
    .string()
    .regex(/^\d{1,9}$/, 'must be a whole number from 1 to 1000')
    .transform(Number)
    .refine((n) => n >= 1, 'must be at least 1')
    .optional(),
});

/** Zod issues as short sentences: "trigger › delaySeconds: cannot be negative". */
export function describeIssues(error: z.ZodError): string[] {
  return error.issues.slice(0, 10).map((issue) => {
    const where = issue.path.map(String).join(' › ');
    return where === '' ? issue.message : `${where}: ${issue.message}`;
  });
}
