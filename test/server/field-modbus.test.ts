import { once } from 'node:events';
import { ServerTCP } from 'modbus-serial';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createLogger } from '../../src/server/logger';
import { startStation } from '../../src/server/station';
import { mbpoll, ModbusTcpServer, modbusToolsAvailable, words } from './helpers/modbus';
import { freePort } from './helpers/ports';
import { TestStation } from './helpers/station';

/**
 * Modbus TCP end to end: devices added over the API, polled from a real pymodbus server, stored
 * through the telemetry ingest path; decoding checked against values written byte by byte and
 * against mbpoll; a server killed and restarted; addresses the server lacks; bad bodies.
 */
const tools = modbusToolsAvailable();

// unit 1's holding registers: every type, in every byte order, at known addresses
const HR = [
  ...words('int16', -1234, 'ABCD'), // 0
  ...words('uint16', 54321, 'ABCD'), // 1
  ...words('int32', -123456789, 'ABCD'), // 2-3
  ...words('uint32', 3_000_000_000, 'CDAB'), // 4-5
  ...words('float32', 71.5, 'BADC'), // 6-7
  ...words('float32', 1013.25, 'DCBA'), // 8-9
  ...words('float64', 3.14159265358979, 'ABCD'), // 10-13
  ...words('float32', -40.125, 'CDAB'), // 14-15
  ...words('float64', -2.5e10, 'DCBA'), // 16-19
];
const UNITS = {
  1: { hr: HR, ir: [...words('float32', 12.5, 'ABCD'), 0x7fc0, 0x0000], co: [1, 0, 1], di: [1] }, // input 2-3: a float32 NaN
  3: { hr: [7] },
};

const TAGS = [
  { name: 'tubing temp', function: 'holding', address: 6, type: 'float32', order: 'BADC', field: 'temperature', unit: 'degF' },
  { name: 'casing pressure', address: '40009', type: 'float32', order: 'DCBA', field: 'pressure', unit: 'psi' },
  { name: 'alarm word', function: 'holding', address: 0, type: 'int16', field: 'alarm_word' },
  { name: 'flow', function: 'holding', address: 1, type: 'uint16', scale: 0.1, offset: -5, field: 'flow' },
  { name: 'counter', function: 'holding', address: 2, type: 'int32', field: 'counter' },
  { name: 'runtime', function: 'holding', address: 4, type: 'uint32', order: 'CDAB', field: 'runtime' },
  { name: 'pi', function: 'holding', address: 10, type: 'float64', field: 'pi' },
  { name: 'ambient', function: 'holding', address: 14, type: 'float32', order: 'CDAB', field: 'ambient' },
  { name: 'big', function: 'holding', address: 16, type: 'float64', order: 'DCBA', field: 'big' },
  { name: 'level', function: 'input', address: 0, type: 'float32', field: 'level' },
  { name: 'pump on', function: 'coil', address: 0, field: 'pump_on' },
  { name: 'door', address: '10001', field: 'door_open' },
];

