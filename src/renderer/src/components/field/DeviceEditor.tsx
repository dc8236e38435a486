import { useState } from 'react';
import { BAUD_RATES, PARITIES, type ModbusDeviceInput, type TagInput } from '../../../../shared/field-modbus';
import { ApiError } from '../../api/client';
import { ErrorNote, Field, Panel } from '../ui';
import { saveDevice, useSerialPorts } from './api';
import { TagTable } from './TagTable';

type Draft = ModbusDeviceInput & { transport: Record<string, unknown> & { kind: 'tcp' | 'rtu' } };

export const NEW_DEVICE: Draft = {
  name: '',
  device_id: '',
  enabled: true,
  interval_s: 10,
  transport: { kind: 'tcp', host: '', port: 502 },
  unit_id: 1,
  max_block: 125,
  gap_ms: 0,
  timeout_ms: 1000,
  retries: 1,
  tags: [],
};

const num = (v: string) => (v.trim() === '' ? undefined : Number(v));

/**
 * Add or edit one device: connection, poll settings and its register map. The station validates;
 * its field errors show next to the fields (and tag errors in the map's rows).
 */
export function DeviceEditor({ initial, id, onSaved, onCancel }: { initial: Draft; id?: number; onSaved: () => void; onCancel: () => void }) {
  const [d, setD] = useState<Draft>(initial);
  const [error, setError] = useState<unknown>(null);
  const [saving, setSaving] = useState(false);
  const ports = useSerialPorts(d.transport.kind === 'rtu');
  const errors = error instanceof ApiError ? error.errors : [];
  const errorAt = (path: string) => errors.find((e) => e.path === path || e.path.startsWith(`${path}.`))?.message;
  const set = (patch: Partial<Draft>) => setD((prev) => ({ ...prev, ...patch }));
  const setT = (patch: Record<string, unknown>) => setD((prev) => ({ ...prev, transport: { ...prev.transport, ...patch } }));

  const switchKind = (kind: 'tcp' | 'rtu') =>
    set({
      transport: kind === 'tcp' ? { kind, host: '', port: 502 } : { kind, path: '', baud: 9600, parity: 'none', data_bits: 8, stop_bits: 1 },
      gap_ms: kind === 'rtu' ? Math.max(d.gap_ms ?? 0, 10) : d.gap_ms,
    });

  const save = async () => {
    setSaving(true);
    setError(null);
    try {
      await saveDevice(d as ModbusDeviceInput, id);
      onSaved();
    } catch (err) {
      setError(err);
    } finally {
      setSaving(false);
    }
  };

  const t = d.transport;
  return (
    <Panel title={id ? `Edit ${initial.name}` : 'Add a Modbus device'}>
      <form
        className="stack"
        onSubmit={(e) => {
          e.preventDefault();
          void save();
        }}
      >
        <div className="form-grid">
          <Field label="Name" error={errorAt('name')}>
            {(fid, desc) => <input id={fid} aria-describedby={desc} value={d.name} onChange={(e) => set({ name: e.target.value })} required />}
          </Field>
          <Field label="Telemetry device id" error={errorAt('device_id')} hint="readings are stored under this id">
            {(fid, desc) => <input id={fid} aria-describedby={desc} value={d.device_id} onChange={(e) => set({ device_id: e.target.value })} required />}
          </Field>
          <Field label="Connection" error={errorAt('transport.kind')}>
            {(fid) => (
              <select id={fid} value={t.kind} onChange={(e) => switchKind(e.target.value as 'tcp' | 'rtu')}>
                <option value="tcp">Modbus TCP</option>
                <option value="rtu">Modbus RTU (serial)</option>
              </select>
            )}
          </Field>
          {t.kind === 'tcp' ? (
            <>
              <Field label="Host" error={errorAt('transport.host')}>
                {(fid, desc) => (
                  <input
                    id={fid}
                    aria-describedby={desc}
                    value={String(t.host ?? '')}
                    onChange={(e) => setT({ host: e.target.value })}
                    placeholder="192.168.1.20"
                  />
                )}
              </Field>
              <Field label="Port" error={errorAt('transport.port')}>
                {(fid, desc) => (
                  <input id={fid} aria-describedby={desc} type="number" value={String(t.port ?? '')} onChange={(e) => setT({ port: num(e.target.value) })} />
                )}
              </Field>
            </>
          ) : (
            <>
              <Field label="Serial port" error={errorAt('transport.path')} hint="by-id names survive a replug">
                {(fid, desc) => (
                  <>
                    <input
                      id={fid}
                      aria-describedby={desc}
                      list={`${fid}-ports`}
                      value={String(t.path ?? '')}
                      onChange={(e) => setT({ path: e.target.value })}
                      placeholder="/dev/serial/by-id/..."
                    />
                    <datalist id={`${fid}-ports`}>
                      {(ports.data ?? []).map((p) => (
                        <option key={p.path} value={p.path}>
                          {p.device}
                        </option>
                      ))}
                    </datalist>
                  </>
                )}
              </Field>
              <Field label="Baud" error={errorAt('transport.baud')}>
                {(fid) => (
                  <select id={fid} value={String(t.baud)} onChange={(e) => setT({ baud: Number(e.target.value) })}>
                    {BAUD_RATES.map((b) => (
                      <option key={b}>{b}</option>
                    ))}
                  </select>
                )}
              </Field>
              <Field label="Parity">
                {(fid) => (
                  <select id={fid} value={String(t.parity)} onChange={(e) => setT({ parity: e.target.value })}>
                    {PARITIES.map((p) => (
                      <option key={p}>{p}</option>
                    ))}
                  </select>
                )}
              </Field>
              <Field label="Data bits / stop bits">
                {(fid) => (
                  <select
                    id={fid}
                    value={`${t.data_bits}/${t.stop_bits}`}
                    onChange={(e) => setT({ data_bits: Number(e.target.value[0]), stop_bits: Number(e.target.value[2]) })}
                  >
                    {['8/1', '8/2', '7/1', '7/2'].map((v) => (
                      <option key={v}>{v}</option>
                    ))}
                  </select>
                )}
              </Field>
            </>
          )}
          <Field label="Unit id" error={errorAt('unit_id')}>
            {(fid, desc) => (
              <input id={fid} aria-describedby={desc} type="number" value={String(d.unit_id ?? '')} onChange={(e) => set({ unit_id: num(e.target.value) })} />
            )}
          </Field>
          <Field label="Interval (s)" error={errorAt('interval_s')} hint="1 s to 1 h">
            {(fid, desc) => (
              <input
                id={fid}
                aria-describedby={desc}
                type="number"
                step="any"
                value={String(d.interval_s ?? '')}
                onChange={(e) => set({ interval_s: num(e.target.value) })}
              />
            )}
          </Field>
          <Field label="Max block (registers)" error={errorAt('max_block')} hint="lower it for devices that refuse long reads">
            {(fid, desc) => (
              <input
                id={fid}
                aria-describedby={desc}
                type="number"
                value={String(d.max_block ?? '')}
                onChange={(e) => set({ max_block: num(e.target.value) })}
              />
            )}
          </Field>
          <Field label="Gap between requests (ms)" error={errorAt('gap_ms')}>
            {(fid, desc) => (
              <input id={fid} aria-describedby={desc} type="number" value={String(d.gap_ms ?? '')} onChange={(e) => set({ gap_ms: num(e.target.value) })} />
            )}
          </Field>
          <Field label="Timeout (ms)" error={errorAt('timeout_ms')}>
            {(fid, desc) => (
              <input
                id={fid}
                aria-describedby={desc}
                type="number"
                value={String(d.timeout_ms ?? '')}
                onChange={(e) => set({ timeout_ms: num(e.target.value) })}
              />
            )}
          </Field>
          <Field label="Retries" error={errorAt('retries')}>
            {(fid, desc) => (
              <input id={fid} aria-describedby={desc} type="number" value={String(d.retries ?? '')} onChange={(e) => set({ retries: num(e.target.value) })} />
            )}
          </Field>
          <Field label="Polling">
            {(fid) => (
              <label className="inline-label">
                <input id={fid} type="checkbox" checked={d.enabled !== false} onChange={(e) => set({ enabled: e.target.checked })} /> enabled
              </label>
            )}
          </Field>
        </div>
        <TagTable tags={(d.tags ?? []) as TagInput[]} onChange={(tags) => set({ tags })} errors={errors} />
        <ErrorNote error={error} title="Not saved" />
        <div className="actions">
          <button type="submit" className="btn btn-primary" disabled={saving}>
            {saving ? 'Saving…' : id ? 'Save changes' : 'Add device'}
          </button>
          <button type="button" className="btn" onClick={onCancel}>
            Cancel
          </button>
        </div>
      </form>
    </Panel>
  );
}
