/**
 * The quality check as an outside checker runs it, end to end: replays labelled instances through a
 * real station as devices (HTTP batch ingest, one device per instance), scores each with
 * POST /api/ml/score, and prints JSON with per event instance balanced accuracy, its mean and the
 * false-positive rate on normal instances. It also scores the same readings in-process with the
 * scoring core (MlService.scoreRows: features, forest, smoothing, guards, default limits) and reports
 * how many readings the two disagree on: 0 means ingest, storage and the HTTP path change nothing.
 *
 *   npx tsx bench/ml-replay.ts [--data PATH]   (default: ML_TRAIN_DATA, else ../shared/data/3w)
 *
 * The shipped model is trained on every instance of the bundled data, so replaying that data gives
 * in-sample figures (optimistic: use them as the agreement check only). Point --data at instances the
 * model never saw (3W files or device_id,ts,temperature,pressure,label) for an outside figure; the
 * cross-validated figures in default.metrics.json are the ones to quote.
 *
 * The station runs as its own process (out/main/cli.js serve, built if needed) with a temp data dir
 * on 127.0.0.1, so it uses exactly the shipped resources/models/default.json.
 */
import { execFileSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadLabelledSeries } from '../src/server/ml/dataset';
import { qualityReport } from '../src/server/ml/metrics';
import { loadModelFile, ModelRegistry } from '../src/server/ml/model-store';
import type { MlRepository } from '../src/server/ml/repository';
import { DEFAULT_LIMITS } from '../src/server/ml/rules';
import { MlService } from '../src/server/ml/service';
import { ROOT, StationProcess } from '../test/reliability/helpers/station-process';

const { values } = parseArgs({ options: { data: { type: 'string' } }, strict: true });
const DATA = resolve(values.data ?? process.env.ML_TRAIN_DATA ?? join(ROOT, '..', 'shared', 'data', '3w'));
const BATCH = 500;

interface ScorePoint {
  ts: number;
  score: number;
  anomaly: boolean;
  model: 'rf' | 'rule';
}

async function main(): Promise<void> {
  execFileSync(process.execPath, [join(ROOT, 'scripts', 'ensure-built.mjs')], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
  const series = loadLabelledSeries(DATA);
  // The scoring core in-process, for the agreement check.
  const registry = new ModelRegistry(join(ROOT, 'no-models'), null);
  registry.set(loadModelFile(join(ROOT, 'resources', 'models', 'default.json')));
  const local = new MlService({} as MlRepository, registry);
  let disagree = 0;
  let compared = 0;

  // Alarm scoring is off: it is not what is measured here, and it would compete for the CPU.
  const s = await new StationProcess(undefined, { READ_RATE_LIMIT: '0', INGEST_RATE_LIMIT: '0', LOG_LEVEL: 'error', ML_ALARMS: 'false' }).start();
  try {
    const key = await s.key('device');
    const token = await s.token();
    const model = await s.call('GET', '/api/ml/model', { token });
    const scored: { id: string; truth: number[]; predicted: boolean[] }[] = [];
    for (const [n, inst] of series.entries()) {
      const device = `replay-${String(n).padStart(2, '0')}`;
      const readings = inst.ts.map((ts, i) => ({
        device_id: device,
        ts: ts / 1000,
        temperature: inst.temperature[i],
        pressure: inst.pressure[i],
      }));
      // A minute with neither channel is not a reading a device would send; the model fills gaps.
      const sent = readings.filter((r) => r.temperature != null || r.pressure != null);
      for (let i = 0; i < sent.length; i += BATCH) {
        const res = await s.call('POST', '/api/telemetry/batch', { key, body: sent.slice(i, i + BATCH) });
        if (res.status !== 200) throw new Error(`${inst.id}: batch answered ${res.status}: ${res.text.slice(0, 300)}`);
      }
      const res = await s.call<ScorePoint[]>('POST', '/api/ml/score', {
        token,
        body: { device_id: device, ts_from: inst.ts[0]! / 1000, ts_to: inst.ts.at(-1)! / 1000 },
      });
      if (res.status !== 200) throw new Error(`${inst.id}: score answered ${res.status}: ${res.text.slice(0, 300)}`);
      const byTs = new Map(res.body.map((p) => [Math.round(p.ts * 1000), p.anomaly]));
      const sentRows = sent.map((r) => ({ ts: Math.round(r.ts * 1000), temperature: r.temperature ?? null, pressure: r.pressure ?? null }));
      for (const r of local.scoreRows([], sentRows, DEFAULT_LIMITS, registry.get())) {
        compared++;
        if (byTs.get(r.ts) !== r.anomaly) disagree++;
      }
      // A minute that was not sent (both channels missing) counts as not flagged.
      scored.push({ id: inst.id, truth: inst.labels, predicted: inst.ts.map((ts) => byTs.get(ts) ?? false) });
    }
    const q = qualityReport(scored);
    const round = (v: number) => Math.round(v * 1000) / 1000;
    process.stdout.write(
      `${JSON.stringify(
        {
          case: 'ml-replay',
          model: model.body.version,
          instances: { event: q.event_instances, normal: q.normal_instances },
          data: DATA,
          replay: {
            mean_balanced_accuracy_event_instances: round(q.mean_balanced_accuracy_event_instances),
            anomalous_f1: round(q.anomalous_f1),
            false_positive_rate_normal_instances: round(q.false_positive_rate_normal_instances),
            normal_instances_flagged: q.normal_instances_flagged,
            confusion_matrix: q.confusion_matrix,
          },
          agreement_with_training_path: { readings: compared, disagreeing: disagree },
          per_event_instance: q.instances
            .filter((i) => i.kind === 'event')
            .map((i) => ({ id: i.id, rows: i.rows, anomalous_rows: i.anomalous_rows, balanced_accuracy: round(i.balanced_accuracy) })),
        },
        null,
        2,
      )}\n`,
    );
  } finally {
    await s.remove();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
