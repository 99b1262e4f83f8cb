import { truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { createBackend } from '../../src/main/api';
import type { Db } from '../../src/main/db/connection';
import { EXAMPLE_WORKSHOP_ID, exampleWorkshop } from '../../src/main/demo/example-workshop';
import { DOTS_PER_PARTICIPANT, dotsBalance } from '../../src/shared/workshop/voting';
import { DEMO_AS_OF, generateDemo } from '../../src/main/demo/generate';
import { SegmentService } from '../../src/main/segments/service';
import { MAX_BUNDLE_BYTES } from '../../src/main/workshops/bundle';
import { WorkshopService } from '../../src/main/workshops/service';
import type { Rule } from '../../src/shared/segments/rule';
import { workshopSchema, type Persona, type Workshop } from '../../src/shared/workshop/model';
import { draftPersonaRule } from '../../src/shared/workshop/persona-rule';
import { templateOf } from '../../src/shared/workshop/templates';
import { apiErrorOf, useTempCache, useTempDir } from './helpers';

const tempCache = useTempCache();
const tempDir = useTempDir();

const T0 = Date.UTC(2026, 2, 1, 23, 30);
const ID = /^[A-Za-z0-9_-]{1,64}$/;

interface Env {
  db: Db;
  path: string;
  segments: SegmentService;
  workshops: WorkshopService;
  /** Moves the clock both services read. */
  tick: (ms?: number) => number;
}

function env(): Env {
  const { db, path } = tempCache();
  let now = T0;
  const clock = (): number => now;
  const segments = new SegmentService(db, clock);
  return { db, path, segments, workshops: new WorkshopService(db, clock, segments), tick: (ms = 1000) => (now += ms) };
}

const reportRule = (count: number): Rule => ({
  version: 1,
  match: 'all',
  conditions: [{ type: 'event', event: 'report_run', op: '>=', count, within: { days: 30 } }],
});

function persona(id: string, name: string, overrides: Partial<Persona> = {}): Persona {
  const hypothesis = { actions: ['report_run'], threshold: 3, windowDays: 30, include: [], exclude: [], ...overrides };
  return {
    id,
    name,
    description: '',
    jobs: [],
    frequency: 'week',
    rule: draftPersonaRule(hypothesis),
    ruleEdited: false,
    segmentId: null,
    ...hypothesis,
    ...overrides,
  };
}

/** A personas workshop with two personas, stored. */
function withPersonas(e: Env, title = 'Acme · Personas'): Workshop {
  const created = e.workshops.create({ title, template: 'personas', participants: [{ name: 'Ana', role: 'PM' }] });
  return e.workshops.save({ ...created, personas: [persona('p_power', 'Power users'), persona('p_admin', 'Admins', { actions: ['invite_sent'], threshold: 1 })] });
}

function counts(db: Db): { workshops: number; segments: number } {
  return {
    workshops: db.prepare('SELECT count(*) FROM workshops').pluck().get() as number,
    segments: db.prepare('SELECT count(*) FROM segments').pluck().get() as number,
  };
}

describe('WorkshopService: create, list, save', () => {
  let e: Env;
  beforeEach(() => {
    e = env();
  });

  it('creates a workshop with a state for every step of its template and the defaults', () => {
    const w = e.workshops.create({ title: '  Kickoff ', template: 'personas', participants: [{ name: 'Ana', role: 'PM' }, { name: 'Bo', role: '' }] });
    expect(w.id).toMatch(ID);
    expect(w.title).toBe('Kickoff');
    expect(Object.keys(w.steps)).toEqual(['brainstorm', 'behaviors', 'usage', 'priorities']);
    for (const state of Object.values(w.steps)) expect(state).toEqual({ notes: {}, timer: { elapsedMs: 0, runningSince: null }, rows: [], done: false });
    expect(w.currentStep).toBe('brainstorm');
    // 23:30 UTC on March 1st: the UTC date, whatever the machine's zone.
    expect(w.date).toBe('2026-03-01');
    expect(w.usage).toEqual({ activationDays: 14, regularWeeks: 3, regularOf: 4 });
    expect(w.participants.map((p) => p.name)).toEqual(['Ana', 'Bo']);
    expect(new Set(w.participants.map((p) => p.id)).size).toBe(2);
    for (const p of w.participants) expect(p.id).toMatch(ID);
    expect(w).toMatchObject({ createdAt: T0, updatedAt: T0, archived: false, asOf: null, personas: [], format: 1 });
    expect(workshopSchema.safeParse(w).success).toBe(true);
    expect(e.workshops.get(w.id)).toEqual(w);

    const seg = e.workshops.create({ title: 'Session', template: 'segmentation', date: '2026-04-02' });
    expect(Object.keys(seg.steps)).toEqual(templateOf('segmentation').steps.map((s) => s.key));
    expect(Object.keys(seg.steps)).toHaveLength(10);
    expect(seg.currentStep).toBe('milestones');
    expect(seg.date).toBe('2026-04-02');
    expect(seg.id).not.toBe(w.id);
  });

  it('lists summaries newest change first, archived ones only when asked', () => {
    const a = e.workshops.create({ title: 'A', template: 'personas' });
    e.tick();
    const b = e.workshops.create({ title: 'B', template: 'segmentation', participants: [{ name: 'X', role: '' }] });
    e.tick();
    const c = e.workshops.create({ title: 'C', template: 'personas' });
    expect(e.workshops.list(false).map((s) => s.title)).toEqual(['C', 'B', 'A']);
    e.tick();
    e.workshops.save({ ...a, account: 'Acme' });
    expect(e.workshops.list(false).map((s) => s.title)).toEqual(['A', 'C', 'B']);
    e.tick();
    const archived = e.workshops.setArchived(c.id, true);
    expect(archived.archived).toBe(true);
    expect(archived.updatedAt).toBe(T0 + 4000);
    expect(e.workshops.list(false).map((s) => s.id)).toEqual([a.id, b.id]);
    expect(e.workshops.list(true).map((s) => s.id)).toEqual([c.id, a.id, b.id]);
    expect(e.workshops.list(false)[1]).toEqual({
      id: b.id,
      title: 'B',
      account: '',
      date: '2026-03-01',
      template: 'segmentation',
      participants: 1,
      personas: 0,
      archived: false,
      updatedAt: T0 + 1000,
    });
    e.workshops.setArchived(c.id, false);
    expect(e.workshops.list(false)).toHaveLength(3);
  });

  it('saves the whole document, stamping updatedAt, and answers what get answers', () => {
    const w = withPersonas(e);
    e.tick(5000);
    const saved = e.workshops.save({ ...w, account: 'Acme Corp', currentStep: 'usage' });
    expect(saved.updatedAt).toBe(T0 + 5000);
    expect(saved.createdAt).toBe(T0);
    expect(e.workshops.get(w.id)).toEqual(saved);
    expect(e.workshops.get(w.id).personas.map((p) => p.name)).toEqual(['Power users', 'Admins']);
  });

  it('refuses an invalid document naming the field, and changes nothing', async () => {
    const w = withPersonas(e);
    const before = e.workshops.get(w.id);
    const bad = (doc: unknown) => apiErrorOf(() => e.workshops.save(doc));

    const noName = await bad({ ...w, personas: [w.personas[0], { ...w.personas[1], name: '' }] });
    expect(noName.code).toBe('invalid_argument');
    expect(noName.message).toContain('personas[1].name: give the persona a name');

    const badRule = await bad({ ...w, personas: [{ ...w.personas[0], rule: { version: 1, match: 'all', conditions: [{ type: 'event', event: 'x', op: '>=', count: -1 }] } }] });
    expect(badRule.message).toMatch(/personas\[0\]\.rule: condition 1 › count: cannot be negative/);

    const unknownStep = await bad({ ...w, steps: { ...w.steps, milestones: w.steps.usage } });
    expect(unknownStep.message).toMatch(/steps\.milestones: .*has no step “milestones”/);

    const badStep = await bad({ ...w, currentStep: 'nope' });
    expect(badStep.message).toMatch(/currentStep: “nope” is not a step/);

    const twice = await bad({ ...w, personas: [w.personas[0], { ...w.personas[1], id: 'p_power' }] });
    expect(twice.message).toContain('personas[1].id: “p_power” is already the id of personas[0]');

    const nested = await bad({ ...w, steps: { ...w.steps, usage: { ...w.steps.usage, timer: { elapsedMs: -5, runningSince: null } } } });
    expect(nested.message).toContain('steps.usage.timer.elapsedMs');

    expect((await bad({ ...w, date: '1/2/2026' })).message).toContain('date: the date is YYYY-MM-DD');
    expect((await bad('not a workshop')).code).toBe('invalid_argument');
    expect(e.workshops.get(w.id)).toEqual(before);
  });

  it('adds the steps a document lacks', () => {
    const w = e.workshops.create({ title: 'Old', template: 'personas' });
    const steps = { brainstorm: { ...w.steps.brainstorm, done: true } } as Workshop['steps'];
    const saved = e.workshops.save({ ...w, steps });
    expect(Object.keys(saved.steps).sort()).toEqual(['behaviors', 'brainstorm', 'priorities', 'usage']);
    expect(saved.steps.brainstorm?.done).toBe(true);
    expect(saved.steps.usage?.done).toBe(false);
  });

  it('deletes, and a save of the same document brings it back under its id (Undo)', async () => {
    const w = withPersonas(e);
    expect(e.workshops.delete(w.id)).toEqual({ deleted: true });
    expect((await apiErrorOf(() => e.workshops.get(w.id))).code).toBe('not_found');
    expect((await apiErrorOf(() => e.workshops.delete(w.id))).code).toBe('not_found');
    expect(e.workshops.list(true)).toEqual([]);
    const back = e.workshops.save(w);
    expect(back.id).toBe(w.id);
    expect(e.workshops.get(w.id).personas).toEqual(w.personas);
    expect(e.workshops.list(false).map((s) => s.id)).toEqual([w.id]);
  });

  it('duplicates with a new id and " (copy)", unlinking the personas and leaving the original alone', () => {
    const w = withPersonas(e);
    e.workshops.savePersonaSegment(w.id, 'p_power');
    e.workshops.setArchived(w.id, true);
    e.tick(60_000);
    const copy = e.workshops.duplicate(w.id);
    expect(copy.id).not.toBe(w.id);
    expect(copy.id).toMatch(ID);
    expect(copy.title).toBe('Acme · Personas (copy)');
    expect(copy.archived).toBe(false);
    expect(copy.createdAt).toBe(T0 + 60_000);
    expect(copy.personas.map((p) => p.segmentId)).toEqual([null, null]);
    expect(copy.personas.map((p) => p.id)).toEqual(['p_power', 'p_admin']);
    expect(copy.participants).toEqual(w.participants);
    expect(e.workshops.get(w.id).personas[0]?.segmentId).not.toBeNull();
    expect(e.workshops.duplicate(copy.id).title).toBe('Acme · Personas (copy) (copy)');
    const long = e.workshops.create({ title: 'x'.repeat(200), template: 'personas' });
    expect(e.workshops.duplicate(long.id).title).toHaveLength(200);
  });
});

describe('WorkshopService: the persona ↔ segment link', () => {
  let e: Env;
  beforeEach(() => {
    e = env();
  });

  it('saves a persona as a segment named after the workshop and persona, then updates that segment', async () => {
    const w = withPersonas(e);
    const first = e.workshops.savePersonaSegment(w.id, 'p_power');
    expect(first.segment.name).toBe('Acme · Personas · Power users');
    expect(first.segment.rule).toEqual(w.personas[0]?.rule);
    expect(first.workshop.personas[0]?.segmentId).toBe(first.segment.id);
    expect(e.workshops.get(w.id).personas[0]?.segmentId).toBe(first.segment.id);

    // Saving again updates the linked segment instead of making another.
    const changed = e.workshops.save({ ...first.workshop, personas: first.workshop.personas.map((p) => (p.id === 'p_power' ? { ...p, rule: reportRule(9) } : p)) });
    const again = e.workshops.savePersonaSegment(changed.id, 'p_power');
    expect(again.segment.id).toBe(first.segment.id);
    expect(e.segments.list()).toHaveLength(1);
    expect(e.segments.get(first.segment.id).rule).toEqual(reportRule(9));

    // A taken name gets a suffix.
    e.segments.save({ name: 'Acme · Personas · Admins', rule: reportRule(1) });
    const admins = e.workshops.savePersonaSegment(w.id, 'p_admin');
    expect(admins.segment.name).toBe('Acme · Personas · Admins (2)');

    expect((await apiErrorOf(() => e.workshops.savePersonaSegment(w.id, 'p_nobody'))).code).toBe('not_found');
  });

  it('reads a linked persona’s rule from its segment, marking it edited', () => {
    const w = withPersonas(e);
    const { segment } = e.workshops.savePersonaSegment(w.id, 'p_power');
    expect(e.workshops.get(w.id).personas[0]?.ruleEdited).toBe(false);
    // Edited in the segment builder:
    const edited: Rule = { ...reportRule(3), conditions: [...reportRule(3).conditions, { type: 'trait', trait: 'plan', op: 'eq', value: 'growth' }] };
    e.segments.save({ id: segment.id, name: segment.name, rule: edited });
    const read = e.workshops.get(w.id).personas[0];
    expect(read?.rule).toEqual(edited);
    expect(read?.ruleEdited).toBe(true);
    expect(read?.segmentId).toBe(segment.id);
  });

  it('writes a rule changed in the workshop to the segment, but a stale autosave does not undo a segment edit', () => {
    const w = withPersonas(e);
    const linked = e.workshops.savePersonaSegment(w.id, 'p_power').workshop;
    const segmentId = linked.personas[0]?.segmentId as string;

    // Changed in the workshop (the threshold moved): the segment follows.
    const moved = e.workshops.save({ ...linked, personas: linked.personas.map((p, i) => (i === 0 ? { ...p, threshold: 7, rule: reportRule(7) } : p)) });
    expect(e.segments.get(segmentId).rule).toEqual(reportRule(7));
    expect(moved.personas[0]?.rule).toEqual(reportRule(7));

    // Someone edits the segment; a window that loaded the workshop before autosaves its notes.
    e.segments.save({ id: segmentId, name: e.segments.get(segmentId).name, rule: reportRule(12) });
    const stale = e.workshops.save({ ...moved, account: 'typed in the stale window' });
    expect(e.segments.get(segmentId).rule).toEqual(reportRule(12));
    expect(stale.personas[0]?.rule).toEqual(reportRule(12));
    expect(stale.account).toBe('typed in the stale window');
  });

  it('unlinks a persona whose segment was deleted, keeping its last rule', () => {
    const w = withPersonas(e);
    const { segment } = e.workshops.savePersonaSegment(w.id, 'p_power');
    e.segments.save({ id: segment.id, name: segment.name, rule: reportRule(5) });
    // The workshop saw the edit (an autosave stored it), then the segment went.
    e.workshops.save(e.workshops.get(w.id));
    e.segments.delete(segment.id);
    const read = e.workshops.get(w.id).personas[0];
    expect(read?.segmentId).toBeNull();
    expect(read?.rule).toEqual(reportRule(5));
    expect(read?.ruleEdited).toBe(true);
    // Saving stores the unlinked persona and creates no segment.
    expect(e.workshops.save(e.workshops.get(w.id)).personas[0]?.segmentId).toBeNull();
    expect(e.segments.list()).toEqual([]);
  });

  it('a save that would make a linked segment refer to itself is refused with the persona named', async () => {
    const w = withPersonas(e);
    const linked = e.workshops.savePersonaSegment(w.id, 'p_power').workshop;
    const segmentId = linked.personas[0]?.segmentId as string;
    const selfRef: Rule = { version: 1, match: 'all', conditions: [{ type: 'segment', segment: segmentId }] };
    const err = await apiErrorOf(() => e.workshops.save({ ...linked, personas: linked.personas.map((p, i) => (i === 0 ? { ...p, rule: selfRef } : p)) }));
    expect(err.message).toMatch(/^personas\[0\]\.rule: .*cycle/);
    expect(e.segments.get(segmentId).rule).toEqual(w.personas[0]?.rule);
  });

  it('segmentUsage lists the personas linked to a segment or referring to it', async () => {
    const { db, path } = tempCache();
    const { handlers } = createBackend({ db, path, clock: () => T0 });
    const created = await handlers.createWorkshop({ title: 'Usage check', template: 'personas' });
    const saved = await handlers.saveWorkshop({ workshop: { ...created, personas: [persona('p_a', 'Alpha'), persona('p_b', 'Beta')] } });
    const { segment } = await handlers.savePersonaSegment({ id: saved.id, personaId: 'p_a' });
    const current = await handlers.getWorkshop({ id: saved.id });
    const refRule: Rule = { version: 1, match: 'all', conditions: [{ type: 'segment', segment: segment.id, negate: true }] };
    await handlers.saveWorkshop({ workshop: { ...current, personas: current.personas.map((p) => (p.id === 'p_b' ? { ...p, rule: refRule, ruleEdited: true } : p)) } });
    const usage = await handlers.segmentUsage({ id: segment.id });
    expect(usage.segments).toEqual([]);
    expect(usage.personas).toEqual([
      { workshopId: saved.id, workshopTitle: 'Usage check', personaId: 'p_a', personaName: 'Alpha', linked: true },
      { workshopId: saved.id, workshopTitle: 'Usage check', personaId: 'p_b', personaName: 'Beta', linked: false },
    ]);
    expect((await handlers.segmentUsage({ id: 'seg_unused' })).personas).toEqual([]);
  });
});

describe('WorkshopService: the .guidepost bundle', () => {
  /** A workshop whose personas link a segment and refer to another, which refers to a third. */
  function rich(e: Env): Workshop {
    const base = e.segments.save({ name: 'Paying', rule: { version: 1, match: 'all', conditions: [{ type: 'trait', trait: 'plan', op: 'in', value: ['growth', 'enterprise'] }] } });
    const mid = e.segments.save({ name: 'Paying reporters', rule: { version: 1, match: 'all', conditions: [{ type: 'segment', segment: base.id }, reportRule(2).conditions[0]!] } });
    const w = withPersonas(e, 'Acme · Bundle');
    const refRule: Rule = { version: 1, match: 'all', conditions: [{ type: 'segment', segment: mid.id }] };
    const saved = e.workshops.save({
      ...w,
      account: 'Acme “quoted”, café 🚀',
      personas: w.personas.map((p) => (p.id === 'p_admin' ? { ...p, rule: refRule, ruleEdited: true } : p)),
      steps: { ...w.steps, usage: { ...w.steps.usage!, notes: { '': 'room notes', [w.participants[0]!.id]: 'Ana says\nhi' } } },
    });
    e.workshops.savePersonaSegment(saved.id, 'p_power');
    return e.workshops.get(saved.id);
  }

  it('is canonical JSON: kind, format, the workshop as read, and the segments it needs', () => {
    const e = env();
    const w = rich(e);
    const text = e.workshops.bundle(w.id);
    expect(text.endsWith('}\n')).toBe(true);
    expect(text.split('\n')[1]).toBe('  "format": 1,');
    const parsed = JSON.parse(text) as { kind: string; format: number; workshop: Workshop; segments: Record<string, { name: string; rule: Rule }> };
    expect(Object.keys(parsed)).toEqual(['format', 'kind', 'segments', 'workshop']);
    expect(parsed.kind).toBe('guidepost-workshop');
    expect(parsed.workshop).toEqual(JSON.parse(JSON.stringify(w)));
    // Keys sorted at every depth.
    expect(Object.keys(parsed.workshop)).toEqual([...Object.keys(parsed.workshop)].sort());
    expect(Object.values(parsed.segments).map((s) => s.name).sort()).toEqual(['Acme · Bundle · Power users', 'Paying', 'Paying reporters']);
    // Same workshop, same bytes.
    expect(e.workshops.bundle(w.id)).toBe(text);
  });

  it('round-trips byte for byte: export → import into a fresh cache → export', () => {
    const dir = tempDir();
    const a = env();
    const w = rich(a);
    const first = a.workshops.bundle(w.id);
    const file = join(dir, 'acme.guidepost');
    writeFileSync(file, first);

    const b = env();
    b.tick(3_600_000); // another machine, another time: the bundle still keeps its own timestamps.
    const imported = b.workshops.importBundle(file);
    expect(imported.id).toBe(w.id);
    expect(b.workshops.bundle(imported.id)).toBe(first);
    // The segments came back as saved segments under their ids, still linked and referenced.
    expect(b.segments.list().map((s) => s.name)).toEqual(a.segments.list().map((s) => s.name));
    expect(imported.personas[0]?.segmentId).toBe(w.personas[0]?.segmentId);
    expect(b.workshops.personasUsing(w.personas[0]?.segmentId as string)[0]?.linked).toBe(true);
  });

  it('imports under a new id when the id is taken; the re-export differs only by that id', () => {
    const dir = tempDir();
    const e = env();
    const w = rich(e);
    const first = e.workshops.bundle(w.id);
    const file = join(dir, 'again.guidepost');
    writeFileSync(file, first);
    const segmentsBefore = e.segments.list().length;
    const copy = e.workshops.importBundle(file);
    expect(copy.id).not.toBe(w.id);
    expect(copy.id).toMatch(ID);
    // Its segments are this cache's own (same ids, same rules): reused, not duplicated.
    expect(e.segments.list()).toHaveLength(segmentsBefore);
    expect(e.workshops.bundle(copy.id)).toBe(first.split(`"${w.id}"`).join(`"${copy.id}"`));
  });

  it('gives a carried segment a new id when its id holds something else here, and follows it in the rules', () => {
    const dir = tempDir();
    const a = env();
    const w = rich(a);
    const file = join(dir, 'clash.guidepost');
    writeFileSync(file, a.workshops.bundle(w.id));
    const linkedId = w.personas[0]?.segmentId as string;

    const b = env();
    b.segments.save({ id: linkedId, name: 'Something else', rule: reportRule(50) });
    const imported = b.workshops.importBundle(file);
    const newId = imported.personas[0]?.segmentId as string;
    expect(newId).not.toBe(linkedId);
    expect(b.segments.get(newId).rule).toEqual(w.personas[0]?.rule);
    expect(b.segments.get(newId).name).toBe('Acme · Bundle · Power users');
    expect(b.segments.get(linkedId).rule).toEqual(reportRule(50));
  });

  it('never rewrites a segment of this cache: a same-text segment that refers to one edited here is copied, not reused', () => {
    const dir = tempDir();
    const a = env();
    const admins = a.segments.save({ name: 'Admins', rule: { version: 1, match: 'all', conditions: [{ type: 'trait', trait: 'role', op: 'in', value: ['admin'] }] } });
    const users = a.segments.save({ name: 'Admin users', rule: { version: 1, match: 'all', conditions: [{ type: 'segment', segment: admins.id }] } });
    const w = withPersonas(a, 'Acme · Admins');
    const linked = a.workshops.save({ ...w, personas: w.personas.map((p, i) => (i === 0 ? { ...p, rule: users.rule, ruleEdited: true, segmentId: users.id } : p)) });
    const file = join(dir, 'admins.guidepost');
    writeFileSync(file, a.workshops.bundle(linked.id));

    const b = env();
    b.workshops.importBundle(file);
    // Here, someone narrows "Admins"; "Admin users" still has the same text as in the bundle.
    const owner: Rule = { version: 1, match: 'all', conditions: [{ type: 'trait', trait: 'role', op: 'in', value: ['owner'] }] };
    b.segments.save({ id: admins.id, name: 'Admins', rule: owner });
    const before = b.segments.get(users.id).rule;
    const again = b.workshops.importBundle(file);

    // This cache's segments are untouched; the second import got copies of both, referring to each other.
    expect(b.segments.get(users.id).rule).toEqual(before);
    expect(b.segments.get(admins.id).rule).toEqual(owner);
    const copyId = again.personas[0]?.segmentId as string;
    expect(copyId).not.toBe(users.id);
    const copyRef = b.segments.get(copyId).rule.conditions[0];
    expect(copyRef?.type === 'segment' ? b.segments.get(copyRef.segment).rule : null).toEqual(admins.rule);
  });

  it('refuses what is not a bundle it can read, with the reason, changing nothing', async () => {
    const dir = tempDir();
    let e = env();
    const w = rich(e);
    const good = JSON.parse(e.workshops.bundle(w.id)) as Record<string, unknown> & { workshop: Workshop };
    // Refused by a fresh cache, where an import would create the workshop and all its segments.
    e = env();
    const before = counts(e.db);
    const write = (name: string, content: string): string => {
      const file = join(dir, name);
      writeFileSync(file, content);
      return file;
    };
    const refused = async (file: string): Promise<string> => {
      const err = await apiErrorOf(() => e.workshops.importBundle(file));
      expect(counts(e.db)).toEqual(before);
      return err.message;
    };

    expect(await refused(write('a.guidepost', 'PK\u0003\u0004 zip bytes'))).toMatch(/a\.guidepost is not a Guidepost workshop bundle: it is not JSON/);
    expect(await refused(write('b.guidepost', JSON.stringify({ ...good, kind: 'something-else' })))).toMatch(/not a Guidepost workshop bundle: it has "kind": "something-else"/);
    const deepRule = JSON.stringify({ ...good, segments: { deep: { name: 'Deep', rule: JSON.parse('['.repeat(3000) + ']'.repeat(3000)) } } });
    expect(await refused(write('e.guidepost', deepRule))).toBe('e.guidepost is not a Guidepost workshop bundle: it nests objects and arrays more than 64 levels deep.');
    expect(await refused(write('c.guidepost', JSON.stringify({ ...good, format: 2 })))).toMatch(/newer Guidepost \(bundle format 2; this version reads format 1\)/);
    const broken = { ...good, workshop: { ...good.workshop, personas: [good.workshop.personas[0], { ...good.workshop.personas[1], name: '' }] } };
    expect(await refused(write('d.guidepost', JSON.stringify(broken)))).toContain('The bundle’s workshop is not valid: personas[1].name: give the persona a name');
    // The carried segments are saved one by one (seg_zzz last): a failure on the last must roll back the others.
    const badSegment = { ...good, segments: { ...(good.segments as object), seg_zzz: { name: 'Bad', rule: { version: 1, match: 'all', conditions: [{ type: 'segment', segment: 'seg_missing' }] } } } };
    expect(await refused(write('e.guidepost', JSON.stringify(badSegment)))).toMatch(/segment “Bad” \(segments\.seg_zzz\) cannot be saved: .*seg_missing/);
    expect(await refused(write('f.guidepost', JSON.stringify({ ...good, segments: { 'bad id!': { name: 'x', rule: reportRule(1) } } })))).toMatch(/f\.guidepost is damaged: segments\.bad id!/);
    const big = join(dir, 'big.guidepost');
    writeFileSync(big, '');
    truncateSync(big, MAX_BUNDLE_BYTES + 1);
    expect(await refused(big)).toMatch(/big\.guidepost is 20\.0 MB; a workshop bundle is at most 20 MB/);
    expect(await refused(join(dir, 'missing.guidepost'))).toMatch(/no such file/);
    expect(e.workshops.list(true)).toEqual([]);
  });
});

describe('the demo workspace’s example workshop', () => {
  it('is a finished, valid personas workshop whose personas all have members', async () => {
    const { db } = tempCache();
    await generateDemo(db, { users: 2000, now: DEMO_AS_OF });
    const segments = new SegmentService(db, () => DEMO_AS_OF);
    const workshops = new WorkshopService(db, () => DEMO_AS_OF, segments);
    expect(workshops.list(false).map((s) => s.id)).toEqual([EXAMPLE_WORKSHOP_ID]);
    const w = workshops.get(EXAMPLE_WORKSHOP_ID);
    expect(workshopSchema.safeParse(w).success).toBe(true);
    expect(w).toEqual(exampleWorkshop());
    expect(w.template).toBe('personas');
    expect(w.asOf).toBe(DEMO_AS_OF);
    expect(w.participants).toHaveLength(4);
    expect(w.useCases.length).toBeGreaterThanOrEqual(4);
    expect(Object.values(w.steps).every((s) => s.done)).toBe(true);
    expect(w.opportunities.filter((o) => o.chosen).length).toBeGreaterThanOrEqual(1);
    expect(w.personas).toHaveLength(4);

    const catalog = new Set(db.prepare<[], string>('SELECT name FROM event_names WHERE name_id <> 0').pluck().all());
    const total = segments.total(DEMO_AS_OF);
    for (const p of w.personas) {
      for (const action of [...p.actions, ...p.include, ...p.exclude]) expect(catalog.has(action), `${p.name}: ${action}`).toBe(true);
      const size = segments.count(p.rule, DEMO_AS_OF);
      expect(size, p.name).toBeGreaterThan(0);
      // Distinct groups, not the whole base.
      expect(size, p.name).toBeLessThan(total / 2);
    }
    // Every persona a use case names exists, and every opportunity serves one.
    const ids = new Set(w.personas.map((p) => p.id));
    for (const u of w.useCases) for (const id of u.personaIds) expect(ids.has(id)).toBe(true);
    for (const o of w.opportunities) expect(ids.has(o.personaId)).toBe(true);
  });

  it('keeps every participant within the dot rule, with dots left for the first voter to try', () => {
    const w = exampleWorkshop();
    for (const p of w.participants) {
      const b = dotsBalance(w, p.id);
      expect(b.used, p.name).toBeLessThanOrEqual(DOTS_PER_PARTICIPANT);
      expect(b.over, p.name).toBe(0);
    }
    // The screen votes as the first participant: the demo lets a new user press "+" at once.
    expect(dotsBalance(w, w.participants[0]?.id ?? '').left).toBeGreaterThan(0);
    // Every vote belongs to a participant of the workshop.
    const ids = new Set(w.participants.map((p) => p.id));
    for (const o of w.opportunities) for (const voter of Object.keys(o.votes)) expect(ids.has(voter), `${o.title}: ${voter}`).toBe(true);
  });

  it('is the same workshop, to the byte, in every demo cache', async () => {
    const bundles: string[] = [];
    for (const now of [DEMO_AS_OF, DEMO_AS_OF + 86_400_000]) {
      const { db } = tempCache();
      await generateDemo(db, { users: 200, now });
      const segments = new SegmentService(db, () => now);
      bundles.push(new WorkshopService(db, () => now, segments).bundle(EXAMPLE_WORKSHOP_ID));
    }
    expect(bundles[1]).toBe(bundles[0]);
    expect(bundles[0]).toContain('"title": "Taskly · Persona workshop"');
  });

  it('leaves a workshop already under its id alone', async () => {
    const { db } = tempCache();
    const clock = (): number => T0;
    const workshops = new WorkshopService(db, clock, new SegmentService(db, clock));
    workshops.save({ ...exampleWorkshop(), title: 'Mine now' });
    await generateDemo(db, { users: 50, now: T0 });
    expect(workshops.get(EXAMPLE_WORKSHOP_ID).title).toBe('Mine now');
  });
});
