import { createWriteStream } from 'node:fs';
import { rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import type { SaveFileRequest, SaveFileResult } from '../shared/desktop';
import { parseUrl } from './url-policy';

export interface SaveDialog {
  (options: {
    title: string;
    defaultPath: string;
    filters: { name: string; extensions: string[] }[];
  }): Promise<{
    canceled: boolean;
    filePath?: string;
  }>;
}

export interface SaveFileDeps {
  /** Electron's dialog.showSaveDialog, bound to the window */
  showSaveDialog: SaveDialog;
  /** where the dialog starts (app.getPath('downloads')) */
  downloadsDir: string;
  stationOrigin: string;
}

export class SaveFileError extends Error {
  override name = 'SaveFileError';
}

/**
 * Resolves a download URL against the station and refuses anything that is not the station's own
 * /api. The renderer's token rides along, so it must never be sent to another host (or to file:).
 */
export function resolveStationDownload(raw: string, stationOrigin: string): URL {
  const url = parseUrl(raw, stationOrigin);
  if (!url || url.origin !== stationOrigin || url.username || url.password) {
    throw new SaveFileError('the download URL must be on the station');
  }
  if (!url.pathname.startsWith('/api/')) throw new SaveFileError('the download URL must be a station /api/ URL');
  return url;
}

const FILTERS: Record<string, string> = { '.csv': 'CSV', '.json': 'JSON', '.txt': 'Text', '.png': 'PNG image' };

/**
 * Asks where to save, then writes the bytes to `<file>.part` and renames it, so an interrupted
 * export never leaves a half file under the name the engineer expects. Big files are streamed
 * from the station with backpressure; nothing holds a whole export in memory.
 */
export async function saveFile(request: SaveFileRequest, deps: SaveFileDeps): Promise<SaveFileResult> {
  // Vet the URL before showing a dialog, so a bad request never reaches the user.
  const source = 'url' in request ? resolveStationDownload(request.url, deps.stationOrigin) : undefined;
  const ext = extname(request.defaultName).toLowerCase();
  const filters = FILTERS[ext] ? [{ name: FILTERS[ext], extensions: [ext.slice(1)] }] : [];
  const choice = await deps.showSaveDialog({
    title: 'Save as',
    defaultPath: join(deps.downloadsDir, request.defaultName),
    filters: [...filters, { name: 'All files', extensions: ['*'] }],
  });
  if (choice.canceled || !choice.filePath) return { saved: false };

  const target = choice.filePath;
  const partial = `${target}.part`;
  try {
    if (source) {
      await download(source, 'authorization' in request ? request.authorization : undefined, partial);
    } else if ('content' in request) {
      await writeFile(partial, request.content, 'utf8');
    }
    await rename(partial, target);
  } catch (err) {
    await rm(partial, { force: true });
    throw err;
  }
  return { saved: true, fileName: basename(target), bytes: (await stat(target)).size };
}

async function download(url: URL, authorization: string | undefined, file: string): Promise<void> {
  // redirect 'error': a redirect could carry the token to another place
  const res = await fetch(url, { headers: authorization ? { authorization } : {}, redirect: 'error' });
  if (!res.ok || !res.body) {
    const detail = await problemDetail(res);
    throw new SaveFileError(`the station refused the download (HTTP ${res.status}${detail ? `: ${detail}` : ''})`);
  }
  await pipeline(Readable.fromWeb(res.body as WebReadableStream<Uint8Array>), createWriteStream(file));
}

async function problemDetail(res: Response): Promise<string | undefined> {
  try {
    const body = (await res.json()) as { detail?: unknown };
    return typeof body.detail === 'string' ? body.detail.slice(0, 300) : undefined;
  } catch {
    return undefined;
  }
}
