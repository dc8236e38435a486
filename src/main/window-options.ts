import type { BrowserWindowConstructorOptions } from 'electron';

export interface WindowOptionsInput {
  preloadPath: string;
  /** developer builds (electron-vite dev/preview) keep DevTools; packaged builds do not */
  isDev: boolean;
  icon?: string;
}

/**
 * The main window's options. The security settings are spelled out even where they are Electron's
 * defaults, so a reviewer (and the tests) can see them and a future default change cannot loosen them.
 */
export function createWindowOptions(input: WindowOptionsInput): BrowserWindowConstructorOptions {
  return {
    width: 1280,
    height: 820,
    minWidth: 960,
    minHeight: 600,
    title: 'SMART Oilfield',
    // shown on 'ready-to-show', after the station answered /health, so no blank white flash
    show: false,
    backgroundColor: '#f5f6f7',
    ...(input.icon ? { icon: input.icon } : {}),
    webPreferences: {
      preload: input.preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      experimentalFeatures: false,
      navigateOnDragDrop: false,
      safeDialogs: true,
      spellcheck: false,
      devTools: input.isDev,
    },
  };
}
