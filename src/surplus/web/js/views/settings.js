// The settings of one loadpoint, in a dialog: currents, phases, priority, and when PV charging starts and
// stops. Every field is saved when it changes; the server's answer (or its error) is shown at once.
import { api, path } from '../api.js';
import { h, labelled, setOptions, setText, setValue, uid } from '../dom.js';
import { t } from '../i18n.js';
import { icon } from '../icons.js';

// a phone's digits-only keyboard has no minus sign: only fields that cannot be negative ask for it
const COUNT = { inputmode: 'numeric', min: '0' };
// [state key, REST path, input attributes]; the state has delays in seconds, which the setters take too
const NUMBERS = [
  ['minCurrent', 'mincurrent', { ...COUNT, min: '1', max: '64', step: '1' }],
  ['maxCurrent', 'maxcurrent', { ...COUNT, min: '1', max: '64', step: '1' }],
  ['priority', 'priority', { ...COUNT, max: '10', step: '1' }],
  ['enableThreshold', 'enable/threshold', { step: '100' }],
  ['enableDelay', 'enable/delay', { ...COUNT, step: '10' }],
  ['disableThreshold', 'disable/threshold', { step: '100' }],
  ['disableDelay', 'disable/delay', { ...COUNT, step: '10' }],
];

export function settingsDialog(lpNumber) {
  const heading = h('h2', { id: uid('settings-title') });
  const close = h('button', { type: 'button', class: 'icon-button', 'aria-label': t('common.close') }, icon('close'));
  const error = h('p', { class: 'form-error', role: 'alert' });
  const phases = h('select', { id: uid('phases') });
  const phasesField = labelled(phases, t('settings.phases'));
  const inputs = NUMBERS.map(([key, where, attributes]) => {
    const input = h('input', { id: uid(key), type: 'number', ...attributes });
    return { key, where, input, field: labelled(input, t(`settings.${key}`)) };
  });
  const pvHint = h('p', { class: 'field-hint' }, t('settings.pvHint'));
  const group = (titleKey, items) =>
    h('fieldset', { class: 'settings-group' }, h('legend', {}, t(titleKey)), h('div', { class: 'field-grid' }, items));
  const byKey = Object.fromEntries(inputs.map((item) => [item.key, item.field.el]));
  const body = h('div', { class: 'dialog-body' },
    h('div', { class: 'dialog-head' }, heading, close),
    group('settings.charging', [phasesField.el, byKey.minCurrent, byKey.maxCurrent, byKey.priority]),
    group('settings.pv', [byKey.enableThreshold, byKey.enableDelay, byKey.disableThreshold, byKey.disableDelay]),
    pvHint,
    error,
  );
  const dialog = h('dialog', { class: 'dialog', 'aria-labelledby': heading.id }, body);
  let current = {};

  async function save(where, value, key) {
    setText(error, '');
    try {
      await api.post(path('loadpoints', lpNumber, ...where.split('/'), value));
    } catch (problem) {
      setText(error, problem.message);
      // back to what the loadpoint really has
      const input = inputs.find((item) => item.key === key)?.input ?? phases;
      input.value = String(key === 'phases' ? current.phasesConfigured : current[key]);
    }
  }

  for (const { key, where, input } of inputs) {
    input.addEventListener('change', () => {
      if (input.value === '' || !input.checkValidity()) {
        setText(error, t('settings.invalid'));
        return;
      }
      save(where, input.value, key);
    });
  }
  phases.addEventListener('change', () => save('phases', phases.value, 'phases'));
  close.addEventListener('click', () => dialog.close());

  return {
    el: dialog,
    open() {
      setText(error, '');
      dialog.showModal();
    },
    update(lp) {
      current = lp;
      setText(heading, t('settings.title', { title: lp.title ?? '' }));
      const choices = [['1', t('settings.phases1')], ['3', t('settings.phases3')]];
      if (lp.chargerPhases1p3p) choices.unshift(['0', t('settings.phasesAuto')]);
      setOptions(phases, choices);
      setValue(phases, lp.phasesConfigured ?? 3);
      for (const { key, input } of inputs) setValue(input, lp[key] ?? '');
    },
  };
}
