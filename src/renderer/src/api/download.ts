import { authHeaders, request } from './client';

interface DesktopBridge {
  saveFile(
    r: { defaultName: string; url: string; authorization?: string } | { defaultName: string; content: string },
  ): Promise<{ saved: boolean; fileName?: string; bytes?: number }>;
}

const desktop = (): DesktopBridge | undefined => (window as unknown as { oilfield?: DesktopBridge }).oilfield;

const safeName = (name: string): string => name.replace(/[^A-Za-z0-9 ._()+-]/g, '_').replace(/^[^A-Za-z0-9]+/, '') || 'export.csv';

function nameFrom(res: Response, fallback: string): string {
  const m = /filename="?([^";]+)"?/.exec(res.headers.get('content-disposition') ?? '');
  return safeName(m?.[1] ?? fallback);
}

/**
 * Saves a station file (an export): in the desktop app through the native save dialog (streamed
 * by main), in a browser as an ordinary download. The bearer token goes in a header, never a URL.
 */
export async function downloadFile(url: string, fallbackName: string): Promise<{ name: string; bytes: number } | null> {
  const bridge = desktop();
  if (bridge) {
    const auth = authHeaders().authorization;
    const r = await bridge.saveFile({ defaultName: safeName(fallbackName), url, ...(auth ? { authorization: auth } : {}) });
    return r.saved ? { name: r.fileName ?? fallbackName, bytes: r.bytes ?? 0 } : null;
  }
  const res = await request(url, { headers: { accept: 'text/csv, */*' } });
  const blob = await res.blob();
  const name = nameFrom(res, fallbackName);
  const href = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = href;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(href), 10_000);
  return { name, bytes: blob.size };
}
