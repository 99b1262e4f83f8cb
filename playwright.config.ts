import { defineConfig } from '@playwright/test';

/**
 * End-to-end tests drive browser mode (the real backend behind the loopback bridge) in Debian's
 * Chromium; Playwright cannot download its own browser here. Each test starts its own server on a
 * free port with its own temporary database, so tests run in parallel.
 */
export default defineConfig({
  testDir: 'tests/e2e',
  // One private PostgreSQL cluster per run, shared by every spec (tests/support/postgres.ts).
  globalSetup: './tests/e2e/global-setup.ts',
  outputDir: 'test-results/e2e',
  fullyParallel: true,
  workers: 2,
  timeout: 120_000,
  expect: { timeout: 30_000 },
  reporter: [['list']],
  use: {
    browserName: 'chromium',
    viewport: { width: 1360, height: 860 },
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    },
    trace: 'retain-on-failure',
  },
});
