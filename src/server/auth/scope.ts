/** Device scope of a key: exact ids or globs where `*` matches any run of characters. */
export function scopeMatcher(patterns: readonly string[] | undefined): (deviceId: string) => boolean {
  if (!patterns) return () => true;
  const exact = new Set(patterns.filter((p) => !p.includes('*')));
  const globs = patterns.filter((p) => p.includes('*')).map((p) => p.split('*'));
  return (id) => exact.has(id) || globs.some((parts) => globMatches(parts, id));
}

/**
 * `*`-only glob matching without a regular expression: a pattern like `*a*a*a*a*a*a*a*c` compiled
 * to a regex backtracks exponentially on a long id of `a`s (29 s for 63 characters). Here the text
 * between the stars must appear in order: the first piece as a prefix, the last as a suffix, and
 * each middle piece at its leftmost place after the previous one. Taking the leftmost place is
 * always safe (it leaves the most room for the rest), so one pass decides: linear in the id for
 * each piece.
 */
export function globMatches(parts: readonly string[], id: string): boolean {
  if (parts.length === 1) return id === parts[0];
  const first = parts[0]!;
  const last = parts[parts.length - 1]!;
  if (id.length < first.length + last.length || !id.startsWith(first) || !id.endsWith(last)) return false;
  let at = first.length;
  const end = id.length - last.length;
  for (let i = 1; i < parts.length - 1; i++) {
    const piece = parts[i]!;
    if (!piece) continue;
    const found = id.indexOf(piece, at);
    if (found < 0 || found + piece.length > end) return false;
    at = found + piece.length;
  }
  return true;
}
