import { featureSeries } from './feature-series';
import { FEATURE_NAMES, fillGaps } from './features';
import { AppError, notFound } from '../http/errors';
import { MAX_SCORE_POINTS, SCORE_SYNC_MAX, type PredictResponse, type RuleFired, type ScorePoint, type Span, type SpanCreate } from '../../shared/ml';
import { msToIso, msToSeconds } from '../../shared/time';
import { DEFAULT_TIMING, type AlarmTiming } from './alarms';
import { forestReasons, noveltyReason } from './explain';
import { channelStatsSeries, DEFAULT_GUARDS, guardHits, guardScore, type GuardHit, type GuardLimits } from './guards';
import type { LoadedModel, ModelRegistry } from './model-store';
import { noveltyScore } from './novelty';
import { smoothedAt } from './smoothing';
import type { HistoryRow, LimitsRow, MlRepository, SpanRow } from './repository';
import { DEFAULT_LIMITS, ruleReason, scoreByRules, type Limits } from './rules';

/** The rule scorer's threshold: it scores 0 or 1. */
const RULE_THRESHOLD = 0.5;

/** Reasons kept per scored reading. */
const MAX_REASONS = 3;

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
  guards: GuardHit[];
  /** why it flagged, in words, most telling first ([] for a normal reading) */
  reasons: string[];
  features: number[] | null;
  /** the smoothed forest score alone (null: the forest did not answer) */
  forest: number | null;
  /** the smoothed novelty (novelty.ts; null: no novelty gate or no features) */
  novelty: number | null;
  /** the guards' distance and step (larger channel), 0 before the guards have enough history */
  distance: number;
  step: number;
}

/**
 * What an admin's "this span is normal" marks change for one device, without retraining: readings
 * inside a marked span are never flagged, the forest threshold rises above the highest score seen
 * inside the marked spans, and the guards' distance and step limits rise above what those spans showed.
 */
export interface DeviceAdaptation {
  normalSpans: { id: number; from: number; to: number; by: string | null; note: string | null }[];
  threshold: number | null;
  distance: number | null;
  step: number | null;
}

const NO_ADAPTATION: DeviceAdaptation = { normalSpans: [], threshold: null, distance: null, step: null };

/** The highest a marked span may raise a device's threshold: a marked span never silences the forest. */
const MAX_ADAPTED_THRESHOLD = 0.95;

/**
 * The anomaly check's use cases: score one reading (predict), score a stored range, and score the
 * readings an alarm monitor has not seen yet. Three layers decide, and each says why in words:
 * hard limits (the admin's, else the shipped defaults), the guards (far out, impossible step, frozen
 * sensor: guards.ts), and the forest for the subtle patterns when it has a model and enough history.
 */
export class MlService {
  constructor(
    private readonly repo: MlRepository,
    private readonly models: ModelRegistry,
    private readonly now: () => number = Date.now,
  ) {}

  /** The device's own limits row, else the `*` row, else the shipped defaults. */
  settingsFor(deviceId: string | undefined): { limits: Limits; timing: AlarmTiming; row: LimitsRow | undefined } {
    const row = (deviceId !== undefined ? this.repo.limits(deviceId) : undefined) ?? this.repo.limits('*');
    const limits: Limits = row ?? DEFAULT_LIMITS;
    return {
      limits,
      row,
      timing: {
        openAfterMs: (row?.alarm_open_after_s ?? DEFAULT_TIMING.openAfterMs / 1000) * 1000,
        clearAfterMs: (row?.alarm_clear_after_s ?? DEFAULT_TIMING.clearAfterMs / 1000) * 1000,
      },
    };
  }

