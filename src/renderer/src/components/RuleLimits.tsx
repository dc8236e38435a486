import { useQueryClient } from '@tanstack/react-query';
import { useId, useState, type FormEvent } from 'react';
import { ruleDeviceParamSchema, ruleLimitsInputSchema, type RuleLimits, type RuleLimitsInput } from '../../../shared/ml';
import { ApiError, errorText } from '../api/client';
import { deleteRuleLimits, putRuleLimits, useRuleLimits } from '../api/limits';
import { useDevices, useIsAdmin } from '../api/queries';
import { fmtIso, fmtNum } from '../lib/format';
import { numberOrUndefined, serverFieldErrors, validate, type FieldErrors } from '../lib/form';
import { useUnits } from '../lib/preferences';
import { convertPressure, convertTemp, convertTempDelta, toStoredPressure, toStoredTemp, toStoredTempDelta, unitLabels } from '../lib/units';
import type { Units } from '../../../shared/settings';
import { ConfirmButton } from './ConfirmButton';
import { DataTable, type Column } from './DataTable';
import { Empty, ErrorNote, Field, Note } from './ui';

const KEYS = [
  'temperature_min',
  'temperature_max',
  'pressure_min',
  'pressure_max',
  'temperature_rate_max',
  'pressure_rate_max',
  'alarm_open_after_s',
  'alarm_clear_after_s',
] as const;
type Key = (typeof KEYS)[number];
type Values = Record<Key, string>;

interface LimitField {
  key: Key;
  label: string;
  short: string;
  /** stored (°C, kPa) to the user's units, and typed text back */
  show: (v: number | null) => number | null;
  store: (v: number | string | undefined) => number | string | undefined;
}

/**
 * The rule scorer compares readings as stored (°C, kPa); people see and type limits in their own
 * display units, converted both ways here (a change per minute scales but has no offset).
 */
function limitFields(u: Units): LimitField[] {
  const l = unitLabels(u);
  const same = { show: (v: number | null) => v, store: (v: number | string | undefined) => v };
  const t = { show: (v: number | null) => convertTemp(v, u.temperature), store: (v: number | string | undefined) => toStoredTemp(v, u.temperature) };
  const dt = { show: (v: number | null) => convertTempDelta(v, u.temperature), store: (v: number | string | undefined) => toStoredTempDelta(v, u.temperature) };
  const p = { show: (v: number | null) => convertPressure(v, u.pressure), store: (v: number | string | undefined) => toStoredPressure(v, u.pressure) };
  return [
    { key: 'temperature_min', label: `Temperature min (${l.temperature})`, short: `T min ${l.temperature}`, ...t },
    { key: 'temperature_max', label: `Temperature max (${l.temperature})`, short: `T max ${l.temperature}`, ...t },
    { key: 'pressure_min', label: `Pressure min (${l.pressure})`, short: `P min ${l.pressure}`, ...p },
    { key: 'pressure_max', label: `Pressure max (${l.pressure})`, short: `P max ${l.pressure}`, ...p },
    { key: 'temperature_rate_max', label: `Temperature change max (${l.temperature}/min)`, short: `ΔT ${l.temperature}/min`, ...dt },
    { key: 'pressure_rate_max', label: `Pressure change max (${l.pressure}/min)`, short: `ΔP ${l.pressure}/min`, ...p },
    { key: 'alarm_open_after_s', label: 'Open alarm after (s)', short: 'Open s', ...same },
    { key: 'alarm_clear_after_s', label: 'Clear alarm after (s)', short: 'Clear s', ...same },
  ];
}

const DEFAULT = '*';
const who = (deviceId: string) => (deviceId === DEFAULT ? 'the default' : deviceId);

/** Shown values are rounded to what a person would type (no 21.999999 after a round trip). */
const tidy = (v: number | null): string => (v === null ? '' : String(Number(v.toPrecision(10))));
const toValues = (fields: LimitField[], l?: RuleLimits): Values =>
  Object.fromEntries(fields.map((f) => [f.key, l && l[f.key] !== null ? tidy(f.show(l[f.key])) : ''])) as Values;

