// Drawing a frame and its shapes on a 2D canvas.
//
// Shapes are drawn in z-order; consecutive shapes with the same style are gathered into one
// path each for fills, outlines and dots, so thousands of shapes cost a few dozen draw calls.
// Shapes outside the visible part of the image are skipped.
//
// A busy frame's shapes layer is drawn a slice at a time, one slice per animation frame, into
// a second layer that replaces the shown one when it is complete: 20,000 shapes take a few
// hundred milliseconds of software rasterisation, and done at once they would hold up every
// click, wheel step and key press behind them. Meanwhile the shown layer is mapped onto the
// current view, as during a zoom or pan gesture. Slices have a fixed number of shapes, so what
// is drawn does not depend on timing.
//
// Outlines of a busy frame are one device pixel wide: Skia (Chrome's 2D canvas) strokes
// one-pixel lines along a fast path, while any other width of a path with thousands of
// overlapping rectangles costs ten times as much (~100 ms for 5,000 on a laptop core).

import { CUBOID_EDGES } from "./cuboid.js";
import { ellipseParams, rectCorners, shapeBox } from "./geometry.js";

/**
 * @typedef {import("./geometry.js").Geometry & {occluded?: boolean, rotation?: number}} Shape
 * @typedef {{key: number, shape: Shape, color: string, label: string, locked?: boolean, box?: number[],
 *            edges?: [number, number][], readOnly?: boolean}} RenderItem
 * @typedef {{scale: number, x: number, y: number}} View
 * @typedef {{
 *   width: number, height: number, dpr: number, view: View,
 *   image: CanvasImageSource | null, imageWidth: number, imageHeight: number,
 *   items: RenderItem[], selected: RenderItem | null, hovered: RenderItem | null, excluded: number | null,
 *   handles: import("./geometry.js").Handle[],
 *   preview: ((ctx: CanvasRenderingContext2D, scale: number) => void) | null,
 *   fillOpacity: number, selectedOpacity: number, background: string, smooth: boolean, quick?: boolean,
 *   imageFilter?: string, outline?: string | null, showLabels?: boolean,
 * }} Scene  ``imageFilter``: a CSS filter for the image only; ``outline``: one colour for every outline;
 *   ``showLabels``: a caption on every shape, not only the hovered and selected one
 */

/** Above this many visible shapes, outlines are drawn one device pixel wide (see above). */
const BUSY = 300;
/** Shapes drawn into the shapes layer per animation frame (see above). */
export const SLICE = 1000;

/** @type {Map<string, string>} */
const rgbaCache = new Map();

/**
 * "#rrggbb" with an alpha, as a CSS colour.
 * @param {string} hex @param {number} alpha
 * @returns {string}
 */
export function rgba(hex, alpha) {
  const key = `${hex}/${alpha}`;
  let value = rgbaCache.get(key);
  if (!value) {
    const m = /^#?([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})/i.exec(hex || "");
    const [r, g, b] = m ? [1, 2, 3].map((i) => Number.parseInt(m[i], 16)) : [255, 64, 64];
    value = `rgba(${r},${g},${b},${alpha})`;
    rgbaCache.set(key, value);
  }
  return value;
}


/** @type {WeakMap<number[], HTMLCanvasElement>} */
const maskCache = new WeakMap();

/**
 * A canvas holding a mask's pixels in its colour (decoded once per points list).
 * @param {number[]} points run lengths + [x1, y1, x2, y2]
 * @param {string} color
 * @returns {HTMLCanvasElement}
 */
