// The labels editor of projects and tasks: labels, their attributes (every input type) and
// skeleton labels with their points; a raw JSON mode for copying label sets around.

import { h, replace } from "../dom.js";
import { distinctColor } from "../annotation/appearance.js";
import { parseSkeleton, skeletonSvg } from "../annotation/skeleton.js";
import { icon } from "./icons.js";
import { SkeletonEditor } from "./skeleton-editor.js";

/** Label types a user can pick (CVAT's ``LabelType`` minus "interval"). */
export const LABEL_TYPES = ["any", "rectangle", "polygon", "polyline", "points", "ellipse", "cuboid", "mask", "skeleton", "tag"];
/** Attribute input types. */
export const INPUT_TYPES = ["select", "radio", "checkbox", "number", "text"];

/**
 * @typedef {{key: number, id: number | null, name: string, input_type: string, mutable: boolean,
 *            values: string[], default_value: string, deleted: boolean}} AttrDraft
 * @typedef {{key: number, id: number | null, name: string, color: string, type: string,
 *            attributes: AttrDraft[], template: import("../annotation/skeleton.js").SkeletonTemplate | null,
 *            deleted: boolean, original: string | null}} LabelDraft
 */

let nextKey = 1;

/** @param {any} attr @returns {AttrDraft} */
function attrDraft(attr) {
  const draft = {
    key: nextKey++, id: attr.id ?? null, name: attr.name || "", input_type: (attr.input_type || "select").toLowerCase(),
    mutable: Boolean(attr.mutable), values: (attr.values || []).map(String), default_value: String(attr.default_value ?? ""),
    deleted: false,
  };
  // The forms the editor's controls produce, so that an untouched attribute never looks changed.
  if (draft.input_type === "checkbox") {
    draft.default_value = (draft.default_value || draft.values[0] || "false").toLowerCase() === "true" ? "true" : "false";
    draft.values = [draft.default_value];
  } else if (draft.input_type === "number") {
    const [min = "0", max = "10", step = "1"] = draft.values;
    draft.values = [min, max, step];
    if (draft.default_value === "") draft.default_value = min;
  } else if (["select", "radio"].includes(draft.input_type) && !draft.values.includes(draft.default_value)) {
    draft.default_value = draft.values[0] ?? "";
  }
  return draft;
}

/**
 * @param {any} label @param {boolean} saved
 * @param {string[]} [used] colours of the other labels: a label without one gets a colour unlike them
 * @returns {LabelDraft}
 */
function labelDraft(label, saved, used = []) {
  const type = label.type || "any";
  const draft = {
    key: nextKey++, id: saved ? label.id ?? null : null, name: label.name || "", color: label.color || distinctColor(used),
    type, attributes: (label.attributes || []).map(attrDraft),
    template: type === "skeleton" ? parseSkeleton(label) : null, deleted: false, original: null,
  };
  if (!saved) {
    draft.attributes.forEach((a) => { a.id = null; });
    draft.template?.points.forEach((p) => { p.id = null; });
  }
  draft.original = saved ? JSON.stringify(specOf(draft)) : null;
  return draft;
}

/**
 * Drafts of labels, each without a colour given one unlike those before it.
 * @param {any[]} labels @param {(label: any) => boolean} saved @returns {LabelDraft[]}
 */
function labelDrafts(labels, saved) {
  const used = labels.map((l) => l.color).filter(Boolean);
  return labels.map((l) => {
    const draft = labelDraft(l, saved(l), used);
    if (!l.color) used.push(draft.color);
    return draft;
  });
}

/**
 * The API form (``PatchedLabelRequest``) of a label draft.
 * @param {LabelDraft} draft
 * @returns {Record<string, any>}
 */
export function specOf(draft) {
  /** @type {Record<string, any>} */
  const spec = { name: draft.name.trim(), color: draft.color, type: draft.type };
  if (draft.id !== null) spec.id = draft.id;
  spec.attributes = draft.attributes.filter((a) => a.id !== null || !a.deleted).map((a) => {
    /** @type {Record<string, any>} */
    const attr = { name: a.name.trim(), input_type: a.input_type, mutable: a.mutable, values: a.values,
      default_value: a.default_value };
    if (a.id !== null) attr.id = a.id;
    if (a.deleted) attr.deleted = true;
    return attr;
  });
  if (draft.type === "skeleton" && draft.template) {
    spec.sublabels = draft.template.points.map((p) => (p.id !== null ? { id: p.id, name: p.name.trim(), type: "points" }
      : { name: p.name.trim(), type: "points" }));
    spec.svg = skeletonSvg(draft.template);
  }
  return spec;
}

