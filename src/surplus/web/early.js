// Runs before the first paint, so the theme applies at once: the choice stored on this device, else the
// system's colour scheme (followed when it changes). theme.js announces a new choice with a 'surplus-theme' event.
const systemDark = matchMedia('(prefers-color-scheme: dark)');

function applyTheme() {
  let chosen = null;
  try {
    chosen = localStorage.getItem('surplus.theme');
  } catch {
    // storage can be blocked (private browsing); the system's colour scheme applies then
  }
  const dark = chosen === 'dark' || (chosen !== 'light' && systemDark.matches);
  document.documentElement.dataset.theme = dark ? 'dark' : 'light';
}

applyTheme();
systemDark.addEventListener('change', applyTheme);
window.addEventListener('surplus-theme', applyTheme);
