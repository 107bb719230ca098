// CVAT's filter query builder: rules (property, operator, and a value or another property, CVAT's
// "field") in AND/OR groups, groups inside groups, "Not" on a group, the last 10 filters used. It edits the same tree the filter box's text
// is read into (annotation/filter.js), so the dialog opens on the box's filter and answers text.

import { h, replace } from "../dom.js";
import { Dialog } from "./dialog.js";
import { FilterError, arity, formatFilter, parseFilterTree, ruleProblem } from "../annotation/filter.js";

/** How many filters the "Recent" list keeps (CVAT's number). */
export const RECENT_LIMIT = 10;
const SHAPE_TYPES = ["rectangle", "polygon", "polyline", "points", "ellipse", "cuboid", "mask", "skeleton"];
const PROPERTY_NAMES = { label: "Label", type: "Type", shape: "Shape", occluded: "Occluded", width: "Width", height: "Height",
  serverID: "Server ID", objectID: "Object ID", attr: "Attribute" };
const OPERATOR_NAMES = { "==": "equals", "!=": "not equal", "<": "less", "<=": "less or equal", ">": "more", ">=": "more or equal",
  like: "like (contains)", "starts with": "starts with", "ends with": "ends with", in: "any in", "not in": "not in",
  between: "between", "not between": "not between", "is empty": "is empty", "is not empty": "is not empty" };
const EMPTY = ["is empty", "is not empty"];
const OPERATORS_BY_KIND = {
  select: ["==", "!=", "in", "not in", "like", "starts with", "ends with"],
  boolean: ["==", "!="],
  number: ["==", "!=", "<", "<=", ">", ">=", "between", "not between", "in", "not in"],
  text: ["==", "!=", "like", "starts with", "ends with", "in", "not in"],
};

/**
 * @typedef {import("../annotation/filter.js").FilterRule} FilterRule
 * @typedef {import("../annotation/filter.js").FilterGroup} FilterGroup
 * @typedef {{id: number, name: string, attributes?: {name: string, input_type: string, values: string[]}[]}} LabelSpec
 * @typedef {{kind: "select" | "boolean" | "number" | "text", choices: string[], empty: boolean}} Field
 *   what a property's values are: ``choices`` for a select, ``empty``: whether "is empty" makes sense
 */

/** @param {string | number | null | undefined} user */
const storageKey = (user) => `inklab.filters.${user ?? "anonymous"}`;

/**
 * The filters the user applied last, newest first.
 * @param {string | number | null | undefined} user @returns {string[]}
 */
export function recentFilters(user) {
  try {
    const stored = JSON.parse(localStorage.getItem(storageKey(user)) || "[]");
    return Array.isArray(stored) ? stored.filter((s) => typeof s === "string" && s).slice(0, RECENT_LIMIT) : [];
  } catch {
    return [];
  }
}

/**
 * Put a filter first in the recent list (once; the list keeps RECENT_LIMIT).
 * @param {string | number | null | undefined} user @param {string} text
 */
export function rememberFilter(user, text) {
  if (!text.trim()) return;
  const list = [text, ...recentFilters(user).filter((t) => t !== text)].slice(0, RECENT_LIMIT);
  try {
    localStorage.setItem(storageKey(user), JSON.stringify(list));
  } catch {
    // Storage full or disabled: the list lasts for this page only.
  }
}

/**
 * What the values of each property are, from the task's labels.
 * @param {LabelSpec[]} labels
 * @returns {(rule: FilterRule) => Field}
 */
function fields(labels) {
  /** @type {Map<string, {input_type: string, values: string[]}>} */
  const attributes = new Map();
  for (const label of labels) {
    for (const a of label.attributes || []) if (!attributes.has(a.name)) attributes.set(a.name, a);
  }
  return (rule) => {
    switch (rule.property) {
      case "label": return { kind: "select", choices: [...new Set(labels.map((l) => l.name))], empty: false };
      case "type": return { kind: "select", choices: ["shape", "track", "tag"], empty: false };
      case "shape": return { kind: "select", choices: SHAPE_TYPES, empty: false };
      case "occluded": return { kind: "boolean", choices: [], empty: false };
      case "serverID": return { kind: "number", choices: [], empty: true };
      case "attr": {
        const spec = attributes.get(rule.attr ?? "");
        const type = spec?.input_type ?? "text";
        if (type === "select" || type === "radio") return { kind: "select", choices: spec?.values ?? [], empty: true };
        if (type === "checkbox") return { kind: "boolean", choices: [], empty: true };
        return { kind: type === "number" ? "number" : "text", choices: [], empty: true };
      }
      default: return { kind: "number", choices: [], empty: false };
    }
  };
}

