import { RandomForestClassifier } from 'ml-random-forest';

/** What `RandomForestClassifier#toJSON()` returns; stored verbatim inside a model file. */
export type ForestJson = ReturnType<RandomForestClassifier['toJSON']>;

export interface ForestOptions {
  nEstimators: number;
  /** share (0..1) of the features each tree sees */
  maxFeatures: number;
  maxDepth: number;
  minNumSamples: number;
  seed: number;
}

/** Trees are trained in chunks of this many, so a long training can report progress between chunks. */
const CHUNK = 5;

/**
 * Trains a forest in chunks of trees (each chunk its own seeded forest) and merges them into one
 * classifier JSON. ml-random-forest has no progress hook; chunking gives one, and `noOOB` avoids the
 * library's out-of-bag step, which crashes for small forests and which a grouped validation replaces.
 */
export function trainForest(X: number[][], y: number[], options: ForestOptions, onTree: (done: number, total: number) => void = () => {}): ForestJson {
  let merged: ForestJson | null = null;
  for (let done = 0; done < options.nEstimators; ) {
    const n = Math.min(CHUNK, options.nEstimators - done);
    const rf = new RandomForestClassifier({
      nEstimators: n,
      maxFeatures: options.maxFeatures,
      replacement: false,
      useSampleBagging: true,
      noOOB: true,
      // 32-bit seeds, distinct per chunk, derived from the run's seed: the same run gives the same trees.
      seed: (options.seed * 7919 + done * 104729) % 2147483647,
      treeOptions: { maxDepth: options.maxDepth, minNumSamples: options.minNumSamples },
    });
    rf.train(X, y);
    const json = rf.toJSON();
    if (!merged) merged = json;
    else {
      merged.baseModel.estimators.push(...json.baseModel.estimators);
      merged.baseModel.indexes.push(...json.baseModel.indexes);
      merged.baseModel.nEstimators += n;
    }
    done += n;
    onTree(done, options.nEstimators);
  }
  if (!merged) throw new Error('nEstimators must be at least 1');
  return merged;
}

/** A loaded forest that returns anomaly scores: the share of trees voting "anomalous" (0..1). */
export class Forest {
  private readonly rf: RandomForestClassifier;

  constructor(json: ForestJson) {
    this.rf = RandomForestClassifier.load(json);
  }

  /**
   * Vote share per row. (The library's predictProbability miscounts the first tree's vote, so the
   * votes are counted here.)
   */
  scores(rows: number[][]): number[] {
    if (rows.length === 0) return [];
    const votes = this.rf.predictionValues(rows);
    const out: number[] = [];
    for (let i = 0; i < votes.rows; i++) {
      const row = votes.getRow(i);
      let yes = 0;
      for (const v of row) if (v === 1) yes++;
      out.push(yes / row.length);
    }
    return out;
  }
}
