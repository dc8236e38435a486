// Builds with electron-vite when out/ is missing or older than any source file, so `npm run serve`
// on a fresh clone just works and a second start does not wait for a build.
import { execSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

// Every script that runs the bundle on plain Node comes through here: make sure the native
// SQLite addon is the Node build (it may have been rebuilt for Electron by `npm start`).
execSync('node scripts/native-runtime.mjs node', { stdio: 'inherit' });

const outputs = ['out/main/cli.js', 'out/renderer/index.html'];
const inputs = ['src', 'package.json', 'electron.vite.config.ts'];

function newest(path) {
  const s = statSync(path);
  if (!s.isDirectory()) return s.mtimeMs;
  return readdirSync(path).reduce((m, name) => Math.max(m, newest(join(path, name))), s.mtimeMs);
}

const built = outputs.every((f) => existsSync(f)) ? Math.min(...outputs.map((f) => statSync(f).mtimeMs)) : 0;
const changed = Math.max(...inputs.filter((p) => existsSync(p)).map(newest));
if (changed > built) {
  process.stderr.write('building the station (electron-vite build)...\n');
  execSync('npx electron-vite build', { stdio: ['ignore', 'inherit', 'inherit'] });
}
