import type { ModelFile } from './model-store';
import type { CvSummary } from './train';

const pct = (v: number | null) => (v === null ? '  -  ' : `${(v * 100).toFixed(1)}%`);

const CLASS_NAMES: Record<string, string> = {
  '0': 'normal',
  '1': 'abrupt increase of BSW',
  '2': 'spurious closure of DHSV',
  '3': 'severe slugging',
  '4': 'flow instability',
  '5': 'rapid productivity loss',
  '6': 'quick restriction in PCK',
  '7': 'scaling in PCK',
  '8': 'hydrate in production line',
};

/** ", novelty gate 0.8" when a novelty threshold is set (0 or absent: the forest alone). */
const gate = (tn: number | undefined): string => (tn ? `, novelty gate ${tn}` : '');

function cvLines(title: string, cv: CvSummary): string[] {
  return [
    `${title}: ${cv.folds}, threshold ${cv.threshold}${gate(cv.novelty_threshold)}`,
    `  mean balanced accuracy over event instances ${cv.mean_balanced_accuracy.toFixed(3)}, false positives ${pct(cv.false_positive_rate)} of normal rows${cv.met_false_positive_target ? '' : ' (above the target)'}`,
    ...(cv.nested
      ? [
          `  nested (each fold at the threshold chosen on the other folds only): ${cv.nested.mean_balanced_accuracy.toFixed(3)}, false positives ${pct(cv.nested.false_positive_rate)}`,
          '    per fold, at its nested threshold:',
          ...cv.nested.per_fold.map(
            (f) =>
              `      ${f.fold.padEnd(12)} ${String(f.instances).padStart(3)} instances  threshold ${f.threshold.toFixed(3)}${f.novelty_threshold ? ` novelty ${f.novelty_threshold.toFixed(2)}` : ''}  balanced accuracy ${f.mean_balanced_accuracy === null ? '  -  ' : f.mean_balanced_accuracy.toFixed(3)}  false positives ${pct(f.false_positive_rate)}`,
          ),
        ]
      : []),
    ...Object.entries(cv.per_class).map(([c, f]) =>
      c === '0'
        ? `    class 0 ${CLASS_NAMES[c]!.padEnd(28)} ${String(f.instances).padStart(3)} instances  false positives ${pct(f.false_positive_rate)} of rows, ${f.instances_flagged} instance(s) with any`
        : `    class ${c} ${(CLASS_NAMES[c] ?? 'site label').padEnd(28)} ${String(f.instances).padStart(3)} instances  balanced accuracy ${f.mean_balanced_accuracy!.toFixed(3)}`,
    ),
  ];
}

/** The training report as the train command prints it: both cross-validations per class, then any held-out figures. */
export function formatReport(m: ModelFile): string {
  const lines = [
    `model ${m.version} (threshold ${m.threshold}${gate(m.novelty_threshold)}, smoothing ${m.smoothing} readings, ${m.options.nEstimators} trees, ${m.training.rows_used} training rows, ${m.training.train_series.length} series from ${m.training.wells} wells)`,
    `guards: distance > ${m.guards.distance} spreads, step > ${m.guards.step}x the step noise, frozen for ${m.guards.frozen} readings`,
    '',
    ...cvLines('leave-one-well-out cross-validation (primary: picks the threshold)', m.cv.leave_one_well_out),
    '',
    ...cvLines('instance-grouped cross-validation', m.cv.instance_grouped),
    `  (published on 3W real instances: Isolation Forest ${m.references.isolation_forest_balanced_accuracy}, random forest ${m.references.random_forest_class1_balanced_accuracy} on class 1)`,
    '',
    '  per event instance, leave-one-well-out balanced accuracy:',
    ...Object.entries(m.cv.leave_one_well_out.per_event_instance).map(([id, ba]) => `    ${id.padEnd(28)} ${ba.toFixed(3)}`),
    '',
  ];
  const v = m.validation;
  if (v) {
    const [[tn, fp], [fn, tp]] = v.confusion_matrix;
    lines.push(
      `held-out series (${m.training.test_series.length}):`,
      `  mean balanced accuracy over ${v.event_instances} event instances: ${v.mean_balanced_accuracy_event_instances.toFixed(3)}`,
      `  false-positive rate over ${v.normal_instances} normal instances: ${pct(v.false_positive_rate_normal_instances)} of rows`,
      `  confusion matrix [[tn, fp], [fn, tp]]: [[${tn}, ${fp}], [${fn}, ${tp}]]`,
      '',
    );
  }
  return lines.join('\n');
}
