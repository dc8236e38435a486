import { chmodSync, closeSync, mkdirSync, openSync, statSync } from 'node:fs';

/**
 * The data directory holds password and key hashes, the JWT secret and every reading: only the
 * station's own user may read it. Folders are 0700 and files 0600, like an SSH key.
 */
const PRIVATE_DIR_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;

/**
 * Creates `dir` (and missing parents) as 0700. An existing one loses its group and other bits;
 * the owner's are kept, so a folder an admin made read-only stays read-only. A shared sticky
 * folder (DATA_DIR pointed at /tmp) and a folder of another user are left alone.
 */
export function ensurePrivateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  const st = statSync(dir);
  if (st.mode & 0o1000) return;
  if (typeof process.getuid === 'function' && st.uid !== process.getuid()) return;
  ownerOnly(dir, st.mode);
}

/** Creates `file` empty as 0600 when missing. */
export function ensurePrivateFile(file: string): void {
  closeSync(openSync(file, 'a', PRIVATE_FILE_MODE));
}

/** Drops the group and other bits of a file that may or may not exist (SQLite's -wal and -shm). */
export function tightenFile(file: string): void {
  try {
    ownerOnly(file, statSync(file).mode);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}

/** A read-only file system or a foreign owner keeps its modes; opening the file then says what is wrong. */
function ownerOnly(path: string, mode: number): void {
  if ((mode & 0o077) === 0) return;
  try {
    chmodSync(path, mode & 0o700);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'EROFS' && code !== 'EPERM') throw err;
  }
}
