import { useState } from 'react';
import type { JobRef } from '../../../../shared/types';
import { api, errorMessage } from '../../lib/api';
import { isWriterJob } from '../../lib/jobs';
import { useApp } from '../../store';
import { useApiQuery, type ApiQuery } from '../../ui/useApiQuery';
import { cacheSample, useData } from './store';

export interface SourceSync<State, Args> {
  /** The source's state, reloaded when the data changes. */
  state: ApiQuery<State>;
  /** Another writing job (or an upload) runs: syncing waits. */
  busy: boolean;
  submitting: boolean;
  /** The form's error, else the state's. */
  error: string | null;
  setFormError(error: string | null): void;
  /** Starts the sync job and tracks it; false (with the error shown) when it was refused. */
  start(args: Args): Promise<boolean>;
}

/** What a sync source's panel shares (a delivery server, a PostgreSQL warehouse): its state, starting its job, errors. */
export function useSourceSync<State, Args>(load: () => Promise<State>, startJob: (args: Args) => Promise<JobRef>): SourceSync<State, Args> {
  const dataVersion = useApp((s) => s.dataVersion);
  const trackJob = useData((s) => s.trackJob);
  const uploading = useData((s) => s.uploading !== null);
  const busy = useApp((s) => Object.values(s.jobs).some(isWriterJob)) || uploading;
  const state = useApiQuery(load, [dataVersion], { keep: true });
  const [formError, setFormError] = useState<string | null>(null);
  const [submitting, setSubmitting] = useState(false);

  const start = async (args: Args): Promise<boolean> => {
    setSubmitting(true);
    setFormError(null);
    try {
      const { jobId } = await startJob(args);
      trackJob(jobId);
      state.setData(await load());
      return true;
    } catch (err) {
      setFormError(errorMessage(err));
      return false;
    } finally {
      setSubmitting(false);
    }
  };
  return { state, busy, submitting, error: formError ?? state.error, setFormError, start };
}

/** The delivery server's, through the contract. */
export const deliverySync = { load: () => api.getSyncState({}), start: (args: { source?: string; token?: string }) => api.startSync({ ...args, ...cacheSample() }) };
/** The PostgreSQL warehouse's, through the contract. */
export const warehouseSync = {
  load: () => api.getWarehouseSource({}),
  start: (args: { source?: string; schema?: string; password?: string }) => api.startWarehouseSync({ ...args, ...cacheSample() }),
};