/** Empty means "no limit" (alarm delays: the station's default). */
const toPayload = (fields: LimitField[], v: Values) => Object.fromEntries(fields.map((f) => [f.key, f.store(numberOrUndefined(v[f.key]))])) as RuleLimitsInput;

function LimitsEditor(p: { initial?: RuleLimits; existing: readonly string[]; onSaved: (deviceId: string) => void; onCancel: () => void }) {
  const isNew = !p.initial;
  const devices = useDevices();
  const listId = useId();
  const fields = limitFields(useUnits());
  const [device, setDevice] = useState(p.initial?.device_id ?? '');
  const [v, setV] = useState<Values>(() => toValues(fields, p.initial));
  const [touched, setTouched] = useState<Record<string, boolean>>({});
  const [serverErrors, setServerErrors] = useState<FieldErrors>({});
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const payload = toPayload(fields, v);
  const errors: FieldErrors = { ...validate(ruleLimitsInputSchema, payload).errors };
  const deviceCheck = ruleDeviceParamSchema.safeParse(device);
  if (!deviceCheck.success) errors.device_id = device ? 'a device id (letters, digits, _ . : -) or * for the default' : 'required';
  const shown = (k: string) => (touched[k] ? (errors[k] ?? serverErrors[k]) : undefined);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setTouched(Object.fromEntries(['device_id', ...KEYS].map((k) => [k, true])));
    if (Object.keys(errors).length) return;
    setBusy(true);
    setError('');
    setServerErrors({});
    try {
      await putRuleLimits(device, payload);
      p.onSaved(device);
    } catch (err) {
      // Keep what was typed; put the station's field errors next to their fields.
      if (err instanceof ApiError && err.errors.length) setServerErrors(serverFieldErrors(err.errors));
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };

  const title = isNew ? 'New rule limits' : `Rule limits of ${who(device)}`;
  return (
    <form onSubmit={submit} noValidate aria-label={title} className="stack">
      <h3>{title}</h3>
      <div className="form-grid">
        {isNew ? (
          <Field
            label="Device id (* for the default)"
            error={shown('device_id')}
            hint={p.existing.includes(device) ? `${who(device)} has limits: saving replaces them` : undefined}
          >
            {(id, d) => (
              <>
                <input
                  id={id}
                  aria-describedby={d}
                  list={listId}
                  value={device}
                  onChange={(e) => (setDevice(e.target.value.trim()), setTouched({ ...touched, device_id: true }))}
                />
                <datalist id={listId}>
                  {(devices.data ?? []).map((dev) => (
                    <option key={dev.device_id} value={dev.device_id} />
                  ))}
                </datalist>
              </>
            )}
          </Field>
        ) : null}
        {fields.map(({ key: k, label }) => (
          <Field key={k} label={label} error={shown(k)}>
            {(id, d) => (
              <input
                id={id}
                aria-describedby={d}
                inputMode="decimal"
                placeholder={k.startsWith('alarm_') ? 'default' : 'no limit'}
                value={v[k]}
                onChange={(e) => {
                  setV({ ...v, [k]: e.target.value });
                  setTouched({ ...touched, [k]: true });
                  setServerErrors({});
                }}
              />
            )}
          </Field>
        ))}
      </div>
      <div className="row">
        <button type="submit" className="btn btn-primary" disabled={busy}>
          {busy ? 'Saving…' : 'Save limits'}
        </button>
        <button type="button" className="btn" onClick={p.onCancel}>
          Cancel
        </button>
      </div>
      {error ? <Note kind="error">{error}</Note> : null}
    </form>
  );
}

/**
 * The rule scorer's limits: the `*` default and per-device rows. Admins edit, create and remove
 * them; anyone else the station lets read them sees the table only.
 */
