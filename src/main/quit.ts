/** The slice of Electron's `app` the quit hook uses. */
export interface QuittableApp {
  on(event: 'before-quit', listener: (event: { preventDefault(): void }) => void): unknown;
  quit(): void;
}

/**
 * Stops the station before the app exits. Electron does not wait for promises in 'before-quit',
 * so the first quit is postponed, the station process stops (HTTP drained, SQLite checkpointed and
 * closed), and then quit runs again and goes through. Further quits while stopping are absorbed.
 */
export function stopStationOnQuit(app: QuittableApp, station: { stop(): Promise<unknown> }, onError: (err: unknown) => void): void {
  let state: 'running' | 'stopping' | 'stopped' = 'running';
  app.on('before-quit', (event) => {
    if (state === 'stopped') return;
    event.preventDefault();
    if (state === 'stopping') return;
    state = 'stopping';
    station
      .stop()
      .catch(onError)
      .finally(() => {
        state = 'stopped';
        app.quit();
      });
  });
}
