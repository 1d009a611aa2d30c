// The vehicle part of a loadpoint: which car, its soc against the limit and the minimum, or, for a car that
// reports no soc, the energy limit of the session.
import { api, path } from '../api.js';
import { h, labelled, setAttr, setHidden, setOptions, setText, setValue, uid } from '../dom.js';
import { t } from '../i18n.js';
import { icon } from '../icons.js';
import { energy, number, percent } from '../format.js';
import { attempt } from '../toast.js';

const LIMITS = [20, 30, 40, 50, 55, 60, 65, 70, 75, 80, 85, 90, 95, 100];
const MINIMUMS = [0, 5, 10, 15, 20, 25, 30, 35, 40, 50];
const ENERGIES = [0, 2, 5, 10, 15, 20, 25, 30, 40, 50, 60, 75, 100];

/** Plans and limits count in soc when the vehicle has a capacity (as the server decides it, roughly). */
export function socBased(state, lp) {
  const vehicle = state.vehicles?.[lp.vehicleName];
  if (!vehicle || !(vehicle.capacity > 0)) return false;
  const offline = (vehicle.features ?? []).some((feature) => String(feature).toLowerCase() === 'offline');
  return !offline || (lp.vehicleSoc ?? 0) > 0;
}

export function vehiclePanel(lpNumber) {
  const lpPath = (...parts) => path('loadpoints', lpNumber, ...parts);
  const vehicleSelect = h('select', { id: uid('vehicle'), class: 'vehicle-select' });
  const vehicleLabel = h('label', { for: vehicleSelect.id, class: 'visually-hidden' }, t('vehicle.label'));
  const range = h('span', { class: 'vehicle-range' });
  const socValue = h('span', { class: 'soc-value' });
  const socCaption = h('span', { class: 'soc-caption' });
  const minZone = h('span', { class: 'socbar-min' });
  const fill = h('span', { class: 'socbar-fill' });
  const limitMark = h('span', { class: 'socbar-limit' });
  const meter = h('div', { class: 'socbar', role: 'meter', 'aria-label': t('vehicle.socLabel'), 'aria-valuemin': '0', 'aria-valuemax': '100' },
    minZone, fill, limitMark);
  const limitSelect = h('select', { id: uid('limit') });
  const minSelect = h('select', { id: uid('min') });
  const energySelect = h('select', { id: uid('energy') });
  const limitField = labelled(limitSelect, t('vehicle.limit'));
  const minField = labelled(minSelect, t('vehicle.min'));
  const energyField = labelled(energySelect, t('vehicle.energyLimit'));
  const socPart = h('div', { class: 'soc-part' },
    h('div', { class: 'soc-line' }, h('span', {}, socValue, ' ', socCaption), range),
    meter,
    h('div', { class: 'field-row' }, limitField.el, minField.el),
  );
  const energyProgress = h('p', { class: 'energy-progress' });
  const energyPart = h('div', { class: 'energy-part' }, energyProgress, h('div', { class: 'field-row' }, energyField.el));
  const el = h('section', { class: 'vehicle' },
    h('div', { class: 'vehicle-head' }, h('span', { class: 'vehicle-icon' }, icon('car')), vehicleLabel, vehicleSelect),
    socPart,
    energyPart,
  );

  let current = { state: {}, lp: {} };

  vehicleSelect.addEventListener('change', () => {
    const name = vehicleSelect.value;
    attempt(() => (name ? api.post(lpPath('vehicle', name)) : api.delete(lpPath('vehicle'))));
  });
  limitSelect.addEventListener('change', () => {
    attempt(() => api.post(lpPath('limitsoc', limitSelect.value)));
  });
  minSelect.addEventListener('change', () => {
    const name = current.lp.vehicleName;
    // a known vehicle keeps its minimum across sessions and loadpoints; a guest's belongs to the loadpoint
    attempt(() => api.post(name ? path('vehicles', name, 'minsoc', minSelect.value) : lpPath('minsoc', minSelect.value)));
  });
  energySelect.addEventListener('change', () => {
    attempt(() => api.post(lpPath('limitenergy', energySelect.value)));
  });

  return {
    el,
    update(state, lp) {
      current = { state, lp };
      const vehicles = Object.entries(state.vehicles ?? {}).map(([name, vehicle]) => [name, vehicle.title || name]);
      setOptions(vehicleSelect, [...vehicles, ['', t('vehicle.guest')]]);
      setValue(vehicleSelect, lp.vehicleName ?? '');
      setText(range, lp.vehicleRange > 0 ? t('vehicle.range', { km: number(lp.vehicleRange) }) : '');

      const bySoc = socBased(state, lp);
      setHidden(socPart, !bySoc);
      setHidden(energyPart, bySoc);
      if (bySoc) {
        const soc = Math.min(100, Math.max(0, lp.vehicleSoc ?? 0));
        const limit = lp.effectiveLimitSoc > 0 ? lp.effectiveLimitSoc : 100;
        const minimum = lp.effectiveMinSoc ?? 0;
        // a car that is away reports nothing: 0 % would be a claim, a dash is not
        const known = lp.connected || soc > 0;
        setText(socValue, known ? percent(soc) : '–');
        setText(socCaption, known ? t('vehicle.soc') : t('vehicle.away'));
        fill.style.width = `${soc}%`;
        minZone.style.width = `${minimum}%`;
        limitMark.style.left = `${limit}%`;
        setHidden(limitMark, limit >= 100);
        setAttr(meter, 'aria-valuenow', Math.round(soc));
        setAttr(meter, 'aria-valuetext', t('vehicle.socText', { soc: percent(soc), limit: percent(limit) }));
        setOptions(limitSelect, [...new Set([...LIMITS, limit])].sort((a, b) => a - b).map((v) => [String(v), percent(v)]));
        setValue(limitSelect, limit);
        setOptions(minSelect, [...new Set([...MINIMUMS, minimum])].sort((a, b) => a - b)
          .map((v) => [String(v), v === 0 ? t('common.off') : percent(v)]));
        setValue(minSelect, minimum);
      } else {
        const limit = lp.limitEnergy ?? 0;
        setOptions(energySelect, [...new Set([...ENERGIES, limit])].sort((a, b) => a - b)
          .map((v) => [String(v), v === 0 ? t('common.none') : energy(v * 1000)]));
        setValue(energySelect, limit);
        setText(energyProgress, limit > 0
          ? t('vehicle.energyOf', { charged: energy(lp.sessionEnergy), limit: energy(limit * 1000) })
          : t('vehicle.noSoc'));
      }
    },
  };
}
