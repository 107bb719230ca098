// Object filters as text, on CVAT's filter properties: ``label=="car" & (occluded==true | width>40)``.
//
// Properties: ``label``, ``type`` (shape, track or tag), ``shape`` (rectangle, polygon, …),
// ``occluded``, ``width``, ``height`` (of the bounding box, in pixels), ``serverID``, ``objectID``
// (the client id), and ``attr.NAME`` (an attribute's value; quote names with spaces:
// ``attr."two words"``). Operators: ``==``, ``!=``, ``<``, ``<=``, ``>``, ``>=``, ``like``
// (contains, ignoring case). Rules join with ``&``/``and`` and ``|``/``or`` (``&`` first),
// ``!``/``not`` negates, parentheses group. Values: "quoted", numbers, true/false, bare words.

/** A filter that cannot be read; ``message`` says where and why. */
export class FilterError extends Error {}

/**
 * @typedef {{label: string, type: string, shape: string, occluded: boolean, width: number, height: number,
 *            serverID: number | null, objectID: number, attr: Record<string, string>}} FilterRecord
 * @typedef {(record: FilterRecord) => boolean} Predicate
 */

const PROPERTIES = new Set(["label", "type", "shape", "occluded", "width", "height", "serverid", "objectid"]);
const OPERATORS = ["==", "!=", "<=", ">=", "<", ">"];

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
    const op = OPERATORS.find((o) => text.startsWith(o, i));
    if (op) { tokens.push({ kind: "op", value: op, at }); i += op.length; continue; }
    const two = text.slice(i, i + 2);
    if (two === "&&" || two === "||") { tokens.push({ kind: two[0], value: two[0], at }); i += 2; continue; }
    if ("&|!().".includes(c)) { tokens.push({ kind: c, value: c, at }); i += 1; continue; }
    const word = /^-?\d+(\.\d+)?(?![A-Za-z_])/.exec(text.slice(i)) || /^[A-Za-z0-9_\-+]+/.exec(text.slice(i));
    if (!word) throw new FilterError(`Unexpected "${c}" at ${at + 1}.`);
    const value = word[0];
    const lower = value.toLowerCase();
    const kind = lower === "and" ? "&" : lower === "or" ? "|" : lower === "not" ? "!" : lower === "like" ? "op" : "word";
    tokens.push({ kind, value: kind === "op" ? "like" : value, at });
    i += value.length;
  }
  return tokens;
}

/**
 * Read a filter.
 * @param {string} text
 * @returns {Predicate | null} null for an empty filter (everything passes)
 * @throws {FilterError}
 */
export function parseFilter(text) {
  const tokens = tokenize(text);
  if (!tokens.length) return null;
  let pos = 0;
  const peek = () => tokens[pos];
  /** @param {string} what */
  const fail = (what) => {
    const token = peek();
    throw new FilterError(token ? `Expected ${what} at ${token.at + 1}, found "${token.value}".` : `Expected ${what} at the end.`);
  };
  /** @returns {Predicate} */
  const or = () => {
    let left = and();
    while (peek()?.kind === "|") {
      pos += 1;
      const a = left;
      const b = and();
      left = (r) => a(r) || b(r);
    }
    return left;
  };
  /** @returns {Predicate} */
  const and = () => {
    let left = unary();
    while (peek()?.kind === "&") {
      pos += 1;
      const a = left;
      const b = unary();
      left = (r) => a(r) && b(r);
    }
    return left;
  };
  /** @returns {Predicate} */
  const unary = () => {
    const token = peek();
    if (token?.kind === "!") {
      pos += 1;
      const inner = unary();
      return (r) => !inner(r);
    }
    if (token?.kind === "(") {
      pos += 1;
      const inner = or();
      if (peek()?.kind !== ")") fail('")"');
      pos += 1;
      return inner;
    }
    return rule();
  };
  /** @returns {Predicate} */
  const rule = () => {
    const token = peek();
    if (token?.kind !== "word") fail("a property (label, type, shape, occluded, width, height, serverID, objectID, attr.NAME)");
    pos += 1;
    /** @type {(r: FilterRecord) => any} */
    let get;
    const name = token.value.toLowerCase();
    if (name === "attr") {
      if (peek()?.kind !== ".") fail('"." and an attribute name');
      pos += 1;
      const attr = peek();
      if (attr?.kind !== "word" && attr?.kind !== "string") fail("an attribute name");
      pos += 1;
      get = (r) => r.attr[attr.value];
    } else if (PROPERTIES.has(name)) {
      const key = /** @type {keyof FilterRecord} */ ({ serverid: "serverID", objectid: "objectID" }[name] ?? name);
      get = (r) => r[key];
    } else {
      throw new FilterError(`Unknown property "${token.value}" at ${token.at + 1}.`);
    }
    const op = peek();
    if (op?.kind !== "op") fail("an operator (==, !=, <, <=, >, >=, like)");
    pos += 1;
    const value = peek();
    if (value?.kind !== "word" && value?.kind !== "string") fail("a value");
    pos += 1;
    return compare(get, op.value, value.value);
  };
  const predicate = or();
  if (pos < tokens.length) fail('"&", "|" or the end');
  return predicate;
}

/**
 * @param {(r: FilterRecord) => any} get @param {string} op @param {string} expected
 * @returns {Predicate}
 */
function compare(get, op, expected) {
  const number = Number(expected);
  const numeric = expected.trim() !== "" && Number.isFinite(number);
  return (record) => {
    const actual = get(record);
    if (actual === undefined || actual === null) return op === "!=";
    if (op === "like") return String(actual).toLowerCase().includes(expected.toLowerCase());
    if (numeric && (typeof actual === "number" || (String(actual).trim() !== "" && Number.isFinite(Number(actual))))) {
      const a = Number(actual);
      switch (op) {
        case "==": return a === number;
        case "!=": return a !== number;
        case "<": return a < number;
        case "<=": return a <= number;
        case ">": return a > number;
        default: return a >= number;
      }
    }
    const a = String(actual);
    switch (op) {
      case "==": return a === expected;
      case "!=": return a !== expected;
      case "<": return a < expected;
      case "<=": return a <= expected;
      case ">": return a > expected;
      default: return a >= expected;
    }
  };
}
