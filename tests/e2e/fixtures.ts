import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test as base } from '@playwright/test';

export interface BrowserModeServer {
  /** The URL to open, token included. */
  url: string;
  dbPath: string;
  dir: string;
}

/** Starts `node out/main/web.js` on a free port with a fresh database in its own temporary folder. */
export async function startBrowserMode(): Promise<{ server: BrowserModeServer; stop: () => Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'guidepost-e2e-'));
  const dbPath = join(dir, 'cache.db');
  const child: ChildProcess = spawn(process.execPath, ['out/main/web.js', '--port', '0', '--db', dbPath], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`browser mode did not start:\n${output}`)), 30_000);
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      const match = /open:\s+(\S+)/.exec(output);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => reject(new Error(`browser mode exited with ${code}:\n${output}`)));
  });
  const stop = async (): Promise<void> => {
    if (child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  };
  return { server: { url, dbPath, dir }, stop };
}

export const test = base.extend<{ server: BrowserModeServer }>({
  server: async ({}, use) => {
    const { server, stop } = await startBrowserMode();
    await use(server);
    await stop();
  },
});

export { expect } from '@playwright/test';
