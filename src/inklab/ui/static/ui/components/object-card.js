// The card of the selected object: label, attributes, occluded, lock, hide, z-order, delete.

import { h } from "../dom.js";
import { icon } from "./icons.js";

/**
 * @typedef {{id: number, name: string, input_type: string, values: string[], default_value: string, mutable: boolean}} AttributeSpec
 * @typedef {{id: number, name: string, color: string, type: string, attributes: AttributeSpec[], sublabels?: any[]}} Label
 * @typedef {{
 *   labelsFor: (obj: any) => Label[],
 *   labelOf: (id: number) => Label | undefined,
 *   setLabel: (obj: any, labelId: number) => void,
 *   setAttribute: (obj: any, specId: number, value: string) => void,
 *   setOccluded: (obj: any, value: boolean) => void,
 *   setElementOutside: (obj: any, index: number, outside: boolean) => void,
 *   toggle: (obj: any, flag: "locked" | "hidden") => void,
 *   zOrder: (obj: any, direction: 1 | -1) => void,
 *   remove: (obj: any, force: boolean) => void,
 *   trackAction: (obj: any, action: string) => void,
 * }} CardActions
 *   ``trackAction``: one of the workspace's track actions ("keyframe", "outside", "previousKeyframe",
 *   "nextKeyframe", "deleteKeyframe", "split", "toShape", "toTrack", "propagate")
 */

/**
 * An input for one attribute value; calls ``onChange`` with the API's string form.
 * @param {AttributeSpec} spec
 * @param {string} value
 * @param {(value: string) => void} onChange
 * @param {boolean} disabled
 * @returns {HTMLElement}
 */
export function attributeInput(spec, value, onChange, disabled) {
  const label = `Attribute ${spec.name}`;
  if (spec.input_type === "checkbox") {
    const box = /** @type {HTMLInputElement} */ (h("input", { type: "checkbox", checked: value === "true", disabled, "aria-label": label }));
    box.addEventListener("change", () => onChange(box.checked ? "true" : "false"));
    return h("label", { class: "checkbox attr-input", dataset: { attr: spec.name } }, box, spec.name);
  }
  if (spec.input_type === "radio") {
    const name = `attr-${spec.id}-${Math.random().toString(36).slice(2)}`;
    return h("fieldset", { class: "radio-group attr-input", dataset: { attr: spec.name } }, h("legend", null, spec.name),
      spec.values.map((v) => h("label", { class: "checkbox" }, h("input", { type: "radio", name, value: v, checked: v === value,
        disabled, onchange: () => onChange(v) }), v)));
  }
  let control;
  if (spec.input_type === "select") {
    control = /** @type {HTMLSelectElement} */ (h("select", { disabled, "aria-label": label },
      spec.values.map((v) => h("option", { value: v, selected: v === value }, v))));
    control.addEventListener("change", () => onChange(/** @type {HTMLSelectElement} */ (control).value));
  } else if (spec.input_type === "number") {
    const [min, max, step] = spec.values;
    control = /** @type {HTMLInputElement} */ (h("input", { type: "number", min, max, step, value, disabled, "aria-label": label }));
    control.addEventListener("change", () => {
      const input = /** @type {HTMLInputElement} */ (control);
      const number = Number(input.value);
      const [lo, hi, st] = [Number(min), Number(max), Number(step)];
      if (!Number.isFinite(number) || number < lo || number > hi || (st > 0 && Math.abs(((number - lo) / st) - Math.round((number - lo) / st)) > 1e-9)) {
        input.setCustomValidity(`Between ${min} and ${max}, in steps of ${step}`);
        input.reportValidity();
        return;
      }
      input.setCustomValidity("");
      onChange(input.value);
    });
  } else {
    control = /** @type {HTMLInputElement} */ (h("input", { value, disabled, "aria-label": label }));
    control.addEventListener("change", () => onChange(/** @type {HTMLInputElement} */ (control).value));
  }
  // Typing in an attribute must not trigger workspace shortcuts.
  control.addEventListener("keydown", (e) => { if (e.key !== "Escape") e.stopPropagation(); });
  return h("label", { class: "field attr-input", dataset: { attr: spec.name } }, h("span", { class: "field-label" }, spec.name), control);
}

/**
 * The card of one object.
 * @param {any} obj an AnnotationObject (or a track)
 * @param {any} shape its shape on the current frame (the track's interpolated state)
 * @param {CardActions} actions
 * @returns {HTMLElement}
 */
