// Editing tracks as CVAT does: a change on a frame makes (or updates) a keyframe on that frame
// and leaves the other keyframes alone; outside ends the track there and a later keyframe
// re-enters it; tracks are split, merged and made from shapes. Pure functions: each takes the
// API form of a track (``LabeledTrack`` without ids) and returns a new one.

import { interpolate, isKeyframe, keyframeIndex, stateAt } from "./tracks.js";

/** The keyframe fields the server takes (``TrackedShape``). */
const KEYFRAME_KEYS = ["type", "frame", "points", "rotation", "occluded", "outside", "z_order", "attributes"];

/** @param {any} state @returns {any} only the fields of a keyframe */
function keyframeOf(state) {
  /** @type {Record<string, any>} */
  const out = {};
  for (const key of KEYFRAME_KEYS) if (state[key] !== undefined) out[key] = state[key];
  out.attributes = state.attributes ?? [];
  out.rotation = state.rotation ?? 0;
  out.occluded = Boolean(state.occluded);
  out.outside = Boolean(state.outside);
  out.z_order = state.z_order ?? 0;
  return out;
}

/**
 * A keyframe list with ``keyframe`` put in (replacing one on its frame), in frame order.
 * @param {any[]} shapes @param {any} keyframe
 * @returns {any[]}
 */
function put(shapes, keyframe) {
  const k = keyframeIndex(shapes, keyframe.frame);
  if (k >= 0 && shapes[k].frame === keyframe.frame) return [...shapes.slice(0, k), keyframe, ...shapes.slice(k + 1)];
  return [...shapes.slice(0, k + 1), keyframe, ...shapes.slice(k + 1)];
}

/** @param {any} track @returns {any} with ``frame`` = its first keyframe's */
const settle = (track) => ({ ...track, frame: track.shapes[0].frame });

/**
 * The track with a keyframe on ``frame``: the state it has there (interpolated, or the first
 * keyframe's when the frame comes before it) with ``patch`` applied. Skeletons get keyframes on
 * each point too; ``patch.elements`` (one patch per point, optional) changes them.
 * @param {any} track @param {number} frame @param {Record<string, any>} [patch]
 * @returns {any}
 */
export function setKeyframe(track, frame, patch = {}) {
  const { elements: elementPatches, ...own } = patch;
  const base = stateAt(track.shapes, frame) ?? { ...track.shapes[0], frame };
  const shapes = put(track.shapes, keyframeOf({ ...base, ...own, frame }));
  const result = { ...track, shapes };
  if (Array.isArray(track.elements) && track.elements.length) {
    result.elements = track.elements.map((/** @type {any} */ element, /** @type {number} */ i) => {
      // A point that starts later is outside until then (as the server shows it).
      const state = stateAt(element.shapes, frame) ?? { ...element.shapes[0], frame, outside: true };
      const extra = elementPatches?.[i] || {};
      // A point hidden with its skeleton comes back with it unless the patch says otherwise.
      const outside = extra.outside ?? (own.outside === undefined ? state.outside : own.outside);
      return settle({ ...element, shapes: put(element.shapes, keyframeOf({ ...state, ...extra, outside, frame })) });
    });
  }
  return settle(result);
}

/**
 * The track without its keyframe on ``frame`` (skeleton points too); null when it is the
 * only keyframe (deleting it would delete the track).
 * @param {any} track @param {number} frame
 * @returns {any | null}
 */
export function removeKeyframe(track, frame) {
  if (!isKeyframe(track.shapes, frame) || track.shapes.length < 2) return null;
  const shapes = track.shapes.filter((/** @type {any} */ s) => s.frame !== frame);
  const result = { ...track, shapes };
  if (Array.isArray(track.elements) && track.elements.length) {
    result.elements = track.elements.map((/** @type {any} */ e) => {
      const kept = e.shapes.filter((/** @type {any} */ s) => s.frame !== frame);
      return kept.length ? settle({ ...e, shapes: kept }) : e;
    });
  }
  return settle(result);
}

/**
 * The frames of a track's keyframes, in order.
 * @param {any} track @returns {number[]}
 */
export const keyframes = (track) => track.shapes.map((/** @type {any} */ s) => s.frame);

/**
 * The nearest keyframe after (``direction`` 1) or before (-1) ``frame``, or null.
 * @param {any} track @param {number} frame @param {1 | -1} direction
 * @returns {number | null}
 */
export function neighbourKeyframe(track, frame, direction) {
  const frames = keyframes(track);
  if (direction > 0) return frames.find((f) => f > frame) ?? null;
  for (let i = frames.length - 1; i >= 0; i -= 1) if (frames[i] < frame) return frames[i];
  return null;
}

/**
 * Split attributes between the track (immutable) and its keyframes (mutable).
 * @param {any[]} attributes @param {Set<number>} mutable spec ids of mutable attributes
 * @returns {{track: any[], keyframe: any[]}}
 */
export function splitAttributes(attributes, mutable) {
  return { track: attributes.filter((a) => !mutable.has(a.spec_id)), keyframe: attributes.filter((a) => mutable.has(a.spec_id)) };
}

/**
 * A track with one keyframe made from a shape (``LabeledShape``, skeletons with elements).
 * @param {any} shape @param {Set<number>} mutable
 * @returns {any}
 */
