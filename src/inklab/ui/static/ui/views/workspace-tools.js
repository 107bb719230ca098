// The drawing tools of the workspace: the toolbar's tool buttons, the draw bar's label, cuboid
// method, mask controls and Done button, the tool being used (a new shape of a type, or the brush
// on an existing mask), and the buttons for the selected object (convert, edit mask, cuboid).

import { h, replace, svgIcon } from "../dom.js";
import { MaskTool, defaultMaskSettings, maskControls } from "../annotation/brush.js";
import { resetPerspective, switchOrientation } from "../annotation/cuboid.js";
import { maskToPolygons, polygonToMask } from "../annotation/masks.js";
import { makeTool } from "../annotation/tools.js";

const ICONS = {
  cursor: '<path d="M5 3l14 8-6 1.5L10 19z"/>',
  rectangle: '<rect x="4" y="6" width="16" height="12" rx="1"/>',
  polygon: '<path d="M12 3l8 6-3 11H7L4 9z"/>',
  polyline: '<path d="M3 17l5-8 5 6 4-9 4 4"/>',
  points: '<circle cx="6" cy="7" r="2"/><circle cx="17" cy="9" r="2"/><circle cx="10" cy="17" r="2"/>',
  ellipse: '<ellipse cx="12" cy="12" rx="9" ry="6"/>',
  cuboid: '<path d="M4 8h11v11H4zM4 8l5-4h11l-5 4M20 4v11l-5 4"/>',
  mask: '<path d="M5 19c3 0 4-2 4-4s2-4 5-4 4-3 4-5"/><circle cx="18" cy="5" r="2"/><path d="M4 20l2-2"/>',
  skeleton: '<circle cx="12" cy="5" r="2"/><circle cx="6" cy="19" r="2"/><circle cx="18" cy="19" r="2"/><path d="M12 7v5l-5 6M12 12l5 6"/>',
  ai: '<path d="M12 3l2.2 5.3L20 9l-4.4 3.8L17 19l-5-3-5 3 1.4-6.2L4 9l5.8-.7z"/>',
};
const DRAW_TYPES = ["rectangle", "polygon", "polyline", "points", "ellipse", "cuboid", "mask", "skeleton"];

/** The workspace's drawing tools (``ws.tools``); ``ws.setTool`` picks one. */
export class DrawingTools {
  /** @param {any} ws the workspace (its canvas exists) */
  constructor(ws) {
    this.ws = ws;
    /** @type {string | null} the type being drawn (or "mask" while a mask is edited), null: select and edit */
    this.toolType = null;
    this.lastTool = "rectangle";
    /** @type {Map<string, number>} the label last used with each tool */
    this.toolLabels = new Map();
    /** @type {number | null} the label picked while no tool was active (for the next drawing) */
    this.preferredLabel = null;
    /** Brush size, shape and mode of the mask tool (kept while the page is open). */
    this.maskSettings = defaultMaskSettings();
    /** @type {any} the mask object being changed with the mask tool (hidden meanwhile), or null */
    this.editingMask = null;
    /** @type {Map<string, HTMLButtonElement>} */
    this.toolButtons = new Map();
    /** The toolbar's buttons: select, then one per shape type. */
    this.buttons = [
      this.toolButton("cursor", "Select and edit (Esc)", () => this.set(null)),
      ...DRAW_TYPES.map((type) => this.toolButton(type, `Draw a ${type}${type === "skeleton" ? " (from the label's template)" : ""}`,
        () => this.set(type))),
    ];
    this.drawLabel = /** @type {HTMLSelectElement} */ (h("select", { class: "draw-label", "aria-label": "Label for new shapes" }));
    this.drawLabel.addEventListener("change", () => {
      if (this.toolType) {
        this.toolLabels.set(this.toolType, Number(this.drawLabel.value));
        this.set(this.toolType);
      } else {
        this.preferredLabel = Number(this.drawLabel.value);
        this.toolLabels.clear();
      }
    });
    this.cuboidMethod = /** @type {HTMLSelectElement} */ (h("select", { class: "cuboid-method", "aria-label": "Drawing method", hidden: true },
      h("option", { value: "box" }, "From rectangle"), h("option", { value: "points" }, "By 4 points")));
    this.cuboidMethod.addEventListener("change", () => { if (this.toolType === "cuboid") this.set("cuboid"); });
    this.doneButton = /** @type {HTMLButtonElement} */ (h("button", { type: "button", class: "button small done-button", hidden: true,
      onclick: () => { ws.canvas.tool?.finish(); ws.canvas.requestRender(); } }, "Done (N)"));
    this.maskBar = maskControls(this.maskSettings, () => { ws.updateHint(); ws.canvas.requestRender(); });
    this.maskBar.element.hidden = true;
    this.shapeActions = h("span", { class: "shape-actions" });
  }

