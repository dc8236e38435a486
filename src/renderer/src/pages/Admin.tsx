import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { createKeySchema, createUserSchema, type ApiKey, type User, type UserUpdate } from '../../../shared/users';
import { accountRoutes } from '../../../shared/api/accounts';
import { call, errorText } from '../api/client';
import { useIsAdmin } from '../api/queries';
import { ConfirmButton } from '../components/ConfirmButton';
import { DataTable } from '../components/DataTable';
import { CopyButton, Empty, ErrorNote, Field, Note, PageHeader, Panel } from '../components/ui';
import { fmtIso } from '../lib/format';
import { validate } from '../lib/form';

function Users() {
  const qc = useQueryClient();
  const users = useQuery({ queryKey: ['users'], queryFn: () => call(accountRoutes.users, {}) });
  const [v, setV] = useState({ username: '', password: '', role: 'user' });
  const [tried, setTried] = useState(false);
  const [msg, setMsg] = useState<{ kind: 'ok' | 'error'; text: string } | null>(null);
  const { data, errors } = validate(createUserSchema, v);
  const shown = (k: string) => (tried || (v as Record<string, string>)[k] ? errors[k] : undefined);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setTried(true);
    if (!data) return;
    try {
      const u = await call(accountRoutes.createUser, { body: data });
      setMsg({ kind: 'ok', text: `Created ${u.username} (${u.role}).` });
      setV({ username: '', password: '', role: 'user' });
      setTried(false);
      void qc.invalidateQueries({ queryKey: ['users'] });
    } catch (err) {
      setMsg({ kind: 'error', text: errorText(err) });
    }
  };
  const patch = async (u: User, body: UserUpdate) => {
    try {
      await call(accountRoutes.updateUser, { params: { id: String(u.id) }, body });
      void qc.invalidateQueries({ queryKey: ['users'] });
    } catch (err) {
      setMsg({ kind: 'error', text: errorText(err) });
    }
  };
  return (
    <Panel title="Users">
      <ErrorNote error={users.error} />
      <DataTable
        label="Users"
        rows={users.data ?? []}
        rowKey={(u) => u.id}
        columns={[
          { header: 'User', cell: (u) => u.username },
          { header: 'Role', cell: (u) => u.role },
          { header: 'State', cell: (u) => (u.disabled ? <span className="badge badge-off">disabled</span> : 'active') },
          { header: 'Created', cell: (u) => fmtIso(u.created_at) },
          {
            header: 'Actions',
            blankHeader: true,
            className: 'actions',
            cell: (u) => (
              <>
                {u.disabled ? (
                  <button type="button" className="btn btn-small" aria-label={`Enable ${u.username}`} onClick={() => void patch(u, { disabled: false })}>
                    Enable
                  </button>
                ) : (
                  <ConfirmButton
                    label={`Disable ${u.username}`}
                    question={`Disable ${u.username}? They are signed out at once.`}
                    yes="Yes, disable"
                    onConfirm={() => void patch(u, { disabled: true })}
                  >
                    Disable
                  </ConfirmButton>
                )}
                <button type="button" className="btn btn-small" onClick={() => void patch(u, { role: u.role === 'admin' ? 'user' : 'admin' })}>
                  Make {u.role === 'admin' ? 'engineer' : 'admin'}
                </button>
              </>
            ),
          },
        ]}
      />
      <form onSubmit={submit} noValidate aria-label="New user" className="row wrap">
        <Field label="New username" error={shown('username')}>
          {(id, d) => <input id={id} aria-describedby={d} value={v.username} onChange={(e) => setV({ ...v, username: e.target.value })} autoComplete="off" />}
        </Field>
        <Field label="Password" error={shown('password')}>
          {(id, d) => (
            <input
              id={id}
              aria-describedby={d}
              type="password"
              value={v.password}
              onChange={(e) => setV({ ...v, password: e.target.value })}
              autoComplete="new-password"
            />
          )}
        </Field>
        <Field label="Role">
          {(id) => (
            <select id={id} value={v.role} onChange={(e) => setV({ ...v, role: e.target.value })}>
              <option value="user">engineer (user)</option>
              <option value="admin">admin</option>
            </select>
          )}
        </Field>
        <button type="submit" className="btn btn-primary">
          Create user
        </button>
      </form>
      {msg ? <Note kind={msg.kind}>{msg.text}</Note> : null}
    </Panel>
  );
}

