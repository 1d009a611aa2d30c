// The home battery page: how the battery and the cars share the sun (priority, buffer, buffer start), whether
// fast and planned charging may drain it, and the residual power the site keeps in reserve.
import { api, path } from '../api.js';
import { h, labelled, setAttr, setHidden, setOptions, setText, setValue, uid } from '../dom.js';
import { t } from '../i18n.js';
import { icon } from '../icons.js';
import { percent, power } from '../format.js';

const SOCS = Array.from({ length: 21 }, (_, index) => index * 5);
// [state key, REST path, caption when 0]
const THRESHOLDS = [
  ['prioritySoc', 'prioritysoc', 'battery.zero'],
  ['bufferSoc', 'buffersoc', 'battery.never'],
  ['bufferStartSoc', 'bufferstartsoc', 'battery.never'],
];

export function batteryPage() {
  const heading = h('h2', { id: 'battery-heading' }, t('battery.title'));
  const missing = h('p', { class: 'empty' }, t('battery.missing'));
  const socValue = h('span', { class: 'battery-soc' });
  const powerText = h('span', { class: 'battery-power' });
  const zones = {
    home: h('span', { class: 'zone zone-home' }),
    shared: h('span', { class: 'zone zone-shared' }),
    car: h('span', { class: 'zone zone-car' }),
  };
  const socMark = h('span', { class: 'zone-soc' });
  const startMark = h('span', { class: 'zone-start' });
  const bar = h('div', { class: 'zones', role: 'img' }, zones.home, zones.shared, zones.car, startMark, socMark);
  const legendItems = ['home', 'shared', 'car'].map((zone) => h('li', { class: `legend-${zone}` }, t(`battery.zone.${zone}`)));
  const legend = h('ul', { class: 'zone-legend' }, legendItems);
  const error = h('p', { class: 'form-error', role: 'alert' });
  const fields = THRESHOLDS.map(([key, where, zero]) => {
    const select = h('select', { id: uid(key) });
    const field = labelled(select, t(`battery.${key}`));
    const help = h('p', { class: 'field-hint', id: uid(`${key}-hint`) }, t(`battery.${key}Hint`));
    select.setAttribute('aria-describedby', help.id);
    field.el.append(help);
    return { key, where, zero, select, field, help };
  });
  const discharge = h('input', { id: uid('discharge'), type: 'checkbox', class: 'switch' });
  const dischargeLabel = h('label', { for: discharge.id }, t('battery.discharge'));
  const dischargeHelp = h('p', { class: 'field-hint', id: uid('discharge-hint') }, t('battery.dischargeHint'));
  discharge.setAttribute('aria-describedby', dischargeHelp.id);
  const residual = h('input', { id: uid('residual'), type: 'number', step: '50' });
  const residualField = labelled(residual, t('battery.residual'));
  const residualHelp = h('p', { class: 'field-hint', id: uid('residual-hint') }, t('battery.residualHint'));
  residual.setAttribute('aria-describedby', residualHelp.id);
  residualField.el.append(residualHelp);

  const batteryPart = h('div', { class: 'battery-part' },
    h('div', { class: 'battery-status' }, h('span', { class: 'tile-icon tile-battery' }, icon('battery')), socValue, powerText),
    bar, legend,
    h('div', { class: 'field-grid' }, fields.map((item) => item.field.el)),
    h('div', { class: 'switch-field' }, discharge, h('div', {}, dischargeLabel, dischargeHelp)),
  );
  // the error sits above the residual power, next to the settings that can contradict each other
  const el = h('section', { class: 'panel battery-page', 'aria-labelledby': 'battery-heading' },
    h('div', { class: 'panel-head' }, heading), missing, batteryPart, error,
    h('div', { class: 'field-grid' }, residualField.el));

  let state = {};

  async function save(where, value, restore) {
    setText(error, '');
    try {
      await api.post(path(where, value));
    } catch (problem) {
      setText(error, problem.message);
      restore();
    }
  }

  for (const { key, where, select } of fields) {
    select.addEventListener('change', () => save(where, select.value, () => { select.value = String(state[key] ?? 0); }));
  }
  discharge.addEventListener('change', () => save('batterydischargecontrol', String(discharge.checked),
    () => { discharge.checked = Boolean(state.batteryDischargeControl); }));
  residual.addEventListener('change', () => {
    if (residual.value === '') return;
    save('residualpower', residual.value, () => { residual.value = String(state.residualPower ?? 0); });
  });

  return {
    el,
    update(next) {
      state = next;
      const battery = state.battery;
      const present = Boolean(battery && (battery.capacity > 0 || battery.devices?.length));
      setHidden(missing, present);
      setHidden(batteryPart, !present);
      if (present) {
        const watts = battery.power ?? 0;
        setText(socValue, percent(battery.soc));
        setText(powerText, Math.abs(watts) < 10 ? t('flow.battery.idle')
          : `${power(watts)} · ${t(watts > 0 ? 'flow.battery.discharging' : 'flow.battery.charging')}`);
        const priority = state.prioritySoc ?? 0;
        const buffer = state.bufferSoc || 100;
        zones.home.style.width = `${priority}%`;
        zones.shared.style.width = `${Math.max(0, buffer - priority)}%`;
        zones.car.style.width = `${Math.max(0, 100 - buffer)}%`;
        socMark.style.left = `${Math.min(100, Math.max(0, battery.soc ?? 0))}%`;
        setHidden(startMark, !(state.bufferStartSoc > 0));
        startMark.style.left = `${state.bufferStartSoc ?? 0}%`;
        setAttr(bar, 'aria-label', t('battery.zonesText', { soc: percent(battery.soc), priority: percent(priority), buffer: percent(buffer) }));
        for (const { key, zero, select } of fields) {
          setOptions(select, SOCS.map((value) => [String(value), value === 0 ? t(zero) : percent(value)]));
          setValue(select, state[key] ?? 0);
        }
        if (document.activeElement !== discharge) discharge.checked = Boolean(state.batteryDischargeControl);
      }
      setValue(residual, state.residualPower ?? 0);
    },
  };
}
