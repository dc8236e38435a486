import { useState, type FormEvent } from 'react';
import { passwordSchema, usernameSchema } from '../../../shared/users';
import { z } from 'zod';
import { accountRoutes } from '../../../shared/api/accounts';
import { call, errorText } from '../api/client';
import { session } from '../api/session';
import { validate, type FieldErrors } from '../lib/form';
import { Field, Note } from '../components/ui';

async function signIn(username: string, password: string): Promise<void> {
  const r = await call(accountRoutes.token, { body: new URLSearchParams({ username, password }) });
  session.signIn(r.access_token);
}

function AuthCard({ title, intro, children }: { title: string; intro: string; children: React.ReactNode }) {
  return (
    <main className="auth-page">
      <div className="auth-card">
        <div className="brand">
          <span className="brand-mark" aria-hidden="true" />
          SMART Oilfield
        </div>
        <h1>{title}</h1>
        <p className="muted">{intro}</p>
        {children}
      </div>
    </main>
  );
}

export function SignIn() {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError('');
    try {
      await signIn(username, password);
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <AuthCard title="Sign in" intro="Use the account your station administrator gave you.">
      <form onSubmit={submit} className="stack">
        <Field label="Username">
          {(id) => <input id={id} autoComplete="username" value={username} onChange={(e) => setUsername(e.target.value)} required autoFocus />}
        </Field>
        <Field label="Password">
          {(id) => <input id={id} type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} required />}
        </Field>
        {error ? <Note kind="error">{error}</Note> : null}
        <button className="btn btn-primary" type="submit" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </AuthCard>
  );
}

const setupForm = z
  .object({ username: usernameSchema, password: passwordSchema, confirm: z.string() })
  .refine((v) => v.password === v.confirm, { message: 'the passwords differ', path: ['confirm'] });

/** First start with no users: create the first admin (only from the station machine itself). */
export function CreateAdmin({ onDone }: { onDone: () => void }) {
  const [v, setV] = useState({ username: 'admin', password: '', confirm: '' });
  const [touched, setTouched] = useState<Record<string, boolean>>({});
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const { errors } = validate(setupForm, v);
  const shown: FieldErrors = Object.fromEntries(Object.entries(errors).filter(([k]) => touched[k]));
  const change = (k: keyof typeof v) => (e: React.ChangeEvent<HTMLInputElement>) => {
    setV({ ...v, [k]: e.target.value });
    setTouched({ ...touched, [k]: true });
  };
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setTouched({ username: true, password: true, confirm: true });
    if (Object.keys(errors).length) return;
    setBusy(true);
    try {
      await call(accountRoutes.setup, { body: { username: v.username, password: v.password } });
      await signIn(v.username, v.password);
      onDone();
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <AuthCard title="Create the administrator" intro="This station has no users yet. The first account manages users, API keys and settings.">
      <form onSubmit={submit} className="stack" noValidate>
        <Field label="Username" error={shown.username}>
          {(id, d) => <input id={id} aria-describedby={d} value={v.username} onChange={change('username')} autoComplete="username" />}
        </Field>
        <Field label="Password" error={shown.password} hint="At least 8 characters.">
          {(id, d) => (
            <input id={id} aria-describedby={d} type="password" value={v.password} onChange={change('password')} autoComplete="new-password" autoFocus />
          )}
        </Field>
        <Field label="Repeat password" error={shown.confirm}>
          {(id, d) => <input id={id} aria-describedby={d} type="password" value={v.confirm} onChange={change('confirm')} autoComplete="new-password" />}
        </Field>
        {error ? <Note kind="error">{error}</Note> : null}
        <button className="btn btn-primary" type="submit" disabled={busy}>
          {busy ? 'Creating…' : 'Create administrator'}
        </button>
      </form>
    </AuthCard>
  );
}
