import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { followStation } from './helpers/follow-station';

/**
 * The README's curl examples, taken from the README itself (so they cannot drift apart), run in
 * order by bash against a demo station (`seed --demo`, then `serve`), as a new user would paste
 * them. Every call's HTTP status is recorded: none may fail to connect, be refused for want of
 * credentials, name something that does not exist, or break the station.
 */
const SECTIONS = [
  'Sign-in, users and keys',
  'Telemetry',
  'Line protocol (Telegraf, Node-RED, InfluxDB clients)',
  'Background export',
  'Oil batches',
  'Anomaly checks and alarms',
];

/** The ```sh blocks of one `###` section of the README, up to the next heading of any level. */
function shellBlocks(readme: string, heading: string): string[] {
  const start = readme.indexOf(`\n### ${heading}`);
  if (start < 0) throw new Error(`README has no section "### ${heading}"`);
  const rest = readme.slice(start + 1);
  const next = rest.slice(4).search(/\n#{2,3} /);
  const section = next < 0 ? rest : rest.slice(0, next + 4);
  return [...section.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]!);
}

const dirs: string[] = [];
let url = '';
let stop = async () => {};

beforeAll(async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'oilfield-readme-'));
  dirs.push(dataDir);
  const env = { ...process.env, DATA_DIR: dataDir, PORT: '0', LOG_LEVEL: 'warn' };
  const seeded = spawnSync(process.execPath, ['--import', 'tsx', 'src/server/cli.ts', 'seed', '--demo'], { env, encoding: 'utf8' });
  expect(seeded.status, seeded.stderr).toBe(0);
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server/cli.ts', 'serve'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const followed = followStation(child);
  url = await followed.ready;
  stop = async () => {
    child.kill('SIGTERM');
    await followed.exit;
  };
}, 120_000);

afterAll(async () => {
  await stop();
  dirs.forEach((d) => rmSync(d, { recursive: true, force: true }));
});

describe("the README's curl examples", () => {
  it('when they are run in order against a demo station, then no call is refused (bad input, credentials, not found) and none breaks the station', () => {
    const readme = readFileSync('README.md', 'utf8');
    const script = SECTIONS.flatMap((s) => shellBlocks(readme, s))
      .join('\n')
      .split('\n')
      // training is a long command of its own, not an API call
      .filter((line) => !/^\s*npm /.test(line))
      .join('\n')
      .replace(/^S=http:\/\/127\.0\.0\.1:8000$/m, `S=${url}`);
    expect(script).toContain(`S=${url}`);
    const work = mkdtempSync(join(tmpdir(), 'oilfield-readme-work-'));
    dirs.push(work);
    // every curl also reports its status, method and URL on stderr, which the test reads
    const prelude = `curl() { command curl --write-out '%{stderr}HTTP %{http_code} %{method} %{url_effective}\\n' "$@"; }\n`;
    const run = spawnSync('bash', ['-c', prelude + script], { cwd: work, encoding: 'utf8', timeout: 120_000 });
    const calls = [...run.stderr.matchAll(/^HTTP (\d{3}) (\S+) (\S+)$/gm)].map((m) => ({ status: Number(m[1]), method: m[2]!, url: m[3]! }));
    expect(calls.length).toBeGreaterThan(40);
    const bad = calls.filter((c) => c.status === 0 || c.status >= 500 || [400, 401, 403, 404, 405, 413, 415, 422].includes(c.status));
    expect(bad, `${run.stdout.slice(-2000)}\n${run.stderr.slice(-1500)}`).toEqual([]);
    expect(run.status, run.stderr.slice(-3000)).toBe(0);
    // the walk-through really did what it says
    expect(run.stdout).toContain('"access_token"');
    expect(run.stdout).toMatch(/"received":2,"stored":1/);
    expect(calls.find((c) => c.method === 'POST' && c.url.endsWith('/token') && c.status === 200)).toBeDefined();
  }, 180_000);
});
