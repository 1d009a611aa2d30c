// Light, dark or the system's scheme. early.js applies a stored choice before the first paint; this switches it.
const KEY = 'surplus.theme';
const THEMES = ['auto', 'light', 'dark'];

export function theme() {
  try {
    const chosen = localStorage.getItem(KEY);
    return THEMES.includes(chosen) ? chosen : 'auto';
  } catch {
    return 'auto';
  }
}

export function setTheme(choice) {
  if (choice === 'auto') delete document.documentElement.dataset.theme;
  else document.documentElement.dataset.theme = choice;
  try {
    if (choice === 'auto') localStorage.removeItem(KEY);
    else localStorage.setItem(KEY, choice);
  } catch {
    // storage blocked: the choice holds until the page is closed
  }
}

/** auto → light → dark → auto */
export function nextTheme(current) {
  return THEMES[(THEMES.indexOf(current) + 1) % THEMES.length];
}
