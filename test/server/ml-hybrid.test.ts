import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { demoReadings } from '../../src/server/seed/demo-telemetry';
import { TestStation } from './helpers/station';

/**
 * Issue 17 end to end, on a real station with the shipped model: the posted reading is what gets
 * scored, the obvious always flags with a reason in words, and spans an admin marks normal change
 * what the station flags.
 */
const END = Date.UTC(2026, 10, 28, 12, 0, 0);

let s: TestStation;
let admin = '';
let engineer = '';
let deviceKey = '';

type Reading = { device_id: string; ts: number; temperature: number | null; pressure: number | null };

function demo(device: string, hours: number): Reading[] {
  return [...demoReadings({ wells: [device], days: hours / 24, intervalSeconds: 60, endMs: END })].map((r) => ({
    device_id: device,
    ts: (r.ts as number) / 1000,
    temperature: r.temperature ?? null,
    pressure: r.pressure ?? null,
  }));
}

async function ingest(readings: Reading[]): Promise<void> {
  const res = await s.call('POST', '/api/telemetry/batch', { key: deviceKey, body: readings });
  expect(res.status, res.text).toBeLessThan(300);
  expect(res.body.rejected ?? []).toEqual([]);
}

beforeAll(async () => {
  s = await TestStation.start({ ML_ALARMS: 'false' });
  admin = await s.token();
  engineer = await s.userToken();
  deviceKey = await s.key('device');
});
afterAll(() => s.stop());

describe('predict: the posted reading is what gets scored', () => {
  let last: Reading;
  beforeAll(async () => {
    const rows = demo('well-001', 12);
    await ingest(rows);
    last = rows.at(-1)!;
  });

  it('when a device with history gets 62, 150 and 400 °C posted, then the score moves with the value and the far-out ones flag with a reason', async () => {
    const predict = (temperature: number) =>
      s.call('POST', '/api/ml/predict', {
        token: engineer,
        body: { device_id: 'well-001', ts: last.ts + 60, temperature, pressure: last.pressure },
      });
    const [normal, hot, impossible] = await Promise.all([predict(last.temperature!), predict(150), predict(400)]);
    for (const r of [normal, hot, impossible]) expect(r.status, r.text).toBe(200);
    expect(normal.body.model).toBe('rf');
    expect(normal.body.anomaly).toBe(false);
    expect(hot.body.anomaly).toBe(true);
    expect(impossible.body.anomaly).toBe(true);
    expect(hot.body.score).toBeGreaterThan(normal.body.score);
    expect(impossible.body.score).toBeGreaterThan(hot.body.score);
    expect(normal.body.meta.reasons).toEqual([]);
    expect(hot.body.meta.reasons[0]).toMatch(/^temperature 150 is .*x this device's usual spread above its recent median/);
    expect(hot.body.meta.guards[0]).toMatchObject({ kind: 'distance', channel: 'temperature' });
    expect(impossible.body.meta.reasons).toContain('temperature 400 is above the limit 250');
  });

  it('when a first reading of 300 °C and pressure 1 comes with no history, then the shipped default limits flag both, in words', async () => {
    const r = await s.call('POST', '/api/ml/predict', { token: engineer, body: { temperature: 300, pressure: 1 } });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ anomaly: true, model: 'rule', score: 1 });
    expect(r.body.meta.reasons).toEqual(['temperature 300 is above the limit 250', 'pressure 1 is below the limit 5']);
    const limits = await s.call('GET', '/api/ml/limits/*', { token: engineer });
    expect(limits.body).toMatchObject({ device_id: '*', temperature_max: 250, pressure_min: 5, updated_at: null });
  });

  it('when an admin sets the * row, then it replaces the shipped defaults', async () => {
    const put = await s.call('PUT', '/api/ml/limits/*', { token: admin, body: { temperature_max: 500 } });
    expect(put.status).toBe(200);
    const r = await s.call('POST', '/api/ml/predict', { token: engineer, body: { temperature: 300, pressure: 1 } });
    expect(r.body.anomaly).toBe(false);
    expect((await s.call('DELETE', '/api/ml/limits/*', { token: admin })).status).toBe(204);
    const back = await s.call('POST', '/api/ml/predict', { token: engineer, body: { temperature: 300, pressure: 1 } });
    expect(back.body.anomaly).toBe(true);
  });

  it('when a stored range is scored, then flagged readings carry their reasons and normal ones none', async () => {
    const spike = { device_id: 'well-001', ts: last.ts + 120, temperature: last.temperature, pressure: last.pressure! * 3 };
    await ingest([spike]);
    const r = await s.call('POST', '/api/ml/score', { token: engineer, body: { device_id: 'well-001', ts_from: last.ts - 600, ts_to: spike.ts } });
    expect(r.status).toBe(200);
    const points = r.body as { ts: number; anomaly: boolean; reasons: string[] }[];
    const flagged = points.find((p) => p.ts === spike.ts)!;
    expect(flagged.anomaly).toBe(true);
    expect(flagged.reasons.join(' ')).toMatch(/pressure/);
    for (const p of points.filter((x) => !x.anomaly)) expect(p.reasons).toEqual([]);
  });
});

