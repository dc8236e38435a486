import { describe, expect, it } from 'vitest';
import { createCsvLineFormatter, createIsoFormatter, csvField } from '../../src/server/telemetry/csv';

describe('export CSV formatting', () => {
  it('when times are formatted in sequence, then each equals Date#toISOString', () => {
    const iso = createIsoFormatter();
    let seed = 7;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    let ms = Date.UTC(1999, 11, 31, 23, 59, 58, 990);
    for (let i = 0; i < 20_000; i++) {
      // mostly small steps (same minute), sometimes jumps back and forth across minutes and days
      ms += random() < 0.9 ? Math.floor(random() * 1500) : Math.floor((random() - 0.3) * 3 * 86_400_000);
      expect(iso(ms)).toBe(new Date(ms).toISOString());
    }
    expect(iso(Date.UTC(2024, 1, 29, 0, 0, 0, 5))).toBe('2024-02-29T00:00:00.005Z');
  });

  it('when fields hold commas, quotes or line breaks, then they are quoted with doubled quotes', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    const line = createCsvLineFormatter()([7, 'well-1', 1_700_000_000_250, 1.5, null, 'ok', '{"note":"a, b"}']);
    expect(line).toBe('7,well-1,1700000000.25,2023-11-14T22:13:20.250Z,1.5,,ok,"{""note"":""a, b""}"\r\n');
  });
});
