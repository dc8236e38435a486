import { contextBridge, ipcRenderer } from 'electron';

/** The renderer's only door to the desktop: a few named functions, no generic IPC. */
const api = {
  stationUrl: (): Promise<string> => ipcRenderer.invoke('station:url'),
  appVersion: (): Promise<string> => ipcRenderer.invoke('app:version'),
};

contextBridge.exposeInMainWorld('oilfield', api);
export type DesktopApi = typeof api;
