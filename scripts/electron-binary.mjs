// `npm start` and `npm run dev` run Electron, whose binary is not part of `npm install` any more:
// Electron 45 downloads it on first use (its `install-electron` command). electron-vite only looks for
// it and fails with "Error: Electron uninstall" and a stack trace when it is not there yet. This
// fetches it first, and when that cannot work (offline, a proxy), says in one line what is missing
// and what to do.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { describeDownloadFailure } from './lib/offline.mjs';

const require = createRequire(import.meta.url);
const electronDir = dirname(require.resolve('electron/package.json'));
const { version } = require('electron/package.json');
const target = `${process.env.ELECTRON_INSTALL_PLATFORM ?? process.platform}-${process.env.ELECTRON_INSTALL_ARCH ?? process.arch}`;

function installed() {
  if (process.env.ELECTRON_OVERRIDE_DIST_PATH) return true;
  try {
    const binary = readFileSync(join(electronDir, 'path.txt'), 'utf8');
    const distVersion = readFileSync(join(electronDir, 'dist', 'version'), 'utf8')
      .replace(/^v/, '')
      .trim();
    return distVersion === version && existsSync(join(electronDir, 'dist', binary));
  } catch {
    return false;
  }
}

if (installed()) process.exit(0);

process.stderr.write(`Electron ${version} is not installed yet; downloading its binary for ${target} (once)...\n`);
const run = spawnSync(process.execPath, [join(electronDir, 'install.js')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
if (run.status === 0 && installed()) process.exit(0);

const reason = describeDownloadFailure(`${run.stdout ?? ''}\n${run.stderr ?? ''}\n${run.error?.message ?? ''}`);
process.stderr.write(
  `error: npm start needs Electron ${version}'s binary for ${target}, which is not installed and could not be downloaded (${reason}): ` +
    'connect this machine to the internet and run `npx install-electron`, or point ELECTRON_MIRROR or electron_config_cache ' +
    `at a copy of electron-v${version}-${target}.zip (docs/DESKTOP.md, "Running it from a checkout").\n`,
);
process.exit(1);
