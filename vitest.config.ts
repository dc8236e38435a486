import { defineConfig } from 'vitest/config';

// Server tests run against the TypeScript sources with a real SQLite file and real HTTP on port 0.
// Files run in parallel processes; each test creates its own data dir, so they never share state.
export default defineConfig({
  test: {
    include: ['test/server/**/*.test.ts', 'test/main/**/*.test.ts'],
    environment: 'node',
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
