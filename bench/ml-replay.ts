/**
 * The quality check, end to end: replays the shipped model's held-out 3W instances through a
 * real station as devices (HTTP batch ingest, one device per instance), scores each with
 * POST /api/ml/score, and prints JSON with per event instance balanced accuracy, its mean, the
 * anomalous-class F1 and the false-positive rate on normal instances, next to the published refs
 * and the numbers recorded at training time.
 *
 *   npx tsx bench/ml-replay.ts            (env: ML_TRAIN_DATA=../shared/data/3w)
 *
 * The station runs as its own process (out/main/cli.js serve, built if needed) with a temp data dir
 * on 127.0.0.1, so it uses exactly the shipped resources/models/default.json.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadLabelledSeries } from '../src/server/ml/dataset';
import { qualityReport } from '../src/server/ml/metrics';
import { ROOT, StationProcess } from '../test/reliability/helpers/station-process';

const DATA = resolve(process.env.ML_TRAIN_DATA ?? join(ROOT, '..', 'shared', 'data', '3w'));
const BATCH = 500;

interface ScorePoint {
  ts: number;
  score: number;
  anomaly: boolean;
  model: 'rf' | 'rule';
}

async function main(): Promise<void> {
  execFileSync(process.execPath, [join(ROOT, 'scripts', 'ensure-built.mjs')], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
  const shipped = JSON.parse(readFileSync(join(ROOT, 'resources', 'models', 'default.metrics.json'), 'utf8')) as {
    version: string;
    training: { test_series: string[] };
    validation: { mean_balanced_accuracy_event_instances: number; anomalous_f1: number; false_positive_rate_normal_instances: number };
    references: Record<string, number>;
  };
  const wanted = new Set(shipped.training.test_series);
  const series = loadLabelledSeries(DATA).filter((s) => wanted.has(s.id));
  if (series.length !== wanted.size) throw new Error(`found ${series.length} of ${wanted.size} held-out instances in ${DATA}`);

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
          replay: {
            mean_balanced_accuracy_event_instances: round(q.mean_balanced_accuracy_event_instances),
            anomalous_f1: round(q.anomalous_f1),
            false_positive_rate_normal_instances: round(q.false_positive_rate_normal_instances),
            normal_instances_flagged: q.normal_instances_flagged,
            confusion_matrix: q.confusion_matrix,
          },
          at_training: {
            mean_balanced_accuracy_event_instances: round(shipped.validation.mean_balanced_accuracy_event_instances),
            anomalous_f1: round(shipped.validation.anomalous_f1),
            false_positive_rate_normal_instances: round(shipped.validation.false_positive_rate_normal_instances),
          },
          references: shipped.references,
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