function Keys() {
  const qc = useQueryClient();
  const keys = useQuery({ queryKey: ['keys'], queryFn: () => call(accountRoutes.keys, {}) });
  const [v, setV] = useState({ name: '', role: 'device', devices: '' });
  const [created, setCreated] = useState<(ApiKey & { key: string }) | null>(null);
  const [error, setError] = useState('');
  const body = { name: v.name, role: v.role, ...(v.devices.trim() ? { devices: v.devices.split(/[\s,]+/).filter(Boolean) } : {}) };
  const { data, errors } = validate(createKeySchema, body);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (Object.keys(errors).length)
      return setError(
        Object.entries(errors)
          .map(([k, m]) => `${k}: ${m}`)
          .join('; '),
      );
    setError('');
    try {
      setCreated(await call(accountRoutes.createKey, { body: data! }));
      setV({ name: '', role: 'device', devices: '' });
      void qc.invalidateQueries({ queryKey: ['keys'] });
    } catch (err) {
      setError(errorText(err));
    }
  };
  const revoke = async (k: ApiKey) => {
    try {
      await call(accountRoutes.revokeKey, { params: { id: String(k.id) } });
      void qc.invalidateQueries({ queryKey: ['keys'] });
    } catch (err) {
      setError(errorText(err));
    }
  };
  return (
    <Panel title="API keys">
      <form onSubmit={submit} noValidate aria-label="New API key" className="row wrap">
        <Field label="Key name" error={v.name ? errors.name : undefined} hint="e.g. RTU well-07">
          {(id, d) => <input id={id} aria-describedby={d} value={v.name} onChange={(e) => setV({ ...v, name: e.target.value })} />}
        </Field>
        <Field label="Key role">
          {(id) => (
            <select id={id} value={v.role} onChange={(e) => setV({ ...v, role: e.target.value })}>
              <option value="device">device (ingest only)</option>
              <option value="user">user (read)</option>
              <option value="admin">admin</option>
            </select>
          )}
        </Field>
        <Field label="Device scope (optional)" error={v.devices ? errors.devices : undefined} hint="ids or globs, e.g. well-*">
          {(id, d) => <input id={id} aria-describedby={d} value={v.devices} onChange={(e) => setV({ ...v, devices: e.target.value })} />}
        </Field>
        <button type="submit" className="btn btn-primary">
          Create key
        </button>
      </form>
      {error ? <Note kind="error">{error}</Note> : null}
      {created ? (
        <Note kind="warn">
          <div className="stack">
            <span>
              Key <strong>{created.name}</strong> created. Copy it now: it is shown only this once.
            </span>
            <div className="row">
              <code className="secret" data-testid="new-key">
                {created.key}
              </code>
              <CopyButton text={created.key} />
              <button type="button" className="btn btn-small" onClick={() => setCreated(null)}>
                Done
              </button>
            </div>
          </div>
        </Note>
      ) : null}
      <ErrorNote error={keys.error} />
      {keys.data && keys.data.length === 0 ? <Empty>No API keys yet. Devices need one to post readings.</Empty> : null}
      <DataTable
        label="API keys"
        rows={keys.data ?? []}
        rowKey={(k) => k.id}
        columns={[
          { header: 'Name', cell: (k) => k.name },
          { header: 'Prefix', className: 'mono', cell: (k) => k.prefix },
          { header: 'Role', cell: (k) => k.role },
          { header: 'Devices', cell: (k) => k.devices?.join(', ') ?? 'all' },
          { header: 'Created', cell: (k) => fmtIso(k.created_at) },
          { header: 'Last used', cell: (k) => fmtIso(k.last_used_at) },
          { header: 'State', cell: (k) => (k.revoked_at ? <span className="badge badge-off">revoked</span> : 'active') },
          {
            header: 'Actions',
            blankHeader: true,
            className: 'actions',
            cell: (k) =>
              !k.revoked_at ? (
                <ConfirmButton
                  className="btn btn-small btn-danger-outline"
                  label={`Revoke ${k.name}`}
                  question={`Revoke ${k.name} (${k.prefix}…)? Devices using it stop at once.`}
                  yes="Yes, revoke"
                  onConfirm={() => void revoke(k)}
                >
                  Revoke
                </ConfirmButton>
              ) : null,
          },
        ]}
      />
    </Panel>
  );
}

function Audit() {
  // the cursors of the pages walked so far, newest first; Back pops one
  const [cursors, setCursors] = useState<string[]>([]);
  const [action, setAction] = useState('');
  const q = useQuery({
    queryKey: ['audit', cursors.at(-1), action],
    queryFn: () => call(accountRoutes.audit, { query: { limit: 50, cursor: cursors.at(-1), action: action || undefined } }),
    placeholderData: (p) => p,
  });
  return (
    <Panel title="Audit log">
      <div className="toolbar">
        <Field label="Action" hint="e.g. key.create">
          {(id) => (
            <input
              id={id}
              value={action}
              onChange={(e) => {
                setAction(e.target.value.trim());
                setCursors([]);
              }}
            />
          )}
        </Field>
        <button type="button" className="btn btn-small" disabled={!cursors.length} onClick={() => setCursors(cursors.slice(0, -1))}>
          Newer
        </button>
        <button type="button" className="btn btn-small" disabled={!q.data?.next_cursor} onClick={() => setCursors([...cursors, q.data!.next_cursor!])}>
          Older
        </button>
      </div>
      <ErrorNote error={q.error} />
      <DataTable
        label="Audit log"
        wrap="short"
        rows={q.data?.items ?? []}
        rowKey={(a) => a.id}
        columns={[
          { header: 'Time', cell: (a) => fmtIso(a.time) },
          { header: 'Actor', cell: (a) => a.actor ?? '—' },
          { header: 'Action', className: 'mono', cell: (a) => a.action },
          { header: 'Target', cell: (a) => a.target ?? '—' },
          { header: 'From', className: 'mono', cell: (a) => a.ip ?? '—' },
          { header: 'Detail', className: 'mono clip', cell: (a) => (a.detail ? JSON.stringify(a.detail) : '') },
        ]}
      />
    </Panel>
  );
}

export function Admin() {
  const isAdmin = useIsAdmin();
  if (!isAdmin) {
    return (
      <>
        <PageHeader title="Admin" />
        <Empty>Only administrators manage users, API keys and the audit log. Ask your station administrator.</Empty>
      </>
    );
  }
  return (
    <>
      <PageHeader title="Admin" />
      <Keys />
      <Users />
      <Audit />
    </>
  );
}
