// `npm run dist`: build the bundles, package them with electron-builder for this OS, then put the
// Node build of better-sqlite3 back (packaging compiles it for Electron in the project's own
// node_modules). electron-builder needs the network twice (Electron's zip to package, Electron's
// headers to compile better-sqlite3); offline it ended in a bare `getaddrinfo ENOTFOUND`: this
// says what it needed instead.
import { execSync, spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { describeDownloadFailure, isNetworkFailure } from './lib/offline.mjs';

const require = createRequire(import.meta.url);
const { version } = require('electron/package.json');
const target = `${process.platform}-${process.arch}`;

function builder(args) {
  return new Promise((resolve) => {
    const child = spawn('npx', ['electron-builder', '--config', 'electron-builder.yml', ...args], { stdio: ['inherit', 'pipe', 'pipe'] });
    let output = '';
    const tee = (to) => (chunk) => {
      to.write(chunk);
      output = (output + chunk.toString()).slice(-200_000);
    };
    child.stdout.on('data', tee(process.stdout));
    child.stderr.on('data', tee(process.stderr));
    child.on('close', (code) => resolve({ code: code ?? 1, output }));
    child.on('error', (err) => resolve({ code: 1, output: `${output}\n${err.message}` }));
  });
}

let code = 0;
try {
  execSync('npx electron-vite build', { stdio: 'inherit' });
  const result = await builder(process.argv.slice(2));
  code = result.code;
  if (code !== 0 && isNetworkFailure(result.output)) {
    process.stderr.write(
      `\nerror: npm run dist needs network access, which failed (${describeDownloadFailure(result.output)}): electron-builder downloads ` +
        `Electron ${version} for ${target} to package it, and Electron's headers to compile better-sqlite3 for it. ` +
        'Run it on a connected machine, or fill the caches first (ELECTRON_MIRROR / electron_config_cache for the zip); see docs/DESKTOP.md, "Packaging".\n',
    );
  }
} catch {
  code = 1;
} finally {
  // packaging leaves better-sqlite3 compiled for Electron (or half-way): the tests and `npm run serve` need Node's build
  execSync('node scripts/native-runtime.mjs node', { stdio: 'inherit' });
}
process.exit(code);
