// Skeleton templates: the layout of a skeleton label's points, stored in the label's ``svg``.
//
// The SVG uses CVAT's conventions: one <circle> per point with ``data-node-id`` (1-based, in
// the order of the label's sublabels) and usually ``data-label-name``/``data-label-id``, and one
// <line> per edge with ``data-node-from`` / ``data-node-to``. Coordinates live in a 0..100 box.

/**
 * @typedef {{id: number | null, name: string, x: number, y: number}} TemplatePoint
 * @typedef {{points: TemplatePoint[], edges: [number, number][]}} SkeletonTemplate
 *   ``edges`` hold indices into ``points``
 */

/** @param {string} text @returns {number} */
const num = (text) => Number.parseFloat(text);

/**
 * Read a skeleton template from a label; points without a position in the SVG are laid out
 * on a circle, so a label created without ``svg`` still has a usable template.
 * @param {{svg?: string, sublabels?: {id?: number | null, name: string}[]}} label
 * @returns {SkeletonTemplate}
 */
export function parseSkeleton(label) {
  const sublabels = label.sublabels || [];
  /** @type {TemplatePoint[]} */
  const points = sublabels.map((sub) => ({ id: sub.id ?? null, name: sub.name, x: NaN, y: NaN }));
  /** @type {Map<string, number>} node id → point index */
  const nodes = new Map();
  /** @type {[number, number][]} */
  const edges = [];
  const svg = label.svg || "";
  if (svg.trim()) {
    const doc = new DOMParser().parseFromString(`<svg xmlns="http://www.w3.org/2000/svg">${svg}</svg>`, "image/svg+xml");
    const circles = [...doc.querySelectorAll("circle")];
    circles.forEach((circle, order) => {
      const byName = circle.getAttribute("data-label-name");
      const byId = circle.getAttribute("data-label-id");
      const nodeId = circle.getAttribute("data-node-id") || circle.getAttribute("data-element-id") || String(order + 1);
      let index = -1;
      if (byName !== null) index = points.findIndex((p) => p.name === byName);
      if (index < 0 && byId !== null) index = points.findIndex((p) => String(p.id) === byId);
      if (index < 0) index = Number.parseInt(nodeId, 10) - 1;
      if (!(index >= 0 && index < points.length)) return;
      const x = num(circle.getAttribute("cx") || "");
      const y = num(circle.getAttribute("cy") || "");
      if (Number.isFinite(x) && Number.isFinite(y)) Object.assign(points[index], { x, y });
      nodes.set(nodeId, index);
    });
    for (const line of doc.querySelectorAll("line")) {
      const from = nodes.get(line.getAttribute("data-node-from") || "");
      const to = nodes.get(line.getAttribute("data-node-to") || "");
      if (from !== undefined && to !== undefined && from !== to) edges.push([from, to]);
    }
  }
  const missing = points.filter((p) => !Number.isFinite(p.x));
  missing.forEach((point, i) => {
    const angle = (2 * Math.PI * i) / Math.max(1, missing.length) - Math.PI / 2;
    point.x = 50 + 35 * Math.cos(angle);
    point.y = 50 + 35 * Math.sin(angle);
  });
  return { points, edges };
}

/** @param {string} text @returns {string} */
function escapeAttr(text) {
  return text.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;");
}

/**
 * Write a template as CVAT-style SVG (node ids follow the order of ``points``).
 * @param {SkeletonTemplate} template
 * @returns {string}
 */
export function skeletonSvg(template) {
  /** @param {number} v */
  const f = (v) => String(Math.round(v * 100) / 100);
  const lines = template.edges.map(([a, b]) => {
    const p = template.points[a];
    const q = template.points[b];
    return `<line x1="${f(p.x)}" y1="${f(p.y)}" x2="${f(q.x)}" y2="${f(q.y)}" stroke="black" stroke-width="0.5" `
      + `data-type="edge" data-node-from="${a + 1}" data-node-to="${b + 1}"></line>`;
  });
  const circles = template.points.map((p, i) => `<circle r="1.5" stroke="black" fill="#b3b3b3" stroke-width="0.1" `
    + `cx="${f(p.x)}" cy="${f(p.y)}" data-type="element node" data-element-id="${i + 1}" data-node-id="${i + 1}" `
    + `data-label-name="${escapeAttr(p.name)}"></circle>`);
  return [...lines, ...circles].join("");
}

/**
 * Place a template's points into an image box: the template's own bounding box is scaled to fit.
 * @param {SkeletonTemplate} template
 * @param {[number, number, number, number]} box x1, y1, x2, y2 in image pixels
 * @returns {[number, number][]} one position per template point
 */
export function placeSkeleton(template, box) {
  const xs = template.points.map((p) => p.x);
  const ys = template.points.map((p) => p.y);
  const [minX, maxX, minY, maxY] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
  const [x1, y1, x2, y2] = box;
  const sx = maxX > minX ? (x2 - x1) / (maxX - minX) : 0;
  const sy = maxY > minY ? (y2 - y1) / (maxY - minY) : 0;
  return template.points.map((p) => [
    maxX > minX ? x1 + (p.x - minX) * sx : (x1 + x2) / 2,
    maxY > minY ? y1 + (p.y - minY) * sy : (y1 + y2) / 2,
  ]);
}
