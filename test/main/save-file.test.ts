import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveStationDownload, saveFile, SaveFileError, type SaveDialog } from '../../src/main/save-file';
import { minutesAgo, TestStation } from '../server/helpers/station';

let station: TestStation;
let dir: string;
let token: string;

beforeAll(async () => {
  station = await TestStation.start();
  dir = mkdtempSync(join(tmpdir(), 'oilfield-save-'));
  token = await station.token();
  const readings = Array.from({ length: 50 }, (_, i) => ({
    device_id: 'rig-1',
    ts: minutesAgo(60 - i),
    temperature: 70 + i / 10,
    pressure: 120,
    status: 'ok',
  }));
  const res = await station.call('POST', '/api/telemetry/batch', { key: await station.key('device'), body: readings });
  expect(res.status).toBeLessThan(300);
});

afterAll(async () => {
  await station?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** The native dialog is UI; this one "chooses" a file in the temp dir and records what it was asked. */
function dialogChoosing(fileName: string | undefined) {
  const asked: Parameters<SaveDialog>[0][] = [];
  const dialog: SaveDialog = async (options) => {
    asked.push(options);
    return fileName ? { canceled: false, filePath: join(dir, fileName) } : { canceled: true };
  };
  return { asked, dialog };
}

const deps = (dialog: SaveDialog) => ({ showSaveDialog: dialog, downloadsDir: '/home/engineer/Downloads', stationOrigin: station.url });

describe('saveFile with content', () => {
  it('when the engineer picks a file, then the content is written there and the dialog offered the suggested name', async () => {
    const { asked, dialog } = dialogChoosing('small.csv');
    const result = await saveFile({ defaultName: 'rig-1.csv', content: 'a,b\n1,2\n' }, deps(dialog));
    expect(result).toEqual({ saved: true, fileName: 'small.csv', bytes: 8 });
    expect(readFileSync(join(dir, 'small.csv'), 'utf8')).toBe('a,b\n1,2\n');
    expect(asked[0]?.defaultPath).toBe(join('/home/engineer/Downloads', 'rig-1.csv'));
    expect(asked[0]?.filters[0]).toEqual({ name: 'CSV', extensions: ['csv'] });
  });

  it('when the engineer cancels, then nothing is written', async () => {
    const before = readdirSync(dir).length;
    const { dialog } = dialogChoosing(undefined);
    expect(await saveFile({ defaultName: 'x.csv', content: 'x' }, deps(dialog))).toEqual({ saved: false });
    expect(readdirSync(dir).length).toBe(before);
  });
});

describe('saveFile from a station URL', () => {
  it('when the URL is the station export, then the saved file equals what the API returns', async () => {
    const { dialog } = dialogChoosing('export.csv');
    const path = '/api/telemetry/export?device_id=rig-1';
    const result = await saveFile({ defaultName: 'export.csv', url: path, authorization: `Bearer ${token}` }, deps(dialog));
    const direct = await station.call('GET', path, { token });
    expect(direct.status).toBe(200);
    expect(result).toMatchObject({ saved: true, fileName: 'export.csv' });
    expect(readFileSync(join(dir, 'export.csv'), 'utf8')).toBe(direct.text);
    expect(direct.text.split('\n').filter(Boolean).length).toBe(51);
  });

  it('when the station refuses (no token), then the error carries its reason and no file or .part is left', async () => {
    const { dialog } = dialogChoosing('refused.csv');
    const err = await saveFile({ defaultName: 'x.csv', url: '/api/telemetry/export' }, deps(dialog)).catch((e: Error) => e);
    expect(err).toBeInstanceOf(SaveFileError);
    expect((err as Error).message).toMatch(/HTTP 401/);
    expect(existsSync(join(dir, 'refused.csv'))).toBe(false);
    expect(existsSync(join(dir, 'refused.csv.part'))).toBe(false);
  });

  it('when the URL points off the station, then no dialog opens and the token goes nowhere', async () => {
    const { asked, dialog } = dialogChoosing('never.csv');
    for (const url of ['https://evil.example/api/x', 'file:///etc/passwd', 'http://127.0.0.1:1/api/x', `${station.url}/health`, '//evil.example/api/x']) {
      await expect(saveFile({ defaultName: 'x.csv', url, authorization: `Bearer ${token}` }, deps(dialog))).rejects.toThrow(SaveFileError);
    }
    expect(asked).toEqual([]);
  });
});

describe('resolveStationDownload', () => {
  it('when given a relative or absolute station /api URL, then it resolves on the station', () => {
    expect(resolveStationDownload('/api/tasks/1/result', 'http://127.0.0.1:8000').href).toBe('http://127.0.0.1:8000/api/tasks/1/result');
    expect(resolveStationDownload('http://127.0.0.1:8000/api/x?a=1', 'http://127.0.0.1:8000').search).toBe('?a=1');
  });

  it('when the path climbs out of /api with dot segments, then the normalised path is checked', () => {
    expect(() => resolveStationDownload('/api/../docs', 'http://127.0.0.1:8000')).toThrow(SaveFileError);
    expect(() => resolveStationDownload('/api/%2e%2e/docs', 'http://127.0.0.1:8000')).toThrow(SaveFileError);
  });
});
