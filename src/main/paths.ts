import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * Where the cache lives when no --db or GUIDEPOST_DB says otherwise: the same folder Electron's
 * app.getPath('userData') gives for an app named "Guidepost", so the CLI, browser mode and the
 * desktop app share one cache by default.
 */
export function defaultDataDir(platform: NodeJS.Platform = process.platform, env: NodeJS.ProcessEnv = process.env): string {
  if (platform === 'win32') return join(env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), 'Guidepost');
  if (platform === 'darwin') return join(homedir(), 'Library', 'Application Support', 'Guidepost');
  return join(env.XDG_CONFIG_HOME ?? join(homedir(), '.config'), 'Guidepost');
}

export function resolveDbPath(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  return flag ?? env.GUIDEPOST_DB ?? join(defaultDataDir(process.platform, env), 'guidepost.db');
}
