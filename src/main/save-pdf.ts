import { rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { SaveFileResult, SavePdfRequest } from '../shared/desktop';
import type { PdfPrinter } from './ipc';
import type { SaveDialog } from './save-file';

export interface SavePdfDeps {
  showSaveDialog: SaveDialog;
  downloadsDir: string;
}

/**
 * Prints the calling page to PDF with its print CSS (a run ticket, a daily well report: the same
 * paper the browser's Print gives), asks where to save, and writes `<file>.part` then renames,
 * so a failed write never leaves a half PDF under the expected name.
 */
export async function savePdf(request: SavePdfRequest, page: PdfPrinter, deps: SavePdfDeps): Promise<SaveFileResult> {
  const choice = await deps.showSaveDialog({
    title: 'Save as PDF',
    defaultPath: join(deps.downloadsDir, request.defaultName),
    filters: [
      { name: 'PDF', extensions: ['pdf'] },
      { name: 'All files', extensions: ['*'] },
    ],
  });
  if (choice.canceled || !choice.filePath) return { saved: false };
  // printed after the dialog closes, so the PDF is the page as it is now
  const pdf = await page.printToPDF({ printBackground: true, pageSize: 'A4' });
  const target = choice.filePath;
  const partial = `${target}.part`;
  try {
    await writeFile(partial, pdf);
    await rename(partial, target);
  } catch (err) {
    await rm(partial, { force: true });
    throw err;
  }
  return { saved: true, fileName: basename(target), bytes: (await stat(target)).size };
}
