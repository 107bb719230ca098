// Drawing tools: the mouse gestures that make new shapes.
//
// rectangle, ellipse, skeleton  drag a box (or click two opposite corners)
// cuboid                        drag its front face, then move the pointer to set the depth
//                               and click (or press N); or, "by 4 points", click three corners
//                               of the front face and a fourth for the depth
// polygon, polyline, points     click the vertices (Shift+drag adds them continuously);
//                               finish with N, Enter, a double click or the Done button
//                               (a polygon also by clicking its first vertex); Backspace
//                               removes the last vertex; Esc cancels any tool.
//
// A tool gets pointer positions in image pixels and calls ``onDone`` with the new geometry
// ({type, points, rotation?, elements?}).

import { CUBOID_EDGES, cuboidFrom4Points, cuboidFromBox } from "./cuboid.js";
import { minPoints } from "./geometry.js";
import { placeSkeleton } from "./skeleton.js";

/**
 * @typedef {{x: number, y: number}} Point
 * @typedef {{type: string, points: number[], rotation?: number, elements?: {label_id: number, points: number[]}[]}} Drawn
 * @typedef {{color: string, template?: import("./skeleton.js").SkeletonTemplate & {sublabelIds: number[]},
 *            cuboidMethod?: "box" | "points"}} ToolOptions
 *   ``cuboidMethod``: how a cuboid is drawn, CVAT's "from rectangle" (the default) or "by 4 points"
 */

/** The gesture of drawing one shape. */
export class Tool {
  /**
   * @param {string} type
   * @param {(shape: Drawn) => void} onDone
   * @param {ToolOptions} options
   */
  constructor(type, onDone, options) {
    this.type = type;
    this.onDone = onDone;
    this.options = options;
    /** @type {Point | null} pointer position, for the preview */
    this.cursor = null;
  }

  /** @param {Point} p @param {PointerEvent} e */
  down(p, e) {}  // eslint-disable-line no-unused-vars

  /** @param {Point} p @param {PointerEvent} e */
  move(p, e) {
    this.cursor = p;
  }

  /** @param {Point} p @param {PointerEvent} e */
  up(p, e) {}  // eslint-disable-line no-unused-vars

  /** @param {Point} p */
  doubleClick(p) {}  // eslint-disable-line no-unused-vars

  /** Finish on request (N, Enter, Done); returns whether the tool finished. */
  finish() {
    return false;
  }

  /** Undo the last step of the gesture; returns false when there is nothing to undo. */
  back() {
    return false;
  }

  /** Whether the gesture has begun (Esc then cancels it rather than the tool). */
  get started() {
    return false;
  }

  /** @param {CanvasRenderingContext2D} ctx @param {number} scale */
  preview(ctx, scale) {}  // eslint-disable-line no-unused-vars

  /** The hint shown while the tool is active. */
  get hint() {
    return "";
  }
}

/** Rectangles, ellipses and skeletons: a box between two corners. */
export class BoxTool extends Tool {
  /** @param {string} type @param {(shape: Drawn) => void} onDone @param {ToolOptions} options */
  constructor(type, onDone, options) {
    super(type, onDone, options);
    /** @type {Point | null} */
    this.anchor = null;
    this.dragged = false;
  }

  get started() {
    return this.anchor !== null;
  }

  get hint() {
    return this.anchor ? "Release (or click) at the opposite corner. Esc cancels."
      : `Drag a box to draw the ${this.type}, or click two opposite corners.`;
  }

  /** @param {Point} p */
  down(p) {
    if (!this.anchor) {
      this.anchor = p;
      this.dragged = false;
    }
  }

  /** @param {Point} p @param {PointerEvent} e */
  move(p, e) {
    super.move(p, e);
    if (this.anchor && e.buttons & 1) this.dragged = true;
  }

  /** @param {Point} p */
  up(p) {
    if (!this.anchor) return;
    const far = Math.abs(p.x - this.anchor.x) + Math.abs(p.y - this.anchor.y) > 1;
    if (!far) {
      if (this.dragged) this.anchor = null;  // a drag that went nowhere
      return;  // a click: wait for the second corner
    }
    const a = this.anchor;
    this.anchor = null;
    this.emit(Math.min(a.x, p.x), Math.min(a.y, p.y), Math.max(a.x, p.x), Math.max(a.y, p.y));
  }

  back() {
    if (!this.anchor) return false;
    this.anchor = null;
    return true;
  }

