import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createBackend } from '../../src/main/api';
import { JobRunner, type JobContext } from '../../src/main/jobs/runner';
import type { Events } from '../../src/shared/contract';
import { ApiError } from '../../src/shared/errors';
import type { JobInfo } from '../../src/shared/types';
import { useTempCache, useTempDir } from './helpers';

const tempCache = useTempCache();
const tempDir = useTempDir();

function runner(clock: () => number = () => 0) {
  const updates: JobInfo[] = [];
  const jobs = new JobRunner({ clock, onUpdate: (job) => updates.push(job) });
  return { jobs, updates };
}

/** A job that loops until cancelled, reporting each round; resolves `looping` once it is inside its loop. */
function endlessJob(): { work: (ctx: JobContext) => Promise<string>; looping: Promise<void>; rounds: () => number } {
  let rounds = 0;
  let markLooping!: () => void;
  const looping = new Promise<void>((resolve) => (markLooping = resolve));
  return {
    looping,
    rounds: () => rounds,
    work: async (ctx) => {
      for (;;) {
        rounds += 1;
        if (rounds === 1) markLooping();
        await ctx.checkpoint();
      }
    },
  };
}

describe('JobRunner', () => {
  it('cancels a looping job at its next checkpoint; the job ends cancelled', async () => {
    const { jobs, updates } = runner();
    const job = endlessJob();
    const { jobId, done } = jobs.start('demo', 'Endless', 'rounds', job.work);
    await job.looping;
    expect(jobs.running(['demo'])?.state).toBe('running');
    expect(jobs.cancel(jobId)).toBe(true);
    const info = await done;
    expect(info.state).toBe('cancelled');
    expect(info.message).toBe('Endless was cancelled.');
    expect(info.endedAt).not.toBeNull();
    expect(jobs.running(['demo'])).toBeUndefined();
    expect(updates.map((u) => u.state)).toEqual(['running', 'cancelled']);
    expect(updates.every((u) => u.id === jobId)).toBe(true);
    expect(jobs.list()).toEqual([info]);
    // It stopped looping: no more rounds after the end.
    const rounds = job.rounds();
    await new Promise((resolve) => setImmediate(resolve));
    expect(job.rounds()).toBe(rounds);
  });

  it('marks a job whose work throws as failed, with the error message', async () => {
    const { jobs, updates } = runner();
    const { done } = jobs.start('demo', 'Doomed', 'items', async (ctx) => {
      await ctx.checkpoint();
      throw new Error('the disk is full');
    });
    const info = await done;
    expect(info.state).toBe('failed');
    expect(info.message).toBe('the disk is full');
    expect(updates.map((u) => u.state)).toEqual(['running', 'failed']);
  });

  it('an ApiError other than cancelled also fails the job, with its message', async () => {
    const { jobs } = runner();
    const { done } = jobs.start('demo', 'Doomed', 'items', async () => {
      throw new ApiError('conflict', 'already there');
    });
    expect(await done).toMatchObject({ state: 'failed', message: 'already there' });
  });

  it('a job that returns ends done with its summary as the message', async () => {
    const { jobs, updates } = runner();
    const { done } = jobs.start('demo', 'Quick', 'items', async () => 'All 3 items done.');
    expect(await done).toMatchObject({ state: 'done', message: 'All 3 items done.' });
    expect(updates.at(-1)).toMatchObject({ state: 'done', message: 'All 3 items done.' });
  });

  it('gives each job its own id', () => {
    const { jobs } = runner();
    const a = jobs.start('demo', 'A', 'x', async () => 'a');
    const b = jobs.start('demo', 'B', 'x', async () => 'b');
    expect(a.jobId).not.toBe(b.jobId);
  });

  it('cancel of an unknown id throws ApiError not_found', () => {
    const { jobs } = runner();
    let caught: unknown;
    try {
      jobs.cancel('job-404');
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(ApiError);
    expect((caught as ApiError).code).toBe('not_found');
    expect((caught as ApiError).message).toMatch(/job-404/);
  });

  it('cancel of a finished job returns false and leaves its state alone', async () => {
    const { jobs } = runner();
    const { jobId, done } = jobs.start('demo', 'Quick', 'items', async () => 'ok');
    await done;
    expect(jobs.cancel(jobId)).toBe(false);
    expect(jobs.list()[0]).toMatchObject({ id: jobId, state: 'done' });
  });

  it('computes rate (units per second) and etaMs from an injected clock', async () => {
    let now = 1_000;
    const { jobs, updates } = runner(() => now);
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const { done } = jobs.start('demo', 'Measured', 'users', async (ctx) => {
      now = 3_000; // 2 s in
      ctx.progress(50, 200);
      now = 3_050; // within the 100 ms throttle: recorded, not sent
      ctx.progress(60, 200);
      now = 5_000; // 4 s in, unknown total
      ctx.progress(100, null);
      await gate;
      now = 9_000; // 8 s in: the last unit is always sent, throttle or not
      ctx.progress(200, 200);
      return 'done';
    });

    const progress = updates.filter((u) => u.progress.done > 0).map((u) => u.progress);
    expect(progress).toEqual([
      expect.objectContaining({ done: 50, total: 200, unit: 'users', rate: 25, etaMs: 6_000 }),
      expect.objectContaining({ done: 100, total: null, unit: 'users', rate: 25, etaMs: null }),
    ]);
    // The latest progress, sent or throttled, is what list() reports in between.
    expect(jobs.list()[0]?.progress).toMatchObject({ done: 100, total: null, unit: 'users', rate: 25, etaMs: null });
    release();
    const info = await done;
    expect(info.progress).toMatchObject({ done: 200, total: 200, unit: 'users', rate: 25, etaMs: 0 });
    expect(info.startedAt).toBe(1_000);
    expect(info.endedAt).toBe(9_000);
  });

  it('reports a zero rate and no eta before any unit is done', () => {
    const now = 2_000;
    const { jobs, updates } = runner(() => now);
    jobs.start('demo', 'Slow start', 'users', async (ctx) => {
      ctx.progress(0, 100);
      return 'ok';
    });
    expect(updates).toHaveLength(2);
    expect(updates[1]?.progress).toMatchObject({ done: 0, total: 100, unit: 'users', rate: 0, etaMs: null });
  });
});

describe('the demo job through the backend', () => {
  it('cancelling it right after the start leaves the cache empty and without the demo', async () => {
    const { db, path } = tempCache();
    const indexesBefore = db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' ORDER BY name").pluck().all();
    const seen: { name: keyof Events; payload: Events[keyof Events] }[] = [];
    let ended!: (job: JobInfo) => void;
    const end = new Promise<JobInfo>((resolve) => (ended = resolve));
    const { handlers, jobs } = createBackend({
      db,
      path,
      emit: (name, payload) => {
        seen.push({ name, payload });
        if (name === 'job' && (payload as JobInfo).state !== 'running') ended(payload as JobInfo);
      },
    });

    const { jobId } = await handlers.startDemo({});
    expect(await handlers.cancelJob({ jobId })).toEqual({ cancelled: true });
    const final = await end;

    expect(final).toMatchObject({ id: jobId, kind: 'demo', state: 'cancelled' });
    expect(jobs.list()).toEqual([expect.objectContaining({ id: jobId, state: 'cancelled' })]);
    const status = await handlers.getStatus({});
    expect(status).toMatchObject({ users: 0, events: 0, hasDemo: false, dataAsOf: null, dataAsOfSource: null });
    for (const table of ['users', 'events', 'event_daily', 'kv']) {
      expect(db.prepare(`SELECT count(*) FROM ${table}`).pluck().get(), table).toBe(0);
    }
    // The rollback also brought back the indexes the bulk load had dropped.
    expect(db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' ORDER BY name").pluck().all()).toEqual(indexesBefore);
    // No transaction is left open.
    expect(db.inTransaction).toBe(false);
    // The last cacheChanged pushed after the job is the empty status.
    const lastChange = seen.filter((e) => e.name === 'cacheChanged').at(-1);
    expect(lastChange?.payload).toMatchObject({ users: 0, hasDemo: false });
    // A second cancel is refused as already finished.
    expect(await handlers.cancelJob({ jobId })).toEqual({ cancelled: false });
  });

  it('refuses a second demo job while one runs, with conflict', async () => {
    const { db, path } = tempCache();
    let ended!: () => void;
    const end = new Promise<void>((resolve) => (ended = resolve));
    const { handlers } = createBackend({
      db,
      path,
      emit: (name, payload) => {
        if (name === 'job' && (payload as JobInfo).state !== 'running') ended();
      },
    });
    const { jobId } = await handlers.startDemo({});
    let caught: unknown;
    try {
      await handlers.startDemo({});
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(ApiError);
    expect((caught as ApiError).code).toBe('conflict');
    handlers.cancelJob({ jobId });
    await end;
  });
});

describe('the import job through the backend', () => {
  it('brings the segment summary up to date right after the job, so the first count does not pay for it', async () => {
    const { db, path } = tempCache();
    const dir = tempDir();
    const file = join(dir, 'events.ndjson');
    const base = Date.UTC(2024, 0, 1);
    writeFileSync(
      file,
      Array.from({ length: 500 }, (_, i) => JSON.stringify({ type: 'track', messageId: `w${i}`, userId: `u${i % 20}`, event: 'login', timestamp: base + i * 1000 })).join('\n'),
    );
    let ended!: (job: JobInfo) => void;
    const end = new Promise<JobInfo>((resolve) => (ended = resolve));
    const { handlers } = createBackend({
      db,
      path,
      emit: (name, payload) => {
        if (name === 'job' && (payload as JobInfo).state !== 'running') ended(payload as JobInfo);
      },
    });
    const stamp = (): unknown => db.prepare("SELECT value FROM kv WHERE key = 'event_summary_through'").pluck().get();
    await handlers.startImport({ path: file });
    expect(await end).toMatchObject({ state: 'done' });
    await new Promise((resolve) => setImmediate(resolve));
    expect(stamp()).toBe(String(db.prepare('SELECT max(event_pk) FROM events').pluck().get()));
    expect(db.prepare('SELECT count(*) FROM event_user_summary').pluck().get()).toBe(20);
  });
});
