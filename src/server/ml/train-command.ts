import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { Config } from '../config';
import { closeDatabase, openDatabase } from '../db/open';
import { projectRoot, resourcesDir } from '../paths';
import { loadSeriesFromDb } from './dataset-db';
import { formatReport } from './report';
import { runTrainJob, type TrainJobInput, type TrainJobResult } from './train-job';
import { trainInWorker } from './train-runner';
import type { TrainOptions, TrainProgress } from './train';
import { loadModelFile } from './model-store';

export const TRAIN_USAGE = `train [--data PATH | --from-db] [--out DIR] [--ship] [--seed N] [--trees N] [--rows N] [--novelty] [--inline]
  --data PATH  labelled CSV file or folder (3W files, or device_id,ts,temperature,pressure,label);
               default: $ML_TRAIN_DATA, else ../shared/data/3w next to the project
  --from-db    train on the station database: readings inside spans labelled in the UI or API, and
               readings that carry an integer extra field "label"
  --out DIR    where to write the versioned model (default DATA_DIR/models)
  --ship       write resources/models/default.json (+ metrics and attribution) instead
  --novelty    gate the forest with a novelty model of the normal rows (docs/ML.md, "The novelty gate")
  --inline     train on this thread (default: a worker thread)`;

export class TrainCommandError extends Error {
  override name = 'TrainCommandError';
}

const intOption = (v: string | undefined, name: string): number | undefined => {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new TrainCommandError(`--${name} must be a positive integer`);
  return n;
};

/**
 * The CLI's `train` command (`npm run train -- [options]`). Trains, saves a versioned model and
 * prints the validation report. With the defaults it reproduces the shipped model's metrics.
 */
export async function runTrainCommand(
  argv: string[],
  config: Pick<Config, 'dataDir' | 'databasePath' | 'mlTrainData'>,
  out: NodeJS.WritableStream = process.stdout,
): Promise<TrainJobResult> {
  const { values } = parseArgs({
    args: argv,
    options: {
      data: { type: 'string' },
      'from-db': { type: 'boolean', default: false },
      out: { type: 'string' },
      ship: { type: 'boolean', default: false },
      seed: { type: 'string' },
      trees: { type: 'string' },
      rows: { type: 'string' },
      novelty: { type: 'boolean', default: false },
      inline: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) {
    out.write(`${TRAIN_USAGE}\n`);
    throw new TrainCommandError('help shown');
  }
  const options: Partial<TrainOptions> = {};
  const seed = intOption(values.seed, 'seed');
  const trees = intOption(values.trees, 'trees');
  const rows = intOption(values.rows, 'rows');
  if (seed !== undefined) options.seed = seed;
  if (trees !== undefined) options.nEstimators = trees;
  if (rows !== undefined) options.maxTrainRows = rows;
  if (values.novelty) options.novelty = true;

  const shipDir = join(resourcesDir, 'models');
  const input: TrainJobInput = {
    outDir: values.ship ? shipDir : resolve(values.out ?? join(config.dataDir, 'models')),
    options,
    ...(values.ship ? { fileName: 'default.json' } : {}),
  };
  if (values['from-db']) {
    if (values.data) throw new TrainCommandError('use either --data or --from-db');
    const db = openDatabase(config.databasePath, { readonly: true });
    try {
      input.series = loadSeriesFromDb(db);
    } finally {
      closeDatabase(db);
    }
    input.source = `database ${config.databasePath}`;
    if (input.series.length === 0)
      throw new TrainCommandError(
        'no labelled readings in the database: label spans on the Anomalies page (or POST /api/ml/spans), or send an integer "label" extra field',
      );
  } else {
    const dataPath = resolve(values.data ?? config.mlTrainData);
    if (!existsSync(dataPath)) throw new TrainCommandError(`training data ${dataPath} not found (use --data PATH or set ML_TRAIN_DATA)`);
    input.dataPath = dataPath;
    // Relative to the project, so the shipped model does not record one machine's folders.
    input.source = dataPath.startsWith(resolve(projectRoot, '..')) ? dataPath.slice(resolve(projectRoot, '..').length + 1) : dataPath;
  }

  let lastPhase = '';
  const progress = (p: TrainProgress) => {
    if (p.phase !== lastPhase || p.phase === 'training') process.stderr.write(`[train] ${p.phase}: ${p.message}\n`);
    lastPhase = p.phase;
  };
  const result = values.inline ? runTrainJob(input, progress) : await trainInWorker(input, progress);
  const model = loadModelFile(result.path).file;
  out.write(formatReport(model));
  out.write(`model saved: ${result.path}\n`);
  if (values.ship) {
    mkdirSync(shipDir, { recursive: true });
    // The metrics file is for reading: the novelty model's tables (46 numbers per feature) stay in the model file.
    const { forest: _forest, novelty, ...metrics } = model;
    const summary = novelty ? { rows: novelty.rows, anchor: novelty.anchor, tail_entries_per_feature: novelty.tails[0]?.length ?? 0 } : null;
    writeFileSync(join(shipDir, 'default.metrics.json'), `${JSON.stringify({ ...metrics, novelty: summary }, null, 2)}\n`);
    if (model.attribution) writeFileSync(join(shipDir, 'ATTRIBUTION.md'), `# Training data of the default anomaly model\n\n${model.attribution}\n`);
  }
  return result;
}
