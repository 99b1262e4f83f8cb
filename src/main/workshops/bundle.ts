/**
 * The .guidepost bundle: one workshop as a file that round-trips between machines.
 *
 *   {"format": 1, "kind": "guidepost-workshop", "segments": {"<id>": {"name", "rule"}}, "workshop": {…}}
 *
 * `workshop` is the document exactly as the cache answers it (linked personas carry their segment's
 * current rule). `segments` carries the saved segments the personas need, by id: the segments they are
 * linked to and every segment their rules refer to, at any depth. We carry references instead of
 * inlining them so the structure survives: on import the segments come back as saved segments (under
 * their own ids when free) and the rules keep pointing at them, so a persona that said "in segment
 * Admins" still does, and exporting again gives the same file.
 *
 * The text is canonical (object keys sorted, 2-space indent, trailing newline): the same workshop gives
 * the same bytes on every machine, so export → import elsewhere → export is byte-for-byte identical.
 */
import { readFileSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import { z } from 'zod';
import { ApiError } from '../../shared/errors';
import { parseRule, type Condition, type Rule } from '../../shared/segments/rule';
import type { Workshop } from '../../shared/workshop/model';
import { nestsDeeperThan, tooDeep } from '../../shared/json-depth';

export const BUNDLE_KIND = 'guidepost-workshop';
export const BUNDLE_FORMAT = 1;
export const BUNDLE_EXTENSION = '.guidepost';
/** A workshop is at most a few hundred kB; anything this big is not one, and reading it would stall the backend. */
export const MAX_BUNDLE_BYTES = 20 * 1024 * 1024;

export interface BundledSegment {
  name: string;
  rule: Rule;
}

export interface WorkshopBundle {
  kind: typeof BUNDLE_KIND;
  format: typeof BUNDLE_FORMAT;
  workshop: Workshop;
  segments: Record<string, BundledSegment>;
}

/** A bundle whose envelope and segments are valid; the workshop is still to be validated by the service. */
export interface ParsedBundle {
  workshop: unknown;
  segments: Record<string, BundledSegment>;
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    const source = value as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(source).sort()) {
      if (source[key] !== undefined) out[key] = sortKeys(source[key]);
    }
    return out;
  }
  return value;
}

/**
 * JSON with every object's keys sorted: equal values give equal text whatever order their keys were
 * built in (zod, the renderer and SQLite each build objects their own way).
 */
export function canonicalJson(value: unknown, indent?: number): string {
  return JSON.stringify(sortKeys(value), null, indent);
}

export function sameJson(a: unknown, b: unknown): boolean {
  return canonicalJson(a) === canonicalJson(b);
}

/** The bundle's exact text. */
export function serializeBundle(bundle: WorkshopBundle): string {
  return `${canonicalJson(bundle, 2)}\n`;
}

const invalid = (message: string): ApiError => new ApiError('invalid_argument', message);

const segmentsSchema = z.record(
  z.string().regex(/^[A-Za-z0-9_-]{1,100}$/, 'segment ids are 1-100 letters, digits, _ and -'),
  z.object({ name: z.string().trim().min(1, 'give the segment a name').max(200), rule: z.unknown() }).strict(),
);

/** Checks the envelope: JSON, our kind, a format we read, and well-formed segments. */
export function parseBundleText(text: string, name: string): ParsedBundle {
  let value: unknown;
  try {
    value = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (err) {
    throw invalid(`${name} is not a Guidepost workshop bundle: it is not JSON (${(err as Error).message}).`);
  }
  // Checked before zod and the rules' own walks recurse over it.
  if (nestsDeeperThan(value)) throw invalid(`${name} is not a Guidepost workshop bundle: ${tooDeep('it')}.`);
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw invalid(`${name} is not a Guidepost workshop bundle: it holds JSON, but not an object with "kind": "${BUNDLE_KIND}".`);
  }
  const envelope = value as Record<string, unknown>;
  if (envelope.kind !== BUNDLE_KIND) {
    const kind = envelope.kind === undefined ? 'no "kind"' : `"kind": ${JSON.stringify(envelope.kind)}`;
    throw invalid(`${name} is not a Guidepost workshop bundle: it has ${kind} where a bundle says "kind": "${BUNDLE_KIND}".`);
  }
  const format = envelope.format;
  if (typeof format !== 'number' || !Number.isInteger(format) || format < 1) {
    throw invalid(`${name} is damaged: its "format" should be a whole number from 1, not ${JSON.stringify(format) ?? 'missing'}.`);
  }
  if (format > BUNDLE_FORMAT) {
    throw invalid(
      `${name} was made by a newer Guidepost (bundle format ${format}; this version reads format ${BUNDLE_FORMAT}). Update Guidepost to open it.`,
    );
  }
  if (envelope.workshop === undefined) throw invalid(`${name} is damaged: it has no "workshop".`);
  const segments = segmentsSchema.safeParse(envelope.segments ?? {});
  if (!segments.success) {
    const issue = segments.error.issues[0];
    const where = ['segments', ...(issue?.path ?? [])].map(String).join('.');
    throw invalid(`${name} is damaged: ${where}: ${issue?.message ?? 'not valid'}.`);
  }
  const out: Record<string, BundledSegment> = {};
  for (const [id, segment] of Object.entries(segments.data)) {
    const rule = parseRule(segment.rule);
    if (!rule.ok) throw invalid(`${name} is damaged: segments.${id}.rule: ${rule.errors.join('; ')}.`);
    out[id] = { name: segment.name, rule: rule.rule };
  }
  return { workshop: envelope.workshop, segments: out };
}

/** Reads and checks a bundle file; the size is checked before anything is read. */
export function readBundleFile(path: string): ParsedBundle {
  const name = basename(path);
  let size: number;
  try {
    const stat = statSync(path);
    if (!stat.isFile()) throw invalid(`${path} is a folder, not a workshop bundle.`);
    size = stat.size;
  } catch (err) {
    if (err instanceof ApiError) throw err;
    throw new ApiError('not_found', `Cannot open ${path}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'there is no such file' : (err as Error).message}.`);
  }
  if (size > MAX_BUNDLE_BYTES) {
    throw invalid(`${name} is ${(size / 1048576).toFixed(1)} MB; a workshop bundle is at most ${MAX_BUNDLE_BYTES / 1048576} MB, so this is not one.`);
  }
  return parseBundleText(readFileSync(path, 'utf8'), name);
}

/** The rule with its segment references renamed (an imported segment that had to take a new id). */
export function remapSegments(rule: Rule, mapping: ReadonlyMap<string, string>): Rule {
  const visit = (conditions: Condition[]): Condition[] =>
    conditions.map((c): Condition => {
      if (c.type === 'segment') return { ...c, segment: mapping.get(c.segment) ?? c.segment };
      if (c.type === 'group') return { ...c, conditions: visit(c.conditions) };
      return c;
    });
  return { ...rule, conditions: visit(rule.conditions) };
}
