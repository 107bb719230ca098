// The mask tool: brush and eraser strokes (round or square, of a chosen size) and polygons
// that fill or clear pixels, painted into a ``MaskBitmap`` the size of the painted area.
// N, Enter or Done stores the mask (a polygon still open is closed first); Esc cancels.
//
// Each stroke segment updates the bitmap and then only the changed rectangle of the preview
// canvas; the time of each segment is kept (``segmentMs``) so that tests and the benchmark can
// report brush latency.

import { h } from "../dom.js";
import { MaskBitmap } from "./masks.js";
import { Tool } from "./tools.js";

/**
 * @typedef {"brush" | "eraser" | "polygon-add" | "polygon-remove"} MaskMode
 * @typedef {{mode: MaskMode, size: number, shape: "round" | "square", removeUnderlying: boolean}} MaskSettings
 * @typedef {import("./masks.js").Rect} Rect
 * @typedef {{color: string, image: {width: number, height: number}, settings: MaskSettings,
 *            points?: number[] | null, onSegment?: (ms: number) => void}} MaskToolOptions
 */

/** @type {{mode: MaskMode, text: string}[]} */
export const MASK_MODES = [
  { mode: "brush", text: "Brush" },
  { mode: "eraser", text: "Eraser" },
  { mode: "polygon-add", text: "Polygon +" },
  { mode: "polygon-remove", text: "Polygon −" },
];

/** @returns {MaskSettings} the settings a new workspace starts with */
export function defaultMaskSettings() {
  return { mode: "brush", size: 10, shape: "round", removeUnderlying: false };
}

/** Paints a new mask, or changes an existing one (``options.points``). */
export class MaskTool extends Tool {
  /**
   * @param {(shape: {type: string, points: number[]}) => void} onDone
   * @param {MaskToolOptions} options
   */
  constructor(onDone, options) {
    super("mask", onDone, /** @type {any} */ (options));
    /** @type {MaskToolOptions} */
    this.mask = options;
    this.bitmap = new MaskBitmap(options.image.width, options.image.height, options.points || null);
    this.editing = Boolean(options.points);
    this.touched = false;
    /** @type {{x: number, y: number} | null} the last point of the stroke under way */
    this.last = null;
    /** @type {number[]} vertices of the polygon being drawn */
    this.polygon = [];
    /** @type {number[]} milliseconds taken by each stroke segment (bitmap and preview) */
    this.segmentMs = [];
    this.snap = 6;
    this.previewCanvas = document.createElement("canvas");
    this.previewGeneration = -1;
    this.previewX = 0;
    this.previewY = 0;
    const m = /^#?([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})/i.exec(options.color) || ["", "ff", "40", "40"];
    this.rgb = [1, 2, 3].map((i) => Number.parseInt(m[i], 16));
    this.redraw(null);
  }

  get settings() {
    return this.mask.settings;
  }

  get started() {
    return this.touched || this.polygon.length > 0 || this.editing;
  }

  get hint() {
    const { mode } = this.settings;
    const done = this.touched || this.editing ? " N or Done stores the mask; Esc cancels." : "";
    if (mode === "polygon-add" || mode === "polygon-remove") {
      return `Click the polygon's vertices; click the first one or double-click to ${mode === "polygon-add" ? "fill" : "clear"} it.${done}`;
    }
    return `${mode === "brush" ? "Paint" : "Erase"} with the mouse (size ${this.settings.size}, ${this.settings.shape}).${done}`;
  }

  /** @param {{x: number, y: number}} p @param {PointerEvent} e */
  down(p, e) {
    const { mode } = this.settings;
    if (mode === "brush" || mode === "eraser") {
      this.last = p;
      this.segment(p, p);
      return;
    }
    const n = this.polygon.length / 2;
    if (n >= 3 && Math.hypot(p.x - this.polygon[0], p.y - this.polygon[1]) <= this.snap) {
      this.closePolygon();
      return;
    }
    if (n && Math.hypot(p.x - this.polygon[2 * n - 2], p.y - this.polygon[2 * n - 1]) < 0.01 && e.detail > 1) return;
    this.polygon.push(p.x, p.y);
  }

