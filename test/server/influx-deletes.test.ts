import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deleteRequestBody } from '../../src/server/influx/delete-sink';
import { TestStation } from './helpers/station';
import { InfluxDb1, skipWithoutBinary, VictoriaMetrics } from './helpers/tsdb';
import { until } from './helpers/until';

const T0 = 1714564800; // 2024-05-01T12:00:00Z

const tuning = {
  INFLUX_FLUSH_INTERVAL_MS: '200',
  INFLUX_MIN_BACKOFF_MS: '50',
  INFLUX_MAX_BACKOFF_MS: '300',
  INFLUX_WRITE_TIMEOUT_MS: '3000',
};

/** A station whose readings and deletes the test drives through the API. */
class Field {
  private constructor(
    readonly st: TestStation,
    private readonly admin: string,
    private readonly key: string,
  ) {}

  static async open(env: Record<string, string>): Promise<Field> {
    const st = await TestStation.start(env);
    return new Field(st, await st.token(), await st.key('device'));
  }

  /** Stores a reading and returns its id. */
  async store(device: string, second: number, values: Record<string, unknown>): Promise<number> {
    const res = await this.st.call('POST', '/api/telemetry', { token: this.admin, key: this.key, body: { device_id: device, ts: T0 + second, ...values } });
    expect(res.status, res.text).toBe(201);
    return res.body.id as number;
  }

  async delete(id: number): Promise<void> {
    const res = await this.st.call('DELETE', `/api/telemetry/${id}`, { token: this.admin });
    expect(res.status, res.text).toBe(204);
  }

  status(): Promise<any> {
    return this.st.call('GET', '/api/influx/status', { token: this.admin }).then((r) => r.body);
  }

  /** Waits until InfluxDB has every reading and every delete. */
  settled(timeoutMs?: number): Promise<any> {
    return until(
      'mirror settled',
      () => this.status(),
      (s) => s.ok && s.backlog === 0 && s.pending_deletes === 0,
      timeoutMs,
    );
  }
}

describe.skipIf(skipWithoutBinary('influxd', 'influxdb'))('deletes reach InfluxDB 1.6 (/query DELETE)', () => {
  let influx: InfluxDb1;
  const env = () => ({ INFLUX_URL: influx.url, INFLUX_VERSION: '1', INFLUX_DB: 'wells', ...tuning }) as Record<string, string>;

  beforeAll(async () => {
    influx = await InfluxDb1.create();
    await influx.query('', 'CREATE DATABASE wells');
  });
  afterAll(() => influx?.destroy());

  /** The points InfluxDB holds for a device, oldest first, as {second, field: value}. */
  async function points(device: string): Promise<Record<string, unknown>[]> {
    const res = await influx.query('wells', `SELECT * FROM "telemetry" WHERE "device_id" = '${device}' ORDER BY time ASC`);
    const series = res.results[0].series?.[0];
    if (!series) return [];
    return (series.values as unknown[][]).map((v) => {
      const point: Record<string, unknown> = {};
      series.columns.forEach((c: string, i: number) => {
        if (c === 'time') point.second = (v[i] as number) / 1000 - T0;
        else if (c !== 'device_id' && v[i] !== null) point[c] = v[i];
      });
      return point;
    });
  }

  it('when a reading is deleted, then its point is gone from InfluxDB, its neighbours stay, and the tombstone is pruned', async () => {
    const f = await Field.open(env());
    try {
      const doomed = await f.store('del-a', 10, { temperature: 1 });
      await f.store('del-a', 11, { temperature: 2 });
      await f.store('del-b', 10, { temperature: 3 });
      await f.settled();
      expect(await points('del-a')).toEqual([
        { second: 10, temperature: 1 },
        { second: 11, temperature: 2 },
      ]);

      await f.delete(doomed);
      const status = await f.settled();
      expect(status).toMatchObject({ pending_deletes: 0, last_error: null });
      expect(await points('del-a')).toEqual([{ second: 11, temperature: 2 }]);
      expect(await points('del-b')).toEqual([{ second: 10, temperature: 3 }]);
      expect(f.st.count('SELECT COUNT(*) FROM influx_tombstones')).toBe(0);
    } finally {
      await f.st.stop();
    }
  });

  it('when InfluxDB is down while a reading is deleted and the station restarts, then the delete is applied once it is back', async () => {
    const first = await Field.open(env());
    let second: Field | undefined;
    try {
      const doomed = await first.store('out-a', 20, { temperature: 5 });
      await first.store('out-a', 21, { temperature: 6 });
      await first.settled();

      await influx.stop();
      try {
        await first.delete(doomed);
        const down = await until(
          'the failure to show',
          () => first.status(),
          (s) => !s.ok,
        );
        expect(down).toMatchObject({ pending_deletes: 1, backlog: 0, last_error: expect.any(String) });
        expect((await first.st.call('GET', '/health')).body.influx).toMatchObject({ ok: false, pending_deletes: 1 });

        await first.st.station.close();
        second = await Field.open({ ...env(), DATA_DIR: first.st.dataDir });
        expect(await second.status()).toMatchObject({ pending_deletes: 1 });
      } finally {
        await influx.start();
      }
      await second.settled();
      expect(await points('out-a')).toEqual([{ second: 21, temperature: 6 }]);
    } finally {
      await (second ?? first).st.stop();
    }
  });

  it('when a deleted reading is stored again before InfluxDB returns, then InfluxDB holds the new reading and nothing of the old one', async () => {
    const f = await Field.open(env());
    try {
      const old = await f.store('re-a', 30, { temperature: 7, status: 'bad' });
      await f.settled();

      await influx.stop();
      try {
        await f.delete(old);
        // the same device and instant again, other fields: the delete must land first, or it
        // would delete this reading, and land at all, or temperature and status would linger
        await f.store('re-a', 30, { pressure: 8 });
        await f.store('re-a', 31, { pressure: 9 });
        await until(
          'the failure to show',
          () => f.status(),
          (s) => !s.ok && s.pending_deletes === 1 && s.backlog === 2,
        );
      } finally {
        await influx.start();
      }
      await f.settled();
      expect(await points('re-a')).toEqual([
        { second: 30, pressure: 8 },
        { second: 31, pressure: 9 },
      ]);
    } finally {
      await f.st.stop();
    }
  });

  it('when a reading is deleted and stored again while InfluxDB is up, then InfluxDB ends with the new reading', async () => {
    const f = await Field.open(env());
    try {
      const old = await f.store('up-a', 40, { temperature: 1 });
      await f.settled();
      await f.delete(old);
      await f.store('up-a', 40, { pressure: 2 });
      await f.settled();
      expect(await points('up-a')).toEqual([{ second: 40, pressure: 2 }]);
    } finally {
      await f.st.stop();
    }
  });
});