  /** The draw bar's controls for the tools, in order. */
  get controls() {
    return [this.drawLabel, this.cuboidMethod, this.maskBar.element, this.doneButton, this.shapeActions];
  }

  /**
   * Pick a label by its place in the list (Ctrl+digit without a selection): the next shapes' label.
   * @param {number} index @returns {any} the label, or undefined
   */
  preferLabel(index) {
    const label = this.ws.editor.labels[index];
    if (!label) return undefined;
    this.preferredLabel = label.id;
    this.toolLabels.clear();
    this.drawLabel.value = String(label.id);
    return label;
  }

  /** @param {string} name @param {string} title @param {() => void} action */
  toolButton(name, title, action) {
    const button = h("button", { type: "button", class: "icon-button tool", title, "aria-label": title, dataset: { tool: name },
      onclick: action }, svgIcon(/** @type {Record<string, string>} */ (ICONS)[name]));
    this.toolButtons.set(name, button);
    return button;
  }

  /** @param {string | null} type a shape type to draw, or null to select and edit */
  set(type) {
    const ws = this.ws;
    if (this.editingMask) {
      this.editingMask = null;
      ws.refresh();
    }
    if (type) {
      const labels = ws.editor.labelsFor(type);
      if (!labels.length) {
        ws.ctx.toasts.error(`No label of this job can be used for a ${type}.`);
        return;
      }
      const previous = this.toolLabels.get(type) ?? this.preferredLabel;
      const label = labels.find((l) => l.id === previous) || labels[0];
      replace(this.drawLabel, labels.map((l) => h("option", { value: String(l.id), selected: l.id === label.id }, l.name)));
      this.toolLabels.set(type, label.id);
      this.lastTool = type;
      const template = type === "skeleton" ? ws.editor.template(label) : undefined;
      /** @param {import("../annotation/tools.js").Drawn} drawn */
      const done = (drawn) => {
        const obj = ws.editor.createShape(drawn, ws.frame, label, ws.tracks.drawTracks);
        if (type === "mask" && this.maskSettings.removeUnderlying) ws.editor.removeUnderlying(obj);
        this.set(null);
        ws.select(obj.cid, true);
      };
      const tool = type === "mask" ? this.maskTool(label.color, null, done) : makeTool(type, done, { color: label.color, template,
        cuboidMethod: /** @type {"box" | "points"} */ (this.cuboidMethod.value) });
      if ("snap" in tool) tool.snap = 7 / ws.canvas.view.scale;
      ws.canvas.setTool(tool);
      ws.select(null, false);
    } else {
      ws.canvas.setTool(null);
      const preferred = this.preferredLabel ?? this.toolLabels.get(this.lastTool);
      replace(this.drawLabel, ws.editor.labels.map((l) => h("option", { value: String(l.id), selected: l.id === preferred },
        l.name)));
    }
    this.toolType = type;
    for (const [name, button] of this.toolButtons) button.classList.toggle("active", name === (type || "cursor"));
    this.doneButton.hidden = !type || !["polygon", "polyline", "points", "mask", "cuboid"].includes(type);
    this.maskBar.element.hidden = type !== "mask";
    this.cuboidMethod.hidden = type !== "cuboid";
    ws.updateHint();
  }

  /**
   * A mask tool on the current frame.
   * @param {string} color @param {number[] | null} points the mask to change, or null for a new one
   * @param {(drawn: any) => void} done
   */
  maskTool(color, points, done) {
    return new MaskTool(done, { color, points, settings: this.maskSettings, image: this.imageSize(),
      onSegment: (ms) => this.maskBar.showSegment(ms) });
  }

