/** The contract's job methods: the background jobs every domain starts, listed and cancelled by id. */
import { z } from 'zod';
import type { JobInfo } from '../types';
import { method, noArgs, type HandlersFor } from './method';

export const jobMethods = {
  cancelJob: method<{ cancelled: boolean }>()(z.object({ jobId: z.string().min(1).max(100) }).strict()),
  listJobs: method<JobInfo[]>()(noArgs),
} as const;

export type JobHandlers = HandlersFor<typeof jobMethods>;
