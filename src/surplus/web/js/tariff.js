// The rates plans are made with, from the state's forecast (planner, else grid), and how to print them.
import { co2, price } from './format.js';

export function plannerRates(state) {
  const series = state.forecast?.planner ?? state.forecast?.grid ?? [];
  return series.map(([start, end, value]) => ({ start: new Date(start * 1000), end: new Date(end * 1000), value }));
}

export function isCo2(state) {
  return state.smartCostType === 'co2';
}

/** value → "26,1 ct" or "310 g"; the unit per kWh is implied by the chart and the labels. */
export function rateFormat(state) {
  return isCo2(state) ? (value) => co2(value) : (value) => price(value, state.currency ?? 'EUR');
}

/** The choices for a smart cost limit: whole cents (or 10 g steps) across the known rates, at most ~40. */
export function limitChoices(state, current) {
  const values = plannerRates(state).map((rate) => rate.value);
  const co2Based = isCo2(state);
  const unit = co2Based ? 10 : 0.01;
  const choices = new Set();
  if (values.length) {
    const low = Math.floor(Math.min(...values) / unit);
    const high = Math.ceil(Math.max(...values) / unit);
    const step = Math.max(1, Math.ceil((high - low) / 40));
    for (let index = low; index <= high; index += step) choices.add(Number((index * unit).toFixed(co2Based ? 0 : 2)));
  }
  if (current !== null && current !== undefined) choices.add(current);
  return [...choices].sort((a, b) => a - b);
}
