import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, lstatSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { reportUnavailable } from './missing-tool';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));

export interface SpawnUser {
  uid: number;
  gid: number;
}

/**
 * File modes bind only unprivileged processes: root ignores them, and the tests run as root in CI
 * and in containers. So a test about a read-only data directory runs its station as `nobody`
 * (Node's spawn `uid`/`gid`) when the tests run as root, and as the current user otherwise
 * (`stationUser` undefined). `canDropPrivileges` is false, with a notice, when `nobody` cannot load
 * the station from this checkout (a parent directory it may not enter, such as /root).
 */
export const { stationUser, canDropPrivileges } = probe();

function probe(): { stationUser?: SpawnUser; canDropPrivileges: boolean } {
  if (process.getuid?.() !== 0) return { canDropPrivileges: true };
  let user: SpawnUser;
  try {
    user = { uid: Number(execFileSync('id', ['-u', 'nobody'], { encoding: 'utf8' })), gid: Number(execFileSync('id', ['-g', 'nobody'], { encoding: 'utf8' })) };
  } catch {
    reportUnavailable('the tests run as root and there is no user `nobody` to run the station as', 'CI must have the user nobody');
    return { canDropPrivileges: false };
  }
  // What the station needs: enter the checkout, load the native SQLite addon, read the sources.
  const check = spawnSync(process.execPath, ['-e', "require('better-sqlite3'); require('node:fs').accessSync('package.json')"], {
    cwd: ROOT,
    ...user,
    encoding: 'utf8',
  });
  if (check.status !== 0) {
    const reason = check.error?.message ?? check.stderr.split('\n').find((l) => /Error|EACCES/.test(l)) ?? `exit ${check.status}`;
    reportUnavailable(
      `user nobody cannot run the station from ${ROOT} (${reason.trim()}): make the checkout and its parent directories readable by others (chmod o+rX), or run the tests as a non-root user`,
      'CI must run from a checkout nobody can read',
    );
    return { canDropPrivileges: false };
  }
  return { stationUser: user, canDropPrivileges: true };
}

/** Gives a fresh (empty) data directory to the user the station runs as. */
export function handOver(dir: string): void {
  if (stationUser) chownSync(dir, stationUser.uid, stationUser.gid);
}

/**
 * Takes the write bits off a directory tree, as an operator's `chmod -R a-w` would; returns what
 * puts every mode back as it was.
 */
export function makeReadOnly(dir: string): () => void {
  const modes: [string, number][] = [];
  const walk = (path: string) => {
    const stat = lstatSync(path);
    if (stat.isSymbolicLink()) return;
    if (stat.isDirectory()) for (const name of readdirSync(path)) walk(join(path, name));
    modes.push([path, stat.mode & 0o7777]);
    chmodSync(path, stat.mode & 0o7777 & ~0o222);
  };
  walk(dir);
  return () => {
    for (const [path, mode] of modes.reverse()) chmodSync(path, mode);
  };
}
