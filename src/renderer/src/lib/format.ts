/** Local time with the zone shown (engineers compare with wall clocks); ISO stays for exports. */
const dateTime = new Intl.DateTimeFormat(undefined, {
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hour12: false,
  timeZoneName: 'short',
});

export const fmtTime = (tsSeconds: number | null | undefined): string => (tsSeconds == null ? '—' : dateTime.format(new Date(tsSeconds * 1000)));

export const fmtIso = (iso: string | null | undefined): string => (iso ? dateTime.format(new Date(iso)) : '—');

export function fmtAge(tsSeconds: number | null | undefined, now = Date.now()): string {
  if (tsSeconds == null) return 'never';
  const s = Math.max(0, Math.round(now / 1000 - tsSeconds));
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.round(s / 60)} min ago`;
  if (s < 86400) return `${(s / 3600).toFixed(1)} h ago`;
  return `${(s / 86400).toFixed(1)} d ago`;
}

const numberFmt = new Intl.NumberFormat(undefined, { maximumFractionDigits: 2 });
export const fmtNum = (v: number | null | undefined, digits?: number): string =>
  v == null ? '—' : digits === undefined ? numberFmt.format(v) : v.toFixed(digits);

export const fmtCount = (n: number): string => new Intl.NumberFormat().format(n);

export function fmtBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

/** `datetime-local` input value <-> Unix seconds, in the browser's zone. */
export function toLocalInput(tsSeconds: number): string {
  const d = new Date(tsSeconds * 1000);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}
export const fromLocalInput = (value: string): number | null => {
  const ms = new Date(value).getTime();
  return Number.isNaN(ms) ? null : Math.floor(ms / 1000);
};
