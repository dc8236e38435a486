import { numberOrUndefined } from '../../lib/form';
import { Field } from '../ui';

/** A batch measurement as typed: the four values the net standard volume needs, together. */
const MEASURE = ['gross_volume_bbl', 'temperature_f', 'api_gravity', 'bsw_pct'] as const;
const MEASURE_LABEL: Record<(typeof MEASURE)[number], string> = {
  gross_volume_bbl: 'Gross volume (bbl)',
  temperature_f: 'Oil temperature (°F)',
  api_gravity: 'API gravity',
  bsw_pct: 'BS&W (%)',
};
export type MeasureText = Record<(typeof MEASURE)[number], string>;
export const emptyMeasure = (): MeasureText => ({ gross_volume_bbl: '', temperature_f: '', api_gravity: '', bsw_pct: '' });
export const measurePayload = (m: MeasureText) => Object.fromEntries(MEASURE.map((k) => [k, numberOrUndefined(m[k])]).filter(([, v]) => v !== undefined));
export const clean = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined && v !== ''));
export const statusLabel = (s: string) => s.replace('_', ' ');

export function MeasureFields(p: { value: MeasureText; onChange: (m: MeasureText) => void; errors: Record<string, string>; required?: boolean }) {
  return (
    <>
      {MEASURE.map((k) => (
        <Field key={k} label={MEASURE_LABEL[k]} error={p.errors[k]} hint={p.required ? 'required for this stage' : undefined}>
          {(id, d) => (
            <input
              id={id}
              aria-describedby={d}
              aria-required={p.required || undefined}
              inputMode="decimal"
              value={p.value[k]}
              onChange={(e) => p.onChange({ ...p.value, [k]: e.target.value })}
            />
          )}
        </Field>
      ))}
    </>
  );
}
