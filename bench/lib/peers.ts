import { spawnSync } from 'node:child_process';

/** The Debian packages holding each peer binary. */
const PACKAGES: Record<string, string> = { influxd: 'influxdb', sqlite3: 'sqlite3', wrk: 'wrk' };

export const hasBinary = (name: string) => spawnSync('sh', ['-c', `command -v ${name}`]).status === 0;

/**
 * Makes sure the peers exist: on a fresh clone run as root (CI, a test box) they are installed
 * from Debian; otherwise the cases that need them are skipped and the report says which package
 * to install. The Debian influxdb package may start a daemon on 8086: we never use or touch it.
 */
export function ensurePeers(binaries: string[]): Record<string, boolean> {
  const missing = binaries.filter((b) => !hasBinary(b));
  if (missing.length && process.getuid?.() === 0 && process.env.BENCH_NO_INSTALL !== '1') {
    const pkgs = missing.map((b) => PACKAGES[b] ?? b);
    process.stderr.write(`bench: installing ${pkgs.join(', ')} from Debian\n`);
    spawnSync('sh', ['-c', `apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends ${pkgs.join(' ')}`], {
      stdio: 'inherit',
    });
  }
  const found = Object.fromEntries(binaries.map((b) => [b, hasBinary(b)]));
  for (const [b, ok] of Object.entries(found))
    if (!ok) process.stderr.write(`bench: ${b} is missing (apt-get install -y ${PACKAGES[b] ?? b}); its comparisons are skipped\n`);
  return found;
}
