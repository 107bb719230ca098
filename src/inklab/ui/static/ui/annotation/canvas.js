// The annotation canvas: shows a frame and its shapes, zooms (wheel) and pans, selects,
// moves and reshapes shapes with the mouse, and hosts the drawing tools.
//
// It knows shapes only as render items keyed by the client id of their object; edits are
// reported through callbacks (``onCommit`` once per gesture, so each drag is one undo step).

import { clampMove, clampPoint, dragHandle, handles, hitShape, insertVertex, removeVertex, shapeBox, translate } from "./geometry.js";
import { Renderer } from "./renderer.js";

/**
 * @typedef {import("./renderer.js").RenderItem} RenderItem
 * @typedef {import("./tools.js").Tool} Tool
 * @typedef {{
 *   onSelect: (key: number | null) => void,
 *   onHover: (key: number | null) => void,
 *   onCommit: (key: number, shape: any, label: string) => void,
 *   onViewChange?: (scale: number) => void,
 *   onPointer?: (x: number, y: number) => void,
 * }} CanvasCallbacks
 * @typedef {{kind: "pan", sx: number, sy: number, vx: number, vy: number}
 *   | {kind: "move", key: number, start: {x: number, y: number}, shape: any, moved: boolean}
 *   | {kind: "handle", key: number, id: string, shape: any, moved: boolean}} Drag
 */

const MIN_SCALE = 0.02;
/** After a zoom or pan step, the shapes are redrawn sharp when no other step came for this long. */
const GESTURE_PAUSE_MS = 120;
const MAX_SCALE = 64;

/** The canvas of the workspace; ``element`` goes into the page, the rest is driven by the workspace. */
export class AnnotationCanvas {
  /** @param {CanvasCallbacks} callbacks */
  constructor(callbacks) {
    this.callbacks = callbacks;
    this.canvas = /** @type {HTMLCanvasElement} */ (document.createElement("canvas"));
    this.canvas.className = "annotation-canvas";
    this.canvas.tabIndex = 0;
    this.canvas.setAttribute("aria-label", "Frame and annotations");
    this.element = document.createElement("div");
    this.element.className = "canvas-wrap";
    this.element.append(this.canvas);
    this.renderer = new Renderer(this.canvas);
    this.width = 1;
    this.height = 1;
    this.dpr = window.devicePixelRatio || 1;
    this.view = { scale: 1, x: 0, y: 0 };
    /** @type {CanvasImageSource | null} */
    this.image = null;
    this.imageWidth = 1;
    this.imageHeight = 1;
    /** @type {RenderItem[]} in drawing order (bottom first) */
    this.items = [];
    /** @type {Map<number, RenderItem>} */
    this.byKey = new Map();
    /** @type {number | null} */
    this.selected = null;
    /** @type {number | null} */
    this.hovered = null;
    /** @type {Tool | null} */
    this.tool = null;
    /** @type {Drag | null} */
    this.drag = null;
    /** @type {any} the selected shape while it is being dragged */
    this.live = null;
    /** @type {((ctx: CanvasRenderingContext2D, scale: number) => void) | null} drawn over the shapes (issues) */
    this.overlay = null;
    this.settings = { fillOpacity: 0.12, selectedOpacity: 0.35, background: "#2b303b", smooth: false };
    this.frameRequest = 0;
    this.renderCount = 0;
    /** A zoom or pan gesture is under way (the shapes layer is reused until it pauses). */
    this.gesture = false;
    this.gestureTimer = 0;
    this.fitted = false;
    /** Whether the view is still the fitted one (then resizing the window refits). */
    this.autoFit = true;
    this.observer = new ResizeObserver(() => this.resize());
    this.observer.observe(this.element);
    this.listen();
  }

  destroy() {
    clearTimeout(this.gestureTimer);
    this.observer.disconnect();
    cancelAnimationFrame(this.frameRequest);
  }

  resize() {
    const box = this.element.getBoundingClientRect();
    this.width = Math.max(1, box.width);
    this.height = Math.max(1, box.height);
    this.dpr = window.devicePixelRatio || 1;
    this.canvas.width = Math.round(this.width * this.dpr);
    this.canvas.height = Math.round(this.height * this.dpr);
    this.canvas.style.width = `${this.width}px`;
    this.canvas.style.height = `${this.height}px`;
    if ((!this.fitted || this.autoFit) && this.image) this.fit();
    this.renderNow();
  }

  /**
   * Show another frame (keeps the zoom unless ``fit``).
   * @param {CanvasImageSource | null} image
   * @param {number} width @param {number} height
   */
  setImage(image, width, height) {
    const sizeChanged = width !== this.imageWidth || height !== this.imageHeight;
    this.image = image;
    this.imageWidth = width;
    this.imageHeight = height;
    if (!this.fitted || sizeChanged) this.fit();
    this.requestRender();
  }

