import { useId, type ReactNode } from 'react';

/** A labelled input with its error next to it; the error is linked for screen readers. */
export function Field(props: { label: string; error?: string; hint?: string; children: (id: string, describedBy?: string) => ReactNode; wide?: boolean }) {
  const id = useId();
  const errId = `${id}-err`;
  return (
    <div className={`field${props.wide ? ' wide' : ''}${props.error ? ' invalid' : ''}`}>
      <label htmlFor={id}>{props.label}</label>
      {props.children(id, props.error ? errId : undefined)}
      {props.error ? (
        <span className="field-error" id={errId} role="alert">
          {props.error}
        </span>
      ) : props.hint ? (
        <span className="field-hint">{props.hint}</span>
      ) : null}
    </div>
  );
}

export function ErrorNote({ error, title }: { error: unknown; title?: string }) {
  if (!error) return null;
  const message = error instanceof Error ? error.message : String(error);
  return (
    <div className="note note-error" role="alert">
      {title ? <strong>{title}: </strong> : null}
      {message}
    </div>
  );
}

export function Note({ kind = 'info', children }: { kind?: 'info' | 'ok' | 'warn' | 'error'; children: ReactNode }) {
  return (
    <div className={`note note-${kind}`} role={kind === 'error' ? 'alert' : 'status'}>
      {children}
    </div>
  );
}

export function Progress({ value, max, label }: { value: number; max: number | null; label: string }) {
  const pct = max ? Math.min(100, Math.round((value / max) * 100)) : null;
  return (
    <div className="progress">
      <div
        className="progress-track"
        role="progressbar"
        aria-label={label}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={pct ?? undefined}
        aria-valuetext={pct === null ? `${value} rows` : `${pct}%`}
      >
        <div className={`progress-fill${pct === null ? ' indeterminate' : ''}`} style={{ width: pct === null ? '30%' : `${pct}%` }} />
      </div>
      <span className="progress-text">{label}</span>
    </div>
  );
}

export function PageHeader({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <header className="page-header">
      <h1>{title}</h1>
      <div className="page-actions">{children}</div>
    </header>
  );
}

export function Empty({ children }: { children: ReactNode }) {
  return <div className="empty">{children}</div>;
}

export function Panel({ title, children, actions }: { title?: string; children: ReactNode; actions?: ReactNode }) {
  return (
    <section className="panel" aria-label={title}>
      {title ? (
        <div className="panel-head">
          <h2>{title}</h2>
          {actions}
        </div>
      ) : null}
      {children}
    </section>
  );
}

/** Copies text and says so; the only way to take a new key's secret away. */
export function CopyButton({ text, label = 'Copy' }: { text: string; label?: string }) {
  return (
    <button
      type="button"
      className="btn btn-small"
      onClick={(e) => {
        const btn = e.currentTarget;
        void navigator.clipboard?.writeText(text).then(
          () => (btn.textContent = 'Copied'),
          () => (btn.textContent = 'Select and copy'),
        );
      }}
    >
      {label}
    </button>
  );
}
