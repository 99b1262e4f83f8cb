/**
 * The main window's options, written against a small interface so unit tests check the security
 * settings without the Electron binary. Only main.ts hands them to Electron.
 */
export interface SecureWebPreferences {
  preload: string;
  contextIsolation: true;
  sandbox: true;
  nodeIntegration: false;
  nodeIntegrationInWorker: false;
  nodeIntegrationInSubFrames: false;
  webSecurity: true;
  allowRunningInsecureContent: false;
  webviewTag: false;
  spellcheck: boolean;
}

export interface WindowBounds {
  x?: number;
  y?: number;
  width: number;
  height: number;
}

export interface MainWindowOptions extends WindowBounds {
  minWidth: number;
  minHeight: number;
  show: boolean;
  title: string;
  backgroundColor: string;
  webPreferences: SecureWebPreferences;
}

export const DEFAULT_BOUNDS: WindowBounds = { width: 1280, height: 820 };

export function mainWindowOptions(preloadPath: string, bounds: WindowBounds = DEFAULT_BOUNDS, dark = false): MainWindowOptions {
  return {
    ...bounds,
    minWidth: 960,
    minHeight: 600,
    // Shown on ready-to-show, so the window never flashes white before the first paint.
    show: false,
    title: 'Guidepost',
    backgroundColor: dark ? '#16171a' : '#ffffff',
    webPreferences: {
      preload: preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      spellcheck: true,
    },
  };
}

/** Restored bounds must still fit a display; otherwise the window opens at the default size. */
export function sanitizeBounds(saved: unknown, displays: { x: number; y: number; width: number; height: number }[]): WindowBounds {
  if (typeof saved !== 'object' || saved === null) return DEFAULT_BOUNDS;
  const b = saved as Partial<Record<keyof WindowBounds, unknown>>;
  const { x, y, width, height } = b;
  const finite = (n: unknown): n is number => typeof n === 'number' && Number.isFinite(n);
  if (!finite(x) || !finite(y) || !finite(width) || !finite(height)) return DEFAULT_BOUNDS;
  if (width < 400 || height < 300) return DEFAULT_BOUNDS;
  const visible = displays.some((d) => x + 100 > d.x && y + 50 > d.y && x < d.x + d.width - 100 && y < d.y + d.height - 50);
  return visible ? { x, y, width, height } : { width, height };
}
