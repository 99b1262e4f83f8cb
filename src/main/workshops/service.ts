/**
 * Workshops in the cache (the workshops table): create, autosave, duplicate, archive, delete, the
 * persona ↔ segment link, and the .guidepost bundle.
 *
 * The stored document is the truth; the table's other columns are copied from it on every write so
 * lists sort and filter without parsing JSON. A persona linked to a saved segment shares its rule with
 * the segment: reads take the segment's current rule (an edit in the segment builder shows in the
 * workshop), and a save that changed the persona's rule writes it to the segment.
 */
import { randomUUID } from 'node:crypto';
import { basename } from 'node:path';
import { ApiError } from '../../shared/errors';
import { parseRule, referencedSegments, type Rule } from '../../shared/segments/rule';
import type { BundlePreview, SavedSegment } from '../../shared/types';
import {
  WORKSHOP_FORMAT,
  workshopSchema,
  type Persona,
  type StepState,
  type UsageSettings,
  type Workshop,
  type WorkshopSummary,
} from '../../shared/workshop/model';
import { draftPersonaRule } from '../../shared/workshop/persona-rule';
import { templateOf, type TemplateId } from '../../shared/workshop/templates';
import type { Db } from '../db/connection';
import type { SegmentService } from '../segments/service';
import { BUNDLE_FORMAT, BUNDLE_KIND, readBundleFile, remapSegments, sameJson, serializeBundle, type BundledSegment } from './bundle';

export interface CreateWorkshopInput {
  title: string;
  account?: string | undefined;
  date?: string | undefined;
  template: TemplateId;
  participants?: { name: string; role: string }[] | undefined;
}

/** A persona that depends on a saved segment: linked to it, or its rule refers to it. */
export interface SegmentPersonaUse {
  workshopId: string;
  workshopTitle: string;
  personaId: string;
  personaName: string;
  /** true: the persona is linked to the segment (deleting it unlinks them); false: its rule refers to it (deleting it breaks the rule). */
  linked: boolean;
}

export const DEFAULT_USAGE: Readonly<UsageSettings> = { activationDays: 14, regularWeeks: 3, regularOf: 4 };