  /** @param {number} x1 @param {number} y1 @param {number} x2 @param {number} y2 */
  emit(x1, y1, x2, y2) {
    if (this.type === "ellipse") {
      const cx = (x1 + x2) / 2;
      const cy = (y1 + y2) / 2;
      this.onDone({ type: "ellipse", points: [cx, cy, x2, y1], rotation: 0 });
    } else if (this.type === "skeleton") {
      const template = /** @type {NonNullable<ToolOptions["template"]>} */ (this.options.template);
      const placed = placeSkeleton(template, [x1, y1, x2, y2]);
      this.onDone({ type: "skeleton", points: [],
        elements: placed.map((pt, i) => ({ label_id: template.sublabelIds[i], points: pt })) });
    } else {
      this.onDone({ type: "rectangle", points: [x1, y1, x2, y2], rotation: 0 });
    }
  }

  /** @param {CanvasRenderingContext2D} ctx @param {number} scale */
  preview(ctx, scale) {
    if (!this.anchor || !this.cursor) return;
    const a = this.anchor;
    const b = this.cursor;
    ctx.lineWidth = 1.5 / scale;
    ctx.strokeStyle = this.options.color;
    ctx.fillStyle = "rgba(255,255,255,0.12)";
    ctx.setLineDash([5 / scale, 3 / scale]);
    ctx.beginPath();
    if (this.type === "ellipse") {
      ctx.ellipse((a.x + b.x) / 2, (a.y + b.y) / 2, Math.abs(b.x - a.x) / 2, Math.abs(b.y - a.y) / 2, 0, 0, 2 * Math.PI);
    } else ctx.rect(a.x, a.y, b.x - a.x, b.y - a.y);
    ctx.fill();
    ctx.stroke();
    ctx.setLineDash([]);
    if (this.type === "skeleton" && this.options.template) {
      const placed = placeSkeleton(this.options.template, [Math.min(a.x, b.x), Math.min(a.y, b.y), Math.max(a.x, b.x), Math.max(a.y, b.y)]);
      ctx.beginPath();
      for (const [i, j] of this.options.template.edges) {
        ctx.moveTo(placed[i][0], placed[i][1]);
        ctx.lineTo(placed[j][0], placed[j][1]);
      }
      ctx.stroke();
      ctx.fillStyle = this.options.color;
      for (const [x, y] of placed) {
        ctx.beginPath();
        ctx.arc(x, y, 3.5 / scale, 0, 2 * Math.PI);
        ctx.fill();
      }
    }
  }
}

/** Cuboids: the front face as a box, then the depth (where the back face lies) from the pointer. */
export class CuboidTool extends BoxTool {
  /** @param {(shape: Drawn) => void} onDone @param {ToolOptions} options */
  constructor(onDone, options) {
    super("cuboid", onDone, options);
    /** @type {number[] | null} the front face x1, y1, x2, y2 once drawn */
    this.front = null;
    /** A click that began in the depth step (its release finishes). */
    this.armed = false;
  }

  get started() {
    return this.front !== null || super.started;
  }

  get hint() {
    return this.front ? "Move the pointer to place the back face, then click (or N). Backspace redraws the front face."
      : "Drag the front face of the cuboid (or click two opposite corners).";
  }

  /** @param {Point} p */
  down(p) {
    if (this.front) this.armed = true;
    else super.down(p);
  }

  /** @param {Point} p @param {PointerEvent} e */
  up(p, e) {
    if (!this.front) super.up(p);
    else if (this.armed) {
      this.cursor = p;
      this.finish();
    }
    void e;
  }

  /** @param {number} x1 @param {number} y1 @param {number} x2 @param {number} y2 */
  emit(x1, y1, x2, y2) {
    this.front = [x1, y1, x2, y2];
    this.armed = false;
  }

  /** The cuboid as drawn so far (the back face from the pointer, or a default depth). @returns {number[] | null} */
  points() {
    if (!this.front) return null;
    const [x1, y1, x2, y2] = this.front;
    const [dx, dy] = this.cursor ? [this.cursor.x - x2, this.cursor.y - y1] : [(x2 - x1) / 4, -(y2 - y1) / 4];
    return cuboidFromBox(x1, y1, x2, y2, dx, dy);
  }

  finish() {
    const points = this.points();
    if (!points) return false;
    this.front = null;
    this.armed = false;
    this.onDone({ type: "cuboid", points });
    return true;
  }