  /** What the device's spans marked normal change (see DeviceAdaptation). */
  adaptationFor(ref: number | undefined): DeviceAdaptation {
    if (ref === undefined) return NO_ADAPTATION;
    const spans = this.repo.normalSpans(ref);
    if (spans.length === 0) return NO_ADAPTATION;
    const peak = (k: 'forest_peak' | 'distance_peak' | 'step_peak') => {
      const v = spans.map((s) => s[k]).filter((x): x is number => x != null);
      return v.length ? Math.max(...v) : null;
    };
    const f = peak('forest_peak');
    const d = peak('distance_peak');
    const st = peak('step_peak');
    return {
      normalSpans: spans.map((s) => ({ id: s.id, from: s.ts_from, to: s.ts_to, by: s.created_by, note: s.note })),
      threshold: f === null ? null : Math.min(MAX_ADAPTED_THRESHOLD, f + 0.01),
      distance: d === null ? null : d * 1.1,
      step: st === null ? null : st * 1.1,
    };
  }

  /**
   * Records a judged span. A span marked normal is measured first (its readings scored as the station
   * scores them now, without any adaptation): the highest forest score, guard distance and step inside
   * it are what the device's threshold and guard limits must rise above from now on.
   */
  addSpan(input: SpanCreate, by: string | null): Span {
    const ref = this.repo.deviceRef(input.device_id);
    if (ref === undefined) throw notFound(`device ${input.device_id}`);
    const readings = this.repo.countRange(ref, input.ts_from, input.ts_to);
    if (readings === 0) throw new AppError(422, `device ${input.device_id} has no readings between ts_from and ts_to`);
    // A span marked normal is scored on the request thread, so it gets the same cap as a synchronous /score.
    if (readings > SCORE_SYNC_MAX) {
      throw new AppError(422, `the span holds ${readings} readings; mark at most ${SCORE_SYNC_MAX} at a time (narrow ts_from..ts_to)`);
    }
    let peaks = { forest_peak: null as number | null, distance_peak: null as number | null, step_peak: null as number | null };
    if (input.kind === 'normal') {
      const scored = this.scoreStored(ref, input.device_id, input.ts_from, this.repo.range(ref, input.ts_from, input.ts_to, SCORE_SYNC_MAX), NO_ADAPTATION);
      const forest = scored.map((r) => r.forest).filter((v): v is number => v !== null);
      peaks = {
        forest_peak: forest.length ? Math.max(...forest) : null,
        distance_peak: Math.max(0, ...scored.map((r) => r.distance)),
        step_peak: Math.max(0, ...scored.map((r) => r.step)),
      };
    }
    const row = this.repo.addSpan({
      device_id: input.device_id,
      ts_from: input.ts_from,
      ts_to: input.ts_to,
      kind: input.kind,
      label: input.label ?? 0,
      note: input.note ?? null,
      ...peaks,
      created_at: this.now(),
      created_by: by,
    });
    return this.spanOut(row, readings);
  }

  spans(deviceId: string | undefined, limit: number): Span[] {
    return this.repo.spans(deviceId, limit).map((r) => {
      const ref = this.repo.deviceRef(r.device_id);
      return this.spanOut(r, ref === undefined ? 0 : this.repo.countRange(ref, r.ts_from, r.ts_to));
    });
  }

  private spanOut(r: SpanRow, readings: number): Span {
    return {
      id: r.id,
      device_id: r.device_id,
      ts_from: msToSeconds(r.ts_from),
      ts_to: msToSeconds(r.ts_to),
      kind: r.kind,
      label: r.label,
      note: r.note,
      readings,
      created_at: msToIso(r.created_at),
      created_by: r.created_by,
    };
  }

  /** Readings of history the model needs for its last reading's smoothed score. */
  private historyNeeded(model: LoadedModel | null): number {
    return model ? model.file.windows.long + model.file.smoothing : DEFAULT_GUARD_WINDOW;
  }