describe.skipIf(!tools)('Modbus TCP polling', () => {
  let server: ModbusTcpServer;
  let st: TestStation;
  let admin: string;

  const device = (over: Record<string, unknown> = {}) => ({
    name: 'wellhead-1',
    device_id: 'mb-well-1',
    interval_s: 1,
    transport: { kind: 'tcp', host: '127.0.0.1', port: server.port },
    unit_id: 1,
    timeout_ms: 500,
    tags: TAGS,
    ...over,
  });
  const status = async (id: number) => {
    const res = await st.call('GET', '/api/field/status', { token: admin });
    expect(res.status).toBe(200);
    return (res.body.modbus as { id: number; [k: string]: any }[]).find((d) => d.id === id)!;
  };
  const wellhead = async () =>
    (await st.call('GET', '/api/field/modbus/devices', { token: admin })).body.find((x: { name: string }) => x.name === 'wellhead-1');
  const rows = (deviceId: string) =>
    st.db.prepare('SELECT COUNT(*) FROM telemetry t JOIN devices d ON d.id = t.device_ref WHERE d.device_id = ?').pluck().get(deviceId) as number;

  beforeAll(async () => {
    server = await ModbusTcpServer.start(UNITS);
    st = await TestStation.start();
    admin = await st.token();
  }, 60_000);
  afterAll(async () => {
    await st?.stop();
    await server?.kill();
  });

  it('when a device body is malformed, then each answer is a 422 naming the field, and nothing is stored', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ ...device(), name: undefined }, 'name'],
      [{ ...device(), device_id: "x'; DROP TABLE telemetry;--" }, 'device_id'],
      [{ ...device(), transport: { kind: 'udp', host: '127.0.0.1' } }, 'transport.kind'],
      [{ ...device(), transport: { kind: 'tcp', host: '127.0.0.1', port: 70000 } }, 'transport.port'],
      [{ ...device(), transport: { kind: 'tcp', host: 'bad host!' } }, 'transport.host'],
      [{ ...device(), transport: { kind: 'rtu', path: '/etc/passwd/../x', baud: 9600 } }, 'transport.path'],
      [{ ...device(), transport: { kind: 'rtu', path: '/dev/ttyUSB0', baud: 9601 } }, 'transport.baud'],
      [{ ...device(), interval_s: 0 }, 'interval_s'],
      [{ ...device(), interval_s: 3601 }, 'interval_s'],
      [{ ...device(), interval_s: '10' }, 'interval_s'],
      [{ ...device(), max_block: 126 }, 'max_block'],
      [{ ...device(), unit_id: 256 }, 'unit_id'],
      [{ ...device(), surprise: true }, '(body)'],
      [{ ...device(), tags: [] }, 'tags'],
      [{ ...device(), tags: [{ ...TAGS[0], type: 'float16' }] }, 'tags.0.type'],
      [{ ...device(), tags: [{ ...TAGS[0], type: 'bool' }] }, 'tags.0.type'],
      [{ ...device(), tags: [{ ...TAGS[0], address: 'abc' }] }, 'tags.0.address'],
      [{ ...device(), tags: [{ ...TAGS[0], address: 65535 }] }, 'tags.0.address'],
      [{ ...device(), tags: [{ ...TAGS[0], address: 1.5 }] }, 'tags.0.address'],
      [{ ...device(), tags: [{ ...TAGS[0], address: '30001', function: 'holding' }] }, 'tags.0.function'],
      [{ ...device(), tags: [{ ...TAGS[0], order: 'ABDC' }] }, 'tags.0.order'],
      [{ ...device(), tags: [{ ...TAGS[0], scale: 0 }] }, 'tags.0.scale'],
      [{ ...device(), tags: [{ ...TAGS[0], deadband: -1 }] }, 'tags.0.deadband'],
      [{ ...device(), tags: [{ ...TAGS[0], field: 'bad field' }] }, 'tags.0.field'],
      [{ ...device(), tags: [{ ...TAGS[0], function: undefined, address: 6 }] }, 'tags.0.function'],
      [{ ...device(), tags: [TAGS[0], { ...TAGS[1], field: 'temperature' }] }, 'tags.1.field'],
      [{ ...device(), tags: [TAGS[0], { ...TAGS[1], name: TAGS[0]!.name }] }, 'tags.1.name'],
    ];
    for (const [body, path] of cases) {
      const res = await st.call('POST', '/api/field/modbus/devices', { token: admin, body });
      expect(res.status, `${path}: ${res.text}`).toBe(422);
      expect(res.headers.get('content-type')).toMatch(/application\/problem\+json/);
      expect(
        res.body.errors.map((e: { path: string }) => e.path),
        res.text,
      ).toContain(path);
    }
    const malformed = await st.call('POST', '/api/field/modbus/devices', { token: admin, raw: '{"name":', type: 'application/json' });
    expect(malformed.status).toBe(400);
    const wrongType = await st.call('POST', '/api/field/modbus/devices', { token: admin, raw: 'name=x', type: 'application/x-www-form-urlencoded' });
    expect(wrongType.status).toBe(415);
    const huge = await st.call('POST', '/api/field/modbus/devices', { token: admin, body: { ...device(), name: 'x'.repeat(200_000) } });
    expect(huge.status).toBe(413);
    expect(st.count('SELECT COUNT(*) FROM field_modbus_devices')).toBe(0);
    expect(st.count("SELECT COUNT(*) FROM audit_log WHERE action LIKE 'field.modbus.%'")).toBe(0);
  });

  it('when an engineer or a device key tries to change devices, then they are refused; engineers may read', async () => {
    const engineer = await st.userToken();
    expect((await st.call('POST', '/api/field/modbus/devices', { token: engineer, body: device() })).status).toBe(403);
    expect((await st.call('GET', '/api/field/modbus/devices', { token: engineer })).status).toBe(200);
    const key = await st.key('device');
    expect((await st.call('GET', '/api/field/modbus/devices', { key })).status).toBe(403);
    expect((await st.call('GET', '/api/field/status', { key })).status).toBe(403);
    expect((await st.call('GET', '/api/field/modbus/devices')).status).toBe(401);
    expect(st.count('SELECT COUNT(*) FROM field_modbus_devices')).toBe(0);
  });

  it('when a TCP device is added, then its polls become readings with every type and byte order decoded, audited', async () => {
    const res = await st.call('POST', '/api/field/modbus/devices', { token: admin, body: device() });
    expect(res.status, res.text).toBe(201);
    expect(res.body.tags[1]).toMatchObject({ function: 'holding', address: 8, type: 'float32', order: 'DCBA' });
    expect(res.body.tags[11]).toMatchObject({ function: 'discrete', address: 0, type: 'bool' });
    await vi.waitFor(() => expect(rows('mb-well-1')).toBeGreaterThanOrEqual(2), { timeout: 20_000, interval: 100 });

    const list = await st.call('GET', '/api/telemetry?device_id=mb-well-1&limit=1', { token: admin });
    const r = list.body.items[0];
    expect(r.temperature).toBe(71.5);
    expect(r.pressure).toBe(1013.25);
    expect(r.extra).toMatchObject({
      alarm_word: -1234,
      counter: -123456789,
      runtime: 3_000_000_000,
      pi: 3.14159265358979,
      ambient: -40.125,
      big: -2.5e10,
      level: 12.5,
      pump_on: true,
      door_open: true,
    });
    expect(r.extra.flow).toBeCloseTo(5427.1, 6);

    const audit = await st.call('GET', '/api/audit?action=field.modbus.device.create', { token: admin });
    expect(audit.body.items ?? audit.body).toHaveLength(1);
    const s = await status(res.body.id);
    expect(s).toMatchObject({ state: 'ok', last_error: null, tag_errors: [] });
    expect(s.polls_ok).toBeGreaterThanOrEqual(2);
  });

  it('when read now, then raw registers, the value and all four orders come back, and mbpoll reads the same', async () => {
    const d = await wellhead();
    const res = await st.call('POST', `/api/field/modbus/devices/${d.id}/read`, { token: admin });
    expect(res.status, res.text).toBe(200);
    const tag = (name: string) => res.body.tags.find((t: { name: string }) => t.name === name);
    expect(tag('tubing temp')).toMatchObject({ raw: words('float32', 71.5, 'BADC'), value: 71.5, error: null });
    expect(tag('tubing temp').orders.BADC).toBe(71.5);
    expect(tag('tubing temp').orders.ABCD).not.toBe(71.5);
    expect(tag('alarm word').orders).toBeNull();
    expect(tag('pump on')).toMatchObject({ raw: [1], value: true });
    // holding 0-19 in one request, input, coil, discrete: four requests for twelve tags
    expect(res.body.requests).toBe(4);

    // mbpoll, an independent client: -B reads ABCD floats, without it low word first (CDAB)
    expect(mbpoll(server.port, ['-a', '1', '-t', '3:float', '-B', '-r', '1', '-c', '1']).get(1)).toBe(tag('level').value);
    expect(mbpoll(server.port, ['-a', '1', '-t', '4:float', '-r', '15', '-c', '1']).get(15)).toBe(tag('ambient').value);
    expect(mbpoll(server.port, ['-a', '1', '-t', '4:int', '-B', '-r', '3', '-c', '1']).get(3)).toBe(tag('counter').value);
    expect(mbpoll(server.port, ['-a', '1', '-t', '4', '-r', '1', '-c', '2']).get(2)).toBe(54321);
  });

  it('when max_block is small, then the registers are read in more, smaller requests with the same values', async () => {
    const created = await st.call('POST', '/api/field/modbus/devices', {
      token: admin,
      body: device({ name: 'small blocks', device_id: 'mb-small', enabled: false, max_block: 8 }),
    });
    expect(created.status, created.text).toBe(201);
    const res = await st.call('POST', `/api/field/modbus/devices/${created.body.id}/read`, { token: admin });
    // holding [0-7] [8-15] [16-19], input, coil, discrete
    expect(res.body.requests).toBe(6);
    expect(res.body.tags.find((t: { name: string }) => t.name === 'big').value).toBe(-2.5e10);
    expect((await status(created.body.id)).state).toBe('disabled');
    expect(rows('mb-small')).toBe(0);
  });

  it('when the map asks for addresses the server lacks, then those tags fail by name and the rest are still stored', async () => {
    const tags = [
      { name: 'good', function: 'holding', address: 18, type: 'uint16', field: 'good' },
      { name: 'past the end', function: 'holding', address: 19, type: 'float32', field: 'past_end' },
      { name: 'far away', function: 'input', address: 500, type: 'uint16', field: 'far' },
    ];
    const created = await st.call('POST', '/api/field/modbus/devices', { token: admin, body: device({ name: 'partial', device_id: 'mb-partial', tags }) });
    expect(created.status, created.text).toBe(201);
    await vi.waitFor(async () => expect((await status(created.body.id)).polls_ok).toBeGreaterThanOrEqual(1), { timeout: 20_000, interval: 100 });
    const s = await status(created.body.id);
    expect(s.state).toBe('ok');
    expect(s.tag_errors.map((e: { tag: string }) => e.tag).sort()).toEqual(['far away', 'past the end']);
    expect(s.tag_errors[0].error).toMatch(/exception 2/i);
    const r = (await st.call('GET', '/api/telemetry?device_id=mb-partial&limit=1', { token: admin })).body.items[0];
    expect(r.extra).toEqual({ good: HR[18] });
    const read = await st.call('POST', `/api/field/modbus/devices/${created.body.id}/read`, { token: admin });
    expect(read.body.tags.find((t: { name: string }) => t.name === 'far away')).toMatchObject({
      value: null,
      raw: [],
      error: expect.stringMatching(/Illegal data address/),
    });
    expect((await st.call('DELETE', `/api/field/modbus/devices/${created.body.id}`, { token: admin })).status).toBe(204);
  });

  it('when a value decodes to NaN, then that tag fails with a hint; a deadband stores a value only once it moves', async () => {
    const tags = [
      { name: 'level', function: 'input', address: 0, type: 'float32', deadband: 0.5, field: 'level' },
      { name: 'not a number', function: 'input', address: 2, type: 'float32', field: 'nan' },
    ];
    const created = await st.call('POST', '/api/field/modbus/devices', { token: admin, body: device({ name: 'deadband', device_id: 'mb-db', tags }) });
    expect(created.status, created.text).toBe(201);
    await vi.waitFor(async () => expect((await status(created.body.id)).polls_ok).toBeGreaterThanOrEqual(3), { timeout: 20_000, interval: 100 });
    const s = await status(created.body.id);
    expect(s.tag_errors).toEqual([{ tag: 'not a number', error: expect.stringMatching(/decoded to NaN .*check the type and byte order/) }]);
    // the level never changes: only the first poll stored it
    expect(rows('mb-db')).toBe(1);
    const read = await st.call('POST', `/api/field/modbus/devices/${created.body.id}/read`, { token: admin });
    expect(read.body.tags[1]).toMatchObject({ raw: [0x7fc0, 0], value: null, orders: { ABCD: null } });
    expect((await st.call('DELETE', `/api/field/modbus/devices/${created.body.id}`, { token: admin })).status).toBe(204);
  });

  it('when the server is killed and restarted, then polling reports it, recovers, and nothing is stored twice', async () => {
    const d = await wellhead();
    await server.kill();
    await vi.waitFor(async () => expect((await status(d.id)).consecutive_failures).toBeGreaterThanOrEqual(1), { timeout: 20_000, interval: 100 });
    const down = await status(d.id);
    expect(['disconnected', 'backoff']).toContain(down.state);
    expect(down.last_error).toBeTruthy();
    const before = rows('mb-well-1');
    await server.start();
    await vi.waitFor(async () => expect(rows('mb-well-1')).toBeGreaterThanOrEqual(before + 2), { timeout: 30_000, interval: 100 });
    const up = await status(d.id);
    expect(up.state).toBe('ok');
    expect(up.polls_failed).toBeGreaterThanOrEqual(1);
    // every successful poll is exactly one stored reading
    const ok = (await status(d.id)).polls_ok;
    expect(Math.abs(rows('mb-well-1') - ok)).toBeLessThanOrEqual(1);
    expect(st.count("SELECT COUNT(*) - COUNT(DISTINCT ts) FROM telemetry t JOIN devices d ON d.id = t.device_ref WHERE d.device_id = 'mb-well-1'")).toBe(0);
  }, 60_000);

  it('when a gateway is scanned, then the task reports progress over SSE and finds exactly the units that answer', async () => {
    const res = await st.call('POST', '/api/field/modbus/scan', {
      token: admin,
      body: { transport: { kind: 'tcp', host: '127.0.0.1', port: server.port }, unit_from: 1, unit_to: 5, timeout_ms: 1000 },
    });
    expect(res.status, res.text).toBe(202);
    const events = await fetch(`${st.url}${res.body.events_url}`, { headers: { authorization: `Bearer ${admin}` } });
    const text = await events.text(); // the stream ends after its `done` event
    expect(text).toMatch(/event: done/);
    const task = await st.call('GET', `/api/tasks/${res.body.task_id}`, { token: admin });
    expect(task.body, task.text).toMatchObject({ status: 'completed', name: 'modbus.scan' });
    const result = await st.call('GET', res.body.result_url, { token: admin });
    expect(result.body).toMatchObject({
      probed: 5,
      found: [
        { unit_id: 1, answer: 'registers' },
        { unit_id: 3, answer: 'registers' },
      ],
    });
  }, 30_000);

  it('when a TCP gateway says a unit did not respond (exception 11), then the scan does not count it and a poll backs off', async () => {
    // modbus-serial's server acts as a gateway with only unit 2 behind it: the others get exception 0x0B
    const port = await freePort();
    const getHoldingRegister = (_addr: number, unit: number) => {
      if (unit !== 2) throw Object.assign(new Error('gateway target device failed to respond'), { modbusErrorCode: 0x0b });
      return 5;
    };
    const gateway = new ServerTCP({ getHoldingRegister }, { host: '127.0.0.1', port, unitID: 255 });
    await once(gateway, 'initialized');
    try {
      const res = await st.call('POST', '/api/field/modbus/scan', {
        token: admin,
        body: { transport: { kind: 'tcp', host: '127.0.0.1', port }, unit_from: 1, unit_to: 3, timeout_ms: 1000 },
      });
      await vi.waitFor(async () => expect((await st.call('GET', `/api/tasks/${res.body.task_id}`, { token: admin })).body.status).toBe('completed'), {
        timeout: 20_000,
        interval: 100,
      });
      expect((await st.call('GET', res.body.result_url, { token: admin })).body.found).toEqual([{ unit_id: 2, baud: null, answer: 'registers' }]);
      const created = await st.call('POST', '/api/field/modbus/devices', {
        token: admin,
        body: device({
          name: 'behind gateway',
          device_id: 'mb-gw',
          transport: { kind: 'tcp', host: '127.0.0.1', port },
          unit_id: 3,
          tags: [{ name: 'x', function: 'holding', address: 0, field: 'x' }],
        }),
      });
      await vi.waitFor(async () => expect((await status(created.body.id)).consecutive_failures).toBeGreaterThanOrEqual(1), { timeout: 20_000, interval: 100 });
      expect(await status(created.body.id)).toMatchObject({ state: 'backoff', last_error: expect.stringMatching(/unit 3: the gateway answered exception 11/) });
      expect((await st.call('DELETE', `/api/field/modbus/devices/${created.body.id}`, { token: admin })).status).toBe(204);
    } finally {
      await new Promise((r) => gateway.close(r));
    }
  }, 60_000);

  it('when a scan is cancelled, then it stops as cancelled and has no result', async () => {
    const res = await st.call('POST', '/api/field/modbus/scan', {
      token: admin,
      body: { transport: { kind: 'tcp', host: '127.0.0.1', port: server.port }, unit_from: 10, unit_to: 247, timeout_ms: 100 },
    });
    expect(res.status).toBe(202);
    await vi.waitFor(async () => expect((await st.call('GET', `/api/tasks/${res.body.task_id}`, { token: admin })).body.status).toBe('running'), {
      timeout: 10_000,
      interval: 50,
    });
    expect((await st.call('DELETE', `/api/tasks/${res.body.task_id}`, { token: admin })).status).toBe(200);
    await vi.waitFor(async () => expect((await st.call('GET', `/api/tasks/${res.body.task_id}`, { token: admin })).body.status).toBe('cancelled'), {
      timeout: 10_000,
      interval: 50,
    });
    expect((await st.call('GET', res.body.result_url, { token: admin })).status).toBe(409);
    const bad = await st.call('POST', '/api/field/modbus/scan', {
      token: admin,
      body: { transport: { kind: 'tcp', host: '127.0.0.1', port: server.port }, unit_from: 9, unit_to: 3, bauds: [9600] },
    });
    expect(bad.status).toBe(422);
    expect(bad.body.errors.map((e: { path: string }) => e.path).sort()).toEqual(['bauds', 'unit_to']);
  }, 30_000);

  it('when a map is exported as CSV and imported into another device, then it is the same map', async () => {
    const d = await wellhead();
    const csv = await st.call('GET', `/api/field/modbus/devices/${d.id}/map?format=csv`, { token: admin });
    expect(csv.status).toBe(200);
    expect(csv.text.split('\n')[0]).toBe('name,function,address,type,order,scale,offset,unit,deadband,field');
    const other = await st.call('POST', '/api/field/modbus/devices', {
      token: admin,
      body: device({ name: 'copy', device_id: 'mb-copy', enabled: false, tags: [] }),
    });
    const put = await st.call('PUT', `/api/field/modbus/devices/${other.body.id}/map`, { token: admin, raw: csv.text, type: 'text/csv' });
    expect(put.status, put.text).toBe(200);
    expect(put.body.tags).toEqual(d.tags);
    const broken = await st.call('PUT', `/api/field/modbus/devices/${other.body.id}/map`, {
      token: admin,
      raw: `${csv.text}x,holding,1,float16,ABCD,1,0,,0,x\n`,
      type: 'text/csv',
    });
    expect(broken.status).toBe(422);
    expect(broken.body.errors[0].path).toBe(`tags.${d.tags.length}.type`);
  });

  it('when devices conflict or are changed, then 409s name the conflict and updates are audited', async () => {
    const d = await wellhead();
    const dup = await st.call('POST', '/api/field/modbus/devices', { token: admin, body: device({ name: 'another' }) });
    expect(dup.status).toBe(409);
    expect(dup.body.detail).toMatch(/mb-well-1/);
    const { id: _id, created_at: _c, updated_at: _u, ...body } = d;
    const put = await st.call('PUT', `/api/field/modbus/devices/${d.id}`, { token: admin, body: { ...body, interval_s: 2 } });
    expect(put.status, put.text).toBe(200);
    expect(put.body.interval_s).toBe(2);
    expect(st.count("SELECT COUNT(*) FROM audit_log WHERE action = 'field.modbus.device.update'")).toBeGreaterThanOrEqual(2);
    expect((await st.call('GET', '/api/field/modbus/devices/999', { token: admin })).status).toBe(404);
    expect((await st.call('GET', '/api/field/modbus/devices/abc', { token: admin })).status).toBe(404);
    const doc = await st.call('GET', '/openapi.json');
    expect(Object.keys(doc.body.paths)).toEqual(
      expect.arrayContaining([
        '/api/field/modbus/devices',
        '/api/field/modbus/devices/{id}/read',
        '/api/field/modbus/scan',
        '/api/field/status',
        '/api/field/serial-ports',
      ]),
    );
  });

  it('when the station restarts on the same data dir, then polling resumes from the stored configuration', async () => {
    const config = st.station.config;
    const before = rows('mb-well-1');
    await st.station.close();
    const again = await startStation(config, { logger: createLogger('silent') });
    try {
      const stored = () =>
        again.db.prepare("SELECT COUNT(*) FROM telemetry t JOIN devices d ON d.id = t.device_ref WHERE d.device_id = 'mb-well-1'").pluck().get() as number;
      await vi.waitFor(() => expect(stored()).toBeGreaterThanOrEqual(before + 2), { timeout: 30_000, interval: 100 });
    } finally {
      await again.close();
    }
  }, 60_000);
});
