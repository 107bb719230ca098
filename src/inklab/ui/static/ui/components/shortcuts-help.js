// The dialog listing the annotation workspace's keyboard and mouse shortcuts.

import { h } from "../dom.js";
import { SHORTCUTS } from "../annotation/shortcuts.js";
import { Dialog } from "./dialog.js";

/** @param {string} key @returns {string} */
const pretty = (key) => (key === " " ? "Space" : key.replace("Arrow", "").replace("Escape", "Esc"));

/** @returns {Dialog} the opened dialog */
export function openShortcutsHelp() {
  const groups = [...new Set(SHORTCUTS.map((s) => s.group))];
  return new Dialog({
    title: "Keyboard shortcuts", wide: true, className: "shortcuts-dialog",
    body: groups.map((group) => h("section", null, h("h3", null, group),
      h("table", { class: "table shortcuts" }, h("tbody", null, SHORTCUTS.filter((s) => s.group === group).map((s) =>
        h("tr", null, h("td", null, s.keys.length > 3 ? `${pretty(s.keys[0])} … ${pretty(s.keys[s.keys.length - 1])}`
          : s.keys.map((k) => h("kbd", null, pretty(k)))), h("td", null, s.description))))))),
  }).open();
}
