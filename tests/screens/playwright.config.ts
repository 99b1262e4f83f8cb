import { defineConfig } from '@playwright/test';
import base from '../../playwright.config';

/**
 * `npm run screens`: the walkthrough that writes a PNG of every area (tests/screens/screens.spec.ts).
 * Not part of `npm test`. Same browser as the end-to-end tests; one worker, so the figures on the
 * screens do not race each other for the CPU.
 */
export default defineConfig({
  ...base,
  testDir: '.',
  globalSetup: './global-setup.ts',
  outputDir: '../../test-results/screens-run',
  fullyParallel: false,
  workers: 1,
  timeout: 600_000,
});
