// The charging plan of a loadpoint: a summary with the planned slots on the price chart, the smart cost limit,
// and a dialog to set a target (soc or energy) and a time, previewed before it is saved.
import { api, path } from '../api.js';
import { h, labelled, setHidden, setOptions, setText, setValue, uid } from '../dom.js';
import { t } from '../i18n.js';
import { icon } from '../icons.js';
import { dayTime, duration, energy, localInput, percent, time } from '../format.js';
import { isCo2, limitChoices, plannerRates, rateFormat } from '../tariff.js';
import { attempt } from '../toast.js';
import { priceChart } from './chart.js';
import { socBased } from './vehicle.js';

const TARGETS = [20, 30, 40, 50, 60, 70, 75, 80, 85, 90, 95, 100];
const MINUTE_MS = 60 * 1000;
// the chart shows at least this much of the future, and the hour after a plan's end
const CHART_HOURS = 24;
const PREVIEW_DELAY_MS = 250;

const asSlots = (plan) => (plan ?? []).map((slot) => ({ start: new Date(slot.start), end: new Date(slot.end) }));

function chartRates(state, until) {
  const rates = plannerRates(state);
  if (!rates.length) return rates;
  const end = Math.max(rates[0].start.getTime() + CHART_HOURS * 60 * MINUTE_MS, (until?.getTime() ?? 0) + 60 * MINUTE_MS);
  return rates.filter((rate) => rate.start.getTime() < end);
}

/**
 * The next 07:00 at least an hour away: a sensible first guess for "ready by". The rates begin at the server's
 * present, which is ahead of this clock when the server's clock is (the demo runs faster than time).
 */
function defaultTime(state) {
  const serverNow = plannerRates(state)[0]?.start.getTime() ?? 0;
  const date = new Date(Math.max(Date.now(), serverNow) + 60 * MINUTE_MS);
  const target = new Date(date);
  target.setHours(7, 0, 0, 0);
  if (target <= date) target.setDate(target.getDate() + 1);
  return target;
}

function iso(date) {
  return date.toISOString().replace('.000Z', 'Z');
}

function planDialog(lpNumber, getContext) {
  const heading = h('h2', { id: uid('plan-title') });
  const socSelect = h('select', { id: uid('plan-soc'), name: 'soc' });
  const energyInput = h('input', { id: uid('plan-energy'), name: 'energy', type: 'number', min: '1', max: '200', step: '1', inputmode: 'numeric' });
  const timeInput = h('input', { id: uid('plan-time'), name: 'time', type: 'datetime-local', required: true });
  const socField = labelled(socSelect, t('plan.targetSoc'));
  const energyField = labelled(energyInput, t('plan.targetEnergy'));
  const timeField = labelled(timeInput, t('plan.time'));
  const chart = priceChart();
  const summary = h('p', { class: 'plan-preview' });
  const error = h('p', { class: 'form-error', role: 'alert' });
  const close = h('button', { type: 'button', class: 'icon-button', 'aria-label': t('common.close') }, icon('close'));
  const remove = h('button', { type: 'button', class: 'button ghost danger' }, t('plan.remove'));
  const cancel = h('button', { type: 'button', class: 'button ghost' }, t('common.cancel'));
  const save = h('button', { type: 'submit', class: 'button primary' }, t('plan.save'));
  const form = h('form', { class: 'dialog-body', novalidate: true },
    h('div', { class: 'dialog-head' }, heading, close),
    h('div', { class: 'field-row' }, socField.el, energyField.el, timeField.el),
    chart.el, summary, error,
    h('div', { class: 'dialog-actions' }, remove, h('span', { class: 'spacer' }), cancel, save),
  );
  const dialog = h('dialog', { class: 'dialog', 'aria-labelledby': heading.id }, form);
  let previewTimer = null;
  let previewNumber = 0;
  let bySoc = true;

  const target = () => (bySoc ? Number(socSelect.value) : Number(energyInput.value));
  const chosenTime = () => (timeInput.value ? new Date(timeInput.value) : null);

  async function preview() {
    const { state } = getContext();
    const when = chosenTime();
    setText(error, '');
    if (!when || !(target() > 0)) return;
    // answers can overtake each other: only the one for the latest input is shown
    previewNumber += 1;
    const number = previewNumber;
    try {
      const kind = bySoc ? 'soc' : 'energy';
      const result = await api.get(path('loadpoints', lpNumber, 'plan', 'static', 'preview', kind, target(), iso(when)));
      if (number !== previewNumber) return;
      const slots = asSlots(result.plan);
      chart.draw({ rates: chartRates(state, when), slots, format: rateFormat(state) });
      const start = slots.length ? slots[0].start : null;
      setText(summary, start
        ? t('plan.previewText', { duration: duration(result.duration), start: dayTime(start) })
        : t('plan.previewNone', { duration: duration(result.duration) }));
    } catch (problem) {
      if (number !== previewNumber) return;
      setText(summary, '');
      setText(error, problem.message);
    }
  }

  const schedulePreview = () => {
    clearTimeout(previewTimer);
    // typing 1… 10… 100 in the energy field should cost one request, not three
    previewTimer = setTimeout(preview, PREVIEW_DELAY_MS);
  };
  for (const control of [socSelect, energyInput, timeInput]) control.addEventListener('input', schedulePreview);

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const { lp } = getContext();
    const when = chosenTime();
    if (!when || !(target() > 0)) {
      setText(error, t('plan.incomplete'));
      return;
    }
    try {
      if (bySoc) await api.post(path('vehicles', lp.vehicleName, 'plan', 'soc', target(), iso(when)));
      else await api.post(path('loadpoints', lpNumber, 'plan', 'energy', target(), iso(when)));
      dialog.close('saved');
    } catch (problem) {
      setText(error, problem.message);
    }
  });
  remove.addEventListener('click', async () => {
    const { lp } = getContext();
    const removed = await attempt(() => (bySoc
      ? api.delete(path('vehicles', lp.vehicleName, 'plan', 'soc'))
      : api.delete(path('loadpoints', lpNumber, 'plan', 'energy'))));
    if (removed !== undefined) dialog.close('removed');
  });
  cancel.addEventListener('click', () => dialog.close('cancel'));
  close.addEventListener('click', () => dialog.close('cancel'));

  return {
    el: dialog,
    open() {
      const { state, lp } = getContext();
      bySoc = socBased(state, lp);
      setText(heading, t('plan.dialogTitle', { title: lp.title ?? '' }));
      setHidden(socField.el, !bySoc);
      setHidden(energyField.el, bySoc);
      const planned = lp.effectivePlanTime ? new Date(lp.effectivePlanTime) : null;
      setHidden(remove, !planned);
      setOptions(socSelect, TARGETS.map((value) => [String(value), percent(value)]));
      socSelect.value = String(planned && lp.effectivePlanSoc > 0 ? lp.effectivePlanSoc : 80);
      energyInput.value = String(planned && lp.planEnergy > 0 ? lp.planEnergy : 10);
      timeInput.value = localInput(planned ?? defaultTime(state));
      setText(error, '');
      setText(summary, '');
      // closing with Escape keeps the previous return value: start from a clean one
      dialog.returnValue = '';
      dialog.showModal();
      preview();
    },
  };
}

