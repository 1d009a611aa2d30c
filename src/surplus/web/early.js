// Runs before the first paint, so a theme chosen on this device applies at once instead of after the modules load.
try {
  const theme = localStorage.getItem('surplus.theme');
  if (theme === 'light' || theme === 'dark') document.documentElement.dataset.theme = theme;
} catch {
  // storage can be blocked (private browsing); the system's colour scheme applies then
}