function maskCanvas(points, color) {
  let canvas = maskCache.get(points);
  if (canvas) return canvas;
  const n = points.length;
  const [x1, y1, x2, y2] = points.slice(n - 4);
  const width = Math.max(1, x2 - x1 + 1);
  const height = Math.max(1, y2 - y1 + 1);
  canvas = document.createElement("canvas");
  canvas.width = width;
  canvas.height = height;
  const ctx = /** @type {CanvasRenderingContext2D} */ (canvas.getContext("2d"));
  const image = ctx.createImageData(width, height);
  const m = /^#?([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})/i.exec(color) || ["", "ff", "40", "40"];
  const [r, g, b] = [1, 2, 3].map((i) => Number.parseInt(m[i], 16));
  let offset = 0;
  for (let i = 0; i < n - 4; i += 1) {
    const run = points[i];
    if (i % 2 === 1) {
      for (let k = offset; k < offset + run && k < width * height; k += 1) {
        image.data[4 * k] = r;
        image.data[4 * k + 1] = g;
        image.data[4 * k + 2] = b;
        image.data[4 * k + 3] = 255;
      }
    }
    offset += run;
  }
  ctx.putImageData(image, 0, 0);
  maskCache.set(points, canvas);
  return canvas;
}

/**
 * Add a shape's outline to paths: ``fill`` for areas, ``stroke`` for lines, ``dots`` for points.
 * @param {Shape} s @param {RenderItem} item @param {Path2D} fill @param {Path2D} stroke @param {Path2D} dots
 * @param {number} dot radius in image pixels
 */
function addShape(s, item, fill, stroke, dots, dot) {
  const p = s.points;
  switch (s.type) {
    case "rectangle": {
      if (s.rotation) {
        const c = rectCorners(p, s.rotation);
        for (const path of [fill, stroke]) {
          path.moveTo(c[0][0], c[0][1]);
          for (let i = 1; i < 4; i += 1) path.lineTo(c[i][0], c[i][1]);
          path.closePath();
        }
      } else {
        const w = p[2] - p[0];
        const h = p[3] - p[1];
        fill.rect(p[0], p[1], w, h);
        stroke.rect(p[0], p[1], w, h);
      }
      return;
    }
    case "ellipse": {
      const { cx, cy, rx, ry } = ellipseParams(p);
      const a = ((s.rotation || 0) * Math.PI) / 180;
      for (const path of [fill, stroke]) {
        path.moveTo(cx + rx * Math.cos(a), cy + rx * Math.sin(a));
        path.ellipse(cx, cy, rx, ry, a, 0, 2 * Math.PI);
        path.closePath();
      }
      return;
    }
    case "polygon":
    case "polyline": {
      for (const path of s.type === "polygon" ? [fill, stroke] : [stroke]) {
        path.moveTo(p[0], p[1]);
        for (let i = 2; i + 1 < p.length; i += 2) path.lineTo(p[i], p[i + 1]);
        if (s.type === "polygon") path.closePath();
      }
      if (s.type === "polyline") for (let i = 0; i + 1 < p.length; i += 2) addDot(dots, p[i], p[i + 1], dot * 0.6);
      return;
    }
    case "points":
      for (let i = 0; i + 1 < p.length; i += 2) addDot(dots, p[i], p[i + 1], dot);
      return;
    case "cuboid":
      // The front face is filled, so that its orientation shows.
      fill.moveTo(p[0], p[1]);
      for (const i of [1, 3, 2]) fill.lineTo(p[2 * i], p[2 * i + 1]);
      fill.closePath();
      for (const [a, b] of CUBOID_EDGES) {
        stroke.moveTo(p[2 * a], p[2 * a + 1]);
        stroke.lineTo(p[2 * b], p[2 * b + 1]);
      }
      return;
    case "skeleton": {
      const elements = s.elements || [];
      for (const [a, b] of item.edges || []) {
        const ea = elements[a];
        const eb = elements[b];
        if (!ea || !eb || ea.outside || eb.outside) continue;
        stroke.moveTo(ea.points[0], ea.points[1]);
        stroke.lineTo(eb.points[0], eb.points[1]);
      }
      for (const e of elements) if (!e.outside) addDot(dots, e.points[0], e.points[1], dot);
      return;
    }
    default: {
      const [x1, y1, x2, y2] = shapeBox(s);
      stroke.rect(x1, y1, x2 - x1, y2 - y1);
    }
  }
}

/** @param {Path2D} path @param {number} x @param {number} y @param {number} r */
function addDot(path, x, y, r) {
  path.moveTo(x + r, y);
  path.arc(x, y, r, 0, 2 * Math.PI);
}

