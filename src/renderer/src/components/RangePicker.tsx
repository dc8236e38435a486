import { useId, useState } from 'react';
import { fmtTime, fromLocalInput, toLocalInput } from '../lib/format';
import { isLive, QUICK_RANGES, resolveRange, sameRange, type TimeRange } from '../lib/range';

/**
 * Grafana-style quick ranges plus a from/to pair; the chosen quick range is pressed. A From that is
 * not before To is not applied: the typed time stays in its box with a message saying why.
 */
export function RangePicker({ value, onChange }: { value: TimeRange; onChange: (r: TimeRange) => void }) {
  const id = useId();
  const { from, to } = resolveRange(value);
  /** what was typed but not applied, and why */
  const [draft, setDraft] = useState<{ which: 'from' | 'to'; text: string } | null>(null);
  const apply = (which: 'from' | 'to', text: string) => {
    const ms = fromLocalInput(text);
    if (ms === null) return;
    const next = which === 'from' ? { from: ms, to } : { from, to: ms };
    if (next.from >= next.to) return setDraft({ which, text });
    setDraft(null);
    onChange({ kind: 'abs', ...next });
  };
  const problem = draft ? (draft.which === 'from' ? `From must be before To (${fmtTime(to)})` : `To must be after From (${fmtTime(from)})`) : null;
  return (
    <div className="range-picker">
      <div className="segmented" role="group" aria-label="Quick time range">
        {QUICK_RANGES.map((q) => (
          <button
            key={q.label}
            type="button"
            title={q.title}
            aria-pressed={sameRange(value, q.range)}
            onClick={() => {
              setDraft(null);
              onChange(q.range);
            }}
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
        value={draft?.which === 'from' ? draft.text : toLocalInput(from)}
        aria-invalid={draft?.which === 'from'}
        aria-describedby={problem ? `${id}-problem` : undefined}
        onChange={(e) => apply('from', e.target.value)}
      />
      <label htmlFor={`${id}-to`} className="inline-label">
        To
      </label>
      <input
        id={`${id}-to`}
        type="datetime-local"
        value={draft?.which === 'to' ? draft.text : toLocalInput(to)}
        aria-invalid={draft?.which === 'to'}
        aria-describedby={problem ? `${id}-problem` : undefined}
        onChange={(e) => apply('to', e.target.value)}
      />
      {problem ? (
        <span className="field-error" id={`${id}-problem`} role="alert">
          {problem}
        </span>
      ) : null}
      {isLive(value) ? (
        <span className="live-badge" title={`until ${fmtTime(to)}`}>
          live
        </span>
      ) : null}
    </div>
  );
}
