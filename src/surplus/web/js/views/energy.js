// The energy flow: where the power comes from (sun, battery, grid) and where it goes (home, each loadpoint,
// battery, grid), as two proportional bars and a tile per device with its value and direction.
import { h, setAttr, setHidden, setText } from '../dom.js';
import { t } from '../i18n.js';
import { icon } from '../icons.js';
import { percent, power } from '../format.js';

// below this a meter is at rest: a few watts of noise should not read as "exporting"
const IDLE_W = 10;

function tile(kind, iconName, text = '') {
  const label = h('span', { class: 'tile-label' }, text);
  const value = h('span', { class: 'tile-value' });
  const detail = h('span', { class: 'tile-detail' });
  const el = h('li', { class: `tile tile-${kind}`, 'data-testid': `tile-${kind}` },
    h('span', { class: 'tile-icon' }, icon(iconName)),
    h('span', { class: 'tile-text' }, label, value, detail),
  );
  return { el, label, value, detail };
}

function segment(kind) {
  const text = h('span', { class: 'segment-text' });
  const el = h('span', { class: `segment segment-${kind}` }, text);
  return { el, text };
}

function flows(state) {
  const pv = Math.max(0, state.pvPower ?? 0);
  const grid = state.grid?.power ?? 0;
  const battery = state.battery?.power ?? 0;
  const loadpoints = (state.loadpoints ?? []).map((lp) => Math.max(0, lp.chargePower ?? 0));
  return {
    sources: [
      ['pv', pv],
      ['battery', Math.max(0, battery)],
      ['grid', Math.max(0, grid)],
    ],
    uses: [
      ['home', Math.max(0, state.homePower ?? 0)],
      ...loadpoints.map((watts, index) => [`lp${index}`, watts]),
      ['battery', Math.max(0, -battery)],
      ['export', Math.max(0, -grid)],
    ],
  };
}

function bar(kind, labelKey, names) {
  const label = h('span', { class: 'flow-label' }, t(labelKey));
  const track = h('span', { class: 'flow-track' });
  const segments = new Map();
  const el = h('div', { class: `flow flow-${kind}` }, label, track);
  return {
    el,
    update(parts, scale) {
      for (const [name, watts] of parts) {
        if (!segments.has(name)) {
          const created = segment(name.startsWith('lp') ? 'loadpoint' : name);
          segments.set(name, created);
          track.append(created.el);
        }
        const { el: part, text } = segments.get(name);
        const share = scale > 0 ? watts / scale : 0;
        setAttr(part, 'title', `${names(name)}: ${power(watts)}`);
        part.style.flexGrow = String(share);
        setHidden(part, watts < IDLE_W);
        // the text only fits a segment that is wide enough; the tiles below carry every value anyway
        setText(text, share > 0.16 ? power(watts) : '');
      }
    },
  };
}

export function energyFlow() {
  const heading = h('h2', { id: 'energy-heading' }, t('flow.title'));
  const total = h('p', { class: 'panel-note' });
  let loadpointTitles = [];
  // a segment's tooltip names its device; the tiles below say the same for everyone else
  const names = (key) => (key.startsWith('lp') ? loadpointTitles[Number(key.slice(2))] ?? '' : t(`segment.${key}`));
  const sources = bar('in', 'flow.sources', names);
  const uses = bar('out', 'flow.uses', names);
  const tiles = {
    pv: tile('pv', 'sun', t('device.pv')),
    grid: tile('grid', 'grid', t('device.grid')),
    battery: tile('battery', 'battery', t('device.battery')),
    home: tile('home', 'home', t('device.home')),
  };
  tiles.home.detail.textContent = t('flow.consuming');
  const socFill = h('span', { class: 'mini-soc-fill' });
  tiles.battery.el.querySelector('.tile-text').append(h('span', { class: 'mini-soc', 'aria-hidden': 'true' }, socFill));
  const list = h('ul', { class: 'tiles' }, Object.values(tiles).map((item) => item.el));
  const loadpointTiles = [];
  const el = h(
    'section',
    { class: 'panel energy', 'aria-labelledby': 'energy-heading' },
    h('div', { class: 'panel-head' }, heading, total),
    h('div', { class: 'flows', 'aria-hidden': 'true' }, sources.el, uses.el),
    list,
  );

  function updateLoadpoints(state) {
    const loadpoints = state.loadpoints ?? [];
    while (loadpointTiles.length < loadpoints.length) {
      const created = tile('loadpoint', 'car');
      loadpointTiles.push(created);
      list.append(created.el);
    }
    loadpointTiles.forEach((item, index) => {
      const lp = loadpoints[index];
      setHidden(item.el, !lp);
      if (!lp) return;
      setText(item.label, lp.title || t('loadpoint.fallbackTitle', { number: index + 1 }));
      setText(item.value, power(lp.chargePower));
      const status = lp.charging ? 'charging' : lp.connected ? 'connected' : 'disconnected';
      setText(item.detail, t(`status.${status}`));
      item.el.dataset.state = status;
    });
  }

  return {
    el,
    update(state) {
      loadpointTitles = (state.loadpoints ?? []).map((lp) => lp.title ?? '');
      const { sources: into, uses: out } = flows(state);
      const sum = (parts) => parts.reduce((acc, [, watts]) => acc + watts, 0);
      const scale = Math.max(sum(into), sum(out));
      sources.update(into, scale);
      uses.update(out, scale);
      const consumption = sum(out.filter(([key]) => key === 'home' || key.startsWith('lp')));
      setText(total, t('flow.total', { power: power(consumption) }));

      setText(tiles.pv.value, power(state.pvPower));
      setText(tiles.pv.detail, (state.pvPower ?? 0) >= IDLE_W ? t('flow.producing') : t('flow.idle'));

      const grid = state.grid?.power ?? 0;
      setText(tiles.grid.value, power(grid));
      const gridState = grid >= IDLE_W ? 'import' : grid <= -IDLE_W ? 'export' : 'idle';
      setText(tiles.grid.detail, t(`flow.grid.${gridState}`));
      tiles.grid.el.dataset.state = gridState;

      const battery = state.battery;
      const hasBattery = Boolean(battery && (battery.capacity > 0 || battery.devices?.length));
      setHidden(tiles.battery.el, !hasBattery);
      if (hasBattery) {
        const watts = battery.power ?? 0;
        const batteryState = watts >= IDLE_W ? 'discharging' : watts <= -IDLE_W ? 'charging' : 'idle';
        setText(tiles.battery.value, power(watts));
        setText(tiles.battery.detail, `${percent(battery.soc)} · ${t(`flow.battery.${batteryState}`)}`);
        socFill.style.width = `${Math.min(100, Math.max(0, battery.soc ?? 0))}%`;
      }

      setText(tiles.home.value, power(state.homePower));
      updateLoadpoints(state);
    },
  };
}
