import { create } from 'zustand';
import type { CacheStatus, JobInfo } from '../../shared/types';
import { api, errorMessage, onBackendEvent } from './lib/api';

export type Area = 'data' | 'segments' | 'workshops' | 'messages' | 'settings';
export const AREAS: { id: Area; label: string; shortcut: string }[] = [
  { id: 'data', label: 'Data', shortcut: '1' },
  { id: 'segments', label: 'Segments', shortcut: '2' },
  { id: 'workshops', label: 'Workshops', shortcut: '3' },
  { id: 'messages', label: 'Messages', shortcut: '4' },
  { id: 'settings', label: 'Settings', shortcut: '5' },
];

export type ThemePreference = 'system' | 'light' | 'dark';

export interface Toast {
  id: number;
  tone: 'info' | 'success' | 'error';
  text: string;
}

interface AppState {
  area: Area;
  status: CacheStatus | null;
  statusError: string | null;
  jobs: Record<string, JobInfo>;
  toasts: Toast[];
  theme: ThemePreference;
  paletteOpen: boolean;
  /** Bumped whenever the cache's contents change, so screens know to reload. */
  dataVersion: number;
  setArea(area: Area): void;
  setTheme(theme: ThemePreference): void;
  setPaletteOpen(open: boolean): void;
  refreshStatus(): Promise<void>;
  toast(tone: Toast['tone'], text: string): void;
  dismissToast(id: number): void;
}

const THEME_KEY = 'guidepost.theme';
let toastId = 1;

function savedTheme(): ThemePreference {
  const value = localStorage.getItem(THEME_KEY);
  return value === 'light' || value === 'dark' ? value : 'system';
}

export const useApp = create<AppState>((set, get) => ({
  area: 'data',
  status: null,
  statusError: null,
  jobs: {},
  toasts: [],
  theme: savedTheme(),
  paletteOpen: false,
  dataVersion: 0,
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
  toast: (tone, text) => {
    const id = toastId++;
    set({ toasts: [...get().toasts, { id, tone, text }] });
    setTimeout(() => get().dismissToast(id), tone === 'error' ? 12_000 : 6000);
  },
  dismissToast: (id) => set({ toasts: get().toasts.filter((t) => t.id !== id) }),
}));

/** Wires backend events into the store once, at start-up. */
export function connectBackendEvents(): () => void {
  return onBackendEvent((event) => {
    const state = useApp.getState();
    if (event.name === 'job') {
      const job = event.payload as JobInfo;
      useApp.setState({ jobs: { ...state.jobs, [job.id]: job } });
      if (job.state === 'done') state.toast('success', job.message ?? `${job.title}: done.`);
      if (job.state === 'failed') state.toast('error', job.message ?? `${job.title} failed.`);
      if (job.state === 'cancelled') state.toast('info', job.message ?? `${job.title} was cancelled.`);
    } else if (event.name === 'cacheChanged') {
      useApp.setState({ status: event.payload as CacheStatus, dataVersion: state.dataVersion + 1 });
    }
  });
}
