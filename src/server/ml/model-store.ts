import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { FEATURE_NAMES } from './features';
import { Forest } from './forest';
import type { TrainedModel } from './train';

/**
 * Models are JSON files: `DATA_DIR/models/rf-<stamp>-<hash>.json`, newest first; the default model
 * trained on the 3W data ships as `resources/models/default.json`. A file carries everything needed
 * to score (forest, windows, threshold, smoothing), its metrics and the training data's attribution.
 */
export const MODEL_FORMAT = 'smart-oilfield/anomaly-rf';

export interface ModelFile extends TrainedModel {
  format: typeof MODEL_FORMAT;
  format_version: 1;
  version: string;
  created_at: string;
  /** where the training data came from */
  source: string;
  /** licence and citation of the training data (CC BY 4.0 requires it to travel with the model) */
  attribution: string | null;
  references: Record<string, number>;
}

// Only the parts the station relies on are checked; the forest itself is checked by loading it.
const headerSchema = z.object({
  format: z.literal(MODEL_FORMAT),
  format_version: z.literal(1),
  version: z.string().min(1),
  feature_names: z.array(z.string()),
  windows: z.object({ short: z.number().int().min(1), mid: z.number().int().min(2), long: z.number().int().min(2), minHistory: z.number().int().min(2) }),
  smoothing: z.number().int().min(1),
  threshold: z.number().min(0).max(1),
  forest: z.object({ name: z.literal('RFClassifier') }).loose(),
});

class ModelError extends Error {
  override name = 'ModelError';
}

export interface LoadedModel {
  file: ModelFile;
  path: string;
  forest: Forest;
}

export function modelVersion(model: Pick<TrainedModel, 'forest'>, now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\..*$/, '').replace('T', '-');
  const hash = createHash('sha256').update(JSON.stringify(model.forest)).digest('hex').slice(0, 8);
  return `rf-${stamp}-${hash}`;
}

export function loadModelFile(path: string): LoadedModel {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new ModelError(`cannot read model ${path}: ${(err as Error).message}`);
  }
  const header = headerSchema.safeParse(raw);
  if (!header.success) throw new ModelError(`${path} is not a SMART Oilfield anomaly model: ${header.error.issues[0]?.message}`);
  const file = raw as ModelFile;
  if (file.feature_names.join(',') !== FEATURE_NAMES.join(',')) {
    throw new ModelError(`${path} was trained on other features (${file.feature_names.length}); retrain it with this station`);
  }
  return { file, path, forest: new Forest(file.forest) };
}

/** Writes atomically (temp file + rename) so a reader never sees half a model. */
export function saveModelFile(dir: string, file: ModelFile, name = `${file.version}.json`): string {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const path = join(dir, name);
  const tmp = `${path}.tmp`;
  writeFileSync(tmp, JSON.stringify(file), { mode: 0o600 });
  renameSync(tmp, path);
  return path;
}

/** Model files in `dir`, newest first (versions sort by time), then the shipped default. */
function modelCandidates(dir: string, defaultPath: string | null): string[] {
  const out: string[] = [];
  if (existsSync(dir)) {
    const files = readdirSync(dir)
      .filter((f) => /^rf-\d{8}-\d{6}-[0-9a-f]{8}\.json$/.test(f))
      .sort()
      .reverse();
    out.push(...files.map((f) => join(dir, f)));
  }
  if (defaultPath && existsSync(defaultPath)) out.push(defaultPath);
  return out;
}

/** The newest model in `dir`, else the shipped default, else null. */
function findModelPath(dir: string, defaultPath: string | null): string | null {
  return modelCandidates(dir, defaultPath)[0] ?? null;
}

/**
 * Holds the active model. It looks for a newer file at most every `refreshMs`, so a model trained by
 * a background job (possibly in a worker process) is picked up without a restart; `reload()` forces it.
 * A file trained on other features (an older station) is skipped, not fatal: the next one answers.
 */
export class ModelRegistry {
  private current: LoadedModel | null = null;
  private currentPath: string | null = null;
  private checkedAt = -Infinity;
  private pinned = false;
  /** files that could not be used, with the reason */
  readonly skipped: string[] = [];

  constructor(
    readonly modelsDir: string,
    readonly defaultPath: string | null,
    private readonly refreshMs = 5_000,
    private readonly now: () => number = Date.now,
  ) {}

  get(): LoadedModel | null {
    if (!this.pinned && this.now() - this.checkedAt >= this.refreshMs) {
      this.checkedAt = this.now();
      const newest = findModelPath(this.modelsDir, this.defaultPath);
      if (newest !== this.currentPath) this.reload();
    }
    return this.current;
  }

  reload(): LoadedModel | null {
    this.pinned = false;
    this.current = null;
    this.currentPath = null;
    for (const path of modelCandidates(this.modelsDir, this.defaultPath)) {
      try {
        this.current = loadModelFile(path);
        this.currentPath = path;
        break;
      } catch (err) {
        if (!(err instanceof ModelError)) throw err;
        this.skipped.push(`${path}: ${err.message}`);
      }
    }
    this.checkedAt = this.now();
    return this.current;
  }

  /** Tests and a model-less station (rule scorer only): pins the model until the next `reload()`. */
  set(model: LoadedModel | null): void {
    this.current = model;
    this.currentPath = model?.path ?? null;
    this.pinned = true;
  }
}
