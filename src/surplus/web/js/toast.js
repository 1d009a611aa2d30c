// Short messages for failed actions (a setter's 400 says what was wrong); read out by screen readers.
import { h } from './dom.js';
import { t } from './i18n.js';
import { icon } from './icons.js';

const SHOWN_MS = 6000;
const region = h('div', { class: 'toasts', role: 'alert', 'aria-live': 'assertive' });

export function toastRegion() {
  return region;
}

function showError(message) {
  const toast = h('p', { class: 'toast' }, icon('warning'), h('span', {}, message));
  region.append(toast);
  setTimeout(() => toast.remove(), SHOWN_MS);
}

/** Runs a request; a failure becomes a toast instead of an unhandled rejection. Resolves to undefined then. */
export async function attempt(action) {
  try {
    return await action();
  } catch (error) {
    showError(error.status === 0 ? t('error.network') : error.message);
    return undefined;
  }
}
