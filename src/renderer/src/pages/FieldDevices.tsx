import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import type { DeviceStatus, ModbusDevice, ReadNow } from '../../../shared/field-modbus';
import { useIsAdmin } from '../api/queries';
import { BusScan } from '../components/field/BusScan';
import { DeviceEditor, NEW_DEVICE } from '../components/field/DeviceEditor';
import { ReadNowResult } from '../components/field/ReadNowResult';
import { SparkplugPanel } from '../components/field/mqtt/SparkplugPanel';
import { deleteDevice, readNow, toInput, useFieldStatus, useModbusDevices } from '../components/field/api';
import { Empty, ErrorNote, PageHeader, Panel } from '../components/ui';
import { fmtIso } from '../lib/format';

const STATE_CLASS: Record<DeviceStatus['state'], string> = { ok: 'ok', starting: 'ok', backoff: 'stale', disconnected: 'alarm', disabled: 'off' };

/** Devices the station polls itself: add them, edit their register maps, read them now, scan a bus. */
export function FieldDevices() {
  const isAdmin = useIsAdmin();
  const qc = useQueryClient();
  const devices = useModbusDevices();
  const status = useFieldStatus();
  const [editing, setEditing] = useState<{ device?: ModbusDevice } | null>(null);
  const [reading, setReading] = useState<{ name: string; result?: ReadNow; error?: unknown } | null>(null);
  const [error, setError] = useState<unknown>(null);
  const byId = new Map((status.data?.modbus ?? []).map((s) => [s.id, s]));
  const refresh = () => void qc.invalidateQueries({ queryKey: ['field'] });

  const read = async (d: ModbusDevice) => {
    setReading({ name: d.name });
    try {
      setReading({ name: d.name, result: await readNow(d.id) });
    } catch (err) {
      setReading({ name: d.name, error: err });
    }
  };
  const remove = async (d: ModbusDevice) => {
    if (!window.confirm(`Stop polling ${d.name} and remove it? Its readings stay.`)) return;
    setError(null);
    try {
      await deleteDevice(d.id);
      refresh();
    } catch (err) {
      setError(err);
    }
  };

  return (
    <>
      <PageHeader title="Field devices">
        {isAdmin && !editing ? (
          <button type="button" className="btn btn-primary" onClick={() => setEditing({})}>
            Add Modbus device
          </button>
        ) : null}
      </PageHeader>
      <ErrorNote error={devices.error ?? status.error ?? error} title="Field devices" />
      {editing ? (
        <DeviceEditor
          key={editing.device?.id ?? 'new'}
          initial={editing.device ? (toInput(editing.device) as typeof NEW_DEVICE) : NEW_DEVICE}
          id={editing.device?.id}
          onSaved={() => {
            setEditing(null);
            refresh();
          }}
          onCancel={() => setEditing(null)}
        />
      ) : null}
      <Panel title="Modbus devices">
        {devices.isSuccess && devices.data.length === 0 ? (
          <Empty>No Modbus devices yet. Add one, or scan a serial line or gateway below to find its unit ids.</Empty>
        ) : (
          <div className="table-wrap">
            <table className="data">
              <thead>
                <tr>
                  <th>Name</th>
                  <th>Device id</th>
                  <th>Connection</th>
                  <th>State</th>
                  <th>Last poll</th>
                  <th className="num">OK / failed</th>
                  <th className="num">Response (ms)</th>
                  <th>Last error</th>
                  <th />
                </tr>
              </thead>
              <tbody>
                {(devices.data ?? []).map((d) => {
                  const s = byId.get(d.id);
                  return (
                    <tr key={d.id} className={s ? `row-${STATE_CLASS[s.state]}` : undefined}>
                      <td>{d.name}</td>
                      <td className="mono">{d.device_id}</td>
                      <td className="mono">
                        {s?.endpoint ?? ''} · unit {d.unit_id} · every {d.interval_s} s
                      </td>
                      <td>{s?.state ?? '…'}</td>
                      <td>{fmtIso(s?.last_poll_at)}</td>
                      <td className="num">{s ? `${s.polls_ok} / ${s.polls_failed}` : ''}</td>
                      <td className="num">{s?.response_ms ?? '—'}</td>
                      <td title={s?.tag_errors.map((e) => `${e.tag}: ${e.error}`).join('\n') || undefined}>{s?.last_error ?? ''}</td>
                      <td className="actions">
                        <button type="button" className="btn btn-small" onClick={() => void read(d)}>
                          Read now
                        </button>
                        {isAdmin ? (
                          <>
                            <button type="button" className="btn btn-small" onClick={() => setEditing({ device: d })}>
                              Edit
                            </button>
                            <button type="button" className="btn btn-small btn-danger-outline" onClick={() => void remove(d)}>
                              Remove
                            </button>
                          </>
                        ) : null}
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        )}
      </Panel>
      {reading ? (
        <Panel
          title={`Read now: ${reading.name}`}
          actions={
            <button type="button" className="btn btn-small" onClick={() => setReading(null)}>
              Close
            </button>
          }
        >
          {reading.result ? <ReadNowResult result={reading.result} /> : reading.error ? <ErrorNote error={reading.error} /> : <p className="muted">Reading…</p>}
        </Panel>
      ) : null}
      {isAdmin ? <BusScan /> : null}
      <SparkplugPanel />
    </>
  );
}
