// Editing operations on a job's annotations, independent of the page: new shapes and tracks
// from the drawing tools, label and attribute changes, occluded, z-order, copy and paste, and
// the track operations (keyframes, outside, merge, split, propagate, shape ↔ track). Each is
// one undoable step of the store. Changing a track on a frame changes its keyframe there only.

import { roundPoints } from "./geometry.js";
import { MaskBitmap } from "./masks.js";
import { parseSkeleton } from "./skeleton.js";
import { mergeObjects, removeKeyframe, setKeyframe, shapeFromTrack, splitTrack, trackFromShape } from "./track-edits.js";
import { interpolate, isKeyframe } from "./tracks.js";

/**
 * @typedef {import("./model.js").AnnotationStore} AnnotationStore
 * @typedef {import("./model.js").AnnotationObject} AnnotationObject
 * @typedef {{id: number, name: string, color: string, type: string, svg?: string,
 *            attributes: {id: number, name: string, input_type: string, values: string[], default_value: string,
 *                         mutable?: boolean}[],
 *            sublabels?: any[]}} Label
 */

/**
 * Whether a label may be used for a shape type (``tag`` for tags), as the server rules it.
 * @param {Label} label @param {string} type
 * @returns {boolean}
 */
export function labelAllows(label, type) {
  if (type === "tag") return label.type === "any" || label.type === "tag";
  if (label.type === "any") return type !== "skeleton";
  return label.type === type;
}

/** @param {Label} label @returns {{spec_id: number, value: string}[]} */
export function defaultAttributes(label) {
  return (label.attributes || []).map((a) => ({ spec_id: a.id, value: a.default_value ?? a.values?.[0] ?? "" }));
}

/** Annotation editing for one job. */
export class AnnotationEditor {
  /**
   * @param {AnnotationStore} store
   * @param {Label[]} labels the job's top-level labels (skeletons with their sublabels)
   */
  constructor(store, labels) {
    this.store = store;
    this.labels = labels;
    /** @type {Map<number, Label>} labels and skeleton points by id */
    this.byId = new Map();
    for (const label of labels) {
      this.byId.set(label.id, label);
      for (const sub of label.sublabels || []) this.byId.set(sub.id, sub);
    }
    /** @type {any} */
    this.clipboard = null;
    /** @type {Set<number>} ids of the attributes that change per keyframe */
    this.mutable = new Set();
    for (const label of this.byId.values()) for (const a of label.attributes || []) if (a.mutable) this.mutable.add(a.id);
  }

  /**
   * The shape type of an object ("tag" for tags; a track's keyframes' type).
   * @param {AnnotationObject} obj @returns {string}
   */
  typeOf(obj) {
    if (obj.kind === "tag") return "tag";
    return obj.kind === "track" ? obj.data.shapes[0].type : obj.data.type;
  }

  /** @param {number} id @returns {Label | undefined} */
  label(id) {
    return this.byId.get(id);
  }

  /** @param {string} type a shape type or "tag" @returns {Label[]} */
  labelsFor(type) {
    return this.labels.filter((l) => labelAllows(l, type));
  }

  /**
   * The skeleton template of a skeleton label, with the sublabel id of each point.
   * @param {Label} label
   */
  template(label) {
    const parsed = parseSkeleton(label);
    const byName = new Map((label.sublabels || []).map((s) => [s.name, s.id]));
    return { ...parsed, sublabelIds: parsed.points.map((p) => p.id ?? byName.get(p.name)) };
  }

  /**
   * The highest z-order among the shapes of a frame.
   * @param {number} frame
   * @returns {{min: number, max: number}}
   */
  zRange(frame) {
    let min = 0;
    let max = 0;
    for (const obj of this.store.byFrame.get(frame) || []) {
      if (obj.kind !== "shape") continue;
      min = Math.min(min, obj.data.z_order || 0);
      max = Math.max(max, obj.data.z_order || 0);
    }
    return { min, max };
  }

