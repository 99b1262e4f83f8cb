import { describe, expect, it } from 'vitest';
import { createJobHandlers } from '../../src/main/jobs/handlers';
import { JobRunner } from '../../src/main/jobs/runner';
import { methodNames, methods } from '../../src/shared/contract';
import { combineMethods } from '../../src/shared/contract/combine';
import { dataMethods } from '../../src/shared/contract/data';
import { demoMethods } from '../../src/shared/contract/demo';
import { ingestMethods } from '../../src/shared/contract/ingest';
import { jobMethods } from '../../src/shared/contract/jobs';
import { messageMethods } from '../../src/shared/contract/messages';
import { segmentMethods } from '../../src/shared/contract/segments';
import { workshopMethods } from '../../src/shared/contract/workshops';
import { validateCall } from '../../src/shared/dispatch';

const domainTables = [dataMethods, demoMethods, ingestMethods, segmentMethods, workshopMethods, messageMethods, jobMethods];

describe('combineMethods', () => {
  it('merges the tables, keeping every entry as it was', () => {
    const first = { a: 1 };
    const second = { b: 'two' };
    expect(combineMethods(first, second)).toEqual({ a: 1, b: 'two' });
  });

  it('throws on a name two tables define, even where the types cannot see it', () => {
    const hidden: object = { a: 3 };
    expect(() => combineMethods({ a: 1 }, { b: 2 }, hidden)).toThrow('The method "a" is defined twice.');
  });

  it('is refused by the type checker when the types show the name twice', () => {
    // @ts-expect-error -- getStatus is in both tables, so the call does not type-check
    expect(() => combineMethods(dataMethods, { getStatus: dataMethods.getStatus })).toThrow('The method "getStatus" is defined twice.');
  });
});

describe('the contract, merged from one table per domain', () => {
  it('holds every domain method once, each exactly as its domain defines it', () => {
    const names = domainTables.flatMap((table) => Object.keys(table));
    expect(new Set(names).size).toBe(names.length);
    expect([...names].sort()).toEqual([...methodNames].sort());
    for (const table of domainTables) {
      for (const [name, spec] of Object.entries(table)) expect((methods as Record<string, unknown>)[name], name).toBe(spec);
    }
  });

  it('validates publishMessagesNow like every method: message ids and an http(s) URL', () => {
    expect(validateCall('publishMessagesNow', { ids: ['upsell-1'], url: 'http://127.0.0.1:8787' }).arg).toEqual({ ids: ['upsell-1'], url: 'http://127.0.0.1:8787' });
    expect(() => validateCall('publishMessagesNow', { ids: ['upsell-1'], url: 'ftp://example.com' })).toThrow(/url: the delivery URL must be http\(s\)/);
    expect(() => validateCall('publishMessagesNow', { ids: [' bad id'] })).toThrow(/ids\.0: message ids start with/);
  });
});

describe('the backend combining its domains (src/main/api.ts)', () => {
  const jobs = new JobRunner({ clock: () => 0, onUpdate: () => undefined });

  it('refuses a handler that two domains both define', () => {
    const again: object = createJobHandlers(jobs);
    expect(() => combineMethods(createJobHandlers(jobs), again)).toThrow('The method "cancelJob" is defined twice.');
  });

  it('is refused by the type checker when both domains are typed', () => {
    // @ts-expect-error -- cancelJob and listJobs are defined by both tables
    expect(() => combineMethods(createJobHandlers(jobs), createJobHandlers(jobs))).toThrow(/is defined twice/);
  });
});
