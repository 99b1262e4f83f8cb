/**
 * Background jobs: long work that reports progress and can be cancelled by id.
 *
 * A job is an async function that receives a context. It reports progress, awaits
 * `ctx.checkpoint()` between chunks (which yields to the event loop, so a cancel request can
 * arrive, and throws once the job is cancelled) and returns a one-line summary.
 */
import { ApiError, toErrorData } from '../../shared/errors';
import type { JobInfo, JobKind, JobProgress, JobResult } from '../../shared/types';

export interface JobContext {
  readonly signal: AbortSignal;
  progress(done: number, total: number | null, records?: number): void;
  /** Leaves a result for the UI (a report to link to). */
  setResult(result: JobResult): void;
  /** Yields to the event loop; throws ApiError('cancelled') once the job was cancelled. */
  checkpoint(): Promise<void>;
}

export interface JobRunnerOptions {
  clock: () => number;
  onUpdate: (job: JobInfo) => void;
  /** Minimum ms between two progress updates of one job. */
  throttleMs?: number;
}

export class JobRunner {
  private readonly jobs = new Map<string, { info: JobInfo; controller: AbortController }>();
  private nextId = 1;
  private readonly throttleMs: number;

  constructor(private readonly options: JobRunnerOptions) {
    this.throttleMs = options.throttleMs ?? 100;
  }

  start(
    kind: JobKind,
    title: string,
    unit: string,
    work: (ctx: JobContext) => Promise<string>,
  ): { jobId: string; done: Promise<JobInfo> } {
    const id = `job-${this.nextId++}`;
    const startedAt = this.options.clock();
    const controller = new AbortController();
    const info: JobInfo = {
      id,
      kind,
      title,
      state: 'running',
      startedAt,
      endedAt: null,
      progress: { done: 0, total: null, unit, rate: 0, etaMs: null, records: null, recordRate: null },
      message: null,
      errorCode: null,
      result: null,
    };
    this.jobs.set(id, { info, controller });
    let lastSent = 0;
    const ctx: JobContext = {
      signal: controller.signal,
      progress: (done, total, records) => {
        info.progress = this.measure(info, done, total, records);
        const now = this.options.clock();
        if (now - lastSent >= this.throttleMs || (total !== null && done >= total)) {
          lastSent = now;
          this.options.onUpdate({ ...info });
        }
      },
      setResult: (result) => {
        info.result = result;
      },
      checkpoint: async () => {
        await new Promise<void>((resolve) => setImmediate(resolve));
        if (controller.signal.aborted) throw new ApiError('cancelled', `${title} was cancelled.`);
      },
    };
    this.options.onUpdate({ ...info });
    const done = (async () => {
      try {
        info.message = await work(ctx);
        info.state = 'done';
      } catch (err) {
        const data = toErrorData(err);
        info.state = data.code === 'cancelled' || controller.signal.aborted ? 'cancelled' : 'failed';
        info.message = data.message;
        if (info.state === 'failed') info.errorCode = data.code;
      }
      info.endedAt = this.options.clock();
      this.options.onUpdate({ ...info });
      return { ...info };
    })();
    return { jobId: id, done };
  }

  cancel(jobId: string): boolean {
    const job = this.jobs.get(jobId);
    if (!job) throw new ApiError('not_found', `No job with id ${jobId}.`);
    if (job.info.state !== 'running') return false;
    job.controller.abort();
    return true;
  }

  list(): JobInfo[] {
    return [...this.jobs.values()].map((job) => ({ ...job.info }));
  }

  /** The running job of one of these kinds, if any. */
  running(kinds: readonly JobKind[]): JobInfo | undefined {
    for (const job of this.jobs.values()) {
      if (job.info.state === 'running' && kinds.includes(job.info.kind)) return { ...job.info };
    }
    return undefined;
  }

  private measure(info: JobInfo, done: number, total: number | null, records?: number): JobProgress {
    const elapsed = Math.max(1, this.options.clock() - info.startedAt);
    const rate = (done / elapsed) * 1000;
    const etaMs = total !== null && rate > 0 ? Math.max(0, ((total - done) / rate) * 1000) : null;
    const counted = records ?? null;
    return {
      done,
      total,
      unit: info.progress.unit,
      rate,
      etaMs,
      records: counted,
      recordRate: counted === null ? null : (counted / elapsed) * 1000,
    };
  }
}
