/**
 * The cache has one connection, and a writing job holds its transaction across awaits: one writer at a
 * time, and settings wait too, so nothing lands inside (or is rolled back with) another's work.
 */
import { ApiError } from '../../shared/errors';
import type { JobKind } from '../../shared/types';
import type { Db } from '../db/connection';
import type { JobRunner } from './runner';

/** The jobs that write to the cache. */
const WRITING_JOBS: readonly JobKind[] = ['demo', 'import', 'sync'];

export interface WriterLock {
  /** Refuses `action` (“start an import”) with a conflict naming the writer while one runs. */
  assertNone(action: string): void;
  /** True while a writing job runs. */
  busy(): boolean;
}

export function writerLock(jobs: JobRunner): WriterLock {
  return {
    assertNone: (action) => {
      const writer = jobs.running(WRITING_JOBS);
      if (writer) throw new ApiError('conflict', `Cannot ${action} while “${writer.title}” is running; wait for it or cancel it.`);
    },
    busy: () => jobs.running(WRITING_JOBS) !== undefined,
  };
}

/** What a domain needs to start a job that writes to the cache. */
export interface WritingJobDeps {
  db: Db;
  clock: () => number;
  jobs: JobRunner;
  writers: WriterLock;
  /** Called once the job has written (or given up writing): derived data elsewhere catches up. */
  afterWrite: () => void;
}