describe('spans marked normal and labelled', () => {
  let from = 0;
  let to = 0;
  let before: Reading[] = [];
  const score = async () =>
    (await s.call('POST', '/api/ml/score', { token: engineer, body: { device_id: 'well-002', ts_from: from, ts_to: to + 600 } })).body as {
      ts: number;
      anomaly: boolean;
      reasons: string[];
    }[];
  const spans = async () => (await s.call('GET', '/api/ml/spans?device_id=well-002', { token: engineer })).body as unknown[];

  beforeAll(async () => {
    // Eight hours of a demo well, then a planned choke change: pressure up 40 % for 20 minutes.
    const rows = demo('well-002', 8);
    const t0 = rows.at(-1)!.ts;
    const change = Array.from({ length: 20 }, (_, i) => ({
      device_id: 'well-002',
      ts: t0 + 60 * (i + 1),
      temperature: rows.at(-1)!.temperature,
      pressure: rows.at(-1)!.pressure! * 1.4,
    }));
    await ingest([...rows, ...change]);
    from = change[0]!.ts;
    to = change.at(-1)!.ts;
    before = rows;
  });

  it('when the change is scored, then it flags; when an admin marks it normal, then it no longer does, and says why', async () => {
    const before = await score();
    expect(before.filter((p) => p.ts >= from && p.ts <= to && p.anomaly).length).toBeGreaterThan(0);
    const mark = await s.call('POST', '/api/ml/spans', {
      token: admin,
      body: { device_id: 'well-002', ts_from: from, ts_to: to, kind: 'normal', note: 'planned choke change' },
    });
    expect(mark.status, mark.text).toBe(201);
    expect(mark.body).toMatchObject({ kind: 'normal', label: 0, readings: 20, created_by: 'admin', note: 'planned choke change' });
    const after = await score();
    const inside = after.filter((p) => p.ts >= from && p.ts <= to);
    expect(inside.every((p) => !p.anomaly)).toBe(true);
    expect(inside.some((p) => p.reasons.some((r) => /marked normal by admin: planned choke change/.test(r)))).toBe(true);
    const audit = await s.call('GET', '/api/audit?action=ml.span.normal', { token: admin });
    expect(audit.status).toBe(200);
    expect(JSON.stringify(audit.body)).toMatch(/well-002/);
  });

  it('when the same change comes back later, then the adapted guard limits take it as normal too (no retraining); without the mark it flags', async () => {
    // The same 400 readings that led up to the change, replayed after it (so the change is out of the
    // 360-reading baseline), then the same change again.
    const t1 = to + 3600;
    const replay = before.slice(-400).map((r, i) => ({ ...r, ts: t1 + 60 * i }));
    const last = replay.at(-1)!;
    const again = Array.from({ length: 5 }, (_, i) => ({ ...last, ts: last.ts + 60 * (i + 1), pressure: last.pressure! * 1.4 }));
    await ingest([...replay, ...again]);
    const farOut = async () => {
      const r = await s.call('POST', '/api/ml/score', { token: engineer, body: { device_id: 'well-002', ts_from: again[0]!.ts, ts_to: again.at(-1)!.ts } });
      expect(r.status).toBe(200);
      return (r.body as { reasons: string[] }[]).filter((p) => p.reasons.some((x) => /pressure .* usual spread/.test(x))).length;
    };
    expect(await farOut()).toBe(0);
    // Remove the mark: the very same readings flag again; put it back for the tests below.
    const marks = (await spans()) as { id: number; kind: string }[];
    const mark = marks.find((x) => x.kind === 'normal')!;
    expect((await s.call('DELETE', `/api/ml/spans/${mark.id}`, { token: admin })).status).toBe(204);
    expect(await farOut()).toBeGreaterThan(0);
    const again2 = await s.call('POST', '/api/ml/spans', { token: admin, body: { device_id: 'well-002', ts_from: from, ts_to: to, kind: 'normal' } });
    expect(again2.status).toBe(201);
  });

  it('when an engineer tries to mark a span normal, then it is forbidden and nothing is stored; labelling is allowed', async () => {
    const n = (await spans()).length;
    const denied = await s.call('POST', '/api/ml/spans', { token: engineer, body: { device_id: 'well-002', ts_from: from, ts_to: to, kind: 'normal' } });
    expect(denied.status).toBe(403);
    expect(denied.headers.get('content-type')).toMatch(/problem\+json/);
    expect(await spans()).toHaveLength(n);
    const label = await s.call('POST', '/api/ml/spans', {
      token: engineer,
      body: { device_id: 'well-002', ts_from: from, ts_to: to, kind: 'label', label: 6 },
    });
    expect(label.status, label.text).toBe(201);
    expect(await spans()).toHaveLength(n + 1);
    // The engineer may remove their own label, not the admin's normal mark.
    const all = (await spans()) as { id: number; kind: string }[];
    expect((await s.call('DELETE', `/api/ml/spans/${all.find((x) => x.kind === 'normal')!.id}`, { token: engineer })).status).toBe(403);
    expect((await s.call('DELETE', `/api/ml/spans/${label.body.id}`, { token: engineer })).status).toBe(204);
    expect(await spans()).toHaveLength(n);
  });

  it.each([
    ['ts_from after ts_to', { device_id: 'well-002', ts_from: 2000000000, ts_to: 1900000000, kind: 'label', label: 1 }, 'ts_from'],
    ['a label on a normal span', { device_id: 'well-002', ts_from: 1764000000, ts_to: 1764001000, kind: 'normal', label: 2 }, 'label'],
    ['a label span without a label', { device_id: 'well-002', ts_from: 1764000000, ts_to: 1764001000, kind: 'label' }, 'label'],
    ['a negative label', { device_id: 'well-002', ts_from: 1764000000, ts_to: 1764001000, kind: 'label', label: -1 }, 'label'],
    ['an unknown kind', { device_id: 'well-002', ts_from: 1764000000, ts_to: 1764001000, kind: 'ignore' }, 'kind'],
    ['an unknown field', { device_id: 'well-002', ts_from: 1764000000, ts_to: 1764001000, kind: 'label', label: 1, colour: 'red' }, '(body)'],
    [
      'an injection string as device',
      { device_id: "x'; DROP TABLE ml_spans;--", ts_from: 1764000000, ts_to: 1764001000, kind: 'label', label: 1 },
      'device_id',
    ],
  ])('when a span has %s, then it is a 422 naming the field and nothing is stored', async (_name, body, field) => {
    const n = s.count('SELECT COUNT(*) FROM ml_spans');
    const r = await s.call('POST', '/api/ml/spans', { token: admin, body });
    expect(r.status, r.text).toBe(422);
    expect(r.headers.get('content-type')).toMatch(/problem\+json/);
    expect(JSON.stringify(r.body.errors ?? r.body.detail)).toContain(field);
    expect(s.count('SELECT COUNT(*) FROM ml_spans')).toBe(n);
  });

  it('when a span covers no readings or an unknown device, then it is a 422 / 404 and nothing is stored', async () => {
    const n = s.count('SELECT COUNT(*) FROM ml_spans');
    const empty = await s.call('POST', '/api/ml/spans', {
      token: admin,
      body: { device_id: 'well-002', ts_from: 1000000000, ts_to: 1000000600, kind: 'normal' },
    });
    expect(empty.status).toBe(422);
    const ghost = await s.call('POST', '/api/ml/spans', { token: admin, body: { device_id: 'ghost-well', ts_from: from, ts_to: to, kind: 'label', label: 1 } });
    expect(ghost.status).toBe(404);
    expect(s.count('SELECT COUNT(*) FROM ml_spans')).toBe(n);
  });
});

describe('alarms say why', () => {
  let alarmStation: TestStation;
  afterAll(() => alarmStation.stop());

  it('when a frozen-then-far-out stretch opens an alarm, then its reason is in words', async () => {
    alarmStation = await TestStation.start();
    const key = await alarmStation.key('device');
    const rows = demo('well-003', 8);
    const t0 = rows.at(-1)!.ts;
    const out = Array.from({ length: 15 }, (_, i) => ({ device_id: 'well-003', ts: t0 + 60 * (i + 1), temperature: 180, pressure: rows.at(-1)!.pressure }));
    const res = await alarmStation.call('POST', '/api/telemetry/batch', { key, body: [...rows, ...out] });
    expect(res.status).toBeLessThan(300);
    const token = await alarmStation.token();
    await vi.waitFor(
      async () => {
        const alarms = (await alarmStation.call('GET', '/api/alarms?device_id=well-003', { token })).body as { reason: string | null }[];
        expect(alarms.length).toBeGreaterThan(0);
        expect(alarms[0]!.reason).toMatch(/temperature 180 is .*usual spread above/);
      },
      { timeout: 60_000, interval: 250 },
    );
  }, 90_000);
});
