// The workspace's "Settings" drop-down: opacities, outline colour, colouring, captions and the
// image's brightness, contrast and saturation. Changes apply at once.

import { h } from "../dom.js";
import { AUTOSAVE_CHOICES, defaultAppearance } from "../annotation/appearance.js";

/** @param {number} seconds @returns {string} */
const interval = (seconds) => (seconds === 0 ? "off" : seconds < 60 ? `every ${seconds} s` : `every ${seconds / 60} min`);

/**
 * @param {import("../annotation/appearance.js").Appearance} settings changed in place
 * @param {() => void} onChange
 * @returns {HTMLElement}
 */
export function settingsMenu(settings, onChange) {
  /** @param {string} name @param {number} min @param {number} max @param {() => number} get @param {(v: number) => void} set */
  const range = (name, min, max, get, set) => {
    const input = /** @type {HTMLInputElement} */ (h("input", { type: "range", min: String(min), max: String(max),
      value: String(get()), class: `setting-${name}`, "aria-label": name }));
    const shown = h("span", { class: "muted small" }, String(get()));
    input.addEventListener("input", () => {
      set(Number(input.value));
      shown.textContent = input.value;
      onChange();
    });
    return { input, row: h("label", { class: "setting-row" }, h("span", null, name), input, shown),
      reset: () => { input.value = String(get()); shown.textContent = input.value; } };
  };
  const rows = [
    range("Opacity", 0, 100, () => Math.round(settings.fillOpacity * 100), (v) => { settings.fillOpacity = v / 100; }),
    range("Selected opacity", 0, 100, () => Math.round(settings.selectedOpacity * 100), (v) => { settings.selectedOpacity = v / 100; }),
    range("Brightness", 0, 200, () => settings.brightness, (v) => { settings.brightness = v; }),
    range("Contrast", 0, 200, () => settings.contrast, (v) => { settings.contrast = v; }),
    range("Saturation", 0, 200, () => settings.saturation, (v) => { settings.saturation = v; }),
  ];
  const outlineOn = /** @type {HTMLInputElement} */ (h("input", { type: "checkbox", class: "setting-outline-on",
    checked: settings.outline !== null }));
  const outlineColor = /** @type {HTMLInputElement} */ (h("input", { type: "color", class: "setting-outline",
    value: settings.outline ?? "#000000", "aria-label": "Outline colour" }));
  const outline = () => {
    settings.outline = outlineOn.checked ? outlineColor.value : null;
    onChange();
  };
  outlineOn.addEventListener("change", outline);
  outlineColor.addEventListener("input", outline);
  const colorBy = /** @type {HTMLSelectElement} */ (h("select", { class: "setting-color-by", "aria-label": "Colour by" },
    ["label", "instance", "group"].map((v) => h("option", { value: v, selected: settings.colorBy === v }, v))));
  colorBy.addEventListener("change", () => {
    settings.colorBy = /** @type {any} */ (colorBy.value);
    onChange();
  });
  const labels = /** @type {HTMLInputElement} */ (h("input", { type: "checkbox", class: "setting-show-labels",
    checked: settings.showLabels }));
  labels.addEventListener("change", () => {
    settings.showLabels = labels.checked;
    onChange();
  });
  const autosave = /** @type {HTMLSelectElement} */ (h("select", { class: "setting-autosave", "aria-label": "Autosave" },
    AUTOSAVE_CHOICES.map((v) => h("option", { value: String(v), selected: settings.autosave === v }, interval(v)))));
  autosave.addEventListener("change", () => {
    settings.autosave = Number(autosave.value);
    onChange();
  });
  const reset = h("button", { type: "button", class: "button small setting-reset-image", onclick: () => {
    const defaults = defaultAppearance();
    Object.assign(settings, { brightness: defaults.brightness, contrast: defaults.contrast, saturation: defaults.saturation });
    for (const r of rows) r.reset();
    onChange();
  } }, "Reset the image");
  return h("details", { class: "menu settings-menu" }, h("summary", { class: "button small" }, "Settings ▾"),
    h("div", { class: "menu-items settings-items" },
      rows.slice(0, 2).map((r) => r.row),
      h("label", { class: "setting-row" }, outlineOn, h("span", null, "Outline colour"), outlineColor),
      h("label", { class: "setting-row" }, h("span", null, "Colour by"), colorBy),
      h("label", { class: "setting-row" }, labels, h("span", null, "Always show labels")),
      h("label", { class: "setting-row" }, h("span", null, "Autosave"), autosave),
      rows.slice(2).map((r) => r.row), reset));
}
