// The top bar: the site's title, language and theme switches, and the navigation between the pages.
import { h, setAttr, setText } from '../dom.js';
import { LANGUAGES, language, setLanguage, t } from '../i18n.js';
import { icon } from '../icons.js';
import { nextTheme, setTheme, theme } from '../theme.js';

const NAMES = { de: 'Deutsch', en: 'English' };
export const PAGES = [
  ['overview', '#/'],
  ['battery', '#/battery'],
  ['sessions', '#/sessions'],
];

function themeButton() {
  const button = h('button', { type: 'button', class: 'icon-button theme-switch' });
  const show = (choice) => {
    const label = t('theme.label', { theme: t(`theme.${choice}`) });
    setAttr(button, 'aria-label', label);
    setAttr(button, 'title', label);
    button.replaceChildren(icon({ auto: 'auto', light: 'sun', dark: 'moon' }[choice]));
  };
  button.addEventListener('click', () => {
    const next = nextTheme(theme());
    setTheme(next);
    show(next);
  });
  show(theme());
  return button;
}

function languageSwitch() {
  return h(
    'div',
    { class: 'segmented small', role: 'group', 'aria-label': t('language.label') },
    LANGUAGES.map((code) =>
      h(
        'button',
        {
          type: 'button',
          lang: code,
          title: NAMES[code],
          'data-focus': `language-${code}`,
          'aria-pressed': String(code === language()),
          onClick: () => setLanguage(code),
        },
        code.toUpperCase(),
      ),
    ),
  );
}

export function header() {
  const title = h('h1', { class: 'site-title' }, 'Surplus');
  const links = PAGES.map(([page, href]) => h('a', { href, 'data-page': page }, t(`nav.${page}`)));
  const el = h(
    'header',
    { class: 'topbar' },
    h(
      'div',
      { class: 'topbar-inner' },
      h('div', { class: 'brand' }, h('span', { class: 'brand-mark' }, icon('sun')), title),
      h('div', { class: 'tools' }, languageSwitch(), themeButton()),
    ),
    h('nav', { class: 'tabs', 'aria-label': t('nav.label') }, h('div', { class: 'tabs-inner' }, links)),
  );
  return {
    el,
    update(state) {
      setText(title, state.siteTitle || 'Surplus');
    },
    route(page) {
      for (const link of links) setAttr(link, 'aria-current', link.dataset.page === page ? 'page' : null);
    },
  };
}
