import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ModbusRtuServer, modbusToolsAvailable, SerialPair, words } from './helpers/modbus';
import { TestStation } from './helpers/station';

/**
 * Modbus RTU over a virtual serial pair (socat) to pymodbus: two devices on one line, one of them
 * a unit that never answers; a scan through the busy line; the pair removed and recreated.
 */
const tools = modbusToolsAvailable();

const UNITS = { 1: { hr: [...words('float32', 88.25, 'CDAB'), ...words('int16', -7, 'ABCD')] } };

describe.skipIf(!tools)('Modbus RTU polling on one serial line', () => {
  let dir: string;
  let pair: SerialPair;
  let server: ModbusRtuServer;
  let st: TestStation;
  let admin: string;
  const ids: Record<string, number> = {};

  const rtu = () => ({ kind: 'rtu', path: pair.a, baud: 19200, parity: 'none', data_bits: 8, stop_bits: 1 });
  const status = async (id: number) => {
    const res = await st.call('GET', '/api/field/status', { token: admin });
    return (res.body.modbus as { id: number; [k: string]: any }[]).find((d) => d.id === id)!;
  };
  const rows = (deviceId: string) =>
    st.db.prepare('SELECT COUNT(*) FROM telemetry t JOIN devices d ON d.id = t.device_ref WHERE d.device_id = ?').pluck().get(deviceId) as number;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'oilfield-rtu-'));
    pair = new SerialPair(dir);
    await pair.start();
    server = new ModbusRtuServer(pair.b, UNITS, 19200);
    await server.start();
    st = await TestStation.start();
    admin = await st.token();
  }, 60_000);
  afterAll(async () => {
    await st?.stop();
    await server?.kill();
    await pair?.kill();
    rmSync(dir, { recursive: true, force: true });
  });

  it('when a live unit and a unit that never answers share the line, then the live one keeps polling and the dead one backs off', async () => {
    const tags = [
      { name: 'temp', address: '40001', type: 'float32', order: 'CDAB', field: 'temperature' },
      { name: 'trim', function: 'holding', address: 2, type: 'int16', field: 'trim' },
    ];
    const live = await st.call('POST', '/api/field/modbus/devices', {
      token: admin,
      body: { name: 'plunger lift', device_id: 'rtu-live', interval_s: 1, transport: rtu(), unit_id: 1, gap_ms: 5, timeout_ms: 1000, retries: 1, tags },
    });
    expect(live.status, live.text).toBe(201);
    const dead = await st.call('POST', '/api/field/modbus/devices', {
      token: admin,
      body: { name: 'dead flow computer', device_id: 'rtu-dead', interval_s: 1, transport: rtu(), unit_id: 2, gap_ms: 5, timeout_ms: 300, retries: 1, tags },
    });
    expect(dead.status, dead.text).toBe(201);
    ids.live = live.body.id;
    ids.dead = dead.body.id;

    await vi.waitFor(async () => expect((await status(ids.dead!)).consecutive_failures).toBeGreaterThanOrEqual(3), { timeout: 40_000, interval: 200 });
    await vi.waitFor(() => expect(rows('rtu-live')).toBeGreaterThanOrEqual(8), { timeout: 40_000, interval: 200 });
    const l = await status(ids.live!);
    const d = await status(ids.dead!);
    expect(l).toMatchObject({ state: 'ok', polls_failed: 0, last_error: null });
    expect(d.state).toBe('backoff');
    expect(d.last_error).toMatch(/unit 2 did not answer/);
    expect(rows('rtu-dead')).toBe(0);
    // the dead unit is asked ever more rarely: far fewer attempts than the live unit's polls
    expect(d.polls_failed).toBeLessThan(l.polls_ok);
    const r = (await st.call('GET', '/api/telemetry?device_id=rtu-live&limit=1', { token: admin })).body.items[0];
    expect(r).toMatchObject({ temperature: 88.25, extra: { trim: -7 } });
  }, 90_000);

  it('when a device wants other line settings on the same port, then it is refused naming the port', async () => {
    const res = await st.call('POST', '/api/field/modbus/devices', {
      token: admin,
      body: {
        name: 'wrong baud',
        device_id: 'rtu-x',
        transport: { ...rtu(), baud: 9600 },
        unit_id: 5,
        tags: [{ name: 't', address: 0, function: 'holding', field: 'x' }],
      },
    });
    expect(res.status).toBe(409);
    expect(res.body.detail).toContain(pair.a);
    const sameUnit = await st.call('POST', '/api/field/modbus/devices', {
      token: admin,
      body: { name: 'same unit', device_id: 'rtu-y', transport: rtu(), unit_id: 1, tags: [{ name: 't', address: 0, function: 'holding', field: 'x' }] },
    });
    expect(sameUnit.status).toBe(409);
    const unit0 = await st.call('POST', '/api/field/modbus/devices', {
      token: admin,
      body: { name: 'broadcast', device_id: 'rtu-z', transport: rtu(), unit_id: 0, tags: [{ name: 't', address: 0, function: 'holding', field: 'x' }] },
    });
    expect(unit0.status).toBe(422);
    expect(unit0.body.errors[0].path).toBe('unit_id');
  });

  it('when the busy line is scanned, then the probes share its queue and find the live unit; a baud sweep is refused', async () => {
    const sweep = await st.call('POST', '/api/field/modbus/scan', { token: admin, body: { transport: rtu(), unit_from: 1, unit_to: 3, bauds: [9600, 19200] } });
    expect(sweep.status).toBe(409);
    const res = await st.call('POST', '/api/field/modbus/scan', { token: admin, body: { transport: rtu(), unit_from: 1, unit_to: 3, timeout_ms: 300 } });
    expect(res.status, res.text).toBe(202);
    await vi.waitFor(async () => expect((await st.call('GET', `/api/tasks/${res.body.task_id}`, { token: admin })).body.status).toBe('completed'), {
      timeout: 30_000,
      interval: 100,
    });
    const result = await st.call('GET', res.body.result_url, { token: admin });
    expect(result.body.found).toEqual([{ unit_id: 1, baud: 19200, answer: 'registers' }]);
    expect((await status(ids.live!)).polls_failed).toBe(0);
  }, 60_000);

  it('when the serial pair disappears and comes back, then the port is reopened and readings resume', async () => {
    await server.kill();
    await pair.kill();
    await vi.waitFor(async () => expect((await status(ids.live!)).state).toBe('disconnected'), { timeout: 30_000, interval: 100 });
    expect((await status(ids.live!)).last_error).toBeTruthy();
    const before = rows('rtu-live');
    await pair.start();
    await server.start();
    await vi.waitFor(() => expect(rows('rtu-live')).toBeGreaterThanOrEqual(before + 3), { timeout: 60_000, interval: 200 });
    expect((await status(ids.live!)).state).toBe('ok');
    const ports = await st.call('GET', '/api/field/serial-ports', { token: admin });
    expect(ports.status).toBe(200);
    expect(Array.isArray(ports.body)).toBe(true);
  }, 120_000);

  it('when the devices are removed, then the port is free for a baud sweep, which reopens it at each rate', async () => {
    for (const id of [ids.live!, ids.dead!]) expect((await st.call('DELETE', `/api/field/modbus/devices/${id}`, { token: admin })).status).toBe(204);
    const res = await st.call('POST', '/api/field/modbus/scan', {
      token: admin,
      body: { transport: rtu(), unit_from: 1, unit_to: 2, timeout_ms: 300, bauds: [9600, 19200] },
    });
    expect(res.status, res.text).toBe(202);
    await vi.waitFor(async () => expect((await st.call('GET', `/api/tasks/${res.body.task_id}`, { token: admin })).body.status).toMatch(/completed|failed/), {
      timeout: 30_000,
      interval: 100,
    });
    const task = await st.call('GET', `/api/tasks/${res.body.task_id}`, { token: admin });
    expect(task.body.status, task.body.error).toBe('completed');
    // a pty ignores the baud rate, so the unit answers at both: what is checked is that each rate got its own open port
    const result = await st.call('GET', res.body.result_url, { token: admin });
    expect(result.body).toMatchObject({
      probed: 4,
      found: [
        { unit_id: 1, baud: 9600 },
        { unit_id: 1, baud: 19200 },
      ],
    });
  }, 60_000);
});
