// Geometry of annotation shapes in image coordinates: bounding boxes, hit tests, handles,
// moving and resizing. Pure functions over the API's shape layout (``points`` flat lists):
//
//   rectangle  [x1, y1, x2, y2], rotated by ``rotation`` degrees around its centre
//   ellipse    [cx, cy, cx + rx, cy - ry], rotated around its centre
//   polygon, polyline, points   [x1, y1, x2, y2, ...]
//   cuboid     8 vertices; mask: run lengths + inclusive box [x1, y1, x2, y2]
//   skeleton   no points of its own; ``elements`` are one-point shapes

import { cuboidHandles, dragCuboid } from "./cuboid.js";

/**
 * @typedef {{type: string, points: number[], rotation?: number, elements?: {points: number[], outside?: boolean}[]}} Geometry
 * @typedef {[number, number, number, number]} Box  x1, y1, x2, y2
 * @typedef {{id: string, x: number, y: number, kind: "vertex" | "corner" | "edge" | "face" | "rotate" | "element"}} Handle
 */

const RAD = Math.PI / 180;

/**
 * Rotate (x, y) by ``degrees`` around (cx, cy).
 * @returns {[number, number]}
 */
export function rotate(x, y, cx, cy, degrees) {
  if (!degrees) return [x, y];
  const a = degrees * RAD;
  const cos = Math.cos(a);
  const sin = Math.sin(a);
  const dx = x - cx;
  const dy = y - cy;
  return [cx + dx * cos - dy * sin, cy + dx * sin + dy * cos];
}

/**
 * The four corners (nw, ne, se, sw) of a possibly rotated rectangle.
 * @param {number[]} p @param {number} [rotation]
 * @returns {[number, number][]}
 */
export function rectCorners(p, rotation = 0) {
  const [x1, y1, x2, y2] = p;
  const cx = (x1 + x2) / 2;
  const cy = (y1 + y2) / 2;
  return [[x1, y1], [x2, y1], [x2, y2], [x1, y2]].map(([x, y]) => rotate(x, y, cx, cy, rotation));
}

/**
 * Centre and radii of an ellipse.
 * @param {number[]} p
 * @returns {{cx: number, cy: number, rx: number, ry: number}}
 */
export function ellipseParams(p) {
  return { cx: p[0], cy: p[1], rx: Math.abs(p[2] - p[0]), ry: Math.abs(p[1] - p[3]) };
}

/** @param {number[]} pts @returns {Box} */
function boxOfPoints(pts) {
  let x1 = Infinity;
  let y1 = Infinity;
  let x2 = -Infinity;
  let y2 = -Infinity;
  for (let i = 0; i + 1 < pts.length; i += 2) {
    const x = pts[i];
    const y = pts[i + 1];
    if (x < x1) x1 = x;
    if (x > x2) x2 = x;
    if (y < y1) y1 = y;
    if (y > y2) y2 = y;
  }
  return [x1, y1, x2, y2];
}

/**
 * The axis-aligned bounding box of a shape.
 * @param {Geometry} s
 * @returns {Box}
 */
export function shapeBox(s) {
  const p = s.points;
  switch (s.type) {
    case "rectangle":
      return boxOfPoints(rectCorners(p, s.rotation).flat());
    case "ellipse": {
      const { cx, cy, rx, ry } = ellipseParams(p);
      const a = (s.rotation || 0) * RAD;
      const hw = Math.hypot(rx * Math.cos(a), ry * Math.sin(a));
      const hh = Math.hypot(rx * Math.sin(a), ry * Math.cos(a));
      return [cx - hw, cy - hh, cx + hw, cy + hh];
    }
    case "mask": {
      const n = p.length;
      return [p[n - 4], p[n - 3], p[n - 2] + 1, p[n - 1] + 1];
    }
    case "skeleton":
      return boxOfPoints((s.elements || []).flatMap((e) => e.points));
    default:
      return boxOfPoints(p);
  }
}

/**
 * Distance from (px, py) to the segment a–b.
 * @returns {number}
 */
export function segmentDistance(px, py, ax, ay, bx, by) {
  const dx = bx - ax;
  const dy = by - ay;
  const length2 = dx * dx + dy * dy;
  const t = length2 ? Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / length2)) : 0;
  return Math.hypot(px - (ax + t * dx), py - (ay + t * dy));
}

/**
 * Whether (x, y) is inside the polygon of flat points (even-odd rule).
 * @param {number[]} pts @param {number} x @param {number} y
 * @returns {boolean}
 */