  /**
   * A new shape from a drawing tool, on top of the frame's others; with ``asTrack``, a track
   * whose first keyframe is that shape.
   * @param {import("./tools.js").Drawn} drawn
   * @param {number} frame
   * @param {Label} label
   * @param {boolean} [asTrack]
   * @returns {AnnotationObject}
   */
  createShape(drawn, frame, label, asTrack = false) {
    /** @type {Record<string, any>} */
    const data = {
      type: drawn.type, frame, label_id: label.id, group: 0, source: "manual", occluded: false, outside: false,
      z_order: this.zRange(frame).max + 1, rotation: drawn.rotation || 0, points: roundPoints(drawn.points),
      attributes: defaultAttributes(label), elements: [],
    };
    if (drawn.type === "skeleton") {
      data.points = [];
      data.elements = (drawn.elements || []).map((e) => {
        const sub = this.byId.get(e.label_id);
        return { type: "points", frame, label_id: e.label_id, points: roundPoints(e.points), occluded: false, outside: false,
          z_order: 0, rotation: 0, group: 0, source: "manual", attributes: sub ? defaultAttributes(sub) : [] };
      });
    }
    if (asTrack) return this.store.create("track", [trackFromShape(data, this.mutable)], `Draw ${drawn.type} track`)[0];
    return this.store.create("shape", [data], `Draw ${drawn.type}`)[0];
  }

  /** @param {number} frame @param {Label} label @returns {AnnotationObject} */
  createTag(frame, label) {
    return this.store.create("tag", [{ frame, label_id: label.id, group: 0, source: "manual",
      attributes: defaultAttributes(label) }], "Add tag")[0];
  }

  /**
   * Give an object another label; its attributes take the new label's defaults.
   * @param {AnnotationObject} obj @param {number} labelId
   */
  setLabel(obj, labelId) {
    const label = this.byId.get(labelId);
    if (!label || obj.data.label_id === labelId) return;
    const type = this.typeOf(obj);
    if (!labelAllows(label, type) || type === "skeleton") return;
    const attributes = defaultAttributes(label);
    if (obj.kind === "track") {
      const own = attributes.filter((a) => !this.mutable.has(a.spec_id));
      const perKeyframe = attributes.filter((a) => this.mutable.has(a.spec_id));
      const shapes = obj.data.shapes.map((/** @type {any} */ s) => ({ ...s, attributes: perKeyframe }));
      this.store.update(obj, { ...obj.data, label_id: labelId, attributes: own, shapes }, "Change label");
      return;
    }
    this.store.update(obj, { ...obj.data, label_id: labelId, attributes }, "Change label");
  }

  /**
   * Set an attribute; on a track, a mutable attribute changes the keyframe on ``frame`` (made
   * there if needed), an immutable one the whole track.
   * @param {AnnotationObject} obj @param {number} specId @param {string} value @param {number} [frame]
   */
  setAttribute(obj, specId, value, frame) {
    /** @param {any[]} list */
    const withValue = (list) => {
      const attributes = (list || []).filter((/** @type {any} */ a) => a.spec_id !== specId);
      attributes.push({ spec_id: specId, value });
      return attributes.sort((/** @type {any} */ a, /** @type {any} */ b) => a.spec_id - b.spec_id);
    };
    if (obj.kind === "track" && frame !== undefined && this.mutable.has(specId)) {
      const state = interpolate(obj.data, frame);
      const current = (state?.attributes || []).filter((/** @type {any} */ a) => this.mutable.has(a.spec_id));
      this.store.update(obj, setKeyframe(obj.data, frame, { attributes: withValue(current) }), "Change attribute");
      return;
    }
    this.store.update(obj, { ...obj.data, attributes: withValue(obj.data.attributes) }, "Change attribute");
  }

  /** @param {AnnotationObject} obj @param {boolean} occluded @param {number} [frame] for a track */
  setOccluded(obj, occluded, frame) {
    if (obj.kind === "track" && frame !== undefined) {
      const state = interpolate(obj.data, frame);
      if (!state || Boolean(state.occluded) === occluded) return;
      this.store.update(obj, setKeyframe(obj.data, frame, { occluded }), occluded ? "Mark occluded" : "Mark not occluded");
      return;
    }
    if (obj.kind !== "shape" || Boolean(obj.data.occluded) === occluded) return;
    this.store.update(obj, { ...obj.data, occluded }, occluded ? "Mark occluded" : "Mark not occluded");
  }

