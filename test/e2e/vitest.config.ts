import { defineConfig } from 'vitest/config';

// End-to-end: Debian's Chromium (playwright-core) against the built station serving the built
// renderer. One file at a time: a browser and a station each take a core on the CI machine.
export default defineConfig({
  test: {
    include: ['test/e2e/**/*.test.ts'],
    environment: 'node',
    pool: 'forks',
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 90_000,
    // The UI fills in from its own requests after each click: poll as long as Playwright's own waits.
    expect: { poll: { timeout: 15_000 } },
  },
});
