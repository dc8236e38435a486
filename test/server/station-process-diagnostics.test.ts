import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ForkedStation } from '../main/helpers/fork-station';
import { redactSettings, scrub } from '../../src/server/support/diagnostics';
import { callStation } from './helpers/http';

/**
 * "Save diagnostics" through the station process: the file support receives must say what support
 * needs and must hold no secret, whatever the station saw before (sign-ins, keys, tokens, settings).
 */
const ADMIN_PASSWORD = 'diag-admin-Pa55word-7731';
const ENGINEER_PASSWORD = 'diag-engineer-Pa55word-4409';
const WRONG_PASSWORD = 'diag-typo-Pa55word-0000';
const INFLUX_TOKEN = 'diag-influx-token-5f1c9e2a7b';

let dataDir: string;
let station: ForkedStation;
let url: string;
const secrets: Record<string, string> = {};
let text: string;
let report: any;

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'oilfield-diag-'));
  // a mirror target with a token in settings.json (unreachable: the forwarder just retries)
  writeFileSync(
    join(dataDir, 'settings.json'),
    JSON.stringify({ INFLUX_URL: `http://127.0.0.1:${await closedPort()}`, INFLUX_ORG: 'field', INFLUX_BUCKET: 'wells', INFLUX_TOKEN }),
  );
  station = new ForkedStation({ ADMIN_PASSWORD, SERVE_UI: 'false', LOG_LEVEL: 'debug' });
  station.postMessage({ type: 'start', settings: { dataDir, logDir: join(dataDir, 'logs'), env: {} } });
  url = (await station.next('ready')).url;

  const admin = await callStation(url, 'POST', '/token', { body: { username: 'admin', password: ADMIN_PASSWORD } });
  secrets.adminToken = admin.body.access_token;
  await callStation(url, 'POST', '/token', { body: { username: 'admin', password: WRONG_PASSWORD } });
  const user = await callStation(url, 'POST', '/api/users', {
    token: secrets.adminToken,
    body: { username: 'engineer', password: ENGINEER_PASSWORD, role: 'user' },
  });
  expect(user.status).toBe(201);
  const key = await callStation(url, 'POST', '/api/keys', { token: secrets.adminToken, body: { name: 'rig key', role: 'device' } });
  secrets.deviceKey = key.body.key;
  const reading = await callStation(url, 'POST', '/api/telemetry', {
    key: secrets.deviceKey,
    body: { device_id: 'rig-7', ts: Math.floor(Date.now() / 1000) - 60, temperature: 71.5 },
  });
  expect(reading.status).toBe(201);
  await callStation(url, 'POST', '/api/v2/write?org=field&bucket=wells&precision=s', {
    headers: { authorization: `Token ${secrets.deviceKey}` },
    raw: `telemetry,device_id=rig-8 temperature=70 ${Math.floor(Date.now() / 1000) - 30}\n`,
    type: 'text/plain',
  });
  const engineer = await callStation(url, 'POST', '/token', { body: { username: 'engineer', password: ENGINEER_PASSWORD } });
  secrets.engineerToken = engineer.body.access_token;

  const file = join(dataDir, 'diagnostics.json');
  station.postMessage({ type: 'diagnostics', id: 3, file });
  const saved = await station.next('diagnostics-saved');
  expect(saved).toMatchObject({ id: 3, file });
  text = readFileSync(file, 'utf8');
  report = JSON.parse(text);
  expect(saved.bytes).toBe(Buffer.byteLength(text));
});

afterAll(async () => {
  station?.postMessage({ type: 'shutdown' });
  await station?.exited;
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe('Save diagnostics', () => {
  it('when written, then it holds versions, the effective settings, the database health and recent logs', () => {
    expect(report.versions).toMatchObject({ app: expect.any(String), node: process.versions.node, betterSqlite3: expect.any(String) });
    expect(report.settings).toMatchObject({ dataDir, databasePath: join(dataDir, 'processed', 'oilfield.db'), port: expect.any(Number) });
    expect(report.settingsFile).toMatchObject({ INFLUX_ORG: 'field', INFLUX_BUCKET: 'wells' });
    expect(report.database).toMatchObject({ integrity: ['ok'], journalMode: 'wal', schemaVersion: expect.any(Number) });
    expect(report.database.rowCounts).toMatchObject({ telemetry: 2, users: 2, api_keys: 1 });
    expect(report.database.bytes.db).toBeGreaterThan(0);
    expect(report.logs.lines.some((l: string) => l.includes('"msg":"station listening"'))).toBe(true);
    expect(report.logs.lines.some((l: string) => l.includes('POST /api/telemetry 201'))).toBe(true);
  });

  it('when written, then no secret is in it: not the JWT secret in any spelling, no password, key, token or token in settings', () => {
    const jwt = readFileSync(join(dataDir, 'secrets', 'jwt.key'));
    const forbidden = {
      'JWT secret (hex)': jwt.toString('hex'),
      'JWT secret (base64)': jwt.toString('base64'),
      'JWT secret (base64url)': jwt.toString('base64url'),
      'JWT secret (first 16 hex chars)': jwt.toString('hex').slice(0, 16),
      'admin password': ADMIN_PASSWORD,
      'engineer password': ENGINEER_PASSWORD,
      'mistyped password': WRONG_PASSWORD,
      'InfluxDB token': INFLUX_TOKEN,
      'device API key': secrets.deviceKey!,
      'admin access token': secrets.adminToken!,
      'engineer access token': secrets.engineerToken!,
      'access token signature': secrets.adminToken!.split('.')[2]!,
    };
    for (const [what, value] of Object.entries(forbidden)) {
      expect(value.length, what).toBeGreaterThan(8);
      expect(text.includes(value), `${what} leaked into the diagnostics`).toBe(false);
    }
    // and it says where a secret was, so support knows it is set
    expect(report.settings.influx.target.token).toBe('[redacted]');
    expect(report.settings.adminPassword).toBe('[redacted]');
    expect(report.settingsFile.INFLUX_TOKEN).toBe('[redacted]');
  });

  it('when the station is asked for diagnostics it cannot write, then it says why and keeps serving', async () => {
    station.postMessage({ type: 'diagnostics', id: 4, file: join(dataDir, 'no-such-folder', 'x.json') });
    await expect
      .poll(() => station.messages.find((m) => m.type === 'diagnostics-failed'), { timeout: 30_000 })
      .toMatchObject({ id: 4, message: expect.stringContaining('no-such-folder') });
    expect((await fetch(`${url}/health`)).status).toBe(200);
  });
});

describe('scrub and redactSettings', () => {
  it('when a secret appears raw, JSON-escaped or as URL credentials, then every spelling is replaced', () => {
    const secret = 'pa"ss\\word-1234';
    const text = JSON.stringify({ line: `login with ${secret}`, url: 'redis://user:hunter22@127.0.0.1:6379/0' });
    const out = scrub(text, [secret]);
    expect(out).not.toContain('ss\\\\word');
    expect(out).not.toContain('hunter22');
    expect(out).toContain('redis://[redacted]@127.0.0.1:6379/0');
  });

  it('when settings have secret-named text, then it is redacted while numbers such as TOKEN_TTL_SECONDS stay readable', () => {
    expect(redactSettings({ JWT_SECRET: 'x'.repeat(40), TOKEN_TTL_SECONDS: 3600, nested: { apiKey: 'k', clientSecret: 's' }, PORT: '8000' })).toEqual({
      JWT_SECRET: '[redacted]',
      TOKEN_TTL_SECONDS: 3600,
      nested: { apiKey: '[redacted]', clientSecret: '[redacted]' },
      PORT: '8000',
    });
  });
});
