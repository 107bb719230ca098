// Editing a skeleton template: named points placed in a 0..100 box, and edges between them.

import { h, replace } from "../dom.js";

const SVG_NS = "http://www.w3.org/2000/svg";

/**
 * @typedef {import("../annotation/skeleton.js").SkeletonTemplate} SkeletonTemplate
 */

/**
 * The template editor of one skeleton label. Points of a saved skeleton keep their count
 * (the server allows renaming and moving them, not adding or removing).
 */
export class SkeletonEditor {
  /**
   * @param {SkeletonTemplate} template edited in place
   * @param {{locked: boolean, onChange: () => void}} options ``locked``: points cannot be added/removed
   */
  constructor(template, options) {
    this.template = template;
    this.locked = options.locked;
    this.onChange = options.onChange;
    /** @type {number | null} */
    this.dragging = null;
    this.svg = /** @type {SVGSVGElement} */ (document.createElementNS(SVG_NS, "svg"));
    this.svg.setAttribute("viewBox", "0 0 100 100");
    this.svg.setAttribute("class", "skeleton-canvas");
    this.svg.addEventListener("pointermove", (e) => this.drag(e));
    this.svg.addEventListener("pointerup", () => { this.dragging = null; });
    this.pointList = h("ol", { class: "skeleton-points" });
    this.fromSelect = /** @type {HTMLSelectElement} */ (h("select", { "aria-label": "Edge from" }));
    this.toSelect = /** @type {HTMLSelectElement} */ (h("select", { "aria-label": "Edge to" }));
    this.edgeList = h("ul", { class: "skeleton-edges" });
    this.element = h("div", { class: "skeleton-editor" },
      h("div", { class: "skeleton-layout" }, this.svg,
        h("div", null,
          h("div", { class: "skeleton-head" }, h("strong", null, "Points"),
            this.locked ? h("small", { class: "muted" }, " (a saved skeleton keeps its points)") :
              h("button", { type: "button", class: "button small", onclick: () => this.addPoint() }, "+ Point")),
          this.pointList,
          h("div", { class: "skeleton-head" }, h("strong", null, "Edges")),
          h("div", { class: "row compact" }, this.fromSelect, "→", this.toSelect,
            h("button", { type: "button", class: "button small", onclick: () => this.addEdge() }, "+ Edge")),
          this.edgeList)),
      h("small", { class: "hint" }, "Drag the points to lay the skeleton out; new skeletons are drawn from this layout."));
    this.render();
  }

  addPoint() {
    const n = this.template.points.length;
    const angle = n * 2.399963; // golden angle: new points never land on each other
    const radius = 10 + ((n * 7) % 30);
    this.template.points.push({ id: null, name: `point ${n + 1}`, x: 50 + radius * Math.cos(angle),
      y: 50 + radius * Math.sin(angle) });
    this.changed();
  }

  /** @param {number} index */
  removePoint(index) {
    this.template.points.splice(index, 1);
    this.template.edges = this.template.edges
      .filter(([a, b]) => a !== index && b !== index)
      .map(([a, b]) => [a > index ? a - 1 : a, b > index ? b - 1 : b]);
    this.changed();
  }

  addEdge() {
    const a = Number(this.fromSelect.value);
    const b = Number(this.toSelect.value);
    if (a === b || Number.isNaN(a) || Number.isNaN(b)) return;
    if (this.template.edges.some(([p, q]) => (p === a && q === b) || (p === b && q === a))) return;
    this.template.edges.push([a, b]);
    this.changed();
  }

  /** @param {PointerEvent} event */
  drag(event) {
    if (this.dragging === null) return;
    const box = this.svg.getBoundingClientRect();
    const point = this.template.points[this.dragging];
    point.x = Math.max(0, Math.min(100, ((event.clientX - box.left) / box.width) * 100));
    point.y = Math.max(0, Math.min(100, ((event.clientY - box.top) / box.height) * 100));
    this.renderCanvas();
    this.onChange();
  }

  changed() {
    this.render();
    this.onChange();
  }

  renderCanvas() {
    const { points, edges } = this.template;
    const parts = [];
    for (const [a, b] of edges) {
      const line = document.createElementNS(SVG_NS, "line");
      line.setAttribute("x1", String(points[a].x));
      line.setAttribute("y1", String(points[a].y));
      line.setAttribute("x2", String(points[b].x));
      line.setAttribute("y2", String(points[b].y));
      parts.push(line);
    }
    points.forEach((p, i) => {
      const circle = document.createElementNS(SVG_NS, "circle");
      circle.setAttribute("cx", String(p.x));
      circle.setAttribute("cy", String(p.y));
      circle.setAttribute("r", "3");
      circle.setAttribute("data-index", String(i));
      circle.addEventListener("pointerdown", (e) => {
        e.preventDefault();
        this.dragging = i;
        this.svg.setPointerCapture(e.pointerId);
      });
      const title = document.createElementNS(SVG_NS, "title");
      title.textContent = p.name;
      circle.append(title);
      const label = document.createElementNS(SVG_NS, "text");
      label.setAttribute("x", String(p.x + 4));
      label.setAttribute("y", String(p.y + 1.5));
      label.textContent = String(i + 1);
      parts.push(circle, label);
    });
    this.svg.replaceChildren(...parts);
  }

  render() {
    this.renderCanvas();
    const { points, edges } = this.template;
    replace(this.pointList, points.map((p, i) => h("li", null,
      h("input", { value: p.name, "aria-label": `Point ${i + 1} name`, required: true,
        oninput: (/** @type {InputEvent} */ e) => {
          p.name = /** @type {HTMLInputElement} */ (e.target).value;
          this.renderCanvas();
          this.onChange();
        } }),
      this.locked ? null : h("button", { type: "button", class: "icon-button", title: "Remove point",
        "aria-label": `Remove point ${i + 1}`, onclick: () => this.removePoint(i) }, "×"))));
    const options = () => points.map((p, i) => h("option", { value: String(i) }, `${i + 1}. ${p.name}`));
    replace(this.fromSelect, options());
    replace(this.toSelect, options());
    if (points.length > 1) this.toSelect.value = "1";
    replace(this.edgeList, edges.map(([a, b], i) => h("li", null,
      `${a + 1}. ${points[a].name} — ${b + 1}. ${points[b].name}`,
      h("button", { type: "button", class: "icon-button", title: "Remove edge", "aria-label": "Remove edge",
        onclick: () => { edges.splice(i, 1); this.changed(); } }, "×"))));
  }
}
