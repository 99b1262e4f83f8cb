/**
 * event_property_values answers eq / in property filters on strings and numbers exactly, and stays exact
 * without any writer keeping it: a (name, key) pair is built on the first count that filters on it, the
 * events appended since its stamp are folded in before later counts, it is rebuilt when an event is
 * deleted or changed, and a connection that cannot write reads only the pairs that are current already.
 * Every count here is checked against the JS evaluator and against the events-only SQL.
 */
import { describe, expect, it } from 'vitest';
import { openCache, type Db } from '../../src/main/db/connection';
import { newestEventPk } from '../../src/main/segments/derived';
import { refreshPropertyValues } from '../../src/main/segments/property-values';
import { SegmentService } from '../../src/main/segments/service';
import type { EventCondition, Rule } from '../../src/shared/segments/rule';
import { useTempCache } from './helpers';
import { agreedMembers, DAY, growingCache, rowCount, whileAnotherWrites, type TestRecord } from './segments-helpers';

const tempCache = useTempCache();

const A = Date.UTC(2026, 2, 1, 12);

const rule = (condition: Partial<EventCondition>): Rule => ({
  version: 1,
  match: 'all',
  conditions: [{ type: 'event', event: 'report_run', op: '>=', count: 1, ...condition }],
});
const PDF_TWICE = rule({ op: '>=', count: 2, within: { days: 30 }, where: [{ property: 'format', op: 'eq', value: 'pdf' }] });

/** One user per kind of value: a filter's members say which kinds it matched. */
const KINDS: [string, unknown][] = [
  ['pdf', 'pdf'],
  ['pdf_upper', 'PDF'],
  ['text10', '10'],
  ['int10', 10],
  ['real10_5', 10.5],
  ['int1', 1],
  ['text1', '1'],
  ['yes', true],
  ['no', false],
  ['null', null],
  ['array', [1, 'pro']],
  ['array_text', '[1,"pro"]'],
  ['object', { plan: 'pro' }],
  ['cafe', 'café'],
];
const TYPED: TestRecord[] = [
  ...KINDS.map(([user, format]): TestRecord => ({ user, event: 'report_run', ts: A - DAY, properties: { format, pages: 5 } })),
  { user: 'missing', event: 'report_run', ts: A - DAY, properties: { pages: 5 } },
  { user: 'other_event', event: 'export_csv', ts: A - DAY, properties: { format: 'pdf' } },
];

const SAMPLE: TestRecord[] = [
  { user: 'ana', event: 'report_run', ts: A - 2 * DAY, properties: { format: 'pdf' } },
  { user: 'ana', event: 'report_run', ts: A - 3 * DAY, properties: { format: 'pdf' } },
  { user: 'ben', event: 'report_run', ts: A - 2 * DAY, properties: { format: 'pdf' } },
  { user: 'ben', event: 'report_run', ts: A - 40 * DAY, properties: { format: 'pdf' } },
  { user: 'cy', event: 'report_run', ts: A - 1 * DAY, properties: { format: 'csv' } },
  { user: 'cy', event: 'report_run', ts: A - 2 * DAY, properties: { format: 'pdf' } },
];

const readsValues = (service: SegmentService, r: Rule): boolean => service.compile(r, A).sql.includes('event_property_values');
const stamps = (db: Db): { key: string; through: number }[] =>
  db.prepare<[], { key: string; through: number }>('SELECT key, through FROM event_property_values_through ORDER BY key').all();