  /** The size of the frame shown: the job's frame list's, else the image's on the canvas. */
  imageSize() {
    const ws = this.ws;
    const size = ws.frameSize(ws.frame);
    return { width: size.width > 1 ? size.width : ws.canvas.imageWidth, height: size.height > 1 ? size.height : ws.canvas.imageHeight };
  }

  /** Change the selected mask (shape, or track on this frame) with the brush. */
  editMask() {
    const ws = this.ws;
    const obj = ws.current;
    const shape = obj && ws.sidebar.entries.find((e) => e.obj === obj)?.shape;
    if (!obj || !shape || shape.type !== "mask" || obj.locked) return;
    this.set(null);
    const color = ws.editor.label(shape.label_id)?.color || "#ff4040";
    const tool = this.maskTool(color, shape.points, (drawn) => {
      this.editingMask = null;
      ws.editor.setGeometry(obj, drawn, "Edit mask", ws.frame);
      if (this.maskSettings.removeUnderlying) ws.editor.removeUnderlying(obj);
      this.set(null);
      ws.select(obj.cid, true);
    });
    tool.snap = 7 / ws.canvas.view.scale;
    ws.canvas.setTool(tool);
    this.editingMask = obj;
    this.toolType = "mask";
    for (const [name, button] of this.toolButtons) button.classList.toggle("active", name === "mask");
    this.doneButton.hidden = false;
    this.maskBar.element.hidden = false;
    ws.refresh();
    ws.updateHint();
  }

  /** @param {"polygon" | "mask"} type convert the selected polygon or mask (a shape, or a whole track) */
  convertSelected(type) {
    const ws = this.ws;
    const obj = ws.current;
    if (!obj || obj.locked) return;
    const { width, height } = this.imageSize();
    const toType = type === "mask" ? (/** @type {number[]} */ p) => {
      const mask = polygonToMask(p, width, height);
      return mask ? [mask] : [];
    } : maskToPolygons;
    const { problem, parts } = ws.editor.convert(obj, type, toType, ws.frame);
    if (problem) ws.ctx.toasts.error(problem);
    else if (parts > 1) ws.ctx.toasts.info(`The mask had ${parts} parts apart: each is a polygon now.`);
  }

  /**
   * Change the selected cuboid (a shape, or a track's keyframe on this frame).
   * @param {(points: number[]) => number[]} change @param {string} label
   */
  reshapeCuboid(change, label) {
    const ws = this.ws;
    const obj = ws.current;
    const shape = obj && ws.sidebar.entries.find((e) => e.obj === obj)?.shape;
    if (!obj || !shape || shape.type !== "cuboid" || obj.locked) return;
    ws.editor.setGeometry(obj, { ...shape, points: change(shape.points) }, label, ws.frame);
  }

  /** The buttons for the selected object: convert a polygon or mask, change a mask. */
  updateShapeActions() {
    const ws = this.ws;
    const obj = ws.current;
    const type = obj && obj.kind !== "tag" ? ws.editor.typeOf(obj) : null;
    const button = (/** @type {string} */ cls, /** @type {string} */ text, /** @type {() => void} */ action) => h("button",
      { type: "button", class: `button small ${cls}`, onclick: action }, text);
    const buttons = [];
    if (type === "polygon") buttons.push(button("to-mask", "To mask", () => this.convertSelected("mask")));
    if (type === "mask" && this.editingMask !== obj) {
      buttons.push(button("edit-mask", "Edit mask", () => this.editMask()));
      buttons.push(button("to-polygon", "To polygon", () => this.convertSelected("polygon")));
    }
    if (type === "cuboid") {
      buttons.push(button("switch-orientation", "Switch orientation", () => this.reshapeCuboid(switchOrientation, "Switch orientation")));
      buttons.push(button("reset-perspective", "Reset perspective", () => this.reshapeCuboid(resetPerspective, "Reset perspective")));
    }
    replace(this.shapeActions, ...buttons);
  }
}
