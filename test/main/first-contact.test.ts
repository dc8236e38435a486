import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
// @ts-expect-error a plain .mjs script module without types
import { describeDownloadFailure, isNetworkFailure } from '../../scripts/lib/offline.mjs';

const require = createRequire(import.meta.url);
const electronDir = dirname(require.resolve('electron/package.json'));
const electronInstalled = (() => {
  try {
    return existsSync(join(electronDir, 'dist', readFileSync(join(electronDir, 'path.txt'), 'utf8')));
  } catch {
    return false;
  }
})();

describe('first contact: what npm start and npm run dist say when a download fails', () => {
  it("when electron-builder could not resolve a host (the issue's bare ENOTFOUND), then the reason names it", () => {
    const output =
      '  ⨯ getaddrinfo ENOTFOUND github.com  failedTask=build stackTrace=RequestError: getaddrinfo ENOTFOUND github.com\n    at ClientRequest.<anonymous> (/x/got/index.js:970:111)';
    expect(isNetworkFailure(output)).toBe(true);
    expect(describeDownloadFailure(output)).toBe('no network: the name github.com could not be resolved');
  });

  it("when @electron/get's fetch failed with no cause, then the reason says offline or a proxy", () => {
    const output = 'TypeError: fetch failed\n    at node:internal/deps/undici/undici:14976:13\n    at async downloadArtifact (file:///x/index.js:154:12)';
    expect(isNetworkFailure(output)).toBe(true);
    expect(describeDownloadFailure(output)).toMatch(/offline, or a proxy is needed/);
  });

  it('when a failure is not a network one, then its last line is given instead of a stack', () => {
    expect(isNetworkFailure('Error: ENOSPC: no space left on device')).toBe(false);
    expect(describeDownloadFailure('Error: ENOSPC: no space left on device')).toBe('the disk is full');
    expect(describeDownloadFailure('something odd\n  with a second line')).toBe('it said: with a second line');
  });

  it.skipIf(electronInstalled)(
    "when Electron's binary is missing and cannot be downloaded, then npm start's first step ends in one line saying what and what to do",
    async () => {
      // a mirror on a closed loopback port and an empty cache: the download must fail, quickly and for sure
      const server = createServer();
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      const { port } = server.address() as { port: number };
      await new Promise<void>((r) => server.close(() => r()));
      const cache = mkdtempSync(join(tmpdir(), 'oilfield-electron-cache-'));
      try {
        const run = spawnSync(process.execPath, ['scripts/electron-binary.mjs'], {
          encoding: 'utf8',
          env: { PATH: process.env.PATH, HOME: process.env.HOME, ELECTRON_MIRROR: `http://127.0.0.1:${port}/`, electron_config_cache: cache },
        });
        expect(run.status).toBe(1);
        const errors = run.stderr.split('\n').filter((l) => l.startsWith('error:'));
        expect(errors).toHaveLength(1);
        expect(errors[0]).toMatch(
          /^error: npm start needs Electron \d+\.\d+\.\d+'s binary for \w+-\w+, which is not installed and could not be downloaded \(.+\): .*npx install-electron/,
        );
        expect(run.stderr).not.toMatch(/\n\s+at /);
      } finally {
        rmSync(cache, { recursive: true, force: true });
      }
    },
  );
});
