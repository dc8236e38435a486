import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';

/**
 * Packaging cannot run here (no Electron download), so this checks what can be checked offline:
 * electron-builder itself loads electron-builder.yml and validates it against its schema, and the
 * settings the desktop app depends on are there. It does not prove an installer works.
 */
const require = createRequire(import.meta.url);
const { getConfig, validateConfiguration } = require('app-builder-lib/out/util/config/config') as {
  getConfig(projectDir: string, configPath: string, fromOptions: null): Promise<Record<string, any>>;
  validateConfiguration(config: unknown, logger: unknown): Promise<void>;
};
const { DebugLogger } = require('builder-util/out/DebugLogger') as { DebugLogger: new (enabled: boolean) => unknown };

const load = () => getConfig(process.cwd(), 'electron-builder.yml', null);

describe('electron-builder.yml', () => {
  it('when electron-builder loads it, then its schema validation passes', async () => {
    const config = await load();
    await expect(validateConfiguration(config, new DebugLogger(false))).resolves.toBeUndefined();
    expect(config.appId).toBe('com.smartoilfield.station');
    expect(config.productName).toBe('SMART Oilfield');
  });

  it('when an invalid key is added, then the same validation fails (the check can fail)', async () => {
    const config = { ...(await load()), notAnOption: true };
    await expect(validateConfiguration(config, new DebugLogger(false))).rejects.toThrow(/notAnOption/);
  });

  it('when packaged, then better-sqlite3 is rebuilt for Electron and kept outside the asar', async () => {
    const config = await load();
    expect(config.asar).toBe(true);
    expect(config.asarUnpack).toEqual(expect.arrayContaining(['**/node_modules/better-sqlite3/**', '**/*.node']));
    expect(config.npmRebuild).toBe(true);
    expect(config.buildDependenciesFromSource).toBe(true);
  });

  it('when packaged, then the bundle goes in and sources and tests stay out', async () => {
    // electron-builder normalises `files` to [{ filter: [...] }]
    const files: string[] = (await load()).files.flatMap((f: string | { filter: string[] }) => (typeof f === 'string' ? [f] : f.filter));
    expect(files).toEqual(expect.arrayContaining(['out/**', 'package.json']));
    expect(files.some((f) => /^(src|test)\b/.test(f))).toBe(false);
    expect(JSON.parse(readFileSync('package.json', 'utf8')).main).toMatch(/^out\/main\//);
  });

  it('when packaged, then the Electron fuses shut the run-as-node, NODE_OPTIONS and inspector doors and pin the app to its checked asar', async () => {
    expect((await load()).electronFuses).toEqual({
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
      enableCookieEncryption: true,
      grantFileProtocolExtraPrivileges: false,
      resetAdHocDarwinSignature: true,
    });
  });

  it('when packaged, then the default model ships as an extra resource in <resources>/models', async () => {
    expect((await load()).extraResources).toEqual([{ from: 'resources/models', to: 'models', filter: ['**/*'] }]);
  });

  it('when building each platform, then the targets and their icons are configured and the icons exist', async () => {
    const c = await load();
    expect(c.linux.target).toEqual(['AppImage', 'deb']);
    expect(c.linux.maintainer).toMatch(/<.+@.+>/);
    expect(c.linux.category).toBeTruthy();
    expect(c.win.target).toEqual(['nsis']);
    expect(c.mac.target).toEqual(['dmg']);
    expect(c.nsis.deleteAppDataOnUninstall).toBe(false);
    for (const icon of [c.win.icon, c.mac.icon, `${c.linux.icon}/512x512.png`, `${c.linux.icon}/256x256.png`, 'resources/icons/icon.png']) {
      expect(existsSync(icon), icon).toBe(true);
    }
  });
});
