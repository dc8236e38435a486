/**
 * IPC channel names shared by the preload and the main process. Kept apart from desktop.ts (which
 * holds zod schemas) because the sandboxed preload may only require `electron`: importing zod
 * there would break it at run time.
 */
export const DESKTOP_CHANNELS = {
  stationUrl: 'desktop:station-url',
  appVersion: 'desktop:app-version',
  saveFile: 'desktop:save-file',
  savePdf: 'desktop:save-pdf',
} as const;

/** The name the preload gives the API on `window` (`window.oilfield`). */
export const DESKTOP_GLOBAL = 'oilfield';