  predict(input: PredictInput): PredictResponse {
    const ts = input.ts ?? this.now();
    const model = this.models.get();
    const { limits } = this.settingsFor(input.device_id);
    const ref = input.device_id !== undefined ? this.repo.deviceRef(input.device_id) : undefined;
    const history = ref !== undefined ? this.repo.historyBefore(ref, ts, this.historyNeeded(model)) : [];
    const adapt = this.adaptationFor(ref);
    const [r] = this.scoreRows(history, [{ ts, temperature: input.temperature, pressure: input.pressure }], limits, model, adapt);
    const scored = r!;
    const useRf = scored.model === 'rf';
    let reason: string;
    if (useRf) reason = `random forest on ${history.length} stored readings of ${input.device_id}`;
    else if (!model) reason = 'no anomaly model is installed: rule limits and guards only';
    else if (input.device_id === undefined) reason = 'no device_id: without history only rule limits apply';
    else if (ref === undefined) reason = `device ${input.device_id} has no stored readings: rule limits only`;
    else
      reason = `device ${input.device_id} has ${history.length} readings before ts; the model needs ${model.file.windows.minHistory}: rule limits and guards only`;
    if (scored.fired.length) reason += `; limit exceeded: ${scored.fired.map((f) => f.rule).join(', ')}`;
    return {
      anomaly: scored.anomaly,
      score: scored.score,
      model: scored.model,
      meta: {
        model_version: useRf ? model!.file.version : null,
        threshold: useRf ? (adapt.threshold !== null ? Math.max(adapt.threshold, model!.file.threshold) : model!.file.threshold) : RULE_THRESHOLD,
        features: useRf && scored.features ? Object.fromEntries(FEATURE_NAMES.map((n, i) => [n, scored.features![i]!])) : null,
        history: history.length,
        rules_fired: scored.fired,
        guards: scored.guards.map((g) => ({ kind: g.kind, channel: g.channel, severity: g.severity })),
        reasons: scored.reasons,
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
      reasons: r.reasons,
    }));
  }

  /** Scores stored readings that start at `from`, with the history before them. */
  scoreStored(ref: number, deviceId: string, from: number, rows: HistoryRow[], adapt: DeviceAdaptation = this.adaptationFor(ref)): ScoredReading[] {
    const model = this.models.get();
    const history = this.repo.historyBefore(ref, from, this.historyNeeded(model));
    return this.scoreRows(history, rows, this.settingsFor(deviceId).limits, model, adapt);
  }

  /**
   * The core: `rows` scored in order, `history` only as context. Raw forest votes are averaged over
   * the model's smoothing window, as in training, so the same reading gets the same score here, in
   * /score and in the training metrics. A guard hit or a fired limit flags whatever the forest says.
   */
  scoreRows(
    history: readonly HistoryRow[],
    rows: readonly HistoryRow[],
    limits: Limits,
    model: LoadedModel | null,
    adapt: DeviceAdaptation = NO_ADAPTATION,
  ): ScoredReading[] {
    const all = [...history, ...rows];
    const rawT = all.map((r) => r.temperature);
    const rawP = all.map((r) => r.pressure);
    const t = fillGaps(rawT);
    const p = fillGaps(rawP);
    const first = history.length;
    const raw: (number | null)[] = all.map(() => null);
    const nov: (number | null)[] = all.map(() => null);
    const feats: (number[] | null)[] = all.map(() => null);
    // The novelty gate (novelty.ts): a model trained with it flags a reading only when the forest's
    // score reaches its threshold and the reading is unusual for a normal well; one score carries both,
    // min(forest, threshold × novelty / novelty threshold), so "score ≥ threshold" stays the rule.
    const gate = model?.file.novelty && (model.file.novelty_threshold ?? 0) > 0 ? model.file.novelty : null;
    const w = model?.file.windows;
    if (model && w) {
      const start = Math.max(0, first - model.file.smoothing + 1);
      const idx: number[] = [];
      featureSeries(t, p, w, start).forEach((f, i) => {
        if (f) {
          feats[i] = f;
          idx.push(i);
        }
      });
      const votes = model.forest.scores(idx.map((i) => feats[i]!));
      idx.forEach((i, k) => (raw[i] = votes[k]!));
      if (gate) for (const i of idx) nov[i] = noveltyScore(feats[i]!, gate);
    }
    const base = model?.file.guards ?? DEFAULT_GUARDS;
    const guards: GuardLimits = {
      distance: Math.max(base.distance, adapt.distance ?? 0),
      step: Math.max(base.step, adapt.step ?? 0),
      frozen: base.frozen,
    };
    const long = w?.long ?? DEFAULT_GUARD_WINDOW;
    const minHistory = w?.minHistory ?? DEFAULT_GUARD_MIN_HISTORY;
    const threshold = model ? Math.max(model.file.threshold, adapt.threshold ?? 0) : RULE_THRESHOLD;
    const out: ScoredReading[] = [];
    const statsFrom = Math.max(first, minHistory);
    const tStats = channelStatsSeries(t, rawT, long, statsFrom);
    const pStats = channelStatsSeries(p, rawP, long, statsFrom);
    for (let i = first; i < all.length; i++) {
      const row = all[i]!;
      const prev = i > 0 ? all[i - 1]! : null;
      const rule = scoreByRules(row, prev, limits);
      const st = i >= statsFrom ? tStats[i - statsFrom]! : null;
      const sp = i >= statsFrom ? pStats[i - statsFrom]! : null;
      const hits = [...guardHits('temperature', row.temperature, st, guards), ...guardHits('pressure', row.pressure, sp, guards)].sort(
        (a, b) => b.severity - a.severity,
      );
      const v = raw[i];
      let score: number;
      let forest: number | null = null;
      let novelty: number | null = null;
      let forestFlag = false;
      let modelKind: 'rf' | 'rule' = 'rule';
      if (model && v != null) {
        forest = smoothedAt(raw, i, model.file.smoothing);
        score = forest;
        if (gate) {
          novelty = smoothedAt(nov, i, model.file.smoothing);
          score = Math.min(forest, (model.file.threshold * novelty) / model.file.novelty_threshold!);
        }
        forestFlag = score >= threshold;
        modelKind = 'rf';
      } else {
        score = 0;
      }
      score = Math.max(score, guardScore(hits), rule.score);
      const reasons = [...rule.fired.map(ruleReason), ...hits.map((h) => h.reason)];
      if (forestFlag && feats[i]) {
        const why = forestReasons(feats[i]!, model?.file.feature_scales);
        reasons.push(...(why.length ? why.map((x) => `forest: ${x}`) : ['forest: a pattern like the training events']));
        if (gate) reasons.push(noveltyReason(feats[i]!, gate));
      }
      let anomaly = forestFlag || hits.length > 0 || rule.anomaly;
      // An admin marked this stretch normal: hard limits still count, the model's and guards' view does not.
      const span = rule.anomaly ? undefined : adapt.normalSpans.find((s) => row.ts >= s.from && row.ts <= s.to);
      if (span) {
        anomaly = false;
        reasons.length = 0;
        reasons.push(`inside span ${span.id} marked normal${span.by ? ` by ${span.by}` : ''}${span.note ? `: ${span.note}` : ''}`);
      }
      out.push({
        ts: row.ts,
        score,
        anomaly,
        model: modelKind,
        fired: rule.fired,
        guards: hits,
        reasons: anomaly || span ? reasons.slice(0, MAX_REASONS) : [],
        features: feats[i] ?? null,
        forest,
        novelty,
        distance: Math.max(st?.distance ?? 0, sp?.distance ?? 0),
        step: Math.max(st?.step ?? 0, sp?.step ?? 0),
      });
    }
    return out;
  }
}

/** Without a model, the guards look back this many readings (the shipped model's baseline). */
const DEFAULT_GUARD_WINDOW = 360;
/** ... and need this many before they judge. */
const DEFAULT_GUARD_MIN_HISTORY = 10;
