import { cpSync } from 'node:fs';
import { resolve } from 'node:path';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'electron-vite';

// One config builds all three processes. The main build has extra inputs: `cli` is the headless
// entry that plain `node` runs (`npm run serve`), and worker-thread entries live beside it so the
// station can spawn them from `out/main` in both the desktop app and headless mode.
/** SQL migrations are read at run time; ship them beside the bundle. */
const copyMigrations = {
  name: 'copy-migrations',
  closeBundle() {
    cpSync(resolve('src/server/db/migrations'), resolve('out/main/migrations'), { recursive: true });
  },
};

/** Dev-server proxy for every path the station answers itself (see src/server/app.ts). */
function stationProxy(target: string) {
  return Object.fromEntries(['/api', '/token', '/health', '/docs', '/openapi.json', '/write'].map((path) => [path, { target, ws: true }]));
}

export default defineConfig({
  main: {
    plugins: [copyMigrations],
    build: {
      outDir: 'out/main',
      rollupOptions: {
        input: {
          index: resolve('src/main/index.ts'),
          cli: resolve('src/server/cli.ts'),
          // the station's own process in the desktop app (utilityProcess.fork); src/main forks it by path
          'station-process': resolve('src/server/entry/station-process.ts'),
          'db-health-worker': resolve('src/server/support/db-health-worker.ts'),
          'export-worker': resolve('src/server/telemetry/export-worker.ts'),
          'ml-train-worker': resolve('src/server/ml/train-worker.ts'),
          'checkpoint-worker': resolve('src/server/db/checkpoint-worker.ts'),
        },
      },
    },
  },
  preload: {
    // CommonJS so the window can keep `sandbox: true` (an ESM preload needs sandbox off).
    build: {
      outDir: 'out/preload',
      rollupOptions: {
        input: { index: resolve('src/preload/index.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: 'src/renderer',
    plugins: [react()],
    // `npm run dev`: the hot-reloading renderer is served from its own origin; forwarding the API paths
    // to the station keeps the UI's relative URLs (same origin, as in production) working there too.
    server: {
      proxy: stationProxy(`http://${process.env.HOST && process.env.HOST !== '0.0.0.0' ? process.env.HOST : '127.0.0.1'}:${process.env.PORT ?? 8000}`),
    },
    build: {
      outDir: 'out/renderer',
      rollupOptions: { input: { index: resolve('src/renderer/index.html') } },
    },
  },
});
