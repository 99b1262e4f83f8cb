import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  categories,
  defaultModal,
  defaultNps,
  flatten,
  formatScore,
  hasCallToAction,
  inputToIso,
  isoToInput,
  issuesAt,
  KIND_LABELS,
  latestOutbox,
  newDraft,
  OP_LABELS,
  OUTBOX_LABELS,
  pathWords,
  previewMessage,
  showValue,
  STATUS_LABELS,
  validate,
  warnings,
} from '../../../src/renderer/src/screens/messages/model';
import {
  MESSAGE_ID_PATTERN,
  MESSAGE_KINDS,
  MESSAGE_STATUSES,
  messageSchema,
  OUTBOX_OPS,
  OUTBOX_STATES,
  type MessageDraft,
  type MessageRecord,
  type OutboxItem,
} from '../../../src/shared/messages/model';

const modal = (): MessageDraft => newDraft('modal', 'seg-1');

describe('labels', () => {
  it('every status, kind, outbox state and outbox op has a label', () => {
    expect(Object.keys(STATUS_LABELS).sort()).toEqual([...MESSAGE_STATUSES].sort());
    expect(Object.keys(KIND_LABELS).sort()).toEqual([...MESSAGE_KINDS].sort());
    expect(Object.keys(OUTBOX_LABELS).sort()).toEqual([...OUTBOX_STATES].sort());
    expect(Object.keys(OP_LABELS).sort()).toEqual([...OUTBOX_OPS].sort());
  });
});

describe('warnings: a page pattern that cannot match what the SDK sends', () => {
  it('a pattern with "?" or "#" is a warning at trigger.page, never a validation issue', () => {
    for (const page of ['https://app.example.com/billing?tab=plans', 'https://app.example.com/#/settings', '*?utm_source=*']) {
      const draft: MessageDraft = { ...newDraft('modal', 'seg-1'), trigger: { page } };
      expect(validate(draft), page).toEqual({});
      const found = warnings(draft);
      expect(Object.keys(found)).toEqual(['trigger.page']);
      expect(found['trigger.page']?.[0]).toMatch(/^This page pattern has a "[?#]": the SDK .* Match on the path instead\.$/);
    }
  });

  it('a path pattern, or no page trigger at all, has none', () => {
    expect(warnings({ ...newDraft('modal', 'seg-1'), trigger: { page: 'https://app.example.com/projects/*' } })).toEqual({});
    expect(warnings({ ...newDraft('modal', 'seg-1'), trigger: { event: { name: 'upgrade_clicked' } } })).toEqual({});
  });
});

describe('newDraft', () => {
  it('a new modal or survey targeted at a segment is valid as it is', () => {
    for (const kind of MESSAGE_KINDS) {
      const draft = newDraft(kind, 'seg-1');
      expect(messageSchema.safeParse(draft).success).toBe(true);
      expect(validate(draft)).toEqual({});
      expect(draft.kind).toBe(kind);
      expect(draft.target).toEqual({ type: 'segment', segmentId: 'seg-1' });
    }
  });

  it('carries the content of its own kind only, and the kind’s own trigger and frequency', () => {
    const m = newDraft('modal', 'seg-1');
    expect(m).toMatchObject({ name: 'Upsell modal', modal: defaultModal(), trigger: { page: '*' }, frequency: { everyDays: 7, maxTimes: 3 } });
    expect(m.nps).toBeUndefined();
    const n = newDraft('nps', 'seg-1');
    expect(n).toMatchObject({ name: 'NPS survey', nps: defaultNps(), trigger: { page: '*', delaySeconds: 5 }, frequency: { once: true } });
    expect(n.modal).toBeUndefined();
  });

  it('without a segment, the draft asks for one', () => {
    const draft = newDraft('nps', null);
    expect(draft.target).toEqual({ type: 'segment', segmentId: '' });
    expect(validate(draft)).toEqual({ 'target.segmentId': ['pick a segment'] });
  });

  it('ids are the kind and a random suffix, valid for the delivery server and different each time', () => {
    const ids = Array.from({ length: 200 }, () => newDraft('modal', null).id);
    for (const id of ids) {
      expect(id).toMatch(/^modal-[0-9a-z]{8}$/);
      expect(id).toMatch(MESSAGE_ID_PATTERN);
    }
    expect(new Set(ids).size).toBe(ids.length);
    expect(newDraft('nps', null).id).toMatch(/^nps-[0-9a-z]{8}$/);
  });

  it('the default contents are fresh objects: editing one draft leaves the next alone', () => {
    const first = defaultModal();
    first.cta.label = 'changed';
    expect(defaultModal().cta.label).toBe('See Pro plans');
    const survey = defaultNps();
    survey.followUp.promoter = 'changed';
    expect(defaultNps().followUp.promoter).toBe('What do you like most?');
  });
});

