// The annotations of a job in the browser: objects indexed by frame, every change undoable,
// and what must be saved computed from what changed since the last save.
//
// Objects keep the API's form (``LabeledShape``/``LabeledImage``/``LabeledTrack`` without
// ``id``) in ``data``; ``sid`` is the server id (null until created there). Each change gives
// an object a new revision number; an object needs saving when it has no ``sid`` or its
// revision differs from the one last saved. Because revision numbers are never reused,
// undoing to the state that was saved makes the object clean again, and undoing past a save
// makes it dirty.

import { History } from "./history.js";
import { interpolate, isKeyframe, stateAt } from "./tracks.js";

/**
 * @typedef {"shape" | "tag" | "track"} Kind
 * @typedef {{data: any, rev: number, present: boolean}} ObjectState
 * @typedef {{tags: any[], shapes: any[], tracks: any[]}} Payload
 * @typedef {{delete: Payload, update: Payload, create: Payload, count: number}} SavePlan
 */

const KEYS = /** @type {const} */ ({ shape: "shapes", tag: "tags", track: "tracks" });

let revisions = 0;
const nextRev = () => ++revisions;

/** One tag, shape or track. */
export class AnnotationObject {
  /**
   * @param {number} cid client id, unique in the page
   * @param {Kind} kind
   * @param {any} data the API form without ``id``
   * @param {number | null} sid
   */
  constructor(cid, kind, data, sid) {
    this.cid = cid;
    this.kind = kind;
    this.data = data;
    this.sid = sid;
    this.rev = nextRev();
    this.savedRev = sid === null ? -1 : this.rev;
    this.present = true;
    /** Client-side display state (not saved, as in CVAT). */
    this.hidden = false;
    this.locked = false;
  }

  get dirty() {
    return this.present && (this.sid === null || this.rev !== this.savedRev);
  }
}

/** @param {any} object @returns {any} the API object without its id (nested ids dropped too) */
function stripIds(object) {
  const { id, ...rest } = object;
  if (Array.isArray(rest.elements)) rest.elements = rest.elements.map(stripIds);
  if (Array.isArray(rest.shapes)) rest.shapes = rest.shapes.map(stripIds);
  return rest;
}

/** @param {{frame: number}[]} shapes @returns {boolean} whether the keyframes are in frame order */
const inFrameOrder = (shapes) => shapes.every((s, i) => i === 0 || shapes[i - 1].frame <= s.frame);

/**
 * A track whose keyframes (and its skeleton points' keyframes) are in frame order, as the
 * interpolation's binary search needs; the server sends them so, a hand-made file may not.
 * @param {any} track @returns {any}
 */
function inOrder(track) {
  /** @param {any} t */
  const sorted = (t) => (inFrameOrder(t.shapes || []) ? t : { ...t, shapes: [...t.shapes].sort((/** @type {any} */ a, /** @type {any} */ b) => a.frame - b.frame) });
  const result = sorted(track);
  if (Array.isArray(result.elements)) result.elements = result.elements.map(sorted);
  return result;
}

/** All objects of a job, their undo history, and what needs saving. Emits "load", "change", "undo", "redo". */
export class AnnotationStore {
  constructor() {
    /** @type {Map<number, AnnotationObject>} */
    this.objects = new Map();
    /** @type {Map<number, Set<AnnotationObject>>} frame → shapes and tags */
    this.byFrame = new Map();
    /** @type {Set<AnnotationObject>} */
    this.tracks = new Set();
    /** @type {Set<AnnotationObject>} objects to create or update */
    this.changed = new Set();
    /** @type {Set<AnnotationObject>} objects removed here but still on the server */
    this.removed = new Set();
    this.version = 0;
    this.nextCid = 1;
    /** @type {Set<(reason: string) => void>} */
    this.listeners = new Set();
    /** @type {History<ObjectState>} */
    this.history = new History((target, state) => this.applyState(target, state));
  }