/**
 * Problems a user can fix before sending (the server checks everything again).
 * @param {LabelDraft[]} drafts
 * @returns {string[]}
 */
export function validateDrafts(drafts) {
  const problems = [];
  const names = new Set();
  for (const label of drafts.filter((d) => !d.deleted)) {
    const name = label.name.trim();
    if (!name) problems.push("Every label needs a name.");
    else if (names.has(name)) problems.push(`Two labels are named “${name}”.`);
    names.add(name);
    const attrNames = new Set();
    for (const attr of label.attributes.filter((a) => !a.deleted)) {
      const where = `Label “${name}”, attribute “${attr.name}”`;
      if (!attr.name.trim()) problems.push(`Label “${name}” has an attribute without a name.`);
      else if (attrNames.has(attr.name.trim())) problems.push(`Label “${name}” has two attributes named “${attr.name}”.`);
      attrNames.add(attr.name.trim());
      if (["select", "radio"].includes(attr.input_type) && !attr.values.length) problems.push(`${where}: add at least one value.`);
      if (attr.input_type === "number") {
        const [min, max, step] = attr.values.map(Number);
        if (attr.values.length !== 3 || ![min, max, step].every(Number.isFinite) || min > max || step <= 0) {
          problems.push(`${where}: a number needs min ≤ max and a step > 0.`);
        }
      }
    }
    if (label.type === "skeleton") {
      const points = label.template?.points || [];
      if (!points.length) problems.push(`Skeleton “${name}” needs at least one point.`);
      const pointNames = new Set(points.map((p) => p.name.trim()));
      if (pointNames.size !== points.length || pointNames.has("")) problems.push(`Skeleton “${name}”: points need distinct names.`);
    }
  }
  return problems;
}

/** Edits a list of labels; read the result with ``specs()`` (all) or ``changes()`` (a PATCH). */
export class LabelsEditor {
  /** @param {{labels?: any[], saved?: boolean, onChange?: () => void}} [options]
   *  ``saved``: the labels exist on the server (their ids are kept and changes are tracked) */
  constructor(options = {}) {
    this.saved = options.saved ?? false;
    this.onChange = options.onChange || (() => {});
    /** @type {LabelDraft[]} */
    this.drafts = labelDrafts(options.labels || [], () => this.saved);
    this.list = h("div", { class: "labels-list" });
    this.raw = /** @type {HTMLTextAreaElement} */ (h("textarea", { class: "raw-labels", rows: 14, spellcheck: false,
      "aria-label": "Labels as JSON" }));
    this.rawError = h("p", { class: "form-error" });
    this.rawBox = h("div", { class: "raw-box", hidden: true }, this.raw, this.rawError,
      h("button", { type: "button", class: "button small", onclick: () => this.applyRaw() }, "Apply JSON"));
    this.element = h("div", { class: "labels-editor" },
      h("div", { class: "row" },
        h("button", { type: "button", class: "button small", onclick: () => this.addLabel() }, "+ Label"),
        h("button", { type: "button", class: "button small", onclick: () => this.addLabel("skeleton") }, "+ Skeleton"),
        h("button", { type: "button", class: "button small ghost", onclick: () => this.toggleRaw() }, "Raw JSON")),
      this.rawBox, this.list);
    this.render();
  }

  /** @param {string} [type] */
  addLabel(type = "any") {
    const draft = labelDraft({ name: "", type, sublabels: type === "skeleton" ? [{ name: "point 1" }, { name: "point 2" }] : [] },
      false, this.drafts.filter((d) => !d.deleted).map((d) => d.color));
    if (draft.template) draft.template.edges = [[0, 1]];
    this.drafts.push(draft);
    this.changed();
    /** @type {HTMLInputElement | null} */ (this.list.querySelector(".label-card:last-child input.label-name"))?.focus();
  }

  changed() {
    this.render();
    this.onChange();
  }

  /** @returns {boolean} whether anything differs from what was loaded */
  get dirty() {
    return this.changes().length > 0;
  }

  /**
   * Every label, for a new task or project. Throws an Error listing the problems.
   * @returns {Record<string, any>[]}
   */
  specs() {
    this.check();
    return this.drafts.filter((d) => !d.deleted).map(specOf);
  }

