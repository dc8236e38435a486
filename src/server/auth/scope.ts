/** Device scope of a key: exact ids or globs where `*` matches any run of characters. */
export function scopeMatcher(patterns: readonly string[] | undefined): (deviceId: string) => boolean {
  if (!patterns) return () => true;
  const exact = new Set(patterns.filter((p) => !p.includes('*')));
  const globs = patterns
    .filter((p) => p.includes('*'))
    .map((p) => new RegExp(`^${p.split('*').map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`));
  return (id) => exact.has(id) || globs.some((g) => g.test(id));
}
