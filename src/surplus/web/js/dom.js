// A tiny DOM builder. Every child string becomes a text node and every attribute is set with setAttribute,
// so nothing that comes from the server (titles, vehicle names, error messages) is ever parsed as HTML.

const SVG = 'http://www.w3.org/2000/svg';

function apply(element, props) {
  for (const [name, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === 'class') element.setAttribute('class', value);
    else if (name === 'text') element.textContent = value;
    else if (name === 'value' || name === 'checked' || name === 'selected') element[name] = value;
    else if (name.startsWith('on') && typeof value === 'function') {
      element.addEventListener(name.slice(2).toLowerCase(), value);
    } else element.setAttribute(name, value === true ? '' : String(value));
  }
}

function append(element, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** An HTML element: h('button', {class: 'mode', onClick}, 'PV'). */
export function h(tag, props = {}, ...children) {
  const element = document.createElement(tag);
  apply(element, props);
  append(element, children);
  return element;
}

/** An SVG element, for icons and charts. */
export function s(tag, props = {}, ...children) {
  const element = document.createElementNS(SVG, tag);
  apply(element, props);
  append(element, children);
  return element;
}

// Live updates arrive several times a second: touching the DOM only when a value really changed keeps
// screen readers quiet and selections intact.

export function setText(element, text) {
  const value = text ?? '';
  if (element.textContent !== value) element.textContent = value;
}

export function setAttr(element, name, value) {
  if (value === null || value === undefined || value === false) {
    if (element.hasAttribute(name)) element.removeAttribute(name);
    return;
  }
  const text = value === true ? '' : String(value);
  if (element.getAttribute(name) !== text) element.setAttribute(name, text);
}

export function setHidden(element, hidden) {
  if (element.hidden !== hidden) element.hidden = hidden;
}

/** Sets a form control's value unless the user is busy with it. */
export function setValue(control, value) {
  if (document.activeElement === control) return;
  const text = String(value ?? '');
  if (control.value !== text) control.value = text;
}

/** Replaces a select's options ([value, label] pairs) when they changed; keeps the element, its focus and its choice. */
export function setOptions(select, options) {
  const signature = JSON.stringify(options);
  if (select.dataset.options === signature) return;
  const chosen = select.value;
  select.dataset.options = signature;
  select.replaceChildren(...options.map(([value, label]) => h('option', { value }, label)));
  select.value = chosen;
}

let unique = 0;
/** An id for pairing a <label for> with its control. */
export function uid(prefix) {
  unique += 1;
  return `${prefix}-${unique}`;
}

/** A form field: a <label for> paired with its control. */
export function labelled(control, text = '', extraClass = '') {
  const label = h('label', { for: control.id }, text);
  const el = h('div', { class: `field ${extraClass}`.trim() }, label, control);
  return { el, label };
}
