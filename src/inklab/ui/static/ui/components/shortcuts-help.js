// The dialog listing the annotation workspace's keyboard and mouse shortcuts; with a keymap,
// each action's key can be changed (press the new key after "Change").

import { h, replace } from "../dom.js";
import { Keymap, SHORTCUTS, comboOf } from "../annotation/shortcuts.js";
import { Dialog } from "./dialog.js";

/** @param {string} key @returns {string} */
const pretty = (key) => (key === " " ? "Space" : key.replace("Arrow", "").replace("Escape", "Esc"));

/** @param {string[]} keys */
const keyCells = (keys) => (keys.length > 3 ? `${pretty(keys[0])} … ${pretty(keys[keys.length - 1])}`
  : keys.map((k) => h("kbd", null, pretty(k))));

/**
 * @param {Keymap} [keymap] the user's keys (the table's when absent; then nothing can be changed)
 * @param {(keymap: Keymap) => void} [onChange] called after a key was changed or reset
 * @returns {Dialog} the opened dialog
 */
export function openShortcutsHelp(keymap, onChange) {
  const groups = [...new Set(SHORTCUTS.map((s) => s.group))];
  const map = keymap || new Keymap();
  const body = h("div", { class: "shortcuts-body" });
  /** @type {((e: KeyboardEvent) => void) | null} */
  let capturing = null;
  const stopCapture = () => {
    if (capturing) document.removeEventListener("keydown", capturing, true);
    capturing = null;
  };
  const render = () => replace(body, groups.map((group) => h("section", null, h("h3", null, group),
    h("table", { class: "table shortcuts" }, h("tbody", null, SHORTCUTS.filter((s) => s.group === group).map((s) => {
      const keys = s.action ? map.keysOf(s.action) : s.keys;
      const change = keymap && s.action ? h("button", { type: "button", class: "button small change-key", dataset: { action: s.action },
        onclick: (/** @type {MouseEvent} */ e) => {
          stopCapture();
          const button = /** @type {HTMLElement} */ (e.currentTarget);
          button.textContent = "Press a key…";
          capturing = (/** @type {KeyboardEvent} */ event) => {
            if (["Shift", "Control", "Alt", "Meta"].includes(event.key)) return;
            event.preventDefault();
            event.stopImmediatePropagation();
            stopCapture();
            if (event.key !== "Escape") {
              map.bind(s.action, comboOf(event));
              onChange?.(map);
            }
            render();
          };
          document.addEventListener("keydown", capturing, true);
        } }, "Change") : null;
      return h("tr", { dataset: { action: s.action } }, h("td", { class: "keys" }, keys.length ? keyCells(keys) : h("span", { class: "muted" }, "none")),
        h("td", null, s.description), h("td", null, change));
    }))))));
  render();
  const reset = keymap ? h("button", { type: "button", class: "button small reset-keys", onclick: () => {
    map.reset();
    onChange?.(map);
    render();
  } }, "Back to the usual keys") : null;
  return new Dialog({ title: "Keyboard shortcuts", wide: true, className: "shortcuts-dialog", body: [reset, body],
    onClose: stopCapture }).open();
}
