// Object filters as text, on CVAT's filter properties: ``label=="car" & (occluded==true | width>40)``.
//
// Properties: ``label``, ``type`` (shape, track or tag), ``shape`` (rectangle, polygon, …),
// ``occluded``, ``width``, ``height`` (of the bounding box, in pixels), ``serverID``, ``objectID``
// (the client id), and ``attr.NAME`` (an attribute's value; quote names with spaces:
// ``attr."two words"``). Operators (CVAT's): ``==``, ``!=``, ``<``, ``<=``, ``>``, ``>=``, ``like``
// (contains), ``starts with``, ``ends with`` (these three ignore case), ``in (a, b)``,
// ``not in (a, b)``, ``between (1, 5)``, ``not between (1, 5)`` (both ends included),
// ``is empty``, ``is not empty``. A value may be another property of the same object (CVAT's
// "field" values), written with ``@``: ``width>@height``, ``attr.doors!=@attr.seats``. Rules join with ``&``/``and`` and ``|``/``or`` (``&`` first),
// ``!``/``not`` negates, parentheses group. Values: "quoted", numbers, true/false, bare words.
//
// One model for the text box and the query builder (components/filter-dialog.js): text is read
// into a tree (``parseFilterTree``), a tree is written back as text (``formatFilter``) and
// compiled into a predicate (``compileFilter``); ``parseFilter`` does both steps.

import { shapeBox } from "./geometry.js";

/** A filter that cannot be read; ``message`` says where and why. */
export class FilterError extends Error {}

/**
 * @typedef {{label: string, type: string, shape: string, occluded: boolean, width: number, height: number,
 *            serverID: number | null, objectID: number, attr: Record<string, string>}} FilterRecord
 * @typedef {(record: FilterRecord) => boolean} Predicate
 * @typedef {{property: string, attr?: string}} FilterField a property (``attr`` naming the attribute)
 * @typedef {{kind: "rule", property: string, attr?: string, op: string, values: string[], field?: FilterField}} FilterRule
 *   ``property``: one of PROPERTIES (``attr`` with ``attr`` naming the attribute); ``values``: none for
 *   the "is empty" operators, two for "between", one or more for "in", one otherwise; or, for the
 *   one-value operators, ``field``: compare with another property of the object (``values`` empty)
 * @typedef {{kind: "group", join: "and" | "or", not: boolean, children: FilterNode[]}} FilterGroup
 * @typedef {FilterRule | FilterGroup} FilterNode
 */

/** The properties, as written in the text (the canonical spelling). */
export const PROPERTIES = ["label", "type", "shape", "occluded", "width", "height", "serverID", "objectID", "attr"];
/** Properties whose values are numbers. */
export const NUMERIC = new Set(["width", "height", "serverID", "objectID"]);
/** Every operator, as written in the text. */
export const OPERATORS = ["==", "!=", "<", "<=", ">", ">=", "like", "starts with", "ends with", "in", "not in",
  "between", "not between", "is empty", "is not empty"];
const SYMBOLS = ["==", "!=", "<=", ">=", "<", ">"];
const BY_LOWER = new Map(PROPERTIES.map((p) => [p.toLowerCase(), p]));
const OPERATOR_LIST = "an operator (==, !=, <, <=, >, >=, like, starts with, ends with, in, not in, between, not between, is empty, is not empty)";

/** @param {string} text @returns {boolean} */
const isNumber = (text) => text.trim() !== "" && Number.isFinite(Number(text));

/** @param {string} op @returns {number} how many values the operator takes (-1: one or more) */
export function arity(op) {
  if (op === "is empty" || op === "is not empty") return 0;
  if (op === "between" || op === "not between") return 2;
  if (op === "in" || op === "not in") return -1;
  return 1;
}

/**
 * @param {string} text
 * @returns {{kind: string, value: string, at: number}[]}
 */
function tokenize(text) {
  const tokens = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (/\s/.test(c)) { i += 1; continue; }
    const at = i;
    if (c === '"' || c === "'") {
      const end = text.indexOf(c, i + 1);
      if (end < 0) throw new FilterError(`Unclosed quote at ${at + 1}.`);
      tokens.push({ kind: "string", value: text.slice(i + 1, end), at });
      i = end + 1;
      continue;
    }
    const op = SYMBOLS.find((o) => text.startsWith(o, i));
    if (op) { tokens.push({ kind: "op", value: op, at }); i += op.length; continue; }
    const two = text.slice(i, i + 2);
    if (two === "&&" || two === "||") { tokens.push({ kind: two[0], value: two[0], at }); i += 2; continue; }
    if ("&|!().,@".includes(c)) { tokens.push({ kind: c, value: c, at }); i += 1; continue; }
    const word = /^-?\d+(\.\d+)?(?![A-Za-z_])/.exec(text.slice(i)) || /^[A-Za-z0-9_\-+]+/.exec(text.slice(i));
    if (!word) throw new FilterError(`Unexpected "${c}" at ${at + 1}.`);
    const value = word[0];
    const lower = value.toLowerCase();
    const kind = lower === "and" ? "&" : lower === "or" ? "|" : lower === "not" ? "!" : "word";
    tokens.push({ kind, value, at });
    i += value.length;
  }
  return tokens;
}

