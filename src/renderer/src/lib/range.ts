/**
 * A time range: relative ranges ("last 6 h", "today") follow the clock and refresh live; absolute
 * ones (a zoom) stay put. Today runs from this computer's local midnight.
 */
export type TimeRange = { kind: 'last'; seconds: number } | { kind: 'today' } | { kind: 'abs'; from: number; to: number };

/** The presets engineers reach for: an hour, a 12-hour shift, a day, today, a week, a month. */
export const QUICK_RANGES: readonly { label: string; range: TimeRange; title?: string }[] = [
  { label: '1 h', range: { kind: 'last', seconds: 3600 } },
  { label: '6 h', range: { kind: 'last', seconds: 6 * 3600 } },
  { label: 'Shift', range: { kind: 'last', seconds: 12 * 3600 }, title: 'the last 12 hours' },
  { label: '24 h', range: { kind: 'last', seconds: 86400 } },
  { label: 'Today', range: { kind: 'today' }, title: 'since midnight, local time' },
  { label: '7 d', range: { kind: 'last', seconds: 7 * 86400 } },
  { label: '30 d', range: { kind: 'last', seconds: 30 * 86400 } },
];

/** Live ranges follow the clock (and pages refresh them); absolute ones do not. */
export const isLive = (r: TimeRange): boolean => r.kind !== 'abs';

export const sameRange = (a: TimeRange, b: TimeRange): boolean =>
  a.kind === b.kind &&
  (a.kind !== 'last' || a.seconds === (b as { seconds: number }).seconds) &&
  (a.kind !== 'abs' || (a.from === (b as { from: number }).from && a.to === (b as { to: number }).to));

export function resolveRange(r: TimeRange, now = Date.now()): { from: number; to: number } {
  if (r.kind === 'abs') return { from: r.from, to: r.to };
  const to = Math.ceil(now / 1000);
  if (r.kind === 'today') {
    const midnight = new Date(now);
    midnight.setHours(0, 0, 0, 0);
    return { from: Math.floor(midnight.getTime() / 1000), to };
  }
  return { from: to - r.seconds, to };
}

/** `last=6h` or `from=..&to=..` in the URL, so a view can be bookmarked or shared. */
export function rangeFromSearch(params: URLSearchParams): TimeRange {
  const from = Number(params.get('from'));
  const to = Number(params.get('to'));
  if (from > 0 && to > from) return { kind: 'abs', from, to };
  if (params.get('last') === 'today') return { kind: 'today' };
  const last = Number(params.get('last'));
  return { kind: 'last', seconds: last > 0 ? last : 86400 };
}

export function rangeToSearch(r: TimeRange, params: URLSearchParams): void {
  params.delete('from');
  params.delete('to');
  params.delete('last');
  if (r.kind === 'abs') {
    params.set('from', String(Math.floor(r.from)));
    params.set('to', String(Math.ceil(r.to)));
  } else params.set('last', r.kind === 'today' ? 'today' : String(r.seconds));
}
