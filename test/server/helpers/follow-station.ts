import type { ChildProcess } from 'node:child_process';

export interface FollowedStation {
  /** the URL from the station's "listening on" line; rejects with the output if it exits first */
  ready: Promise<string>;
  /** the exit code (or signal) */
  exit: Promise<number | string | null>;
  /** everything it printed so far, stdout and stderr */
  output: () => string;
}

/** Follows a station (or bare server) child process started with piped stdout. */
export function followStation(child: ChildProcess): FollowedStation {
  let out = '';
  const collect = (d: Buffer | string) => (out += d.toString());
  child.stdout!.on('data', collect);
  child.stderr?.on('data', collect);
  const exit = new Promise<number | string | null>((resolve) => child.on('exit', (code, signal) => resolve(code ?? signal)));
  const ready = new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', () => {
      const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m) resolve(m[1]!);
    });
    void exit.then((code) => reject(new Error(`exited ${code}: ${out}`)));
  });
  return { ready, exit, output: () => out };
}