/**
 * Read a filter into its tree.
 * @param {string} text
 * @returns {FilterGroup | null} null for an empty filter (everything passes); otherwise a group
 * @throws {FilterError}
 */
export function parseFilterTree(text) {
  const tokens = tokenize(text);
  if (!tokens.length) return null;
  let pos = 0;
  const peek = (ahead = 0) => tokens[pos + ahead];
  /** @param {string} what */
  const fail = (what) => {
    const token = peek();
    throw new FilterError(token ? `Expected ${what} at ${token.at + 1}, found "${token.value}".` : `Expected ${what} at the end.`);
  };
  /** @param {"and" | "or"} join @param {FilterNode[]} children @returns {FilterNode} */
  const group = (join, children) => (children.length === 1 ? children[0] : { kind: "group", join, not: false, children });
  /** @returns {FilterNode} */
  const or = () => {
    const children = [and()];
    while (peek()?.kind === "|") {
      pos += 1;
      children.push(and());
    }
    return group("or", children);
  };
  /** @returns {FilterNode} */
  const and = () => {
    const children = [unary()];
    while (peek()?.kind === "&") {
      pos += 1;
      children.push(unary());
    }
    return group("and", children);
  };
  /** @returns {FilterNode} */
  const unary = () => {
    const token = peek();
    if (token?.kind === "!") {
      pos += 1;
      const inner = unary();
      if (inner.kind === "group") return { ...inner, not: !inner.not };
      return { kind: "group", join: "and", not: true, children: [inner] };
    }
    if (token?.kind === "(") {
      pos += 1;
      const inner = or();
      if (peek()?.kind !== ")") fail('")"');
      pos += 1;
      // Parentheses keep a group of their own, so that the builder shows what the text grouped.
      return inner.kind === "group" ? inner : { kind: "group", join: "and", not: false, children: [inner] };
    }
    return rule();
  };
  /** @returns {{value: string, at: number}} */
  const value = () => {
    const token = peek();
    if (token?.kind !== "word" && token?.kind !== "string") fail("a value");
    pos += 1;
    return token;
  };
  /** @returns {string} the operator after a property */
  const operator = () => {
    const token = peek();
    const word = (/** @type {number} */ ahead) => {
      const t = peek(ahead);
      return t && (t.kind === "word" || t.kind === "!") ? t.value.toLowerCase() : "";
    };
    if (token?.kind === "op") { pos += 1; return token.value; }
    const first = word(0);
    const phrases = [["is", "not", "empty"], ["is", "empty"], ["not", "between"], ["not", "in"], ["starts", "with"],
      ["ends", "with"], ["between"], ["in"], ["like"]];
    const phrase = phrases.find((p) => p.every((w, k) => word(k) === w));
    if (!first || !phrase) fail(OPERATOR_LIST);
    pos += /** @type {string[]} */ (phrase).length;
    return /** @type {string[]} */ (phrase).join(" ");
  };
  /** @returns {FilterRule} */
  /** @returns {FilterField} */
  const subject = () => {
    const token = peek();
    if (token?.kind !== "word") fail("a property (label, type, shape, occluded, width, height, serverID, objectID, attr.NAME)");
    pos += 1;
    const property = BY_LOWER.get(token.value.toLowerCase());
    if (!property) throw new FilterError(`Unknown property "${token.value}" at ${token.at + 1}.`);
    if (property !== "attr") return { property };
    if (peek()?.kind !== ".") fail('"." and an attribute name');
    pos += 1;
    const attr = peek();
    if (attr?.kind !== "word" && attr?.kind !== "string") fail("an attribute name");
    pos += 1;
    return { property, attr: attr.value };
  };
  /** @returns {FilterRule} */
  const rule = () => {
    /** @type {FilterRule} */
    const node = { kind: "rule", ...subject(), op: "", values: [] };
    const opAt = peek()?.at ?? 0;
    node.op = operator();
    const count = arity(node.op);
    if (count === 1 && peek()?.kind === "@") {
      pos += 1;
      node.field = subject();
    } else if (count === 1) node.values.push(value().value);
    else if (count !== 0) {
      if (peek()?.kind !== "(") fail(`"(" and the values of "${node.op}"`);
      pos += 1;
      node.values.push(value().value);
      while (peek()?.kind === ",") {
        pos += 1;
        node.values.push(value().value);
      }
      if (peek()?.kind !== ")") fail(count === 2 ? '"," and a second value' : '"," or ")"');
      pos += 1;
    }
    const problem = ruleProblem(node);
    if (problem) throw new FilterError(`At ${opAt + 1}: ${problem}`);
    return node;
  };
  const tree = or();
  if (pos < tokens.length) fail('"&", "|" or the end');
  return tree.kind === "group" ? tree : { kind: "group", join: "and", not: false, children: [tree] };
}

