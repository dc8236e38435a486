import { useState } from 'react';
import type { SaveFileResult } from '../../../shared/desktop';
import { errorText } from '../api/client';

interface PdfBridge {
  savePdf?: (r: { defaultName: string }) => Promise<SaveFileResult>;
}
const bridge = (): PdfBridge | undefined => (window as unknown as { oilfield?: PdfBridge }).oilfield;

/**
 * Print this report (the browser's print dialog, with the print CSS: no menu, no buttons) and, in
 * the desktop app, save it straight to a PDF through the preload (`window.oilfield.savePdf`).
 */
export function PrintButton({ fileName }: { fileName: string }) {
  const [note, setNote] = useState('');
  const desktop = bridge()?.savePdf;
  const safe = `${fileName.replace(/[^A-Za-z0-9 ._()+-]/g, '_').replace(/^[^A-Za-z0-9]+/, '') || 'report'}.pdf`;
  return (
    <span className="row no-print">
      <button type="button" className="btn btn-primary" onClick={() => window.print()}>
        Print
      </button>
      {desktop ? (
        <button
          type="button"
          className="btn"
          onClick={() =>
            void desktop({ defaultName: safe }).then(
              (r) => setNote(r.saved ? `Saved ${r.fileName}.` : ''),
              (e) => setNote(errorText(e)),
            )
          }
        >
          Save as PDF
        </button>
      ) : null}
      {note ? <span className="muted">{note}</span> : null}
    </span>
  );
}