  /** @param {AnnotationObject} obj @param {number} index @param {boolean} outside @param {number} [frame] for a track */
  setElementOutside(obj, index, outside, frame) {
    const label = outside ? "Hide a point" : "Show a point";
    if (obj.kind === "track" && frame !== undefined) {
      const patches = obj.data.elements.map((/** @type {any} */ _e, /** @type {number} */ i) => (i === index ? { outside } : {}));
      this.store.update(obj, setKeyframe(obj.data, frame, { elements: patches }), label);
      return;
    }
    const elements = obj.data.elements.map((/** @type {any} */ e, /** @type {number} */ i) => (i === index ? { ...e, outside } : e));
    this.store.update(obj, { ...obj.data, elements }, label);
  }

  /**
   * Replace an object's geometry after a mouse edit; a track gets a keyframe on ``frame``.
   * @param {AnnotationObject} obj @param {any} shape the shape with new points/rotation/elements
   * @param {string} label @param {number} [frame] for a track
   */
  setGeometry(obj, shape, label, frame) {
    const points = shape.type === "mask" ? shape.points : roundPoints(shape.points);
    const rotation = Math.round((shape.rotation || 0) * 100) / 100;
    if (obj.kind === "track" && frame !== undefined) {
      /** @type {Record<string, any>} */
      const patch = { points, rotation };
      if (shape.elements) patch.elements = shape.elements.map((/** @type {any} */ e) => ({ points: roundPoints(e.points) }));
      this.store.update(obj, setKeyframe(obj.data, frame, patch), label);
      return;
    }
    /** @type {Record<string, any>} */
    const data = { ...obj.data, points, rotation };
    if (shape.elements) data.elements = shape.elements.map((/** @type {any} */ e) => ({ ...e, points: roundPoints(e.points) }));
    this.store.update(obj, data, label);
  }

  /**
   * Outside on (the track ends on ``frame``) or off (it is visible again from ``frame``).
   * @param {AnnotationObject} obj @param {number} frame @param {boolean} outside
   */
  setOutside(obj, frame, outside) {
    if (obj.kind !== "track") return;
    this.store.update(obj, setKeyframe(obj.data, frame, { outside }), outside ? "Outside" : "Inside again");
  }

  /**
   * Make ``frame`` a keyframe of a track (its current state), or stop it being one.
   * @param {AnnotationObject} obj @param {number} frame
   * @returns {boolean} false when the only keyframe was asked to go
   */
  toggleKeyframe(obj, frame) {
    if (obj.kind !== "track") return false;
    if (isKeyframe(obj.data.shapes, frame)) return this.deleteKeyframe(obj, frame);
    this.store.update(obj, setKeyframe(obj.data, frame), "Add a keyframe");
    return true;
  }

  /**
   * Delete a track's keyframe on ``frame`` (not its last one).
   * @param {AnnotationObject} obj @param {number} frame
   * @returns {boolean} whether it was deleted
   */
  deleteKeyframe(obj, frame) {
    if (obj.kind !== "track") return false;
    const data = removeKeyframe(obj.data, frame);
    if (!data) return false;
    this.store.update(obj, data, "Delete a keyframe");
    return true;
  }

  /**
   * A shape becomes a track with one keyframe (same label, attributes and geometry).
   * @param {AnnotationObject} obj @returns {AnnotationObject | null} the track
   */
  toTrack(obj) {
    if (obj.kind !== "shape") return null;
    const track = trackFromShape(obj.data, this.mutable);
    return this.replaceObjects([obj], "track", [track], "Switch to a track")[0];
  }

  /**
   * A track becomes a shape: the one it has on ``frame``; its other keyframes go.
   * @param {AnnotationObject} obj @param {number} frame
   * @returns {AnnotationObject | null} the shape (null where the track is not visible)
   */
  toShape(obj, frame) {
    if (obj.kind !== "track") return null;
    const shape = shapeFromTrack(obj.data, frame);
    if (!shape) return null;
    return this.replaceObjects([obj], "shape", [shape], "Switch to a shape")[0];
  }

  /**
   * Merge shapes and tracks of one label into one track (see ``mergeObjects``).
   * @param {AnnotationObject[]} objs @param {number} lastFrame the job's last frame
   * @returns {AnnotationObject} the track
   * @throws {Error} with a message for the user when they cannot be merged
   */
  merge(objs, lastFrame) {
    if (objs.some((o) => o.kind === "tag")) throw new Error("Tags cannot be merged into a track.");
    const track = mergeObjects(objs.map((o) => ({ kind: /** @type {"shape" | "track"} */ (o.kind), data: o.data })), this.mutable, lastFrame);
    return this.replaceObjects(objs, "track", [track], "Merge into a track")[0];
  }

