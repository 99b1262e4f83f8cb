import { create } from 'zustand';
import type { CacheStatus, JobInfo } from '../../shared/types';
import { api, errorMessage, fileForImport, onBackendEvent, withFileNames } from './lib/api';
import { toast } from './ui/toast';

export type Area = 'data' | 'segments' | 'workshops' | 'messages' | 'settings';
export const AREAS: { id: Area; label: string; shortcut: string }[] = [
  { id: 'data', label: 'Data', shortcut: '1' },
  { id: 'segments', label: 'Segments', shortcut: '2' },
  { id: 'workshops', label: 'Workshops', shortcut: '3' },
  { id: 'messages', label: 'Messages', shortcut: '4' },
  { id: 'settings', label: 'Settings', shortcut: '5' },
];

export type DataTab = 'events' | 'users' | 'imports';

export type ThemePreference = 'system' | 'light' | 'dark';

/**
 * What the Data area says about its last import or sync that did not leave a report to open: a failed
 * import (in red), or a sync that could not reach its source (calm: offline is a normal state).
 */
export interface DataNotice {
  tone: 'error' | 'calm';
  title: string;
  text: string;
}

interface AppState {
  area: Area;
  status: CacheStatus | null;
  statusError: string | null;
  jobs: Record<string, JobInfo>;
  theme: ThemePreference;
  paletteOpen: boolean;
  /** Bumped whenever the cache's contents change, so screens know to reload. */
  dataVersion: number;
  dataTab: DataTab;
  /** The import or sync the Data area started and follows (its progress, then its report). */
  dataJobId: string | null;
  /** The name of the file being uploaded before its import starts (browser mode). */
  uploading: string | null;
  dataNotice: DataNotice | null;
  /** The import report shown in the Data area; `focus` moves the keyboard to it when it opens. */
  openReport: { id: number; focus: boolean } | null;
  setArea(area: Area): void;
  setTheme(theme: ThemePreference): void;
  setPaletteOpen(open: boolean): void;
  refreshStatus(): Promise<void>;
  setDataTab(tab: DataTab): void;
  /** Uploads (in browser mode) and imports a file the user picked or dropped. */
  importFile(file: File): Promise<void>;
  /** Follows a job the Data area started: its progress, and what it left when it ends. */
  trackDataJob(jobId: string): void;
  dismissNotice(): void;
  showReport(id: number, focus?: boolean): void;
  closeReport(): void;
}

const THEME_KEY = 'guidepost.theme';

function savedTheme(): ThemePreference {
  const value = localStorage.getItem(THEME_KEY);
  return value === 'light' || value === 'dark' ? value : 'system';
}

export const useApp = create<AppState>((set, get) => ({
  area: 'data',
  status: null,
  statusError: null,
  jobs: {},
  theme: savedTheme(),
  paletteOpen: false,
  dataVersion: 0,
  dataTab: 'events',
  dataJobId: null,
  uploading: null,
  dataNotice: null,
  openReport: null,
  setArea: (area) => set({ area, paletteOpen: false }),
  setTheme: (theme) => {
    localStorage.setItem(THEME_KEY, theme);
    set({ theme });
  },
  setPaletteOpen: (paletteOpen) => set({ paletteOpen }),
  refreshStatus: async () => {
    try {
      set({ status: await api.getStatus({}), statusError: null });
    } catch (err) {
      set({ statusError: errorMessage(err) });
    }
  },
  setDataTab: (dataTab) => set({ dataTab }),
  importFile: async (file) => {
    set({ uploading: file.name, dataNotice: null, openReport: null });
    try {
      const path = await fileForImport(file);
      const { jobId } = await api.startImport({ path });
      get().trackDataJob(jobId);
    } catch (err) {
      set({ dataNotice: { tone: 'error', title: `Could not import ${file.name}`, text: withFileNames(errorMessage(err)) } });
    } finally {
      set({ uploading: null });
    }
  },
  trackDataJob: (jobId) => {
    set({ dataJobId: jobId, dataNotice: null, openReport: null });
    // A short job can end before the call that started it has answered.
    const job = get().jobs[jobId];
    if (job && job.state !== 'running') settleDataJob(job);
  },
  dismissNotice: () => set({ dataNotice: null }),
  showReport: (id, focus = false) => set({ openReport: { id, focus } }),
  closeReport: () => set({ openReport: null }),
}));

/** What the Data area shows once its job ends: the report it left, or why it stopped. */
function settleDataJob(job: JobInfo): void {
  const reportId = job.result?.reportId;
  const message = withFileNames(job.message ?? '');
  if (job.state === 'failed') {
    useApp.setState({
      dataJobId: null,
      dataNotice:
        job.kind === 'sync'
          ? {
              tone: 'calm',
              title: 'The sync did not finish',
              text: `${message || 'The source did not answer.'} Everything already in the cache keeps working offline.`,
            }
          : { tone: 'error', title: 'Import failed', text: message || 'The file could not be imported.' },
      ...(reportId !== undefined ? { openReport: { id: reportId, focus: false } } : {}),
    });
  } else {
    useApp.setState({ dataJobId: null, ...(reportId !== undefined ? { openReport: { id: reportId, focus: false } } : {}) });
  }
}

function jobEnded(job: JobInfo): void {
  const state = useApp.getState();
  const text = withFileNames(job.message ?? '');
  const reportId = job.result?.reportId;
  const action =
    reportId !== undefined
      ? {
          label: 'View report',
          run: () => {
            useApp.getState().setArea('data');
            useApp.getState().showReport(reportId, true);
          },
        }
      : undefined;
  if (job.state === 'done') toast('success', text || `${job.title}: done.`, action);
  // A sync that cannot reach its source is a normal state of a desktop app, not an alarm.
  if (job.state === 'failed') toast(job.kind === 'sync' ? 'info' : 'error', text || `${job.title} failed.`, action);
  if (job.state === 'cancelled') toast('info', text || `${job.title} was cancelled.`, action);
  if (job.id === state.dataJobId) settleDataJob(job);
}

/** Wires backend events into the store once, at start-up. */
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
