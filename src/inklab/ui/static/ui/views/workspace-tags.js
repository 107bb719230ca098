// Tag annotation mode: keys 1–9 each stand for a tag label (chosen in the panel); pressing one
// puts that tag on the frame, or takes it off when the frame has it. With "skip" on, the
// workspace moves to the next frame after a tag is put on.

import { h, replace } from "../dom.js";

/**
 * @typedef {{
 *   frame: number, editor: import("../annotation/editor.js").AnnotationEditor,
 *   store: import("../annotation/model.js").AnnotationStore,
 *   next: () => void,
 * }} WorkspaceLike
 */

/** The tag mode panel and its keys. */
export class TagMode {
  /** @param {WorkspaceLike} workspace */
  constructor(workspace) {
    this.ws = workspace;
    this.active = false;
    const labels = workspace.editor.labelsFor("tag");
    /** @type {(number | null)[]} the label id of keys 1–9 (by default the tag labels in order, tag-only ones first) */
    this.keys = [...labels.filter((l) => l.type === "tag"), ...labels.filter((l) => l.type !== "tag")]
      .slice(0, 9).map((l) => l.id);
    while (this.keys.length < 9) this.keys.push(null);
    this.skip = /** @type {HTMLInputElement} */ (h("input", { type: "checkbox", class: "tag-skip" }));
    this.list = h("ol", { class: "tag-keys" });
    this.element = h("section", { class: "mode-panel tag-mode", hidden: true, "aria-label": "Tag annotation" },
      h("strong", null, "Tag annotation"), this.list,
      h("label", { class: "checkbox" }, this.skip, " Skip to the next frame after tagging"));
  }

  /** @param {boolean} active */
  setActive(active) {
    this.active = active;
    this.element.hidden = !active;
    this.render();
  }

  /** The label ids of the tags on this frame. @returns {Set<number>} */
  frameTags() {
    return new Set(this.ws.store.frameObjects(this.ws.frame).tags.map((t) => t.data.label_id));
  }

  /**
   * Put the tag of key ``index`` (0–8) on the frame, or take it off.
   * @param {number} index
   */
  toggle(index) {
    const labelId = this.keys[index];
    const label = labelId === null ? undefined : this.ws.editor.label(labelId);
    if (!label) return;
    const existing = this.ws.store.frameObjects(this.ws.frame).tags.filter((t) => t.data.label_id === label.id);
    if (existing.length) {
      this.ws.store.remove(existing, "Remove tag");
      return;
    }
    this.ws.editor.createTag(this.ws.frame, label);
    if (this.skip.checked) this.ws.next();
  }

  /**
   * @param {KeyboardEvent} event
   * @returns {boolean} whether the key was taken
   */
  key(event) {
    if (!this.active || event.ctrlKey || event.metaKey || event.altKey || event.shiftKey) return false;
    const digit = /^Digit([1-9])$/.exec(event.code);
    if (!digit) return false;
    this.toggle(Number(digit[1]) - 1);
    return true;
  }

  /** The keys with their labels (each changeable) and whether the frame has that tag. */
  render() {
    if (!this.active) return;
    const labels = this.ws.editor.labelsFor("tag");
    const on = this.frameTags();
    replace(this.list, this.keys.map((id, i) => {
      const select = /** @type {HTMLSelectElement} */ (h("select", { class: "tag-key-label", "aria-label": `Label of key ${i + 1}`,
        dataset: { key: String(i + 1) } },
      h("option", { value: "", selected: id === null }, "—"),
      labels.map((l) => h("option", { value: String(l.id), selected: l.id === id }, l.name))));
      select.addEventListener("change", () => {
        this.keys[i] = select.value ? Number(select.value) : null;
        this.render();
      });
      return h("li", { class: id !== null && on.has(id) ? "on" : "" }, h("kbd", null, String(i + 1)), " ", select);
    }));
  }
}
