import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import viteConfig from '../../electron.vite.config';
import { bundlePath } from '../../src/main/bundle-paths';
import { buildCsp, withCsp } from '../../src/main/csp';
import { buildMenuTemplate } from '../../src/main/menu';
import { isPermissionGranted, permissionCheckHandler, permissionRequestHandler } from '../../src/main/permissions';
import { createWindowOptions } from '../../src/main/window-options';

const STATION = 'http://127.0.0.1:8000';

describe('createWindowOptions', () => {
  it('when the window is created, then the renderer is isolated, sandboxed and has no Node', () => {
    const web = createWindowOptions({ preloadPath: '/app/out/preload/index.cjs', isDev: false }).webPreferences!;
    expect(web).toMatchObject({
      preload: '/app/out/preload/index.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      experimentalFeatures: false,
    });
  });

  it('when the build is packaged, then DevTools are off; in development they are on', () => {
    expect(createWindowOptions({ preloadPath: 'p', isDev: false }).webPreferences?.devTools).toBe(false);
    expect(createWindowOptions({ preloadPath: 'p', isDev: true }).webPreferences?.devTools).toBe(true);
  });

  it('when the window is created, then it stays hidden until it has something to show', () => {
    expect(createWindowOptions({ preloadPath: 'p', isDev: false }).show).toBe(false);
  });

  it('when the app loads its preload and station entry, then those are the files the build writes (the preload as CommonJS, so sandbox can stay on)', () => {
    const { main, preload } = viteConfig as any;
    const out = preload.build.rollupOptions.output;
    expect(out.format).toBe('cjs');
    const preloadFile = join(preload.build.outDir, out.entryFileNames.replace('[name]', Object.keys(preload.build.rollupOptions.input)[0]));
    const mainBundle = pathToFileURL(join(process.cwd(), main.build.outDir, 'index.js')).href;
    expect(bundlePath('preload', mainBundle)).toBe(join(process.cwd(), preloadFile));
    expect(Object.keys(main.build.rollupOptions.input)).toContain('index');
    expect(bundlePath('stationEntry', mainBundle)).toBe(join(process.cwd(), main.build.outDir, 'station-process.js'));
    expect(Object.keys(main.build.rollupOptions.input)).toContain('station-process');
  });
});

describe('Content-Security-Policy', () => {
  const csp = buildCsp();

  it('when built, then scripts come only from the station and nothing can frame or be framed', () => {
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self';");
    expect(csp).toContain("object-src 'none'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("base-uri 'self'");
    expect(csp).not.toMatch(/unsafe-eval|script-src[^;]*unsafe-inline|\*/);
  });

  it('when a station response arrives, then exactly one policy, ours, replaces whatever the server sent', () => {
    const out = withCsp(`${STATION}/`, { 'content-security-policy': ['default-src *'], 'Content-Type': ['text/html'] }, STATION);
    expect(out).toEqual({ 'Content-Type': ['text/html'], 'Content-Security-Policy': [csp] });
  });

  it('when a response comes from another origin, then its headers pass through untouched', () => {
    const headers = { 'Content-Type': ['text/html'] };
    expect(withCsp('https://example.com/', headers, STATION)).toBe(headers);
    expect(withCsp('http://127.0.0.1:8001/', headers, STATION)).toBe(headers);
  });
});

describe('permissions', () => {
  it('when a page asks for camera, location, notifications or devices, then it is denied', () => {
    for (const p of ['media', 'geolocation', 'notifications', 'usb', 'serial', 'hid', 'clipboard-read', 'openExternal', 'unknown']) {
      expect(isPermissionGranted(p, `${STATION}/`, [STATION])).toBe(false);
    }
  });

  it('when the station page writes to the clipboard (copy a new key), then it is allowed; from elsewhere it is not', () => {
    expect(isPermissionGranted('clipboard-sanitized-write', `${STATION}/admin/keys`, [STATION])).toBe(true);
    expect(isPermissionGranted('clipboard-sanitized-write', 'https://example.com/', [STATION])).toBe(false);
    expect(isPermissionGranted('clipboard-sanitized-write', undefined, [STATION])).toBe(false);
  });

  it('when Electron calls the handlers, then they answer through the callback and the return value', () => {
    const answers: boolean[] = [];
    permissionRequestHandler([STATION])(null, 'geolocation', (g) => answers.push(g), { requestingUrl: `${STATION}/` });
    permissionRequestHandler([STATION])(null, 'clipboard-sanitized-write', (g) => answers.push(g), { requestingUrl: `${STATION}/` });
    expect(answers).toEqual([false, true]);
    expect(permissionCheckHandler([STATION])(null, 'media', STATION)).toBe(false);
  });
});

describe('buildMenuTemplate', () => {
  const labels = (items: any[]): string[] => items.flatMap((i) => [i.role ?? i.label ?? i.type, ...(Array.isArray(i.submenu) ? labels(i.submenu) : [])]);

  it('when the build is packaged, then there is no reload and no DevTools', () => {
    const all = labels(
      buildMenuTemplate({ appName: 'SMART Oilfield', isMac: false, isDev: false, openApiDocs: () => {}, openLogsFolder: () => {}, saveDiagnostics: () => {} }),
    );
    expect(all).not.toContain('reload');
    expect(all).not.toContain('forceReload');
    expect(all).not.toContain('toggleDevTools');
    expect(all).toEqual(expect.arrayContaining(['editMenu', 'windowMenu', 'help', 'quit', 'zoomIn']));
  });

  it('when developing, then reload and DevTools are in the View menu', () => {
    const all = labels(
      buildMenuTemplate({ appName: 'SMART Oilfield', isMac: false, isDev: true, openApiDocs: () => {}, openLogsFolder: () => {}, saveDiagnostics: () => {} }),
    );
    expect(all).toEqual(expect.arrayContaining(['reload', 'toggleDevTools']));
  });

  it('when on macOS, then the first menu is the app menu with about and quit', () => {
    const [first] = buildMenuTemplate({
      appName: 'SMART Oilfield',
      isMac: true,
      isDev: false,
      openApiDocs: () => {},
      openLogsFolder: () => {},
      saveDiagnostics: () => {},
    });
    expect(first?.label).toBe('SMART Oilfield');
    expect(labels([first])).toEqual(expect.arrayContaining(['about', 'quit']));
  });

  it('when "API docs" is clicked, then the docs opener runs', () => {
    let opened = 0;
    const help = buildMenuTemplate({
      appName: 'x',
      isMac: false,
      isDev: false,
      openApiDocs: () => void opened++,
      openLogsFolder: () => {},
      saveDiagnostics: () => {},
    }).find((m) => m.role === 'help');
    const item = (help?.submenu as any[]).find((i) => i.label === 'API docs');
    item.click();
    expect(opened).toBe(1);
  });

  it('when "Open logs folder" or "Save diagnostics…" is clicked, then what a field engineer sends to support is produced', () => {
    const clicked: string[] = [];
    const help = buildMenuTemplate({
      appName: 'x',
      isMac: false,
      isDev: false,
      openApiDocs: () => {},
      openLogsFolder: () => void clicked.push('logs'),
      saveDiagnostics: () => void clicked.push('diagnostics'),
    }).find((m) => m.role === 'help');
    for (const label of ['Open logs folder', 'Save diagnostics…']) (help?.submenu as any[]).find((i) => i.label === label).click();
    expect(clicked).toEqual(['logs', 'diagnostics']);
  });
});
