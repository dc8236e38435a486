import { defineConfig } from 'vitest/config';

// Reliability tests drive the built station (`out/main/cli.js`) as a real child process: it is
// killed, starved of disk and flooded, so each file runs alone (no file parallelism) to keep the
// 2-core CI machine from turning timing noise into failures. Assertions never depend on time.
export default defineConfig({
  test: {
    include: ['test/reliability/**/*.test.ts'],
    environment: 'node',
    pool: 'forks',
    fileParallelism: false,
    testTimeout: 240_000,
    hookTimeout: 60_000,
  },
});
