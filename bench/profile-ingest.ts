/**
 * Micro-benchmarks of the ingest steps, in one process, variants side by side in alternating
 * rounds; prints the median time per round and each variant's speed relative to the first.
 * The machine is shared, so only the ratios mean anything.
 *
 *   npx tsx bench/profile-ingest.ts [validate|lp|ndjson|repo|single ...]
 *
 * `http` starts stations from TypeScript source (this tree, and with PROFILE_BASELINE_ROOT=<dir> a
 * copy of an earlier tree, e.g. `git archive <commit> src ... | tar -x`) and InfluxDB 1.6, and posts
 * the same 5,000-reading bodies to each in turn, as bench/cases/ingest-batch.ts does.
 *
 * PROFILE_BASELINE=<dir> points at copies of the previous influx/telemetry modules
 * (line-protocol.ts, to-reading.ts, ingest.ts, body.ts) to compare a change against what it replaces.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import type { Request } from 'express';
import { closeDatabase, openDatabase, type Db } from '../src/server/db/open';
import { migrate } from '../src/server/db/migrate';
import { parseLineProtocolBody } from '../src/server/influx/ingest';
import { readNdjson } from '../src/server/telemetry/body';
import { toReading } from '../src/server/telemetry/mapping';
import { TelemetryRepository } from '../src/server/telemetry/repository';
import { TelemetryService } from '../src/server/telemetry/service';
import { readingInputSchema, safeParseReading, type NewReading } from '../src/shared/telemetry';
import { DEVICES, deviceName, toJsonReading, toLine, type Point } from './lib/dataset';
import { InfluxPeer } from './lib/influx';
import { runIngestLoad } from './lib/load';
import { median, now } from './lib/stats';
import { BENCH_STATION_ENV } from './lib/types';
import { followStation } from '../test/server/helpers/follow-station';

const ROUNDS = Number(process.env.PROFILE_ROUNDS ?? 7);
const BATCH = 5000;

function points(offset: number): Point[] {
  const base = Date.now() - 20 * 86_400_000;
  return Array.from({ length: BATCH }, (_, k) => {
    const i = offset + Math.floor(k / DEVICES);
    return { device: k % DEVICES, ts: base + i * 1000, temperature: 20 + (i % 100) / 10, pressure: 1000 + (i % 37) };
  });
}

type Variant = () => unknown | Promise<unknown>;

/** Runs every variant once per round, in turn; reports medians and ratios to the first variant. */
async function compare(title: string, variants: Record<string, Variant>, units = BATCH): Promise<void> {
  const names = Object.keys(variants);
  const times: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
  for (const name of names) await variants[name]!(); // warm-up
  for (let r = 0; r < ROUNDS; r++) {
    for (const name of names) {
      const t = now();
      await variants[name]!();
      times[name]!.push(now() - t);
    }
  }
  const base = median(times[names[0]!]!);
  console.log(`\n${title} (${units} per round, median of ${ROUNDS})`);
  for (const name of names) {
    const ms = median(times[name]!);
    console.log(
      `  ${name.padEnd(44)} ${ms.toFixed(2).padStart(9)} ms  ${Math.round((units / ms) * 1000)
        .toLocaleString('en')
        .padStart(11)}/s  x${(base / ms).toFixed(2)}`,
    );
  }
}

const asRequest = (text: string, headers: Record<string, string> = {}): Request => {
  const buf = Buffer.from(text);
  const chunks: Buffer[] = [];
  for (let i = 0; i < buf.length; i += 65536) chunks.push(buf.subarray(i, i + 65536));
  return Object.assign(Readable.from(chunks), { headers }) as unknown as Request;
};

async function baseline(file: string): Promise<Record<string, unknown> | undefined> {
  const dir = process.env.PROFILE_BASELINE;
  return dir ? ((await import(join(dir, file))) as Record<string, unknown>) : undefined;
}

