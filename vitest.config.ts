import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Builds the browser assets (IDE, docs) once per run when missing or stale.
    globalSetup: ['test/helpers/global-setup.ts'],
    // Integration tests start real emulators and servers; give them room on a 2-core machine.
    testTimeout: 30_000,
    hookTimeout: 120_000,
    pool: 'forks',
  },
});
