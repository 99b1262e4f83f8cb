import { realpathSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join, resolve, sep } from 'node:path';

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

/** The folder a cache's workshop exports go under: exports/ beside the cache file. */
export function exportsFolderFor(dbPath: string): string {
  return join(dirname(resolve(dbPath)), 'exports');
}

/**
 * `candidate`'s real path when it is a regular file inside `root` (symbolic links resolved, so a link
 * cannot lead out), else null. The bridge's download and the window's "Show in folder" hand out only
 * what passes this: exported files, never any path a page asks for.
 */
export function fileInside(root: string, candidate: string): string | null {
  if (!isAbsolute(candidate)) return null;
  try {
    const realRoot = realpathSync(root);
    const real = realpathSync(candidate);
    if (!real.startsWith(realRoot + sep)) return null;
    return statSync(real).isFile() ? real : null;
  } catch {
    return null;
  }
}
