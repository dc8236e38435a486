import { useState } from 'react';
import type { SparkplugMetric, SparkplugNode } from '../../../../../shared/field-mqtt';
import { useIsAdmin } from '../../../api/queries';
import { fmtIso, fmtNum, fmtTime } from '../../../lib/format';
import { Empty, ErrorNote, Note, Panel } from '../../ui';
import { requestRebirth, useMqttStatus } from './api';
import { MqttSettings } from './MqttSettings';

const onlineBadge = (online: boolean) => <span className={`badge badge-${online ? 'ok' : 'alarm'}`}>{online ? 'online' : 'offline'}</span>;

function Metrics({ metrics }: { metrics: SparkplugMetric[] }) {
  if (!metrics.length) return <span className="muted">no metrics</span>;
  return (
    <table className="data">
      <thead>
        <tr>
          <th>Metric</th>
          <th className="num">Alias</th>
          <th>Type</th>
          <th className="num">Value</th>
          <th>Time</th>
        </tr>
      </thead>
      <tbody>
        {metrics.map((m) => (
          <tr key={m.name}>
            <td className="mono">{m.name}</td>
            <td className="num">{m.alias ?? '—'}</td>
            <td>{m.type}</td>
            <td className="num">{typeof m.value === 'number' ? fmtNum(m.value) : String(m.value ?? '—')}</td>
            <td>{fmtTime(m.ts)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function NodeRows({ node, isAdmin, onError }: { node: SparkplugNode; isAdmin: boolean; onError: (e: unknown) => void }) {
  const [open, setOpen] = useState(false);
  const [sent, setSent] = useState(false);
  const rebirth = async () => {
    try {
      await requestRebirth(node.group, node.node);
      setSent(true);
    } catch (err) {
      onError(err);
    }
  };
  return (
    <>
      <tr className={node.online ? undefined : 'row-alarm'}>
        <td>
          <button type="button" className="btn btn-small" aria-expanded={open} onClick={() => setOpen(!open)}>
            {open ? '▾' : '▸'}
          </button>{' '}
          {node.group}/{node.node}
        </td>
        <td className="mono">{node.device_id}</td>
        <td>{onlineBadge(node.online)}</td>
        <td>{fmtIso(node.last_birth)}</td>
        <td className="num">
          {node.bd_seq ?? '—'} / {node.last_seq ?? '—'}
        </td>
        <td className="num">{node.rebirths_requested}</td>
        <td className="num">{node.decode_errors}</td>
        <td>{node.devices.length}</td>
        <td className="actions">
          {isAdmin ? (
            <button type="button" className="btn btn-small" onClick={() => void rebirth()} title="Send NCMD Node Control/Rebirth">
              {sent ? 'Rebirth sent' : 'Rebirth'}
            </button>
          ) : null}
        </td>
      </tr>
      {open ? (
        <tr>
          <td colSpan={9}>
            <div className="stack">
              <strong>Node metrics</strong>
              <Metrics metrics={node.metrics} />
              {node.devices.map((d) => (
                <div key={d.device} className="stack">
                  <span>
                    <strong>{d.device}</strong> <span className="mono muted">{d.device_id}</span> {onlineBadge(d.online)} born {fmtIso(d.last_birth)}
                    {d.last_death ? ` · died ${fmtIso(d.last_death)}` : ''}
                  </span>
                  <Metrics metrics={d.metrics} />
                </div>
              ))}
            </div>
          </td>
        </tr>
      ) : null}
    </>
  );
}

/** MQTT and Sparkplug B on the Field devices page: connection, message rate, edge nodes and devices with their metrics. */
export function SparkplugPanel() {
  const isAdmin = useIsAdmin();
  const status = useMqttStatus();
  const [error, setError] = useState<unknown>(null);
  const [editing, setEditing] = useState(false);
  const s = status.data;
  return (
    <>
      <Panel
        title="MQTT and Sparkplug B"
        actions={
          isAdmin && !editing ? (
            <button type="button" className="btn btn-small" onClick={() => setEditing(true)}>
              Broker settings
            </button>
          ) : null
        }
      >
        <ErrorNote error={status.error ?? error} />
        {s ? (
          <div className="stack">
            <span>
              {s.mode === 'off' ? (
                'Off: the station is not connected to an MQTT broker.'
              ) : (
                <>
                  {s.mode === 'embedded' ? 'Embedded broker' : 'Broker'} <code>{s.broker}</code> —{' '}
                  <strong>{s.connected ? 'connected' : 'not connected'}</strong> · {fmtNum(s.messages_per_s, 1)} messages/s · {s.readings_stored} readings
                  stored · {s.invalid_messages} invalid
                  {s.embedded ? ` · ${s.embedded.clients} clients, ${s.embedded.refused} refused` : ''}
                </>
              )}
            </span>
            {s.last_error ? <Note kind="error">{s.last_error}</Note> : null}
            {s.last_invalid ? (
              <Note kind="warn">
                Last invalid message on <code>{s.last_invalid.topic}</code> ({fmtIso(s.last_invalid.at)}): {s.last_invalid.error}
              </Note>
            ) : null}
          </div>
        ) : null}
        {s && s.nodes.length === 0 ? (
          s.mode === 'off' ? null : (
            <Empty>No Sparkplug edge node has reported yet.</Empty>
          )
        ) : s ? (
          <div className="table-wrap">
            <table className="data">
              <thead>
                <tr>
                  <th>Edge node</th>
                  <th>Device id</th>
                  <th>State</th>
                  <th>Last birth</th>
                  <th className="num">bdSeq / seq</th>
                  <th className="num">Rebirths asked</th>
                  <th className="num">Decode errors</th>
                  <th>Devices</th>
                  <th />
                </tr>
              </thead>
              <tbody>
                {s.nodes.map((n) => (
                  <NodeRows key={`${n.group}/${n.node}`} node={n} isAdmin={isAdmin} onError={setError} />
                ))}
              </tbody>
            </table>
          </div>
        ) : null}
      </Panel>
      {editing ? (
        <MqttSettings
          onClose={() => setEditing(false)}
          onSaved={() => {
            setEditing(false);
            void status.refetch();
          }}
        />
      ) : null}
    </>
  );
}
