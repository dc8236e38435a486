import { describe, expect, it } from 'vitest';
import { IpcRequestError, registerIpcHandlers, type IpcEventLike, type PdfPrinter } from '../../src/main/ipc';
import { DESKTOP_CHANNELS } from '../../src/shared/desktop-channels';
import { MAX_SAVE_CONTENT_CHARS, saveFileRequestSchema, type SaveFileRequest, type SavePdfRequest } from '../../src/shared/desktop';

const STATION = 'http://127.0.0.1:8000';
const fromStation: IpcEventLike = { senderFrame: { url: `${STATION}/export` } };

/** Registers the real handlers on a plain map (Electron's ipcMain cannot run here) and calls them. */
function setup() {
  const handlers = new Map<string, (event: IpcEventLike, ...args: unknown[]) => unknown>();
  const saved: SaveFileRequest[] = [];
  const pdfs: { request: SavePdfRequest; page: PdfPrinter }[] = [];
  registerIpcHandlers(
    { handle: (channel, listener) => void handlers.set(channel, listener) },
    {
      trustedOrigins: [STATION],
      stationUrl: STATION,
      appVersion: '1.2.3',
      saveFile: async (request) => {
        saved.push(request);
        return { saved: false };
      },
      savePdf: async (request, page) => {
        pdfs.push({ request, page });
        return { saved: false };
      },
    },
  );
  const invoke = async (channel: string, event: IpcEventLike, ...args: unknown[]) => handlers.get(channel)!(event, ...args);
  return { handlers, saved, pdfs, invoke };
}

