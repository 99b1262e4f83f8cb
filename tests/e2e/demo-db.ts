import { copyFileSync } from 'node:fs';

/** Where global-setup.ts left the run's demo database (an environment variable the workers inherit). */
export const DEMO_DB_ENV = 'GUIDEPOST_E2E_DEMO_DB';

/** Copies the run's demo database to `target`, so a test gets a demo cache of its own without generating one. */
export function copyDemoDatabase(target: string): void {
  const source = process.env[DEMO_DB_ENV];
  if (!source) throw new Error(`${DEMO_DB_ENV} is not set: the demo database is made by tests/e2e/global-setup.ts`);
  copyFileSync(source, target);
}
