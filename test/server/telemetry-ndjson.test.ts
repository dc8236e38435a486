import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import type { Request } from 'express';
import { describe, expect, it } from 'vitest';
import { MalformedLine, MAX_NDJSON_LINE_CHARS, readNdjson } from '../../src/server/telemetry/body';
import { seededRandom } from '../../src/shared/random';

/**
 * readNdjson splits the body itself instead of using node:readline; it must yield the very items
 * readline-based reading yielded (the previous implementation, kept here as the oracle), for any
 * line endings and any chunking, multi-byte characters split across chunks included.
 */
async function viaReadline(req: Readable): Promise<unknown[]> {
  const items: unknown[] = [];
  for await (const line of createInterface({ input: req, crlfDelay: Infinity })) {
    if (!line.trim()) continue;
    try {
      items.push(JSON.parse(line));
    } catch {
      items.push(new MalformedLine(line));
    }
  }
  return items;
}

function chunked(bytes: Buffer, sizes: () => number): Readable {
  const chunks: Buffer[] = [];
  for (let i = 0; i < bytes.length; ) {
    const n = Math.max(1, sizes());
    chunks.push(bytes.subarray(i, i + n));
    i += n;
  }
  return Object.assign(Readable.from(chunks), { headers: {} });
}

const rng = seededRandom;

const PIECES = [
  '{"device_id":"w-1","ts":1700000000,"temperature":1}',
  '{"device_id":"wéll","ts":"2024-05-01T00:00:00Z","extra":{"s":"日本語 ✓ 🛢"}}',
  '[1,2]',
  '"text"',
  '42',
  'null',
  '{"a":',
  'not json',
  '  {"x":1}  ',
  '\t',
  ' ',
  '\u00a0',
  '\uFEFF{"bom":1}',
  '{"s":"a\u2028b"}',
];
const ENDINGS = ['\n', '\r\n', '\r', '\n\n', '\r\r\n', ''];

describe('NDJSON body reading', () => {
  it('when random bodies with mixed line endings arrive in random chunks, then the items equal readline-based reading', async () => {
    const r = rng(7);
    for (let round = 0; round < 300; round++) {
      let text = '';
      const lines = 1 + Math.floor(r() * 12);
      for (let i = 0; i < lines; i++) text += PIECES[Math.floor(r() * PIECES.length)]! + ENDINGS[Math.floor(r() * ENDINGS.length)]!;
      const bytes = Buffer.from(text);
      const maxChunk = 1 + Math.floor(r() * 40);
      const expected = await viaReadline(chunked(bytes, () => Math.floor(r() * maxChunk)));
      const actual = await readNdjson(chunked(bytes, () => Math.floor(r() * maxChunk)) as unknown as Request, 1 << 20, 1000);
      expect(actual, JSON.stringify(text)).toEqual(expected);
    }
  });

  it('when a body holds more readings than allowed, then it is refused with 413', async () => {
    const body = Buffer.from('{"a":1}\n'.repeat(5));
    await expect(readNdjson(chunked(body, () => 3) as unknown as Request, 1 << 20, 4)).rejects.toMatchObject({ status: 413 });
  });

  it('when a body is longer than the byte limit, then it is refused with 413', async () => {
    const body = Buffer.from('{"a":1}\n'.repeat(50));
    await expect(readNdjson(chunked(body, () => 16) as unknown as Request, 100, 1000)).rejects.toMatchObject({ status: 413 });
  });
});

describe('NDJSON lines that never end', () => {
  it('when one line is longer than the line limit, then it alone is rejected and the readings around it are kept', async () => {
    const long = `{"device_id":"w","ts":1,"extra":{"s":"${'x'.repeat(MAX_NDJSON_LINE_CHARS)}"}}`;
    const body = Buffer.from(`{"a":1}\n${long}\n{"b":2}\r\n`);
    const items = await readNdjson(chunked(body, () => 4096) as unknown as Request, 1 << 23, 1000);
    expect(items).toHaveLength(3);
    expect(items[0]).toEqual({ a: 1 });
    expect(items[1]).toBeInstanceOf(MalformedLine);
    expect((items[1] as MalformedLine).reason).toMatch(/longer than/);
    expect(items[2]).toEqual({ b: 2 });
  });

  it('when a long line arrives in many small chunks, then it is read whole, exactly once', async () => {
    const value = 'y'.repeat(200_000);
    const body = Buffer.from(`{"s":"${value}"}\n{"t":1}`);
    const items = await readNdjson(chunked(body, () => 512) as unknown as Request, 1 << 22, 10);
    expect(items).toEqual([{ s: value }, { t: 1 }]);
  });
});
