// Line icons on a 24 px grid, drawn as SVG elements. They are decorative: the text next to them says the same.
import { s } from './dom.js';

const PATHS = {
  sun: ['M12 3v2M12 19v2M3 12h2M19 12h2M5.6 5.6l1.4 1.4M17 17l1.4 1.4M5.6 18.4L7 17M17 7l1.4-1.4'],
  grid: ['M8 21L12 3l4 18', 'M6.5 7h11', 'M5 11.5h14', 'M9.6 14h4.8', 'M8.9 17.5h6.2'],
  battery: ['M4 7.5h14a1.5 1.5 0 0 1 1.5 1.5v6a1.5 1.5 0 0 1-1.5 1.5H4A1.5 1.5 0 0 1 2.5 15V9A1.5 1.5 0 0 1 4 7.5z', 'M21.5 10.5v3'],
  home: ['M3.5 11L12 4l8.5 7', 'M5.5 9.5V20h13V9.5', 'M10 20v-5h4v5'],
  car: [
    'M4 15.5l1.6-4.6A2 2 0 0 1 7.5 9.5h9a2 2 0 0 1 1.9 1.4l1.6 4.6',
    'M3.5 15.5h17v3h-17z',
    'M6.5 18.5v1.5M17.5 18.5v1.5',
  ],
  bolt: ['M13 2.5L5 13.5h6l-1 8 8-11h-6z'],
  sliders: ['M4 6h9M17 6h3M4 12h3M11 12h9M4 18h11M19 18h1', 'M13 4v4M7 10v4M15 16v4'],
  moon: ['M20 14.5A8 8 0 1 1 9.5 4a6.5 6.5 0 0 0 10.5 10.5z'],
  auto: ['M12 3.5a8.5 8.5 0 1 0 0 17z'],
  download: ['M12 4v11', 'M7.5 10.5L12 15l4.5-4.5', 'M5 19.5h14'],
  close: ['M6 6l12 12M18 6L6 18'],
  clock: ['M12 7.5V12l3 2'],
  warning: ['M12 3.5L2.5 20h19z', 'M12 10v4.5M12 17.2v.3'],
  leaf: ['M5 19c0-8 5-13 14-14-1 9-6 14-14 14z', 'M5 19l7-7'],
  offline: ['M3 3l18 18', 'M8.5 16.5a5 5 0 0 1 7 0M5 13a10 10 0 0 1 4-2.4M19 13a10 10 0 0 0-3-2M2 9.5a15 15 0 0 1 4.5-2.8M22 9.5A15 15 0 0 0 10.5 5.6', 'M12 20h.01'],
};

const CIRCLES = {
  sun: [[12, 12, 4]],
  clock: [[12, 12, 8.5]],
  auto: [[12, 12, 8.5]],
};

/** icon('sun') → <svg class="icon"> hidden from assistive technology. */
export function icon(name, extraClass = '') {
  const parts = [
    ...(PATHS[name] ?? []).map((d) => s('path', { d })),
    ...(CIRCLES[name] ?? []).map(([cx, cy, r]) => s('circle', { cx, cy, r })),
  ];
  if (name === 'auto') parts.push(s('path', { d: 'M12 3.5a8.5 8.5 0 0 1 0 17z', class: 'icon-fill' }));
  return s(
    'svg',
    {
      class: `icon icon-${name} ${extraClass}`.trim(),
      viewBox: '0 0 24 24',
      'aria-hidden': 'true',
      focusable: 'false',
    },
    parts,
  );
}
