/**
 * The Data area's state: which tab shows, the import or sync it started and follows, the upload before
 * a browser-mode import starts, what it says when a job ends without a report, and the report open.
 * The jobs themselves are global (the activity tray shows them too); the shell tells this store when
 * one ends (`jobEnded`).
 */
import { create } from 'zustand';
import type { JobInfo } from '../../../../shared/types';
import { api, errorMessage, fileForImport, withFileNames } from '../../lib/api';
import { useApp } from '../../store';
import { settledJob, type DataNotice, type DataTab } from './model';

interface DataState {
  tab: DataTab;
  /** The import or sync this area started and follows (its progress, then its report). */
  jobId: string | null;
  /** The name of the file being uploaded before its import starts (browser mode). */
  uploading: string | null;
  notice: DataNotice | null;
  /** The import report shown in the area; `focus` moves the keyboard to it when it opens. */
  openReport: { id: number; focus: boolean } | null;
  setTab(tab: DataTab): void;
  /** Uploads (in browser mode) and imports a file the user picked or dropped. */
  importFile(file: File): Promise<void>;
  /** Follows a job this area started: its progress, and what it left when it ends. */
  trackJob(jobId: string): void;
  /** A job ended (any job: the shell reports them all); settles the one this area follows. */
  jobEnded(job: JobInfo): void;
  dismissNotice(): void;
  showReport(id: number, focus?: boolean): void;
  closeReport(): void;
}

/**
 * The cache's sample rate for an import or a sync the app starts: a sampled cache refuses records at
 * any other rate (docs/IMPORT.md, "A sample of users"), so the app carries the one it holds.
 */
export function cacheSample(): { samplePercent?: number } {
  const percent = useApp.getState().status?.samplePercent ?? 100;
  return percent < 100 ? { samplePercent: percent } : {};
}

export const useData = create<DataState>((set, get) => {
  const settle = (job: JobInfo): void => {
    const { notice, reportId } = settledJob(job, withFileNames(job.message ?? ''));
    set({
      jobId: null,
      ...(notice ? { notice } : {}),
      ...(reportId !== null ? { openReport: { id: reportId, focus: false } } : {}),
    });
  };

  return {
    tab: 'events',
    jobId: null,
    uploading: null,
    notice: null,
    openReport: null,
    setTab: (tab) => set({ tab }),
    importFile: async (file) => {
      set({ uploading: file.name, notice: null, openReport: null });
      try {
        const path = await fileForImport(file);
        const { jobId } = await api.startImport({ path, ...cacheSample() });
        get().trackJob(jobId);
      } catch (err) {
        set({ notice: { tone: 'error', title: `Could not import ${file.name}`, text: withFileNames(errorMessage(err)) } });
      } finally {
        set({ uploading: null });
      }
    },
    trackJob: (jobId) => {
      set({ jobId, notice: null, openReport: null });
      // A short job can end before the call that started it has answered.
      const job = useApp.getState().jobs[jobId];
      if (job && job.state !== 'running') settle(job);
    },
    jobEnded: (job) => {
      if (job.id === get().jobId) settle(job);
    },
    dismissNotice: () => set({ notice: null }),
    showReport: (id, focus = false) => set({ openReport: { id, focus } }),
    closeReport: () => set({ openReport: null }),
  };
});
