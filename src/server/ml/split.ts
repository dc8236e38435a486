import type { LabelledSeries } from './dataset';
import { seededRandom } from '../../shared/random';

export function shuffle<T>(items: readonly T[], random: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/**
 * Splits whole series (never rows of one series on both sides), stratified by event type so both
 * sides get normal and event instances. A stratum of one series goes to training; from two up,
 * each side gets at least one. A fraction of 0 keeps everything for training (cross-validation is
 * then the only validation).
 */
export function groupedSplit(series: readonly LabelledSeries[], testFraction: number, seed: number): { train: LabelledSeries[]; test: LabelledSeries[] } {
  const random = seededRandom(seed);
  const strata = new Map<number, LabelledSeries[]>();
  for (const s of series) {
    let list = strata.get(s.stratum);
    if (!list) strata.set(s.stratum, (list = []));
    list.push(s);
  }
  const train: LabelledSeries[] = [];
  const test: LabelledSeries[] = [];
  for (const key of [...strata.keys()].sort((a, b) => a - b)) {
    const list = shuffle(strata.get(key)!, random);
    const nTest = list.length < 2 || testFraction <= 0 ? 0 : Math.min(list.length - 1, Math.max(1, Math.round(list.length * testFraction)));
    test.push(...list.slice(0, nTest));
    train.push(...list.slice(nTest));
  }
  return { train, test };
}
