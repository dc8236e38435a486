import { useState, type ReactNode } from 'react';

export interface ConfirmButtonProps {
  /** the button's text, e.g. "Remove" */
  children: ReactNode;
  /** the button's accessible name when the text alone is ambiguous in a table */
  label?: string;
  /** the question asked in place of the button, e.g. "Remove the file?" */
  question: ReactNode;
  /** the confirming button's text, e.g. "Yes, remove" */
  yes: string;
  /** the text of the button that backs out */
  no?: string;
  onConfirm: () => void;
  danger?: boolean;
  disabled?: boolean;
  className?: string;
}

/**
 * A button that asks first, in place (no modal dialog that hides the row it is about): one click
 * never removes, disables or moves anything on its own. Esc backs out.
 */
export function ConfirmButton(p: ConfirmButtonProps) {
  const [asking, setAsking] = useState(false);
  if (asking) {
    return (
      <span
        role="group"
        aria-label={typeof p.question === 'string' ? p.question : p.label}
        className="confirm"
        onKeyDown={(e) => {
          if (e.key === 'Escape') {
            e.preventDefault();
            setAsking(false);
          }
        }}
      >
        <span className="muted">{p.question} </span>
        <button
          type="button"
          className={`btn btn-small ${p.danger === false ? 'btn-primary' : 'btn-danger'}`}
          onClick={() => {
            setAsking(false);
            p.onConfirm();
          }}
        >
          {p.yes}
        </button>
        <button type="button" className="btn btn-small" onClick={() => setAsking(false)} autoFocus>
          {p.no ?? 'Keep'}
        </button>
      </span>
    );
  }
  return (
    <button type="button" className={p.className ?? 'btn btn-small'} aria-label={p.label} disabled={p.disabled} onClick={() => setAsking(true)}>
      {p.children}
    </button>
  );
}
