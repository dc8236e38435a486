// Bench-only preload (`node --import ./bench/eld-probe.mjs out/main/cli.js serve`): measures the
// station's event-loop delay without touching the station's code. On SIGUSR2 it writes the
// histogram since the last reset to BENCH_ELD_FILE and resets it.
import { writeFileSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';

const file = process.env.BENCH_ELD_FILE;
if (file) {
  const h = monitorEventLoopDelay({ resolution: 10 });
  h.enable();
  process.on('SIGUSR2', () => {
    const ms = (ns) => Math.round((ns / 1e6) * 100) / 100;
    writeFileSync(file, JSON.stringify({ p50_ms: ms(h.percentile(50)), p99_ms: ms(h.percentile(99)), max_ms: ms(h.max), samples: h.count }));
    h.reset();
  });
}
