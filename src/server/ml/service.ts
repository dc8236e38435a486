import { FEATURE_NAMES, computeFeatures, fillGaps } from './features';
import { AppError, notFound } from '../http/errors';
import { MAX_SCORE_POINTS, type PredictResponse, type RuleFired, type ScorePoint } from '../../shared/ml';
import { msToIso, msToSeconds } from '../../shared/time';
import { DEFAULT_TIMING, type AlarmTiming } from './alarms';
import type { LoadedModel, ModelRegistry } from './model-store';
import type { HistoryRow, LimitsRow, MlRepository } from './repository';
import { NO_LIMITS, scoreByRules, type Limits } from './rules';

/** The rule scorer's threshold: it scores 0 or 1. */
export const RULE_THRESHOLD = 0.5;

export interface PredictInput {
  temperature: number;
  pressure: number;
  device_id?: string | undefined;
  /** epoch ms */
  ts?: number | undefined;
}

export interface ScoredReading {
  ts: number;
  score: number;
  anomaly: boolean;
  model: 'rf' | 'rule';
  fired: RuleFired[];
  features: number[] | null;
}

/**
 * The anomaly check's use cases: score one reading (predict), score a stored range, and score the
 * readings an alarm monitor has not seen yet. The forest answers when it has a model and enough
 * history; otherwise the rule scorer does. Hard limits are checked in both cases.
 */
export class MlService {
  constructor(
    private readonly repo: MlRepository,
    private readonly models: ModelRegistry,
    private readonly now: () => number = Date.now,
  ) {}

  /** The device's own limits row, else the `*` default row, else no limits. */
  settingsFor(deviceId: string | undefined): { limits: Limits; timing: AlarmTiming; row: LimitsRow | undefined } {
    const row = (deviceId !== undefined ? this.repo.limits(deviceId) : undefined) ?? this.repo.limits('*');
    const limits: Limits = row ?? NO_LIMITS;
    return {
      limits,
      row,
      timing: {
        openAfterMs: (row?.alarm_open_after_s ?? DEFAULT_TIMING.openAfterMs / 1000) * 1000,
        clearAfterMs: (row?.alarm_clear_after_s ?? DEFAULT_TIMING.clearAfterMs / 1000) * 1000,
      },
    };
  }

  /** Readings of history the model needs for its last reading's smoothed score. */
  private historyNeeded(model: LoadedModel | null): number {
    return model ? model.file.windows.long + model.file.smoothing : 1;
  }

  predict(input: PredictInput): PredictResponse {
    const ts = input.ts ?? this.now();
    const model = this.models.get();
    const { limits } = this.settingsFor(input.device_id);
    const ref = input.device_id !== undefined ? this.repo.deviceRef(input.device_id) : undefined;
    const history = ref !== undefined ? this.repo.historyBefore(ref, ts, this.historyNeeded(model)) : [];
    const [r] = this.scoreRows(history, [{ ts, temperature: input.temperature, pressure: input.pressure }], limits, model);
    const scored = r!;
    const useRf = scored.model === 'rf';
    let reason: string;
    if (useRf) reason = `random forest on ${history.length} stored readings of ${input.device_id}`;
    else if (!model) reason = 'no anomaly model is installed: rule limits only';
    else if (input.device_id === undefined) reason = 'no device_id: without history only rule limits apply';
    else if (ref === undefined) reason = `device ${input.device_id} has no stored readings: rule limits only`;
    else reason = `device ${input.device_id} has ${history.length} readings before ts; the model needs ${model.file.windows.minHistory}: rule limits only`;
    if (scored.fired.length) reason += `; limit exceeded: ${scored.fired.map((f) => f.rule).join(', ')}`;
    return {
      anomaly: scored.anomaly,
      score: scored.score,
      model: scored.model,
      meta: {
        model_version: useRf ? model!.file.version : null,
        threshold: useRf ? model!.file.threshold : RULE_THRESHOLD,
        features: useRf && scored.features ? Object.fromEntries(FEATURE_NAMES.map((n, i) => [n, scored.features![i]!])) : null,
        history: history.length,
        rules_fired: scored.fired,
        reason,
      },
    };
  }

  /** Scores every stored reading of a device in [from, to] (epoch ms). */
  score(deviceId: string, from: number, to: number): ScorePoint[] {
    const ref = this.repo.deviceRef(deviceId);
    if (ref === undefined) throw notFound(`device ${deviceId}`);
    const count = this.repo.countRange(ref, from, to);
    if (count > MAX_SCORE_POINTS) {
      throw new AppError(422, `the range holds ${count} readings; score at most ${MAX_SCORE_POINTS} per request (narrow ts_from..ts_to)`);
    }
    return this.scoreStored(ref, deviceId, from, this.repo.range(ref, from, to, MAX_SCORE_POINTS)).map((r) => ({
      ts: msToSeconds(r.ts),
      time: msToIso(r.ts),
      score: r.score,
      anomaly: r.anomaly,
      model: r.model,
    }));
  }

  /** Scores stored readings that start at `from`, with the history before them. */
  scoreStored(ref: number, deviceId: string, from: number, rows: HistoryRow[]): ScoredReading[] {
    const model = this.models.get();
    const history = this.repo.historyBefore(ref, from, this.historyNeeded(model));
    return this.scoreRows(history, rows, this.settingsFor(deviceId).limits, model);
  }

  /**
   * The core: `rows` scored in order, `history` only as context. Raw forest votes are averaged over
   * the model's smoothing window, as in training, so the same reading gets the same score here, in
   * /score and in the training metrics.
   */
  scoreRows(history: readonly HistoryRow[], rows: readonly HistoryRow[], limits: Limits, model: LoadedModel | null): ScoredReading[] {
    const all = [...history, ...rows];
    const t = fillGaps(all.map((r) => r.temperature));
    const p = fillGaps(all.map((r) => r.pressure));
    const first = history.length;
    const raw: (number | null)[] = all.map(() => null);
    const feats: (number[] | null)[] = all.map(() => null);
    if (model) {
      const w = model.file.windows;
      const start = Math.max(0, first - model.file.smoothing + 1);
      const idx: number[] = [];
      for (let i = start; i < all.length; i++) {
        const from = Math.max(0, i - w.long);
        const f = computeFeatures(t.slice(from, i + 1), p.slice(from, i + 1), w);
        if (f) {
          feats[i] = f;
          idx.push(i);
        }
      }
      const votes = model.forest.scores(idx.map((i) => feats[i]!));
      idx.forEach((i, k) => (raw[i] = votes[k]!));
    }
    const out: ScoredReading[] = [];
    for (let i = first; i < all.length; i++) {
      const row = all[i]!;
      const prev = i > 0 ? all[i - 1]! : null;
      const rule = scoreByRules(row, prev, limits);
      const v = raw[i];
      if (model && v != null) {
        let s = 0;
        let n = 0;
        for (let j = Math.max(0, i - model.file.smoothing + 1); j <= i; j++) {
          const rj = raw[j];
          if (rj != null) {
            s += rj;
            n++;
          }
        }
        const score = s / n;
        const anomaly = score >= model.file.threshold || rule.anomaly;
        out.push({ ts: row.ts, score: rule.anomaly ? Math.max(score, rule.score) : score, anomaly, model: 'rf', fired: rule.fired, features: feats[i] ?? null });
      } else {
        out.push({ ts: row.ts, score: rule.score, anomaly: rule.anomaly, model: 'rule', fired: rule.fired, features: null });
      }
    }
    return out;
  }
}