  back() {
    if (!this.front) return super.back();
    this.front = null;
    this.armed = false;
    return true;
  }

  /** @param {CanvasRenderingContext2D} ctx @param {number} scale */
  preview(ctx, scale) {
    const p = this.points();
    if (!p) {
      super.preview(ctx, scale);
      return;
    }
    ctx.lineWidth = 1.5 / scale;
    ctx.strokeStyle = this.options.color;
    ctx.fillStyle = "rgba(255,255,255,0.12)";
    ctx.setLineDash([5 / scale, 3 / scale]);
    ctx.beginPath();
    ctx.moveTo(p[0], p[1]);
    for (const i of [1, 3, 2]) ctx.lineTo(p[2 * i], p[2 * i + 1]);
    ctx.closePath();
    ctx.fill();
    ctx.beginPath();
    for (const [a, b] of CUBOID_EDGES) {
      ctx.moveTo(p[2 * a], p[2 * a + 1]);
      ctx.lineTo(p[2 * b], p[2 * b + 1]);
    }
    ctx.stroke();
    ctx.setLineDash([]);
  }
}

/** Cuboids by 4 points: three corners of the front face, then one for the depth (see cuboidFrom4Points). */
export class CuboidPointsTool extends Tool {
  /** @param {(shape: Drawn) => void} onDone @param {ToolOptions} options */
  constructor(onDone, options) {
    super("cuboid", onDone, options);
    /** @type {Point[]} */
    this.clicked = [];
    /** @type {Point | null} where the press began (a click is a press and release in one place) */
    this.pressed = null;
  }

  get started() {
    return this.clicked.length > 0;
  }

  get hint() {
    const steps = ["Click a corner of the cuboid's front face.",
      "Click the other end of its vertical edge (or of its top or bottom edge).",
      "Click the third corner of the front face.",
      "Click where that corner lies on the back face (the depth)."];
    return `${steps[this.clicked.length] ?? ""} Backspace takes a point back; Esc cancels.`;
  }

  /** @param {Point} p */
  down(p) {
    this.pressed = p;
  }

  /** @param {Point} p */
  up(p) {
    const start = this.pressed;
    this.pressed = null;
    if (!start || Math.abs(p.x - start.x) + Math.abs(p.y - start.y) > 3) return;  // a drag is not a click
    if (this.clicked.length === 3 && !cuboidFrom4Points(this.flat([...this.clicked, p]))) return;
    if (this.clicked.length === 2 && !cuboidFrom4Points(this.flat([...this.clicked, p, p]))) return;  // no face yet
    this.clicked.push(p);
    if (this.clicked.length === 4) this.finish();
  }

  /** @param {Point[]} list @returns {number[]} */
  flat(list) {
    return list.flatMap((q) => [q.x, q.y]);
  }

  finish() {
    if (this.clicked.length < 4) return false;
    const points = cuboidFrom4Points(this.flat(this.clicked));
    this.clicked = [];
    if (!points) return false;
    this.onDone({ type: "cuboid", points });
    return true;
  }

  back() {
    if (!this.clicked.length) return false;
    this.clicked.pop();
    return true;
  }

  /** @param {CanvasRenderingContext2D} ctx @param {number} scale */
  preview(ctx, scale) {
    const points = this.cursor ? [...this.clicked, this.cursor] : this.clicked;
    ctx.lineWidth = 1.5 / scale;
    ctx.strokeStyle = this.options.color;
    ctx.setLineDash([5 / scale, 3 / scale]);
    ctx.beginPath();
    const cuboid = points.length >= 3 ? cuboidFrom4Points(this.flat(points.length === 3 ? [...points, points[2]] : points)) : null;
    if (cuboid) {
      for (const [a, b] of CUBOID_EDGES) {
        ctx.moveTo(cuboid[2 * a], cuboid[2 * a + 1]);
        ctx.lineTo(cuboid[2 * b], cuboid[2 * b + 1]);
      }
    } else if (points.length) {
      ctx.moveTo(points[0].x, points[0].y);
      for (const q of points.slice(1)) ctx.lineTo(q.x, q.y);
    }
    ctx.stroke();
    ctx.setLineDash([]);
    ctx.fillStyle = this.options.color;
    for (const q of this.clicked) {
      ctx.beginPath();
      ctx.arc(q.x, q.y, 3.5 / scale, 0, 2 * Math.PI);
      ctx.fill();
    }
  }
}

