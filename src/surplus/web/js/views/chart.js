// A price (or CO₂) chart: one bar per tariff slot, the planned charging slots highlighted, and the smart cost
// limit as a line. Bars are SVG stretched to the width; the labels are HTML so text is never distorted.
import { h, s, setAttr, setText } from '../dom.js';
import { t } from '../i18n.js';
import { time } from '../format.js';

const HOUR_MS = 3600 * 1000;
const MAX_LABELS = 6;

/** Consecutive planned slots joined into windows: [{start, end}] */
function windows(slots) {
  const merged = [];
  for (const slot of [...slots].sort((a, b) => a.start - b.start)) {
    const last = merged[merged.length - 1];
    if (last && slot.start <= last.end) last.end = new Date(Math.max(last.end, slot.end));
    else merged.push({ start: slot.start, end: slot.end });
  }
  return merged;
}

function overlaps(rate, slots) {
  return slots.some((slot) => slot.start < rate.end && slot.end > rate.start);
}

export function priceChart() {
  const svg = s('svg', { class: 'chart-bars', preserveAspectRatio: 'none', 'aria-hidden': 'true' });
  const limitLine = h('span', { class: 'chart-limit', hidden: true });
  const top = h('span', { class: 'chart-y chart-y-top' });
  const bottom = h('span', { class: 'chart-y chart-y-bottom' });
  const axis = h('div', { class: 'chart-axis', 'aria-hidden': 'true' });
  const legend = h('p', { class: 'chart-legend' });
  const area = h('div', { class: 'chart-area' }, svg, limitLine, bottom);
  const plot = h('div', { class: 'chart-plot' }, top, area);
  const el = h('figure', { class: 'chart', role: 'img' }, plot, axis, legend);
  let drawn = null;

  return {
    el,
    /**
     * rates: [{start: Date, end: Date, value}], slots: planned [{start, end}], limit: number|null,
     * format: value → text (a price or CO₂ figure).
     */
    draw({ rates, slots = [], limit = null, format }) {
      // the state changes every few seconds, the rates and the plan rarely: redraw only what changed
      const signature = JSON.stringify([rates.map((rate) => [+rate.start, rate.value]), slots.map((slot) => [+slot.start, +slot.end]), limit]);
      if (signature === drawn) return;
      drawn = signature;
      if (!rates.length) {
        svg.replaceChildren();
        axis.replaceChildren();
        setText(legend, t('chart.noRates'));
        setAttr(el, 'aria-label', t('chart.noRates'));
        return;
      }
      const values = rates.map((rate) => rate.value);
      const low = Math.min(0, ...values, limit ?? 0);
      const high = Math.max(...values, limit ?? -Infinity);
      const span = high - low || 1;
      const height = 100;
      const y = (value) => height - ((value - low) / span) * height;
      svg.setAttribute('viewBox', `0 0 ${rates.length} ${height}`);
      svg.replaceChildren(
        ...rates.map((rate, index) => {
          const planned = overlaps(rate, slots);
          const cheap = limit !== null && rate.value <= limit;
          const top = Math.min(y(rate.value), y(0));
          return s('rect', {
            x: index + 0.12,
            y: top,
            width: 0.76,
            height: Math.max(0.8, Math.abs(y(rate.value) - y(0))),
            class: planned ? 'bar planned' : cheap ? 'bar cheap' : 'bar',
          });
        }),
      );
      limitLine.hidden = limit === null;
      if (limit !== null) {
        limitLine.style.top = `${y(limit)}%`;
        setText(limitLine, format(limit));
      }
      setText(top, format(high));
      // zero is the baseline anyway; a lowest value is worth a label only when prices go negative
      setText(bottom, low < 0 ? format(low) : '');
      bottom.hidden = low >= 0;

      // at most six hour labels, so they fit a phone's width; the ones at the edges are kept inside the chart
      const first = rates[0].start.getTime();
      const last = rates[rates.length - 1].end.getTime();
      const hours = (last - first) / HOUR_MS;
      const every = [1, 2, 3, 4, 6, 12, 24].find((step) => hours / step <= MAX_LABELS) ?? 24;
      const labels = [];
      for (let at = Math.ceil(first / HOUR_MS) * HOUR_MS; at < last; at += HOUR_MS) {
        const date = new Date(at);
        if (date.getHours() % every !== 0) continue;
        const share = (at - first) / (last - first);
        const label = h('span', { class: share < 0.06 ? 'start' : share > 0.94 ? 'end' : '' }, time(date));
        label.style.left = `${share * 100}%`;
        labels.push(label);
      }
      axis.replaceChildren(...labels);

      const planned = windows(slots).map((slot) => `${time(slot.start)}–${time(slot.end)}`);
      const summary = planned.length
        ? t('chart.planned', { windows: planned.join(', ') })
        : t('chart.range', { low: format(Math.min(...values)), high: format(Math.max(...values)) });
      setText(legend, summary);
      setAttr(
        el,
        'aria-label',
        `${t('chart.label', { from: time(new Date(first)), to: time(new Date(last)) })}. ${summary}`,
      );
    },
  };
}
