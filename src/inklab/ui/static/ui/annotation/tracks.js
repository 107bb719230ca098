// Tracks (objects followed over frames by keyframes): the shape a track has on a given frame.
//
// The same rules as the server's ``inklab.formats.tracks`` (a test runs both on the same
// tracks and compares): a track starts at its first keyframe; between two keyframes with the
// same number of points, rectangles, ellipses, cuboids, polygons, polylines and points move
// linearly (rotation the shorter way round), other shapes and masks keep the earlier keyframe;
// an ``outside`` keyframe hides the object until the next keyframe, and the frames before an
// outside keyframe keep the earlier state; after the last keyframe the object stays as it is.

const LINEAR = new Set(["rectangle", "ellipse", "cuboid", "points", "polygon", "polyline"]);

/** Python's modulo (the result has the sign of the divisor). @param {number} a @param {number} n */
const mod = (a, n) => ((a % n) + n) % n;

/**
 * The angle ``t`` of the way from ``a`` to ``b`` degrees, the shorter way round.
 * @param {number} a @param {number} b @param {number} t
 * @returns {number}
 */
export function angleBetween(a, b, t) {
  const delta = mod(b - a + 180, 360) - 180;
  return mod(a + delta * t, 360);
}

/**
 * The state between keyframes ``a`` and ``b`` at ``frame`` (``a.frame <= frame < b.frame``).
 * @param {any} a @param {any} b @param {number} frame
 * @returns {any}
 */
export function between(a, b, frame) {
  if (frame === a.frame || b.outside || !LINEAR.has(a.type) || a.points.length !== b.points.length) return { ...a, frame };
  const t = (frame - a.frame) / (b.frame - a.frame);
  const points = a.points.map((/** @type {number} */ p, /** @type {number} */ k) => p + (b.points[k] - p) * t);
  return { ...a, frame, points, rotation: angleBetween(a.rotation || 0, b.rotation || 0, t) };
}

/**
 * The index of the last keyframe at or before ``frame`` (-1 when none).
 * @param {any[]} shapes keyframes sorted by frame
 * @param {number} frame
 * @returns {number}
 */
export function keyframeIndex(shapes, frame) {
  let lo = 0;
  let hi = shapes.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (shapes[mid].frame <= frame) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
}

/**
 * The state of a keyframe list at ``frame``, outside or not; null before its first keyframe.
 * @param {any[]} shapes keyframes sorted by frame
 * @param {number} frame
 * @returns {any | null}
 */
export function stateAt(shapes, frame) {
  const k = keyframeIndex(shapes, frame);
  if (k < 0) return null;
  const current = shapes[k];
  if (current.frame === frame || current.outside || k + 1 === shapes.length) return { ...current, frame };
  return between(current, shapes[k + 1], frame);
}

/** @param {any[]} shapes @param {number} frame @returns {boolean} */
export function isKeyframe(shapes, frame) {
  const k = keyframeIndex(shapes, frame);
  return k >= 0 && shapes[k].frame === frame;
}

/**
 * Track attributes first, then the keyframe's (which win for the same attribute).
 * @param {any[]} track @param {any[]} shape
 * @returns {any[]}
 */
function mergeAttributes(track = [], shape = []) {
  if (!track.length) return shape;
  if (!shape.length) return track;
  const own = new Set(shape.map((a) => a.spec_id));
  return [...track.filter((a) => !own.has(a.spec_id)), ...shape];
}

/**
 * The interpolated keyframe state of a track at ``frame`` (no label, no elements), or null
 * where it is not visible.
 * @param {{shapes: any[]}} track keyframes sorted by frame
 * @param {number} frame
 * @returns {any | null}
 */
export function interpolateShapes(track, frame) {
  const state = stateAt(track.shapes || [], frame);
  if (!state || state.outside) return null;
  return { ...state, keyframe: isKeyframe(track.shapes, frame) };
}

/**
 * The shape of a track at ``frame`` as the server exports it: label, merged attributes
 * (track attributes plus the keyframe's), ``keyframe``, and for skeletons the elements (an
 * element before its first keyframe shows where it starts, outside). Null where the object is
 * not visible; with ``includeOutside``, an outside keyframe is returned with ``outside`` set.
 * @param {any} track the API form of a ``LabeledTrack``
 * @param {number} frame
 * @param {{includeOutside?: boolean}} [options]
 * @returns {any | null}
 */
export function interpolate(track, frame, options = {}) {
  const shapes = track.shapes || [];
  const state = stateAt(shapes, frame);
  if (!state) return null;
  const keyframe = isKeyframe(shapes, frame);
  if (state.outside && !(options.includeOutside && keyframe)) return null;
  const shape = { ...state, label_id: track.label_id, group: track.group ?? 0, source: track.source,
    attributes: mergeAttributes(track.attributes, state.attributes), keyframe };
  if (state.type !== "skeleton") return shape;
  shape.elements = (track.elements || []).map((/** @type {any} */ element) => {
    const point = stateAt(element.shapes || [], frame) ?? { ...element.shapes[0], frame, outside: true };
    return { ...point, type: "points", label_id: element.label_id, source: element.source,
      attributes: mergeAttributes(element.attributes, point.attributes), keyframe: isKeyframe(element.shapes || [], frame) };
  });
  return shape;
}
