// CVAT's pseudo-3D cuboid on an image: eight points, 16 numbers, in the order
// tl1, bl1, tr1, br1 (the front face: top left, bottom left, top right, bottom right) and
// tl2, bl2, tr2, br2 (the back face), as in the CVAT for images format (xtl1 ytl1 xbl1 ybl1 …).
//
// Its four vertical edges stay vertical (CVAT's constraint): edge 0 is the front left
// (points 0, 1), 1 the front right (2, 3), 2 the back left (4, 5), 3 the back right (6, 7).
// The handles: each vertex (``c0``–``c7``: moves its edge sideways and its own end up or
// down), the middle of each vertical edge (``e0``–``e3``: moves the edge sideways), and the
// left, right and back faces (``face-left``, ``face-right``, ``face-back``: move those two
// edges; the back face also up and down, which sets the depth and the perspective).

/** The lines of a cuboid: front face, back face, and the links between them. */
export const CUBOID_EDGES = [[0, 1], [1, 3], [3, 2], [2, 0], [4, 5], [5, 7], [7, 6], [6, 4], [0, 4], [1, 5], [2, 6], [3, 7]];

/** The faces that have a handle, as the vertical edges that bound them. */
const FACES = /** @type {const} */ ({ "face-left": [0, 2], "face-right": [1, 3], "face-back": [2, 3] });

/**
 * A cuboid whose front face is the box x1, y1, x2, y2 and whose back face is the same box moved by dx, dy.
 * @param {number} x1 @param {number} y1 @param {number} x2 @param {number} y2 @param {number} dx @param {number} dy
 * @returns {number[]} 16 numbers
 */
export function cuboidFromBox(x1, y1, x2, y2, dx, dy) {
  const [l, r] = [Math.min(x1, x2), Math.max(x1, x2)];
  const [t, b] = [Math.min(y1, y2), Math.max(y1, y2)];
  return [l, t, l, b, r, t, r, b, l + dx, t + dy, l + dx, b + dy, r + dx, t + dy, r + dx, b + dy];
}

/**
 * A cuboid from four clicked points (CVAT's "by 4 points"): the first three are corners of the
 * front face, joined by one vertical edge and one top or bottom edge (either comes first: of the
 * segments 1–2 and 2–3, the more vertical one is the edge); the fourth is where the third corner
 * lies on the back face, so the back face is the front face moved by point 4 − point 3. The
 * vertical edges are made exactly vertical (at the x of the corner shared by both segments and of
 * the far corner); the front face's second edge has the first one's height.
 * @param {number[]} q x1, y1, … x4, y4
 * @returns {number[] | null} 16 numbers, or null when the points make no face (no height or no width)
 */
export function cuboidFrom4Points(q) {
  const [p1, p2, p3, p4] = [0, 1, 2, 3].map((i) => ({ x: q[2 * i], y: q[2 * i + 1] }));
  const verticalFirst = Math.abs(p1.x - p2.x) <= Math.abs(p2.x - p3.x);
  // The shared corner is p2; ``other`` ends the vertical edge, ``far`` ends the top or bottom edge.
  const [other, far] = verticalFirst ? [p1, p3] : [p3, p1];
  const height = other.y - p2.y;
  if (Math.abs(height) < 1 || Math.abs(far.x - p2.x) < 1) return null;
  /** @type {{x: number, top: number, bottom: number}[]} */
  const front = [
    { x: p2.x, top: Math.min(p2.y, other.y), bottom: Math.max(p2.y, other.y) },
    { x: far.x, top: Math.min(far.y, far.y + height), bottom: Math.max(far.y, far.y + height) },
  ].sort((a, b) => a.x - b.x);
  const dx = p4.x - p3.x;
  const dy = p4.y - p3.y;
  const out = new Array(16);
  front.forEach((e, k) => {
    setEdge(out, k, e);
    setEdge(out, k + 2, { x: e.x + dx, top: e.top + dy, bottom: e.bottom + dy });
  });
  return out;
}

/** @param {number[]} p @param {number} k edge @returns {{x: number, top: number, bottom: number}} */
function edge(p, k) {
  return { x: (p[4 * k] + p[4 * k + 2]) / 2, top: p[4 * k + 1], bottom: p[4 * k + 3] };
}

