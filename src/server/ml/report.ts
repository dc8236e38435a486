import type { ModelFile } from './model-store';

const pct = (v: number | null) => (v === null ? '  -  ' : `${(v * 100).toFixed(1)}%`);

/** The validation report as the train command prints it. */
export function formatReport(m: ModelFile): string {
  const v = m.validation;
  const [[tn, fp], [fn, tp]] = v.confusion_matrix;
  const lines = [
    `model ${m.version} (threshold ${m.threshold}, smoothing ${m.smoothing} readings, ${m.options.nEstimators} trees, ${m.training.rows_used} training rows)`,
    `split by instance: ${m.training.train_series.length} training series, ${m.training.test_series.length} validation series`,
    `threshold from grouped ${m.options.cvFolds}-fold cross-validation on training series: mean balanced accuracy ${m.threshold_choice.cv_mean_balanced_accuracy.toFixed(3)}, FP rate ${pct(m.threshold_choice.cv_false_positive_rate)}${m.threshold_choice.met_false_positive_target ? '' : ' (target not met)'}`,
    '',
    'validation (held-out series):',
    `  mean balanced accuracy over ${v.event_instances} event instances: ${v.mean_balanced_accuracy_event_instances.toFixed(3)}` +
      `  (published: Isolation Forest ${m.references.isolation_forest_balanced_accuracy}, random forest ${m.references.random_forest_class1_balanced_accuracy})`,
    `  false-positive rate over ${v.normal_instances} normal instances: ${pct(v.false_positive_rate_normal_instances)} of rows; ${v.normal_instances_flagged} instance(s) with any flagged row`,
    `  anomalous class: precision ${v.precision.toFixed(3)}  recall ${v.recall.toFixed(3)}  F1 ${v.f1.toFixed(3)}`,
    `  confusion matrix (rows truth, columns predicted):`,
    `                 normal  anomalous`,
    `    normal     ${String(tn).padStart(8)} ${String(fp).padStart(10)}`,
    `    anomalous  ${String(fn).padStart(8)} ${String(tp).padStart(10)}`,
    '',
    '  per event instance: balanced accuracy (recall anomalous / recall normal)',
    ...v.instances
      .filter((i) => i.kind === 'event')
      .map((i) => `    ${i.id.padEnd(28)} ${i.balanced_accuracy.toFixed(3)}  (${pct(i.recall_anomalous)} / ${pct(i.recall_normal)})`),
    '',
  ];
  return lines.join('\n');
}
