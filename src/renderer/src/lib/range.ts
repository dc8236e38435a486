/** A time range: relative ranges ("last 6 h") follow the clock and refresh live; absolute ones (a zoom) stay put. */
export type TimeRange = { kind: 'last'; seconds: number } | { kind: 'abs'; from: number; to: number };

export const QUICK_RANGES = [
  { label: '1 h', seconds: 3600 },
  { label: '6 h', seconds: 6 * 3600 },
  { label: '24 h', seconds: 86400 },
  { label: '7 d', seconds: 7 * 86400 },
] as const;

export function resolveRange(r: TimeRange, now = Date.now()): { from: number; to: number } {
  if (r.kind === 'abs') return { from: r.from, to: r.to };
  const to = Math.ceil(now / 1000);
  return { from: to - r.seconds, to };
}

/** `last=6h` or `from=..&to=..` in the URL, so a view can be bookmarked or shared. */
export function rangeFromSearch(params: URLSearchParams): TimeRange {
  const from = Number(params.get('from'));
  const to = Number(params.get('to'));
  if (from > 0 && to > from) return { kind: 'abs', from, to };
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
  } else params.set('last', String(r.seconds));
}