/**
 * What is wrong with a rule's values, in words, or null.
 * @param {FilterRule} rule
 * @returns {string | null}
 */
export function ruleProblem(rule) {
  const name = rule.property === "attr" ? `attribute "${rule.attr ?? ""}"` : rule.property;
  if (rule.property === "attr" && !rule.attr) return "Choose an attribute.";
  if (!OPERATORS.includes(rule.op)) return `Choose an operator for ${name}.`;
  const count = arity(rule.op);
  if (rule.field) {
    if (count !== 1) return `"${rule.op}" compares with values, not with another property.`;
    if (!PROPERTIES.includes(rule.field.property)) return `Choose the property to compare ${name} with.`;
    if (rule.field.property === "attr" && !rule.field.attr) return `Choose the attribute to compare ${name} with.`;
    return null;
  }
  if (count === 0) return rule.values.length ? `"${rule.op}" takes no value.` : null;
  if (!rule.values.length || rule.values.some((v) => v.trim() === "")) {
    return count === 2 ? `Enter both ends of the range of ${name}.` : `Enter a value for ${name}.`;
  }
  if (count === 2 && rule.values.length !== 2) return `"${rule.op}" takes two values: the range's ends.`;
  if (count === 1 && rule.values.length !== 1) return `"${rule.op}" takes one value.`;
  const textual = rule.op === "like" || rule.op.endsWith(" with");
  const bad = rule.values.find((v) => !isNumber(v));
  if (bad !== undefined && ((NUMERIC.has(rule.property) && !textual) || count === 2)) return `${name} takes numbers, not "${bad}".`;
  if (count === 2 && Number(rule.values[0]) > Number(rule.values[1])) {
    return `The range of ${name} starts after it ends (${rule.values[0]} > ${rule.values[1]}).`;
  }
  if (rule.property === "occluded" && rule.values.some((v) => v !== "true" && v !== "false")) return "occluded is true or false.";
  if (rule.values.some((v) => v.includes('"') && v.includes("'"))) return "A value cannot hold both kinds of quotes.";
  return null;
}

/** @param {string} text @returns {string} a word as it is, anything else quoted */
function quote(text) {
  if (/^-?\d+(\.\d+)?$/.test(text) || (/^[A-Za-z0-9_\-+]+$/.test(text) && !/^(and|or|not)$/i.test(text) && /^[A-Za-z_]/.test(text))) {
    return text;
  }
  return text.includes('"') ? `'${text}'` : `"${text}"`;
}

/** @param {FilterField} field @returns {string} */
const fieldText = (field) => (field.property === "attr" ? `attr.${quote(field.attr ?? "")}` : field.property);

/** @param {FilterField} field @returns {(r: FilterRecord) => any} */
function getter(field) {
  const key = /** @type {keyof FilterRecord} */ (field.property);
  const name = field.attr ?? "";
  return field.property === "attr" ? (r) => r.attr[name] : (r) => r[key];
}

/**
 * Write a tree as text (read back by ``parseFilterTree`` into the same tree).
 * @param {FilterNode | null} node
 * @returns {string}
 */
export function formatFilter(node) {
  if (!node) return "";
  if (node.kind === "rule") {
    const subject = fieldText(node);
    const count = arity(node.op);
    if (node.field) return SYMBOLS.includes(node.op) ? `${subject}${node.op}@${fieldText(node.field)}` : `${subject} ${node.op} @${fieldText(node.field)}`;
    // Labels and other text values are quoted, as CVAT writes them; numbers and true/false are not.
    const value = (/** @type {string} */ v) => (/^-?\d+(\.\d+)?$/.test(v) || v === "true" || v === "false" ? v
      : v.includes('"') ? `'${v}'` : `"${v}"`);
    if (count === 0) return `${subject} ${node.op}`;
    if (count === 1) return SYMBOLS.includes(node.op) ? `${subject}${node.op}${value(node.values[0])}` : `${subject} ${node.op} ${value(node.values[0])}`;
    return `${subject} ${node.op} (${node.values.map(value).join(", ")})`;
  }
  const parts = node.children.map((child) => {
    const text = formatFilter(child);
    return child.kind === "group" && !child.not ? `(${text})` : text;
  });
  const joined = parts.join(node.join === "and" ? " & " : " | ");
  return node.not ? `!(${joined})` : joined;
}