  /**
   * Replace the render items (sorted by z-order here).
   * @param {RenderItem[]} items
   */
  setItems(items) {
    this.items = items;
    this.byKey = new Map(items.map((item) => [item.key, item]));
    if (this.selected !== null && !this.byKey.has(this.selected)) this.selected = null;
    if (this.hovered !== null && !this.byKey.has(this.hovered)) this.hovered = null;
    this.requestRender();
  }

  /** @param {number | null} key */
  select(key) {
    if (this.selected === key) return;
    this.selected = key;
    this.requestRender();
  }

  /** @param {number | null} key */
  hover(key) {
    if (this.hovered === key) return;
    this.hovered = key;
    this.requestRender();
  }

  /** @param {Tool | null} tool */
  setTool(tool) {
    this.tool = tool;
    this.canvas.classList.toggle("drawing", Boolean(tool));
    this.requestRender();
  }

  fit() {
    if (!this.width || !this.height) return;
    const scale = Math.min(this.width / this.imageWidth, this.height / this.imageHeight) * 0.96;
    this.view = { scale, x: (this.width - this.imageWidth * scale) / 2, y: (this.height - this.imageHeight * scale) / 2 };
    this.fitted = this.width > 1;
    this.autoFit = true;
    this.callbacks.onViewChange?.(scale);
    this.requestRender();
  }

  /**
   * Zoom and pan so that an image box fills ``fraction`` of the view (attribute mode's "zoom to the object").
   * @param {number[]} box x1, y1, x2, y2 in image pixels @param {number} [fraction]
   */
  showBox(box, fraction = 0.6) {
    const [x1, y1, x2, y2] = box;
    // The size as laid out now (a panel shown just before may not have reached resize() yet).
    const rect = this.element.getBoundingClientRect();
    const width = rect.width || this.width;
    const height = rect.height || this.height;
    const w = Math.max(1, x2 - x1);
    const hgt = Math.max(1, y2 - y1);
    const scale = Math.min(MAX_SCALE, Math.max(MIN_SCALE, Math.min((width * fraction) / w, (height * fraction) / hgt)));
    this.view = { scale, x: width / 2 - ((x1 + x2) / 2) * scale, y: height / 2 - ((y1 + y2) / 2) * scale };
    this.autoFit = false;
    this.callbacks.onViewChange?.(scale);
    this.requestRender();
  }

  /** Note a zoom or pan step: draw quickly now, sharp when no step came for a moment. */
  gestureStep() {
    this.gesture = true;
    clearTimeout(this.gestureTimer);
    this.gestureTimer = window.setTimeout(() => {
      this.gesture = false;
      this.requestRender();
    }, GESTURE_PAUSE_MS);
  }

  /** @param {number} factor @param {number} [sx] @param {number} [sy] screen point that stays put */
  zoom(factor, sx = this.width / 2, sy = this.height / 2) {
    const scale = Math.min(MAX_SCALE, Math.max(MIN_SCALE, this.view.scale * factor));
    const k = scale / this.view.scale;
    this.view = { scale, x: sx - (sx - this.view.x) * k, y: sy - (sy - this.view.y) * k };
    this.autoFit = false;
    this.callbacks.onViewChange?.(scale);
    this.requestRender();
  }

  /** @param {number} dx @param {number} dy screen pixels */
  pan(dx, dy) {
    this.view = { ...this.view, x: this.view.x + dx, y: this.view.y + dy };
    this.autoFit = false;
    this.requestRender();
  }

  /** @param {number} sx @param {number} sy @returns {{x: number, y: number}} image coordinates */
  toImage(sx, sy) {
    return { x: (sx - this.view.x) / this.view.scale, y: (sy - this.view.y) / this.view.scale };
  }

  /** @param {{x: number, y: number}} p @returns {{x: number, y: number}} */
  clamp(p) {
    const [x, y] = clampPoint(p.x, p.y, this.imageWidth, this.imageHeight);
    return { x, y };
  }

  requestRender() {
    if (this.frameRequest) return;
    this.frameRequest = requestAnimationFrame(() => {
      this.frameRequest = 0;
      this.renderNow();
    });
  }

