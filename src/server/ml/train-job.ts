import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { loadLabelledSeries, type LabelledSeries } from './dataset';
import { MODEL_FORMAT, modelVersion, saveModelFile, type ModelFile } from './model-store';
import { trainModel, type TrainOptions, type TrainProgress, type TrainedModel } from './train';

/** What a training run needs; plain data so it can cross into a worker thread. */
export interface TrainJobInput {
  /** a labelled CSV file or a folder of them (3W or `device_id, ts, temperature, pressure, label`) */
  dataPath?: string;
  /** already loaded series (training from the database) */
  series?: LabelledSeries[];
  source?: string;
  outDir: string;
  /** file name inside outDir; default `<version>.json` */
  fileName?: string;
  options?: Partial<TrainOptions>;
}

export interface TrainJobResult {
  path: string;
  version: string;
  cv: ModelFile['cv'];
  threshold: number;
}

/** Published references on 3W real instances (balanced test sets where a dummy scores 0.5). */
const REFERENCES = {
  isolation_forest_balanced_accuracy: 0.727,
  random_forest_class1_balanced_accuracy: 0.825,
};

/**
 * The licence and citation section of a data folder's README, if it has one. CC BY 4.0 requires the
 * attribution to travel with anything derived from the data, so it is copied into the model file.
 */
function attributionFor(dataPath: string | undefined): string | null {
  if (!dataPath) return null;
  const dir = existsSync(dataPath) && statSync(dataPath).isDirectory() ? dataPath : dirname(dataPath);
  const readme = join(dir, 'README.md');
  if (!existsSync(readme)) return null;
  const text = readFileSync(readme, 'utf8');
  const sections = ['## Licence and citation', '## Provenance', '## How the rows were made (changes to the original data)']
    .map((h) => {
      const at = text.indexOf(h);
      if (at < 0) return '';
      const end = text.indexOf('\n## ', at + h.length);
      return text.slice(at, end < 0 ? undefined : end).trim();
    })
    .filter(Boolean);
  return sections.length ? sections.join('\n\n') : null;
}

export function toModelFile(trained: TrainedModel, source: string, attribution: string | null, now = new Date()): ModelFile {
  return {
    format: MODEL_FORMAT,
    format_version: 1,
    version: modelVersion(trained, now),
    created_at: now.toISOString(),
    source,
    attribution,
    references: REFERENCES,
    ...trained,
  };
}

/** Load, train, save. Runs inside the training worker (or inline with --no-worker). */
export function runTrainJob(input: TrainJobInput, onProgress: (p: TrainProgress) => void = () => {}): TrainJobResult {
  const series = input.series ?? (input.dataPath ? loadLabelledSeries(input.dataPath) : null);
  if (!series) throw new Error('training needs a data path or labelled series');
  const trained = trainModel(series, input.options ?? {}, onProgress);
  const file = toModelFile(trained, input.source ?? input.dataPath ?? 'series', attributionFor(input.dataPath));
  const path = saveModelFile(input.outDir, file, input.fileName);
  return { path, version: file.version, cv: file.cv, threshold: file.threshold };
}
