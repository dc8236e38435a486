import { join, resolve } from 'node:path';
import { app, BrowserWindow, dialog, ipcMain, Menu, session, shell, utilityProcess } from 'electron';
import { bundlePath } from './bundle-paths';
import { withCsp } from './csp';
import { diagnosticsFileName, openDesktopLog } from './desktop-log';
import { registerIpcHandlers } from './ipc';
import { buildMenuTemplate } from './menu';
import { guardContents } from './navigation';
import { permissionCheckHandler, permissionRequestHandler } from './permissions';
import { stopStationOnQuit } from './quit';
import { saveFile } from './save-file';
import { savePdf } from './save-pdf';
import { claimSingleInstance, focusWindow } from './single-instance';
import { describeFailure, desktopStationSettings, logsDir } from './station-settings';
import { StationStartError, StationSupervisor, type SupervisorEvent } from './station-supervisor';
import { crashedView, migrationView, STARTING_VIEW, statusPageUrl, throttledViews } from './status-page';
import { externalUrl, originOf } from './url-policy';
import { createWindowOptions } from './window-options';

/**
 * The Electron shell, kept thin on purpose: Electron cannot run on the build machines, so every
 * decision lives in a small module under src/main with its own tests, and this file only wires
 * them to Electron's objects. It imports no station code: the station runs in a utility process
 * started from out/main/station-process.js and is spoken to only by messages (StationSupervisor).
 *
 * The window loads the station's own URL (the station serves the built renderer at `/`): the UI
 * then shares its origin with the API, exactly as in a browser, so there is no CORS, no file://
 * origin, and a CSP of 'self' covers every request. While the station is starting or restarting
 * the window shows a local status page instead, so it never waits on a dead URL.
 */
const isDev = !app.isPackaged;
// electron-vite dev serves the renderer with hot reload from its own origin
const devRendererUrl = isDev ? process.env.ELECTRON_RENDERER_URL : undefined;
const preloadPath = bundlePath('preload', import.meta.url);
const stationEntryPath = bundlePath('stationEntry', import.meta.url);
const iconPath = bundlePath('icon', import.meta.url);

let mainWindow: BrowserWindow | null = null;

// `--user-data-dir=DIR`: a station with its data, logs and settings elsewhere (a second data set, the
// desktop smoke test). Before the single-instance lock, which is held per data folder.
const userDataArg = app.commandLine.getSwitchValue('user-data-dir');
if (userDataArg) app.setPath('userData', resolve(userDataArg));

app.enableSandbox();

if (claimSingleInstance(app, () => focusWindow(mainWindow))) {
  void main();
}