/**
 * @typedef {{key: any[], view: View, scene: Scene, shown: RenderItem[], next: number}} LayerJob
 *   a shapes layer being drawn: the visible items, and the index of the first not drawn yet
 */

/** @param {any[]} a @param {any[]} b @returns {boolean} */
const sameKey = (a, b) => a.length === b.length && a.every((value, i) => value === b[i]);

/** @param {View} a @param {View} b @returns {boolean} */
const sameViewAs = (a, b) => a.scale === b.scale && a.x === b.x && a.y === b.y;

/** Draws scenes on one canvas. */
export class Renderer {
  /** @param {HTMLCanvasElement} canvas */
  constructor(canvas) {
    this.canvas = canvas;
    this.ctx = /** @type {CanvasRenderingContext2D} */ (canvas.getContext("2d", { alpha: false }));
    /** The shapes layer shown, and the one being drawn (see the top of this file). */
    this.base = document.createElement("canvas");
    this.baseCtx = /** @type {CanvasRenderingContext2D} */ (this.base.getContext("2d"));
    this.back = document.createElement("canvas");
    this.backCtx = /** @type {CanvasRenderingContext2D} */ (this.back.getContext("2d"));
    /** @type {any[] | null} what the shapes layer shows (see ``draw``) */
    this.baseKey = null;
    /** @type {View | null} the view the shapes layer was drawn for */
    this.baseView = null;
    /** @type {LayerJob | null} the layer being drawn */
    this.job = null;
    /** Shapes drawn into the base layer the last time (after culling), and how often it was redrawn. */
    this.drawn = 0;
    this.baseRenders = 0;
  }

  /** Whether the shapes layer is still being drawn: the owner draws the scene again on the next animation frame. */
  get pending() {
    return this.job !== null;
  }

  /**
   * Draw a scene: background, image, the shapes layer, then the overlays (hovered and selected
   * shape, handles, the drawing tool's preview).
   *
   * The shapes live in a layer of their own, redrawn only when the shapes or the view change, so
   * hovering and selecting cost a copy of the layer. During a zoom or pan gesture (``scene.quick``)
   * the layer is not redrawn either but copied scaled and shifted to the new view; the canvas
   * redraws it sharp once the gesture pauses. A busy layer is redrawn a slice per call while
   * ``pending`` (see the top of this file).
   * @param {Scene} scene
   */
  draw(scene) {
    const { ctx, canvas, base } = this;
    const { dpr, view } = scene;
    const s = view.scale;
    if (base.width !== canvas.width || base.height !== canvas.height) {
      base.width = canvas.width;
      base.height = canvas.height;
      this.baseKey = null;
      this.baseView = null;
    }
    const key = [scene.items, scene.excluded, scene.fillOpacity, scene.outline, canvas.width, canvas.height];
    const sameShapes = this.baseKey !== null && sameKey(key, this.baseKey);
    const sameView = this.baseView !== null && sameViewAs(this.baseView, view);
    if (!sameShapes || (!sameView && !scene.quick)) {
      const job = this.job;
      if (!job || !sameKey(key, job.key) || !sameViewAs(job.view, view)) this.job = this.startLayer(scene, key);
      this.drawSlice(/** @type {LayerJob} */ (this.job));
    } else this.job = null;
    if (this.baseView === null) {
      // Nothing drawn yet (the first slices of the first layer): an empty layer for this view.
      this.baseCtx.setTransform(1, 0, 0, 1, 0, 0);
      this.baseCtx.clearRect(0, 0, this.base.width, this.base.height);
      this.baseView = { ...view };
    }
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.fillStyle = scene.background;
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    ctx.setTransform(dpr * s, 0, 0, dpr * s, dpr * view.x, dpr * view.y);
    if (scene.image) {
      ctx.imageSmoothingEnabled = scene.smooth || s < 1;
      ctx.filter = scene.imageFilter || "none";
      ctx.drawImage(scene.image, 0, 0, scene.imageWidth, scene.imageHeight);
      ctx.filter = "none";
    }
    // The layer was drawn for ``baseView``; map it onto the current view.
    const from = /** @type {View} */ (this.baseView);
    const k = s / from.scale;
    ctx.setTransform(k, 0, 0, k, dpr * (view.x - from.x * k), dpr * (view.y - from.y * k));
    ctx.imageSmoothingEnabled = true;
    ctx.drawImage(this.base, 0, 0);
    ctx.setTransform(dpr * s, 0, 0, dpr * s, dpr * view.x, dpr * view.y);
    ctx.lineJoin = "miter";
    if (scene.hovered && scene.hovered !== scene.selected) this.outline(scene.hovered, s, 2.5, scene.fillOpacity);
    if (scene.selected) {
      this.outline(scene.selected, s, 2.5, scene.selectedOpacity);
      this.handles(scene, s);
    }
    if (scene.showLabels) {
      const visible = [-view.x / s, -view.y / s, (scene.width - view.x) / s, (scene.height - view.y) / s];
      for (const item of scene.items) {
        const box = item.box || (item.box = shapeBox(item.shape));
        if (item === scene.hovered || item === scene.selected || item.key === scene.excluded) continue;
        if (box[2] < visible[0] || box[0] > visible[2] || box[3] < visible[1] || box[1] > visible[3]) continue;
        this.caption(item, s);
      }
    }
    for (const item of [scene.hovered, scene.selected]) if (item) this.caption(item, s);
    if (scene.preview) {
      ctx.setLineDash([]);
      scene.preview(ctx, s);
    }
  }

