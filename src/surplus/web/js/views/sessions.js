// The sessions page: the statistics, every charging session grouped by month with the month's totals, and the
// CSV download (captions in the page's language).
import { api, sessionsDownload } from '../api.js';
import { h, labelled, setHidden, setOptions, setText, uid } from '../dom.js';
import { language, t } from '../i18n.js';
import { icon } from '../icons.js';
import { duration, energy, money, monthYear, percent, price, shortDate, time } from '../format.js';
import { attempt } from '../toast.js';

const PERIODS = ['30d', '365d', 'thisYear', 'total'];
const NS_PER_S = 1e9;
// a phone has room for three columns: the date and the solar share become lines of the others there
const NARROW = window.matchMedia('(max-width: 560px)');
const COLUMNS = {
  wide: ['date', 'vehicle', 'energy', 'solar', 'cost'],
  narrow: ['session', 'energy', 'cost'],
};
const NUMERIC = new Set(['energy', 'solar', 'cost']);

const known = (value) => value !== null && value !== undefined;

function monthKey(date) {
  return `${date.getFullYear()}-${String(date.getMonth() + 1).padStart(2, '0')}`;
}

/** Energy-weighted solar share and summed cost of some sessions. */
function totals(sessions) {
  const kwh = sessions.reduce((sum, session) => sum + (session.chargedEnergy ?? 0), 0);
  const solarKwh = sessions.reduce((sum, session) => sum + ((session.chargedEnergy ?? 0) * (session.solarPercentage ?? 0)) / 100, 0);
  const priced = sessions.filter((session) => known(session.price));
  return {
    kwh,
    solar: kwh > 0 ? (solarKwh / kwh) * 100 : 0,
    price: priced.length ? priced.reduce((sum, session) => sum + session.price, 0) : null,
  };
}

function cell(column, main, ...details) {
  return h('td', { class: `col-${column}${NUMERIC.has(column) ? ' number' : ''}` },
    h('span', { class: 'cell-main' }, main),
    details.filter(Boolean).map((detail) => h('span', { class: 'cell-detail' }, detail)));
}

function sessionRow(session, columns, currency) {
  const created = new Date(session.created);
  const finished = session.finished ? new Date(session.finished) : null;
  // Go's zero time marks a session evcc never closed
  const times = finished && finished.getFullYear() > 1 ? `${time(created)}–${time(finished)}` : time(created);
  const seconds = session.chargeDuration ? session.chargeDuration / NS_PER_S : null;
  const solar = known(session.solarPercentage) ? percent(session.solarPercentage) : '–';
  const vehicle = session.vehicle || t('vehicle.guest');
  const narrow = columns === COLUMNS.narrow;
  const cells = {
    date: () => cell('date', shortDate(created), times),
    vehicle: () => cell('vehicle', vehicle, session.loadpoint),
    session: () => cell('vehicle', vehicle, `${shortDate(created)} ${times}`, session.loadpoint),
    energy: () => cell('energy', energy((session.chargedEnergy ?? 0) * 1000), seconds !== null ? duration(seconds) : '',
      narrow ? t('stats.solar', { solar }) : ''),
    solar: () => cell('solar', solar),
    cost: () => cell('cost', known(session.price) ? money(session.price, currency) : '–',
      known(session.pricePerKWh) ? `${price(session.pricePerKWh, currency)}/kWh` : ''),
  };
  return h('tr', {}, columns.map((column) => cells[column]()));
}

function monthRow(group, columns, currency) {
  const sum = totals(group);
  const narrow = columns === COLUMNS.narrow;
  const count = t(group.length === 1 ? 'sessions.one' : 'sessions.count', { count: group.length });
  return h('tr', { class: 'month' },
    h('th', { scope: 'rowgroup', colspan: String(narrow ? 1 : 2) },
      monthYear(new Date(group[0].created)), h('span', { class: 'cell-detail' }, count)),
    h('td', { class: 'number' }, energy(sum.kwh * 1000),
      narrow ? h('span', { class: 'cell-detail' }, t('stats.solar', { solar: percent(sum.solar) })) : null),
    narrow ? null : h('td', { class: 'number' }, percent(sum.solar)),
    h('td', { class: 'number' }, sum.price !== null ? money(sum.price, currency) : '–'));
}