  /**
   * What changed since loading: new labels, changed ones (with ids) and ``{id, deleted: true}``.
   * @returns {Record<string, any>[]}
   */
  changes() {
    const result = [];
    for (const draft of this.drafts) {
      if (draft.deleted) {
        if (draft.id !== null) result.push({ id: draft.id, deleted: true });
        continue;
      }
      const spec = specOf(draft);
      if (draft.id === null || JSON.stringify(spec) !== draft.original) result.push(spec);
    }
    return result;
  }

  check() {
    const problems = validateDrafts(this.drafts);
    if (problems.length) throw new Error(problems.join(" "));
  }

  /** Forget the changes: the given labels (fresh from the server) become the baseline. @param {any[]} labels */
  reset(labels) {
    this.drafts = labelDrafts(labels, () => this.saved);
    this.render();
  }

  toggleRaw() {
    this.rawBox.hidden = !this.rawBox.hidden;
    if (!this.rawBox.hidden) {
      this.raw.value = JSON.stringify(this.drafts.filter((d) => !d.deleted).map(specOf), null, 2);
      this.rawError.textContent = "";
    }
  }

  applyRaw() {
    let parsed;
    try {
      parsed = JSON.parse(this.raw.value);
      if (!Array.isArray(parsed)) throw new Error("Expected a JSON list of labels.");
    } catch (error) {
      this.rawError.textContent = error instanceof Error ? error.message : String(error);
      return;
    }
    const byId = new Map(this.drafts.filter((d) => d.id !== null).map((d) => [d.id, d]));
    const kept = new Set();
    /** @type {LabelDraft[]} */
    const next = [];
    const used = parsed.map((item) => item?.color).filter(Boolean);
    for (const item of parsed) {
      const existing = this.saved && item.id != null ? byId.get(item.id) : undefined;
      const draft = labelDraft(item, Boolean(existing), used);
      if (!item.color) used.push(draft.color);
      if (existing) {
        draft.original = existing.original;
        kept.add(existing.id);
      }
      next.push(draft);
    }
    for (const old of this.drafts) if (old.id !== null && !kept.has(old.id)) next.push({ ...old, deleted: true });
    this.drafts = next;
    this.rawError.textContent = "";
    this.rawBox.hidden = true;
    this.changed();
  }

  render() {
    replace(this.list, this.drafts.filter((d) => !d.deleted).map((d) => this.labelCard(d)));
    if (!this.drafts.some((d) => !d.deleted)) this.list.append(h("p", { class: "muted" }, "No labels yet."));
  }

  /** @param {LabelDraft} draft @returns {HTMLElement} */
  labelCard(draft) {
    const touch = () => this.onChange();
    const typeSelect = /** @type {HTMLSelectElement} */ (h("select", { "aria-label": "Label type", class: "label-type",
      disabled: draft.id !== null && draft.type === "skeleton" },
    LABEL_TYPES.filter((t) => draft.id === null || draft.type === "skeleton" || t !== "skeleton")
      .map((t) => h("option", { value: t, selected: t === draft.type }, t))));
    typeSelect.addEventListener("change", () => {
      draft.type = typeSelect.value;
      if (draft.type === "skeleton" && !draft.template) draft.template = { points: [{ id: null, name: "point 1", x: 30, y: 50 }, { id: null, name: "point 2", x: 70, y: 50 }], edges: [[0, 1]] };
      this.changed();
    });
    const attributes = h("div", { class: "attributes" },
      draft.attributes.filter((a) => !a.deleted).map((a) => this.attributeRow(draft, a)));
    return h("div", { class: "label-card", dataset: { labelName: draft.name } },
      h("div", { class: "row compact" },
        h("input", { type: "color", value: draft.color, "aria-label": "Label colour", class: "color",
          oninput: (/** @type {Event} */ e) => { draft.color = /** @type {HTMLInputElement} */ (e.target).value; touch(); } }),
        h("input", { class: "label-name", value: draft.name, placeholder: "Label name", "aria-label": "Label name",
          required: true, oninput: (/** @type {Event} */ e) => {
            draft.name = /** @type {HTMLInputElement} */ (e.target).value;
            /** @type {HTMLElement} */ (/** @type {HTMLElement} */ (e.target).closest(".label-card")).dataset.labelName = draft.name;
            touch();
          } }),
        typeSelect,
        h("button", { type: "button", class: "button small", onclick: () => {
          draft.attributes.push(attrDraft({ name: "", input_type: "select", values: [] }));
          this.changed();
        } }, "+ Attribute"),
        h("button", { type: "button", class: "icon-button danger", title: "Delete label", "aria-label": "Delete label",
          onclick: () => { draft.deleted = true; this.changed(); } }, icon("trash"))),
      attributes,
      draft.type === "skeleton" && draft.template
        ? new SkeletonEditor(draft.template, { locked: draft.id !== null, onChange: touch }).element : null);
  }

