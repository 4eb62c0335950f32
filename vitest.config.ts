import { createRequire } from 'node:module';
import { defineConfig } from 'vitest/config';

const require = createRequire(import.meta.url);

export default defineConfig({
  resolve: {
    // One graphql for all. Packages (Apollo, graphql-tools, graphql-ws) load its CommonJS build,
    // as Node resolves `graphql`; code under test would otherwise get its ESM build (`module`),
    // a second copy whose schemas and errors those packages refuse ("another module or realm").
    alias: [{ find: /^graphql$/, replacement: require.resolve('graphql') }],
  },
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