export function planPanel(lpNumber) {
  const heading = h('h3', {}, t('plan.title'));
  const edit = h('button', { type: 'button', class: 'button small', 'aria-haspopup': 'dialog', 'data-testid': 'plan-edit' });
  const summary = h('p', { class: 'plan-summary', 'data-testid': 'plan-summary' });
  const chart = priceChart();
  const limitSelect = h('select', { id: uid('smartcost') });
  const limitField = labelled(limitSelect, '', 'inline');
  const limitHint = h('p', { class: 'field-hint' });
  const smart = h('div', { class: 'smart-cost' }, limitField.el, limitHint);
  let context = { state: {}, lp: {} };
  const dialog = planDialog(lpNumber, () => context);
  const el = h('section', { class: 'plan' },
    h('div', { class: 'section-row' }, h('span', { class: 'section-icon' }, icon('clock')), heading, edit),
    summary, chart.el, smart, dialog.el);

  let planKey = null;
  let slots = [];

  async function fetchPlan() {
    const plan = await attempt(() => api.get(path('loadpoints', lpNumber, 'plan')));
    if (plan) slots = asSlots(plan.plan);
    draw();
  }

  function draw() {
    const { state, lp } = context;
    const planned = lp.effectivePlanTime ? new Date(lp.effectivePlanTime) : null;
    const limit = lp.smartCostLimit ?? null;
    const show = Boolean(planned) || limit !== null;
    setHidden(chart.el, !show);
    if (show) chart.draw({ rates: chartRates(state, planned), slots: planned ? slots : [], limit, format: rateFormat(state) });
  }

  edit.addEventListener('click', () => dialog.open());
  dialog.el.addEventListener('close', () => {
    // the state will say the same a moment later; asking now shows the new slots without waiting for it
    if (['saved', 'removed'].includes(dialog.el.returnValue)) fetchPlan();
  });
  limitSelect.addEventListener('change', () => {
    const value = limitSelect.value;
    attempt(() => (value === ''
      ? api.delete(path('loadpoints', lpNumber, 'smartcostlimit'))
      : api.post(path('loadpoints', lpNumber, 'smartcostlimit', value))));
  });

  return {
    el,
    update(state, lp) {
      context = { state, lp };
      const planned = lp.effectivePlanTime ? new Date(lp.effectivePlanTime) : null;
      setText(edit, planned ? t('plan.change') : t('plan.set'));
      if (planned) {
        const goal = lp.effectivePlanSoc > 0 ? percent(lp.effectivePlanSoc) : energy((lp.planEnergy ?? 0) * 1000);
        const parts = [t('plan.summary', { goal, time: dayTime(planned) })];
        if (lp.planActive) parts.push(t('plan.active'));
        else if (lp.planProjectedStart) parts.push(t('plan.starts', { time: time(new Date(lp.planProjectedStart)) }));
        if (lp.planOverrun > 0) parts.push(t('plan.overrun', { duration: duration(lp.planOverrun) }));
        setText(summary, parts.join(' · '));
      } else {
        setText(summary, t('plan.none'));
      }
      summary.classList.toggle('muted', !planned);

      // the slots move as time passes and the target changes: ask again whenever the plan's inputs change
      const key = [lp.effectivePlanId, lp.effectivePlanTime, lp.effectivePlanSoc, lp.planEnergy, lp.planActive,
        lp.vehicleName, state.forecast?.planner?.[0]?.[0]].join('|');
      if (key !== planKey) {
        planKey = key;
        if (planned) fetchPlan();
        else slots = [];
      }
      draw();

      setHidden(smart, !state.smartCostAvailable);
      if (state.smartCostAvailable) {
        const limit = lp.smartCostLimit ?? null;
        const format = rateFormat(state);
        setText(limitField.label, isCo2(state) ? t('smartCost.labelCo2') : t('smartCost.label'));
        setOptions(limitSelect, [['', t('common.off')], ...limitChoices(state, limit).map((v) => [String(v), format(v)])]);
        setValue(limitSelect, limit === null ? '' : String(limit));
        setText(limitHint, limit === null ? t('smartCost.hint')
          : lp.smartCostActive ? t('smartCost.active') : t('smartCost.waiting'));
      }
    },
  };
}
