import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { LineScanner, MAX_FIELDS_PER_LINE, MAX_LINE_CHARS, MAX_TAGS_PER_LINE, type ScanResult } from '../../src/server/influx/line-protocol';
import { timestampToMs } from '../../src/server/influx/to-reading';

const fixture = (name: string) => readFileSync(new URL(`../fixtures/line-protocol/${name}`, import.meta.url), 'utf8');

/** Feeds text in chunks of the given sizes (cycled) and collects every result with its line number. */
function scan(text: string, chunkSizes: number[] = [text.length || 1]) {
  const s = new LineScanner();
  const out: { line: number; result: ScanResult }[] = [];
  const drain = () => {
    for (;;) {
      const r = s.next();
      if (r.kind === 'incomplete' || r.kind === 'end') return;
      out.push({ line: s.lineNumber, result: r });
    }
  };
  for (let i = 0, k = 0; i < text.length; k++) {
    const size = chunkSizes[k % chunkSizes.length]!;
    s.push(text.slice(i, i + size));
    i += size;
    drain();
  }
  s.end();
  drain();
  return out;
}

const lines = (text: string) => scan(text).map((r) => (r.result.kind === 'line' ? r.result.line : r.result));

describe('line-protocol scanner', () => {
  it('when names carry escaped commas, spaces and equals signs, then they are unescaped per element', () => {
    const [line] = lines('my\\ meas\\,ure\\=x,tag\\ k\\,e\\=y=v\\ a\\,l\\=ue field\\ k\\,e\\=y=1 5\n');
    expect(line).toEqual({
      measurement: 'my meas,ure\\=x',
      tags: { 'tag k,e=y': 'v a,l=ue' },
      fields: { 'field k,e=y': 1 },
      timestamp: '5',
    });
  });

  it('when string fields hold escaped quotes, backslashes, commas, spaces, equals and newlines, then they come back as written', () => {
    const [line] = lines('m s="a \\"b\\" c\\\\d, e=f\nnext",x=1\n');
    expect(line).toMatchObject({ fields: { s: 'a "b" c\\d, e=f\nnext', x: 1 }, timestamp: undefined });
  });

  it('when a backslash precedes any other character, then it is kept literally', () => {
    const [line] = lines('m\\x,t=a\\b s="c\\d" 1');
    expect(line).toMatchObject({ measurement: 'm\\x', tags: { t: 'a\\b' }, fields: { s: 'c\\d' } });
  });

  it('when every boolean spelling is used, then each maps to true or false', () => {
    const [line] = lines('m a=t,b=T,c=true,d=True,e=TRUE,f=f,g=F,h=false,i=False,j=FALSE');
    expect(line).toMatchObject({ fields: { a: true, b: true, c: true, d: true, e: true, f: false, g: false, h: false, i: false, j: false } });
  });

  it('when numbers use i, u, exponents, signs and bare fractions, then they parse as numbers', () => {
    const [line] = lines('m a=-12i,b=7u,c=1.5e3,d=-2E-2,e=.5,f=1.,g=+3,h=0');
    expect(line).toMatchObject({ fields: { a: -12, b: 7, c: 1500, d: -0.02, e: 0.5, f: 1, g: 3, h: 0 } });
  });

  it('when values are malformed, then each line gets its own reason and the next line still parses', () => {
    const results = scan(['m a=1.2.3', 'm a=1e', 'm a=-1u', 'm a=1.5i', 'm a=tru', 'm a=Inf', 'm a=', 'm a=99999999999999999999i', 'm ok=1'].join('\n'));
    expect(results.map((r) => r.line)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(results.slice(0, 8).every((r) => r.result.kind === 'error')).toBe(true);
    expect(results[8]!.result).toMatchObject({ kind: 'line', line: { fields: { ok: 1 } } });
  });

  it('when the structure is broken, then the reason names what is missing', () => {
    const msg = (text: string) => (scan(text)[0]!.result as { message?: string }).message;
    expect(msg('m')).toMatch(/ends early|missing fields/);
    expect(msg('m,t=1')).toMatch(/ends early|missing fields/);
    expect(msg('m,t=1 \n')).toMatch(/missing fields/);
    expect(msg('m,t f=1\n')).toMatch(/has no value/);
    expect(msg('m,t= f=1\n')).toMatch(/empty value/);
    expect(msg('m f=1 12x\n')).toMatch(/after the timestamp/);
    expect(msg('m f=1 abc\n')).toMatch(/bad timestamp/);
    expect(msg('m f="x\n')).toMatch(/unterminated/);
    expect(msg('m f="x"y=1\n')).toMatch(/after a string field/);
    expect(msg(',t=1 f=1\n')).toMatch(/missing measurement/);
  });

  it('when comments, blank lines and CRLF endings are mixed in, then line numbers still count every physical line', () => {
    const results = scan('# c\r\n\r\nm a=1\r\n\n# d\nm b=2 3\r\nbad\n');
    expect(results.map((r) => [r.line, r.result.kind])).toEqual([
      [3, 'line'],
      [6, 'line'],
      [7, 'error'],
    ]);
  });

  it('when the syntax fixture arrives in chunks of any size, then the result equals parsing it whole', () => {
    const text = `${fixture('syntax.lp')}\n${fixture('errors.lp')}`;
    const whole = scan(text);
    for (const sizes of [[1], [2, 3], [7], [64], [13, 1, 5]]) expect(scan(text, sizes)).toEqual(whole);
    expect(whole.filter((r) => r.result.kind === 'line')).toHaveLength(9 + 10);
  });

  it('when one line never ends, then it is refused once it passes the length cap and later lines still parse', () => {
    const s = new LineScanner();
    const results: ScanResult[] = [];
    const chunk = 'x'.repeat(64 * 1024);
    for (let sent = 0; sent <= MAX_LINE_CHARS + chunk.length; sent += chunk.length) {
      s.push(chunk);
      for (let r = s.next(); r.kind !== 'incomplete'; r = s.next()) results.push(r);
    }
    s.push('more\nm ok=1\n');
    s.end();
    for (let r = s.next(); r.kind !== 'end'; r = s.next()) results.push(r);
    expect(results[0]).toMatchObject({ kind: 'error', message: expect.stringMatching(/longer than/) });
    expect(results.at(-1)).toMatchObject({ kind: 'line', line: { fields: { ok: 1 } } });
  });

  it('when timestamps have each precision, then they convert to exact milliseconds', () => {
    expect(timestampToMs('1714564800123456789', 'ns')).toBe(1714564800123);
    expect(timestampToMs('1714564800123456', 'us')).toBe(1714564800123);
    expect(timestampToMs('1714564800123', 'ms')).toBe(1714564800123);
    expect(timestampToMs('1714564800', 's')).toBe(1714564800000);
    expect(timestampToMs('28576080', 'm')).toBe(1714564800000);
    expect(timestampToMs('476268', 'h')).toBe(1714564800000);
    expect(timestampToMs('999', 'ns')).toBe(0);
  });
});

describe('line-protocol scanner limits', () => {
  it('when a long string field arrives in many small pieces, then the line is parsed once, whole', () => {
    const value = 'v'.repeat(300_000);
    const text = `m,device_id=w s="${value}",t=1 5\nm,device_id=w t=2 6\n`;
    const results = scan(text, [512]);
    expect(results.map((r) => r.line)).toEqual([1, 2]);
    expect(results[0]!.result).toMatchObject({ kind: 'line', line: { fields: { s: value, t: 1 } } });
    expect(results[1]!.result).toMatchObject({ kind: 'line', line: { fields: { t: 2 } } });
  });

  it('when small lines arrive a byte at a time, then every line still comes out in order', () => {
    const text = Array.from({ length: 50 }, (_, i) => `m,device_id=w t=${i} ${i + 1}\n`).join('');
    const results = scan(text, [1]);
    expect(results.map((r) => (r.result.kind === 'line' ? r.result.line.fields.t : r.result))).toEqual(Array.from({ length: 50 }, (_, i) => i));
  });

  it('when a line has more fields or tags than allowed, then that line is an error and the next is read', () => {
    const manyFields = `m,device_id=w ${Array.from({ length: MAX_FIELDS_PER_LINE + 1 }, (_, i) => `f${i}=1`).join(',')} 1\n`;
    const manyTags = `m,${Array.from({ length: MAX_TAGS_PER_LINE + 1 }, (_, i) => `t${i}=a`).join(',')} f=1 2\n`;
    const results = scan(`${manyFields}${manyTags}m,device_id=w t=3 3\n`, [700]);
    expect(results.map((r) => r.line)).toEqual([1, 2, 3]);
    expect(results[0]!.result).toMatchObject({ kind: 'error', message: expect.stringMatching(/more than 128 fields/) });
    expect(results[1]!.result).toMatchObject({ kind: 'error', message: expect.stringMatching(/more than 64 tags/) });
    expect(results[2]!.result).toMatchObject({ kind: 'line' });
    const justEnough = `m,device_id=w ${Array.from({ length: MAX_FIELDS_PER_LINE }, (_, i) => `f${i}=1`).join(',')} 1\n`;
    expect(scan(justEnough)[0]!.result.kind).toBe('line');
  });
});

describe('integers a reading cannot hold exactly', () => {
  it('when an integer field is beyond 2^53-1, then its line is refused by name instead of being stored rounded', () => {
    const [big, unsignedBig, largest] = scan('m v=9007199254740993i\nm v=9007199254740992u\nm v=-9007199254740991i\n');
    expect(big!.result).toMatchObject({ kind: 'error', message: expect.stringMatching(/9007199254740993 cannot be stored exactly/) });
    expect(unsignedBig!.result).toMatchObject({ kind: 'error', message: expect.stringMatching(/cannot be stored exactly/) });
    expect(largest!.result).toMatchObject({ kind: 'line', line: { fields: { v: -9007199254740991 } } });
  });
});