/** @param {Field} field @returns {string[]} */
const operatorsOf = (field) => [...OPERATORS_BY_KIND[field.kind], ...(field.empty ? EMPTY : [])];

/** @param {Field} field @param {string} op @returns {string[]} the values a new rule starts with */
function startValues(field, op) {
  const count = arity(op);
  if (count === 0) return [];
  if (count === 2) return ["", ""];
  if (field.kind === "boolean") return ["true"];
  if (field.kind === "select" && (op === "==" || op === "!=")) return field.choices.length ? [field.choices[0]] : [""];
  return count === -1 ? [] : [""];
}

/**
 * Open the query builder on a filter. (Whoever applies the answer calls ``rememberFilter``.)
 * @param {{text: string, labels: LabelSpec[], user?: string | number | null}} options
 * @returns {Promise<string | null>} the filter to apply ("" to clear it), or null when cancelled
 */
export function openFilterDialog({ text, labels, user }) {
  const fieldOf = fields(labels);
  const attributeNames = [...new Set(labels.flatMap((l) => (l.attributes || []).map((a) => a.name)))];
  /** @type {FilterGroup} */
  let root = { kind: "group", join: "and", not: false, children: [] };
  let note = "";
  try {
    root = parseFilterTree(text) ?? root;
  } catch (error) {
    if (!(error instanceof FilterError)) throw error;
    note = `The filter box's text cannot be read (${error.message}); the builder starts empty.`;
  }

  /** @returns {FilterRule} */
  const newRule = () => {
    /** @type {FilterRule} */
    const rule = { kind: "rule", property: "label", op: "==", values: [] };
    rule.values = startValues(fieldOf(rule), rule.op);
    return rule;
  };
  const preview = h("output", { class: "filter-text", "aria-label": "Filter as text" });
  const problem = h("p", { class: "form-error small filter-problem", role: "alert" });
  const tree = h("div", { class: "filter-tree" });
  const submit = /** @type {HTMLButtonElement} */ (h("button", { type: "button", class: "button primary filter-submit" }, "Submit"));
  /** @type {string | null} */
  let answer = null;

  /**
   * The text of the tree, or why it cannot be made.
   * @returns {{text: string, error: string | null}}
   */
  const compose = () => {
    let count = 0;
    /** @param {FilterGroup} group @param {boolean} top @returns {string | null} */
    const check = (group, top) => {
      if (!group.children.length && !top) return "A group has no rules: add a rule to it or remove it.";
      for (const child of group.children) {
        if (child.kind === "group") {
          const inner = check(child, false);
          if (inner) return inner;
        } else {
          count += 1;
          const why = ruleProblem(child);
          if (why) return `Rule ${count}: ${why}`;
        }
      }
      return null;
    };
    const error = check(root, true);
    if (error) return { text: "", error };
    const text = formatFilter(root.children.length ? root : null);
    try {
      parseFilterTree(text);
    } catch (e) {
      if (!(e instanceof FilterError)) throw e;
      return { text: "", error: e.message };
    }
    return { text, error: null };
  };
  const update = () => {
    const { text: composed, error } = compose();
    preview.textContent = error ? "—" : composed || "(no filter: every object is shown)";
    problem.textContent = error || "";
    submit.disabled = Boolean(error);
  };
  const render = () => {
    replace(tree, groupView(root, null));
    update();
  };

  /**
   * @param {FilterGroup} group @param {FilterGroup | null} parent
   * @returns {HTMLElement}
   */
  const groupView = (group, parent) => {
    const join = /** @type {HTMLSelectElement} */ (h("select", { class: "group-join", "aria-label": "Join rules with" },
      h("option", { value: "and", selected: group.join === "and" }, "AND"), h("option", { value: "or", selected: group.join === "or" }, "OR")));
    join.addEventListener("change", () => { group.join = /** @type {"and" | "or"} */ (join.value); update(); });
    const not = /** @type {HTMLInputElement} */ (h("input", { type: "checkbox", class: "group-not", checked: group.not }));
    not.addEventListener("change", () => { group.not = not.checked; update(); });
    return h("fieldset", { class: `filter-group ${parent ? "nested" : "root"}` },
      h("div", { class: "row compact group-head" }, join, h("label", { class: "check" }, not, " Not"),
        h("button", { type: "button", class: "button small add-rule", onclick: () => { group.children.push(newRule()); render(); } }, "+ Rule"),
        h("button", { type: "button", class: "button small add-group", onclick: () => {
          group.children.push({ kind: "group", join: "and", not: false, children: [newRule()] });
          render();
        } }, "+ Group"),
        parent && h("button", { type: "button", class: "icon-button remove-group", title: "Remove the group", "aria-label": "Remove the group",
          onclick: () => { parent.children.splice(parent.children.indexOf(group), 1); render(); } }, "×")),
      h("div", { class: "group-children" }, group.children.map((child) => (child.kind === "group" ? groupView(child, group)
        : ruleView(child, group)))));
  };

  /**
   * @param {FilterRule} rule @param {FilterGroup} parent
   * @returns {HTMLElement}
   */
  const ruleView = (rule, parent) => {
    const field = fieldOf(rule);
    const property = /** @type {HTMLSelectElement} */ (h("select", { class: "rule-property", "aria-label": "Property" },
      Object.entries(PROPERTY_NAMES).map(([value, name]) => h("option", { value, selected: rule.property === value }, name))));
    property.addEventListener("change", () => {
      rule.property = property.value;
      if (rule.property === "attr") rule.attr = rule.attr || attributeNames[0] || "";
      else delete rule.attr;
      delete rule.field;
      const next = fieldOf(rule);
      if (!operatorsOf(next).includes(rule.op)) rule.op = "==";
      rule.values = startValues(next, rule.op);
      render();
    });
    const attribute = rule.property === "attr" ? /** @type {HTMLSelectElement} */ (h("select", { class: "rule-attribute", "aria-label": "Attribute" },
      [...new Set([...attributeNames, rule.attr ?? ""])].filter(Boolean)
        .map((name) => h("option", { value: name, selected: rule.attr === name }, name)))) : null;
    attribute?.addEventListener("change", () => {
      rule.attr = attribute.value;
      delete rule.field;
      const next = fieldOf(rule);
      if (!operatorsOf(next).includes(rule.op)) rule.op = "==";
      rule.values = startValues(next, rule.op);
      render();
    });
    const ops = operatorsOf(field);
    const operator = /** @type {HTMLSelectElement} */ (h("select", { class: "rule-operator", "aria-label": "Operator" },
      [...new Set([...ops, rule.op])].map((op) => h("option", { value: op, selected: rule.op === op },
        OPERATOR_NAMES[/** @type {keyof typeof OPERATOR_NAMES} */ (op)] ?? op))));
    operator.addEventListener("change", () => {
      const before = arity(rule.op);
      rule.op = operator.value;
      if (arity(rule.op) !== 1) delete rule.field;
      if (!rule.field && (arity(rule.op) !== before || field.kind === "select")) rule.values = startValues(field, rule.op);
      render();
    });
    return h("div", { class: "filter-rule row compact" }, property, attribute, operator,
      arity(rule.op) === 1 ? sourceSelect(rule, field) : null, rule.field ? fieldSelect(rule) : valueInputs(rule, field),
      h("button", { type: "button", class: "icon-button remove-rule", title: "Remove the rule", "aria-label": "Remove the rule",
        onclick: () => { parent.children.splice(parent.children.indexOf(rule), 1); render(); } }, "×"));
  };

  /**
   * Whether a one-value rule compares with a value or with another property (CVAT's "field").
   * @param {FilterRule} rule @param {Field} field
   * @returns {HTMLSelectElement}
   */
  const sourceSelect = (rule, field) => {
    const select = /** @type {HTMLSelectElement} */ (h("select", { class: "rule-source", "aria-label": "Compare with" },
      h("option", { value: "value", selected: !rule.field }, "value"), h("option", { value: "field", selected: Boolean(rule.field) }, "field")));
    select.addEventListener("change", () => {
      if (select.value === "field") {
        rule.field = { property: rule.property === "width" ? "height" : "width" };
        rule.values = [];
      } else {
        delete rule.field;
        rule.values = startValues(field, rule.op);
      }
      render();
    });
    return select;
  };

  /**
   * The other property a rule compares with.
   * @param {FilterRule} rule
   * @returns {HTMLSelectElement}
   */
  const fieldSelect = (rule) => {
    const current = rule.field ? (rule.field.property === "attr" ? `attr.${rule.field.attr}` : rule.field.property) : "";
    const choices = [...Object.entries(PROPERTY_NAMES).filter(([p]) => p !== "attr"),
      ...[...new Set([...attributeNames, ...(rule.field?.property === "attr" ? [rule.field.attr ?? ""] : [])])]
        .filter(Boolean).map((name) => [`attr.${name}`, `Attribute ${name}`])];
    const select = /** @type {HTMLSelectElement} */ (h("select", { class: "rule-field", "aria-label": "Other property" },
      choices.map(([value, name]) => h("option", { value, selected: value === current }, name))));
    select.addEventListener("change", () => {
      rule.field = select.value.startsWith("attr.") ? { property: "attr", attr: select.value.slice(5) } : { property: select.value };
      update();
    });
    return select;
  };

  /**
   * The inputs of a rule's values, as its property's values are (a select, a checkbox, numbers, text).
   * @param {FilterRule} rule @param {Field} field
   * @returns {HTMLElement[]}
   */
  const valueInputs = (rule, field) => {
    const count = arity(rule.op);
    if (count === 0) return [];
    const textual = rule.op === "like" || rule.op.endsWith(" with");
    /** @param {HTMLInputElement | HTMLSelectElement} input @param {() => string[]} read */
    const bind = (input, read) => {
      input.addEventListener(input instanceof HTMLSelectElement || input.type === "checkbox" ? "change" : "input", () => {
        rule.values = read();
        update();
      });
      return input;
    };
    if (count === 2) {
      const ends = [0, 1].map((i) => /** @type {HTMLInputElement} */ (h("input", { type: "number", class: "rule-value", step: "any",
        value: rule.values[i] ?? "", "aria-label": i ? "To" : "From" })));
      return ends.map((input) => bind(input, () => ends.map((e) => e.value)));
    }
    if (field.kind === "select" && !textual) {
      const choices = [...new Set([...field.choices, ...rule.values])];
      const select = /** @type {HTMLSelectElement} */ (h("select", { class: "rule-value", "aria-label": "Value", multiple: count === -1 },
        choices.map((c) => h("option", { value: c, selected: rule.values.includes(c) }, c))));
      return [bind(select, () => [...select.selectedOptions].map((o) => o.value))];
    }
    if (field.kind === "boolean") {
      const box = /** @type {HTMLInputElement} */ (h("input", { type: "checkbox", class: "rule-value", "aria-label": "Value",
        checked: rule.values[0] === "true" }));
      return [h("label", { class: "check" }, bind(box, () => [String(box.checked)]), " true")];
    }
    if (count === -1) {
      const input = /** @type {HTMLInputElement} */ (h("input", { type: "text", class: "rule-value", value: rule.values.join(", "),
        placeholder: "values, separated by commas", "aria-label": "Values" }));
      return [bind(input, () => input.value.split(",").map((v) => v.trim()).filter((v, i, all) => v || all.length === 1))];
    }
    const input = /** @type {HTMLInputElement} */ (h("input", { type: field.kind === "number" && !textual ? "number" : "text",
      class: "rule-value", value: rule.values[0] ?? "", step: "any", "aria-label": "Value" }));
    return [bind(input, () => [input.value])];
  };

  const recent = recentFilters(user);
  const recentSelect = /** @type {HTMLSelectElement} */ (h("select", { class: "filter-recent", "aria-label": "Recent filters",
    disabled: !recent.length },
  h("option", { value: "" }, recent.length ? "Recently used…" : "No recent filters"),
  recent.map((t) => h("option", { value: t }, t))));
  recentSelect.addEventListener("change", () => {
    if (!recentSelect.value) return;
    try {
      root = parseFilterTree(recentSelect.value) ?? { kind: "group", join: "and", not: false, children: [] };
      note = "";
    } catch (error) {
      if (!(error instanceof FilterError)) throw error;
      note = error.message;
    }
    noteText.textContent = note;
    render();
  });
  const noteText = h("p", { class: "muted small filter-note" }, note);

  return new Promise((resolve) => {
    const form = h("form", { class: "filter-form", onsubmit: (/** @type {Event} */ e) => {
      e.preventDefault();
      const { text: composed, error } = compose();
      if (error) return;
      answer = composed;
      dialog.close();
    } }, recentSelect, noteText, tree, h("div", { class: "filter-preview" }, h("span", { class: "muted small" }, "Text: "), preview),
    problem);
    const dialog = new Dialog({
      title: "Filter objects",
      wide: true,
      className: "filter-dialog",
      body: [form],
      actions: [
        h("button", { type: "button", class: "button filter-clear", onclick: () => { answer = ""; dialog.close(); } }, "Clear filter"),
        h("span", { class: "spacer" }),
        h("button", { type: "button", class: "button filter-cancel", onclick: () => dialog.close() }, "Cancel"),
        submit,
      ],
      onClose: () => resolve(answer),
    });
    submit.addEventListener("click", () => form.requestSubmit());
    // The workspace's shortcuts stay off while the dialog is open.
    dialog.element.addEventListener("keydown", (e) => e.stopPropagation());
    dialog.open();
    render();
  });
}
