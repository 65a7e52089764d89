/**
 * Light and dark themes.
 *
 * Design notes: with no stored choice the page follows `prefers-color-scheme` through CSS
 * alone (no script needed). A choice made with the toggle is stored under
 * `k8slabs:v1:theme` and set as `data-theme` on `<html>`; an inline script in `<head>`
 * (see Base.astro) applies it before first paint so the page never flashes the wrong theme.
 */
import { loadTheme, saveTheme, type Theme } from './storage';

const media = (): MediaQueryList | null =>
  typeof window.matchMedia === 'function' ? window.matchMedia('(prefers-color-scheme: dark)') : null;

/** The theme in effect: the stored choice, else the system's. */
export function currentTheme(): Theme {
  const explicit = document.documentElement.dataset.theme;
  if (explicit === 'light' || explicit === 'dark') return explicit;
  return media()?.matches ? 'dark' : 'light';
}

export function setTheme(theme: Theme): void {
  document.documentElement.dataset.theme = theme;
  saveTheme(theme);
  window.dispatchEvent(new CustomEvent('k8slabs:theme', { detail: theme }));
}

function sync(button: HTMLButtonElement): void {
  const dark = currentTheme() === 'dark';
  button.setAttribute('aria-pressed', String(dark));
  button.title = dark ? 'Switch to the light theme' : 'Switch to the dark theme';
}

/** Wires every theme toggle button on the page. */
export function initThemeToggles(): void {
  const stored = loadTheme();
  if (stored) document.documentElement.dataset.theme = stored;
  const buttons = Array.from(document.querySelectorAll<HTMLButtonElement>('[data-theme-toggle]'));
  for (const button of buttons) {
    sync(button);
    button.addEventListener('click', () => {
      setTheme(currentTheme() === 'dark' ? 'light' : 'dark');
      buttons.forEach(sync);
    });
  }
  media()?.addEventListener('change', () => buttons.forEach(sync));
  // Another tab changed the theme.
  window.addEventListener('storage', (e) => {
    if (e.key !== null && !e.key.endsWith(':theme')) return;
    const t = loadTheme();
    if (t) document.documentElement.dataset.theme = t;
    else delete document.documentElement.dataset.theme;
    buttons.forEach(sync);
  });
}