export function RuleLimitsPanel() {
  const isAdmin = useIsAdmin();
  const fields = limitFields(useUnits());
  const limits = useRuleLimits();
  const qc = useQueryClient();
  const [editing, setEditing] = useState<RuleLimits | 'new' | null>(null);
  const [note, setNote] = useState<{ kind: 'ok' | 'error'; text: string } | null>(null);
  const rows = [...(limits.data ?? [])].sort((a, b) => (a.device_id === DEFAULT ? -1 : b.device_id === DEFAULT ? 1 : a.device_id.localeCompare(b.device_id)));

  const refresh = () => qc.invalidateQueries({ queryKey: ['rule-limits'] });
  const remove = async (deviceId: string) => {
    try {
      await deleteRuleLimits(deviceId);
      setNote({ kind: 'ok', text: `Removed the limits of ${who(deviceId)}.` });
    } catch (err) {
      setNote({ kind: 'error', text: errorText(err) });
    }
    await refresh();
  };

  const columns: Column<RuleLimits>[] = [
    { header: 'Device', cell: (l) => (l.device_id === DEFAULT ? 'Default (*)' : l.device_id) },
    ...fields.map((f): Column<RuleLimits> => ({ header: f.short, num: true, cell: (l) => fmtNum(f.show(l[f.key])) })),
    {
      header: 'Updated',
      cell: (l) => (l.updated_at ? `${fmtIso(l.updated_at)}${l.updated_by ? ` by ${l.updated_by}` : ''}` : l.device_id === DEFAULT ? 'shipped defaults' : '—'),
    },
    ...(isAdmin
      ? [
          {
            header: 'Actions',
            blankHeader: true,
            className: 'actions',
            cell: (l: RuleLimits) => (
              <>
                <button
                  type="button"
                  className="btn btn-small"
                  aria-label={`Edit the limits of ${who(l.device_id)}`}
                  onClick={() => (setNote(null), setEditing(l))}
                >
                  Edit
                </button>
                {l.updated_at ? (
                  <ConfirmButton
                    className="btn btn-small btn-danger-outline"
                    label={`Remove the limits of ${who(l.device_id)}`}
                    question={l.device_id === DEFAULT ? 'Go back to the shipped limits?' : 'Remove these limits?'}
                    yes="Yes, remove"
                    onConfirm={() => void remove(l.device_id)}
                  >
                    {l.device_id === DEFAULT ? 'Back to shipped' : 'Remove'}
                  </ConfirmButton>
                ) : null}
              </>
            ),
          },
        ]
      : []),
  ];

  if (limits.error instanceof ApiError && limits.error.status === 403) {
    return <Note>Only administrators can see and change the rule limits. Ask one if alarms open too often or too late.</Note>;
  }
  return (
    <>
      <p className="muted">
        Hard limits, checked on every reading whatever the model says. A device's own row replaces the default (*) as a whole; an empty value means no limit.
        Until an administrator edits it, the default (*) is the station's shipped limits for impossible readings (°C, and pressure in kPa or Pa): change it if
        your devices report bar, MPa or psi.
        {isAdmin ? null : ' Only administrators change them: ask one if alarms open too often or too late.'}
      </p>
      <ErrorNote error={limits.error} title="Rule limits" />
      {note ? <Note kind={note.kind}>{note.text}</Note> : null}
      {limits.isSuccess && rows.length === 0 ? (
        <Empty>No rule limits yet{isAdmin ? ': add the default (*) first, then devices that differ.' : '.'}</Empty>
      ) : rows.length ? (
        <DataTable label="Rule limits" wrap="short" rows={rows} rowKey={(l) => l.device_id} columns={columns} />
      ) : null}
      {isAdmin && editing ? (
        <LimitsEditor
          key={editing === 'new' ? 'new' : editing.device_id}
          initial={editing === 'new' ? undefined : editing}
          existing={rows.map((l) => l.device_id)}
          onCancel={() => setEditing(null)}
          onSaved={(deviceId) => {
            setEditing(null);
            setNote({ kind: 'ok', text: `Saved the limits of ${who(deviceId)}.` });
            void refresh();
          }}
        />
      ) : isAdmin ? (
        <div className="row wrap">
          <button type="button" className="btn" onClick={() => (setNote(null), setEditing('new'))}>
            Add limits
          </button>
        </div>
      ) : null}
    </>
  );
}
