// One loadpoint as a card: title and status, the charge mode, what the session did so far, the vehicle, the plan.
import { api, path } from '../api.js';
import { h, setAttr, setText } from '../dom.js';
import { t } from '../i18n.js';
import { icon } from '../icons.js';
import { duration, energy, number, power } from '../format.js';
import { attempt } from '../toast.js';
import { planPanel } from './plan.js';
import { settingsDialog } from './settings.js';
import { vehiclePanel } from './vehicle.js';

const MODES = ['off', 'pv', 'minpv', 'now'];

function status(lp) {
  if (!lp.connected) return 'disconnected';
  if (lp.charging) return 'charging';
  return 'connected';
}

/** The one thing worth knowing beyond the status: what the loadpoint waits for, or when it is done. */
function hint(lp) {
  if (lp.pvAction === 'enable' && lp.pvRemaining > 0) return t('hint.pvEnable', { time: duration(lp.pvRemaining) });
  if (lp.pvAction === 'disable' && lp.pvRemaining > 0) return t('hint.pvDisable', { time: duration(lp.pvRemaining) });
  if (lp.phaseAction === 'scale1p' && lp.phaseRemaining > 0) return t('hint.scale1p', { time: duration(lp.phaseRemaining) });
  if (lp.phaseAction === 'scale3p' && lp.phaseRemaining > 0) return t('hint.scale3p', { time: duration(lp.phaseRemaining) });
  if (!lp.connected) return '';
  if (lp.planActive) return t('hint.plan');
  if (lp.smartCostActive) return t('hint.smartCost');
  if (lp.minSocNotReached) return t('hint.minSoc');
  if (lp.charging && lp.chargeRemainingDuration > 0) return t('hint.remaining', { time: duration(lp.chargeRemainingDuration) });
  if (!lp.charging && lp.mode === 'off') return t('hint.off');
  if (!lp.charging && (lp.mode === 'pv' || lp.mode === 'minpv')) return t('hint.waitingForSun');
  return '';
}

function metric(key) {
  const value = h('dd', {});
  return { el: h('div', { class: `metric metric-${key}` }, h('dt', {}, t(`metric.${key}`)), value), value };
}

export function loadpointCard(index) {
  const lpNumber = index + 1;
  const titleId = `lp-${lpNumber}-title`;
  const title = h('h2', { id: titleId, class: 'lp-title' });
  const dot = h('span', { class: 'status-dot', 'aria-hidden': 'true' });
  const statusText = h('span', { class: 'status-text' });
  const hintText = h('span', { class: 'status-hint' });
  const settingsButton = h('button', { type: 'button', class: 'icon-button', 'aria-haspopup': 'dialog' }, icon('sliders'));
  const modeLabelId = `lp-${lpNumber}-mode`;
  const modeLabel = h('span', { id: modeLabelId, class: 'visually-hidden' }, t('mode.label'));
  const modeButtons = MODES.map((mode) =>
    h('button', { type: 'button', class: `mode mode-${mode}`, 'data-mode': mode, 'aria-pressed': 'false' }, t(`mode.${mode}`)));
  const modes = h('div', { class: 'segmented modes', role: 'group', 'aria-labelledby': modeLabelId }, modeButtons);
  const metrics = ['power', 'phases', 'energy', 'duration'].map(metric);
  const vehicle = vehiclePanel(lpNumber);
  const plan = planPanel(lpNumber);
  const settings = settingsDialog(lpNumber);
  const el = h('article', { class: 'card loadpoint', 'aria-labelledby': titleId, 'data-testid': `loadpoint-${lpNumber}` },
    h('header', { class: 'lp-head' },
      h('div', { class: 'lp-heading' }, title, h('p', { class: 'lp-status' }, dot, statusText, hintText)),
      settingsButton),
    modeLabel,
    modes,
    h('dl', { class: 'metrics' }, metrics.map((item) => item.el)),
    vehicle.el,
    plan.el,
    settings.el,
  );

  for (const button of modeButtons) {
    button.addEventListener('click', async () => {
      const mode = button.dataset.mode;
      const answer = await attempt(() => api.post(path('loadpoints', lpNumber, 'mode', mode)));
      if (answer !== undefined) el.dispatchEvent(new CustomEvent('patch', { bubbles: true, detail: [`loadpoints.${index}.mode`, answer] }));
    });
  }
  settingsButton.addEventListener('click', () => settings.open());

  return {
    el,
    update(state) {
      const lp = state.loadpoints?.[index];
      if (!lp) return;
      const name = lp.title || t('loadpoint.fallbackTitle', { number: lpNumber });
      setText(title, name);
      const current = status(lp);
      el.dataset.status = current;
      setText(statusText, t(`status.${current}`));
      const extra = hint(lp);
      setText(hintText, extra ? ` · ${extra}` : '');
      setAttr(settingsButton, 'aria-label', t('settings.open', { title: name }));
      setAttr(settingsButton, 'title', t('settings.open', { title: name }));

      for (const button of modeButtons) setAttr(button, 'aria-pressed', String(button.dataset.mode === lp.mode));

      const [powerMetric, phasesMetric, energyMetric, durationMetric] = metrics;
      setText(powerMetric.value, power(lp.chargePower));
      const amps = Math.max(0, ...(lp.chargeCurrents ?? [0]));
      setText(phasesMetric.value, lp.charging && amps > 0
        ? `${lp.phasesActive ?? 0} × ${number(amps)}\u00a0A`
        : String(lp.phasesActive ?? lp.phasesConfigured ?? '–'));
      setText(energyMetric.value, energy(lp.sessionEnergy ?? lp.chargedEnergy));
      setText(durationMetric.value, duration(lp.chargeDuration));

      vehicle.update(state, lp);
      plan.update(state, lp);
      settings.update(lp);
    },
  };
}
