import { describe, expect, it } from 'vitest';
import { SparkplugHost, type HostSettings } from '../../src/server/field/mqtt/host';
import type { BirthRecord, BirthStore } from '../../src/server/field/mqtt/repository';
import sparkplugProto from 'sparkplug-payload/lib/sparkplugPayloadProto.js';
import { encodeSparkplug } from './helpers/sparkplug-node';

/** The births the host saves, kept in memory: a second host built on it is a station after a restart. */
class MemoryBirths implements BirthStore {
  births = new Map<string, BirthRecord>();
  loadBirths = () => [...this.births.values()];
  saveBirth = (b: Omit<BirthRecord, 'diedAt'>) => void this.births.set(`${b.group}/${b.node}/${b.device}`, { ...b, diedAt: null });
  markDead = (group: string, node: string, at: number, device?: string) => {
    for (const b of this.births.values()) if (b.group === group && b.node === node && (device === undefined || b.device === device)) b.diedAt = at;
  };
}

const T = Date.UTC(2026, 10, 1, 12);
const settings: HostSettings = { metricMap: { 'Inputs/TT-101': 'temperature' }, deviceMap: { 'G/N/D1': 'well-001' }, rebirthIntervalMs: 10_000 };
const nbirth = (bdSeq: number, metrics: object[] = []) =>
  encodeSparkplug({
    timestamp: T,
    seq: 0,
    metrics: [{ name: 'bdSeq', type: 'UInt64', value: bdSeq }, { name: 'Node Control/Rebirth', type: 'Boolean', value: false }, ...(metrics as never[])],
  });
const dbirth = (seq: number) =>
  encodeSparkplug({
    timestamp: T,
    seq,
    metrics: [
      { name: 'Inputs/TT-101', alias: 1, type: 'Float', value: 20, timestamp: T },
      { name: 'Pressure', alias: 2, type: 'Double', value: 1000, timestamp: T },
      { name: 'Pump/Running', alias: 3, type: 'Boolean', value: true, timestamp: T },
      { name: 'Trend', alias: 4, type: 'DataSet', value: { numOfColumns: 1, columns: ['a'], types: ['Int32'], rows: [[1]] }, timestamp: T },
    ],
  });
const ddata = (seq: number, ts: number, metrics: object[]) => encodeSparkplug({ timestamp: ts, seq, metrics: metrics as never[] });

function born(store = new MemoryBirths()) {
  const host = new SparkplugHost(settings, store);
  host.handle('G', 'NBIRTH', 'N', undefined, nbirth(7));
  const out = host.handle('G', 'DBIRTH', 'N', 'D1', dbirth(1));
  return { host, store, birthReadings: out.readings };
}

