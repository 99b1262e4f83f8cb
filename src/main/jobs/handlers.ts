/** The contract's job methods, answered by the runner every domain starts its long work on. */
import type { JobHandlers } from '../../shared/contract/jobs';
import type { JobRunner } from './runner';

export function createJobHandlers(jobs: JobRunner): JobHandlers {
  return {
    cancelJob: ({ jobId }) => ({ cancelled: jobs.cancel(jobId) }),
    listJobs: () => jobs.list(),
  };
}