/** @param {number[]} p @param {number} k @param {{x: number, top: number, bottom: number}} e */
function setEdge(p, k, e) {
  p[4 * k] = e.x;
  p[4 * k + 1] = e.top;
  p[4 * k + 2] = e.x;
  p[4 * k + 3] = e.bottom;
}

/**
 * The handles of a cuboid (see the module comment).
 * @param {number[]} p
 * @returns {{id: string, x: number, y: number, kind: "corner" | "edge" | "face"}[]}
 */
export function cuboidHandles(p) {
  /** @type {{id: string, x: number, y: number, kind: "corner" | "edge" | "face"}[]} */
  const result = [];
  for (let i = 0; i < 8; i += 1) result.push({ id: `c${i}`, x: p[2 * i], y: p[2 * i + 1], kind: "corner" });
  for (let k = 0; k < 4; k += 1) {
    const e = edge(p, k);
    result.push({ id: `e${k}`, x: e.x, y: (e.top + e.bottom) / 2, kind: "edge" });
  }
  for (const [id, [a, b]] of Object.entries(FACES)) {
    const ea = edge(p, a);
    const eb = edge(p, b);
    result.push({ id, x: (ea.x + eb.x) / 2, y: (ea.top + ea.bottom + eb.top + eb.bottom) / 4, kind: "face" });
  }
  return result;
}

/**
 * A cuboid's points after dragging one of its handles to (x, y).
 * @param {number[]} p @param {string} id a handle id of ``cuboidHandles``
 * @param {number} x @param {number} y
 * @returns {number[]} new points (the input is not changed)
 */
export function dragCuboid(p, id, x, y) {
  const out = p.slice();
  if (/^c[0-7]$/.test(id)) {
    const i = Number(id.slice(1));
    const k = i >> 1;
    const e = edge(p, k);
    // An end cannot pass the other: the edge keeps at least one pixel.
    if (i % 2 === 0) setEdge(out, k, { x, top: Math.min(y, e.bottom - 1), bottom: e.bottom });
    else setEdge(out, k, { x, top: e.top, bottom: Math.max(y, e.top + 1) });
    return out;
  }
  if (/^e[0-3]$/.test(id)) {
    const k = Number(id.slice(1));
    setEdge(out, k, { ...edge(p, k), x });
    return out;
  }
  const face = /** @type {Record<string, readonly number[]>} */ (FACES)[id];
  if (!face) return out;
  const handle = cuboidHandles(p).find((h) => h.id === id);
  const dx = x - /** @type {{x: number}} */ (handle).x;
  const dy = id === "face-back" ? y - /** @type {{y: number}} */ (handle).y : 0;
  for (const k of face) {
    const e = edge(p, k);
    setEdge(out, k, { x: e.x + dx, top: e.top + dy, bottom: e.bottom + dy });
  }
  return out;
}

/**
 * Make the visible side face the front one (CVAT's "switch perspective orientation"): the side
 * towards which the back face lies becomes the front. The drawing does not change; switching
 * again gives the first orientation back.
 * @param {number[]} p
 * @returns {number[]}
 */
export function switchOrientation(p) {
  const [fl, fr, bl, br] = [0, 1, 2, 3].map((k) => edge(p, k));
  const backRight = (bl.x + br.x) / 2 >= (fl.x + fr.x) / 2;
  // The new front left, front right, back left and back right edges.
  const order = backRight ? [fr, br, fl, bl] : [bl, fl, br, fr];
  const out = new Array(16);
  order.forEach((e, k) => setEdge(out, k, e));
  return out;
}

/**
 * Remove the perspective: the back face becomes the front face moved by the offset of the
 * back left edge's top (CVAT's "reset perspective").
 * @param {number[]} p
 * @returns {number[]}
 */
export function resetPerspective(p) {
  const [fl, fr, bl] = [0, 1, 2].map((k) => edge(p, k));
  const dx = bl.x - fl.x;
  const dy = bl.top - fl.top;
  const out = p.slice();
  setEdge(out, 2, { x: fl.x + dx, top: fl.top + dy, bottom: fl.bottom + dy });
  setEdge(out, 3, { x: fr.x + dx, top: fr.top + dy, bottom: fr.bottom + dy });
  return out;
}
