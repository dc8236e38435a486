import { contextBridge, ipcRenderer } from 'electron';
import { DESKTOP_CHANNELS, DESKTOP_GLOBAL } from '../shared/desktop-channels';
import type { DesktopApi } from '../shared/desktop';

/**
 * The renderer's only door to the desktop: a few named functions, never a generic `invoke(channel)`
 * a compromised page could aim at any handler. Main validates every argument again (zod).
 * This file runs sandboxed, so it imports nothing at run time except electron and the channel names.
 */
const api = {
  stationUrl: () => ipcRenderer.invoke(DESKTOP_CHANNELS.stationUrl) as Promise<string>,
  appVersion: () => ipcRenderer.invoke(DESKTOP_CHANNELS.appVersion) as Promise<string>,
  saveFile: (request) => ipcRenderer.invoke(DESKTOP_CHANNELS.saveFile, request) as ReturnType<DesktopApi['saveFile']>,
  savePdf: (request) => ipcRenderer.invoke(DESKTOP_CHANNELS.savePdf, request) as ReturnType<DesktopApi['savePdf']>,
} satisfies DesktopApi;

contextBridge.exposeInMainWorld(DESKTOP_GLOBAL, api);
