import { useId } from 'react';
import { fmtTime, fromLocalInput, toLocalInput } from '../lib/format';
import { QUICK_RANGES, resolveRange, type TimeRange } from '../lib/range';

/** Grafana-style quick ranges plus a from/to pair; the chosen quick range is pressed. */
export function RangePicker({ value, onChange }: { value: TimeRange; onChange: (r: TimeRange) => void }) {
  const id = useId();
  const { from, to } = resolveRange(value);
  return (
    <div className="range-picker">
      <div className="segmented" role="group" aria-label="Quick time range">
        {QUICK_RANGES.map((q) => (
          <button
            key={q.label}
            type="button"
            aria-pressed={value.kind === 'last' && value.seconds === q.seconds}
            onClick={() => onChange({ kind: 'last', seconds: q.seconds })}
          >
            {q.label}
          </button>
        ))}
      </div>
      <label htmlFor={`${id}-from`} className="inline-label">
        From
      </label>
      <input
        id={`${id}-from`}
        type="datetime-local"
        value={toLocalInput(from)}
        onChange={(e) => {
          const f = fromLocalInput(e.target.value);
          if (f !== null && f < to) onChange({ kind: 'abs', from: f, to });
        }}
      />
      <label htmlFor={`${id}-to`} className="inline-label">
        To
      </label>
      <input
        id={`${id}-to`}
        type="datetime-local"
        value={toLocalInput(to)}
        onChange={(e) => {
          const t = fromLocalInput(e.target.value);
          if (t !== null && t > from) onChange({ kind: 'abs', from, to: t });
        }}
      />
      {value.kind === 'last' ? (
        <span className="live-badge" title={`until ${fmtTime(to)}`}>
          live
        </span>
      ) : null}
    </div>
  );
}
