/**
 * From an authored message to the delivery server's publish body (PUT /v1/messages/{id}), checked with
 * the server's own validator, and the field-by-field diff against the version the server has.
 */
import type { z } from 'zod';
import { publishSchema } from '../../delivery/schemas';
import { ApiError } from '../../shared/errors';
import { kindContent, messageSchema, type MessageDraft } from '../../shared/messages/model';
import type { Rule } from '../../shared/segments/rule';

/** Zod issues as "modal › cta › url: must be an http(s) URL…". */
export function describeIssues(error: z.ZodError, limit = 10): string[] {
  return error.issues.slice(0, limit).map((issue) => {
    const where = issue.path.map(String).join(' › ');
    return where === '' ? issue.message : `${where}: ${issue.message}`;
  });
}

/** Validates a draft from outside, or throws invalid_argument naming every field that is wrong. */
export function requireMessage(input: unknown): MessageDraft {
  const parsed = messageSchema.safeParse(input);
  if (!parsed.success) {
    throw new ApiError('invalid_argument', `The message cannot be saved: ${describeIssues(parsed.error).join('; ')}.`);
  }
  return parsed.data;
}

/** Drops undefined members so the body is plain JSON, and equal bodies are equal as text. */
function defined<T extends Record<string, unknown>>(object: T): Partial<T> {
  return Object.fromEntries(Object.entries(object).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/**
 * The content of the kind in use, in the shape the SDK renders, with its own language whenever the
 * author gave one (so a message written in Arabic alone still renders right to left, and its answers
 * record "ar") and its translations when it has any.
 */
export function contentOf(message: MessageDraft): Record<string, unknown> {
  const content = kindContentOf(message);
  const translations = message.translations;
  const translated = translations !== undefined && Object.keys(translations).length > 0;
  // A message without a language of its own or translations keeps the body it always had (published bodies compare equal).
  if (!translated && message.defaultLocale === undefined) return content;
  // locale.ts: the default language and every translation travel inside the content, so the server's
  // content size cap counts them and the SDK picks one without another request.
  return { ...content, locale: message.defaultLocale ?? 'en', ...(translated ? { translations } : {}) };
}

function kindContentOf(message: MessageDraft): Record<string, unknown> {
  if (message.kind === 'modal') {
    const m = message.modal;
    if (!m) throw new ApiError('invalid_argument', 'modal: write the modal: title, body, call to action.');
    return defined({
      title: m.title,
      body: m.body,
      imageUrl: m.imageUrl,
      imageAlt: m.imageAlt,
      cta: defined({ label: m.cta.label, url: m.cta.url, action: m.cta.action, newTab: m.cta.newTab }),
      dismissLabel: m.dismissLabel,
    });
  }
  if (message.kind === 'nps') {
    const n = message.nps;
    if (!n) throw new ApiError('invalid_argument', 'nps: write the survey: question and labels.');
    return {
      question: n.question,
      lowLabel: n.lowLabel,
      highLabel: n.highLabel,
      followUp: { promoter: n.followUp.promoter, passive: n.followUp.passive, detractor: n.followUp.detractor },
      thankYou: n.thankYou,
    };
  }
  const content = kindContent(message);
  if (!content) throw new ApiError('invalid_argument', `${message.kind}: write the ${message.kind} before publishing.`);
  // Parsed by messageSchema already: plain JSON with no undefined members.
  return JSON.parse(JSON.stringify(content)) as Record<string, unknown>;
}

/** The publish body: content, the target's rule with every segment inlined, and the delivery settings. */
export function buildPublishBody(message: MessageDraft, rule: Rule, version: number): Record<string, unknown> {
  const trigger = defined({
    page: message.trigger.page,
    event: message.trigger.event ? defined({ name: message.trigger.event.name, where: message.trigger.event.where }) : undefined,
    delaySeconds: message.trigger.delaySeconds,
  });
  return defined({
    kind: message.kind,
    content: contentOf(message),
    rule,
    trigger,
    frequency: defined({ ...message.frequency }),
    cooldownHours: message.cooldownHours,
    schedule: defined({ ...message.schedule }),
    rollout: message.rollout,
    priority: message.priority,
    goal: message.goal ? defined({ event: message.goal.event, where: message.goal.where, withinDays: message.goal.withinDays }) : undefined,
    // Sent when someone is held out. 0 is the server's default, so a message without a holdout publishes the
    // very body it did before holdouts existed (no spurious diff against its published version).
    holdout: message.holdout ? message.holdout : undefined,
    environment: message.environment,
    version,
  });
}

/** Checks a body with the delivery server's own validator; throws with its reasons. */
export function validatePublishBody(body: unknown): void {
  const parsed = publishSchema.safeParse(body);
  if (!parsed.success) {
    throw new ApiError('invalid_argument', `The delivery server would refuse this message: ${describeIssues(parsed.error).join('; ')}.`);
  }
}

export interface FieldChange {
  path: string;
  before: unknown;
  after: unknown;
}

/**
 * Paths compared as a whole: the rule reads as one sentence in the publish dialog, so a change to its
 * match or conditions is one change of "who sees it", not two rows of its JSON.
 */
const WHOLE_PATHS = new Set(['rule']);

/** Leaves of a JSON value by dotted path; arrays (filters) and the rule compare as a whole. */
function leaves(value: unknown, prefix: string, out: Map<string, unknown>): void {
  if (typeof value === 'object' && value !== null && !Array.isArray(value) && !WHOLE_PATHS.has(prefix)) {
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.length === 0 && prefix !== '') out.set(prefix, {});
    for (const [key, child] of entries) leaves(child, prefix === '' ? key : `${prefix}.${key}`, out);
    return;
  }
  out.set(prefix, value);
}

/** What changes from the published body to the next one, field by field (the version aside). */
export function diffBodies(before: unknown, after: unknown): FieldChange[] {
  const a = new Map<string, unknown>();
  const b = new Map<string, unknown>();
  if (before !== null && before !== undefined) leaves(before, '', a);
  leaves(after, '', b);
  const paths = [...new Set([...a.keys(), ...b.keys()])].filter((p) => p !== 'version');
  const changes: FieldChange[] = [];
  for (const path of paths) {
    const x = a.has(path) ? a.get(path) : null;
    const y = b.has(path) ? b.get(path) : null;
    if (JSON.stringify(x) !== JSON.stringify(y)) changes.push({ path, before: x, after: y });
  }
  return changes;
}

/**
 * The fields of a publish body the server's echo must carry back. A delivery server older than goals
 * and holdouts strips fields it does not know and publishes the rest: the message then runs without a
 * control group. Null when everything arrived; otherwise a warning naming what was dropped.
 */
export function missingFromEcho(sent: unknown, echoed: unknown): string | null {
  const mine = typeof sent === 'object' && sent !== null ? (sent as Record<string, unknown>) : {};
  const theirs = typeof echoed === 'object' && echoed !== null ? (echoed as Record<string, unknown>) : {};
  const dropped: string[] = [];
  for (const field of ['goal', 'holdout'] as const) {
    if (mine[field] === undefined) continue;
    // holdout 0 is the default: an older server that drops it still holds no one out.
    if (field === 'holdout' && mine[field] === 0) continue;
    if (theirs[field] === undefined) dropped.push(field);
  }
  if (dropped.length === 0) return null;
  const named = dropped.map((f) => `"${f}"`).join(' and ');
  return (
    `Published, but the delivery server did not keep ${named}: it is older than this companion and drops fields it does not know. ` +
    (dropped.includes('holdout') ? 'No one is held out, so there will be no control group. ' : '') +
    'Update the delivery server, then publish again.'
  );
}
