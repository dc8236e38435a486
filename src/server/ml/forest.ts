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

/** A tree node as stored in the JSON: a split, or a leaf with its class distribution. */
interface TreeNodeJson {
  splitColumn?: number;
  splitValue?: number;
  left?: TreeNodeJson;
  right?: TreeNodeJson;
  /** [[share of class 0, share of class 1, ...]] in a file; an ml-matrix Matrix in a forest just trained */
  distribution?: number[][] | { getRow(i: number): number[] };
}

/**
 * A loaded forest that returns anomaly scores: the share of trees voting "anomalous" (0..1).
 *
 * The trees are flattened into typed arrays and walked directly: the library's predict builds a
 * matrix view per tree and a distribution matrix per leaf visit, which cost more than the features
 * when scoring a week of readings. The votes are the library's, node for node: left when
 * `row[column] < value`, and a leaf votes for the first class with the largest share (ml-cart's
 * `maxRowIndex`); a test compares the two on the shipped model.
 */
export class Forest {
  /** per node: the feature index it splits on (-1 for a leaf) */
  private readonly feature: Int32Array;
  private readonly value: Float64Array;
  private readonly left: Int32Array;
  private readonly right: Int32Array;
  /** per leaf: 1 when it votes anomalous */
  private readonly vote: Uint8Array;
  private readonly roots: number[] = [];

  constructor(json: ForestJson) {
    const base = json.baseModel as unknown as { estimators: { root: TreeNodeJson }[]; indexes: number[][] };
    const feature: number[] = [];
    const value: number[] = [];
    const left: number[] = [];
    const right: number[] = [];
    const vote: number[] = [];
    const add = (node: TreeNodeJson, columns: number[]): number => {
      const k = feature.length;
      feature.push(-1);
      value.push(0);
      left.push(-1);
      right.push(-1);
      vote.push(0);
      if (node.distribution === undefined && node.left && node.right && node.splitColumn !== undefined && node.splitValue !== undefined) {
        const column = columns[node.splitColumn];
        if (column === undefined) throw new Error(`tree splits on column ${node.splitColumn}, beyond its ${columns.length} features`);
        feature[k] = column;
        value[k] = node.splitValue;
        left[k] = add(node.left, columns);
        right[k] = add(node.right, columns);
      } else {
        const d = node.distribution;
        const shares = d === undefined ? [] : Array.isArray(d) ? (d[0] ?? []) : d.getRow(0);
        let best = 0;
        for (let c = 1; c < shares.length; c++) if (shares[c]! > shares[best]!) best = c;
        vote[k] = best === 1 ? 1 : 0;
      }
      return k;
    };
    base.estimators.forEach((tree, i) => this.roots.push(add(tree.root, base.indexes[i]!)));
    this.feature = Int32Array.from(feature);
    this.value = Float64Array.from(value);
    this.left = Int32Array.from(left);
    this.right = Int32Array.from(right);
    this.vote = Uint8Array.from(vote);
  }

  /** Vote share per row. */
  scores(rows: readonly (readonly number[])[]): number[] {
    const out: number[] = new Array(rows.length);
    const trees = this.roots.length;
    for (let r = 0; r < rows.length; r++) {
      const row = rows[r]!;
      let yes = 0;
      for (let t = 0; t < trees; t++) {
        let k = this.roots[t]!;
        let f = this.feature[k]!;
        while (f >= 0) {
          k = row[f]! < this.value[k]! ? this.left[k]! : this.right[k]!;
          f = this.feature[k]!;
        }
        yes += this.vote[k]!;
      }
      out[r] = trees ? yes / trees : 0;
    }
    return out;
  }
}
