/**
 * The colour theme: the OS setting by default, or light, dark or high contrast (sunlight) as the
 * user picked it. Kept in localStorage (a preference of this computer, not a secret) and applied as
 * `data-theme` on <html>, which the design tokens in styles.css key on.
 */
export const THEMES = [
  ['system', 'System'],
  ['light', 'Light'],
  ['dark', 'Dark'],
  ['contrast', 'High contrast'],
] as const;
export type Theme = (typeof THEMES)[number][0];

const KEY = 'oilfield.theme';

export function savedTheme(): Theme {
  const v = localStorage.getItem(KEY);
  return THEMES.some(([t]) => t === v) ? (v as Theme) : 'system';
}

export function applyTheme(theme: Theme): void {
  if (theme === 'system') {
    localStorage.removeItem(KEY);
    delete document.documentElement.dataset.theme;
  } else {
    localStorage.setItem(KEY, theme);
    document.documentElement.dataset.theme = theme;
  }
}
