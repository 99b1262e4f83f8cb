import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createBackend } from '../../src/main/api';
import { openCache } from '../../src/main/db/connection';
import { methodNames, methods } from '../../src/shared/contract';
import { dispatch, validateCall } from '../../src/shared/dispatch';
import { ApiError, type Envelope } from '../../src/shared/errors';
import type { CacheStatus } from '../../src/shared/types';
import { useTempCache } from './helpers';

const tempCache = useTempCache();

function backend() {
  const { db, path } = tempCache();
  return { ...createBackend({ db, path }), path };
}

function expectError(envelope: Envelope<unknown>, code: string, text?: RegExp): void {
  expect(envelope.ok).toBe(false);
  if (envelope.ok) return;
  expect(envelope.error.code).toBe(code);
  if (text) expect(envelope.error.message).toMatch(text);
}

describe('validateCall', () => {
  it('returns the parsed argument of a good call, defaulting a missing argument to {}', () => {
    expect(validateCall('setDataAsOf', { asOf: 5 })).toEqual({ name: 'setDataAsOf', arg: { asOf: 5 } });
    expect(validateCall('getStatus', undefined)).toEqual({ name: 'getStatus', arg: {} });
  });

  it('throws an ApiError invalid_argument naming the method and the field', () => {
    let caught: unknown;
    try {
      validateCall('getDailyVolume', { days: -3 });
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(ApiError);
    expect((caught as ApiError).code).toBe('invalid_argument');
    expect((caught as ApiError).message).toMatch(/^Invalid argument for getDailyVolume: days: /);
  });

  it('throws unknown_method for names outside the contract, including inherited object keys', () => {
    for (const name of ['nope', 'constructor', 'toString', '__proto__', 42, null, undefined]) {
      expect(() => validateCall(name, {}), String(name)).toThrow(
        expect.objectContaining({ code: 'unknown_method' }) as unknown as Error,
      );
    }
  });

  it('refuses an argument nested deeper than 64 levels before validating it (zod would overflow the stack)', () => {
    let deep: unknown = { type: 'nps', category: 'promoter' };
    for (let i = 0; i < 5000; i++) deep = { type: 'group', match: 'all', conditions: [deep] };
    expect(() => validateCall('previewSegment', { rule: { version: 1, match: 'all', conditions: [deep] } })).toThrow(
      'Invalid argument for previewSegment: it nests objects and arrays more than 64 levels deep.',
    );
  });

  it('lets no window choose where an export is written: outDir is refused', () => {
    expect(validateCall('exportWorkshop', { id: 'w1', format: 'pdf' }).arg).toEqual({ id: 'w1', format: 'pdf' });
    expect(() => validateCall('exportWorkshop', { id: 'w1', format: 'pdf', outDir: '/etc' })).toThrow(
      expect.objectContaining({ code: 'invalid_argument' }) as unknown as Error,
    );
  });
});

describe('dispatch over the real backend', () => {
  it('has a handler for every contract method, and no handler outside the contract', () => {
    const { handlers } = backend();
    expect(methodNames.length).toBeGreaterThan(0);
    for (const name of Object.keys(methods)) {
      expect(typeof (handlers as Record<string, unknown>)[name], name).toBe('function');
    }
    expect(Object.keys(handlers).sort()).toEqual([...methodNames].sort());
  });

  it('writes a window\'s export under exports/ beside the cache, whatever the title', async () => {
    const b = backend();
    for (const title of ['..', '../../etc', 'Acme · Q3 kickoff']) {
      const w = await b.handlers.createWorkshop({ title, template: 'personas' });
      const { files } = await b.handlers.exportWorkshop({ id: w.id, format: 'bundle' });
      expect(files).toHaveLength(1);
      expect(dirname(dirname(files[0] as string)), title).toBe(join(dirname(b.path), 'exports'));
    }
    b.close();
  });

  it('refuses a non-numeric asOf with invalid_argument naming the field', async () => {
    const { handlers } = backend();
    const envelope = await dispatch(handlers, 'setDataAsOf', { asOf: 'yesterday' });
    expectError(envelope, 'invalid_argument', /^Invalid argument for setDataAsOf: asOf: .*expected number/);
  });

  it('refuses a negative or fractional asOf, and a missing one', async () => {
    const { handlers } = backend();
    expectError(await dispatch(handlers, 'setDataAsOf', { asOf: -1 }), 'invalid_argument', /asOf/);
    expectError(await dispatch(handlers, 'setDataAsOf', { asOf: 1.5 }), 'invalid_argument', /asOf/);
    expectError(await dispatch(handlers, 'setDataAsOf', {}), 'invalid_argument', /asOf/);
  });

  it('refuses days: -3 and days: 0 for getDailyVolume, naming days', async () => {
    const { handlers } = backend();
    expectError(await dispatch(handlers, 'getDailyVolume', { days: -3 }), 'invalid_argument', /^Invalid argument for getDailyVolume: days: .*>=1/);
    expectError(await dispatch(handlers, 'getDailyVolume', { days: 0 }), 'invalid_argument', /\bdays\b/);
    expectError(await dispatch(handlers, 'getDailyVolume', { days: '7' }), 'invalid_argument', /\bdays\b/);
  });

  it('refuses an unknown extra field on a strict object, naming the field', async () => {
    const { handlers } = backend();
    expectError(await dispatch(handlers, 'getStatus', { sneaky: true }), 'invalid_argument', /^Invalid argument for getStatus: .*Unrecognized key.*"sneaky"/);
    expectError(await dispatch(handlers, 'setDataAsOf', { asOf: null, extra: 1 }), 'invalid_argument', /extra/);
    expectError(await dispatch(handlers, 'cancelJob', { jobId: 'job-1', force: true }), 'invalid_argument', /force/);
  });

  it('refuses an argument that is not an object', async () => {
    const { handlers } = backend();
    for (const raw of [null, 'string', 7, [1, 2]]) {
      expectError(await dispatch(handlers, 'getStatus', raw), 'invalid_argument', /getStatus/);
    }
  });

  it('answers an unknown method with unknown_method, never throwing', async () => {
    const { handlers } = backend();
    expectError(await dispatch(handlers, 'dropAllTables', {}), 'unknown_method', /dropAllTables/);
    expectError(await dispatch(handlers, undefined, undefined), 'unknown_method');
    expectError(await dispatch(handlers, 'hasOwnProperty', {}), 'unknown_method');
  });

  it('turns an error thrown by a handler into an envelope', async () => {
    const { handlers } = backend();
    const envelope = await dispatch(handlers, 'cancelJob', { jobId: 'job-999' });
    expectError(envelope, 'not_found', /job-999/);
  });

  it('answers a good call with ok: true and the value', async () => {
    const { handlers, path } = backend();
    const envelope = await dispatch(handlers, 'getStatus', {});
    expect(envelope.ok).toBe(true);
    if (!envelope.ok) return;
    const status = envelope.value as CacheStatus;
    expect(status).toMatchObject({ path, users: 0, events: 0, dataAsOf: null, dataAsOfSource: null, hasDemo: false });
    expect(status.schemaVersion).toBeGreaterThanOrEqual(1);
    expect(await dispatch(handlers, 'getDailyVolume', { days: 7 })).toEqual({ ok: true, value: [] });
    expect(await dispatch(handlers, 'listEventCatalog', undefined)).toEqual({ ok: true, value: [] });
    expect(await dispatch(handlers, 'listJobs', {})).toEqual({ ok: true, value: [] });
  });

  it('setDataAsOf records a manual data-as-of that getStatus reports, and null resets it', async () => {
    const { handlers } = backend();
    const asOf = Date.UTC(2026, 0, 15);
    const set = await dispatch(handlers, 'setDataAsOf', { asOf });
    expect(set).toMatchObject({ ok: true, value: { dataAsOf: asOf, dataAsOfSource: 'manual' } });

    const status = await dispatch(handlers, 'getStatus', {});
    expect(status).toMatchObject({ ok: true, value: { dataAsOf: asOf, dataAsOfSource: 'manual' } });

    const reset = await dispatch(handlers, 'setDataAsOf', { asOf: null });
    expect(reset).toMatchObject({ ok: true, value: { dataAsOf: null, dataAsOfSource: null } });
    expect(await dispatch(handlers, 'getStatus', {})).toMatchObject({ ok: true, value: { dataAsOf: null, dataAsOfSource: null } });
  });

  it('a manual data-as-of survives reopening the cache', async () => {
    const first = tempCache();
    const asOf = Date.UTC(2025, 11, 31);
    await dispatch(createBackend({ db: first.db, path: first.path }).handlers, 'setDataAsOf', { asOf });
    first.db.close();
    const reopened = openCache(first.path);
    try {
      const status = await dispatch(createBackend({ db: reopened.db, path: reopened.path }).handlers, 'getStatus', {});
      expect(status).toMatchObject({ ok: true, value: { dataAsOf: asOf, dataAsOfSource: 'manual' } });
    } finally {
      reopened.db.close();
    }
  });
});