  /** Draw now; records its duration in ``data-render-ms`` of the canvas (read by the benchmark). */
  renderNow() {
    const started = performance.now();
    const selectedItem = this.selected !== null ? this.byKey.get(this.selected) || null : null;
    const selected = selectedItem && this.live ? { ...selectedItem, shape: this.live, box: undefined } : selectedItem;
    this.renderer.draw({
      width: this.width, height: this.height, dpr: this.dpr, view: this.view,
      image: this.image, imageWidth: this.imageWidth, imageHeight: this.imageHeight,
      items: this.items, selected, excluded: this.live ? this.selected : null,
      hovered: this.hovered !== null ? this.byKey.get(this.hovered) || null : null,
      handles: selected && !selected.locked && !selected.readOnly ? handles(selected.shape) : [],
      preview: this.tool || this.overlay ? (ctx, s) => { this.overlay?.(ctx, s); this.tool?.preview(ctx, s); } : null,
      ...this.settings,
      quick: this.gesture,
    });
    this.renderCount += 1;
    this.canvas.dataset.renderMs = (performance.now() - started).toFixed(2);
    this.canvas.dataset.renders = String(this.renderCount);
    this.canvas.dataset.drawn = String(this.renderer.drawn);
    this.canvas.dataset.layerRenders = String(this.renderer.baseRenders);
    // A busy frame's shapes layer is drawn a slice per animation frame (see renderer.js).
    this.canvas.dataset.layerPending = String(this.renderer.pending);
    if (this.renderer.pending) this.requestRender();
    // Where the image is on screen (scale, x, y): lets tests and tools aim at image pixels.
    this.canvas.dataset.view = `${this.view.scale},${this.view.x},${this.view.y}`;
  }

  /** Image-pixel tolerance for clicks at the current zoom. */
  get tolerance() {
    return 5 / this.view.scale;
  }

  /**
   * The topmost item under an image point (hidden items excluded by the caller).
   * @param {number} x @param {number} y
   * @returns {RenderItem | null}
   */
  hitItem(x, y) {
    const tol = this.tolerance;
    const selected = this.selected !== null ? this.byKey.get(this.selected) : undefined;
    if (selected && hitShape(selected.shape, x, y, tol)) return selected;
    for (let i = this.items.length - 1; i >= 0; i -= 1) {
      const item = this.items[i];
      const box = item.box || (item.box = shapeBox(item.shape));
      if (x < box[0] - tol || x > box[2] + tol || y < box[1] - tol || y > box[3] + tol) continue;
      if (hitShape(item.shape, x, y, tol)) return item;
    }
    return null;
  }

  /** @param {number} x @param {number} y @returns {import("./geometry.js").Handle | null} */
  hitHandle(x, y) {
    const item = this.selected !== null ? this.byKey.get(this.selected) : undefined;
    if (!item || item.locked || item.readOnly) return null;
    const radius = 7 / this.view.scale;
    let best = null;
    let bestDistance = Infinity;
    for (const handle of handles(item.shape)) {
      const d = Math.hypot(handle.x - x, handle.y - y);
      if (d <= radius && d < bestDistance) {
        best = handle;
        bestDistance = d;
      }
    }
    return best;
  }

  listen() {
    const c = this.canvas;
    c.addEventListener("wheel", (e) => {
      e.preventDefault();
      this.gestureStep();
      this.zoom(Math.exp(-e.deltaY * (e.deltaMode === 1 ? 0.05 : 0.0015)), e.offsetX, e.offsetY);
    }, { passive: false });
    c.addEventListener("contextmenu", (e) => e.preventDefault());
    c.addEventListener("pointerdown", (e) => this.pointerDown(e));
    c.addEventListener("pointermove", (e) => this.pointerMove(e));
    c.addEventListener("pointerup", (e) => this.pointerUp(e));
    c.addEventListener("pointercancel", () => { this.drag = null; this.live = null; this.requestRender(); });
    c.addEventListener("pointerleave", () => this.hoverChange(null));
    c.addEventListener("dblclick", (e) => this.doubleClick(e));
  }

  /** @param {number | null} key */
  hoverChange(key) {
    if (this.hovered === key) return;
    this.hover(key);
    this.callbacks.onHover(key);
  }

  /** @param {PointerEvent} e */
  pointerDown(e) {
    this.canvas.focus({ preventScroll: true });
    const p = this.toImage(e.offsetX, e.offsetY);
    if (e.button === 1) {
      e.preventDefault();
      this.startPan(e);
      return;
    }
    if (this.tool) {
      if (e.button === 0) {
        this.canvas.setPointerCapture(e.pointerId);
        this.tool.down(this.clamp(p), e);
      } else if (e.button === 2) {
        // A right click is the tool's own when it takes one (an interactor's negative point).
        if ("rightDown" in this.tool) /** @type {any} */ (this.tool).rightDown(this.clamp(p), e);
        else this.tool.back();
      }
      this.requestRender();
      return;
    }
    if (e.button === 2) {
      this.rightClick(p);
      return;
    }
    if (e.button !== 0) return;
    const handle = this.hitHandle(p.x, p.y);
    const selectedItem = this.selected !== null ? this.byKey.get(this.selected) : undefined;
    if (handle && selectedItem) {
      if (e.altKey && handle.kind === "vertex") {
        const shape = removeVertex(selectedItem.shape, Number(handle.id));
        if (shape) this.callbacks.onCommit(selectedItem.key, shape, "Delete a point");
        return;
      }
      this.canvas.setPointerCapture(e.pointerId);
      this.drag = { kind: "handle", key: selectedItem.key, id: handle.id, shape: selectedItem.shape, moved: false };
      return;
    }
    const item = this.hitItem(p.x, p.y);
    if (item) {
      if (item.key !== this.selected) {
        this.select(item.key);
        this.callbacks.onSelect(item.key);
      }
      if (!item.locked && !item.readOnly) {
        this.canvas.setPointerCapture(e.pointerId);
        this.drag = { kind: "move", key: item.key, start: p, shape: item.shape, moved: false };
      }
      return;
    }
    if (this.selected !== null) {
      this.select(null);
      this.callbacks.onSelect(null);
    }
    this.startPan(e);
  }