/** The longest pause between the presses of a double click (most systems' default is 500 ms). */
const DOUBLE_CLICK_MS = 500;

/** Polygons, polylines and point sets: one click per vertex. */
export class VertexTool extends Tool {
  /** @param {string} type @param {(shape: Drawn) => void} onDone @param {ToolOptions} options */
  constructor(type, onDone, options) {
    super(type, onDone, options);
    /** @type {number[]} */
    this.points = [];
    /** Image pixels within which a click lands on the first vertex (set by the canvas from the zoom). */
    this.snap = 6;
    /** When the last vertex was added (ms), to recognise the second press of a double click. */
    this.lastAdded = -Infinity;
  }

  get started() {
    return this.points.length > 0;
  }

  get hint() {
    const need = minPoints(this.type);
    const have = this.points.length / 2;
    const finish = this.type === "polygon" ? "click the first point, press N or double-click" : "press N or double-click";
    return have < need ? `Click to add points (${need} at least; Shift+drag draws freehand).`
      : `${have} points: ${finish} to finish; Backspace removes the last point.`;
  }

  /** @param {Point} p @param {PointerEvent} e */
  down(p, e) {
    const n = this.points.length / 2;
    if (this.type === "polygon" && n >= 3 && Math.hypot(p.x - this.points[0], p.y - this.points[1]) <= this.snap) {
      this.finish();
      return;
    }
    // A double click also sends two presses at (nearly) the same place: ignore the repeat. Chromium
    // gives pointerdown a detail of 0, so the press is recognised by time and distance as well.
    const now = e.timeStamp || performance.now();
    if (n && Math.hypot(p.x - this.points[2 * n - 2], p.y - this.points[2 * n - 1]) <= this.snap / 2
      && (e.detail > 1 || now - this.lastAdded < DOUBLE_CLICK_MS)) return;
    this.points.push(p.x, p.y);
    this.lastAdded = now;
  }

  /** @param {Point} p @param {PointerEvent} e */
  move(p, e) {
    super.move(p, e);
    if (e.shiftKey && e.buttons & 1 && this.points.length) {
      const n = this.points.length;
      if (Math.hypot(p.x - this.points[n - 2], p.y - this.points[n - 1]) >= this.snap * 1.5) this.points.push(p.x, p.y);
    }
  }

  doubleClick() {
    this.finish();
  }

  finish() {
    if (this.points.length / 2 < minPoints(this.type)) return false;
    const points = this.points;
    this.points = [];
    this.onDone({ type: this.type, points });
    return true;
  }

  back() {
    if (!this.points.length) return false;
    this.points.splice(-2, 2);
    return true;
  }

  /** @param {CanvasRenderingContext2D} ctx @param {number} scale */
  preview(ctx, scale) {
    const p = this.points;
    if (!p.length) return;
    ctx.lineWidth = 1.5 / scale;
    ctx.strokeStyle = this.options.color;
    ctx.setLineDash([5 / scale, 3 / scale]);
    if (this.type !== "points") {
      ctx.beginPath();
      ctx.moveTo(p[0], p[1]);
      for (let i = 2; i < p.length; i += 2) ctx.lineTo(p[i], p[i + 1]);
      if (this.cursor) ctx.lineTo(this.cursor.x, this.cursor.y);
      if (this.type === "polygon" && p.length >= 4) ctx.closePath();
      ctx.stroke();
    }
    ctx.setLineDash([]);
    for (let i = 0; i < p.length; i += 2) {
      ctx.beginPath();
      ctx.arc(p[i], p[i + 1], (i === 0 ? 5 : 3.5) / scale, 0, 2 * Math.PI);
      ctx.fillStyle = i === 0 && this.type === "polygon" ? "#ffffff" : this.options.color;
      ctx.fill();
      ctx.stroke();
    }
  }
}

/**
 * The tool for a shape type.
 * @param {string} type rectangle, ellipse, skeleton, cuboid, polygon, polyline or points
 * @param {(shape: Drawn) => void} onDone
 * @param {ToolOptions} options
 * @returns {Tool}
 */
export function makeTool(type, onDone, options) {
  if (type === "cuboid") return options.cuboidMethod === "points" ? new CuboidPointsTool(onDone, options) : new CuboidTool(onDone, options);
  return ["rectangle", "ellipse", "skeleton"].includes(type) ? new BoxTool(type, onDone, options) : new VertexTool(type, onDone, options);
}
