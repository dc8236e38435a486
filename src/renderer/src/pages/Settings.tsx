import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { settingsUpdateSchema, type ConnectionResult, type Settings as S, type Units } from '../../../shared/settings';
import { settingsRoutes } from '../../../shared/api/settings';
import { call, errorText } from '../api/client';
import { useIsAdmin, useSettings } from '../api/queries';
import { CopyButton, Empty, ErrorNote, Field, Note, PageHeader, Panel } from '../components/ui';
import { validate } from '../lib/form';

function curlLine(base: string): string {
  return `curl -X POST ${base}/api/telemetry -H 'x-api-key: <device key>' -H 'Content-Type: application/json' -d '{"device_id":"well-01","ts":'$(date +%s)',"temperature":71.5,"pressure":2380}'`;
}

function ConnectionTest({ kind, url, token }: { kind: 'redis' | 'influx'; url: string; token?: string }) {
  const [r, setR] = useState<ConnectionResult | { ok: false; detail: string } | null>(null);
  const [busy, setBusy] = useState(false);
  return (
    <span className="row">
      <button
        type="button"
        className="btn btn-small"
        disabled={!url || busy}
        onClick={async () => {
          setBusy(true);
          try {
            setR(await call(settingsRoutes.testConnection, { body: { kind, url, ...(token ? { token } : {}) } }));
          } catch (err) {
            setR({ ok: false, detail: errorText(err) });
          } finally {
            setBusy(false);
          }
        }}
      >
        {busy ? 'Testing…' : 'Test connection'}
      </button>
      {r ? <span className={`badge badge-${r.ok ? 'ok' : 'alarm'}`}>{r.detail}</span> : null}
    </span>
  );
}

