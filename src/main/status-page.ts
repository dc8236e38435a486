import type { StationMigration } from '../shared/station-protocol';

/**
 * What the window shows while the station is not serving (starting, moving an older database's
 * readings, or restarting after a crash): a self-contained page built here, so the window answers
 * at once and never hangs on a dead URL. Its own CSP allows no script, no request and nothing
 * loaded from anywhere; a view that changes (progress) is shown by rendering the page again.
 */
export interface StatusView {
  title: string;
  detail: string;
  /** a progress bar with its sentence above it */
  progress?: { fraction: number; label: string };
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

export function statusPageHtml(view: StatusView): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>SMART Oilfield: ${escapeHtml(view.title)}</title>
<style>body{font:16px system-ui,sans-serif;background:#f5f6f7;color:#1d2327;display:grid;place-items:center;height:100vh;margin:0}
main{max-width:40rem;padding:2rem}h1{font-size:1.4rem}p{white-space:pre-wrap;line-height:1.5}progress{width:100%;height:1.2rem}</style>
</head><body><main><h1>${escapeHtml(view.title)}</h1>${view.progress ? progressHtml(view.progress) : ''}<p>${escapeHtml(view.detail)}</p></main></body></html>`;
}

function progressHtml({ fraction, label }: NonNullable<StatusView['progress']>): string {
  const permille = Math.round(Math.min(1, Math.max(0, Number.isFinite(fraction) ? fraction : 0)) * 1000);
  return `<p id="progress-label">${escapeHtml(label)}</p><progress max="1000" value="${permille}" aria-labelledby="progress-label"></progress>`;
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

/** 4.2 M, 10 M, 150,000: rounded down, so a move never shows its total before it is there. */
export function formatRows(n: number): string {
  if (n < 1_000_000) return n.toLocaleString('en-US');
  return `${(Math.floor(n / 100_000) / 10).toLocaleString('en-US', { maximumFractionDigits: 1 })} M`;
}

/** An estimate, worded as one: minutes, or hours and minutes; none before the first batch gave a rate. */
export function formatTimeLeft(seconds: number | undefined): string {
  if (seconds === undefined) return 'estimating the time left';
  if (seconds < 45) return 'less than a minute left';
  const minutes = Math.max(1, Math.round(seconds / 60));
  if (minutes < 90) return `about ${minutes} min left`;
  return `about ${Math.floor(minutes / 60)} h ${minutes % 60} min left`;
}

/** The station moves an older database's readings to the current storage layout before it listens. */
export function migrationView(m: Omit<StationMigration, 'type'>): StatusView {
  const fraction = m.totalRows > 0 ? m.movedRows / m.totalRows : 1;
  const counts = `${formatRows(m.movedRows)} of ${formatRows(m.totalRows)} rows`;
  if (m.phase === 'done') {
    return {
      title: 'Starting the station…',
      detail: `All ${formatRows(m.totalRows)} readings are in the new storage layout. Opening the local API.`,
      progress: { fraction: 1, label: `Readings moved to the new storage layout: 100 % (${counts})` },
    };
  }
  // floor: 100 % only once every row is there
  const percent = Math.floor(fraction * 100);
  const when = m.phase === 'finishing' ? 'finishing' : formatTimeLeft(m.secondsLeft);
  const resumed = m.resumedAtRows > 0 ? `It carries on from where the last start stopped (${formatRows(m.resumedAtRows)} rows were already moved). ` : '';
  return {
    title: 'Updating the database',
    detail:
      `${resumed}This happens once, after an update. The app and the local API open when it is done. ` +
      'If the app is closed or stops meanwhile, the next start carries on from there: no reading is lost.',
    progress: { fraction, label: `Moving readings to the new storage layout: ${percent} % (${counts}, ${when})` },
  };
}

/**
 * Shows a view that changes often (a move reports every 50,000 rows) at most every intervalMs,
 * since each showing is a page load; the latest view always ends up shown. cancel() drops a view
 * still waiting, before the window moves on to the app or another page.
 */
export function throttledViews(show: (view: StatusView) => void, intervalMs = 1000): { show(view: StatusView): void; cancel(): void } {
  let shownAt = Number.NEGATIVE_INFINITY;
  let waiting: StatusView | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const showNow = (view: StatusView) => {
    shownAt = Date.now();
    show(view);
  };
  return {
    show(view) {
      const since = Date.now() - shownAt;
      if (!timer && since >= intervalMs) return showNow(view);
      waiting = view;
      timer ??= setTimeout(() => {
        timer = undefined;
        const next = waiting!;
        waiting = undefined;
        showNow(next);
      }, intervalMs - since);
    },
    cancel() {
      clearTimeout(timer);
      timer = undefined;
      waiting = undefined;
    },
  };
}
