// Outlines of interactor results: a mask's boundary as a polygon, and polygons simplified to at
// most N vertices (the AI tools' vertex slider).
//
// Masks come in CVAT's form: run lengths over the box row by row (background first), then the
// inclusive box [x1, y1, x2, y2]. The outline follows pixel edges around the first object in
// raster order, keeping the object on its right; Ramer-Douglas-Peucker then drops vertices,
// its tolerance found by bisection so that at most N remain.

import { decodeMask, traceEdges as traceOutline } from "./masks.js";

/**
 * @param {number[]} pts flat closed polygon
 * @param {number} epsilon
 * @returns {number[]}
 */
function rdp(pts, epsilon) {
  const n = pts.length / 2;
  if (n <= 3) return pts.slice();
  const keep = new Uint8Array(n);
  keep[0] = 1;
  // Split the closed ring at its farthest vertex from the first.
  let far = 0;
  let best = -1;
  for (let i = 1; i < n; i += 1) {
    const d = (pts[2 * i] - pts[0]) ** 2 + (pts[2 * i + 1] - pts[1]) ** 2;
    if (d > best) { best = d; far = i; }
  }
  keep[far] = 1;
  const stack = [[0, far], [far, n]];
  while (stack.length) {
    const [a, b] = /** @type {number[]} */ (stack.pop());
    const ax = pts[2 * a]; const ay = pts[2 * a + 1];
    const bi = b % n;
    const bx = pts[2 * bi]; const by = pts[2 * bi + 1];
    const len = Math.hypot(bx - ax, by - ay) || 1;
    let index = -1;
    let dist = epsilon;
    for (let i = a + 1; i < b; i += 1) {
      const d = Math.abs((bx - ax) * (ay - pts[2 * i + 1]) - (ax - pts[2 * i]) * (by - ay)) / len;
      if (d > dist) { dist = d; index = i; }
    }
    if (index >= 0) {
      keep[index] = 1;
      stack.push([a, index], [index, b]);
    }
  }
  const out = [];
  for (let i = 0; i < n; i += 1) if (keep[i]) out.push(pts[2 * i], pts[2 * i + 1]);
  return out;
}

/**
 * A closed polygon with at most ``maxVertices`` vertices (at least 3), as close to the input as
 * Ramer-Douglas-Peucker gets.
 * @param {number[]} points @param {number} maxVertices
 * @returns {number[]}
 */
export function simplifyTo(points, maxVertices) {
  const limit = Math.max(3, Math.floor(maxVertices));
  if (points.length / 2 <= limit) return points.slice();
  let low = 0;
  let high = 1;
  while (rdp(points, high).length / 2 > limit && high < 1e6) high *= 2;
  for (let i = 0; i < 30; i += 1) {
    const mid = (low + high) / 2;
    if (rdp(points, mid).length / 2 > limit) low = mid;
    else high = mid;
  }
  return rdp(points, high);
}

/**
 * An interactor's answer as a polygon: its first polygon or mask (traced), simplified.
 * @param {{type: string, points: number[]}[]} shapes @param {number} maxVertices
 * @returns {number[] | null}
 */
export function resultPolygon(shapes, maxVertices) {
  const shape = shapes.find((s) => s.type === "polygon" || s.type === "mask");
  if (!shape) return null;
  const outline = shape.type === "mask" ? traceOutline(decodeMask(shape.points)) : shape.points;
  return outline.length >= 6 ? simplifyTo(outline, maxVertices) : null;
}