export function sessionsPage() {
  const heading = h('h2', { id: 'sessions-heading' }, t('sessions.title'));
  const yearSelect = h('select', { id: uid('year') });
  const yearField = labelled(yearSelect, t('sessions.year'), 'inline');
  const download = h('a', { class: 'button', 'data-testid': 'sessions-csv', download: '' },
    icon('download'), h('span', {}, t('sessions.csv')));
  const stats = PERIODS.map((period) => {
    const value = h('span', { class: 'stat-value' });
    const detail = h('span', { class: 'stat-detail' });
    const el = h('li', { class: 'stat' }, h('span', { class: 'stat-label' }, t(`stats.${period}`)), value, detail);
    return { period, value, detail, el };
  });
  const caption = h('caption', { class: 'visually-hidden' }, t('sessions.caption'));
  const table = h('table', { class: 'sessions-table', 'data-testid': 'sessions-table' });
  const empty = h('p', { class: 'empty' });
  const el = h('section', { class: 'panel sessions-page', 'aria-labelledby': 'sessions-heading' },
    h('div', { class: 'panel-head' }, heading, h('div', { class: 'panel-tools' }, yearField.el, download)),
    h('ul', { class: 'stats' }, stats.map((item) => item.el)),
    table,
    empty,
  );

  let sessions = null;
  let statistics = null;
  let currency = 'EUR';

  async function load() {
    const answer = await attempt(() => api.get('sessions'));
    if (answer) {
      sessions = answer;
      render();
    }
  }

  function render() {
    const years = [...new Set((sessions ?? []).map((session) => String(new Date(session.created).getFullYear())))];
    setOptions(yearSelect, [['', t('sessions.allYears')], ...years.map((year) => [year, year])]);
    const year = yearSelect.value;
    download.href = sessionsDownload(language(), year);
    const shown = (sessions ?? []).filter((session) => !year || String(new Date(session.created).getFullYear()) === year);
    const months = new Map();
    for (const session of shown) {
      const key = monthKey(new Date(session.created));
      if (!months.has(key)) months.set(key, []);
      months.get(key).push(session);
    }
    const columns = NARROW.matches ? COLUMNS.narrow : COLUMNS.wide;
    const head = h('thead', {}, h('tr', {}, columns.map((column) =>
      h('th', { scope: 'col', class: NUMERIC.has(column) ? 'number' : '' }, t(`sessions.col.${column}`)))));
    const bodies = [...months.values()].map((group) =>
      h('tbody', {}, monthRow(group, columns, currency), group.map((session) => sessionRow(session, columns, currency))));
    table.replaceChildren(caption, head, ...bodies);
    setHidden(table, bodies.length === 0);
    setText(empty, sessions === null ? t('sessions.loading') : t('sessions.empty'));
    setHidden(empty, bodies.length > 0);
  }

  yearSelect.addEventListener('change', render);
  // a property, not a listener: after a language switch only the page that is shown redraws
  NARROW.onchange = render;
  render(); // "loading" until the page is opened and the sessions arrive

  return {
    el,
    /** Called when the page is opened: sessions are not part of the live state, so they are asked for. */
    show() {
      load();
    },
    update(state, visible) {
      currency = state.currency ?? 'EUR';
      for (const item of stats) {
        const figures = state.statistics?.[item.period];
        setText(item.value, energy((figures?.chargedKWh ?? 0) * 1000));
        setText(item.detail, t('stats.solar', { solar: percent(figures?.solarPercentage ?? 0) }));
      }
      // a finished session changes the statistics: that is the moment the list has a new row
      const next = JSON.stringify(state.statistics ?? null);
      if (visible && statistics !== null && next !== statistics) load();
      statistics = next;
    },
  };
}