/** A station run from TypeScript source under `root`, on a loopback port, with a device key. */
async function sourceStation(root: string): Promise<{ url: string; key: string; stop: () => Promise<void> }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'profile-station-'));
  const admin = { username: 'admin', password: 'profile-admin-password' };
  // PROFILE_STATION_ARGS='--cpu-prof --cpu-prof-dir=/tmp/prof' profiles the stations themselves
  const nodeArgs = (process.env.PROFILE_STATION_ARGS ?? '').split(' ').filter(Boolean);
  const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', join(root, 'src/server/cli.ts'), 'serve'], {
    cwd: root,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      DATA_DIR: dataDir,
      HOST: '127.0.0.1',
      PORT: '0',
      SERVE_UI: 'false',
      ADMIN_USERNAME: admin.username,
      ADMIN_PASSWORD: admin.password,
      ...BENCH_STATION_ENV,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await followStation(child).ready;
  const signIn = await fetch(`${url}/token`, { method: 'POST', body: new URLSearchParams(admin) });
  const { access_token } = (await signIn.json()) as { access_token: string };
  const created = await fetch(`${url}/api/keys`, {
    method: 'POST',
    headers: { authorization: `Bearer ${access_token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'profile', role: 'device' }),
  });
  const { key } = (await created.json()) as { key: string };
  return {
    url,
    key,
    stop: async () => {
      // SIGTERM: the station closes cleanly (and a --cpu-prof is written)
      const gone = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await gone;
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

async function post(url: string, body: string, headers: Record<string, string>, ok: number): Promise<void> {
  const res = await fetch(url, { method: 'POST', headers, body });
  const text = await res.text();
  if (res.status !== ok) throw new Error(`${url}: ${res.status} ${text.slice(0, 200)}`);
}

const sections: Record<string, () => Promise<void>> = {
  async validate() {
    const items = JSON.parse(JSON.stringify(points(0).map(toJsonReading))) as unknown[];
    await compare('validate 5,000 JSON readings', {
      'zod readingInputSchema.safeParse': () => items.map((x) => readingInputSchema.safeParse(x)),
      'safeParseReading (fast check, zod fallback)': () => items.map((x) => safeParseReading(x)),
    });
  },

  async lp() {
    const text = points(0).map(toLine).join('\n');
    const limits = { maxBytes: 1 << 30, maxReadings: 1_000_000, deviceTags: ['device_id'] };
    const old = await baseline('ingest.ts');
    const variants: Record<string, Variant> = {};
    if (old) variants['baseline parseLineProtocolBody'] = () => (old.parseLineProtocolBody as typeof parseLineProtocolBody)(asRequest(text), 'ms', limits);
    variants['parseLineProtocolBody'] = () => parseLineProtocolBody(asRequest(text), 'ms', limits);
    await compare('line protocol: parse + check 5,000 lines', variants);
  },

  async ndjson() {
    const text = points(0)
      .map((p) => JSON.stringify(toJsonReading(p)))
      .join('\n');
    const old = await baseline('body.ts');
    const variants: Record<string, Variant> = {};
    if (old) variants['baseline readNdjson (readline)'] = () => (old.readNdjson as typeof readNdjson)(asRequest(text), 1 << 30, 1e6);
    variants['readNdjson'] = () => readNdjson(asRequest(text), 1 << 30, 1e6);
    await compare('NDJSON: split + JSON.parse 5,000 lines', variants);
  },

  /** Parse + validate + store, in process: the pre-work path against today's, each on its own database. */
  async service() {
    const dir = mkdtempSync(join(tmpdir(), 'profile-service-'));
    const dbs: Db[] = [];
    try {
      const fresh = (name: string) => {
        const db = openDatabase(join(dir, `${name}.db`));
        migrate(db);
        dbs.push(db);
        return db;
      };
      const oldRepo = new TelemetryRepository(fresh('old'), 1);
      const service = new TelemetryService(new TelemetryRepository(fresh('new')));
      const oldLpRepo = new TelemetryRepository(fresh('old-lp'), 1);
      const lpService = new TelemetryService(new TelemetryRepository(fresh('new-lp')));
      // the same fresh bodies for both sides, built before timing
      const pool = (make: (ps: Point[]) => string) => Array.from({ length: ROUNDS + 1 }, (_, r) => make(points(r * 100)));
      const json = pool((ps) => JSON.stringify(ps.map(toJsonReading)));
      const lp = pool((ps) => ps.map(toLine).join('\n'));
      let a = 0;
      let b = 0;
      await compare('JSON batch: JSON.parse + validate + store 5,000 readings', {
        'before: zod, row-by-row writes': () => {
          const items = JSON.parse(json[a++]!) as unknown[];
          const valid: NewReading[] = [];
          for (const item of items) {
            const parsed = readingInputSchema.safeParse(item);
            if (parsed.success) valid.push(parsed.data);
          }
          oldRepo.write(valid);
        },
        'now: TelemetryService.ingestBatch': () => service.ingestBatch(JSON.parse(json[b++]!) as unknown[]),
      });
      const old = await baseline('ingest.ts');
      if (!old) return void console.log('(set PROFILE_BASELINE for the line-protocol comparison)');
      const limits = { maxBytes: 1 << 30, maxReadings: 1_000_000, deviceTags: ['device_id'] };
      a = 0;
      b = 0;
      await compare('line protocol: parse + check + store 5,000 lines', {
        'before: baseline parser, row-by-row writes': async () => {
          const body = await (old.parseLineProtocolBody as typeof parseLineProtocolBody)(asRequest(lp[a++]!), 'ms', limits);
          oldLpRepo.write(body.readings);
        },
        'now: parseLineProtocolBody + store': async () => {
          const body = await parseLineProtocolBody(asRequest(lp[b++]!), 'ms', limits);
          lpService.store(body.readings);
        },
      });
    } finally {
      for (const db of dbs) closeDatabase(db);
      rmSync(dir, { recursive: true, force: true });
    }
  },

  async repo() {
    const dir = mkdtempSync(join(tmpdir(), 'profile-repo-'));
    const dbs: Db[] = [];
    try {
      let round = 0;
      const readings = () =>
        points(round++ * 100).map(
          (p) => ({ device_id: deviceName(p.device), ts: p.ts, temperature: p.temperature, pressure: p.pressure, status: 'ok' }) as NewReading,
        );
      const fresh = (name: string) => {
        const db = openDatabase(join(dir, `${name}.db`));
        migrate(db);
        dbs.push(db);
        return db;
      };
      const rowByRow = new TelemetryRepository(fresh('row'), 1);
      const chunk50 = new TelemetryRepository(fresh('c50'), 50);
      const chunk250 = new TelemetryRepository(fresh('c250'), 250);
      const chunk100 = new TelemetryRepository(fresh('c100'), 100);
      const rawDb = fresh('raw');
      const insert = rawDb.prepare(`INSERT INTO telemetry (device_ref, ts, temperature, pressure, status, extra, received_at) VALUES (?, ?, ?, ?, ?, NULL, ?)`);
      rawDb.transaction(() => {
        for (let d = 0; d < DEVICES; d++)
          rawDb.prepare(`INSERT INTO devices (id, device_id, first_seen_at, last_seen_at) VALUES (?, ?, 0, 0)`).run(d + 1, deviceName(d));
      })();
      const rawWrite = rawDb.transaction((rows: NewReading[]) => {
        const t = Date.now();
        for (const r of rows) insert.run(Number(r.device_id.slice(6)) + 1, r.ts, r.temperature, r.pressure, r.status, t);
      });
      await compare('store 5,000 new readings (fresh rows every round)', {
        'raw better-sqlite3 insert (no checks)': () => rawWrite.immediate(readings()),
        'repository, row by row': () => rowByRow.write(readings()),
        'repository, 50-row INSERTs': () => chunk50.write(readings()),
        'repository, 100-row INSERTs': () => chunk100.write(readings()),
        'repository, 250-row INSERTs': () => chunk250.write(readings()),
      });
      // Re-posting a stored batch: every row is a duplicate, the multi-row path's worst case.
      const again = readings();
      for (const repo of [rowByRow, chunk250]) repo.write(again);
      await compare('store 5,000 readings that are all duplicates', {
        'repository, row by row': () => rowByRow.write(again),
        'repository, 250-row INSERTs': () => chunk250.write(again),
      });
    } finally {
      for (const db of dbs) closeDatabase(db);
      rmSync(dir, { recursive: true, force: true });
    }
  },

  async http() {
    const roots: Record<string, string> = {};
    if (process.env.PROFILE_BASELINE_ROOT) roots.baseline = process.env.PROFILE_BASELINE_ROOT;
    // PROFILE_CURRENT_ROOT: e.g. a `git archive HEAD` copy, to leave out uncommitted work of others
    roots.current = process.env.PROFILE_CURRENT_ROOT ?? join(import.meta.dirname, '..');
    const stations: Record<string, Awaited<ReturnType<typeof sourceStation>>> = {};
    const influx = await InfluxPeer.start();
    try {
      for (const [name, root] of Object.entries(roots)) stations[name] = await sourceStation(root);
      await influx.createDb('profile');
      const batches = Number(process.env.PROFILE_BATCHES ?? 4);
      let offset = 0;
      // fresh points for every request, the same for every subject
      const next = () => points((offset += 100)).map((p, k) => ({ ...p, ts: p.ts + (k % 2) }));
      const bodies = (kind: 'json' | 'ndjson' | 'lp', ps: Point[]) =>
        kind === 'json'
          ? JSON.stringify(ps.map(toJsonReading))
          : kind === 'ndjson'
            ? ps.map((p) => JSON.stringify(toJsonReading(p))).join('\n')
            : ps.map(toLine).join('\n');
      for (const kind of ['lp', 'json', 'ndjson'] as const) {
        // bodies are built before timing; every subject gets the same ones, in the same order
        const pool = Array.from({ length: (ROUNDS + 1) * batches }, () => bodies(kind, next()));
        const cursor = new Map<string, number>();
        const take = (subject: string) => {
          const at = cursor.get(subject) ?? 0;
          cursor.set(subject, at + 1);
          return pool[at]!;
        };
        const variants: Record<string, Variant> = {};
        for (const [name, st] of Object.entries(stations)) {
          const [path, headers, ok] =
            kind === 'lp'
              ? ['/api/v2/write?org=p&bucket=p&precision=ms', { authorization: `Token ${st.key}`, 'content-type': 'text/plain; charset=utf-8' }, 204]
              : ['/api/telemetry/batch', { 'x-api-key': st.key, 'content-type': kind === 'json' ? 'application/json' : 'application/x-ndjson' }, 200];
          variants[`${name} station ${kind}`] = async () => {
            for (let b = 0; b < batches; b++) await post(st.url + path, take(name), headers, ok);
          };
        }
        if (kind === 'lp') {
          variants['InfluxDB 1.6 /write'] = async () => {
            for (let b = 0; b < batches; b++) await post(`${influx.url}/write?db=profile&precision=ms`, take('influx'), {}, 204);
          };
        }
        await compare(`HTTP ${kind}: ${batches} requests of 5,000 readings`, variants, batches * BATCH);
      }
    } finally {
      for (const st of Object.values(stations)) await st.stop();
      await influx.stop();
    }
  },

  /** POST /api/telemetry under wrk (bench/ingest.lua), baseline tree and this one in turn. */
  async 'http-single'() {
    const roots: Record<string, string> = {};
    if (process.env.PROFILE_BASELINE_ROOT) roots.baseline = process.env.PROFILE_BASELINE_ROOT;
    roots.current = process.env.PROFILE_CURRENT_ROOT ?? join(import.meta.dirname, '..');
    const stations: Record<string, Awaited<ReturnType<typeof sourceStation>>> = {};
    try {
      for (const [name, root] of Object.entries(roots)) stations[name] = await sourceStation(root);
      const rps: Record<string, number[]> = {};
      const tsBase = Math.floor(Date.now() / 1000) - 20 * 86_400;
      for (let r = 0; r < Math.min(ROUNDS, 5); r++) {
        for (const [name, st] of Object.entries(stations)) {
          const res = await runIngestLoad(st.url, { seconds: 5, connections: 8, key: st.key, tsBase: tsBase + r * 100_000 });
          (rps[name] ??= []).push(res.requests_per_s);
        }
      }
      const first = median(Object.values(rps)[0]!);
      console.log(`\nHTTP single POST /api/telemetry, wrk 8 connections, 5 s rounds`);
      for (const [name, v] of Object.entries(rps))
        console.log(
          `  ${name.padEnd(44)} ${Math.round(median(v)).toLocaleString('en').padStart(11)} req/s  x${(median(v) / first).toFixed(2)}  (${v.map(Math.round).join(', ')})`,
        );
    } finally {
      for (const st of Object.values(stations)) await st.stop();
    }
  },

  async single() {
    const dir = mkdtempSync(join(tmpdir(), 'profile-single-'));
    const db = openDatabase(join(dir, 'single.db'));
    try {
      migrate(db);
      const repo = new TelemetryRepository(db);
      const service = new TelemetryService(repo);
      let i = 0;
      const base = Date.now() - 20 * 86_400_000;
      const next = (): NewReading => ({ device_id: deviceName(i % DEVICES), ts: base + i++, temperature: 20.5, pressure: 1000, status: 'ok' });
      const n = 2000;
      await compare(
        'single-reading ingestOne',
        {
          'before: write, then read the row back': () => {
            for (let k = 0; k < n; k++) {
              const r = next();
              repo.write([r]);
              toReading(repo.findByKey(r.device_id, r.ts)!);
            }
          },
          'service.ingestOne': () => {
            for (let k = 0; k < n; k++) service.ingestOne(next());
          },
          'repository.write of one reading (no answer)': () => {
            for (let k = 0; k < n; k++) repo.write([next()]);
          },
        },
        n,
      );
    } finally {
      closeDatabase(db);
      rmSync(dir, { recursive: true, force: true });
    }
  },
};

const wanted = process.argv.slice(2);
for (const name of wanted.length ? wanted : Object.keys(sections)) {
  const section = sections[name];
  if (!section) throw new Error(`unknown section ${name}; one of ${Object.keys(sections).join(', ')}`);
  await section();
}
