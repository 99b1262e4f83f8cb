/**
 * Wires the backend's pushed events into the window once, at start-up: job progress into the global
 * store (and a toast when a job ends, with its report one click away), the Data area told when its job
 * ends, and cache changes into the status and `dataVersion`.
 */
import type { CacheStatus, JobInfo } from '../../../shared/types';
import { onBackendEvent, withFileNames } from '../lib/api';
import { useApp } from '../store';
import { toast } from '../ui/toast';
import { useData } from '../screens/data';

function jobEnded(job: JobInfo): void {
  // A backtest's end is shown where it was asked for (the editor's backtest panel), not as a toast.
  if (job.kind === 'backtest') return;
  const text = withFileNames(job.message ?? '');
  const reportId = job.result?.reportId;
  const action =
    reportId !== undefined
      ? {
          label: 'View report',
          run: () => {
            useApp.getState().setArea('data');
            useData.getState().showReport(reportId, true);
          },
        }
      : undefined;
  if (job.state === 'done') toast('success', text || `${job.title}: done.`, action);
  // A sync that cannot reach its source is a normal state of a desktop app, not an alarm.
  if (job.state === 'failed') toast(job.kind === 'sync' ? 'info' : 'error', text || `${job.title} failed.`, action);
  if (job.state === 'cancelled') toast('info', text || `${job.title} was cancelled.`, action);
  useData.getState().jobEnded(job);
}

export function connectBackendEvents(): () => void {
  return onBackendEvent((event) => {
    const state = useApp.getState();
    if (event.name === 'job') {
      const job = event.payload as JobInfo;
      const before = state.jobs[job.id];
      useApp.setState({ jobs: { ...state.jobs, [job.id]: job } });
      if (job.state !== 'running' && before?.state !== job.state) jobEnded(job);
    } else if (event.name === 'cacheChanged') {
      useApp.setState({ status: event.payload as CacheStatus, dataVersion: state.dataVersion + 1 });
    }
  });
}
