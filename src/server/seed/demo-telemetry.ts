import type { NewReading } from '../../shared/telemetry';

/**
 * Synthetic wellhead readings that look plausible on a chart: a daily temperature swing, slow
 * pressure decline with noise, and an occasional choke event. Deterministic (seeded), so the
 * demo looks the same on every machine.
 */
export function* demoReadings(options: { wells: string[]; days: number; intervalSeconds: number; endMs: number }): Generator<NewReading> {
  let seed = 42;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const start = options.endMs - options.days * 86_400_000;
  const step = options.intervalSeconds * 1000;
  for (const [w, well] of options.wells.entries()) {
    const baseT = 62 + w * 7;
    const baseP = 2400 - w * 180; // kPa
    let eventLeft = 0;
    for (let ts = Math.ceil(start / step) * step; ts <= options.endMs; ts += step) {
      const day = (ts % 86_400_000) / 86_400_000;
      const decline = ((ts - start) / 86_400_000) * 4;
      if (eventLeft === 0 && random() < 0.0008) eventLeft = 20 + Math.floor(random() * 40);
      const event = eventLeft > 0 ? (eventLeft--, 1) : 0;
      yield {
        device_id: well,
        ts,
        temperature: Math.round((baseT + 4 * Math.sin(2 * Math.PI * (day - 0.25)) + (random() - 0.5) * 0.8 - event * 6) * 100) / 100,
        pressure: Math.round((baseP - decline + (random() - 0.5) * 12 + event * 350) * 10) / 10,
        status: event ? 'warning' : 'ok',
      };
    }
  }
}
