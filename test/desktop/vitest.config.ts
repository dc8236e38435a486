import { defineConfig } from 'vitest/config';

// The desktop smoke test: the real Electron app driven by Playwright's _electron. Not part of
// `npm test`: it needs Electron's binary and better-sqlite3 rebuilt for Electron (see docs/DESKTOP.md).
export default defineConfig({
  test: {
    include: ['test/desktop/**/*.test.ts'],
    environment: 'node',
    pool: 'forks',
    fileParallelism: false,
    testTimeout: 120_000,
    // the first beforeAll may rebuild better-sqlite3 for Electron (about a minute and a half)
    hookTimeout: 600_000,
    expect: { poll: { timeout: 15_000 } },
  },
});
