import { useQueryClient } from '@tanstack/react-query';
import { useId, useState, type FormEvent } from 'react';
import { ruleDeviceParamSchema, ruleLimitsInputSchema, type RuleLimits, type RuleLimitsInput } from '../../../shared/ml';
import { ApiError, errorText } from '../api/client';
import { deleteRuleLimits, putRuleLimits, useRuleLimits } from '../api/limits';
import { useDevices, useIsAdmin } from '../api/queries';
import { fmtIso, fmtNum } from '../lib/format';
import { numberOrUndefined, serverFieldErrors, validate, type FieldErrors } from '../lib/form';
import { Empty, ErrorNote, Field, Note } from './ui';

/** The rule scorer compares raw readings, so limits are in the units devices send (°C, kPa), not display units. */
const FIELDS = [
  ['temperature_min', 'Temperature min (°C)', 'T min °C'],
  ['temperature_max', 'Temperature max (°C)', 'T max °C'],
  ['pressure_min', 'Pressure min (kPa)', 'P min kPa'],
  ['pressure_max', 'Pressure max (kPa)', 'P max kPa'],
  ['temperature_rate_max', 'Temperature change max (°C/min)', 'ΔT °C/min'],
  ['pressure_rate_max', 'Pressure change max (kPa/min)', 'ΔP kPa/min'],
  ['alarm_open_after_s', 'Open alarm after (s)', 'Open s'],
  ['alarm_clear_after_s', 'Clear alarm after (s)', 'Clear s'],
] as const;
type Key = (typeof FIELDS)[number][0];
type Values = Record<Key, string>;

const DEFAULT = '*';
const who = (deviceId: string) => (deviceId === DEFAULT ? 'the default' : deviceId);

const toValues = (l?: RuleLimits): Values => Object.fromEntries(FIELDS.map(([k]) => [k, l && l[k] !== null ? String(l[k]) : ''])) as Values;

/** Empty means "no limit" (alarm delays: the station's default). */
const toPayload = (v: Values) => Object.fromEntries(FIELDS.map(([k]) => [k, numberOrUndefined(v[k])])) as RuleLimitsInput;

function LimitsEditor(p: { initial?: RuleLimits; existing: readonly string[]; onSaved: (deviceId: string) => void; onCancel: () => void }) {
  const isNew = !p.initial;
  const devices = useDevices();
  const listId = useId();
  const [device, setDevice] = useState(p.initial?.device_id ?? '');
  const [v, setV] = useState<Values>(() => toValues(p.initial));
  const [touched, setTouched] = useState<Record<string, boolean>>({});
  const [serverErrors, setServerErrors] = useState<FieldErrors>({});
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const payload = toPayload(v);
  const errors: FieldErrors = { ...validate(ruleLimitsInputSchema, payload).errors };
  const deviceCheck = ruleDeviceParamSchema.safeParse(device);
  if (!deviceCheck.success) errors.device_id = device ? 'a device id (letters, digits, _ . : -) or * for the default' : 'required';
  const shown = (k: string) => (touched[k] ? (errors[k] ?? serverErrors[k]) : undefined);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setTouched(Object.fromEntries(['device_id', ...FIELDS.map(([k]) => k)].map((k) => [k, true])));
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
        {FIELDS.map(([k, label]) => (
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
  const limits = useRuleLimits();
  const qc = useQueryClient();
  const [editing, setEditing] = useState<RuleLimits | 'new' | null>(null);
  const [confirming, setConfirming] = useState<string | null>(null);
  const [note, setNote] = useState<{ kind: 'ok' | 'error'; text: string } | null>(null);
  const rows = [...(limits.data ?? [])].sort((a, b) => (a.device_id === DEFAULT ? -1 : b.device_id === DEFAULT ? 1 : a.device_id.localeCompare(b.device_id)));

  const refresh = () => qc.invalidateQueries({ queryKey: ['rule-limits'] });
  const remove = async (deviceId: string) => {
    setConfirming(null);
    try {
      await deleteRuleLimits(deviceId);
      setNote({ kind: 'ok', text: `Removed the limits of ${who(deviceId)}.` });
    } catch (err) {
      setNote({ kind: 'error', text: errorText(err) });
    }
    await refresh();
  };

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
        <div className="table-wrap short">
          <table className="data" aria-label="Rule limits">
            <thead>
              <tr>
                <th>Device</th>
                {FIELDS.map(([k, label, short]) => (
                  <th key={k} className="num" title={label}>
                    {short}
                  </th>
                ))}
                <th>Updated</th>
                {isAdmin ? <th /> : null}
              </tr>
            </thead>
            <tbody>
              {rows.map((l) => (
                <tr key={l.device_id}>
                  <td>{l.device_id === DEFAULT ? 'Default (*)' : l.device_id}</td>
                  {FIELDS.map(([k]) => (
                    <td key={k} className="num">
                      {fmtNum(l[k])}
                    </td>
                  ))}
                  <td>
                    {l.updated_at ? `${fmtIso(l.updated_at)}${l.updated_by ? ` by ${l.updated_by}` : ''}` : l.device_id === DEFAULT ? 'shipped defaults' : '—'}
                  </td>
                  {isAdmin ? (
                    <td className="actions">
                      {confirming === l.device_id ? (
                        <>
                          <button type="button" className="btn btn-small btn-danger" onClick={() => void remove(l.device_id)}>
                            Yes, remove
                          </button>
                          <button type="button" className="btn btn-small" onClick={() => setConfirming(null)}>
                            Keep
                          </button>
                        </>
                      ) : (
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
                            <button
                              type="button"
                              className="btn btn-small btn-danger-outline"
                              aria-label={`Remove the limits of ${who(l.device_id)}`}
                              onClick={() => setConfirming(l.device_id)}
                            >
                              {l.device_id === DEFAULT ? 'Back to shipped' : 'Remove'}
                            </button>
                          ) : null}
                        </>
                      )}
                    </td>
                  ) : null}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
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
