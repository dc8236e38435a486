import type { Logger } from '../logger';
import type { LayoutProgress } from './telemetry-layout';

/** Logs a telemetry layout move when it starts, at most every few seconds while it runs (a 10-million-row move has 200 batches), and when it ends. */
export function layoutProgressLogger(logger: Logger, everyMs = 2000): (p: LayoutProgress) => void {
  let last = 0;
  return (p) => {
    const now = Date.now();
    if (p.phase === 'done') {
      logger.info({ moved: p.moved, total: p.total, rows_per_s: p.rowsPerSecond }, `telemetry moved to the clustered layout: ${p.moved} readings`);
      return;
    }
    if (p.phase !== 'moving') return;
    if (p.moved === 0) {
      const resumed = p.resumedAt ? `, carrying on after ${p.resumedAt} moved by an earlier start` : '';
      logger.info(
        { total: p.total, resumed_at: p.resumedAt },
        `starting to move telemetry to the clustered layout: ${p.total - p.resumedAt} readings${resumed}`,
      );
      return;
    }
    if (now - last < everyMs) return;
    last = now;
    const percent = Math.floor(p.fraction * 100);
    const fields = { moved: p.inNewLayout, total: p.total, percent, rows_per_s: p.rowsPerSecond, ...(p.resumedAt ? { resumed_at: p.resumedAt } : {}) };
    logger.info(fields, `moving telemetry to the clustered layout: ${percent}% (${p.inNewLayout} of ${p.total} readings)`);
  };
}