export function objectCard(obj, shape, actions) {
  const label = actions.labelOf(obj.data.label_id);
  const isTrack = obj.kind === "track";
  const disabled = obj.locked;
  const values = new Map(((obj.kind === "track" ? shape.attributes : obj.data.attributes) || []).map((/** @type {any} */ a) => [a.spec_id, a.value]));
  const labelSelect = /** @type {HTMLSelectElement} */ (h("select", { class: "card-label", "aria-label": "Label", disabled },
    actions.labelsFor(obj).map((l) => h("option", { value: String(l.id), selected: l.id === obj.data.label_id }, l.name))));
  labelSelect.addEventListener("change", () => actions.setLabel(obj, Number(labelSelect.value)));
  const type = obj.kind === "tag" ? "tag" : shape.type;
  /** @param {(Node | string)[]} text @param {string} title @param {() => void} action @param {boolean} [pressed] */
  const button = (text, title, action, pressed) => h("button", { type: "button", class: `button small ${pressed ? "pressed" : ""}`,
    title, "aria-pressed": pressed === undefined ? null : String(pressed), onclick: action }, ...text);
  const skeleton = type === "skeleton" ? h("div", { class: "card-elements" }, h("strong", null, "Points"),
    (shape.elements || []).map((/** @type {any} */ e, /** @type {number} */ i) => {
      const sub = (label?.sublabels || []).find((/** @type {any} */ s) => s.id === e.label_id);
      return h("label", { class: "checkbox" }, h("input", { type: "checkbox", checked: !e.outside, disabled,
        onchange: (/** @type {Event} */ ev) => actions.setElementOutside(obj, i, !/** @type {HTMLInputElement} */ (ev.target).checked) }),
      sub ? sub.name : `point ${i + 1}`);
    })) : null;
  return h("div", { class: "object-card", dataset: { cid: obj.cid } },
    h("div", { class: "card-title" },
      h("span", { class: "swatch", style: { background: label?.color || "#888" } }),
      h("strong", null, `${obj.sid !== null ? `#${obj.sid}` : "new"} ${type}`),
      isTrack ? h("span", { class: "badge track-badge" }, shape.keyframe ? "track · keyframe" : "track") : null,
      shape.source && shape.source !== "manual" ? h("span", { class: "badge" }, shape.source) : null),
    labelSelect,
    isTrack ? trackControls(obj, shape, actions, button) : null,
    (label?.attributes || []).map((spec) => attributeInput(spec, values.get(spec.id) ?? spec.default_value,
      (value) => actions.setAttribute(obj, spec.id, value), disabled)),
    obj.kind === "tag" ? null : h("label", { class: "checkbox" }, h("input", { type: "checkbox", checked: Boolean(shape.occluded),
      disabled, class: "card-occluded", onchange: (/** @type {Event} */ e) => actions.setOccluded(obj, /** @type {HTMLInputElement} */ (e.target).checked) }),
    "Occluded (Q)"),
    skeleton,
    h("div", { class: "row compact card-buttons" },
      obj.kind === "tag" ? null : button([icon(obj.locked ? "lock" : "unlock"), obj.locked ? "Locked" : "Lock"], "Lock (L)", () => actions.toggle(obj, "locked"), obj.locked),
      obj.kind === "tag" ? null : button([icon(obj.hidden ? "eyeOff" : "eye"), obj.hidden ? "Hidden" : "Hide"], "Hide (H)", () => actions.toggle(obj, "hidden"), obj.hidden),
      obj.kind === "shape" ? button([icon("up")], "Bring forward (+)", () => actions.zOrder(obj, 1)) : null,
      obj.kind === "shape" ? button([icon("down")], "Send backward (−)", () => actions.zOrder(obj, -1)) : null,
      obj.kind === "shape" ? h("span", { class: "muted small" }, `z ${shape.z_order ?? 0}`) : null,
      obj.kind === "shape" ? button(["To track"], "Switch to a track", () => actions.trackAction(obj, "toTrack")) : null,
      obj.kind === "shape" ? button(["Propagate"], "Copy it onto the next frames (Ctrl+B)", () => actions.trackAction(obj, "propagate")) : null,
      h("span", { class: "spacer" }),
      button([icon("trash"), "Delete"], "Delete (Del)", () => actions.remove(obj, true))));
}

/**
 * Keyframe, outside and keyframe navigation of a track on the current frame.
 * @param {any} obj @param {any} shape the track's state on this frame
 * @param {CardActions} actions
 * @param {(text: (Node | string)[], title: string, action: () => void, pressed?: boolean) => HTMLElement} button
 * @returns {HTMLElement}
 */
function trackControls(obj, shape, actions, button) {
  const check = (/** @type {string} */ cls, /** @type {string} */ text, /** @type {boolean} */ checked, /** @type {string} */ action) =>
    h("label", { class: "checkbox" }, h("input", { type: "checkbox", class: cls, checked, disabled: obj.locked,
      onchange: () => actions.trackAction(obj, action) }), text);
  const frames = obj.data.shapes.map((/** @type {any} */ s) => s.frame);
  return h("div", { class: "card-track" },
    h("div", { class: "row compact" },
      check("card-keyframe", "Keyframe (K)", Boolean(shape.keyframe), "keyframe"),
      check("card-outside", "Outside (O)", Boolean(shape.outside), "outside")),
    h("div", { class: "row compact" },
      button(["◀ Key"], "Previous keyframe (E)", () => actions.trackAction(obj, "previousKeyframe")),
      button(["Key ▶"], "Next keyframe (R)", () => actions.trackAction(obj, "nextKeyframe")),
      shape.keyframe && frames.length > 1 ? button(["Delete keyframe"], "Delete this keyframe",
        () => actions.trackAction(obj, "deleteKeyframe")) : null),
    h("div", { class: "row compact" },
      button(["Split here"], "Split the track on this frame (Alt+M)", () => actions.trackAction(obj, "split")),
      button(["To shape"], "Switch to a shape: the track's state on this frame", () => actions.trackAction(obj, "toShape"))),
    h("p", { class: "muted small card-keyframes" }, `Keyframes: ${frames.join(", ")}`));
}
