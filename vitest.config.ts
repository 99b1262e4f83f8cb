import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/unit/**/*.test.ts'],
    environment: 'node',
    // One private PostgreSQL cluster per run, shared by every suite (tests/support/postgres.ts).
    globalSetup: ['tests/support/postgres-vitest-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Two cores: two test files at a time.
    maxWorkers: 2,
  },
});
