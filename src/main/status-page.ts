/**
 * What the window shows while the station is not serving (starting, or restarting after a crash):
 * a self-contained page built here, so the window answers at once and never hangs on a dead URL.
 * Its own CSP allows no script, no request and nothing loaded from anywhere.
 */
export interface StatusView {
  title: string;
  detail: string;
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

export function statusPageHtml(view: StatusView): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>SMART Oilfield: ${escapeHtml(view.title)}</title>
<style>body{font:16px system-ui,sans-serif;background:#f5f6f7;color:#1d2327;display:grid;place-items:center;height:100vh;margin:0}
main{max-width:40rem;padding:2rem}h1{font-size:1.4rem}p{white-space:pre-wrap;line-height:1.5}</style>
</head><body><main><h1>${escapeHtml(view.title)}</h1><p>${escapeHtml(view.detail)}</p></main></body></html>`;
}

export function statusPageUrl(view: StatusView): string {
  return `data:text/html;charset=utf-8,${encodeURIComponent(statusPageHtml(view))}`;
}

export const STARTING_VIEW: StatusView = { title: 'Starting the station…', detail: 'Opening the database and the local API.' };

/** The station died: say so, say it comes back by itself, and when. */
export function crashedView(
  event: { failures: number; restartInMs: number; exitCode: number | null; fatal?: { message: string } },
  logDir: string,
): StatusView {
  const seconds = Math.max(1, Math.round(event.restartInMs / 1000));
  const why = event.fatal ? `It said: ${event.fatal.message}\n\n` : event.exitCode !== null ? `It exited with code ${event.exitCode}.\n\n` : '';
  return {
    title: 'The station stopped unexpectedly',
    detail:
      `${why}It restarts by itself in ${seconds} s (attempt ${event.failures}); this page is replaced by the app as soon as it is back. ` +
      `Readings it acknowledged before it stopped are stored. The log files are in ${logDir} (Help > Open logs folder).`,
  };
}
