import { isDeepStrictEqual } from 'node:util';
import { describe, expect, it } from 'vitest';
import { fastParseReading, readingInputSchema, safeParseReading } from '../../src/shared/telemetry';
import { seededRandom } from '../../src/shared/random';

/**
 * The ingest fast path must be the schema, only faster: whatever it accepts the schema accepts with
 * the same output, and safeParseReading answers exactly as readingInputSchema.safeParse does.
 */

// Seeded, so a failure can be replayed.
const rng = seededRandom;

const nowS = () => Date.now() / 1000;
class Instance {
  device_id = 'well-1';
  ts = nowS() - 60;
  temperature = 1;
}
const nullProto = (o: Record<string, unknown>) => Object.assign(Object.create(null) as object, o);

const DEVICE_IDS: unknown[] = [
  'well-1',
  'A',
  '9',
  'a'.repeat(64),
  'a'.repeat(65),
  '-well',
  '_well',
  'well 1',
  'wéll',
  "x'; DROP TABLE telemetry;--",
  'gw:01.a_b-c',
  '',
  ' well',
  'well\n',
  42,
  null,
  undefined,
  true,
  ['well'],
  { id: 'well' },
];
const TIMESTAMPS = (): unknown[] => [
  nowS() - 60,
  Math.floor(nowS()) - 3600,
  nowS() + 3600,
  nowS() + 86_400 + 600,
  nowS() + 86_400 - 600,
  315_532_800,
  315_532_799.9994,
  315_532_799.9996,
  315_532_799,
  0,
  -1,
  1e300,
  NaN,
  Infinity,
  -Infinity,
  String(Math.floor(nowS()) - 60),
  ` ${Math.floor(nowS()) - 60} `,
  `${Math.floor(nowS()) - 60}.5`,
  '2024-05-01T12:00:00Z',
  '2024-05-01T12:00:00.123456789+02:00',
  '2024-05-01',
  '2024-05-01T12:00:00',
  '2024-13-45T99:99:99Z',
  '1900-01-01T00:00:00Z',
  '3000-01-01T00:00:00Z',
  'yesterday',
  '',
  'NaN',
  'Infinity',
  '1e9',
  null,
  undefined,
  true,
  [1],
  {},
];
const MEASUREMENTS: unknown[] = [
  0,
  -0,
  1,
  -1,
  70.5,
  1e12,
  -1e12,
  1e12 + 1,
  -1e12 - 1,
  1e300,
  Number.MIN_VALUE,
  NaN,
  Infinity,
  -Infinity,
  '70',
  'NaN',
  null,
  undefined,
  true,
  [],
  {},
];
const STATUSES: unknown[] = ['ok', 'a'.repeat(32), 'a'.repeat(33), 'a b', '', 'ALARM_1.x-y', 'é', null, undefined, 1, false];
const EXTRA_KEYS = ['flow', '_x', 'a.b-c', 'A'.repeat(64), 'A'.repeat(65), '1abc', '-x', 'has space', '', 'constructor', 'toString', '__proto__', 'é'];
const EXTRA_VALUES: unknown[] = [1, -0, 1e300, NaN, Infinity, 'x', 'x'.repeat(256), 'x'.repeat(257), '', true, false, null, undefined, [], {}, { a: 1 }];

function pick<T>(r: () => number, list: readonly T[]): T {
  return list[Math.floor(r() * list.length)]!;
}

function randomExtra(r: () => number): unknown {
  const roll = r();
  if (roll < 0.05) return null;
  if (roll < 0.1) return pick(r, [[], [1], 'x', 1, new Instance(), nullProto({ flow: 1 }), new Map()]);
  const o: Record<string, unknown> = {};
  const n = roll < 0.15 ? 31 + Math.floor(r() * 4) : Math.floor(r() * 4);
  for (let i = 0; i < n; i++) {
    const key = n > 4 ? `k${i}` : pick(r, EXTRA_KEYS);
    // a fair share of only-valid values, so accepted inputs with extra are common too
    o[key] = r() < 0.6 ? pick(r, [1, 2.5, 'x', true, false]) : pick(r, EXTRA_VALUES);
  }
  return o;
}

function randomReading(r: () => number): unknown {
  const roll = r();
  if (roll < 0.03)
    return pick(r, [
      null,
      undefined,
      1,
      'x',
      true,
      [],
      [{ device_id: 'a' }],
      new Date(),
      new Instance(),
      nullProto({ device_id: 'well-1', ts: nowS() - 60, temperature: 1 }),
    ]);
  const valid = r() < 0.5;
  const o: Record<string, unknown> = {};
  if (r() < 0.97) o.device_id = valid ? pick(r, ['well-1', 'gw:01.a_b-c', 'A']) : pick(r, DEVICE_IDS);
  if (r() < 0.97) o.ts = valid ? nowS() - 60 - Math.floor(r() * 1e6) : pick(r, TIMESTAMPS());
  for (const key of ['temperature', 'pressure'] as const) {
    if (r() < 0.7) o[key] = valid ? pick(r, [0, 70.5, -3, 1e12]) : pick(r, MEASUREMENTS);
  }
  if (r() < 0.5) o.status = valid ? pick(r, ['ok', 'ALARM']) : pick(r, STATUSES);
  if (r() < 0.3) o.extra = randomExtra(r);
  if (r() < 0.05) o[pick(r, ['humidity', 'Device_id', '', 'toString', 'id'])] = 1;
  return o;
}