  /** @param {{x: number, y: number}} p @param {PointerEvent} e */
  move(p, e) {
    super.move(p, e);
    if (this.last && e.buttons & 1) {
      this.segment(this.last, p);
      this.last = p;
    }
  }

  up() {
    this.last = null;
  }

  doubleClick() {
    this.closePolygon();
  }

  /**
   * Paint one stroke segment and update the preview where it changed.
   * @param {{x: number, y: number}} a @param {{x: number, y: number}} b
   */
  segment(a, b) {
    const started = performance.now();
    const value = this.settings.mode === "eraser" ? 0 : 1;
    const rect = this.bitmap.stroke(a, b, this.settings.size, this.settings.shape, value);
    if (rect) {
      this.touched = true;
      this.redraw(rect);
    }
    const ms = performance.now() - started;
    this.segmentMs.push(ms);
    this.mask.onSegment?.(ms);
  }

  /** Fill or clear the polygon being drawn. @returns {boolean} whether there was one */
  closePolygon() {
    if (this.polygon.length < 6) return false;
    const rect = this.bitmap.fillPolygon(this.polygon, this.settings.mode === "polygon-remove" ? 0 : 1);
    this.polygon = [];
    if (rect) {
      this.touched = true;
      this.redraw(rect);
    }
    return true;
  }

  finish() {
    this.closePolygon();
    if (!this.touched) return false;
    const points = this.bitmap.toPoints();
    if (!points) return false;  // everything erased: nothing to store (Esc leaves the object as it was)
    this.touched = false;
    this.editing = false;
    this.onDone({ type: "mask", points });
    return true;
  }

  back() {
    if (!this.polygon.length) return false;
    this.polygon.splice(-2, 2);
    return true;
  }

  /**
   * Copy the bitmap into the preview canvas: all of it after a reallocation, else ``rect``.
   * @param {Rect | null} rect image pixels
   */
  redraw(rect) {
    const { bitmap } = this;
    if (!bitmap.width) return;
    let x0; let y0; let x1; let y1;
    if (this.previewGeneration !== bitmap.generation && rect && this.previewGeneration >= 0) {
      // The bitmap grew: carry the old preview over (a GPU copy), then draw what changed.
      const old = this.previewCanvas;
      this.previewCanvas = document.createElement("canvas");
      this.previewCanvas.width = bitmap.width;
      this.previewCanvas.height = bitmap.height;
      /** @type {CanvasRenderingContext2D} */ (this.previewCanvas.getContext("2d")).drawImage(old, this.previewX - bitmap.x, this.previewY - bitmap.y);
      [x0, y0, x1, y1] = [rect.x0 - bitmap.x, rect.y0 - bitmap.y, rect.x1 - bitmap.x, rect.y1 - bitmap.y];
    } else if (this.previewGeneration !== bitmap.generation || !rect) {
      this.previewCanvas.width = bitmap.width;
      this.previewCanvas.height = bitmap.height;
      [x0, y0, x1, y1] = [0, 0, bitmap.width, bitmap.height];
    } else {
      [x0, y0, x1, y1] = [rect.x0 - bitmap.x, rect.y0 - bitmap.y, rect.x1 - bitmap.x, rect.y1 - bitmap.y];
    }
    this.previewGeneration = bitmap.generation;
    this.previewX = bitmap.x;
    this.previewY = bitmap.y;
    const w = x1 - x0;
    const hgt = y1 - y0;
    if (w <= 0 || hgt <= 0) return;
    const ctx = /** @type {CanvasRenderingContext2D} */ (this.previewCanvas.getContext("2d"));
    const image = ctx.createImageData(w, hgt);
    const data = new Uint32Array(image.data.buffer);
    const [r, g, b] = this.rgb;
    const on = (255 << 24) | (b << 16) | (g << 8) | r;  // little-endian RGBA
    for (let y = 0; y < hgt; y += 1) {
      const from = (y0 + y) * bitmap.width + x0;
      const to = y * w;
      for (let x = 0; x < w; x += 1) if (bitmap.bits[from + x]) data[to + x] = on;
    }
    ctx.putImageData(image, x0, y0);
  }