  /**
   * Begin a shapes layer (transparent): every visible shape but the one being dragged.
   * @param {Scene} scene @param {any[]} key what it shows (see ``draw``)
   * @returns {LayerJob}
   */
  startLayer(scene, key) {
    const { back, backCtx } = this;
    if (back.width !== this.canvas.width || back.height !== this.canvas.height) {
      back.width = this.canvas.width;
      back.height = this.canvas.height;
    }
    backCtx.setTransform(1, 0, 0, 1, 0, 0);
    backCtx.clearRect(0, 0, back.width, back.height);
    const { view } = scene;
    const s = view.scale;
    const visible = [-view.x / s, -view.y / s, (scene.width - view.x) / s, (scene.height - view.y) / s];
    /** @type {RenderItem[]} */
    const shown = [];
    for (const item of scene.items) {
      if (item.key === scene.excluded) continue;
      const box = item.box || (item.box = shapeBox(item.shape));
      if (box[2] < visible[0] || box[0] > visible[2] || box[3] < visible[1] || box[1] > visible[3]) continue;
      shown.push(item);
    }
    return { key, view: { ...view }, scene, shown, next: 0 };
  }

  /**
   * Draw the next slice of a layer; the last one puts the layer on show.
   * @param {LayerJob} job
   */
  drawSlice(job) {
    const ctx = this.backCtx;
    const { scene, shown } = job;
    const { dpr, view } = scene;
    const s = view.scale;
    ctx.setTransform(dpr * s, 0, 0, dpr * s, dpr * view.x, dpr * view.y);
    const line = shown.length > BUSY ? 1 / (s * dpr) : 1.5 / s;
    const dot = 3.5 / s;
    ctx.lineJoin = "miter";
    /** @type {{color: string, dashed: boolean, faded: boolean} | null} */
    let style = null;
    let fill = new Path2D();
    let stroke = new Path2D();
    let dots = new Path2D();
    const flush = () => {
      if (!style) return;
      ctx.globalAlpha = style.faded ? 0.35 : 1;
      ctx.fillStyle = rgba(style.color, scene.fillOpacity);
      ctx.fill(fill);
      ctx.strokeStyle = scene.outline || style.color;
      ctx.lineWidth = line;
      ctx.setLineDash(style.dashed ? [6 / s, 4 / s] : []);
      ctx.stroke(stroke);
      ctx.setLineDash([]);
      ctx.fillStyle = style.color;
      ctx.fill(dots);
      ctx.globalAlpha = 1;
      fill = new Path2D();
      stroke = new Path2D();
      dots = new Path2D();
    };
    const end = Math.min(shown.length, job.next + SLICE);
    for (let i = job.next; i < end; i += 1) {
      const item = shown[i];
      const box = /** @type {number[]} */ (item.box);
      if (item.shape.type === "mask") {
        flush();
        style = null;
        ctx.globalAlpha = (item.locked ? 0.35 : 1) * Math.max(0.3, scene.fillOpacity * 2);
        ctx.drawImage(maskCanvas(item.shape.points, item.color), box[0], box[1], box[2] - box[0], box[3] - box[1]);
        ctx.globalAlpha = 1;
        continue;
      }
      const dashed = Boolean(item.shape.occluded);
      const faded = Boolean(item.locked);
      if (!style || style.color !== item.color || style.dashed !== dashed || style.faded !== faded) {
        flush();
        style = { color: item.color, dashed, faded };
      }
      addShape(item.shape, item, fill, stroke, dots, dot);
    }
    flush();
    job.next = end;
    if (end < shown.length) return;
    [this.base, this.back] = [this.back, this.base];
    [this.baseCtx, this.backCtx] = [this.backCtx, this.baseCtx];
    this.baseKey = job.key;
    this.baseView = job.view;
    this.drawn = shown.length;
    this.baseRenders += 1;
    this.job = null;
  }

