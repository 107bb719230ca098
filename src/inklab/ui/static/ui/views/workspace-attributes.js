// Attribute annotation mode: one object of the frame at a time, zoomed to, with one of its
// attributes in front. Keys 1–9 give that attribute the value listed with the key, Up and Down
// go to the previous and next attribute, Tab and Shift+Tab to the next and previous object
// (frame keys keep working; a new frame starts at its first object).

import { h, replace } from "../dom.js";
import { shapeBox } from "../annotation/geometry.js";

/**
 * @typedef {{
 *   frame: number, editor: import("../annotation/editor.js").AnnotationEditor,
 *   sidebar: {entries: {obj: any, shape: any}[]},
 *   canvas: import("../annotation/canvas.js").AnnotationCanvas,
 *   select: (cid: number | null, reveal: boolean) => void,
 * }} WorkspaceLike
 */

/**
 * The values keys 1–9 stand for, for one attribute (none for numbers and text: typed instead).
 * @param {any} spec a label's attribute
 * @returns {string[]}
 */
export function keyedValues(spec) {
  if (spec.input_type === "checkbox") return ["false", "true"];
  if (spec.input_type === "select" || spec.input_type === "radio") return (spec.values || []).slice(0, 9);
  return [];
}

/** The attribute mode panel and its keys. */
export class AttributeMode {
  /** @param {WorkspaceLike} workspace */
  constructor(workspace) {
    this.ws = workspace;
    this.active = false;
    /** @type {number | null} the object in front (client id) */
    this.cid = null;
    this.attributeIndex = 0;
    this.element = h("section", { class: "mode-panel attribute-mode", hidden: true, "aria-label": "Attribute annotation" });
  }

  /** @param {boolean} active */
  setActive(active) {
    this.active = active;
    this.element.hidden = !active;
    if (active) this.frameChanged();
    else this.ws.canvas.fit();
  }

  /** The objects of the frame that can be annotated here (not tags, not hidden), in sidebar order. */
  objects() {
    return this.ws.sidebar.entries.filter((e) => !e.obj.hidden && !e.shape.outside);
  }

  /** A new frame (or new objects): keep the object in front when it is still there, else the first. */
  frameChanged() {
    if (!this.active) return;
    const objects = this.objects();
    if (!objects.some((e) => e.obj.cid === this.cid)) this.cid = objects[0]?.obj.cid ?? null;
    this.focus();
  }

  /** The object in front with its state on this frame, or null. */
  get entry() {
    return this.objects().find((e) => e.obj.cid === this.cid) || null;
  }

  /** @returns {any[]} the attributes of the object in front */
  specs() {
    const entry = this.entry;
    return entry ? this.ws.editor.label(entry.shape.label_id)?.attributes || [] : [];
  }

  /** Select, zoom to and describe the object in front. */
  focus() {
    const entry = this.entry;
    this.ws.select(entry ? entry.obj.cid : null, true);
    this.render();  // first: the panel's height decides the canvas's
    if (entry && (entry.shape.points?.length || entry.shape.type === "skeleton")) this.ws.canvas.showBox(shapeBox(entry.shape));
  }

  /** @param {number} step +1 next object, -1 previous */
  step(step) {
    const objects = this.objects();
    if (!objects.length) return;
    const at = objects.findIndex((e) => e.obj.cid === this.cid);
    this.cid = objects[(at + step + objects.length) % objects.length].obj.cid;
    this.focus();
  }

  /**
   * The keys of this mode; others go to the workspace's shortcuts.
   * @param {KeyboardEvent} event
   * @returns {boolean} whether the key was taken
   */
  key(event) {
    if (!this.active || event.ctrlKey || event.metaKey || event.altKey) return false;
    const specs = this.specs();
    if (event.key === "Tab") {
      this.step(event.shiftKey ? -1 : 1);
      return true;
    }
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      if (specs.length) this.attributeIndex = (this.attributeIndex + (event.key === "ArrowDown" ? 1 : -1) + specs.length) % specs.length;
      this.render();
      return true;
    }
    const digit = /^Digit([1-9])$/.exec(event.code);
    if (digit && !event.shiftKey) {
      const entry = this.entry;
      const spec = specs[this.attributeIndex];
      const value = spec ? keyedValues(spec)[Number(digit[1]) - 1] : undefined;
      if (entry && value !== undefined && !entry.obj.locked) this.ws.editor.setAttribute(entry.obj, spec.id, value, this.ws.frame);
      return true;
    }
    return false;
  }

  /** The panel: which object, which attribute, its value and the keys. */
  render() {
    if (!this.active) return;
    const objects = this.objects();
    const entry = this.entry;
    if (!entry) {
      replace(this.element, h("p", { class: "muted" }, "Attribute annotation: no object on this frame (F / D change the frame)."));
      return;
    }
    const specs = this.specs();
    if (this.attributeIndex >= specs.length) this.attributeIndex = 0;
    const label = this.ws.editor.label(entry.shape.label_id);
    const position = `Object ${objects.indexOf(entry) + 1} of ${objects.length}: ${label?.name ?? "?"} ${entry.shape.type}`;
    if (!specs.length) {
      replace(this.element, h("strong", { class: "aam-object" }, position), h("span", { class: "muted" }, " has no attributes (Tab: next object)"));
      return;
    }
    const spec = specs[this.attributeIndex];
    const current = (entry.shape.attributes || []).find((/** @type {any} */ a) => a.spec_id === spec.id)?.value ?? "";
    const values = keyedValues(spec);
    const choices = values.length
      ? h("ol", { class: "aam-values" }, values.map((value, i) => h("li", { class: value === current ? "current" : "", dataset: { value } },
        h("kbd", null, String(i + 1)), " ", value)))
      : h("input", { class: "aam-input", type: spec.input_type === "number" ? "number" : "text", value: current,
        "aria-label": spec.name, onchange: (/** @type {Event} */ e) => this.ws.editor.setAttribute(entry.obj, spec.id,
          /** @type {HTMLInputElement} */ (e.target).value, this.ws.frame) });
    replace(this.element,
      h("strong", { class: "aam-object" }, position),
      h("span", { class: "aam-attribute" }, `${spec.name} (${this.attributeIndex + 1}/${specs.length}): `,
        h("b", { class: "aam-current" }, current)),
      choices,
      h("span", { class: "muted small" }, "1–9 value · ↑↓ attribute · Tab / Shift+Tab object"));
  }
}