export function trackFromShape(shape, mutable) {
  const attrs = splitAttributes(shape.attributes || [], mutable);
  const track = { frame: shape.frame, label_id: shape.label_id, group: shape.group ?? 0, source: shape.source ?? "manual",
    attributes: attrs.track, shapes: [keyframeOf({ ...shape, attributes: attrs.keyframe, outside: false })], elements: [] };
  if (shape.type === "skeleton") {
    track.elements = (shape.elements || []).map((/** @type {any} */ e) => {
      const ea = splitAttributes(e.attributes || [], mutable);
      return { frame: shape.frame, label_id: e.label_id, group: 0, source: e.source ?? track.source, attributes: ea.track,
        shapes: [keyframeOf({ ...e, type: "points", frame: shape.frame, attributes: ea.keyframe })] };
    });
  }
  return track;
}

/**
 * The shape a track has on ``frame`` as a standalone ``LabeledShape``, or null where it is not visible.
 * @param {any} track @param {number} frame
 * @returns {any | null}
 */
export function shapeFromTrack(track, frame) {
  const state = interpolate(track, frame);
  if (!state) return null;
  /** @param {any} s */
  const clean = (s) => ({ type: s.type, frame, label_id: s.label_id, group: s.group ?? 0, source: s.source ?? "manual",
    occluded: Boolean(s.occluded), outside: Boolean(s.outside), z_order: s.z_order ?? 0, rotation: s.rotation ?? 0,
    points: s.points, attributes: s.attributes ?? [] });
  const shape = { ...clean(state), outside: false, elements: [] };
  if (state.type === "skeleton") shape.elements = state.elements.map(clean);
  return shape;
}

/**
 * Split a track at ``frame``: the first part ends there (an outside keyframe), the second
 * starts there with the state the track had. Null when ``frame`` is not inside the track.
 * @param {any} track @param {number} frame
 * @returns {[any, any] | null}
 */
export function splitTrack(track, frame) {
  if (frame <= track.shapes[0].frame || !interpolate(track, frame)) return null;
  const before = setKeyframe(track, frame, { outside: true });
  const first = { ...before, shapes: before.shapes.filter((/** @type {any} */ s) => s.frame <= frame) };
  if (before.elements?.length) {
    first.elements = before.elements.map((/** @type {any} */ e) => ({ ...e,
      shapes: e.shapes.filter((/** @type {any} */ s) => s.frame <= frame) }));
  }
  const at = setKeyframe(track, frame, {});
  const second = { ...at, frame, shapes: at.shapes.filter((/** @type {any} */ s) => s.frame >= frame) };
  if (at.elements?.length) {
    second.elements = at.elements.map((/** @type {any} */ e) => ({ ...e, frame,
      shapes: e.shapes.filter((/** @type {any} */ s) => s.frame >= frame) }));
  }
  return [first, second];
}

/**
 * One track from several shapes and tracks of one label and shape type, as CVAT merges them:
 * every shape becomes a keyframe that goes outside on the next frame (unless another keyframe
 * is there, or the job ends), every track brings its keyframes; a later object wins on a frame
 * they share. The track attributes are the first object's.
 * @param {{kind: "shape" | "track", data: any}[]} objects
 * @param {Set<number>} mutable
 * @param {number} lastFrame the job's last frame
 * @returns {any} the merged track
 * @throws {Error} when the objects differ in label or shape type, or are fewer than two
 */
export function mergeObjects(objects, mutable, lastFrame) {
  if (objects.length < 2) throw new Error("Pick at least two objects to merge.");
  const items = objects.map((o) => ({ track: o.kind === "track" ? o.data : trackFromShape(o.data, mutable), shape: o.kind === "shape" }))
    .sort((a, b) => a.track.frame - b.track.frame);
  const first = items[0].track;
  const type = first.shapes[0].type;
  if (items.some((i) => i.track.label_id !== first.label_id)) throw new Error("Only objects of one label can be merged.");
  if (items.some((i) => i.track.shapes[0].type !== type)) throw new Error("Only objects of one shape type can be merged.");
  /** @type {Map<number, {shape: any, elements: any[]}>} */
  const frames = new Map();
  /** @type {Map<number, {shape: any, elements: any[]}>} outside keyframes after single shapes */
  const ends = new Map();
  for (const { track, shape } of items) {
    for (const s of track.shapes) {
      const elements = (track.elements || []).map((/** @type {any} */ e) => stateAt(e.shapes, s.frame) ?? { ...e.shapes[0], frame: s.frame, outside: true });
      frames.set(s.frame, { shape: s, elements });
      if (shape && s.frame + 1 <= lastFrame) {
        ends.set(s.frame + 1, { shape: { ...s, frame: s.frame + 1, outside: true },
          elements: elements.map((e) => ({ ...e, frame: s.frame + 1, outside: true })) });
      }
    }
  }
  for (const [frame, end] of ends) if (!frames.has(frame)) frames.set(frame, end);
  const sorted = [...frames.keys()].sort((a, b) => a - b);
  const at = (/** @type {number} */ f) => /** @type {{shape: any, elements: any[]}} */ (frames.get(f));
  const merged = { frame: sorted[0], label_id: first.label_id, group: first.group ?? 0, source: first.source ?? "manual",
    attributes: first.attributes ?? [], shapes: sorted.map((f) => keyframeOf({ ...at(f).shape, frame: f })),
    elements: /** @type {any[]} */ ([]) };
  if (type === "skeleton") {
    merged.elements = (first.elements || []).map((/** @type {any} */ e, /** @type {number} */ i) => ({ ...e, frame: sorted[0],
      shapes: sorted.map((f) => keyframeOf({ ...(at(f).elements[i] ?? e.shapes[0]), type: "points", frame: f })) }));
  }
  return merged;
}
