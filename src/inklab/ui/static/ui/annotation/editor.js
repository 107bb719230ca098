// Editing operations on a job's annotations, independent of the page: new shapes from the
// drawing tools, label and attribute changes, occluded, z-order, copy and paste. Each is one
// undoable step of the store.

import { roundPoints } from "./geometry.js";
import { parseSkeleton } from "./skeleton.js";

/**
 * @typedef {import("./model.js").AnnotationStore} AnnotationStore
 * @typedef {import("./model.js").AnnotationObject} AnnotationObject
 * @typedef {{id: number, name: string, color: string, type: string, svg?: string,
 *            attributes: {id: number, name: string, input_type: string, values: string[], default_value: string}[],
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
   * A new shape from a drawing tool, on top of the frame's others.
   * @param {import("./tools.js").Drawn} drawn
   * @param {number} frame
   * @param {Label} label
   * @returns {AnnotationObject}
   */
  createShape(drawn, frame, label) {
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
    const type = obj.kind === "tag" ? "tag" : obj.data.type;
    if (!labelAllows(label, type) || type === "skeleton") return;
    this.store.update(obj, { ...obj.data, label_id: labelId, attributes: defaultAttributes(label) }, "Change label");
  }

  /** @param {AnnotationObject} obj @param {number} specId @param {string} value */
  setAttribute(obj, specId, value) {
    const attributes = (obj.data.attributes || []).filter((/** @type {any} */ a) => a.spec_id !== specId);
    attributes.push({ spec_id: specId, value });
    attributes.sort((/** @type {any} */ a, /** @type {any} */ b) => a.spec_id - b.spec_id);
    this.store.update(obj, { ...obj.data, attributes }, "Change attribute");
  }

  /** @param {AnnotationObject} obj @param {boolean} occluded */
  setOccluded(obj, occluded) {
    if (obj.kind !== "shape" || Boolean(obj.data.occluded) === occluded) return;
    this.store.update(obj, { ...obj.data, occluded }, occluded ? "Mark occluded" : "Mark not occluded");
  }

  /** @param {AnnotationObject} obj @param {number} index @param {boolean} outside */
  setElementOutside(obj, index, outside) {
    const elements = obj.data.elements.map((/** @type {any} */ e, /** @type {number} */ i) => (i === index ? { ...e, outside } : e));
    this.store.update(obj, { ...obj.data, elements }, outside ? "Hide a point" : "Show a point");
  }

  /**
   * Replace an object's geometry after a mouse edit.
   * @param {AnnotationObject} obj @param {any} shape the shape with new points/rotation/elements
   * @param {string} label
   */
  setGeometry(obj, shape, label) {
    /** @type {Record<string, any>} */
    const data = { ...obj.data, points: shape.type === "mask" ? shape.points : roundPoints(shape.points),
      rotation: Math.round((shape.rotation || 0) * 100) / 100 };
    if (shape.elements) data.elements = shape.elements.map((/** @type {any} */ e) => ({ ...e, points: roundPoints(e.points) }));
    this.store.update(obj, data, label);
  }

  /**
   * Bring a shape to the front (+1) or send it to the back (-1) of its frame.
   * @param {AnnotationObject} obj @param {1 | -1} direction
   */
  zOrder(obj, direction) {
    if (obj.kind !== "shape") return;
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
