import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { PdfPrinter } from '../../src/main/ipc';
import { savePdf } from '../../src/main/save-pdf';
import type { SaveDialog } from '../../src/main/save-file';

const dir = mkdtempSync(join(tmpdir(), 'oilfield-pdf-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const PDF = new TextEncoder().encode('%PDF-1.7\n% a printed page\n%%EOF\n');

/** The page and the dialog are Electron's; these stand in for them and record what they were asked. */
function page(fail = false) {
  const calls: unknown[] = [];
  const printer: PdfPrinter = {
    printToPDF: async (options) => {
      calls.push(options);
      if (fail) throw new Error('printing failed');
      return PDF;
    },
  };
  return { printer, calls };
}
const choosing =
  (name: string | undefined, asked: Parameters<SaveDialog>[0][] = []): SaveDialog =>
  async (options) => {
    asked.push(options);
    return name ? { canceled: false, filePath: join(dir, name) } : { canceled: true };
  };

describe('savePdf', () => {
  it('when the user chooses a file, then the page is printed on A4 with backgrounds and saved there whole', async () => {
    const { printer, calls } = page();
    const asked: Parameters<SaveDialog>[0][] = [];
    const result = await savePdf({ defaultName: 'run-ticket-B-1.pdf' }, printer, {
      downloadsDir: '/home/eng/Downloads',
      showSaveDialog: choosing('ticket.pdf', asked),
    });
    expect(result).toEqual({ saved: true, fileName: 'ticket.pdf', bytes: PDF.length });
    expect(readFileSync(join(dir, 'ticket.pdf'))).toEqual(Buffer.from(PDF));
    expect(calls).toEqual([{ printBackground: true, pageSize: 'A4' }]);
    expect(asked[0]).toMatchObject({
      defaultPath: '/home/eng/Downloads/run-ticket-B-1.pdf',
      filters: [{ name: 'PDF', extensions: ['pdf'] }, expect.anything()],
    });
  });

  it('when the user cancels, then nothing is printed or written', async () => {
    const { printer, calls } = page();
    expect(await savePdf({ defaultName: 'a.pdf' }, printer, { downloadsDir: dir, showSaveDialog: choosing(undefined) })).toEqual({ saved: false });
    expect(calls).toEqual([]);
  });

  it('when printing fails, then the error reaches the page and no file or .part is left', async () => {
    const { printer } = page(true);
    await expect(savePdf({ defaultName: 'b.pdf' }, printer, { downloadsDir: dir, showSaveDialog: choosing('broken.pdf') })).rejects.toThrow('printing failed');
    expect(existsSync(join(dir, 'broken.pdf'))).toBe(false);
    expect(readdirSync(dir).filter((f) => f.endsWith('.part'))).toEqual([]);
  });
});