  /** @param {CanvasRenderingContext2D} ctx @param {number} scale */
  preview(ctx, scale) {
    const { bitmap } = this;
    if (bitmap.width) {
      ctx.save();
      ctx.globalAlpha = 0.55;
      ctx.imageSmoothingEnabled = false;
      ctx.drawImage(this.previewCanvas, bitmap.x, bitmap.y);
      ctx.restore();
    }
    ctx.lineWidth = 1.5 / scale;
    ctx.strokeStyle = this.mask.color;
    const p = this.polygon;
    if (p.length) {
      ctx.setLineDash([5 / scale, 3 / scale]);
      ctx.beginPath();
      ctx.moveTo(p[0], p[1]);
      for (let i = 2; i < p.length; i += 2) ctx.lineTo(p[i], p[i + 1]);
      if (this.cursor) ctx.lineTo(this.cursor.x, this.cursor.y);
      ctx.closePath();
      ctx.stroke();
      ctx.setLineDash([]);
    }
    const { mode, size, shape } = this.settings;
    if (this.cursor && (mode === "brush" || mode === "eraser")) {
      ctx.strokeStyle = mode === "eraser" ? "#ffffff" : this.mask.color;
      ctx.beginPath();
      if (shape === "square") ctx.rect(this.cursor.x - size / 2, this.cursor.y - size / 2, size, size);
      else ctx.arc(this.cursor.x, this.cursor.y, size / 2, 0, 2 * Math.PI);
      ctx.stroke();
    }
  }
}

/**
 * The mask tool's controls for the draw bar: mode, brush size and shape, "remove underlying
 * pixels", and the last stroke segment's time.
 * @param {MaskSettings} settings changed in place
 * @param {() => void} onChange
 * @returns {{element: HTMLElement, showSegment: (ms: number) => void}}
 */
export function maskControls(settings, onChange) {
  const mode = /** @type {HTMLSelectElement} */ (h("select", { class: "mask-mode", "aria-label": "Mask tool" },
    MASK_MODES.map((m) => h("option", { value: m.mode, selected: m.mode === settings.mode }, m.text))));
  const size = /** @type {HTMLInputElement} */ (h("input", { type: "number", class: "mask-size", min: "1", max: "500",
    value: String(settings.size), "aria-label": "Brush size in pixels", title: "Brush size (pixels)" }));
  const shape = /** @type {HTMLSelectElement} */ (h("select", { class: "mask-shape", "aria-label": "Brush shape" },
    h("option", { value: "round", selected: settings.shape === "round" }, "Round"),
    h("option", { value: "square", selected: settings.shape === "square" }, "Square")));
  const remove = /** @type {HTMLInputElement} */ (h("input", { type: "checkbox", class: "mask-remove-underlying",
    checked: settings.removeUnderlying }));
  const timing = h("span", { class: "muted mask-timing", title: "Time the last brush stroke segment took" });
  const update = () => {
    settings.mode = /** @type {MaskMode} */ (mode.value);
    const value = Math.round(Number(size.value));
    if (Number.isFinite(value) && value >= 1) settings.size = Math.min(500, value);
    settings.shape = shape.value === "square" ? "square" : "round";
    settings.removeUnderlying = remove.checked;
    onChange();
  };
  for (const input of [mode, size, shape, remove]) input.addEventListener("change", update);
  const element = h("span", { class: "mask-controls" }, mode, size, shape,
    h("label", { class: "checkbox", title: "The new mask's pixels are removed from the masks under it" }, remove,
      " Remove underlying pixels"), timing);
  // The figures of the stroke segments so far (the tests and the benchmark read them).
  let count = 0;
  let total = 0;
  let max = 0;
  const showSegment = (/** @type {number} */ ms) => {
    count += 1;
    total += ms;
    max = Math.max(max, ms);
    timing.textContent = `${ms.toFixed(1)} ms`;
    Object.assign(timing.dataset, { count: String(count), meanMs: (total / count).toFixed(3), maxMs: max.toFixed(3) });
  };
  return { element, showSegment };
}
