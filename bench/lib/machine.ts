import { execSync } from 'node:child_process';
import { cpus, freemem, loadavg, platform, release, totalmem } from 'node:os';
import Database from 'better-sqlite3';

const sh = (cmd: string) => {
  try {
    return execSync(cmd, { stdio: ['ignore', 'pipe', 'ignore'] })
      .toString()
      .trim();
  } catch {
    return null;
  }
};

/** What the numbers were measured on; they mean little without it. */
export function machineFacts() {
  return {
    os: `${platform()} ${release()}`,
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    memory_gb: Math.round((totalmem() / 1024 ** 3) * 10) / 10,
    free_memory_gb_at_start: Math.round((freemem() / 1024 ** 3) * 10) / 10,
    load_average_at_start: loadavg().map((l) => Math.round(l * 100) / 100),
    node: process.version,
    sqlite: (new Database(':memory:').prepare('select sqlite_version()').pluck().get() as string) ?? null,
    sqlite3_cli: sh('sqlite3 --version')?.split(' ')[0] ?? null,
    influxdb: sh('influxd version'),
    wrk: sh('wrk --version 2>&1 | head -1') ?? sh('wrk -v 2>&1 | head -1'),
    git_commit: sh('git rev-parse --short HEAD'),
    date: new Date().toISOString(),
  };
}
