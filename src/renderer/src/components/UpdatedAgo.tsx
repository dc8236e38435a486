import { useEffect, useState } from 'react';

/**
 * "updated 5 s ago" for data that refreshes by itself, so a glance says whether the screen is
 * live or has stopped (station down, laptop asleep). `at` is a query's dataUpdatedAt (ms).
 */
export function UpdatedAgo({ at, live }: { at: number; live: boolean }) {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), 1_000);
    return () => clearInterval(t);
  }, []);
  if (!at) return null;
  const s = Math.max(0, Math.round((now - at) / 1000));
  const text = s < 60 ? `${s} s` : s < 3600 ? `${Math.floor(s / 60)} min` : `${Math.floor(s / 3600)} h`;
  // a live view that has not refreshed for half a minute has stopped: say it in the warning colour
  const stale = live && s > 30;
  return (
    <span className={`updated-ago${stale ? ' stale' : ''}`} data-testid="updated-ago" aria-live="off">
      {live ? 'auto-refresh every 5 s · ' : ''}updated {text} ago
    </span>
  );
}
