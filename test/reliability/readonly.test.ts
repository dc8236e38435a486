import { afterEach, describe, expect, it } from 'vitest';
import { canDropPrivileges, handOver, makeReadOnly, stationUser } from '../server/helpers/unprivileged';
import { StationProcess } from './helpers/station-process';

/**
 * The data directory turns read-only (`chmod -R a-w`, as an operator or a provisioning script
 * would). File modes bind only unprivileged processes, so the station runs as `nobody` when the
 * tests run as root (see helpers/unprivileged.ts).
 *
 * What a permission change really does: it is checked when a file is opened, so the SQLite files
 * the running station holds open stay writable and ingest goes on, truly stored. What opens a file
 * afterwards is refused: saving settings (503), and the next start of the station, which refuses
 * to run on a database it cannot write instead of starting read-only for good.
 */
const BATCH = 200;
const BASE_TS = 1_710_000_000;

const stations: StationProcess[] = [];
const restores: (() => void)[] = [];
afterEach(async () => {
  restores.splice(0).forEach((restore) => restore());
  await Promise.all(stations.splice(0).map((s) => s.remove()));
});

function newStation(): StationProcess {
  const station = new StationProcess(undefined, {}, stationUser);
  handOver(station.dataDir);
  stations.push(station);
  return station;
}

function readOnly(station: StationProcess): () => void {
  const restore = makeReadOnly(station.dataDir);
  restores.push(restore);
  return () => {
    restores.splice(restores.indexOf(restore), 1);
    restore();
  };
}

/** Posts batches of readings for one device and remembers the acknowledged timestamps (ms). */
function ingester(station: StationProcess, key: string, device: string) {
  const acked: number[] = [];
  let next = 0;
  return {
    acked,
    async post() {
      const readings = Array.from({ length: BATCH }, () => ({ device_id: device, ts: BASE_TS + next++, temperature: 20.5, pressure: 101.3 }));
      const res = await station.call('POST', '/api/telemetry/batch', { key, body: readings });
      if (res.status === 200) acked.push(...readings.map((r) => r.ts * 1000));
      return res;
    },
  };
}

/** The refused start: exit 1 with a message that names the database and what to do. */
async function expectRefusedStart(station: StationProcess, code: RegExp): Promise<void> {
  await expect(station.start()).rejects.toThrow(/cannot be written by this process/);
  expect(station.child!.exitCode).toBe(1);
  expect(station.output).toMatch(code);
  expect(station.output).toMatch(/make \S+processed and the files in it writable by the user the station runs as/);
  expect(station.output).not.toMatch(/\n\s+at /);
}

/** After recovery: every acknowledged reading once, nothing else, and an intact file. */
function expectStored(station: StationProcess, device: string, acked: number[]): void {
  const db = station.openDb();
  try {
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    const rows = db.prepare(`SELECT t.ts FROM telemetry t JOIN devices d ON d.id = t.device_ref WHERE d.device_id = ?`).pluck().all(device) as number[];
    const stored = new Set(rows);
    expect(acked.filter((ts) => !stored.has(ts))).toEqual([]);
    expect(rows.length).toBe(acked.length);
    expect(stored.size).toBe(rows.length);
  } finally {
    db.close();
  }
}

describe.skipIf(!canDropPrivileges)('read-only data directory', () => {
  it('when the data directory turns read-only under the running station, then ingest goes on into the open database, saving settings answers 503, a restart is refused with a clear message, and after the fix every acknowledged reading is there once', async () => {
    const station = newStation();
    await station.start();
    const admin = await station.token();
    const key = await station.key('device');
    const reader = await station.key('user');
    const ingest = ingester(station, key, 'ro-1');
    for (let i = 0; i < 5; i++) expect((await ingest.post()).status).toBe(200);

    const writable = readOnly(station);
    // SQLite holds the database, its WAL and shared-memory file open: writes go on and are stored.
    for (let i = 0; i < 5; i++) expect((await ingest.post()).status).toBe(200);
    const list = await station.call('GET', '/api/telemetry?device_id=ro-1&limit=1', { key: reader });
    expect(list.status).toBe(200);
    expect(list.body.total).toBe(ingest.acked.length);
    expect((await station.call('GET', '/health')).status).toBe(200);
    // settings.json is written to a new file and renamed: the directory refuses it.
    const settings = await station.call('PUT', '/api/settings', { token: admin, body: { units: { temperature: 'F', pressure: 'bar' } } });
    expect(settings.status).toBe(503);
    expect(settings.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect(settings.headers.get('retry-after')).toBe('10');
    expect(settings.body).toMatchObject({ status: 503, code: 'EACCES', type: 'https://smart-oilfield.local/problems/storage-unavailable' });
    expect(settings.body.detail).toMatch(/no permission to use a file in its data directory; nothing was changed/);
    expect(settings.text).not.toContain(station.dataDir);

    // A restart (update, crash, reboot) opens the files anew: refused, not a station stuck read-only.
    await station.stop();
    await expectRefusedStart(station, /SQLITE_READONLY/);

    writable();
    await station.start();
    expect((await ingest.post()).status).toBe(200);
    expect((await station.call('GET', '/api/settings', { token: await station.token() })).status).toBe(200);
    await station.stop();
    expectStored(station, 'ro-1', ingest.acked);
  });

  it('when the data directory turned read-only while the station was stopped, then it refuses to start with a clear message and starts with everything once the directory is writable', async () => {
    const station = newStation();
    await station.start();
    const ingest = ingester(station, await station.key('device'), 'ro-2');
    for (let i = 0; i < 3; i++) expect((await ingest.post()).status).toBe(200);
    await station.stop();

    const writable = readOnly(station);
    // A clean stop removed the WAL: SQLite cannot create it in the read-only directory.
    await expectRefusedStart(station, /SQLITE_READONLY_DIRECTORY/);

    writable();
    await station.start();
    expect((await ingest.post()).status).toBe(200);
    await station.stop();
    expectStored(station, 'ro-2', ingest.acked);
  });
});
