import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { mqttConfigUpdateSchema, type MqttConfigView, type MqttConnectionResult } from '../../../../../shared/field-mqtt';
import { errorText } from '../../../api/client';
import { validate } from '../../../lib/form';
import { ErrorNote, Field, Note, Panel } from '../../ui';
import { saveMqttConfig, testMqtt, useMqttConfig } from './api';

type Json = { text: string; error?: string };
const jsonText = (v: unknown) => JSON.stringify(v, null, 2);
function parseJson(j: Json): unknown {
  try {
    return JSON.parse(j.text || 'null');
  } catch {
    return undefined;
  }
}

function Form({ c, onSaved, onClose }: { c: MqttConfigView; onSaved: () => void; onClose: () => void }) {
  const qc = useQueryClient();
  const [v, setV] = useState({
    mode: c.mode,
    url: c.url ?? '',
    username: c.username ?? '',
    password: '',
    clearPassword: false,
    ca: c.ca ?? '',
    client_id: c.client_id ?? '',
    host_id: c.host_id,
    sparkplug: c.sparkplug,
    rebirth_interval_s: String(c.rebirth_interval_s),
    offline_alarm_s: String(c.offline_alarm_s),
    embedded_port: String(c.embedded_port),
  });
  const [maps, setMaps] = useState<{ device_map: Json; metric_map: Json; json: Json }>({
    device_map: { text: jsonText(c.device_map) },
    metric_map: { text: jsonText(c.metric_map) },
    json: { text: jsonText(c.json) },
  });
  const [msg, setMsg] = useState<{ kind: 'ok' | 'error'; text: string } | null>(null);
  const [test, setTest] = useState<MqttConnectionResult | null>(null);

  const body = {
    mode: v.mode,
    url: v.url.trim() || null,
    username: v.username.trim() || null,
    ...(v.clearPassword ? { password: null } : v.password ? { password: v.password } : {}),
    ca: v.ca.trim() || null,
    client_id: v.client_id.trim() || null,
    host_id: v.host_id.trim(),
    sparkplug: v.sparkplug,
    rebirth_interval_s: Number(v.rebirth_interval_s),
    offline_alarm_s: Number(v.offline_alarm_s),
    embedded_port: Number(v.embedded_port),
    device_map: parseJson(maps.device_map) ?? 'not JSON',
    metric_map: parseJson(maps.metric_map) ?? 'not JSON',
    json: parseJson(maps.json) ?? 'not JSON',
  };
  const { errors } = validate(mqttConfigUpdateSchema, body);

  const save = async () => {
    if (Object.keys(errors).length) return;
    try {
      const next = await saveMqttConfig(body as Parameters<typeof saveMqttConfig>[0]);
      qc.setQueryData(['field', 'mqtt', 'config'], next);
      setMsg({ kind: 'ok', text: 'Saved and applied.' });
      onSaved();
    } catch (err) {
      setMsg({ kind: 'error', text: errorText(err) });
    }
  };
  const runTest = async () => {
    setTest(null);
    try {
      setTest(await testMqtt({ url: v.url.trim(), username: v.username.trim() || null, password: v.password || null, ca: v.ca.trim() || null }));
    } catch (err) {
      setTest({ ok: false, detail: errorText(err), ms: 0 });
    }
  };
  const text = (key: keyof typeof v, label: string, hint?: string, wide = false) => (
    <Field label={label} error={errors[key]} hint={hint} wide={wide}>
      {(id, d) => <input id={id} aria-describedby={d} value={String(v[key])} onChange={(e) => setV({ ...v, [key]: e.target.value })} />}
    </Field>
  );
  const area = (key: keyof typeof maps, label: string, hint: string) => (
    <Field label={label} error={errors[key] ?? (parseJson(maps[key]) === undefined ? 'not valid JSON' : undefined)} hint={hint} wide>
      {(id, d) => (
        <textarea
          id={id}
          aria-describedby={d}
          className="mono"
          rows={4}
          value={maps[key].text}
          onChange={(e) => setMaps({ ...maps, [key]: { text: e.target.value } })}
        />
      )}
    </Field>
  );

  return (
    <Panel
      title="MQTT broker and Sparkplug host"
      actions={
        <button type="button" className="btn btn-small" onClick={onClose}>
          Close
        </button>
      }
    >
      <p className="muted">
        {c.source === 'env' ? 'Now from the MQTT_* environment variables; saving here replaces them. ' : ''}
        Embedded: the station runs its own broker (on this computer only unless LAN access is on); devices sign in with an API key (username = key id, password
        = the key).
      </p>
      <div className="row wrap">
        <Field label="Broker" error={errors.mode}>
          {(id, d) => (
            <select id={id} aria-describedby={d} value={v.mode} onChange={(e) => setV({ ...v, mode: e.target.value as typeof v.mode })}>
              <option value="off">Off</option>
              <option value="external">External broker</option>
              <option value="embedded">Embedded broker</option>
            </select>
          )}
        </Field>
        {v.mode === 'embedded' ? text('embedded_port', 'Embedded broker port', '1883; 0 = any free port') : null}
        {text('host_id', 'Sparkplug host id', 'publishes spBv1.0/STATE/<host id>')}
        <label className="switch">
          <input type="checkbox" role="switch" checked={v.sparkplug} onChange={(e) => setV({ ...v, sparkplug: e.target.checked })} />
          <span>Sparkplug B host (spBv1.0/#)</span>
        </label>
        {text('rebirth_interval_s', 'Least seconds between rebirths')}
        {text('offline_alarm_s', 'Offline alarm after (seconds)', 'a node or device dead this long opens an alarm; 0 = never')}
      </div>
      {v.mode === 'external' ? (
        <div className="row wrap">
          {text('url', 'Broker URL', 'mqtt://host:1883 or mqtts://host:8883', true)}
          {text('username', 'Username')}
          <Field label="Password" hint={c.password_set ? 'a password is saved; type to replace it' : 'none saved'}>
            {(id, d) => (
              <input
                id={id}
                aria-describedby={d}
                type="password"
                autoComplete="new-password"
                value={v.password}
                onChange={(e) => setV({ ...v, password: e.target.value, clearPassword: false })}
              />
            )}
          </Field>
          {c.password_set ? (
            <label className="switch">
              <input type="checkbox" checked={v.clearPassword} onChange={(e) => setV({ ...v, clearPassword: e.target.checked, password: '' })} />
              <span>Remove the saved password</span>
            </label>
          ) : null}
          {text('client_id', 'Client id', 'default smart-oilfield-<host id>; keeps the persistent session')}
          <Field label="CA certificate (PEM)" error={errors.ca} hint="for mqtts:// brokers with a private CA" wide>
            {(id, d) => <textarea id={id} aria-describedby={d} className="mono" rows={3} value={v.ca} onChange={(e) => setV({ ...v, ca: e.target.value })} />}
          </Field>
          <span className="row">
            <button type="button" className="btn btn-small" disabled={!v.url.trim()} onClick={() => void runTest()}>
              Test connection
            </button>
            {test ? <span className={`badge badge-${test.ok ? 'ok' : 'alarm'}`}>{test.detail}</span> : null}
          </span>
        </div>
      ) : null}
      <div className="stack">
        {area('json', 'Plain JSON topics', '[{"topic": "site/+/telemetry", "device_from": "topic"}] — payloads are readings (one or an array)')}
        {area('device_map', 'Sparkplug device ids', '{"Pad1/RTU7/Well3": "well-003"}; default group:node:device')}
        {area(
          'metric_map',
          'Sparkplug metric columns',
          '{"Inputs/TT-101": "temperature"}; metrics named Temperature, Pressure, Status map by themselves, the rest go to extra',
        )}
      </div>
      {msg ? <Note kind={msg.kind}>{msg.text}</Note> : null}
      <button type="button" className="btn btn-primary" disabled={Object.keys(errors).length > 0} onClick={() => void save()}>
        Save and apply
      </button>
    </Panel>
  );
}

/** The admin's MQTT configuration form: broker, host id, mappings, with a connection test. */
export function MqttSettings({ onSaved, onClose }: { onSaved: () => void; onClose: () => void }) {
  const config = useMqttConfig(true);
  if (config.error) return <ErrorNote error={config.error} title="MQTT settings" />;
  if (!config.data) return null;
  return <Form c={config.data} onSaved={onSaved} onClose={onClose} />;
}