export function insidePolygon(pts, x, y) {
  let inside = false;
  const n = pts.length / 2;
  for (let i = 0, j = n - 1; i < n; j = i, i += 1) {
    const xi = pts[2 * i];
    const yi = pts[2 * i + 1];
    const xj = pts[2 * j];
    const yj = pts[2 * j + 1];
    if ((yi > y) !== (yj > y) && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

/** @param {number[]} pts @param {boolean} closed @param {number} x @param {number} y @returns {number} */
function pathDistance(pts, closed, x, y) {
  let best = Infinity;
  const n = pts.length / 2;
  const last = closed ? n : n - 1;
  for (let i = 0; i < last; i += 1) {
    const j = (i + 1) % n;
    best = Math.min(best, segmentDistance(x, y, pts[2 * i], pts[2 * i + 1], pts[2 * j], pts[2 * j + 1]));
  }
  if (n === 1) best = Math.hypot(x - pts[0], y - pts[1]);
  return best;
}

/** @param {number[]} pts @param {number} x @param {number} y @returns {number} */
function nearestPointDistance(pts, x, y) {
  let best = Infinity;
  for (let i = 0; i + 1 < pts.length; i += 2) best = Math.min(best, Math.hypot(x - pts[i], y - pts[i + 1]));
  return best;
}

/**
 * Whether a click at (x, y) hits the shape; ``tolerance`` is in image pixels.
 * Filled shapes are hit inside; lines and points near their strokes.
 * @param {Geometry} s @param {number} x @param {number} y @param {number} tolerance
 * @returns {boolean}
 */
export function hitShape(s, x, y, tolerance) {
  const p = s.points;
  switch (s.type) {
    case "rectangle": {
      const [x1, y1, x2, y2] = p;
      const [lx, ly] = rotate(x, y, (x1 + x2) / 2, (y1 + y2) / 2, -(s.rotation || 0));
      return lx >= Math.min(x1, x2) - tolerance && lx <= Math.max(x1, x2) + tolerance
        && ly >= Math.min(y1, y2) - tolerance && ly <= Math.max(y1, y2) + tolerance;
    }
    case "ellipse": {
      const { cx, cy, rx, ry } = ellipseParams(p);
      const [lx, ly] = rotate(x, y, cx, cy, -(s.rotation || 0));
      const ex = (lx - cx) / (rx + tolerance || 1);
      const ey = (ly - cy) / (ry + tolerance || 1);
      return ex * ex + ey * ey <= 1;
    }
    case "polygon":
      return insidePolygon(p, x, y) || pathDistance(p, true, x, y) <= tolerance;
    case "polyline":
      return pathDistance(p, false, x, y) <= tolerance;
    case "points":
      return nearestPointDistance(p, x, y) <= tolerance * 1.5;
    case "skeleton": {
      const [x1, y1, x2, y2] = shapeBox(s);
      const visible = (s.elements || []).filter((e) => !e.outside).flatMap((e) => e.points);
      return (x >= x1 - tolerance && x <= x2 + tolerance && y >= y1 - tolerance && y <= y2 + tolerance)
        || nearestPointDistance(visible, x, y) <= tolerance * 1.5;
    }
    case "cuboid":
      return insidePolygon(hull(p), x, y) || pathDistance(hull(p), true, x, y) <= tolerance;
    default: {
      const [x1, y1, x2, y2] = shapeBox(s);
      return x >= x1 - tolerance && x <= x2 + tolerance && y >= y1 - tolerance && y <= y2 + tolerance;
    }
  }
}

/**
 * Convex hull of flat points (monotone chain), as flat points.
 * @param {number[]} pts
 * @returns {number[]}
 */
export function hull(pts) {
  const points = [];
  for (let i = 0; i + 1 < pts.length; i += 2) points.push([pts[i], pts[i + 1]]);
  points.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  if (points.length < 3) return points.flat();
  /** @param {number[]} o @param {number[]} a @param {number[]} b */
  const cross = (o, a, b) => (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0]);
  const lower = [];
  for (const p of points) {
    while (lower.length >= 2 && cross(lower[lower.length - 2], lower[lower.length - 1], p) <= 0) lower.pop();
    lower.push(p);
  }
  const upper = [];
  for (const p of points.slice().reverse()) {
    while (upper.length >= 2 && cross(upper[upper.length - 2], upper[upper.length - 1], p) <= 0) upper.pop();
    upper.push(p);
  }
  return [...lower.slice(0, -1), ...upper.slice(0, -1)].flat();
}

/**
 * Move a shape by (dx, dy). Masks move by whole pixels (their runs stay valid).
 * @template {Geometry} T
 * @param {T} s @param {number} dx @param {number} dy
 * @returns {T} a new shape object
 */
export function translate(s, dx, dy) {
  if (s.type === "mask") {
    const rx = Math.round(dx);
    const ry = Math.round(dy);
    const n = s.points.length;
    const points = s.points.slice();
    points[n - 4] += rx;
    points[n - 3] += ry;
    points[n - 2] += rx;
    points[n - 1] += ry;
    return { ...s, points };
  }
  const points = s.points.map((v, i) => v + (i % 2 ? dy : dx));
  const result = { ...s, points };
  if (s.elements) result.elements = s.elements.map((e) => ({ ...e, points: [e.points[0] + dx, e.points[1] + dy] }));
  return result;
}

/**
 * Keep a move inside the image: the offset that keeps the shape's box within width×height.
 * @param {Geometry} s @param {number} dx @param {number} dy @param {number} width @param {number} height
 * @returns {[number, number]}
 */
export function clampMove(s, dx, dy, width, height) {
  const [x1, y1, x2, y2] = shapeBox(s);
  const cx = Math.min(Math.max(dx, -x1), width - x2);
  const cy = Math.min(Math.max(dy, -y1), height - y2);
  return [x2 - x1 > width ? dx : cx, y2 - y1 > height ? dy : cy];
}

/**
 * The drag handles of a selected shape.
 * @param {Geometry} s
 * @returns {Handle[]}
 */
export function handles(s) {
  const p = s.points;
  switch (s.type) {
    case "rectangle": {
      const corners = rectCorners(p, s.rotation);
      const names = ["nw", "ne", "se", "sw"];
      /** @type {Handle[]} */
      const result = corners.map(([x, y], i) => ({ id: names[i], x, y, kind: "corner" }));
      const edges = ["n", "e", "s", "w"];
      corners.forEach(([x, y], i) => {
        const [nx, ny] = corners[(i + 1) % 4];
        result.push({ id: edges[i], x: (x + nx) / 2, y: (y + ny) / 2, kind: "edge" });
      });
      return [...result, rotationHandle(s)];
    }
    case "ellipse": {
      const { cx, cy, rx, ry } = ellipseParams(p);
      const [ex, ey] = rotate(cx + rx, cy, cx, cy, s.rotation || 0);
      const [nx, ny] = rotate(cx, cy - ry, cx, cy, s.rotation || 0);
      return [{ id: "rx", x: ex, y: ey, kind: "edge" }, { id: "ry", x: nx, y: ny, kind: "edge" }, rotationHandle(s)];
    }
    case "polygon":
    case "polyline":
    case "points": {
      /** @type {Handle[]} */
      const result = [];
      for (let i = 0; i + 1 < p.length; i += 2) result.push({ id: String(i / 2), x: p[i], y: p[i + 1], kind: "vertex" });
      return result;
    }
    case "skeleton":
      return (s.elements || []).map((e, i) => ({ id: String(i), x: e.points[0], y: e.points[1], kind: "element" }));
    case "cuboid":
      return cuboidHandles(p);
    default:
      return [];
  }
}

/** @param {Geometry} s @returns {Handle} */
function rotationHandle(s) {
  const [x1, y1, x2, y2] = s.type === "ellipse"
    ? (() => { const { cx, cy, rx, ry } = ellipseParams(s.points); return [cx - rx, cy - ry, cx + rx, cy + ry]; })()
    : s.points;
  const cx = (x1 + x2) / 2;
  const cy = (y1 + y2) / 2;
  const top = Math.min(y1, y2);
  // Above the top edge, at a distance that grows a little with the shape.
  const [x, y] = rotate(cx, top - Math.max(12, Math.abs(y2 - y1) * 0.15), cx, cy, s.rotation || 0);
  return { id: "rotate", x, y, kind: "rotate" };
}

/**
 * The shape after dragging one of its handles to (x, y).
 * @template {Geometry} T
 * @param {T} s the shape when the drag started
 * @param {string} id handle id from ``handles``
 * @param {number} x @param {number} y
 * @param {{snap?: boolean}} [options] ``snap``: rotation in steps of 15°
 * @returns {T}
 */
export function dragHandle(s, id, x, y, options = {}) {
  const p = s.points;
  if (id === "rotate") {
    const [cx, cy] = s.type === "ellipse" ? [p[0], p[1]] : [(p[0] + p[2]) / 2, (p[1] + p[3]) / 2];
    let angle = Math.atan2(y - cy, x - cx) / RAD + 90;
    if (options.snap) angle = Math.round(angle / 15) * 15;
    return { ...s, rotation: ((angle % 360) + 360) % 360 };
  }
  if (s.type === "rectangle") return { ...s, points: resizeRect(p, s.rotation || 0, id, x, y) };
  if (s.type === "ellipse") {
    const { cx, cy } = ellipseParams(p);
    const [lx, ly] = rotate(x, y, cx, cy, -(s.rotation || 0));
    const rx = id === "rx" ? Math.max(1, Math.abs(lx - cx)) : Math.abs(p[2] - p[0]);
    const ry = id === "ry" ? Math.max(1, Math.abs(ly - cy)) : Math.abs(p[1] - p[3]);
    return { ...s, points: [cx, cy, cx + rx, cy - ry] };
  }
  if (s.type === "cuboid") return { ...s, points: dragCuboid(p, id, x, y) };
  if (s.type === "skeleton") {
    const index = Number(id);
    const elements = (s.elements || []).map((e, i) => (i === index ? { ...e, points: [x, y] } : e));
    return { ...s, elements };
  }
  const index = Number(id);
  const points = p.slice();
  points[2 * index] = x;
  points[2 * index + 1] = y;
  return { ...s, points };
}

/**
 * Resize a rotated rectangle by one corner or edge, in the rectangle's own frame.
 * @param {number[]} p @param {number} rotation @param {string} id @param {number} x @param {number} y
 * @returns {number[]}
 */
function resizeRect(p, rotation, id, x, y) {
  const cx = (p[0] + p[2]) / 2;
  const cy = (p[1] + p[3]) / 2;
  const [lx, ly] = rotate(x, y, cx, cy, -rotation);
  let [l, t, r, b] = [Math.min(p[0], p[2]), Math.min(p[1], p[3]), Math.max(p[0], p[2]), Math.max(p[1], p[3])];
  if (id.includes("w")) l = lx;
  if (id.includes("e")) r = lx;
  if (id.includes("n")) t = ly;
  if (id.includes("s")) b = ly;
  [l, r] = [Math.min(l, r), Math.max(l, r)];
  [t, b] = [Math.min(t, b), Math.max(t, b)];
  // The rectangle's new centre, back in image coordinates.
  const [ncx, ncy] = rotate((l + r) / 2, (t + b) / 2, cx, cy, rotation);
  const hw = (r - l) / 2;
  const hh = (b - t) / 2;
  return [ncx - hw, ncy - hh, ncx + hw, ncy + hh];
}

/**
 * Minimum number of points of each editable shape type.
 * @param {string} type
 * @returns {number}
 */
export function minPoints(type) {
  return type === "polygon" ? 3 : type === "polyline" ? 2 : 1;
}

/**
 * Remove vertex ``index`` when the shape keeps enough points; null otherwise.
 * @template {Geometry} T
 * @param {T} s @param {number} index
 * @returns {T | null}
 */
export function removeVertex(s, index) {
  if (s.points.length / 2 - 1 < minPoints(s.type)) return null;
  const points = s.points.slice();
  points.splice(2 * index, 2);
  return { ...s, points };
}

/**
 * Insert a vertex at (x, y) on the nearest edge of a polygon or polyline.
 * @template {Geometry} T
 * @param {T} s @param {number} x @param {number} y
 * @returns {T}
 */
export function insertVertex(s, x, y) {
  const p = s.points;
  const n = p.length / 2;
  const closed = s.type === "polygon";
  let best = Infinity;
  let at = n;
  for (let i = 0; i < (closed ? n : n - 1); i += 1) {
    const j = (i + 1) % n;
    const d = segmentDistance(x, y, p[2 * i], p[2 * i + 1], p[2 * j], p[2 * j + 1]);
    if (d < best) {
      best = d;
      at = i + 1;
    }
  }
  const points = p.slice();
  points.splice(2 * at, 0, x, y);
  return { ...s, points };
}

/**
 * Clamp a point into the image.
 * @param {number} x @param {number} y @param {number} width @param {number} height
 * @returns {[number, number]}
 */
export function clampPoint(x, y, width, height) {
  return [Math.min(Math.max(x, 0), width), Math.min(Math.max(y, 0), height)];
}

/**
 * Round coordinates to 1/100 pixel: what is sent stays short and exact.
 * @param {number[]} points
 * @returns {number[]}
 */
export function roundPoints(points) {
  return points.map((v) => Math.round(v * 100) / 100);
}
