import { open, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { arch, platform, release } from 'node:os';
import { join } from 'node:path';
import type { Config } from '../config';
import { VERSION } from '../version';
import { readDatabaseHealthInWorker, type DatabaseHealth } from './db-health';
import { LOG_FILE_EXTENSION } from './log-file';

/**
 * "Save diagnostics": one file a field engineer can send to support, with what support asks for
 * first: versions, the effective settings, recent log lines and the database's health. Secrets
 * never go in: settings whose name says secret are replaced by "[redacted]", and every known secret
 * value (the JWT secret in every spelling, passwords, tokens, URLs with credentials) is scrubbed
 * from the whole text, logs included, before it is written.
 */
export interface DiagnosticsInput {
  config: Config;
  /** the rotating log files' folder, when the station writes them */
  logDir?: string;
  /** how much of the newest log lines to include */
  logBytes?: number;
}

const REDACTED = '[redacted]';
/** a setting with a name like this holds a credential */
const SECRET_NAME = /secret|password|passwd|token|credential|api_?key|private|pem|^key$/i;
const DEFAULT_LOG_BYTES = 256 * 1024;

export async function writeDiagnostics(file: string, input: DiagnosticsInput): Promise<{ file: string; bytes: number }> {
  const report = await collectDiagnostics(input);
  const text = scrub(JSON.stringify(report, null, 2), secretValues(input.config));
  const partial = `${file}.part`;
  try {
    await writeFile(partial, `${text}\n`, { mode: 0o600 });
    await rename(partial, file);
  } catch (err) {
    await rm(partial, { force: true });
    throw err;
  }
  return { file, bytes: (await stat(file)).size };
}

async function collectDiagnostics(input: DiagnosticsInput) {
  const { config } = input;
  let database: DatabaseHealth | { error: string };
  try {
    database = await readDatabaseHealthInWorker(config.databasePath);
  } catch (err) {
    database = { error: (err as Error).message };
  }
  return {
    generatedAt: new Date().toISOString(),
    versions: versions(),
    process: { pid: process.pid, uptimeS: Math.round(process.uptime()), memory: process.memoryUsage() },
    settings: redactSettings(config),
    settingsFile: redactSettings(readSettingsFile(config.dataDir)),
    database,
    logs: input.logDir ? await recentLogs(input.logDir, input.logBytes ?? DEFAULT_LOG_BYTES) : { note: 'no log files: set LOG_DIR to keep them' },
  };
}

function versions(): Record<string, string | undefined> {
  const require = createRequire(import.meta.url);
  let betterSqlite3: string | undefined;
  try {
    betterSqlite3 = (require('better-sqlite3/package.json') as { version: string }).version;
  } catch {
    betterSqlite3 = undefined;
  }
  return {
    app: VERSION,
    node: process.versions.node,
    electron: process.versions.electron,
    chrome: process.versions.chrome,
    v8: process.versions.v8,
    modules: process.versions.modules,
    betterSqlite3,
    os: `${platform()} ${release()} ${arch()}`,
  };
}

/** A copy of the settings with every credential replaced, and URLs stripped of user and password. */
export function redactSettings(value: unknown, name = ''): unknown {
  if (value === undefined || value === null) return value;
  // only text can hold a credential: TOKEN_TTL_SECONDS and the token rate limit stay readable
  if (SECRET_NAME.test(name) && typeof value === 'string') return REDACTED;
  if (Array.isArray(value)) return value.map((v) => redactSettings(v));
  if (typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactSettings(v, k)]));
  }
  if (typeof value === 'string') return withoutUrlCredentials(value);
  return value;
}

function withoutUrlCredentials(text: string): string {
  return text.replace(/\b([a-z][a-z0-9+.-]*:\/\/)[^/@\s"]*@/gi, `$1${REDACTED}@`);
}

function readSettingsFile(dataDir: string): Record<string, unknown> {
  try {
    return JSON.parse(readFileSync(join(dataDir, 'settings.json'), 'utf8')) as Record<string, unknown>;
  } catch {
    return {};
  }
}

/**
 * Every secret value the station knows, in the spellings it could appear in: the JWT secret file
 * holds raw bytes, so its hex and base64 forms count too.
 */
function secretValues(config: Config): string[] {
  const values: string[] = [];
  const add = (v: unknown) => {
    if (typeof v === 'string' && v.length >= 4) values.push(v);
  };
  add(config.jwtSecret);
  try {
    const bytes = readFileSync(config.jwtSecretFile);
    add(bytes.toString('hex'));
    add(bytes.toString('base64'));
    add(bytes.toString('base64url'));
    add(bytes.toString('latin1'));
  } catch {
    // no secret file (JWT_SECRET is set, or the station never started)
  }
  add(config.adminPassword);
  add(config.influx.target?.token);
  if (config.redis) {
    add(config.redis.url);
    try {
      add(decodeURIComponent(new URL(config.redis.url).password));
    } catch {
      // not a URL: the whole value is already in the list
    }
  }
  const walk = (value: unknown, name: string) => {
    if (typeof value === 'string' && SECRET_NAME.test(name)) add(value);
    else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) walk(v, k);
  };
  walk(readSettingsFile(config.dataDir), '');
  for (const [k, v] of Object.entries(process.env)) if (SECRET_NAME.test(k)) add(v);
  // the longest first, so a secret that contains another is replaced whole
  return [...new Set(values)].sort((a, b) => b.length - a.length);
}

/** Replaces every occurrence of each secret, also as it appears inside JSON strings. */
export function scrub(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) {
    out = out.replaceAll(secret, REDACTED);
    const escaped = JSON.stringify(secret).slice(1, -1);
    if (escaped !== secret) out = out.replaceAll(escaped, REDACTED);
  }
  return withoutUrlCredentials(out);
}

/** The newest `maxBytes` of log lines, oldest first, across the rotated files. */
async function recentLogs(dir: string, maxBytes: number): Promise<{ dir: string; lines: string[] }> {
  let names: string[];
  try {
    names = (await readdir(dir)).filter((n) => n.endsWith(LOG_FILE_EXTENSION));
  } catch {
    return { dir, lines: [] };
  }
  const files = await Promise.all(names.map(async (n) => ({ path: join(dir, n), ...(await stat(join(dir, n))) })));
  files.sort((a, b) => b.mtimeMs - a.mtimeMs || b.path.localeCompare(a.path, 'en', { numeric: true }));
  const chunks: string[] = [];
  let left = maxBytes;
  for (const f of files) {
    if (left <= 0) break;
    const take = Math.min(left, f.size);
    const handle = await open(f.path, 'r');
    try {
      const buf = Buffer.alloc(take);
      await handle.read(buf, 0, take, f.size - take);
      let text = buf.toString('utf8');
      // a cut line at the start is dropped rather than sent half
      if (take < f.size) text = text.slice(text.indexOf('\n') + 1);
      chunks.unshift(text);
    } finally {
      await handle.close();
    }
    left -= take;
  }
  return { dir, lines: chunks.join('').split('\n').filter(Boolean) };
}