  /**
   * Split a track in two on ``frame``.
   * @param {AnnotationObject} obj @param {number} frame
   * @returns {AnnotationObject[] | null} the two tracks, or null when the frame is not inside it
   */
  split(obj, frame) {
    if (obj.kind !== "track") return null;
    const parts = splitTrack(obj.data, frame);
    if (!parts) return null;
    // The first part keeps the server id (an update); the second is new.
    const [first] = parts;
    const [second] = this.store.create("track", [parts[1]], "Split the track");
    this.store.commit("Split the track", [{ obj, data: first }]);
    this.mergeLastSteps(2);
    return [obj, second];
  }

  /**
   * Copies of a shape on the ``count`` frames after its own (not beyond ``lastFrame``).
   * @param {AnnotationObject} obj @param {number} count @param {number} lastFrame
   * @returns {AnnotationObject[]} the copies
   */
  propagate(obj, count, lastFrame) {
    if (obj.kind !== "shape") return [];
    const copies = [];
    for (let f = obj.data.frame + 1; f <= Math.min(lastFrame, obj.data.frame + count); f += 1) {
      const data = structuredClone(obj.data);
      data.frame = f;
      if (Array.isArray(data.elements)) data.elements.forEach((/** @type {any} */ e) => { e.frame = f; });
      copies.push(data);
    }
    return copies.length ? this.store.create("shape", copies, `Propagate to ${copies.length} frames`) : [];
  }

  /**
   * Remove ``objs`` and create ``items`` of ``kind`` in one undoable step.
   * @param {AnnotationObject[]} objs @param {"shape" | "track"} kind @param {any[]} items @param {string} label
   * @returns {AnnotationObject[]} the created objects
   */
  replaceObjects(objs, kind, items, label) {
    const created = this.store.create(kind, items, label);
    this.store.remove(objs, label);
    this.mergeLastSteps(2);
    return created;
  }

  /**
   * Give a shape or a track another type (polygon ↔ mask), as one undo step. A mask of several
   * parts (pixels apart) becomes one polygon per part: the largest takes the shape's place, the
   * others are new shapes with its label, attributes, group and z-order. A track keeps one shape
   * type (CVAT's format, the server refuses a mix), so a track is converted whole: the state shown
   * on ``frame`` first becomes a keyframe (what is on screen is kept as it is), then every keyframe
   * is converted, each to its largest part. Between keyframes the track then follows the new
   * type's rules (a mask keeps the earlier keyframe; polygons move when their point counts match).
   * @param {AnnotationObject} obj @param {"polygon" | "mask"} type
   * @param {(points: number[]) => number[][]} toType the new points from the old, one list per
   *   part, largest first (none: nothing left)
   * @param {number} frame the frame shown
   * @returns {{problem: string | null, parts: number}} why nothing was converted (or null), and
   *   how many objects the conversion made (tracks: the parts that were dropped are not counted)
   */
  convert(obj, type, toType, frame) {
    const refuse = (/** @type {string} */ problem) => ({ problem, parts: 0 });
    if (obj.kind !== "shape" && obj.kind !== "track") return refuse("Only shapes and tracks can be converted.");
    if (!this.labelsFor(type).some((l) => l.id === obj.data.label_id)) return refuse(`The label of this object cannot be used for a ${type}.`);
    const from = type === "mask" ? "polygon" : "mask";
    const empty = type === "mask" ? "covers no pixel" : "has no pixels";
    /** @param {number[]} points @returns {number[][]} */
    const convertPoints = (points) => toType(points).map((out) => (type === "mask" ? out : roundPoints(out)));
    if (obj.kind === "shape") {
      const [first, ...others] = convertPoints(obj.data.points);
      if (!first) return refuse(`The ${from} ${empty}: nothing was converted.`);
      const label = `Convert to ${type}`;
      const { id: _id, ...rest } = obj.data;
      if (others.length) this.store.create("shape", others.map((points) => ({ ...rest, type, points, rotation: 0 })), label);
      this.store.update(obj, { ...obj.data, type, points: first, rotation: 0 }, label);
      if (others.length) this.mergeLastSteps(2);
      return { problem: null, parts: 1 + others.length };
    }
    const shown = interpolate(obj.data, frame);
    const track = shown && !isKeyframe(obj.data.shapes, frame) ? setKeyframe(obj.data, frame) : obj.data;
    /** @type {any[]} */
    const shapes = [];
    for (const keyframe of track.shapes) {
      // An outside keyframe shows nothing: when its points give nothing, it keeps the last ones.
      const points = convertPoints(keyframe.points)[0] ?? (keyframe.outside && shapes.length ? shapes[shapes.length - 1].points : null);
      if (!points) return refuse(`The track's ${from} on frame ${keyframe.frame} ${empty}: nothing was converted.`);
      shapes.push({ ...keyframe, type, points, rotation: 0 });
    }
    this.store.update(obj, { ...track, shapes }, `Convert the track to ${type}`);
    return { problem: null, parts: 1 };
  }

