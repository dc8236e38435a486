import { fileURLToPath } from 'node:url';

/**
 * Files the main process loads by path at run time, relative to its own bundle (out/main/index.js).
 * Their names come from electron.vite.config.ts (test/main/window-options.test.ts checks they agree).
 */
const BUNDLE_FILES = {
  /** CommonJS, so the window can keep `sandbox: true` */
  preload: '../preload/index.cjs',
  /** the station's own process: utilityProcess.fork runs it */
  stationEntry: './station-process.js',
  icon: '../../resources/icons/icon.png',
} as const;

export function bundlePath(file: keyof typeof BUNDLE_FILES, mainBundleUrl: string): string {
  return fileURLToPath(new URL(BUNDLE_FILES[file], mainBundleUrl));
}