describe('validate and issuesAt', () => {
  it('keys each issue by its field path, with the schema’s message', () => {
    const draft = { ...modal(), name: '  ', rollout: 101, modal: { ...defaultModal(), cta: { label: 'Go', url: 'javascript:alert(1)' } } };
    expect(validate(draft)).toEqual({
      name: ['give the message a name'],
      rollout: ['rollout is 0 to 100%'],
      'modal.cta.url': ['must be an http(s) URL, such as https://example.com/upgrade'],
    });
  });

  it('says "enter a number" where a number field holds something else (an emptied number input)', () => {
    const issues = validate({ ...modal(), rollout: Number.NaN, priority: undefined as unknown as number });
    expect(issues).toEqual({ rollout: ['enter a number'], priority: ['enter a number'] });
  });

  it('an object-level refinement lands on the object, and the schedule’s order on its end', () => {
    const noTarget = { ...modal(), modal: { ...defaultModal(), cta: { label: 'Go' } } };
    expect(validate(noTarget)).toEqual({ 'modal.cta': ['give the call to action either a URL or a product action'] });
    const backwards = { ...modal(), schedule: { start: '2026-07-02T00:00:00Z', end: '2026-07-01T00:00:00Z' } };
    expect(validate(backwards)).toEqual({ 'schedule.end': ['the end must be after the start'] });
    const missing: MessageDraft = { ...modal(), kind: 'nps' };
    expect(validate(missing)).toEqual({ nps: ['write the survey: question and labels'] });
  });

  it('several issues at one path are all kept, in the schema’s order', () => {
    const issues = validate({ ...modal(), modal: { ...defaultModal(), cta: { label: 'Go', url: 'x'.repeat(3000) } } });
    expect(issues).toEqual({
      'modal.cta.url': ['is longer than 2048 characters', 'must be an http(s) URL, such as https://example.com/upgrade'],
    });
  });

  it('issuesAt gathers the issues at a path and below it, not at a path that merely starts alike', () => {
    const issues = { 'modal.cta': ['a'], 'modal.cta.url': ['b'], 'modal.title': ['c'], 'modal.ctaX': ['d'], rollout: ['e'] };
    expect(issuesAt(issues, 'modal.cta')).toEqual(['a', 'b']);
    expect(issuesAt(issues, 'modal')).toEqual(['a', 'b', 'c', 'd']);
    expect(issuesAt(issues, 'rollout')).toEqual(['e']);
    expect(issuesAt(issues, 'roll')).toEqual([]);
    expect(issuesAt({}, 'modal')).toEqual([]);
  });
});

describe('pathWords', () => {
  it('says a field path in the editor’s words, keeping words it does not know', () => {
    expect(pathWords('nps.followUp.detractor')).toBe('survey › follow-up › detractor');
    expect(pathWords('modal.cta.url')).toBe('modal › call to action › url');
    expect(pathWords('schedule.end')).toBe('schedule › end');
    expect(pathWords('frequency.everyDays')).toBe('frequency › every N days');
    expect(pathWords('')).toBe('');
    expect(pathWords('a..b')).toBe('a › b');
  });
});

