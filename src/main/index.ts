import { fileURLToPath } from 'node:url';
import { app, BrowserWindow, dialog, ipcMain, Menu, session, shell } from 'electron';
import type { Station } from '../server/station';
import { withCsp } from './csp';
import { registerIpcHandlers } from './ipc';
import { buildMenuTemplate } from './menu';
import { guardContents } from './navigation';
import { permissionCheckHandler, permissionRequestHandler } from './permissions';
import { saveFile } from './save-file';
import { claimSingleInstance, focusWindow } from './single-instance';
import { closeStationOnQuit, describeStartError, startDesktopStation } from './station-lifecycle';
import { externalUrl, originOf } from './url-policy';
import { createWindowOptions } from './window-options';

/**
 * The Electron shell, kept thin on purpose: Electron cannot run on the build machines, so every
 * decision lives in a small module under src/main with its own tests, and this file only wires
 * them to Electron's objects.
 *
 * The window loads the station's own URL (the station serves the built renderer at `/`): the UI
 * then shares its origin with the API, exactly as in a browser, so there is no CORS, no file://
 * origin, and a CSP of 'self' covers every request.
 */
const isDev = !app.isPackaged;
// electron-vite dev serves the renderer with hot reload from its own origin
const devRendererUrl = isDev ? process.env.ELECTRON_RENDERER_URL : undefined;
const preloadPath = fileURLToPath(new URL('../preload/index.cjs', import.meta.url));
const iconPath = fileURLToPath(new URL('../../resources/icons/icon.png', import.meta.url));

let mainWindow: BrowserWindow | null = null;

app.enableSandbox();

if (claimSingleInstance(app, () => focusWindow(mainWindow))) {
  void main();
}

async function main(): Promise<void> {
  await app.whenReady();
  const userDataDir = app.getPath('userData');
  const devOrigin = devRendererUrl ? originOf(devRendererUrl) : undefined;

  let station: Station;
  try {
    station = await startDesktopStation({ userDataDir, extraCorsOrigins: devOrigin ? [devOrigin] : [] });
  } catch (err) {
    console.error(err);
    dialog.showErrorBox('SMART Oilfield could not start', describeStartError(err, userDataDir));
    app.exit(1);
    return;
  }
  closeStationOnQuit(app, station, (err) => console.error('the station did not close cleanly', err));
  process.once('SIGINT', () => app.quit());
  process.once('SIGTERM', () => app.quit());

  const stationOrigin = originOf(station.url);
  const trustedOrigins = devOrigin ? [stationOrigin, devOrigin] : [stationOrigin];
  const openExternal = (url: string) => void shell.openExternal(url).catch((err: unknown) => console.error(err));

  secureSession(stationOrigin, trustedOrigins);
  app.on('web-contents-created', (_event, contents) => guardContents(contents, { trustedOrigins, openExternal }));

  registerIpcHandlers(ipcMain, {
    trustedOrigins,
    stationUrl: station.url,
    appVersion: app.getVersion(),
    saveFile: (request) =>
      saveFile(request, {
        stationOrigin,
        downloadsDir: app.getPath('downloads'),
        showSaveDialog: (options) => (mainWindow ? dialog.showSaveDialog(mainWindow, options) : dialog.showSaveDialog(options)),
      }),
  });

  const docsUrl = externalUrl(`${station.url}/docs`);
  Menu.setApplicationMenu(
    Menu.buildFromTemplate(
      buildMenuTemplate({
        appName: app.name,
        isMac: process.platform === 'darwin',
        isDev,
        openApiDocs: () => docsUrl && openExternal(docsUrl),
      }),
    ),
  );

  const openWindow = () => {
    mainWindow = new BrowserWindow(createWindowOptions({ preloadPath, isDev, icon: process.platform === 'linux' ? iconPath : undefined }));
    mainWindow.once('ready-to-show', () => mainWindow?.show());
    mainWindow.on('closed', () => (mainWindow = null));
    void mainWindow.loadURL(devRendererUrl ?? `${station.url}/`);
  };
  openWindow();

  // macOS keeps the app (and the station LAN devices post to) running with no window open.
  app.on('activate', () => (mainWindow ? focusWindow(mainWindow) : openWindow()));
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
}

function secureSession(stationOrigin: string, trustedOrigins: string[]): void {
  const ses = session.defaultSession;
  ses.setPermissionRequestHandler(permissionRequestHandler(trustedOrigins));
  ses.setPermissionCheckHandler(permissionCheckHandler(trustedOrigins));
  ses.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: withCsp(details.url, details.responseHeaders, stationOrigin) });
  });
}