  /** @param {RenderItem} item @param {number} s @param {number} width @param {number} opacity */
  outline(item, s, width, opacity) {
    const { ctx } = this;
    const fill = new Path2D();
    const stroke = new Path2D();
    const dots = new Path2D();
    if (item.shape.type === "mask") {
      const box = shapeBox(item.shape);
      ctx.drawImage(maskCanvas(item.shape.points, item.color), box[0], box[1], box[2] - box[0], box[3] - box[1]);
      stroke.rect(box[0], box[1], box[2] - box[0], box[3] - box[1]);
    } else addShape(item.shape, item, fill, stroke, dots, 4.5 / s);
    ctx.fillStyle = rgba(item.color, opacity);
    ctx.fill(fill);
    ctx.strokeStyle = item.color;
    ctx.lineWidth = width / s;
    ctx.setLineDash(item.shape.occluded ? [6 / s, 4 / s] : []);
    ctx.stroke(stroke);
    ctx.setLineDash([]);
    ctx.fillStyle = item.color;
    ctx.fill(dots);
    if (item.shape.type === "skeleton") {
      // Invisible (outside) keypoints of the selected skeleton: hollow circles.
      const hollow = new Path2D();
      for (const e of item.shape.elements || []) if (e.outside) addDot(hollow, e.points[0], e.points[1], 4 / s);
      ctx.lineWidth = 1 / s;
      ctx.stroke(hollow);
    }
  }

  /** @param {Scene} scene @param {number} s */
  handles(scene, s) {
    const { ctx } = this;
    const size = 7 / s;
    for (const handle of scene.handles) {
      ctx.beginPath();
      if (handle.kind === "rotate" || handle.kind === "element" || handle.kind === "vertex") {
        ctx.arc(handle.x, handle.y, size / 1.6, 0, 2 * Math.PI);
      } else ctx.rect(handle.x - size / 2, handle.y - size / 2, size, size);
      ctx.fillStyle = handle.kind === "rotate" ? "#ffd84d" : "#ffffff";
      ctx.fill();
      ctx.strokeStyle = "#1d2330";
      ctx.lineWidth = 1.2 / s;
      ctx.stroke();
    }
  }

  /** @param {RenderItem} item @param {number} s */
  caption(item, s) {
    const { ctx } = this;
    const box = item.box || shapeBox(item.shape);
    const size = 12 / s;
    ctx.font = `${size}px system-ui, sans-serif`;
    const text = item.label;
    const width = ctx.measureText(text).width;
    const x = box[0];
    const y = Math.max(size * 1.3, box[1] - 3 / s);
    ctx.fillStyle = "rgba(20, 24, 33, 0.78)";
    ctx.fillRect(x, y - size * 1.1, width + 6 / s, size * 1.35);
    ctx.fillStyle = "#ffffff";
    ctx.fillText(text, x + 3 / s, y - size * 0.1);
  }
}
