import { describe, expect, it } from 'vitest';
import { LineScanner, type ScanResult } from '../../src/server/influx/line-protocol';
import { mergeSameInstant } from '../../src/server/influx/to-reading';
import type { NewReading } from '../../src/shared/telemetry';
import { seededRandom } from '../../src/shared/random';

/**
 * The scanner reuses the key it read at the same position of the previous line when the text
 * matches. A scanner that starts afresh for every line never reuses anything, so it is the oracle:
 * one scanner over a whole body must give exactly what fresh scanners give line by line.
 */
function all(text: string, chunk = text.length || 1): ScanResult[] {
  const s = new LineScanner();
  const out: ScanResult[] = [];
  const drain = () => {
    for (let r = s.next(); r.kind !== 'incomplete' && r.kind !== 'end'; r = s.next()) out.push(r);
  };
  for (let i = 0; i < text.length; i += chunk) {
    s.push(text.slice(i, i + chunk));
    drain();
  }
  s.end();
  drain();
  return out;
}

const rng = seededRandom;

// keys that are prefixes of each other, escaped twins, and broken ones
const KEYS = ['temperature', 'temp', 'te', 'temperatur', 'te\\=mp', 'te\\ mp', 'te\\,mp', 'te\\mp', 't', 'temperature2', '', 'device_id', 'device', 'a"b'];
const VALUES = ['1', 'mp=1', '2.5', '-3i', '7u', 't', 'FALSE', '"x y"', '"a\\"b"', 'bad', '', '1e3'];
const pick = <T>(r: () => number, list: readonly T[]) => list[Math.floor(r() * list.length)]!;

describe('line-protocol key reuse', () => {
  it('when 3,000 random lines share, nearly share and escape keys, then one scanner equals a fresh scanner per line', () => {
    const r = rng(4242);
    const body: string[] = [];
    for (let i = 0; i < 3000; i++) {
      const tags = Array.from({ length: Math.floor(r() * 3) }, () => `,${pick(r, KEYS)}=${pick(r, ['w1', 'w2', 'a\\ b', ''])}`).join('');
      const fields = Array.from({ length: 1 + Math.floor(r() * 3) }, () => `${pick(r, KEYS)}=${pick(r, VALUES)}`).join(',');
      body.push(`m${tags} ${fields}${r() < 0.5 ? ` ${1700000000000 + i}` : ''}`);
    }
    const expected = body.flatMap((line) => all(`${line}\n`));
    expect(expected.filter((x) => x.kind === 'line').length).toBeGreaterThan(300);
    expect(expected.filter((x) => x.kind === 'error').length).toBeGreaterThan(300);
    const text = `${body.join('\n')}\n`;
    expect(all(text)).toEqual(expected);
    expect(all(text, 7)).toEqual(expected);
  });

  it('when a key was escaped on one line and the next line spells its unescaped text, then the next line is read afresh', () => {
    const body = ['m te\\=mp=1', 'm te=mp=1', 'm,k\\ x=1 f=1', 'm,k x=1 f=1', 'm temperature=1', 'm temperature2=1', 'm temp=1'];
    const expected = body.flatMap((line) => all(`${line}\n`));
    expect(expected[1]).toMatchObject({ kind: 'error' });
    expect(all(`${body.join('\n')}\n`)).toEqual(expected);
  });
});

describe('merging lines of the same device and instant', () => {
  it('when readings repeat a device and ts, then they merge into the first one, later fields winning', () => {
    const t0 = Date.UTC(2024, 0, 1);
    const r = (device_id: string, ts: number, o: Partial<NewReading>): NewReading => ({ device_id, ts: t0 + ts, ...o });
    const { readings, errors } = mergeSameInstant(
      [r('a', 1, { temperature: 1 }), r('b', 1, { pressure: 2 }), r('a', 2, { temperature: 3 }), r('a', 1, { pressure: 4 }), r('b', 1, { pressure: 5 })],
      [1, 2, 3, 4, 5],
    );
    expect(errors).toEqual([]);
    expect(readings).toEqual([
      { device_id: 'a', ts: t0 + 1, temperature: 1, pressure: 4 },
      { device_id: 'b', ts: t0 + 1, pressure: 5 },
      { device_id: 'a', ts: t0 + 2, temperature: 3 },
    ]);
  });
});
