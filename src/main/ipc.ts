import { z } from 'zod';
import { DESKTOP_CHANNELS } from '../shared/desktop-channels';
import {
  saveFileContentSchema,
  saveFileUrlSchema,
  savePdfRequestSchema,
  type SaveFileRequest,
  type SaveFileResult,
  type SavePdfRequest,
} from '../shared/desktop';
import { isTrustedOrigin } from './url-policy';

/** The slice of Electron's ipcMain the handlers need. */
export interface IpcMainLike {
  handle(channel: string, listener: (event: IpcEventLike, ...args: unknown[]) => unknown): void;
}

export interface IpcEventLike {
  senderFrame?: { url: string } | null;
  /** the calling page's webContents: savePdf prints that page and no other */
  sender?: PdfPrinter;
}

/** The slice of Electron's webContents that prints a page. */
export interface PdfPrinter {
  printToPDF(options: { printBackground: boolean; pageSize: 'A4' }): Promise<Uint8Array>;
}

export interface IpcDeps {
  trustedOrigins: readonly string[];
  stationUrl: string;
  appVersion: string;
  saveFile: (request: SaveFileRequest) => Promise<SaveFileResult>;
  savePdf: (request: SavePdfRequest, page: PdfPrinter) => Promise<SaveFileResult>;
}

export class IpcRequestError extends Error {
  override name = 'IpcRequestError';
}

const noArgs = z.tuple([]);
/** Picks the variant by its key, so errors name the real problem instead of zod's "invalid union". */
const saveFileArgs = (args: unknown[]) => {
  const first = args[0];
  const byUrl = typeof first === 'object' && first !== null && 'url' in first;
  return z.tuple([byUrl ? saveFileUrlSchema : saveFileContentSchema]);
};

/**
 * Only the station's own page may call in: a frame from anywhere else (an ad in a future iframe,
 * a page the window was tricked into loading) gets nothing, whatever it sends.
 */
function assertTrustedSender(event: IpcEventLike, trustedOrigins: readonly string[]): void {
  if (!isTrustedOrigin(event.senderFrame?.url, trustedOrigins)) throw new IpcRequestError('IPC from an untrusted frame was refused');
}

/** Parses the arguments as unknown; the error names the fields but never echoes their values. */
function parseArgs<T>(schema: z.ZodType<T>, args: unknown[], channel: string): T {
  const parsed = schema.safeParse(args);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues
    .slice(0, 5)
    .map((i) => `${i.path.slice(1).join('.') || 'argument'}: ${i.message}`)
    .join('; ');
  throw new IpcRequestError(`invalid ${channel} request: ${issues}`);
}

/** Registers the handlers the preload can reach; there is no other channel. */
export function registerIpcHandlers(ipcMain: IpcMainLike, deps: IpcDeps): void {
  ipcMain.handle(DESKTOP_CHANNELS.stationUrl, (event, ...args) => {
    assertTrustedSender(event, deps.trustedOrigins);
    parseArgs(noArgs, args, DESKTOP_CHANNELS.stationUrl);
    return deps.stationUrl;
  });
  ipcMain.handle(DESKTOP_CHANNELS.appVersion, (event, ...args) => {
    assertTrustedSender(event, deps.trustedOrigins);
    parseArgs(noArgs, args, DESKTOP_CHANNELS.appVersion);
    return deps.appVersion;
  });
  ipcMain.handle(DESKTOP_CHANNELS.saveFile, async (event, ...args) => {
    assertTrustedSender(event, deps.trustedOrigins);
    const [request] = parseArgs<[SaveFileRequest]>(saveFileArgs(args), args, DESKTOP_CHANNELS.saveFile);
    return deps.saveFile(request);
  });
  ipcMain.handle(DESKTOP_CHANNELS.savePdf, async (event, ...args) => {
    assertTrustedSender(event, deps.trustedOrigins);
    const [request] = parseArgs<[SavePdfRequest]>(z.tuple([savePdfRequestSchema]), args, DESKTOP_CHANNELS.savePdf);
    if (!event.sender) throw new IpcRequestError('savePdf needs the calling page');
    return deps.savePdf(request, event.sender);
  });
}