  /** @param {(reason: string) => void} listener @returns {() => void} unsubscribe */
  subscribe(listener) {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** @param {string} reason */
  emit(reason) {
    for (const listener of this.listeners) listener(reason);
  }

  /**
   * Replace everything with annotations read from the server (``LabeledData``).
   * @param {{version?: number, tags?: any[], shapes?: any[], tracks?: any[]}} labeled
   */
  load(labeled) {
    this.objects.clear();
    this.byFrame.clear();
    this.tracks.clear();
    this.changed.clear();
    this.removed.clear();
    this.history.clear();
    this.version = labeled.version ?? 0;
    for (const [kind, key] of Object.entries(KEYS)) {
      for (const item of labeled[key] || []) {
        const data = kind === "track" ? inOrder(stripIds(item)) : stripIds(item);
        this.index(new AnnotationObject(this.nextCid++, /** @type {Kind} */ (kind), data, item.id ?? null));
      }
    }
    this.emit("load");
  }

  /** @param {AnnotationObject} obj */
  index(obj) {
    this.objects.set(obj.cid, obj);
    if (obj.kind === "track") {
      this.tracks.add(obj);
      return;
    }
    let set = this.byFrame.get(obj.data.frame);
    if (!set) this.byFrame.set(obj.data.frame, (set = new Set()));
    set.add(obj);
  }

  /** @param {AnnotationObject} obj */
  unindex(obj) {
    this.objects.delete(obj.cid);
    if (obj.kind === "track") this.tracks.delete(obj);
    else this.byFrame.get(obj.data.frame)?.delete(obj);
  }

  /** @param {AnnotationObject} obj */
  refresh(obj) {
    if (obj.dirty) this.changed.add(obj);
    else this.changed.delete(obj);
    if (!obj.present && obj.sid !== null) this.removed.add(obj);
    else this.removed.delete(obj);
  }

  /** @param {AnnotationObject} obj @returns {ObjectState} */
  stateOf(obj) {
    return { data: obj.data, rev: obj.rev, present: obj.present };
  }

  /** @param {AnnotationObject} obj @param {ObjectState} state */
  applyState(obj, state) {
    if (obj.present) this.unindex(obj);
    obj.data = state.data;
    obj.rev = state.rev;
    obj.present = state.present;
    if (obj.present) this.index(obj);
    this.refresh(obj);
  }

  /**
   * Apply several changes as one undoable step.
   * @param {string} label shown in the undo button's tooltip
   * @param {{obj: AnnotationObject, data?: any, present?: boolean}[]} edits
   */
  commit(label, edits) {
    const changes = [];
    for (const edit of edits) {
      const before = this.stateOf(edit.obj);
      const after = { data: edit.data ?? edit.obj.data, rev: nextRev(), present: edit.present ?? edit.obj.present };
      this.applyState(edit.obj, after);
      changes.push({ target: edit.obj, before, after });
    }
    this.history.record(label, changes);
    this.emit("change");
  }

  /**
   * Add new objects (one undo step).
   * @param {Kind} kind
   * @param {any[]} items API forms without ids
   * @param {string} [label]
   * @returns {AnnotationObject[]}
   */
  create(kind, items, label = `Create ${kind}`) {
    const created = items.map((data) => {
      const obj = new AnnotationObject(this.nextCid++, kind, data, null);
      obj.present = false;
      return obj;
    });
    this.commit(label, created.map((obj) => ({ obj, present: true })));
    return created;
  }

  /**
   * Replace an object's data (one undo step).
   * @param {AnnotationObject} obj @param {any} data @param {string} [label]
   */
  update(obj, data, label = "Change object") {
    this.commit(label, [{ obj, data }]);
  }

  /** @param {AnnotationObject[]} objs @param {string} [label] */
  remove(objs, label = "Delete object") {
    this.commit(label, objs.filter((o) => o.present).map((obj) => ({ obj, present: false })));
  }

  undo() {
    const step = this.history.undo();
    if (step) this.emit("undo");
    return step;
  }

  redo() {
    const step = this.history.redo();
    if (step) this.emit("redo");
    return step;
  }

  /** Whether anything differs from the server. */
  get dirty() {
    return this.changed.size > 0 || this.removed.size > 0;
  }

  /**
   * Shapes and tags of a frame, the tracks visible on it (interpolated), and the tracks that
   * have started but are outside there (listed, not drawn, so they can be brought back).
   * @param {number} frame
   * @returns {{shapes: AnnotationObject[], tags: AnnotationObject[], tracks: {obj: AnnotationObject, shape: any}[],
   *            outside: {obj: AnnotationObject, shape: any}[]}}
   */
  frameObjects(frame) {
    const shapes = [];
    const tags = [];
    for (const obj of this.byFrame.get(frame) || []) (obj.kind === "tag" ? tags : shapes).push(obj);
    const tracks = [];
    const outside = [];
    for (const obj of this.tracks) {
      const shape = interpolate(obj.data, frame);
      if (shape) tracks.push({ obj, shape });
      else {
        const state = stateAt(obj.data.shapes, frame);
        if (state) outside.push({ obj, shape: { ...state, label_id: obj.data.label_id, outside: true, elements: [],
          keyframe: isKeyframe(obj.data.shapes, frame) } });
      }
    }
    return { shapes, tags, tracks, outside };
  }

  /**
   * What to send: ids to delete, objects to update (with ids), objects to create.
   * @returns {SavePlan & {snapshot: Map<AnnotationObject, number>, createOrder: Record<string, AnnotationObject[]>,
   *           deleting: AnnotationObject[]}}
   */
  plan() {
    /** @returns {Payload} */
    const empty = () => ({ tags: [], shapes: [], tracks: [] });
    const plan = { delete: empty(), update: empty(), create: empty(), count: 0, snapshot: new Map(),
      createOrder: { tags: [], shapes: [], tracks: [] }, deleting: [...this.removed] };
    for (const obj of this.removed) plan.delete[KEYS[obj.kind]].push({ id: obj.sid });
    for (const obj of this.changed) {
      plan.snapshot.set(obj, obj.rev);
      const key = KEYS[obj.kind];
      if (obj.sid === null) {
        plan.create[key].push(obj.data);
        plan.createOrder[key].push(obj);
      } else {
        plan.update[key].push({ ...obj.data, id: obj.sid });
      }
    }
    plan.count = plan.deleting.length + plan.snapshot.size;
    return plan;
  }

  /**
   * Record that the deletions of a plan reached the server.
   * @param {ReturnType<AnnotationStore["plan"]>} plan
   */
  savedDeletions(plan) {
    for (const obj of plan.deleting) {
      obj.sid = null;  // gone from the server: bringing it back (undo) creates it again
      this.refresh(obj);
    }
  }

  /**
   * Record that the updates of a plan reached the server.
   * @param {ReturnType<AnnotationStore["plan"]>} plan
   */
  savedUpdates(plan) {
    for (const [obj, rev] of plan.snapshot) {
      if (obj.sid !== null) {
        obj.savedRev = rev;
        this.refresh(obj);
      }
    }
  }

  /**
   * Record created objects: ``created`` is the server's answer (ids in request order per kind).
   * @param {ReturnType<AnnotationStore["plan"]>} plan
   * @param {Payload & {version?: number}} created
   */
  savedCreations(plan, created) {
    for (const key of /** @type {const} */ (["tags", "shapes", "tracks"])) {
      const objs = plan.createOrder[key];
      const answers = created[key] || [];
      objs.forEach((obj, i) => {
        if (answers[i]?.id === undefined) return;
        obj.sid = answers[i].id;
        obj.savedRev = /** @type {number} */ (plan.snapshot.get(obj));
        this.refresh(obj);
      });
    }
    if (created.version !== undefined) this.version = created.version;
  }
}