describe('Sparkplug host state', () => {
  it('when a device is born, then its values are a reading under the mapped id, columns by metric_map, others in extra, data sets left out', () => {
    const { birthReadings } = born();
    expect(birthReadings).toEqual([{ device_id: 'well-001', ts: T / 1000, temperature: 20, pressure: 1000, extra: { 'Pump.Running': true } }]);
  });

  it('when metrics carry different timestamps, then each instant is its own reading', () => {
    const { host } = born();
    const out = host.handle(
      'G',
      'DDATA',
      'N',
      'D1',
      ddata(2, T + 5000, [
        { alias: 1, type: 'Float', value: 21, timestamp: T + 1000 },
        { alias: 2, type: 'Double', value: 1001, timestamp: T + 2000 },
      ]),
    );
    expect(out).toEqual({
      readings: [
        { device_id: 'well-001', ts: (T + 1000) / 1000, temperature: 21 },
        { device_id: 'well-001', ts: (T + 2000) / 1000, pressure: 1001 },
      ],
      rebirth: undefined,
    });
  });

  it('when a historical value arrives, then it is stored but the live value stays the newest', () => {
    const { host } = born();
    host.handle('G', 'DDATA', 'N', 'D1', ddata(2, T + 10_000, [{ alias: 2, type: 'Double', value: 1005, timestamp: T + 10_000 }]));
    const out = host.handle('G', 'DDATA', 'N', 'D1', ddata(3, T + 11_000, [{ alias: 2, type: 'Double', value: 990, timestamp: T + 3000, isHistorical: true }]));
    expect(out.readings).toEqual([{ device_id: 'well-001', ts: (T + 3000) / 1000, pressure: 990 }]);
    expect(host.view()[0]!.devices[0]!.metrics.find((m) => m.name === 'Pressure')).toMatchObject({ value: 1005, ts: (T + 10_000) / 1000 });
  });

  it('when an NDEATH of an older session (another bdSeq) arrives late, then the node stays online', () => {
    const { host } = born();
    host.handle('G', 'NDEATH', 'N', undefined, encodeSparkplug({ timestamp: T, metrics: [{ name: 'bdSeq', type: 'UInt64', value: 6 }] }));
    expect(host.view()[0]).toMatchObject({ online: true });
    host.handle('G', 'NDEATH', 'N', undefined, encodeSparkplug({ timestamp: T, metrics: [{ name: 'bdSeq', type: 'UInt64', value: 7 }] }));
    expect(host.view()[0]).toMatchObject({ online: false, devices: [expect.objectContaining({ online: false })] });
  });

  it('when seq wraps from 255 to 0, then that is no gap', () => {
    const { host } = born();
    let seq = 2;
    for (let i = 0; i < 300; i++, seq = (seq + 1) % 256) {
      const out = host.handle('G', 'DDATA', 'N', 'D1', ddata(seq, T + i, [{ alias: 1, type: 'Float', value: i, timestamp: T + i }]));
      expect(out.rebirth).toBeUndefined();
    }
  });

  it('when DDATA comes for a device never born, then a rebirth is due and named metrics are still kept', () => {
    const { host } = born();
    const out = host.handle(
      'G',
      'DDATA',
      'N',
      'D9',
      ddata(2, T, [
        { name: 'Pressure', type: 'Double', value: 5, timestamp: T },
        { alias: 2, type: 'Double', value: 6, timestamp: T },
      ]),
    );
    expect(out.rebirth).toMatch(/before its DBIRTH/);
    expect(out.readings).toEqual([{ device_id: 'G:N:D9', ts: T / 1000, pressure: 5 }]);
  });

  it('when rebirths are due often, then one per interval is sent unless forced', () => {
    const { host } = born();
    expect(host.takeRebirth('G', 'N', T)).toBe(true);
    expect(host.takeRebirth('G', 'N', T + 9_999)).toBe(false);
    expect(host.takeRebirth('G', 'N', T + 9_999, true)).toBe(true);
    expect(host.takeRebirth('G', 'N', T + 20_000)).toBe(true);
    expect(host.view()[0]!.rebirths_requested).toBe(3);
  });

  it('when the station restarts, then data by alias decodes from the saved births without a rebirth', () => {
    const { store } = born();
    const after = new SparkplugHost(settings, store);
    const out = after.handle('G', 'DDATA', 'N', 'D1', ddata(200, T + 1000, [{ alias: 1, type: 'Float', value: 22, timestamp: T + 1000 }]));
    expect(out).toEqual({ readings: [{ device_id: 'well-001', ts: (T + 1000) / 1000, temperature: 22 }], rebirth: undefined });
  });

  it('when a data message leaves out the data types (allowed after birth), then values still decode by alias', () => {
    const { host } = born();
    const Payload = sparkplugProto.org.eclipse.tahu.protobuf.Payload;
    const raw = Payload.encode(
      Payload.create({
        timestamp: T + 1000,
        seq: 2,
        metrics: [
          { alias: 2, timestamp: T + 1000, doubleValue: 1002.5 },
          { alias: 3, timestamp: T + 1000, booleanValue: false },
        ],
      }),
    ).finish();
    expect(host.handle('G', 'DDATA', 'N', 'D1', raw).readings).toEqual([
      { device_id: 'well-001', ts: (T + 1000) / 1000, pressure: 1002.5, extra: { 'Pump.Running': false } },
    ]);
  });

  it('when a payload is not protobuf, then it is an error, not an exception', () => {
    const { host } = born();
    const out = host.handle('G', 'DDATA', 'N', 'D1', Buffer.from('{"temperature": 1}'));
    expect(out.readings).toEqual([]);
    expect(out.error).toMatch(/not a Sparkplug B payload/);
    expect(host.view()[0]!.decode_errors).toBe(1);
  });
});