describe('IPC handlers', () => {
  it('when the station page asks for a PDF, then its own page is printed; a name that is not .pdf, or no page, is refused', async () => {
    const { invoke, pdfs } = setup();
    const page: PdfPrinter = { printToPDF: async () => new Uint8Array() };
    await invoke(DESKTOP_CHANNELS.savePdf, { ...fromStation, sender: page }, { defaultName: 'run-ticket-B-2026-0001.pdf' });
    expect(pdfs).toEqual([{ request: { defaultName: 'run-ticket-B-2026-0001.pdf' }, page }]);
    await expect(invoke(DESKTOP_CHANNELS.savePdf, { ...fromStation, sender: page }, { defaultName: 'report.exe' })).rejects.toThrow(/must end with \.pdf/);
    await expect(invoke(DESKTOP_CHANNELS.savePdf, { ...fromStation, sender: page }, { defaultName: '../x.pdf' })).rejects.toThrow(IpcRequestError);
    await expect(invoke(DESKTOP_CHANNELS.savePdf, fromStation, { defaultName: 'a.pdf' })).rejects.toThrow(/calling page/);
    await expect(invoke(DESKTOP_CHANNELS.savePdf, { senderFrame: { url: 'https://evil.example/' }, sender: page }, { defaultName: 'a.pdf' })).rejects.toThrow(
      /untrusted frame/,
    );
    expect(pdfs).toHaveLength(1);
  });

  it('when registered, then exactly the named channels exist', () => {
    expect([...setup().handlers.keys()].sort()).toEqual(Object.values(DESKTOP_CHANNELS).sort());
  });

  it('when the station page asks, then it gets the station URL and the app version', async () => {
    const { invoke } = setup();
    expect(await invoke(DESKTOP_CHANNELS.stationUrl, fromStation)).toBe(STATION);
    expect(await invoke(DESKTOP_CHANNELS.appVersion, fromStation)).toBe('1.2.3');
  });

  it('when a frame from another origin or with no URL calls, then it is refused before anything runs', async () => {
    const { invoke, saved } = setup();
    for (const event of [{ senderFrame: { url: 'https://evil.example/' } }, { senderFrame: { url: 'file:///x.html' } }, { senderFrame: null }, {}]) {
      await expect(invoke(DESKTOP_CHANNELS.saveFile, event, { defaultName: 'a.csv', content: 'x' })).rejects.toThrow(IpcRequestError);
      await expect(invoke(DESKTOP_CHANNELS.stationUrl, event)).rejects.toThrow(/untrusted frame/);
    }
    expect(saved).toEqual([]);
  });

  it('when a no-argument call carries arguments, then it is refused', async () => {
    const { invoke } = setup();
    await expect(invoke(DESKTOP_CHANNELS.appVersion, fromStation, 'extra')).rejects.toThrow(/invalid desktop:app-version request/);
  });

  it('when saveFile gets valid content or a station URL, then the request reaches the saver as parsed', async () => {
    const { invoke, saved } = setup();
    await invoke(DESKTOP_CHANNELS.saveFile, fromStation, { defaultName: 'telemetry 2024-01-01 (rig-7).csv', content: 'a,b\n1,2\n' });
    await invoke(DESKTOP_CHANNELS.saveFile, fromStation, { defaultName: 'export.csv', url: '/api/tasks/abc/result', authorization: 'Bearer a.b-c_d' });
    expect(saved).toEqual([
      { defaultName: 'telemetry 2024-01-01 (rig-7).csv', content: 'a,b\n1,2\n' },
      { defaultName: 'export.csv', url: '/api/tasks/abc/result', authorization: 'Bearer a.b-c_d' },
    ]);
  });

  it.each([
    ['no argument', []],
    ['a string', ['a.csv']],
    ['null', [null]],
    ['an array', [['a.csv', 'x']]],
    ['a number name', [{ defaultName: 42, content: 'x' }]],
    ['content as a number', [{ defaultName: 'a.csv', content: 42 }]],
    ['content as an object', [{ defaultName: 'a.csv', content: { toString: 'x' } }]],
    ['no content and no url', [{ defaultName: 'a.csv' }]],
    ['an unknown field', [{ defaultName: 'a.csv', content: 'x', path: '/etc/passwd' }]],
    ['both content and url', [{ defaultName: 'a.csv', content: 'x', url: '/api/x' }]],
    ['a second argument', [{ defaultName: 'a.csv', content: 'x' }, 'more']],
    ['an authorization that is not a bearer token', [{ defaultName: 'a.csv', url: '/api/x', authorization: 'Basic YTpi' }]],
    ['a header injection in the authorization', [{ defaultName: 'a.csv', url: '/api/x', authorization: 'Bearer x\r\nHost: evil' }]],
    ['a url as a number', [{ defaultName: 'a.csv', url: 7 }]],
  ])('when saveFile gets %s, then it is refused and nothing is saved', async (_label, args) => {
    const { invoke, saved } = setup();
    await expect(invoke(DESKTOP_CHANNELS.saveFile, fromStation, ...args)).rejects.toThrow(/invalid desktop:save-file request/);
    expect(saved).toEqual([]);
  });

  it.each([
    ['../../.bashrc'],
    ['..\\..\\autoexec.bat'],
    ['/etc/cron.d/job'],
    ['C:\\Windows\\System32\\x.dll'],
    ['sub/dir.csv'],
    ['..'],
    ['.hidden'],
    ['a..csv'],
    ['export.csv.'],
    ['export.csv '],
    ['CON'],
    ['nul.csv'],
    ['com1.txt'],
    ['name\u0000.csv'],
    ['line\nbreak.csv'],
    ['$(rm -rf ~).csv'],
    ['a'.repeat(201)],
    [''],
  ])('when the default file name is %j, then it is refused', async (defaultName) => {
    const { invoke, saved } = setup();
    await expect(invoke(DESKTOP_CHANNELS.saveFile, fromStation, { defaultName, content: 'x' })).rejects.toThrow(/defaultName/);
    expect(saved).toEqual([]);
  });

  it('when the content or the url is huge, then it is refused without echoing it back', async () => {
    const { invoke, saved } = setup();
    const huge = 'x'.repeat(MAX_SAVE_CONTENT_CHARS + 1);
    const err = await invoke(DESKTOP_CHANNELS.saveFile, fromStation, { defaultName: 'a.csv', content: huge }).catch((e: Error) => e);
    expect(err).toBeInstanceOf(IpcRequestError);
    expect((err as Error).message.length).toBeLessThan(500);
    await expect(invoke(DESKTOP_CHANNELS.saveFile, fromStation, { defaultName: 'a.csv', url: `/api/${'a'.repeat(5000)}` })).rejects.toThrow(/url/);
    expect(saved).toEqual([]);
  });

  it('when the shared schema parses a content request, then the type the renderer uses matches', () => {
    const parsed = saveFileRequestSchema.parse({ defaultName: 'a.csv', content: '' });
    expect(parsed).toEqual({ defaultName: 'a.csv', content: '' });
  });
});