/**
 * What a filter sees of an object.
 * @param {any} obj a store object (``kind``: shape, track or tag; ``sid``, ``cid``)
 * @param {any} shape its state on the frame shown
 * @param {any} label its label (with ``attributes``), or null
 * @returns {FilterRecord}
 */
export function filterRecord(obj, shape, label) {
  const names = new Map((label?.attributes || []).map((/** @type {any} */ a) => [a.id, a.name]));
  /** @type {Record<string, string>} */
  const attr = {};
  for (const a of shape.attributes || []) attr[names.get(a.spec_id) ?? String(a.spec_id)] = a.value;
  const box = obj.kind === "tag" || !shape.points?.length && shape.type !== "skeleton" ? [0, 0, 0, 0] : shapeBox(shape);
  return { label: label?.name ?? "", type: obj.kind, shape: obj.kind === "tag" ? "" : shape.type, occluded: Boolean(shape.occluded),
    width: Math.round(box[2] - box[0]), height: Math.round(box[3] - box[1]), serverID: obj.sid, objectID: obj.cid, attr };
}

/**
 * Read a filter.
 * @param {string} text
 * @returns {Predicate | null} null for an empty filter (everything passes)
 * @throws {FilterError}
 */
export function parseFilter(text) {
  const tree = parseFilterTree(text);
  return tree ? compileFilter(tree) : null;
}

/**
 * @param {FilterNode} node
 * @returns {Predicate}
 */
export function compileFilter(node) {
  if (node.kind === "rule") {
    const get = getter(node);
    if (node.field) {
      const other = getter(node.field);
      const op = node.op;
      return (r) => {
        const value = other(r);
        if (value === undefined || value === null || value === "") return op === "!=";
        const text = String(value);
        return matches(get(r), op, [text], [text.toLowerCase()]);
      };
    }
    return compare(get, node.op, node.values);
  }
  const children = node.children.map(compileFilter);
  const test = node.join === "and" ? (/** @type {FilterRecord} */ r) => children.every((c) => c(r))
    : (/** @type {FilterRecord} */ r) => children.some((c) => c(r));
  return node.not ? (r) => !test(r) : test;
}

/**
 * @param {any} actual @param {string} expected
 * @returns {number} <0, 0, >0 as actual is below, equal to or above expected (numbers when both are)
 */
function order(actual, expected) {
  if (isNumber(expected) && (typeof actual === "number" || isNumber(String(actual)))) return Number(actual) - Number(expected);
  const a = String(actual);
  return a < expected ? -1 : a > expected ? 1 : 0;
}

/**
 * @param {(r: FilterRecord) => any} get @param {string} op @param {string[]} values
 * @returns {Predicate}
 */
function compare(get, op, values) {
  const lower = values.map((v) => v.toLowerCase());
  return (record) => matches(get(record), op, values, lower);
}

/**
 * Whether a property's value passes an operator.
 * @param {any} actual @param {string} op @param {string[]} values @param {string[]} lower the values in lower case
 * @returns {boolean}
 */
function matches(actual, op, values, lower) {
  const [expected] = values;
  const empty = actual === undefined || actual === null || actual === "";
  if (op === "is empty") return empty;
  if (op === "is not empty") return !empty;
  if (actual === undefined || actual === null) return op === "!=" || op === "not in" || op === "not between";
  const text = String(actual).toLowerCase();
  switch (op) {
    case "like": return text.includes(lower[0]);
    case "starts with": return text.startsWith(lower[0]);
    case "ends with": return text.endsWith(lower[0]);
    case "in": return values.some((v) => order(actual, v) === 0);
    case "not in": return !values.some((v) => order(actual, v) === 0);
    case "between": return order(actual, values[0]) >= 0 && order(actual, values[1]) <= 0;
    case "not between": return !(order(actual, values[0]) >= 0 && order(actual, values[1]) <= 0);
    case "==": return order(actual, expected) === 0;
    case "!=": return order(actual, expected) !== 0;
    case "<": return order(actual, expected) < 0;
    case "<=": return order(actual, expected) <= 0;
    case ">": return order(actual, expected) > 0;
    default: return order(actual, expected) >= 0;
  }
}
