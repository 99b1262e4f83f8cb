/** One demo database for the walkthrough, made by the built CLI (as the end-to-end setup does, without PostgreSQL). */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DEMO_DB_ENV } from '../e2e/demo-db';

export default function globalSetup(): () => void {
  const dir = mkdtempSync(join(tmpdir(), 'guidepost-screens-demo-'));
  const db = join(dir, 'demo.db');
  execFileSync(process.execPath, ['bin/guidepost.mjs', 'demo', '--db', db, '--json'], { stdio: ['ignore', 'ignore', 'pipe'] });
  process.env[DEMO_DB_ENV] = db;
  return () => {
    rmSync(dir, { recursive: true, force: true });
    console.log(`Screens written to ${resolve(process.env.SCREENS_DIR ?? 'screens')}`);
  };
}
