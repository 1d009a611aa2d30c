// Starts the page: the live store, the views, the route, and a rebuild when the language changes.
import { onLanguage } from './i18n.js';
import { Store } from './store.js';
import { app } from './views/app.js';

const root = document.getElementById('app');
const scheme = window.location.protocol === 'https:' ? 'wss:' : 'ws:';
const store = new Store(`${scheme}//${window.location.host}/ws`);
let view = null;

function build() {
  // the language switch rebuilds the page under the user's finger: keep the focus on the same control
  const focused = document.activeElement?.dataset?.focus;
  view = app(store);
  root.replaceChildren(view.el);
  view.route();
  view.update(store.state, store.status);
  if (focused) root.querySelector(`[data-focus="${focused}"]`)?.focus();
}

store.subscribe((state, status) => view.update(state, status));
// a setter's answer, passed up by the view that made the change
root.addEventListener('patch', (event) => store.patch(...event.detail));
window.addEventListener('hashchange', () => view.route());
onLanguage(build);
// a phone that wakes up or a network that comes back should not wait for the next backoff step
document.addEventListener('visibilitychange', () => {
  if (!document.hidden) store.reconnect();
});
window.addEventListener('online', () => store.reconnect());

build();
store.connect();
