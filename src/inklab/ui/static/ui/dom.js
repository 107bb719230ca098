// Building DOM elements without a framework: h("div", {class: "x", onclick: f}, child, ...).

/**
 * @typedef {Node | string | number | null | undefined | false | Child[]} Child
 */

/**
 * Create an element.
 *
 * Props: ``class`` (string), ``style`` (object or string), ``dataset`` (object), ``on<event>``
 * (listeners), boolean and string attributes; ``value``/``checked``/``disabled`` etc. are set as
 * properties. Children may be nested arrays; null, undefined and false are skipped.
 *
 * @param {string} tag
 * @param {Record<string, any> | null} [props]
 * @param {...Child} children
 * @returns {HTMLElement}
 */
export function h(tag, props, ...children) {
  const el = document.createElement(tag);
  if (props) {
    for (const [key, value] of Object.entries(props)) {
      if (value === undefined || value === null || value === false) continue;
      if (key === "class") el.className = String(value);
      else if (key === "style" && typeof value === "object") Object.assign(el.style, value);
      else if (key === "dataset") Object.assign(el.dataset, value);
      else if (key.startsWith("on") && typeof value === "function") el.addEventListener(key.slice(2), value);
      else if (key in el && !key.includes("-") && key !== "list" && key !== "form") {
        // @ts-ignore - a DOM property such as value, checked, disabled, type, htmlFor
        el[key] = value;
      } else el.setAttribute(key, value === true ? "" : String(value));
    }
  }
  append(el, children);
  return el;
}

/**
 * Append children (nested arrays allowed) to an element.
 * @param {Element} el
 * @param {Child[]} children
 */
export function append(el, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(el, child);
    else el.append(typeof child === "number" ? String(child) : child);
  }
}

/**
 * Replace the content of an element.
 * @param {Element} el
 * @param {...Child} children
 */
export function replace(el, ...children) {
  el.replaceChildren();
  append(el, children);
}

/**
 * An inline SVG icon from a path list (24×24 viewBox); purely decorative.
 * @param {string} paths SVG markup of the icon's shapes
 * @returns {SVGSVGElement}
 */
export function svgIcon(paths) {
  const wrapper = document.createElement("span");
  wrapper.innerHTML = `<svg class="icon" viewBox="0 0 24 24" aria-hidden="true" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round">${paths}</svg>`;
  return /** @type {SVGSVGElement} */ (wrapper.firstElementChild);
}

/**
 * A human-readable local date and time.
 * @param {string | null | undefined} iso
 * @returns {string}
 */
export function formatDate(iso) {
  if (!iso) return "—";
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? String(iso) : date.toLocaleString();
}

/**
 * A byte count such as "1.5 MB".
 * @param {number} bytes
 * @returns {string}
 */
export function formatBytes(bytes) {
  const units = ["B", "KB", "MB", "GB", "TB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit += 1;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}

/**
 * A labelled form field: <label><span>text</span>control</label>.
 * @param {string} text
 * @param {HTMLElement} control
 * @param {string} [hint]
 * @returns {HTMLElement}
 */
export function field(text, control, hint) {
  return h("label", { class: "field" }, h("span", { class: "field-label" }, text), control,
    hint ? h("small", { class: "hint" }, hint) : null);
}