function SettingsForm({ s }: { s: S }) {
  const qc = useQueryClient();
  const [v, setV] = useState({
    lan_access: s.lan_access,
    port: String(s.port),
    redis_url: s.redis_url ?? '',
    influx_url: s.influx_url ?? '',
    influx_org: s.influx_org ?? '',
    influx_bucket: s.influx_bucket ?? '',
    influx_token: '',
    units: s.units as Units,
  });
  const [msg, setMsg] = useState<{ kind: 'ok' | 'warn' | 'error'; text: string } | null>(null);
  const body = {
    lan_access: v.lan_access,
    port: Number(v.port),
    redis_url: v.redis_url.trim() || null,
    influx_url: v.influx_url.trim() || null,
    influx_org: v.influx_org.trim() || null,
    influx_bucket: v.influx_bucket.trim() || null,
    ...(v.influx_token ? { influx_token: v.influx_token } : {}),
    units: v.units,
  };
  const { errors } = validate(settingsUpdateSchema, body);
  const save = async () => {
    if (Object.keys(errors).length) return;
    try {
      const next = await call(settingsRoutes.update, { body });
      qc.setQueryData(['settings'], next);
      // people who never picked their own units follow the new default
      void qc.invalidateQueries({ queryKey: ['preferences'] });
      setMsg(
        next.restart_required.length
          ? { kind: 'warn', text: `Saved. Restart the station to apply: ${next.restart_required.join(', ')}.` }
          : { kind: 'ok', text: 'Saved.' },
      );
    } catch (err) {
      setMsg({ kind: 'error', text: errorText(err) });
    }
  };
  const running = s.running;
  return (
    <>
      <Panel title="LAN access">
        <p className="muted">Off: only programs on this computer reach the station. On: devices on the wellsite network can post readings.</p>
        <div className="row">
          <label className="switch">
            <input type="checkbox" role="switch" checked={v.lan_access} onChange={(e) => setV({ ...v, lan_access: e.target.checked })} />
            <span>Accept LAN devices</span>
          </label>
          <Field label="Port" error={errors.port}>
            {(id, d) => (
              <input id={id} aria-describedby={d} inputMode="numeric" className="short" value={v.port} onChange={(e) => setV({ ...v, port: e.target.value })} />
            )}
          </Field>
        </div>
        <p>
          Now listening on{' '}
          <code>
            {running.host}:{running.port}
          </code>{' '}
          — LAN access is <strong>{running.lan_access ? 'on' : 'off'}</strong>.
        </p>
        {running.lan_access && s.device_urls.length ? (
          <div className="stack">
            <span>Devices post to:</span>
            {s.device_urls.map((u) => (
              <div key={u} className="row">
                <code className="mono" data-testid="device-url">
                  {u}/api/telemetry
                </code>
                <CopyButton text={`${u}/api/telemetry`} />
              </div>
            ))}
            <span>Try it from a device (with a device key from Admin → API keys):</span>
            <pre className="code">{curlLine(s.device_urls[0]!)}</pre>
            <CopyButton text={curlLine(s.device_urls[0]!)} label="Copy curl line" />
          </div>
        ) : (
          <div className="stack">
            <span>
              This machine's addresses: {s.addresses.length ? s.addresses.map((a) => `${a.address} (${a.interface})`).join(', ') : 'none found (no network?)'}.
            </span>
            {v.lan_access && s.addresses[0] ? (
              <>
                <span>After saving and restarting, devices will post to:</span>
                <pre className="code">
                  {curlLine(`http://${s.addresses[0].family === 'IPv6' ? `[${s.addresses[0].address}]` : s.addresses[0].address}:${v.port}`)}
                </pre>
              </>
            ) : null}
          </div>
        )}
        {s.env_overrides.length ? <Note kind="warn">Set by the environment (these win over saved settings): {s.env_overrides.join(', ')}.</Note> : null}
      </Panel>
      <Panel title="Redis (optional)">
        <p className="muted">Shares background work and rate limits between processes. Empty: built-in, no server needed.</p>
        <div className="row wrap">
          <Field label="Redis URL" error={errors.redis_url} hint="redis://127.0.0.1:6379/0" wide>
            {(id, d) => <input id={id} aria-describedby={d} value={v.redis_url} onChange={(e) => setV({ ...v, redis_url: e.target.value })} />}
          </Field>
          <ConnectionTest kind="redis" url={v.redis_url.trim()} />
        </div>
      </Panel>
      <Panel title="InfluxDB forwarding (optional)">
        <p className="muted">Every stored reading is forwarded to a central InfluxDB when set.</p>
        <div className="form-grid">
          <Field label="InfluxDB URL" error={errors.influx_url} hint="http://influx.example:8086">
            {(id, d) => <input id={id} aria-describedby={d} value={v.influx_url} onChange={(e) => setV({ ...v, influx_url: e.target.value })} />}
          </Field>
          <Field label="Organization" error={errors.influx_org}>
            {(id, d) => <input id={id} aria-describedby={d} value={v.influx_org} onChange={(e) => setV({ ...v, influx_org: e.target.value })} />}
          </Field>
          <Field label="Bucket or database" error={errors.influx_bucket}>
            {(id, d) => <input id={id} aria-describedby={d} value={v.influx_bucket} onChange={(e) => setV({ ...v, influx_bucket: e.target.value })} />}
          </Field>
          <Field label="Token" hint={s.influx_token_set ? 'a token is saved; type to replace it' : 'none saved'}>
            {(id) => <input id={id} type="password" value={v.influx_token} onChange={(e) => setV({ ...v, influx_token: e.target.value })} autoComplete="off" />}
          </Field>
        </div>
        <ConnectionTest kind="influx" url={v.influx_url.trim()} token={v.influx_token || undefined} />
      </Panel>
      <Panel title="Default display units">
        <p className="muted">
          Readings are stored as sent (°C and kPa assumed); this only changes how they are shown, for everyone who has not picked their own units in the top
          bar.
        </p>
        <div className="row">
          <Field label="Default temperature unit">
            {(id) => (
              <select
                id={id}
                value={v.units.temperature}
                onChange={(e) => setV({ ...v, units: { ...v.units, temperature: e.target.value as Units['temperature'] } })}
              >
                <option value="C">°C</option>
                <option value="F">°F</option>
                <option value="K">K</option>
              </select>
            )}
          </Field>
          <Field label="Default pressure unit">
            {(id) => (
              <select id={id} value={v.units.pressure} onChange={(e) => setV({ ...v, units: { ...v.units, pressure: e.target.value as Units['pressure'] } })}>
                <option value="kPa">kPa</option>
                <option value="bar">bar</option>
                <option value="psi">psi</option>
                <option value="MPa">MPa</option>
              </select>
            )}
          </Field>
        </div>
      </Panel>
      <div className="row sticky-actions">
        <button type="button" className="btn btn-primary" onClick={() => void save()} disabled={Object.keys(errors).length > 0}>
          Save settings
        </button>
        {msg ? <Note kind={msg.kind}>{msg.text}</Note> : null}
      </div>
    </>
  );
}

export function Settings() {
  const isAdmin = useIsAdmin();
  const settings = useSettings(isAdmin);
  return (
    <>
      <PageHeader title="Settings" />
      {!isAdmin ? <Empty>Only administrators change station settings.</Empty> : null}
      <ErrorNote error={settings.error} title="Settings" />
      {settings.data ? <SettingsForm s={settings.data} /> : null}
    </>
  );
}
