// Tracks (objects followed over frames by keyframes): the shape a track has on a given frame.
//
// Between two keyframes, rectangles, ellipses and point lists of equal length move linearly
// (rotation along the shorter way round); other shapes keep the earlier keyframe. A track is
// invisible on frames where its last keyframe so far is ``outside``.

/**
 * @param {number} a @param {number} b @param {number} t
 * @returns {number}
 */
const lerp = (a, b, t) => a + (b - a) * t;

/**
 * The interpolated shape of a track keyframe list at ``frame``, or null when not visible.
 * @param {{shapes: any[]}} track keyframes sorted by frame
 * @param {number} frame
 * @returns {any | null}
 */
export function interpolateShapes(track, frame) {
  const shapes = track.shapes || [];
  if (!shapes.length || frame < shapes[0].frame) return null;
  let i = 0;
  while (i + 1 < shapes.length && shapes[i + 1].frame <= frame) i += 1;
  const prev = shapes[i];
  if (prev.outside) return null;
  const next = shapes[i + 1];
  if (prev.frame === frame || !next) return { ...prev, frame, keyframe: prev.frame === frame };
  const t = (frame - prev.frame) / (next.frame - prev.frame);
  const linear = ["rectangle", "ellipse", "points", "polygon", "polyline", "cuboid"].includes(prev.type)
    && next.points.length === prev.points.length;
  const points = linear ? prev.points.map((/** @type {number} */ v, /** @type {number} */ k) => lerp(v, next.points[k], t)) : prev.points;
  let rotation = prev.rotation || 0;
  if (linear) {
    let delta = ((next.rotation || 0) - rotation) % 360;
    if (delta > 180) delta -= 360;
    if (delta < -180) delta += 360;
    rotation = (rotation + delta * t + 360) % 360;
  }
  return { ...prev, frame, points, rotation, keyframe: false };
}

/**
 * The shape of a track (skeletons: with their elements) at ``frame``, or null.
 * @param {any} track the API form of a ``LabeledTrack``
 * @param {number} frame
 * @returns {any | null}
 */
export function interpolate(track, frame) {
  const shape = interpolateShapes(track, frame);
  if (!shape) return null;
  if (shape.type !== "skeleton") return { ...shape, label_id: track.label_id, attributes: track.attributes };
  const elements = (track.elements || []).map((/** @type {any} */ element) => {
    const state = interpolateShapes(element, frame);
    return { ...(state || element.shapes?.[0] || { points: [0, 0] }), label_id: element.label_id, outside: !state };
  });
  return { ...shape, label_id: track.label_id, attributes: track.attributes, elements };
}
