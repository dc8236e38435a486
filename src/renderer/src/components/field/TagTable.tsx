import { useRef, useState } from 'react';
import { BYTE_ORDERS, MODBUS_FUNCTIONS, MODBUS_TYPES, tagsFromCsv, tagsToCsv, type Tag, type TagInput } from '../../../../shared/field-modbus';
import type { FieldError } from '../../../../shared/problem';
import { Note } from '../ui';

const BLANK: TagInput = { name: '', function: 'holding', address: 0, type: 'uint16', order: 'ABCD', scale: 1, offset: 0, deadband: 0, field: '' };

function download(name: string, text: string, type: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.click();
  URL.revokeObjectURL(url);
}

/**
 * The register map as an editable table, one tag per row; imports and exports maps as JSON or
 * CSV (the same columns the API's /map takes), so a map made for one device model is reused.
 */
export function TagTable({ tags, onChange, errors }: { tags: TagInput[]; onChange: (tags: TagInput[]) => void; errors: FieldError[] }) {
  const file = useRef<HTMLInputElement>(null);
  const [importError, setImportError] = useState<string | null>(null);
  // rows keep uncontrolled number inputs while typing; a new generation redraws them after an import or removal
  const [gen, setGen] = useState(0);
  const rowError = (i: number) =>
    errors
      .filter((e) => e.path.startsWith(`tags.${i}.`) || e.path === `tags.${i}`)
      .map((e) => `${e.path.replace(`tags.${i}.`, '')}: ${e.message}`)
      .join('; ');
  const mapError = errors.find((e) => e.path === 'tags')?.message;
  const update = (i: number, patch: Partial<TagInput>) => onChange(tags.map((t, j) => (j === i ? { ...t, ...patch } : t)));
  const numberOr = (v: string, fallback: number) => (v.trim() === '' || !Number.isFinite(Number(v)) ? fallback : Number(v));

  const importFile = async (f: File) => {
    setImportError(null);
    const text = await f.text();
    try {
      const parsed: unknown = f.name.toLowerCase().endsWith('.json') ? JSON.parse(text) : tagsFromCsv(text);
      if (!Array.isArray(parsed)) throw new Error('a JSON map is an array of tags');
      onChange(parsed as TagInput[]);
      setGen((g) => g + 1);
    } catch (err) {
      setImportError(`${f.name}: ${(err as Error).message}`);
    }
  };

  return (
    <div className="stack">
      <div className="table-toolbar">
        <strong>Register map</strong> <span className="muted">{tags.length} tags · addresses are 0-based, or type 40001-style references</span>
        <span className="actions">
          <button type="button" className="btn btn-small" onClick={() => onChange([...tags, { ...BLANK, address: nextAddress(tags) }])}>
            Add tag
          </button>
          <button type="button" className="btn btn-small" onClick={() => file.current?.click()}>
            Import JSON/CSV
          </button>
          <button
            type="button"
            className="btn btn-small"
            disabled={!tags.length}
            onClick={() => download('modbus-map.csv', tagsToCsv(tags as Tag[]), 'text/csv')}
          >
            Export CSV
          </button>
          <button
            type="button"
            className="btn btn-small"
            disabled={!tags.length}
            onClick={() => download('modbus-map.json', `${JSON.stringify(tags, null, 2)}\n`, 'application/json')}
          >
            Export JSON
          </button>
          <input
            ref={file}
            type="file"
            accept=".csv,.json,text/csv,application/json"
            hidden
            aria-label="Register map file"
            onChange={(e) => {
              const f = e.target.files?.[0];
              if (f) void importFile(f);
              e.target.value = '';
            }}
          />
        </span>
      </div>
      {importError ? <Note kind="error">{importError}</Note> : null}
      {mapError ? <Note kind="error">{mapError}</Note> : null}
      <div className="table-wrap short">
        <table className="data">
          <thead>
            <tr>
              <th>Name</th>
              <th>Function</th>
              <th>Address</th>
              <th>Type</th>
              <th>Order</th>
              <th className="num">Scale</th>
              <th className="num">Offset</th>
              <th>Unit</th>
              <th className="num">Deadband</th>
              <th>Reading field</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {tags.map((t, i) => {
              const err = rowError(i);
              return (
                <tr key={`${gen}-${i}`} className={err ? 'row-alarm' : undefined} title={err || undefined}>
                  <td>
                    <input aria-label={`tag ${i + 1} name`} size={14} value={t.name} onChange={(e) => update(i, { name: e.target.value })} />
                  </td>
                  <td>
                    <select
                      aria-label={`tag ${i + 1} function`}
                      value={t.function ?? ''}
                      onChange={(e) => update(i, { function: (e.target.value || undefined) as TagInput['function'] })}
                    >
                      <option value="">(from reference)</option>
                      {MODBUS_FUNCTIONS.map((f) => (
                        <option key={f}>{f}</option>
                      ))}
                    </select>
                  </td>
                  <td>
                    <input
                      aria-label={`tag ${i + 1} address`}
                      className="mono"
                      size={7}
                      value={String(t.address)}
                      onChange={(e) => update(i, { address: /^\d{1,4}$/.test(e.target.value) ? Number(e.target.value) : e.target.value })}
                    />
                  </td>
                  <td>
                    <select
                      aria-label={`tag ${i + 1} type`}
                      value={t.type ?? ''}
                      onChange={(e) => update(i, { type: (e.target.value || undefined) as TagInput['type'] })}
                    >
                      {MODBUS_TYPES.map((x) => (
                        <option key={x}>{x}</option>
                      ))}
                    </select>
                  </td>
                  <td>
                    <select
                      aria-label={`tag ${i + 1} byte order`}
                      value={t.order ?? 'ABCD'}
                      onChange={(e) => update(i, { order: e.target.value as TagInput['order'] })}
                    >
                      {BYTE_ORDERS.map((o) => (
                        <option key={o}>{o}</option>
                      ))}
                    </select>
                  </td>
                  <td className="num">
                    <input
                      aria-label={`tag ${i + 1} scale`}
                      size={6}
                      defaultValue={String(t.scale ?? 1)}
                      onBlur={(e) => update(i, { scale: numberOr(e.target.value, 1) })}
                    />
                  </td>
                  <td className="num">
                    <input
                      aria-label={`tag ${i + 1} offset`}
                      size={6}
                      defaultValue={String(t.offset ?? 0)}
                      onBlur={(e) => update(i, { offset: numberOr(e.target.value, 0) })}
                    />
                  </td>
                  <td>
                    <input aria-label={`tag ${i + 1} unit`} size={5} value={t.unit ?? ''} onChange={(e) => update(i, { unit: e.target.value || null })} />
                  </td>
                  <td className="num">
                    <input
                      aria-label={`tag ${i + 1} deadband`}
                      size={5}
                      defaultValue={String(t.deadband ?? 0)}
                      onBlur={(e) => update(i, { deadband: numberOr(e.target.value, 0) })}
                    />
                  </td>
                  <td>
                    <input
                      aria-label={`tag ${i + 1} field`}
                      size={12}
                      list="modbus-fields"
                      value={t.field}
                      onChange={(e) => update(i, { field: e.target.value })}
                      placeholder="temperature"
                    />
                  </td>
                  <td>
                    <button
                      type="button"
                      className="btn btn-small btn-danger-outline"
                      onClick={() => {
                        onChange(tags.filter((_, j) => j !== i));
                        setGen((g) => g + 1);
                      }}
                    >
                      Remove
                    </button>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
        <datalist id="modbus-fields">
          <option value="temperature" />
          <option value="pressure" />
          <option value="status" />
        </datalist>
      </div>
    </div>
  );
}

/** The first address after the last holding tag: the usual next row of a map being typed in. */
function nextAddress(tags: TagInput[]): number {
  const last = tags.at(-1);
  if (!last || typeof last.address !== 'number') return 0;
  const width = last.type === 'float64' ? 4 : last.type && /32/.test(last.type) ? 2 : 1;
  return last.address + width;
}