describe('schedule: datetime-local ⇄ ISO', () => {
  // Years of four digits: what both the input and the schema's instants hold.
  const minuteArb = fc
    .date({ min: new Date('1000-01-01T00:00:00Z'), max: new Date('9999-12-31T23:59:00Z'), noInvalidDate: true })
    .map((d) => new Date(Math.floor(d.getTime() / 60_000) * 60_000));

  it('an input value becomes an instant the schema accepts, and comes back as the same value', () => {
    fc.assert(
      fc.property(minuteArb, (date) => {
        const input = date.toISOString().slice(0, 16);
        const iso = inputToIso(input);
        expect(iso).toBe(`${input}:00Z`);
        expect(Date.parse(iso as string)).toBe(date.getTime());
        expect(isoToInput(iso)).toBe(input);
        expect(validate({ ...modal(), schedule: { start: iso } })).toEqual({});
      }),
    );
  });

  it('shows an instant in UTC to the minute, whatever zone it was written in', () => {
    expect(isoToInput('2026-07-01T09:30:45.123Z')).toBe('2026-07-01T09:30');
    expect(isoToInput('2026-07-01T09:30:00+02:00')).toBe('2026-07-01T07:30');
    expect(isoToInput('2026-01-01T00:30:00-01:00')).toBe('2026-01-01T01:30');
  });

  it('nothing, or something that is not a date, shows as an empty input; an empty input is no date', () => {
    expect(isoToInput(undefined)).toBe('');
    expect(isoToInput('')).toBe('');
    expect(isoToInput('not a date')).toBe('');
    expect(inputToIso('')).toBeUndefined();
  });
});

describe('previewMessage', () => {
  it('hands the SDK the content of the kind in use, not the other kind’s kept content', () => {
    const draft: MessageDraft = { ...newDraft('nps', 'seg-1'), modal: defaultModal() };
    expect(previewMessage(draft)).toEqual({ id: draft.id, kind: 'nps', content: draft.nps });
    const asModal = { ...draft, kind: 'modal' as const };
    expect(previewMessage(asModal)).toEqual({ id: draft.id, kind: 'modal', content: draft.modal });
  });
});

describe('latestOutbox', () => {
  const item = (id: number): OutboxItem => ({
    id,
    messageId: 'm',
    op: 'publish',
    environment: 'production',
    version: 1,
    state: 'queued',
    attempts: 0,
    nextAttemptAt: null,
    lastError: null,
    serverMessage: null,
    createdAt: id,
    updatedAt: id,
  });
  const record = (outbox: OutboxItem[]): MessageRecord => ({
    message: modal(),
    status: 'draft',
    publishedVersion: null,
    publishedBody: null,
    targetName: 'Everyone',
    targetWarning: null,
    outbox,
    createdAt: 0,
    updatedAt: 0,
  });

  it('is the first item (the list is newest first), or null when nothing is pending', () => {
    expect(latestOutbox(record([item(3), item(2)]))?.id).toBe(3);
    expect(latestOutbox(record([]))).toBeNull();
  });
});

