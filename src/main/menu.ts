import type { MenuItemConstructorOptions } from 'electron';

export interface MenuInput {
  appName: string;
  isMac: boolean;
  isDev: boolean;
  /** opens the station's /docs in the user's browser */
  openApiDocs: () => void;
  /** opens the folder of the rotating log files in the file manager */
  openLogsFolder: () => void;
  /** asks where, then has the station write its diagnostics file there */
  saveDiagnostics: () => void;
}

/**
 * The application menu, built from Electron's standard roles so shortcuts and platform conventions
 * come for free. Reload and DevTools exist only in developer builds: a field engineer reloading
 * mid-import would lose the import's progress, and DevTools is no tool for a wellsite.
 */
export function buildMenuTemplate(input: MenuInput): MenuItemConstructorOptions[] {
  const view: MenuItemConstructorOptions[] = [
    ...(input.isDev ? ([{ role: 'reload' }, { role: 'forceReload' }, { role: 'toggleDevTools' }, { type: 'separator' }] as const) : []),
    { role: 'resetZoom' },
    { role: 'zoomIn' },
    { role: 'zoomOut' },
    { type: 'separator' },
    { role: 'togglefullscreen' },
  ];

  return [
    ...(input.isMac
      ? [
          {
            label: input.appName,
            submenu: [
              { role: 'about' },
              { type: 'separator' },
              { role: 'services' },
              { type: 'separator' },
              { role: 'hide' },
              { role: 'hideOthers' },
              { role: 'unhide' },
              { type: 'separator' },
              { role: 'quit' },
            ],
          } satisfies MenuItemConstructorOptions,
        ]
      : []),
    { label: 'File', submenu: [input.isMac ? { role: 'close' } : { role: 'quit' }] },
    { role: 'editMenu' },
    { label: 'View', submenu: view },
    { role: 'windowMenu' },
    {
      role: 'help',
      submenu: [
        { label: 'API docs', click: () => input.openApiDocs() },
        { type: 'separator' },
        // what a field engineer sends to support: the logs, or one file with logs, settings and database health
        { label: 'Open logs folder', click: () => input.openLogsFolder() },
        { label: 'Save diagnostics…', click: () => input.saveDiagnostics() },
      ],
    },
  ];
}