/** Some inputs arrive as JSON text, where "__proto__" is an ordinary own key. */
const JSON_INPUTS = [
  '{"device_id":"w","ts":TS,"temperature":1,"__proto__":{"x":1}}',
  '{"device_id":"w","ts":TS,"extra":{"__proto__":1}}',
  '{"device_id":"w","ts":TS,"temperature":1,"extra":{"__proto__":1,"a":2}}',
  '{"__proto__":{"device_id":"w","ts":TS,"temperature":1}}',
  '{"device_id":"w","ts":TS,"temperature":1,"device_id":"v"}',
  '{"device_id":"w","ts":TS,"extra":{"constructor":1,"hasOwnProperty":"x"}}',
];

function compare(input: unknown): 'accepted' | 'rejected' {
  const zod = readingInputSchema.safeParse(input);
  const fast = fastParseReading(input);
  const both = safeParseReading(input);
  const same =
    (fast === undefined || (zod.success && isDeepStrictEqual(fast, zod.data) && Object.keys(fast).join() === Object.keys(zod.data).join())) &&
    both.success === zod.success &&
    (both.success ? isDeepStrictEqual(both.data, zod.data) : isDeepStrictEqual(both.error.issues, zod.error?.issues));
  // expect() only on a mismatch: it is what makes 20,000 comparisons slow
  if (!same) {
    expect({ input, fast, both }).toEqual({ input, fast: zod.success ? zod.data : undefined, both: zod });
  }
  return zod.success ? 'accepted' : 'rejected';
}

describe('fast reading check', () => {
  it('when 20,000 random valid and hostile readings go through both, then accept/reject and outputs are identical', () => {
    const r = rng(20240501);
    const tally = { accepted: 0, rejected: 0, fast: 0 };
    for (let i = 0; i < 20_000; i++) {
      const input = randomReading(r);
      tally[compare(input)]++;
      if (fastParseReading(input) !== undefined) tally.fast++;
    }
    // The generator must exercise both sides, and the fast path must carry most valid input.
    expect(tally.accepted).toBeGreaterThan(2000);
    expect(tally.rejected).toBeGreaterThan(2000);
    expect(tally.fast).toBeGreaterThan(tally.accepted * 0.9);
  });

  it('when JSON bodies carry __proto__, duplicate keys or Object.prototype names, then both answer the same', () => {
    const ts = String(Math.floor(nowS()) - 60);
    for (const text of JSON_INPUTS) compare(JSON.parse(text.replace('TS', ts)));
  });

  it('when a key is present but undefined, or the object is not plain, then the schema decides', () => {
    const ts = nowS() - 60;
    const inputs = [
      { device_id: 'w', ts, temperature: undefined, pressure: 1 },
      { device_id: 'w', ts, temperature: 1, extra: undefined },
      { device_id: 'w', ts, temperature: 1, extra: { a: undefined } },
      new Instance(),
      nullProto({ device_id: 'w', ts, temperature: 1 }),
      { device_id: 'w', ts, extra: nullProto({ a: 1 }) },
      Object.assign(Object.create({ temperature: 5 }) as object, { device_id: 'w', ts }),
      { device_id: 'w', ts, temperature: 1, extra: Object.assign(Object.create({ inherited: 1 }) as object, { a: 1 }) },
    ];
    for (const input of inputs) {
      compare(input);
    }
    expect(fastParseReading(inputs[0])).toBeUndefined();
    expect(fastParseReading(inputs[3])).toBeUndefined();
  });

  it('when a reading has exactly 32 extra fields or a 256-character string, then it passes; one more fails both ways', () => {
    const ts = nowS() - 60;
    const extra = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`f${i}`, i]));
    expect(compare({ device_id: 'w', ts, extra: extra(32) })).toBe('accepted');
    expect(compare({ device_id: 'w', ts, extra: extra(33) })).toBe('rejected');
    expect(compare({ device_id: 'w', ts, extra: { s: 'x'.repeat(256) } })).toBe('accepted');
    expect(compare({ device_id: 'w', ts, extra: { s: 'x'.repeat(257) } })).toBe('rejected');
    expect(compare({ device_id: 'w', ts, extra: {} })).toBe('rejected');
    expect(compare({ device_id: 'w', ts, temperature: null, pressure: null, extra: null })).toBe('rejected');
  });
});
