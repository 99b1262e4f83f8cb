import { describe, expect, it } from 'vitest';
import { isDataJob, isWriterJob, progressFraction, progressParts } from '../../../src/renderer/src/lib/jobs';
import type { JobInfo, JobKind, JobProgress } from '../../../src/shared/types';

function progress(changes: Partial<JobProgress>): JobProgress {
  return { done: 0, total: null, unit: 'users', rate: 0, etaMs: null, records: null, recordRate: null, ...changes };
}

function job(kind: JobKind, state: JobInfo['state']): JobInfo {
  return { id: 'j', kind, title: 'Job', state, startedAt: 0, endedAt: null, progress: progress({}), message: null, errorCode: null, result: null };
}

describe('progressFraction', () => {
  it('is done over total, kept between 0 and 1', () => {
    expect(progressFraction(progress({ done: 25, total: 100 }))).toBe(0.25);
    expect(progressFraction(progress({ done: 0, total: 100 }))).toBe(0);
    expect(progressFraction(progress({ done: 150, total: 100 }))).toBe(1);
    expect(progressFraction(progress({ done: -5, total: 100 }))).toBe(0);
  });

  it('is null (an indeterminate bar) without a total worth dividing by', () => {
    expect(progressFraction(progress({ done: 5, total: null }))).toBeNull();
    expect(progressFraction(progress({ done: 5, total: 0 }))).toBeNull();
    expect(progressFraction(progress({ done: 5, total: -1 }))).toBeNull();
  });
});

describe('progressParts', () => {
  it('before anything is done: starting, or waiting for a sync’s first page', () => {
    expect(progressParts(progress({}))).toEqual(['Starting…']);
    expect(progressParts(progress({ unit: 'pages' }))).toEqual(['Waiting for the first page…']);
    expect(progressParts(progress({ unit: 'bytes', total: 1000, records: 0, etaMs: 5_000 }))).toEqual(['Starting…']);
  });

  it('a file import: records, bytes of the file, the record rate and the time left', () => {
    const parts = progressParts(progress({ unit: 'bytes', done: 1536, total: 10 * 1024 ** 2, rate: 1000, records: 12_345, recordRate: 2500.4, etaMs: 65_000 }));
    expect(parts).toEqual(['12,345 records', '1.5 KB of 10 MB', '2,500 records/s', '1m 05s left']);
  });

  it('bytes without a total, and no rate when there is none yet', () => {
    expect(progressParts(progress({ unit: 'bytes', done: 2048, records: 1, recordRate: 0 }))).toEqual(['1 record', '2.0 KB']);
  });

  it('a sync counts pages', () => {
    expect(progressParts(progress({ unit: 'pages', done: 1, records: 100 }))).toEqual(['100 records', '1 page']);
    expect(progressParts(progress({ unit: 'pages', done: 3, records: 250, recordRate: 80 }))).toEqual(['250 records', '3 pages', '80 records/s']);
  });

  it('other units: done of total in the unit, and the unit rate when no records are counted', () => {
    expect(progressParts(progress({ done: 1200, total: 5000, rate: 99.6, etaMs: 400 }))).toEqual([
      '1,200 of 5,000 users',
      '100 users/s',
      'under a second left',
    ]);
    expect(progressParts(progress({ done: 7, rate: 0 }))).toEqual(['7 users']);
  });

  it('the record rate wins over the unit rate', () => {
    expect(progressParts(progress({ done: 10, rate: 50, records: 10, recordRate: 20 }))).toEqual(['10 records', '10 users', '20 records/s']);
    expect(progressParts(progress({ done: 10, rate: 50, records: 10, recordRate: null }))).toEqual(['10 records', '10 users']);
  });
});

describe('job kinds', () => {
  it('imports and syncs are the data jobs, whatever their state', () => {
    expect(isDataJob(job('import', 'done'))).toBe(true);
    expect(isDataJob(job('sync', 'running'))).toBe(true);
    expect(isDataJob(job('demo', 'running'))).toBe(false);
  });

  it('a writer job is a running import, sync or demo', () => {
    for (const kind of ['import', 'sync', 'demo'] as const) {
      expect(isWriterJob(job(kind, 'running'))).toBe(true);
      expect(isWriterJob(job(kind, 'done'))).toBe(false);
      expect(isWriterJob(job(kind, 'failed'))).toBe(false);
      expect(isWriterJob(job(kind, 'cancelled'))).toBe(false);
    }
  });
});