describe('event_property_values', () => {
  it('matches strings only to strings and numbers only to numbers, as the JS evaluator does', () => {
    const { db } = tempCache();
    const service = new SegmentService(db, () => A);
    const cache = growingCache(db, TYPED);
    const where = (op: 'eq' | 'in', value: unknown): Rule => rule({ where: [{ property: 'format', op, value } as never] });
    const cases: [Rule, string[]][] = [
      [where('eq', 'pdf'), ['pdf']],
      [where('eq', '10'), ['text10']],
      [where('eq', 10), ['int10']],
      [where('eq', 1), ['int1']],
      [where('eq', '1'), ['text1']],
      [where('eq', 10.5), ['real10_5']],
      [where('eq', '[1,"pro"]'), ['array_text']],
      [where('eq', 'café'), ['cafe']],
      [where('in', ['10', 1]), ['int1', 'text10']],
      [where('in', [10, 'pdf', 'café']), ['cafe', 'int10', 'pdf']],
    ];
    for (const [r, expected] of cases) {
      expect(readsValues(service, r), JSON.stringify(r.conditions)).toBe(true);
      expect(agreedMembers(service, db, cache.records, r, A), JSON.stringify(r.conditions)).toEqual(expected);
    }
    // A boolean, and every operator but eq and in, read the events' JSON.
    for (const [r, expected] of [
      [where('eq', true), ['yes']],
      [where('in', ['pdf', false]), ['no', 'pdf']],
      [rule({ where: [{ property: 'format', op: 'neq', value: 'pdf' }] }), KINDS.map(([u]) => u).filter((u) => u !== 'pdf').concat('missing').sort()],
      [rule({ where: [{ property: 'format', op: 'contains', value: 'pdf' }] }), ['pdf', 'pdf_upper']],
    ] as [Rule, string[]][]) {
      expect(readsValues(service, r)).toBe(false);
      expect(agreedMembers(service, db, cache.records, r, A)).toEqual(expected);
    }
    // Of several filters, the first indexed one is the range; the others read the event's row.
    const twoFilters = rule({
      where: [
        { property: 'pages', op: 'gt', value: 4 },
        { property: 'format', op: 'in', value: ['pdf', 'PDF'] },
      ],
    });
    expect(readsValues(service, twoFilters)).toBe(true);
    expect(agreedMembers(service, db, cache.records, twoFilters, A)).toEqual(['pdf', 'pdf_upper']);
  });

  it('is built per pair on first use, and follows appended events (successive imports)', () => {
    const { db } = tempCache();
    const service = new SegmentService(db, () => A);
    const cache = growingCache(db, SAMPLE);
    expect(stamps(db)).toEqual([]);
    expect(agreedMembers(service, db, cache.records, PDF_TWICE, A)).toEqual(['ana']);
    expect(stamps(db)).toEqual([{ key: 'format', through: newestEventPk(db) }]);
    expect(rowCount(db, 'event_property_values')).toBe(6);

    // Cy's second pdf report, and a user with two; an unrelated event comes in too.
    cache.append([
      { user: 'cy', event: 'report_run', ts: A - 5 * DAY, properties: { format: 'pdf' } },
      { user: 'dee', event: 'report_run', ts: A - 4 * DAY, properties: { format: 'pdf' } },
      { user: 'dee', event: 'report_run', ts: A - 3 * DAY, properties: { format: 'pdf' } },
      { user: 'dee', event: 'login', ts: A - 3 * DAY, properties: { format: 'pdf' } },
    ]);
    expect(agreedMembers(service, db, cache.records, PDF_TWICE, A)).toEqual(['ana', 'cy', 'dee']);
    expect(stamps(db)).toEqual([{ key: 'format', through: newestEventPk(db) }]);
    // Folded in, not rebuilt, and only report_run's events.
    expect(rowCount(db, 'event_property_values')).toBe(9);
    // Probed per candidate from another condition, and scanned as a set: the same members.
    const withLogin: Rule = { ...PDF_TWICE, conditions: [{ type: 'event', event: 'login', op: '>=', count: 1 }, ...PDF_TWICE.conditions] };
    expect(agreedMembers(service, db, cache.records, withLogin, A)).toEqual(['dee']);
    const either: Rule = { ...withLogin, match: 'any' };
    expect(agreedMembers(service, db, cache.records, either, A)).toEqual(['ana', 'cy', 'dee']);
  });

  it('is rebuilt when an event is deleted or changed, its properties included', () => {
    const { db } = tempCache();
    const service = new SegmentService(db, () => A);
    const cache = growingCache(db, SAMPLE);
    expect(agreedMembers(service, db, cache.records, PDF_TWICE, A)).toEqual(['ana']);
    db.prepare("DELETE FROM events WHERE event_id = 'r1'").run(); // one of Ana's pdf reports
    expect(stamps(db)).toEqual([]);
    expect(rowCount(db, 'event_property_values')).toBe(0);
    let records = cache.records.filter((r) => r.id !== 'r1');
    expect(agreedMembers(service, db, records, PDF_TWICE, A)).toEqual([]);
    db.prepare(`UPDATE events SET properties = '{"format":"pdf"}' WHERE event_id = 'r4'`).run(); // Cy's csv report becomes a pdf
    expect(stamps(db)).toEqual([]);
    records = records.map((r) => (r.id === 'r4' ? { ...r, properties: { format: 'pdf' } } : r));
    expect(agreedMembers(service, db, records, PDF_TWICE, A)).toEqual(['cy']);
    expect(stamps(db)).toEqual([{ key: 'format', through: newestEventPk(db) }]);
  });

  it('is not written through a read-only connection, which reads only the pairs that are current', () => {
    const { db, path } = tempCache();
    const cache = growingCache(db, SAMPLE);
    const readonly = openCache(path, { readonly: true }).db;
    try {
      const service = new SegmentService(readonly, () => A);
      // Never built: the read-only connection reads the events.
      expect(readsValues(service, PDF_TWICE)).toBe(false);
      expect(agreedMembers(service, readonly, cache.records, PDF_TWICE, A)).toEqual(['ana']);
      expect(stamps(readonly)).toEqual([]);
      // Once the writable connection has built it, the read-only one reads it too…
      expect(new SegmentService(db, () => A).count(PDF_TWICE, A)).toBe(1);
      expect(readsValues(service, PDF_TWICE)).toBe(true);
      expect(agreedMembers(service, readonly, cache.records, PDF_TWICE, A)).toEqual(['ana']);
      // …until new events arrive that it has not folded in.
      cache.append([{ user: 'ben', event: 'report_run', ts: A - 1 * DAY, properties: { format: 'pdf' } }]);
      expect(readsValues(service, PDF_TWICE)).toBe(false);
      expect(agreedMembers(service, readonly, cache.records, PDF_TWICE, A)).toEqual(['ana', 'ben']);
    } finally {
      readonly.close();
    }
  });

  it('does not wait for another connection that is writing: that count reads the events alone', () => {
    const { db, path } = tempCache();
    const cache = growingCache(db, SAMPLE);
    const service = new SegmentService(db, () => A);
    whileAnotherWrites(
      path,
      () => {
        expect(refreshPropertyValues(db, PDF_TWICE).size).toBe(0);
        expect(readsValues(service, PDF_TWICE)).toBe(false);
        expect(agreedMembers(service, db, cache.records, PDF_TWICE, A)).toEqual(['ana']);
      },
      () => {
        expect(refreshPropertyValues(db, PDF_TWICE).size).toBe(1);
        expect(readsValues(service, PDF_TWICE)).toBe(true);
        expect(agreedMembers(service, db, cache.records, PDF_TWICE, A)).toEqual(['ana']);
      },
    );
  });
});
