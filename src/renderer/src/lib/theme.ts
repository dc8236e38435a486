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

const osDark = window.matchMedia('(prefers-color-scheme: dark)');
let chosen: Theme = 'system';
// "System" follows the OS as it changes (a laptop switching to dark mode at dusk)
osDark.addEventListener('change', () => chosen === 'system' && show('system'));

/** The tokens in styles.css key on data-theme (light, dark, contrast), so the dark set is written once. */
function show(theme: Theme): void {
  document.documentElement.dataset.theme = theme === 'system' ? (osDark.matches ? 'dark' : 'light') : theme;
}

export function applyTheme(theme: Theme): void {
  chosen = theme;
  if (theme === 'system') localStorage.removeItem(KEY);
  else localStorage.setItem(KEY, theme);
  show(theme);
}
