// German and English. The language comes from the browser unless the user picked one, which is remembered.
import de from './lang/de.js';
import en from './lang/en.js';

const DICTIONARIES = { de, en };
const KEY = 'surplus.lang';
const listeners = new Set();

function stored() {
  try {
    return localStorage.getItem(KEY);
  } catch {
    return null;
  }
}

function detect() {
  const chosen = stored();
  if (chosen in DICTIONARIES) return chosen;
  const preferred = (navigator.languages ?? [navigator.language]).map((tag) => tag.slice(0, 2).toLowerCase());
  return preferred.find((tag) => tag in DICTIONARIES) ?? 'en';
}

let current = detect();
document.documentElement.lang = current;

export const LANGUAGES = Object.keys(DICTIONARIES);

export function language() {
  return current;
}

// English for a browser set to another language: 24-hour times, as in the rest of Europe
const FALLBACK_LOCALES = { de: 'de-DE', en: 'en-GB' };

/** The locale for numbers and dates: the browser's own when it speaks the chosen language (en-US vs en-GB). */
export function locale() {
  const browser = navigator.language ?? '';
  return browser.toLowerCase().startsWith(current) ? browser : FALLBACK_LOCALES[current];
}

export function setLanguage(next) {
  if (!(next in DICTIONARIES) || next === current) return;
  current = next;
  document.documentElement.lang = next;
  try {
    localStorage.setItem(KEY, next);
  } catch {
    // not remembered when storage is blocked; the choice still holds for this page
  }
  for (const listener of listeners) listener(next);
}

export function onLanguage(listener) {
  listeners.add(listener);
}

/** t('plan.until', {time: '07:00'}): the text in the current language, English when a key is missing there. */
export function t(key, params = {}) {
  const text = DICTIONARIES[current][key] ?? DICTIONARIES.en[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (match, name) => (name in params ? String(params[name]) : match));
}