  /** @param {LabelDraft} label @param {AttrDraft} attr @returns {HTMLElement} */
  attributeRow(label, attr) {
    const touch = () => this.onChange();
    const valuesBox = h("span", { class: "attr-values" });
    const renderValues = () => replace(valuesBox, this.valueControls(attr, touch));
    const type = /** @type {HTMLSelectElement} */ (h("select", { "aria-label": "Input type", class: "attr-type" },
      INPUT_TYPES.map((t) => h("option", { value: t, selected: t === attr.input_type }, t))));
    type.addEventListener("change", () => {
      attr.input_type = type.value;
      attr.values = attr.input_type === "number" ? ["0", "10", "1"] : attr.input_type === "checkbox" ? ["false"] : [];
      attr.default_value = attr.values[0] ?? "";
      renderValues();
      touch();
    });
    renderValues();
    return h("div", { class: "attribute-row", dataset: { attrName: attr.name } },
      h("input", { value: attr.name, placeholder: "Attribute name", "aria-label": "Attribute name", class: "attr-name",
        oninput: (/** @type {Event} */ e) => {
          attr.name = /** @type {HTMLInputElement} */ (e.target).value;
          /** @type {HTMLElement} */ (/** @type {HTMLElement} */ (e.target).closest(".attribute-row")).dataset.attrName = attr.name;
          touch();
        } }),
      type, valuesBox,
      h("label", { class: "checkbox" }, h("input", { type: "checkbox", checked: attr.mutable,
        onchange: (/** @type {Event} */ e) => { attr.mutable = /** @type {HTMLInputElement} */ (e.target).checked; touch(); } }),
      "mutable"),
      h("button", { type: "button", class: "icon-button danger", title: "Delete attribute", "aria-label": "Delete attribute",
        onclick: () => { attr.deleted = true; if (attr.id === null) label.attributes.splice(label.attributes.indexOf(attr), 1); this.changed(); } }, "×"));
  }

  /**
   * The value controls for an attribute's input type.
   * @param {AttrDraft} attr
   * @param {() => void} touch
   * @returns {HTMLElement[]}
   */
  valueControls(attr, touch) {
    /** @param {Event} e */
    const value = (e) => /** @type {HTMLInputElement} */ (e.target).value;
    if (attr.input_type === "select" || attr.input_type === "radio") {
      const defaults = /** @type {HTMLSelectElement} */ (h("select", { "aria-label": "Default value", class: "attr-default" }));
      const fill = () => replace(defaults, attr.values.map((v) => h("option", { value: v, selected: v === attr.default_value }, v)));
      fill();
      defaults.addEventListener("change", () => { attr.default_value = defaults.value; touch(); });
      return [h("input", { value: attr.values.join(", "), placeholder: "values, comma-separated", "aria-label": "Values",
        class: "attr-values-input", oninput: (/** @type {Event} */ e) => {
          attr.values = [...new Set(value(e).split(",").map((v) => v.trim()).filter(Boolean))];
          if (!attr.values.includes(attr.default_value)) attr.default_value = attr.values[0] ?? "";
          fill();
          touch();
        } }), defaults];
    }
    if (attr.input_type === "number") {
      const [min = "0", max = "10", step = "1"] = attr.values;
      attr.values = [min, max, step];
      /** @param {number} i @param {string} name */
      const part = (i, name) => h("input", { type: "number", value: attr.values[i], "aria-label": name, class: "attr-num", step: "any",
        oninput: (/** @type {Event} */ e) => { attr.values[i] = value(e); if (i === 0) attr.default_value = value(e); touch(); } });
      return [part(0, "Minimum"), part(1, "Maximum"), part(2, "Step")];
    }
    if (attr.input_type === "checkbox") {
      attr.values = [attr.default_value === "true" ? "true" : "false"];
      return [h("select", { "aria-label": "Default value", class: "attr-default",
        onchange: (/** @type {Event} */ e) => { attr.default_value = value(e); attr.values = [attr.default_value]; touch(); } },
      h("option", { value: "false", selected: attr.default_value !== "true" }, "unchecked"),
      h("option", { value: "true", selected: attr.default_value === "true" }, "checked"))];
    }
    return [h("input", { value: attr.default_value, placeholder: "default text", "aria-label": "Default value", class: "attr-default",
      oninput: (/** @type {Event} */ e) => { attr.default_value = value(e); attr.values = [attr.default_value]; touch(); } })];
  }
}
