// The page: top bar, connection banner, and the three pages (overview, battery, sessions) by the URL's hash.
import { h, setHidden } from '../dom.js';
import { t } from '../i18n.js';
import { icon } from '../icons.js';
import { toastRegion } from '../toast.js';
import { banner } from './banner.js';
import { batteryPage } from './battery.js';
import { energyFlow } from './energy.js';
import { header, PAGES } from './header.js';
import { loadpointCard } from './loadpoint.js';
import { sessionsPage } from './sessions.js';

function deviceErrors() {
  const list = h('ul', {});
  const el = h('section', { class: 'notice', role: 'status' }, icon('warning'), list);
  return {
    el,
    update(state) {
      const errors = state.deviceErrors ?? [];
      setHidden(el, errors.length === 0);
      const lines = errors.map((problem) => t('deviceError', { device: problem.device, error: problem.error }));
      if (list.dataset.lines === JSON.stringify(lines)) return;
      list.dataset.lines = JSON.stringify(lines);
      list.replaceChildren(...lines.map((line) => h('li', {}, line)));
    },
  };
}

function overviewPage() {
  const energy = energyFlow();
  const problems = deviceErrors();
  const cards = [];
  const grid = h('div', { class: 'loadpoints' });
  const empty = h('p', { class: 'empty' }, t('loadpoint.none'));
  const el = h('div', { class: 'overview' }, problems.el, energy.el, grid, empty);
  return {
    el,
    update(state) {
      problems.update(state);
      energy.update(state);
      const count = state.loadpoints?.length ?? 0;
      while (cards.length < count) {
        const card = loadpointCard(cards.length);
        cards.push(card);
        grid.append(card.el);
      }
      while (cards.length > count) cards.pop().el.remove();
      for (const card of cards) card.update(state);
      setHidden(empty, count > 0 || state.loadpoints === undefined);
    },
  };
}

export function app(store) {
  const top = header();
  const connection = banner(store);
  const pages = { overview: overviewPage(), battery: batteryPage(), sessions: sessionsPage() };
  const main = h('main', { id: 'main', class: 'main', tabindex: '-1' }, Object.values(pages).map((page) => page.el));
  // the hash is the page's route, so the skip link moves the focus itself instead of changing the hash
  const skip = h('a', { class: 'skip-link', href: '#main', onClick: (event) => { event.preventDefault(); main.focus(); } }, t('nav.skip'));
  // the banner is part of the sticky top bar, so a lost connection is seen wherever the page is scrolled to
  top.el.append(connection.el);
  const el = h('div', { class: 'layout' }, skip, top.el, main, toastRegion());
  let page = null;

  function update(state, status) {
    top.update(state);
    connection.update(state, status);
    pages.overview.update(state);
    pages.battery.update(state);
    pages.sessions.update(state, page === 'sessions');
  }

  return {
    el,
    update,
    route() {
      const hash = window.location.hash || '#/';
      const next = (PAGES.find(([, href]) => href === hash) ?? PAGES[0])[0];
      for (const [name, view] of Object.entries(pages)) setHidden(view.el, name !== next);
      top.route(next);
      if (next !== page && next === 'sessions') pages.sessions.show();
      page = next;
      document.title = `${t(`nav.${next}`)} · Surplus`;
    },
  };
}
