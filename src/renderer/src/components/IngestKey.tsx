import { useState, useSyncExternalStore } from 'react';
import { accountRoutes } from '../../../shared/api/accounts';
import { call, errorText, type ApiError } from '../api/client';
import { useIsAdmin, useMe } from '../api/queries';
import { session } from '../api/session';
import { Field, Note } from './ui';

/**
 * The station's ingest rule: readings need a device/admin API key, or an
 * admin token together with an API key. The UI therefore holds one key for this browser session
 * (sessionStorage, gone when the tab closes): an admin pastes one or creates a device key here.
 */
export function IngestKey() {
  const key = useSyncExternalStore(session.subscribe, session.ingestKey);
  const isAdmin = useIsAdmin();
  const me = useMe();
  const [typed, setTyped] = useState('');
  const [error, setError] = useState('');
  const create = async () => {
    setError('');
    try {
      const stamp = new Date().toISOString().slice(0, 16).replace('T', ' ');
      const k = await call(accountRoutes.createKey, {
        body: { name: `UI ingest (${me.data?.subject ?? 'admin'}, ${stamp})`, role: 'device' },
      });
      session.setIngestKey(k.key);
    } catch (err) {
      setError(errorText(err));
    }
  };
  if (key) {
    return (
      <div className="keybar">
        <span className="badge badge-ok">ingest key set</span>
        <span className="muted mono">{key.slice(0, 10)}…</span>
        <button type="button" className="btn btn-small" onClick={() => session.setIngestKey(null)}>
          Forget key
        </button>
      </div>
    );
  }
  return (
    <div className="keybar">
      <p className="muted">Posting readings needs an API key (a device key, or an admin key with your admin sign-in). It is kept only until this tab closes.</p>
      {isAdmin ? null : (
        <p className="muted" data-testid="engineer-ingest-hint">
          Engineers post with a device key: ask an admin to create one for you (Admin → API keys → role "device"), then paste it here.
        </p>
      )}
      <form
        className="row"
        onSubmit={(e) => {
          e.preventDefault();
          if (typed.trim()) session.setIngestKey(typed.trim());
        }}
      >
        <Field label="API key for ingest">
          {(id) => <input id={id} type="password" value={typed} onChange={(e) => setTyped(e.target.value)} autoComplete="off" />}
        </Field>
        <button type="submit" className="btn">
          Use this key
        </button>
        {isAdmin ? (
          <button type="button" className="btn" onClick={() => void create()}>
            Create a device key for this session
          </button>
        ) : null}
      </form>
      {error ? <Note kind="error">{error}</Note> : null}
    </div>
  );
}

/**
 * Why a post with the ingest key was refused, in words an engineer can act on (the station says
 * "invalid API key", "a user key may not ingest", "outside the key's device scope" and the like).
 */
export function ingestRefusal(err: ApiError): string | undefined {
  if (err.status === 401) return 'The station did not accept this ingest key: it is mistyped or has been revoked. Forget it and use a current device key.';
  if (err.status !== 403) return undefined;
  if (/may not write device/.test(err.message))
    return 'This key may not post readings for that device. Use a key whose devices include it, or ask an admin to widen its scope.';
  return 'This key may read but not post readings. Posting needs a device key (or an admin key): ask an admin for one under Admin → API keys.';
}

/** Admins send their token with the key (audit shows the person); others send the key alone. */
export const ingestOptions = (isAdmin: boolean) => ({ withIngestKey: true, keyOnly: !isAdmin });
