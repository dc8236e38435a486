import { z } from 'zod';

/**
 * The desktop app's bridge between the renderer and the Electron main process.
 *
 * The renderer feature-detects it: `window.oilfield` exists only inside the desktop app (in a
 * plain browser it is undefined, and the UI falls back to ordinary downloads). Main parses every
 * argument with these schemas, because a compromised page could send anything.
 */

/** Longest file name we offer in a save dialog (most file systems allow 255 bytes). */
const MAX_FILE_NAME = 200;
/** In-memory content is for small files; anything bigger goes through `url` and is streamed. */
export const MAX_SAVE_CONTENT_CHARS = 16 * 1024 * 1024;
const MAX_DOWNLOAD_URL = 2048;

const WINDOWS_RESERVED = /^(con|prn|aux|nul|com[0-9]|lpt[0-9])(\..*)?$/i;

/**
 * A bare file name suggested to the save dialog: no folders, no `..`, no control or shell-special
 * characters, nothing Windows refuses. The user still chooses the folder in the dialog.
 */
const saveFileNameSchema = z
  .string()
  .min(1)
  .max(MAX_FILE_NAME)
  .regex(/^[A-Za-z0-9][A-Za-z0-9 ._()+-]*$/, 'letters, digits, space and ._()+- only, starting with a letter or digit')
  .refine((n) => !n.includes('..'), 'must not contain ".."')
  .refine((n) => !/[ .]$/.test(n), 'must not end with a dot or a space')
  .refine((n) => !WINDOWS_RESERVED.test(n), 'is a reserved device name on Windows');

/** `Bearer <jwt>`: the renderer's own token, sent only to the station's own /api URL. */
const authorizationSchema = z
  .string()
  .max(8192)
  .regex(/^Bearer [A-Za-z0-9._~+/-]+=*$/, 'must be "Bearer <token>"');

export const saveFileContentSchema = z.strictObject({
  defaultName: saveFileNameSchema,
  content: z.string().max(MAX_SAVE_CONTENT_CHARS, `at most ${MAX_SAVE_CONTENT_CHARS} characters; use url for big files`),
});

export const saveFileUrlSchema = z.strictObject({
  defaultName: saveFileNameSchema,
  /** a station URL under /api/ (absolute or relative to the station), e.g. an export result */
  url: z.string().min(1).max(MAX_DOWNLOAD_URL),
  authorization: authorizationSchema.optional(),
});

export const saveFileRequestSchema = z.union([saveFileContentSchema, saveFileUrlSchema]);

export type SaveFileRequest = z.infer<typeof saveFileRequestSchema>;

/** Prints the calling page (its print CSS: a run ticket, a daily well report) to a PDF the user saves. */
export const savePdfRequestSchema = z.strictObject({
  defaultName: saveFileNameSchema.refine((n) => n.toLowerCase().endsWith('.pdf'), 'must end with .pdf'),
});
export type SavePdfRequest = z.infer<typeof savePdfRequestSchema>;

export type SaveFileResult = { saved: true; fileName: string; bytes: number } | { saved: false };

/** What the preload exposes as `window.oilfield`. Every function is a single, named IPC call. */
export interface DesktopApi {
  /** the station's base URL, e.g. `http://127.0.0.1:8000` */
  stationUrl(): Promise<string>;
  /** the desktop app's version (package.json) */
  appVersion(): Promise<string>;
  /** opens a native save dialog and writes `content`, or streams `url` from the station, to the chosen file */
  saveFile(request: SaveFileRequest): Promise<SaveFileResult>;
  /** prints the calling page to PDF (A4, its print CSS) and saves it where the user chooses */
  savePdf(request: SavePdfRequest): Promise<SaveFileResult>;
}
