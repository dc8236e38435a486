/**
 * Quality measures of the anomaly model. Row-level precision/recall/F1 flatter a detector that flags
 * everything (most rows of an event instance are anomalous), so the measures are computed
 * per instance too: balanced accuracy per event instance and the false-positive rate on normal ones.
 */
interface Confusion {
  tp: number;
  fp: number;
  tn: number;
  fn: number;
}

interface RowMetrics {
  precision: number;
  recall: number;
  f1: number;
  /** [[tn, fp], [fn, tp]]: rows are the truth (normal, anomalous), columns the prediction */
  confusion_matrix: [[number, number], [number, number]];
  rows: number;
}

interface InstanceResult {
  id: string;
  kind: 'normal' | 'event';
  rows: number;
  anomalous_rows: number;
  /** recall on anomalous rows (null if none) */
  recall_anomalous: number | null;
  /** recall on normal rows (null if none) */
  recall_normal: number | null;
  /** mean of the two recalls; with only one kind of row, that recall alone */
  balanced_accuracy: number;
  flagged_rows: number;
}

export interface QualityReport extends RowMetrics {
  mean_balanced_accuracy_event_instances: number;
  anomalous_f1: number;
  false_positive_rate_normal_instances: number;
  /** normal instances with at least one flagged row */
  normal_instances_flagged: number;
  normal_instances: number;
  event_instances: number;
  instances: InstanceResult[];
}

function confusionOf(truth: readonly number[], predicted: readonly boolean[]): Confusion {
  const c: Confusion = { tp: 0, fp: 0, tn: 0, fn: 0 };
  truth.forEach((t, i) => {
    const p = predicted[i] ?? false;
    if (t === 1) {
      if (p) c.tp++;
      else c.fn++;
    } else if (p) c.fp++;
    else c.tn++;
  });
  return c;
}

const div = (a: number, b: number): number => (b === 0 ? 0 : a / b);

function rowMetrics(c: Confusion): RowMetrics {
  const precision = div(c.tp, c.tp + c.fp);
  const recall = div(c.tp, c.tp + c.fn);
  return {
    precision,
    recall,
    f1: div(2 * precision * recall, precision + recall),
    confusion_matrix: [
      [c.tn, c.fp],
      [c.fn, c.tp],
    ],
    rows: c.tp + c.fp + c.tn + c.fn,
  };
}

function instanceResult(id: string, truth: readonly number[], predicted: readonly boolean[]): InstanceResult {
  const c = confusionOf(truth, predicted);
  const anomalous = c.tp + c.fn;
  const normal = c.tn + c.fp;
  const recallA = anomalous > 0 ? c.tp / anomalous : null;
  const recallN = normal > 0 ? c.tn / normal : null;
  const parts = [recallA, recallN].filter((v): v is number => v !== null);
  return {
    id,
    kind: anomalous > 0 ? 'event' : 'normal',
    rows: truth.length,
    anomalous_rows: anomalous,
    recall_anomalous: recallA,
    recall_normal: recallN,
    balanced_accuracy: parts.length ? parts.reduce((a, b) => a + b, 0) / parts.length : 0,
    flagged_rows: c.tp + c.fp,
  };
}

/** The quality report over a set of instances (truth 0/1 and predictions per row). */
export function qualityReport(instances: readonly { id: string; truth: readonly number[]; predicted: readonly boolean[] }[]): QualityReport {
  const total: Confusion = { tp: 0, fp: 0, tn: 0, fn: 0 };
  let normalRows = 0;
  let normalFp = 0;
  const results = instances.map((inst) => {
    const c = confusionOf(inst.truth, inst.predicted);
    total.tp += c.tp;
    total.fp += c.fp;
    total.tn += c.tn;
    total.fn += c.fn;
    const r = instanceResult(inst.id, inst.truth, inst.predicted);
    if (r.kind === 'normal') {
      normalRows += r.rows;
      normalFp += c.fp;
    }
    return r;
  });
  const events = results.filter((r) => r.kind === 'event');
  const normals = results.filter((r) => r.kind === 'normal');
  const rm = rowMetrics(total);
  return {
    ...rm,
    mean_balanced_accuracy_event_instances: div(
      events.reduce((a, r) => a + r.balanced_accuracy, 0),
      events.length,
    ),
    anomalous_f1: rm.f1,
    false_positive_rate_normal_instances: div(normalFp, normalRows),
    normal_instances_flagged: normals.filter((r) => r.flagged_rows > 0).length,
    normal_instances: normals.length,
    event_instances: events.length,
    instances: results,
  };
}
