import type { ChildProcess } from 'node:child_process';

/** Stops a server the test started and waits for it to exit; a no-op when it is gone already. */
export function stopChild(proc: ChildProcess | undefined, signal: NodeJS.Signals): Promise<void> {
  if (!proc || proc.exitCode !== null) return Promise.resolve();
  return new Promise<void>((resolve) => {
    proc.once('exit', () => resolve());
    proc.kill(signal);
  });
}
