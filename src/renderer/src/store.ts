/**
 * What is truly global in the window: which area shows, the cache's status, the backend's jobs, the
 * theme, whether the command palette is open, and `dataVersion`, which every screen that shows cached
 * data reloads on. Each area keeps its own state in its room (screens/<area>/store.ts); the shell
 * feeds this store from the backend's events (shell/backend-events.ts).
 */
import { create } from 'zustand';
import type { CacheStatus, JobInfo } from '../../shared/types';
import { api, errorMessage } from './lib/api';
import type { ThemePreference } from './lib/theme';

export type Area = 'data' | 'segments' | 'workshops' | 'messages' | 'settings';
export const AREAS: { id: Area; label: string; shortcut: string }[] = [
  { id: 'data', label: 'Data', shortcut: '1' },
  { id: 'segments', label: 'Segments', shortcut: '2' },
  { id: 'workshops', label: 'Workshops', shortcut: '3' },
  { id: 'messages', label: 'Messages', shortcut: '4' },
  { id: 'settings', label: 'Settings', shortcut: '5' },
];

export type { ThemePreference } from './lib/theme';

interface AppState {
  area: Area;
  status: CacheStatus | null;
  statusError: string | null;
  /** Every job the backend reported this session, by id, as of its last event. */
  jobs: Record<string, JobInfo>;
  theme: ThemePreference;
  paletteOpen: boolean;
  /** Bumped whenever the cache's contents change, so screens know to reload. */
  dataVersion: number;
  setArea(area: Area): void;
  setTheme(theme: ThemePreference): void;
  setPaletteOpen(open: boolean): void;
  refreshStatus(): Promise<void>;
}

const THEME_KEY = 'guidepost.theme';

function savedTheme(): ThemePreference {
  const value = localStorage.getItem(THEME_KEY);
  return value === 'light' || value === 'dark' ? value : 'system';
}

export const useApp = create<AppState>((set) => ({
  area: 'data',
  status: null,
  statusError: null,
  jobs: {},
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
}));
