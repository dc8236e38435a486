import { once, type EventEmitter } from 'node:events';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/server/logger';
import { openLogFile } from '../../src/server/support/log-file';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

const logFiles = (dir: string) =>
  readdirSync(dir)
    .filter((f) => /^station\.\d+\.log$/.test(f))
    .sort((a, b) => Number(a.split('.')[1]) - Number(b.split('.')[1]));
/** the `i` of every line kept, oldest file first (a file just rolled over to may still be empty) */
const keptLines = (dir: string) =>
  logFiles(dir).flatMap((f) =>
    readFileSync(join(dir, f), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { i: number; msg: string }),
  );

async function writeLines(dir: string, from: number, count: number) {
  const file = await openLogFile(dir, { maxSize: '2k', keep: 3 });
  const logger = createLogger('info', false, file.stream);
  // in bursts, as a station logs: pino-roll rolls over when a write has drained
  for (let i = from; i < from + count; i++) {
    logger.info({ i, pad: 'x'.repeat(100) }, 'reading stored');
    if (i % 10 === 9) await once(file.stream as unknown as EventEmitter, 'drain');
  }
  return file;
}

describe('rotating log files', () => {
  it('when more is logged than one file may hold, then it rolls over to a new file and keeps only the newest few', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'oilfield-logs-'));
    dirs.push(dir);
    const file = await writeLines(join(dir, 'logs'), 0, 300); // ~45 KB of lines, 2 KB per file
    // rotation happens as the writes drain
    await expect.poll(() => Number(logFiles(join(dir, 'logs')).at(-1)?.split('.')[1] ?? 0)).toBeGreaterThan(3);
    await file.close();
    // keep: 3, and one more for a moment: pino-roll clears old files while the new one is still opening
    expect(logFiles(join(dir, 'logs')).length).toBeLessThanOrEqual(3 + 1);

    const kept = keptLines(join(dir, 'logs'));
    expect(kept.at(-1)).toMatchObject({ i: 299, msg: 'reading stored' });
    // the oldest lines went with the files that were removed; what is kept is in order
    const numbers = kept.map((l) => l.i);
    expect(numbers).not.toContain(0);
    expect(numbers).toEqual([...numbers].sort((a, b) => a - b));
  });

  it('when the station starts again on the same folder, then numbering goes on and files of the earlier run count against the limit', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'oilfield-logs-'));
    dirs.push(dir);
    await (await writeLines(dir, 0, 100)).close();
    const before = logFiles(dir);
    const file = await writeLines(dir, 100, 200);
    await expect.poll(() => Number(logFiles(dir).at(-1)!.split('.')[1])).toBeGreaterThan(Number(before.at(-1)!.split('.')[1]) + 1);
    await file.close();
    expect(logFiles(dir).length).toBeLessThanOrEqual(3 + 1);
    expect(logFiles(dir)).not.toContain(before[0]);
    expect(keptLines(dir).at(-1)?.i).toBe(299);
  });
});
