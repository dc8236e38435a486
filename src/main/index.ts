import { app, BrowserWindow } from 'electron';

// Placeholder shell: the desktop issue replaces this with the full window, menu and IPC wiring.
app.whenReady().then(() => {
  const win = new BrowserWindow({ width: 1280, height: 800, webPreferences: { contextIsolation: true, sandbox: true, nodeIntegration: false } });
  void win.loadURL('about:blank');
});
