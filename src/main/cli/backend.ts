/**
 * The backend a cache command works on: opened for the one command, reached through the contract's
 * handlers only, and closed when the command ends.
 */
import type { Handlers } from '../../shared/contract';
import type { JobInfo, JobRef } from '../../shared/types';
import { createBackend, type ApiDeps, type Backend } from '../api';
import { openCache } from '../db/connection';
import { resolveDbPath } from '../paths';
import type { CommandContext } from './command';

/** The import's parser thread: beside the built CLI in out/main, or its source when the CLI runs from source. */
function parserScript(): URL {
  return import.meta.url.endsWith('.ts')
    ? new URL('../ingest/parse/parse-worker.ts', import.meta.url)
    : new URL('./parse-worker.js', import.meta.url);
}

export interface CliBackend {
  handlers: Handlers;
  /**
   * A workshop's export into the folder --out names. Not a contract method, on purpose: a window that
   * could name the folder could write anywhere on disk, so only the in-process CLI may (see api.ts).
   */
  exportWorkshopTo: Backend['exportWorkshopTo'];
  /** Starts a job through the contract and resolves with its final state, reporting progress on the way. */
  runJob(start: () => Promise<JobRef> | JobRef, onProgress?: (job: JobInfo) => void): Promise<JobInfo>;
}

export function withBackend<T>(ctx: CommandContext, use: (backend: CliBackend) => Promise<T>, extra: Partial<ApiDeps> = {}): Promise<T> {
  const { db, path } = openCache(resolveDbPath(ctx.values.db as string | undefined));
  const listeners = new Set<(job: JobInfo) => void>();
  const backend = createBackend({
    db,
    path,
    parserScript: parserScript(),
    // The CLI sends the outbox only when a command asks (message publish), never in the background.
    outbox: { autoStart: false },
    ...extra,
    emit: (name, payload) => {
      if (name === 'job') for (const listener of listeners) listener(payload as JobInfo);
    },
  });
  const { handlers, exportWorkshopTo } = backend;
  const runJob: CliBackend['runJob'] = (start, onProgress) =>
    new Promise((resolve, reject) => {
      let jobId: string | null = null;
      const early: JobInfo[] = [];
      const listener = (job: JobInfo): void => {
        if (jobId === null) {
          early.push(job);
          return;
        }
        if (job.id !== jobId) return;
        // The job's first event carries no progress yet: nothing worth printing.
        if (job.state === 'running') {
          if (job.progress.done > 0 || (job.progress.records ?? 0) > 0) onProgress?.(job);
        }
        else {
          listeners.delete(listener);
          resolve(job);
        }
      };
      listeners.add(listener);
      Promise.resolve(start()).then(
        (ref) => {
          jobId = ref.jobId;
          for (const job of early.splice(0)) listener(job);
        },
        (err: unknown) => {
          listeners.delete(listener);
          reject(err);
        },
      );
    });
  return use({ handlers, exportWorkshopTo, runJob }).finally(() => {
    backend.close();
    db.close();
  });
}