  /** @param {PointerEvent} e */
  startPan(e) {
    this.canvas.setPointerCapture(e.pointerId);
    this.drag = { kind: "pan", sx: e.clientX, sy: e.clientY, vx: this.view.x, vy: this.view.y };
    this.canvas.classList.add("panning");
  }

  /** @param {PointerEvent} e */
  pointerMove(e) {
    const p = this.toImage(e.offsetX, e.offsetY);
    this.callbacks.onPointer?.(p.x, p.y);
    const drag = this.drag;
    if (drag?.kind === "pan") {
      this.view = { ...this.view, x: drag.vx + e.clientX - drag.sx, y: drag.vy + e.clientY - drag.sy };
      this.autoFit = false;
      this.gestureStep();
      this.requestRender();
      return;
    }
    if (this.tool) {
      this.tool.move(this.clamp(p), e);
      this.requestRender();
      return;
    }
    if (drag?.kind === "move") {
      const [dx, dy] = clampMove(drag.shape, p.x - drag.start.x, p.y - drag.start.y, this.imageWidth, this.imageHeight);
      if (!drag.moved && Math.hypot(dx, dy) * this.view.scale < 2) return;
      drag.moved = true;
      this.live = translate(drag.shape, dx, dy);
      this.requestRender();
      return;
    }
    if (drag?.kind === "handle") {
      const q = this.clamp(p);
      drag.moved = true;
      this.live = dragHandle(drag.shape, drag.id, q.x, q.y, { snap: e.shiftKey });
      this.requestRender();
      return;
    }
    if (e.buttons === 0) {
      const item = this.hitItem(p.x, p.y);
      this.hoverChange(item ? item.key : null);
      const handle = this.hitHandle(p.x, p.y);
      this.canvas.style.cursor = handle ? (handle.kind === "rotate" ? "grab" : "crosshair") : item ? (item.locked ? "default" : "move") : "";
    }
  }

  /** @param {PointerEvent} e */
  pointerUp(e) {
    const drag = this.drag;
    this.drag = null;
    this.canvas.classList.remove("panning");
    if (this.canvas.hasPointerCapture(e.pointerId)) this.canvas.releasePointerCapture(e.pointerId);
    if (this.tool && drag?.kind !== "pan") {
      if (e.button === 0) this.tool.up(this.clamp(this.toImage(e.offsetX, e.offsetY)), e);
      this.requestRender();
      return;
    }
    if ((drag?.kind === "move" || drag?.kind === "handle") && drag.moved && this.live) {
      const shape = this.live;
      this.live = null;
      this.callbacks.onCommit(drag.key, shape, drag.kind === "move" ? "Move object" : "Reshape object");
    }
    this.live = null;
    this.requestRender();
  }

  /** @param {MouseEvent} e */
  doubleClick(e) {
    const p = this.toImage(e.offsetX, e.offsetY);
    if (this.tool) {
      this.tool.doubleClick(p);
      this.requestRender();
      return;
    }
    const item = this.selected !== null ? this.byKey.get(this.selected) : undefined;
    if (item && !item.locked && !item.readOnly && ["polygon", "polyline"].includes(item.shape.type)
      && hitShape(item.shape, p.x, p.y, this.tolerance) && !this.hitHandle(p.x, p.y)) {
      this.callbacks.onCommit(item.key, insertVertex(item.shape, p.x, p.y), "Add a point");
      return;
    }
    if (!this.hitItem(p.x, p.y)) this.fit();
  }

  /** Right click on a vertex of the selected shape deletes the vertex. @param {{x: number, y: number}} p */
  rightClick(p) {
    const handle = this.hitHandle(p.x, p.y);
    const item = this.selected !== null ? this.byKey.get(this.selected) : undefined;
    if (handle?.kind === "vertex" && item) {
      const shape = removeVertex(item.shape, Number(handle.id));
      if (shape) this.callbacks.onCommit(item.key, shape, "Delete a point");
    }
  }
}