describe('flatten and showValue', () => {
  it('lists the leaves of an object by dotted path, as text', () => {
    const flat = flatten({ a: { b: 1, c: 'x' }, d: true, e: null, f: undefined, g: [1, 'two'] });
    expect([...flat]).toEqual([
      ['a.b', '1'],
      ['a.c', 'x'],
      ['d', 'true'],
      ['e', 'null'],
      ['f', '—'],
      ['g', '[1,"two"]'],
    ]);
  });

  it('opens arrays that hold objects by index, and keeps an empty object as a leaf (but not the root)', () => {
    const flat = flatten({ where: [{ p: 'plan' }, 2], empty: {}, none: [] });
    expect(Object.fromEntries(flat)).toEqual({ 'where[0].p': 'plan', 'where[1]': '2', empty: '{}', none: '[]' });
    expect(flatten({}).size).toBe(0);
    expect([...flatten('just text')]).toEqual([['', 'just text']]);
  });

  it('adds to the map it is given', () => {
    const out = new Map([['kept', 'yes']]);
    expect(flatten({ a: 1 }, 'pre', out)).toBe(out);
    expect(Object.fromEntries(out)).toEqual({ kept: 'yes', 'pre.a': '1' });
  });

  it('tells two versions apart exactly where a leaf differs', () => {
    const before = newDraft('modal', 'seg-1');
    const after = { ...before, rollout: 50, modal: { ...defaultModal(), cta: { label: 'Buy', url: 'https://example.com/buy' } } };
    const a = flatten(before);
    const b = flatten(after);
    const changed = [...new Set([...a.keys(), ...b.keys()])].filter((k) => a.get(k) !== b.get(k));
    expect(changed).toEqual(['modal.cta.label', 'modal.cta.url', 'rollout']);
  });

  it('showValue writes any value on one line, and nothing as a dash', () => {
    expect(showValue(undefined)).toBe('—');
    expect(showValue(null)).toBe('—');
    expect(showValue('text as is')).toBe('text as is');
    expect(showValue(0)).toBe('0');
    expect(showValue({ a: [1, 2], b: { c: 'x' } })).toBe('{ "a": [ 1, 2 ], "b": { "c": "x" } }');
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expect(showValue(value)).not.toMatch(/\n/);
      }),
    );
  });
});

describe('NPS figures', () => {
  it('categories: 0-6 detractors, 7-8 passives, 9-10 promoters', () => {
    expect(categories([1, 1, 1, 1, 1, 1, 1, 10, 20, 100, 200])).toEqual({ detractors: 7, passives: 30, promoters: 300 });
    expect(categories([])).toEqual({ detractors: 0, passives: 0, promoters: 0 });
    expect(categories([0, 0, 0, 0, 0, 0, 5])).toEqual({ detractors: 5, passives: 0, promoters: 0 });
    expect(categories([0, 0, 0, 0, 0, 0, 0, 4])).toEqual({ detractors: 0, passives: 4, promoters: 0 });
    expect(categories([0, 0, 0, 0, 0, 0, 0, 0, 0, 3])).toEqual({ detractors: 0, passives: 0, promoters: 3 });
  });

  it('categories loses no answer', () => {
    fc.assert(
      fc.property(fc.array(fc.nat(1000), { minLength: 11, maxLength: 11 }), (distribution) => {
        const { detractors, passives, promoters } = categories(distribution);
        expect(detractors + passives + promoters).toBe(distribution.reduce((a, b) => a + b, 0));
      }),
    );
  });

  it('formatScore writes a sign on both sides of zero, rounds, and a dash without answers', () => {
    expect(formatScore(null)).toBe('—');
    expect(formatScore(32)).toBe('+32');
    expect(formatScore(-100)).toBe('−100');
    expect(formatScore(0)).toBe('0');
    expect(formatScore(12.5)).toBe('+13');
    expect(formatScore(0.4)).toBe('0');
    // Rounds to zero from below: no "−0".
    expect(formatScore(-0.4)).toBe('0');
    expect(formatScore(-0.5)).toBe('0');
    expect(formatScore(-0.6)).toBe('−1');
  });
});

describe('hasCallToAction: where a click-through rate means something', () => {
  it('holds for a modal and a slideout, for a banner only with its optional button, never for surveys', () => {
    const draftOf = (kind: MessageDraft['kind']): MessageDraft => newDraft(kind, 'seg-1');
    expect(MESSAGE_KINDS.map((kind) => [kind, hasCallToAction(draftOf(kind))])).toEqual([
      ['modal', true],
      ['nps', false],
      ['survey', false],
      ['banner', Boolean(draftOf('banner').banner?.cta)],
      ['slideout', true],
    ]);
    const banner = draftOf('banner');
    const withButton: MessageDraft = { ...banner, banner: { ...(banner.banner as NonNullable<MessageDraft['banner']>), cta: { label: 'See what is new', url: 'https://example.com/new' } } };
    const without: MessageDraft = { ...banner, banner: { text: 'Reports are faster now.', position: 'top', dismissLabel: 'Dismiss' } };
    expect([hasCallToAction(withButton), hasCallToAction(without)]).toEqual([true, false]);
  });
});