  /**
   * Clear a mask's pixels from the masks under it on its frame (CVAT's "remove underlying
   * pixels"); masks left empty are deleted. Folded into the previous undo step.
   * @param {AnnotationObject} obj a mask shape
   * @returns {number} how many masks changed
   */
  removeUnderlying(obj) {
    if (obj.kind !== "shape" || obj.data.type !== "mask") return 0;
    const top = new MaskBitmap(Infinity, Infinity, obj.data.points);
    const edits = [];
    for (const other of this.store.byFrame.get(obj.data.frame) || []) {
      if (other === obj || other.kind !== "shape" || other.data.type !== "mask" || other.data.z_order > obj.data.z_order) continue;
      const points = top.subtractFrom(other.data.points);
      const before = other.data.points;
      if (!points) edits.push({ obj: other, present: false });
      else if (points.length !== before.length || points.some((v, i) => v !== before[i])) {
        edits.push({ obj: other, data: { ...other.data, points } });
      }
    }
    if (!edits.length) return 0;
    this.store.commit("Remove underlying pixels", edits);
    this.mergeLastSteps(2);
    return edits.length;
  }

  /** A group number no object uses yet. @returns {number} */
  newGroup() {
    let max = 0;
    for (const obj of this.store.objects.values()) if (obj.present && obj.kind !== "tag") max = Math.max(max, obj.data.group || 0);
    return max + 1;
  }

  /**
   * Put shapes and tracks in a group (0: none), as one undo step.
   * @param {AnnotationObject[]} objs @param {number} group
   */
  setGroup(objs, group) {
    const edits = objs.filter((o) => o.kind !== "tag" && (o.data.group || 0) !== group)
      .map((obj) => ({ obj, data: { ...obj.data, group } }));
    if (edits.length) this.store.commit(group ? "Group" : "Ungroup", edits);
  }

  /** Fold the last ``count`` undo steps into one (so one Ctrl+Z undoes a compound edit). @param {number} count */
  mergeLastSteps(count) {
    const stack = this.store.history.undoStack;
    if (stack.length < count) return;
    const steps = stack.splice(stack.length - count, count);
    stack.push({ label: steps[steps.length - 1].label, changes: steps.flatMap((s) => s.changes) });
  }

  /**
   * Bring a shape to the front (+1) or send it to the back (-1) of its frame.
   * @param {AnnotationObject} obj @param {1 | -1} direction
   */
  zOrder(obj, direction) {
    if (obj.kind !== "shape") return;  // a track's z-order is per keyframe: not changed here
    const { min, max } = this.zRange(obj.data.frame);
    const z = direction > 0 ? max + 1 : min - 1;
    this.store.update(obj, { ...obj.data, z_order: z }, direction > 0 ? "Bring forward" : "Send backward");
  }

  /** @param {AnnotationObject} obj */
  copy(obj) {
    if (obj.kind === "track") return false;
    this.clipboard = { kind: obj.kind, data: structuredClone(obj.data) };
    return true;
  }

  /**
   * Paste the copied object onto a frame (skeleton points included).
   * @param {number} frame
   * @returns {AnnotationObject | null}
   */
  paste(frame) {
    if (!this.clipboard) return null;
    const data = structuredClone(this.clipboard.data);
    data.frame = frame;
    if (Array.isArray(data.elements)) data.elements.forEach((/** @type {any} */ e) => { e.frame = frame; });
    if (this.clipboard.kind === "shape") data.z_order = this.zRange(frame).max + 1;
    return this.store.create(this.clipboard.kind, [data], "Paste")[0];
  }
}
