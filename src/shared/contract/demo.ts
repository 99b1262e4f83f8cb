/** The contract's demo method: the demo workspace, generated as a background job. */
import type { JobRef } from '../types';
import { method, noArgs, type HandlersFor } from './method';

export const demoMethods = {
  /** Generates the demo workspace as a background job (see the `job` event). */
  startDemo: method<JobRef>()(noArgs),
} as const;

export type DemoHandlers = HandlersFor<typeof demoMethods>;
