// The connection banner. The live region stays in the page; the message is put into it when the connection is
// lost, which is what makes screen readers announce it.
import { h } from '../dom.js';
import { t } from '../i18n.js';
import { icon } from '../icons.js';
import { ONLINE } from '../store.js';

export function banner(store) {
  const region = h('div', { class: 'banner-region', 'aria-live': 'assertive' });
  let shown = false;
  const message = () =>
    h(
      'div',
      { class: 'banner', 'data-testid': 'connection-banner' },
      icon('offline'),
      h('p', {}, h('strong', {}, t('connection.lost')), ' ', t('connection.retrying')),
      h('button', { type: 'button', class: 'button small', onClick: () => store.reconnect() }, t('connection.retry')),
    );
  return {
    el: region,
    update(state, status) {
      // the first connect of a page load is not a loss; only a connection that went away is shown
      const lost = status !== ONLINE && store.attempt > 0;
      if (lost === shown) return;
      shown = lost;
      document.body.classList.toggle('offline', lost);
      region.replaceChildren(...(lost ? [message()] : []));
    },
  };
}
