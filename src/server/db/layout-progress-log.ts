import type { Logger } from '../logger';
import type { LayoutProgress } from './telemetry-layout';

/** Logs a telemetry layout move at most every few seconds (a 10-million-row move has 200 batches), and when it ends. */
export function layoutProgressLogger(logger: Logger, everyMs = 2000): (p: LayoutProgress) => void {
  let last = 0;
  return (p) => {
    const now = Date.now();
    if (!p.done && now - last < everyMs) return;
    last = now;
    const percent = Math.floor(p.fraction * 100);
    if (p.done) logger.info({ moved: p.moved, rows_per_s: p.rowsPerSecond }, `telemetry moved to the clustered layout: ${p.moved} readings`);
    else
      logger.info(
        { moved: p.moved, percent, rows_per_s: p.rowsPerSecond },
        `moving telemetry to the clustered layout: ${percent}% (${p.moved} readings so far)`,
      );
  };
}
