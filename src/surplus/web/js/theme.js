// Light, dark or the system's scheme. early.js applies the effective theme before the first paint; this switches it.
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
  try {
    if (choice === 'auto') localStorage.removeItem(KEY);
    else localStorage.setItem(KEY, choice);
  } catch {
    // storage blocked: an explicit choice holds until the page is closed
    if (choice !== 'auto') {
      document.documentElement.dataset.theme = choice;
      return;
    }
  }
  window.dispatchEvent(new Event('surplus-theme')); // early.js applies the stored choice or the system's scheme
}

/** auto → light → dark → auto */
export function nextTheme(current) {
  return THEMES[(THEMES.indexOf(current) + 1) % THEMES.length];
}