describe.skipIf(skipWithoutBinary('victoria-metrics', 'victoria-metrics'))('deletes against a target without /api/v2/delete (VictoriaMetrics)', () => {
  let vm: VictoriaMetrics;
  beforeAll(async () => {
    vm = await VictoriaMetrics.create();
  });
  afterAll(() => vm?.destroy());

  it('when the target refuses the delete as unsupported, then it is skipped and named, and later readings still arrive', async () => {
    const f = await Field.open({ INFLUX_URL: vm.url, INFLUX_ORG: 'field', INFLUX_BUCKET: 'wells', ...tuning });
    try {
      const doomed = await f.store('vm-del', 10, { temperature: 1 });
      await f.settled();
      await f.delete(doomed);
      await f.store('vm-del', 11, { temperature: 2 });
      const status = await f.settled();
      expect(status.last_error).toMatch(/^skipped 1 deletes: InfluxDB answered 400 to a delete: .*unsupported path/);
      const series = await vm.export('{__name__="telemetry_temperature",device_id="vm-del"}');
      expect(series[0]!.timestamps).toEqual([(T0 + 10) * 1000, (T0 + 11) * 1000]);
    } finally {
      await f.st.stop();
    }
  });
});

describe('the InfluxDB 2 delete request (no InfluxDB 2 server is installed here)', () => {
  it('when a point is to be deleted, then start and stop are its own instant and the predicate names measurement and device', () => {
    expect(deleteRequestBody({ device_id: 'well-01', ts: (T0 + 1) * 1000 + 250 })).toEqual({
      start: '2024-05-01T12:00:01.250Z',
      stop: '2024-05-01T12:00:01.250Z',
      predicate: '_measurement="telemetry" AND device_id="well-01"',
    });
  });
});

describe('deletes without InfluxDB', () => {
  it('when INFLUX_URL is not set, then a delete leaves no tombstone behind', async () => {
    const f = await Field.open({});
    try {
      await f.delete(await f.store('none-a', 1, { temperature: 1 }));
      expect(f.st.count('SELECT COUNT(*) FROM influx_tombstones')).toBe(0);
      expect(await f.status()).toMatchObject({ configured: false, pending_deletes: 0 });
    } finally {
      await f.st.stop();
    }
  });
});