/** A short random id (matches the model's /^[A-Za-z0-9_-]{1,64}$/). */
export function newId(prefix: string): string {
  return `${prefix}_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
}

export function freshStep(): StepState {
  return { notes: {}, timer: { elapsedMs: 0, runningSince: null }, rows: [], done: false };
}

interface WorkshopRow {
  id: string;
  document: string;
}

const invalid = (message: string): ApiError => new ApiError('invalid_argument', message);

/** A zod issue's path as people write it: personas[1].name, steps.usage.timer.elapsedMs. */
function fieldPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) out += typeof key === 'number' ? `[${key}]` : out === '' ? String(key) : `.${String(key)}`;
  return out === '' ? 'workshop' : out;
}

function isoDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** Ids within one list must differ: notes, votes, use cases and segment links address items by id. */
function requireUniqueIds(items: readonly { id: string }[], field: string, what: string): void {
  const seen = new Map<string, number>();
  items.forEach((item, i) => {
    const first = seen.get(item.id);
    if (first !== undefined) throw invalid(`${what}: ${field}[${i}].id: “${item.id}” is already the id of ${field}[${first}].`);
    seen.set(item.id, i);
  });
}

export class WorkshopService {
  constructor(
    readonly db: Db,
    readonly clock: () => number,
    readonly segments: SegmentService,
  ) {}

  // ── Reading ────────────────────────────────────────────────────────────────────────────────────

  private row(id: string): WorkshopRow | undefined {
    return this.db.prepare<[string], WorkshopRow>('SELECT id, document FROM workshops WHERE id = ?').get(id);
  }

  /** A saved segment's rule, or undefined when there is no such segment. */
  private segmentRule(id: string): Rule | undefined {
    const text = this.db.prepare<[string], string>('SELECT rule FROM segments WHERE id = ?').pluck().get(id);
    return text === undefined ? undefined : (JSON.parse(text) as Rule);
  }

  /**
   * The document as the cache answers it: a linked persona takes its segment's current rule (marked
   * edited when that is no longer the draft of its fields, so the fields stop rewriting it); a persona
   * whose segment was deleted is unlinked and keeps the rule it had.
   */
  private withLinks(doc: Workshop): Workshop {
    const personas = doc.personas.map((p): Persona => {
      if (p.segmentId === null) return p;
      const rule = this.segmentRule(p.segmentId);
      if (rule === undefined) return { ...p, segmentId: null };
      if (sameJson(rule, p.rule)) return p;
      return { ...p, rule, ruleEdited: p.ruleEdited || !sameJson(rule, draftPersonaRule(p)) };
    });
    return { ...doc, personas };
  }

  private stored(id: string): Workshop | undefined {
    const row = this.row(id);
    return row ? (JSON.parse(row.document) as Workshop) : undefined;
  }

  list(includeArchived: boolean): WorkshopSummary[] {
    return this.db
      .prepare<[number], WorkshopRow>('SELECT id, document FROM workshops WHERE ? OR archived = 0 ORDER BY updated_at DESC, id')
      .all(includeArchived ? 1 : 0)
      .map((row) => {
        const w = JSON.parse(row.document) as Workshop;
        return {
          id: w.id,
          title: w.title,
          account: w.account,
          date: w.date,
          template: w.template,
          participants: w.participants.length,
          personas: w.personas.length,
          archived: w.archived,
          updatedAt: w.updatedAt,
        };
      });
  }

  get(id: string): Workshop {
    const doc = this.stored(id);
    if (!doc) throw new ApiError('not_found', `No workshop with id ${id}.`);
    return this.withLinks(doc);
  }

  /** Personas (in every workshop) that are linked to the segment or whose rules refer to it: what its deletion touches. */
  personasUsing(segmentId: string): SegmentPersonaUse[] {
    const uses: SegmentPersonaUse[] = [];
    const rows = this.db.prepare<[], WorkshopRow>('SELECT id, document FROM workshops ORDER BY title COLLATE NOCASE, id').all();
    for (const row of rows) {
      const w = JSON.parse(row.document) as Workshop;
      for (const p of w.personas) {
        const linked = p.segmentId === segmentId;
        if (linked || referencedSegments(p.rule.conditions).includes(segmentId)) {
          uses.push({ workshopId: w.id, workshopTitle: w.title, personaId: p.id, personaName: p.name, linked });
        }
      }
    }
    return uses;
  }

  // ── Validation ─────────────────────────────────────────────────────────────────────────────────

  /**
   * The document checked field by field (errors name the field: "personas[1].name: give the persona a
   * name"), every persona's rule parsed, and the steps made exactly the template's: missing ones are
   * added fresh (a document from before a step existed), unknown ones refused (they would be lost).
   */
  private validate(input: unknown, what = 'The workshop'): Workshop {
    const parsed = workshopSchema.safeParse(input);
    if (!parsed.success) {
      const issues = parsed.error.issues.slice(0, 5).map((i) => `${fieldPath(i.path)}: ${i.message}`);
      throw invalid(`${what} is not valid: ${issues.join('; ')}.`);
    }
    const doc = parsed.data;
    const personas = doc.personas.map((p, i): Persona => {
      const rule = parseRule(p.rule);
      if (!rule.ok) throw invalid(`${what} is not valid: personas[${i}].rule: ${rule.errors.join('; ')}.`);
      return { ...p, rule: rule.rule };
    });
    requireUniqueIds(doc.participants, 'participants', what);
    requireUniqueIds(personas, 'personas', what);
    requireUniqueIds(doc.useCases, 'useCases', what);
    requireUniqueIds(doc.opportunities, 'opportunities', what);

    const template = templateOf(doc.template);
    const keys = template.steps.map((s) => s.key);
    for (const key of Object.keys(doc.steps)) {
      if (!keys.includes(key)) {
        throw invalid(`${what} is not valid: steps.${key}: the “${template.title}” template has no step “${key}” (its steps are ${keys.join(', ')}).`);
      }
    }
    if (!keys.includes(doc.currentStep)) {
      throw invalid(`${what} is not valid: currentStep: “${doc.currentStep}” is not a step of the “${template.title}” template (its steps are ${keys.join(', ')}).`);
    }
    const steps = Object.fromEntries(keys.map((key) => [key, doc.steps[key] ?? freshStep()]));
    return { ...doc, personas, steps };
  }

  // ── Writing ────────────────────────────────────────────────────────────────────────────────────

  /**
   * Keeps a linked persona and its segment in step while saving. The persona's rule is written to the
   * segment only when this save changed it (it differs from the stored document's): an autosave from a
   * window opened before someone edited the segment must not undo that edit, so then the segment's rule
   * wins. A link to a segment that no longer exists is dropped, keeping the rule.
   */
  private syncLink(p: Persona, index: number, previous: Persona | undefined): Persona {
    if (p.segmentId === null) return p;
    const current = this.segmentRule(p.segmentId);
    if (current === undefined) return { ...p, segmentId: null };
    if (sameJson(current, p.rule)) return p;
    const changedHere = previous === undefined || !sameJson(previous.rule, p.rule);
    if (!changedHere) return { ...p, rule: current, ruleEdited: p.ruleEdited || !sameJson(current, draftPersonaRule(p)) };
    const segment = this.segments.get(p.segmentId);
    try {
      this.segments.save({ id: segment.id, name: segment.name, description: segment.description, rule: p.rule });
    } catch (err) {
      if (err instanceof ApiError) throw new ApiError(err.code, `personas[${index}].rule: ${err.message}`);
      throw err;
    }
    return p;
  }

  /**
   * Writes a validated document as given (timestamps included) and answers it as `get` will: after
   * syncLink every linked persona's rule is its segment's. Call inside a transaction.
   */
  private store(doc: Workshop): Workshop {
    const before = this.stored(doc.id);
    const personas = doc.personas.map((p, i) => this.syncLink(p, i, before?.personas.find((b) => b.id === p.id)));
    const final: Workshop = { ...doc, personas };
    this.db
      .prepare(
        `INSERT INTO workshops (id, title, template, archived, document, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET title = excluded.title, template = excluded.template, archived = excluded.archived,
           document = excluded.document, created_at = excluded.created_at, updated_at = excluded.updated_at`,
      )
      .run(final.id, final.title, final.template, final.archived ? 1 : 0, JSON.stringify(final), final.createdAt, final.updatedAt);
    return final;
  }

  private transaction<T>(work: () => T): T {
    return this.db.transaction(work)();
  }

  create(input: CreateWorkshopInput): Workshop {
    const now = this.clock();
    const template = templateOf(input.template);
    const document: Workshop = {
      format: WORKSHOP_FORMAT,
      id: newId('ws'),
      title: input.title.trim(),
      account: input.account?.trim() ?? '',
      date: input.date ?? isoDate(now),
      template: input.template,
      participants: (input.participants ?? []).map((p) => ({ id: newId('p'), name: p.name.trim(), role: p.role.trim() })),
      asOf: null,
      archived: false,
      currentStep: template.steps[0]?.key ?? '',
      steps: Object.fromEntries(template.steps.map((s) => [s.key, freshStep()])),
      useCases: [],
      personas: [],
      opportunities: [],
      usage: { ...DEFAULT_USAGE },
      createdAt: now,
      updatedAt: now,
    };
    const checked = this.validate(document);
    return this.transaction(() => this.store(checked));
  }

  /**
   * Autosave: the whole document. An id that is not in the table creates the workshop under it, which is
   * how Undo after a delete brings it back.
   */
  save(document: unknown): Workshop {
    const checked = this.validate(document);
    return this.transaction(() => this.store({ ...checked, updatedAt: this.clock() }));
  }

  duplicate(id: string): Workshop {
    const source = this.get(id);
    const now = this.clock();
    const suffix = ' (copy)';
    return this.transaction(() =>
      this.store({
        ...source,
        id: newId('ws'),
        title: `${source.title.slice(0, 200 - suffix.length)}${suffix}`,
        archived: false,
        // The copy is a new workshop: its personas start unlinked so editing them leaves the original's segments alone.
        personas: source.personas.map((p) => ({ ...p, segmentId: null })),
        createdAt: now,
        updatedAt: now,
      }),
    );
  }

  setArchived(id: string, archived: boolean): Workshop {
    const doc = this.get(id);
    return this.transaction(() => this.store({ ...doc, archived, updatedAt: this.clock() }));
  }

  delete(id: string): { deleted: boolean } {
    if (!this.row(id)) throw new ApiError('not_found', `No workshop with id ${id}.`);
    this.db.prepare('DELETE FROM workshops WHERE id = ?').run(id);
    return { deleted: true };
  }

  /** The name, or the name with " (2)", " (3)"… when a segment already has it (names are unique, ignoring case). */
  private freeSegmentName(name: string): string {
    const taken = this.db.prepare<[string], number>('SELECT 1 FROM segments WHERE name = ? COLLATE NOCASE').pluck();
    const base = name.slice(0, 190);
    let candidate = name.slice(0, 200);
    for (let n = 2; taken.get(candidate) !== undefined; n++) candidate = `${base} (${n})`;
    return candidate;
  }

  /** Saves the persona's rule as a segment (or updates the linked one) and links the two. */
  savePersonaSegment(id: string, personaId: string): { workshop: Workshop; segment: SavedSegment } {
    return this.transaction(() => {
      const workshop = this.get(id);
      const index = workshop.personas.findIndex((p) => p.id === personaId);
      const persona = workshop.personas[index];
      if (!persona) throw new ApiError('not_found', `The workshop “${workshop.title}” has no persona with id ${personaId}.`);
      let segment: SavedSegment;
      try {
        if (persona.segmentId !== null) {
          const linked = this.segments.get(persona.segmentId);
          segment = this.segments.save({ id: linked.id, name: linked.name, description: linked.description, rule: persona.rule });
        } else {
          segment = this.segments.save({
            name: this.freeSegmentName(`${workshop.title} · ${persona.name}`),
            description: `Persona “${persona.name}” of the workshop “${workshop.title}”.`,
            rule: persona.rule,
          });
        }
      } catch (err) {
        if (err instanceof ApiError) throw new ApiError(err.code, `The persona “${persona.name}” cannot be saved as a segment: ${err.message}`);
        throw err;
      }
      const personas = workshop.personas.map((p) => (p.id === personaId ? { ...p, segmentId: segment.id } : p));
      const saved = this.store({ ...workshop, personas, updatedAt: this.clock() });
      return { workshop: saved, segment };
    });
  }

  // ── The bundle ─────────────────────────────────────────────────────────────────────────────────

  /** The bundle's exact bytes (UTF-8 JSON): the same workshop always gives the same bytes. */
  bundle(id: string): string {
    const workshop = this.get(id);
    const segments: Record<string, BundledSegment> = {};
    // Linked segments and every segment the rules refer to, following references through carried segments.
    const queue: string[] = [];
    for (const p of workshop.personas) {
      if (p.segmentId !== null) queue.push(p.segmentId);
      queue.push(...referencedSegments(p.rule.conditions));
    }
    for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
      if (segments[next]) continue;
      const row = this.db.prepare<[string], { name: string; rule: string }>('SELECT name, rule FROM segments WHERE id = ?').get(next);
      // A reference to a deleted segment is already broken here; the bundle carries it as it is.
      if (!row) continue;
      const rule = JSON.parse(row.rule) as Rule;
      segments[next] = { name: row.name, rule };
      queue.push(...referencedSegments(rule.conditions));
    }
    return serializeBundle({ kind: BUNDLE_KIND, format: BUNDLE_FORMAT, workshop, segments });
  }

  /**
   * Brings the bundle's segments into this cache and answers the id each ended up with. A segment whose
   * id is free is created under it; one whose id holds the very same rule is this cache's own (a bundle
   * made here) and is reused; one whose id holds something else is created under a new id. Names that
   * are taken get a suffix.
   */
  private placeSegments(carried: Record<string, BundledSegment>): Map<string, string> {
    const mapping = new Map<string, string>();
    const toCreate: string[] = [];
    // Reusable: this cache holds the same rule under the same id, and so does every segment it refers
    // to. A rule that is the same text but refers to a segment that differs here means something else,
    // so it is not reused (and a reused segment is never written to).
    const reusable = new Set(Object.keys(carried).filter((id) => {
      const existing = this.segmentRule(id);
      return existing !== undefined && sameJson(existing, (carried[id] as BundledSegment).rule);
    }));
    for (let changed = true; changed; ) {
      changed = false;
      for (const id of reusable) {
        const refs = referencedSegments((carried[id] as BundledSegment).rule.conditions);
        if (refs.some((ref) => ref in carried && !reusable.has(ref))) {
          reusable.delete(id);
          changed = true;
        }
      }
    }
    for (const id of Object.keys(carried).sort()) {
      if (reusable.has(id)) mapping.set(id, id);
      else {
        mapping.set(id, this.segmentRule(id) === undefined ? id : `seg_${randomUUID().slice(0, 8)}`);
        toCreate.push(id);
      }
    }
    // A segment can only be saved once the segments it refers to exist: create them in dependency order.
    const pending = new Set(toCreate);
    while (pending.size > 0) {
      const ready = [...pending].find((id) => referencedSegments((carried[id] as BundledSegment).rule.conditions).every((ref) => !pending.has(ref) || ref === id));
      if (ready === undefined) throw invalid(`The bundle’s segments refer to each other in a cycle: ${[...pending].join(', ')}.`);
      const segment = carried[ready] as BundledSegment;
      try {
        this.segments.save({ id: mapping.get(ready) as string, name: this.freeSegmentName(segment.name), rule: remapSegments(segment.rule, mapping) });
      } catch (err) {
        if (err instanceof ApiError) throw invalid(`The bundle’s segment “${segment.name}” (segments.${ready}) cannot be saved: ${err.message}`);
        throw err;
      }
      pending.delete(ready);
    }
    return mapping;
  }

  /** What a .guidepost file holds, checked as importBundle checks it, without changing anything. */
  previewBundle(path: string): BundlePreview {
    const bundle = readBundleFile(path);
    const doc = this.validate(bundle.workshop, 'The bundle’s workshop');
    return {
      path,
      fileName: basename(path),
      title: doc.title,
      account: doc.account,
      date: doc.date,
      participants: doc.participants.length,
      personas: doc.personas.map((p) => p.name),
      segments: Object.keys(bundle.segments).length,
      alreadyHere: this.row(doc.id) !== undefined,
    };
  }

  /**
   * Recreates a workshop from a .guidepost file, in one transaction: a refused file changes nothing.
   * The workshop keeps its id when it is free here (the same workshop on another machine), else gets a new one.
   */
  importBundle(path: string): Workshop {
    const bundle = readBundleFile(path);
    const doc = this.validate(bundle.workshop, 'The bundle’s workshop');
    return this.transaction(() => {
      const mapping = this.placeSegments(bundle.segments);
      const personas = doc.personas.map((p) => {
        // A link to a segment the bundle does not carry would point at whatever has that id here: drop it.
        const segmentId = p.segmentId === null ? null : (mapping.get(p.segmentId) ?? null);
        // A linked persona takes its placed segment's rule, so storing the workshop never writes into a
        // segment (one reused from this cache above all), even if the bundle's two copies disagree.
        const linked = segmentId === null ? undefined : this.segmentRule(segmentId);
        return { ...p, segmentId, rule: linked ?? remapSegments(p.rule, mapping) };
      });
      const id = this.row(doc.id) ? newId('ws') : doc.id;
      return this.store({ ...doc, id, personas });
    });
  }
}