async function main(): Promise<void> {
  await app.whenReady();
  const userDataDir = app.getPath('userData');
  const logDir = logsDir(userDataDir);
  const log = await openDesktopLog(logDir);
  const devOrigin = devRendererUrl ? originOf(devRendererUrl) : undefined;

  // Filled in when the station is ready; every guard reads them at the time it decides.
  const trustedOrigins: string[] = devOrigin ? [devOrigin] : [];
  let stationUrl = '';
  // What the window should show now: the station's UI, or the status page while it is down.
  let windowUrl = statusPageUrl(STARTING_VIEW);
  const show = (url: string) => {
    windowUrl = url;
    void mainWindow?.loadURL(url).catch((err: unknown) => log.warn({ err }, 'the window could not load the page'));
  };
  const openExternal = (url: string) => void shell.openExternal(url).catch((err: unknown) => log.warn({ err }, 'could not open a link'));

  secureSession(() => stationUrl && originOf(stationUrl), trustedOrigins);
  app.on('web-contents-created', (_event, contents) => guardContents(contents, { trustedOrigins, openExternal }));

  // a move of an older database reports every 50,000 rows: its page is rendered again at most once a second
  const migrationPage = throttledViews((view) => show(statusPageUrl(view)));
  const onStationEvent = (event: SupervisorEvent) => {
    if (event.type === 'migrating') {
      const m = event.migration;
      if (m.phase === 'moving' && m.movedRows === m.resumedAtRows)
        log.info({ total: m.totalRows, resumedAt: m.resumedAtRows }, 'the station is moving readings to the new storage layout');
      else if (m.phase === 'done') log.info({ total: m.totalRows, rowsPerS: m.rowsPerS }, 'the station moved its readings to the new storage layout');
      migrationPage.show(migrationView(m));
      return;
    }
    // the station is up, down or gone: a progress page still waiting must not cover what comes next
    migrationPage.cancel();
    if (event.type === 'crashed') {
      log.error(
        { exitCode: event.exitCode, fatal: event.fatal, failures: event.failures, restartInMs: event.restartInMs },
        'the station stopped unexpectedly; restarting',
      );
      show(statusPageUrl(crashedView(event, logDir)));
    } else if (event.type === 'ready') {
      log.info({ url: event.ready.url, pid: event.ready.pid, restarts: event.restarts }, 'station ready');
      if (event.restarts > 0) show(devRendererUrl ?? `${event.ready.url}/`);
    } else {
      log.info({ clean: event.clean }, 'station stopped');
    }
  };
  const supervisor = new StationSupervisor({
    fork: () => utilityProcess.fork(stationEntryPath, [], { serviceName: 'SMART Oilfield station', stdio: 'inherit' }),
    settings: desktopStationSettings({ userDataDir, env: process.env, extraCorsOrigins: devOrigin ? [devOrigin] : [] }),
    onEvent: onStationEvent,
  });
  // before the first start, so quitting while it starts still closes the database cleanly
  let quitting = false;
  const stopStation = () => {
    quitting = true;
    return supervisor.stop();
  };
  stopStationOnQuit(app, { stop: stopStation }, (err) => log.error({ err }, 'the station did not stop cleanly'));
  process.once('SIGINT', () => app.quit());
  process.once('SIGTERM', () => app.quit());

  // The menu is in place before the window opens: Electron's default one (reload, DevTools) never shows.
  const saveDiagnostics = async () => {
    const options = {
      title: 'Save diagnostics',
      defaultPath: join(app.getPath('downloads'), diagnosticsFileName(new Date())),
      filters: [{ name: 'JSON', extensions: ['json'] }],
    };
    const choice = mainWindow ? await dialog.showSaveDialog(mainWindow, options) : await dialog.showSaveDialog(options);
    if (choice.canceled || !choice.filePath) return;
    try {
      const saved = await supervisor.saveDiagnostics(choice.filePath);
      shell.showItemInFolder(saved.file);
    } catch (err) {
      log.warn({ err }, 'diagnostics were not saved');
      dialog.showErrorBox('Diagnostics were not saved', `${(err as Error).message}\n\nThe log files are in ${logDir} (Help > Open logs folder).`);
    }
  };
  Menu.setApplicationMenu(
    Menu.buildFromTemplate(
      buildMenuTemplate({
        appName: app.name,
        isMac: process.platform === 'darwin',
        isDev,
        openApiDocs: () => {
          const docsUrl = stationUrl && externalUrl(`${stationUrl}/docs`);
          if (docsUrl) openExternal(docsUrl);
        },
        openLogsFolder: () => void shell.openPath(logDir),
        saveDiagnostics: () => void saveDiagnostics().catch((err: unknown) => log.warn({ err }, 'the save dialog failed')),
      }),
    ),
  );

  const openWindow = () => {
    mainWindow = new BrowserWindow(createWindowOptions({ preloadPath, isDev, icon: process.platform === 'linux' ? iconPath : undefined }));
    mainWindow.once('ready-to-show', () => mainWindow?.show());
    mainWindow.on('closed', () => (mainWindow = null));
    void mainWindow.loadURL(windowUrl);
  };
  openWindow();
  // macOS keeps the app (and the station LAN devices post to) running with no window open.
  app.on('activate', () => (mainWindow ? focusWindow(mainWindow) : openWindow()));
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });

  let ready;
  try {
    ready = await supervisor.start();
  } catch (err) {
    if (quitting) return; // the engineer quit while it was starting: nothing failed
    log.error({ err }, 'the station could not start');
    const detail = err instanceof StationStartError ? describeFailure(err.fatal, userDataDir) : String(err);
    dialog.showErrorBox('SMART Oilfield could not start', detail);
    app.exit(1);
    return;
  }
  stationUrl = ready.url;
  trustedOrigins.push(originOf(ready.url));

  registerIpcHandlers(ipcMain, {
    trustedOrigins,
    stationUrl: ready.url,
    appVersion: app.getVersion(),
    saveFile: (request) =>
      saveFile(request, {
        stationOrigin: originOf(stationUrl),
        downloadsDir: app.getPath('downloads'),
        showSaveDialog: (options) => (mainWindow ? dialog.showSaveDialog(mainWindow, options) : dialog.showSaveDialog(options)),
      }),
    savePdf: (request, page) =>
      savePdf(request, page, {
        downloadsDir: app.getPath('downloads'),
        showSaveDialog: (options) => (mainWindow ? dialog.showSaveDialog(mainWindow, options) : dialog.showSaveDialog(options)),
      }),
  });

  show(devRendererUrl ?? `${ready.url}/`);
}

function secureSession(stationOrigin: () => string, trustedOrigins: readonly string[]): void {
  const ses = session.defaultSession;
  ses.setPermissionRequestHandler(permissionRequestHandler(trustedOrigins));
  ses.setPermissionCheckHandler(permissionCheckHandler(trustedOrigins));
  ses.webRequest.onHeadersReceived((details, callback) => {
    const origin = stationOrigin();
    callback({ responseHeaders: origin ? withCsp(details.url, details.responseHeaders, origin) : details.responseHeaders });
  });
}
