// Numbers, powers, energies, prices, durations and times in the page's language.
import { locale } from './i18n.js';

const NBSP = '\u00a0';
const formats = new Map();

function formatter(kind, options) {
  const key = `${locale()}|${kind}|${JSON.stringify(options)}`;
  if (!formats.has(key)) {
    const Format = kind === 'number' ? Intl.NumberFormat : Intl.DateTimeFormat;
    formats.set(key, new Format(locale(), options));
  }
  return formats.get(key);
}

export function number(value, digits = 0) {
  return formatter('number', { minimumFractionDigits: digits, maximumFractionDigits: digits }).format(value ?? 0);
}

/** Watts below 1 kW, kilowatts with one decimal from there; the sign is shown by the caller as a direction. */
export function power(watts) {
  const magnitude = Math.abs(watts ?? 0);
  // 999.6 W would read "1000 W": switch units on the rounded value
  if (Math.round(magnitude) < 1000) return `${number(magnitude)}${NBSP}W`;
  return `${number(magnitude / 1000, 1)}${NBSP}kW`;
}

/** The same rule for energy: Wh below 1 kWh, kWh with one decimal from there. */
export function energy(wattHours) {
  const magnitude = Math.abs(wattHours ?? 0);
  if (Math.round(magnitude) < 1000) return `${number(magnitude)}${NBSP}Wh`;
  return `${number(magnitude / 1000, 1)}${NBSP}kWh`;
}

export function percent(value) {
  return formatter('number', { style: 'percent', maximumFractionDigits: 0 }).format((value ?? 0) / 100);
}

/** 45 min, 1:05 h; durations arrive in seconds. */
export function duration(seconds) {
  const minutes = Math.max(0, Math.round((seconds ?? 0) / 60));
  if (minutes < 60) return `${number(minutes)}${NBSP}min`;
  const hours = Math.floor(minutes / 60);
  return `${hours}:${String(minutes % 60).padStart(2, '0')}${NBSP}h`;
}

/** A price per kWh: cents for euro and franc (as their tariffs are quoted), else the currency itself. */
export function price(value, currency = 'EUR') {
  if (currency === 'EUR' || currency === 'CHF') {
    const unit = currency === 'EUR' ? 'ct' : 'Rp.';
    return `${number(value * 100, 1)}${NBSP}${unit}`;
  }
  return formatter('number', { style: 'currency', currency, minimumFractionDigits: 3 }).format(value);
}

export function money(value, currency = 'EUR') {
  return formatter('number', { style: 'currency', currency }).format(value ?? 0);
}

export function co2(value) {
  return `${number(value)}${NBSP}g`;
}

export function time(date) {
  return formatter('date', { hour: '2-digit', minute: '2-digit' }).format(date);
}

export function dayTime(date) {
  return formatter('date', { weekday: 'short', hour: '2-digit', minute: '2-digit' }).format(date);
}

export function shortDate(date) {
  return formatter('date', { day: '2-digit', month: '2-digit' }).format(date);
}

export function monthYear(date) {
  return formatter('date', { month: 'long', year: 'numeric' }).format(date);
}

/** The value of an <input type="datetime-local"> for a date, in the browser's time zone. */
export function localInput(date) {
  const pad = (value) => String(value).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}
