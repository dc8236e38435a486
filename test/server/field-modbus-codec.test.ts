import { describe, expect, it } from 'vitest';
import { modbusDeviceInputSchema, parseReference, tagInputSchema, tagsFromCsv, tagsToCsv, type Tag } from '../../src/shared/field-modbus';
import { allOrders, decodeTag, planBlocks } from '../../src/server/field/modbus/codec';
import { words } from './helpers/modbus-server';

const tag = (t: Record<string, unknown>): Tag => tagInputSchema.parse({ name: 't', field: 'f', ...t });
const ORDERS = ['ABCD', 'CDAB', 'BADC', 'DCBA'] as const;

describe('register decoding', () => {
  it.each(ORDERS)('when a value is stored in %s, then the tag with that order reads it back for every type', (order) => {
    const cases = [
      ['int16', -1234],
      ['uint16', 65000],
      ['int32', -2_000_000_000],
      ['uint32', 4_000_000_000],
      ['float32', -40.125],
      ['float64', 1.0000000000000002],
    ] as const;
    for (const [type, value] of cases) expect(decodeTag(tag({ function: 'holding', address: 0, type, order }), words(type, value, order))).toBe(value);
  });

  it('when a 32-bit value is read, then all four orders are offered and only the right one is the value', () => {
    const t = tag({ function: 'holding', address: 0, type: 'float32', order: 'ABCD', scale: 2, offset: 1 });
    const orders = allOrders(t, words('float32', 71.5, 'CDAB'))!;
    expect(orders.CDAB).toBe(71.5 * 2 + 1);
    expect(Object.values(orders).filter((v) => v === 144)).toHaveLength(1);
    expect(allOrders(tag({ function: 'holding', address: 0, type: 'uint16' }), [5])).toBeNull();
  });
});

describe('block planning', () => {
  it('when tags touch or overlap, then they share a request; a gap or the block limit starts a new one; tables never mix', () => {
    const tags = [
      tag({ name: 'a', function: 'holding', address: 0, type: 'float32' }),
      tag({ name: 'b', function: 'holding', address: 2, type: 'uint16' }),
      tag({ name: 'c', function: 'holding', address: 2, type: 'int16' }), // the same register, read twice
      tag({ name: 'd', function: 'holding', address: 10, type: 'float64' }), // gap: never read 3-9
      tag({ name: 'e', function: 'input', address: 3, type: 'uint16' }),
      tag({ name: 'f', function: 'coil', address: 0 }),
      tag({ name: 'g', function: 'coil', address: 1999 }),
    ];
    expect(planBlocks(tags, 125).map((b) => [b.function, b.start, b.count, b.tags.map((t) => t.name).join('')])).toEqual([
      ['holding', 0, 3, 'abc'],
      ['holding', 10, 4, 'd'],
      ['input', 3, 1, 'e'],
      ['coil', 0, 1, 'f'],
      ['coil', 1999, 1, 'g'],
    ]);
    expect(planBlocks(tags.slice(0, 3), 2).map((b) => [b.start, b.count])).toEqual([
      [0, 2],
      [2, 1],
    ]);
  });
});

describe('tag and map schema', () => {
  it('when addresses come as references, then the table and 0-based address follow from them', () => {
    expect(parseReference('40001')).toEqual({ function: 'holding', address: 0 });
    expect(parseReference('300010')).toEqual({ function: 'input', address: 9 });
    expect(parseReference('00001')).toEqual({ function: 'coil', address: 0 });
    expect(parseReference('20001')).toBeUndefined();
    expect(tag({ address: '10005' })).toMatchObject({ function: 'discrete', address: 4, type: 'bool' });
    expect(tag({ function: 'holding', address: '17' })).toMatchObject({
      function: 'holding',
      address: 17,
      type: 'uint16',
      order: 'ABCD',
      scale: 1,
      offset: 0,
      deadband: 0,
      unit: null,
    });
    expect(tagInputSchema.safeParse({ name: 't', field: 'f', address: '40001', function: 'input' }).success).toBe(false);
  });

  it('when a map goes out as CSV and comes back, then it is the same map (quotes and commas included)', () => {
    const tags = [
      tag({ name: 'casing p', function: 'holding', address: 40000, type: 'float32', order: 'CDAB', unit: 'in "H2O", 60F', field: 'pressure', scale: 0.1 }),
      tag({ name: 'b', address: '10001', field: 'door' }),
    ];
    const back = modbusDeviceInputSchema.parse({ name: 'x', device_id: 'x', transport: { kind: 'tcp', host: 'h' }, tags: tagsFromCsv(tagsToCsv(tags)) }).tags;
    expect(back).toEqual(tags);
  });
});
