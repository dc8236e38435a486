import { existsSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

/**
 * The station runs from TypeScript sources (vitest, tsx) and from the electron-vite bundle in
 * `out/main` (headless `node out/main/cli.js` and the desktop app). Files it loads at run time —
 * migrations, worker-thread entries, the built renderer — live in different places in each case.
 */
const here = dirname(fileURLToPath(import.meta.url));
const runningFromSource = import.meta.url.endsWith('.ts');

/** out/main when bundled (chunks may sit one folder down); src/server from source. */
const baseDir = runningFromSource ? here : basename(here) === 'chunks' ? dirname(here) : here;

export const projectRoot = resolve(baseDir, '..', '..');

export const migrationsDir = runningFromSource ? join(baseDir, 'db', 'migrations') : join(baseDir, 'migrations');

export const rendererDir = join(projectRoot, 'out', 'renderer');

/**
 * Inside a packaged desktop app the bundle lives in `<resources>/app.asar` and electron-builder's
 * extraResources (the default anomaly model: resources/models -> <resources>/models) sit beside it,
 * outside the archive: that `<resources>` folder is Electron's process.resourcesPath.
 */
export function resourcesDirFor(root: string): string {
  return basename(root) === 'app.asar' ? dirname(root) : join(root, 'resources');
}

export const resourcesDir = resourcesDirFor(projectRoot);

/**
 * A worker-thread entry for `new Worker(entry.file, { execArgv: entry.execArgv, ... })`: `name` is
 * the bundle input name (see electron.vite.config.ts) and `sourcePath` the TypeScript file
 * relative to src/server. From source (tests, tsx) the worker is a tiny ES module that registers
 * tsx's loader first, because Node 20 workers ignore `--import` in execArgv.
 */
export function workerEntry(name: string, sourcePath: string): { file: string | URL; execArgv: string[] } {
  if (runningFromSource) {
    // The ESM build of tsx's API (require.resolve would give the CommonJS one).
    const tsxRoot = dirname(createRequire(import.meta.url).resolve('tsx/package.json'));
    const tsx = pathToFileURL(join(tsxRoot, 'dist', 'esm', 'api', 'index.mjs')).href;
    const target = pathToFileURL(join(baseDir, sourcePath)).href;
    const code = `import { register } from ${JSON.stringify(tsx)}; register(); await import(${JSON.stringify(target)});`;
    return { file: new URL(`data:text/javascript,${encodeURIComponent(code)}`), execArgv: [] };
  }
  const file = join(baseDir, `${name}.js`);
  if (!existsSync(file)) throw new Error(`worker bundle ${file} is missing: run npm run build`);
  return { file, execArgv: [] };
}
