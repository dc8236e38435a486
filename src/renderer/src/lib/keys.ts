import { useEffect, useRef } from 'react';

/**
 * Esc closes the pane that asked for it (a reading's or a batch's detail). An Esc that something
 * inside already handled (an open question, a select) is left alone.
 */
export function useEscape(onEscape: () => void): void {
  const handler = useRef(onEscape);
  handler.current = onEscape;
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape' && !e.defaultPrevented) handler.current();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
}
