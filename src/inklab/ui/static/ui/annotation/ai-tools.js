// The workspace's AI tools: functions served by agents, called on the frame shown
// (POST /api/lambda/functions/{id}, answered while the annotator waits).
//
// Interactor  pick one and a label, click on the object (left: on it; right or Shift+click:
//             off it); each click asks again and shows the outline at once; the slider sets
//             its most vertices; N (or Done) keeps it as a polygon, Backspace drops a click.
// Tracker     pick one and a label, draw a box: a track starts there and follows the object
//             as you step forward or play (one call per frame shown); Stop ends it.
// Detector    pick one, map its labels onto the job's (preset by name), run it on this frame.
// Every answer shows its round trip in milliseconds.

import { h, replace } from "../dom.js";
import { resultPolygon } from "./outline.js";
import { Tool, makeTool } from "./tools.js";

const KINDS = /** @type {const} */ (["interactor", "tracker", "detector"]);

/** @param {unknown} error @returns {string} */
const messageOf = (error) => (error instanceof Error ? error.message : String(error));

/** Click-to-segment: positive and negative points, the latest outline shown live. */
class InteractorTool extends Tool {
  /** @param {AiTools} panel @param {string} color */
  constructor(panel, color) {
    super("polygon", () => {}, { color });
    this.panel = panel;
    /** @type {{x: number, y: number, positive: boolean}[]} */
    this.clicks = [];
    /** @type {number[] | null} */
    this.polygon = null;
  }

  /** @param {{x: number, y: number}} p @param {PointerEvent} e */
  down(p, e) {
    this.clicks.push({ x: p.x, y: p.y, positive: !e.shiftKey });
    this.panel.ask();
  }

  /** Right click: a point off the object. @param {{x: number, y: number}} p */
  rightDown(p) {
    this.clicks.push({ x: p.x, y: p.y, positive: false });
    this.panel.ask();
  }

  back() {
    if (!this.clicks.length) return false;
    this.clicks.pop();
    if (this.clicks.length) this.panel.ask();
    else this.polygon = null;
    return true;
  }

  finish() {
    if (!this.polygon) return false;
    this.panel.accept(this.polygon);
    return true;
  }

  get started() {
    return this.clicks.length > 0;
  }

  get hint() {
    return this.clicks.length ? "Click to refine (right or Shift+click: not the object). N keeps the outline, Esc drops it."
      : "Click inside the object; right or Shift+click marks what is not the object.";
  }

  /** @param {CanvasRenderingContext2D} ctx @param {number} scale */
  preview(ctx, scale) {
    if (this.polygon) {
      ctx.lineWidth = 2 / scale;
      ctx.strokeStyle = this.options.color;
      ctx.fillStyle = "rgba(255,255,255,0.18)";
      ctx.beginPath();
      for (let i = 0; i < this.polygon.length; i += 2) ctx.lineTo(this.polygon[i], this.polygon[i + 1]);
      ctx.closePath();
      ctx.fill();
      ctx.stroke();
    }
    for (const click of this.clicks) {
      ctx.fillStyle = click.positive ? "#22c55e" : "#ef4444";
      ctx.beginPath();
      ctx.arc(click.x, click.y, 4.5 / scale, 0, 2 * Math.PI);
      ctx.fill();
    }
  }
}

/** The AI tools panel of a workspace. */
export class AiTools {
  /** @param {any} workspace the workspace (api, job, frame, editor, store, canvas) */
  constructor(workspace) {
    this.ws = workspace;
    /** @type {any[]} */
    this.functions = [];
    this.mode = "interactor";
    /** @type {InteractorTool | null} */
    this.interactor = null;
    this.asking = false;
    this.askAgain = false;
    /** @type {any[]} the latest interactor answer */
    this.shapes = [];
    /** @type {{obj: any, state: string}[]} tracks being followed */
    this.tracked = [];
    this.trackedFrame = -1;
    this.tracking = false;
    this.status = h("p", { class: "ai-status muted small", role: "status" });
    this.latency = h("span", { class: "ai-latency muted small" });
    this.functionSelect = /** @type {HTMLSelectElement} */ (h("select", { class: "ai-function", "aria-label": "Function",
      onchange: () => this.changed() }));
    this.labelSelect = /** @type {HTMLSelectElement} */ (h("select", { class: "ai-label", "aria-label": "Label" }));
    this.vertices = /** @type {HTMLInputElement} */ (h("input", { type: "range", min: "3", max: "200", value: "40",
      class: "ai-vertices", "aria-label": "Most vertices", oninput: () => this.outline(),
      // Give the keyboard back to the workspace, so N keeps the outline.
      onchange: () => this.vertices.blur() }));
    this.verticesText = h("span", { class: "muted small" }, "40");
    this.mapping = h("div", { class: "ai-mapping" });
    this.threshold = /** @type {HTMLInputElement} */ (h("input", { type: "number", min: "0", max: "1", step: "0.05",
      value: "0.5", class: "ai-threshold", "aria-label": "Confidence threshold" }));
    this.tabs = h("div", { class: "ai-tabs", role: "tablist" }, KINDS.map((kind) => h("button", {
      type: "button", role: "tab", class: "button small", dataset: { kind }, onclick: () => this.setMode(kind) },
    kind === "interactor" ? "Interactors" : kind === "tracker" ? "Trackers" : "Detectors")));
    this.body = h("div", { class: "ai-body" });
    this.element = h("section", { class: "ai-tools", hidden: true, "aria-label": "AI tools" },
      h("header", null, h("strong", null, "AI tools"), this.latency,
        h("button", { type: "button", class: "icon-button", "aria-label": "Close", onclick: () => this.toggle(false) }, "×")),
      this.tabs, this.body, this.status);
  }

  /** @param {boolean} [open] */
  async toggle(open) {
    const show = open ?? this.element.hidden;
    this.element.hidden = !show;
    if (!show) {
      this.stopInteracting();
      return;
    }
    try {
      this.functions = await this.ws.ctx.api.get("/api/lambda/functions");
    } catch (error) {
      this.say(`The functions cannot be listed: ${messageOf(error)}`);
    }
    this.setMode(this.mode);
  }

  /** @param {string} mode */
  setMode(mode) {
    this.stopInteracting();
    this.mode = mode;
    for (const tab of this.tabs.children) tab.classList.toggle("active", /** @type {HTMLElement} */ (tab).dataset.kind === mode);
    const choices = this.functions.filter((f) => f.kind === mode);
    replace(this.functionSelect, choices.map((f) => h("option", { value: String(f.id) }, f.name)));
    const labelType = mode === "tracker" ? "rectangle" : "polygon";
    replace(this.labelSelect, this.ws.editor.labelsFor(labelType).map((/** @type {any} */ l) =>
      h("option", { value: String(l.id) }, l.name)));
    if (!choices.length) {
      replace(this.body, h("p", { class: "muted small" }, `No ${mode} is registered. Register one with `,
        h("code", null, "inklab function create-native"), " and run its agent; see the Models page."));
      return;
    }
    const field = (/** @type {string} */ text, /** @type {Node} */ input) => h("label", { class: "ai-field" }, text, input);
    if (mode === "interactor") {
      replace(this.body, field("Interactor", this.functionSelect), field("Label", this.labelSelect),
        h("label", { class: "ai-field" }, "Most vertices ", this.vertices, this.verticesText),
        h("div", { class: "ai-actions" },
          h("button", { type: "button", class: "button small primary ai-start", onclick: () => this.startInteracting() },
            "Start clicking"),
          h("button", { type: "button", class: "button small ai-accept", onclick: () => this.interactor?.finish() }, "Done (N)")));
    } else if (mode === "tracker") {
      replace(this.body, field("Tracker", this.functionSelect), field("Label", this.labelSelect),
        h("div", { class: "ai-actions" },
          h("button", { type: "button", class: "button small primary ai-track", onclick: () => this.drawTrackedBox() },
            "Draw a box to track"),
          h("button", { type: "button", class: "button small ai-stop", onclick: () => this.stopTracking() }, "Stop")));
    } else {
      replace(this.body, field("Detector", this.functionSelect), this.mapping, field("Threshold", this.threshold),
        h("div", { class: "ai-actions" },
          h("button", { type: "button", class: "button small primary ai-detect", onclick: () => this.detect() },
            "Run on this frame")));
      this.showMapping();
    }
  }

  changed() {
    if (this.mode === "detector") this.showMapping();
    if (this.interactor) this.startInteracting();
  }

  get function() {
    return this.functions.find((f) => String(f.id) === this.functionSelect.value) || null;
  }

  get label() {
    return this.ws.editor.label(Number(this.labelSelect.value)) || null;
  }

  /** @param {string} text */
  say(text) {
    this.status.textContent = text;
  }

  /** @param {any} body @returns {Promise<any>} the function's answer, its round trip shown */
  async call(body) {
    const fn = this.function;
    if (!fn) throw new Error("Pick a function first.");
    const started = performance.now();
    const answer = await this.ws.ctx.api.post(`/api/lambda/functions/${fn.id}`, { job: this.ws.job.id, ...body });
    const took = performance.now() - started;
    this.latency.textContent = `${Math.round(took)} ms`;
    this.element.dataset.latencyMs = took.toFixed(1);
    this.latency.title = `Round trip ${took.toFixed(1)} ms; the server waited ${answer.latency_ms} ms for the agent.`;
    return answer;
  }

  // -- interactors ----------------------------------------------------------------------

  startInteracting() {
    const label = this.label;
    if (!label) {
      this.say("No label of this job can hold a polygon.");
      return;
    }
    this.ws.setTool(null);
    this.interactor = new InteractorTool(this, label.color);
    this.shapes = [];
    this.ws.canvas.setTool(this.interactor);
    this.ws.updateHint();
    this.say("Click inside an object.");
  }

  stopInteracting() {
    if (this.interactor && this.ws.canvas.tool === this.interactor) this.ws.setTool(null);
    this.interactor = null;
  }

  /** Ask the interactor about the current clicks; clicks made meanwhile are sent after the answer. */
  async ask() {
    const tool = this.interactor;
    if (!tool) return;
    if (this.asking) {
      this.askAgain = true;
      return;
    }
    this.asking = true;
    this.element.dataset.busy = "true";
    try {
      do {
        this.askAgain = false;
        const pos = tool.clicks.filter((c) => c.positive).map((c) => [c.x, c.y]);
        const neg = tool.clicks.filter((c) => !c.positive).map((c) => [c.x, c.y]);
        const fn = this.function;
        if (fn && pos.length < fn.min_pos_points) continue;
        const body = { frame: this.ws.frame, pos_points: pos, neg_points: fn && fn.min_neg_points < 0 ? [] : neg };
        const answer = await this.call(body);
        if (tool !== this.interactor) return;
        this.shapes = answer.shapes || [];
        this.outline();
      } while (this.askAgain);
    } catch (error) {
      this.say(messageOf(error));
    } finally {
      this.asking = false;
      delete this.element.dataset.busy;
    }
  }

  /** Redraw the latest answer with the slider's vertex count. */
  outline() {
    this.verticesText.textContent = this.vertices.value;
    if (!this.interactor) return;
    const polygon = resultPolygon(this.shapes, Number(this.vertices.value));
    this.interactor.polygon = polygon;
    this.say(polygon ? `${polygon.length / 2} vertices: N keeps it.` : "Nothing found there.");
    this.ws.canvas.requestRender();
  }

  /** @param {number[]} polygon */
  accept(polygon) {
    const label = this.label;
    if (!label) return;
    const obj = this.ws.editor.createShape({ type: "polygon", points: polygon }, this.ws.frame, label);
    obj.data.source = "semi-auto";  // a new object: its first state is what gets saved
    this.startInteracting();
    this.ws.select(obj.cid, true);
    this.say("Kept. Click the next object.");
  }

  // -- trackers ----------------------------------------------------------------------------

  drawTrackedBox() {
    const label = this.label;
    if (!label) {
      this.say("No label of this job can hold a rectangle.");
      return;
    }
    this.stopInteracting();
    this.ws.setTool(null);
    this.ws.canvas.setTool(makeTool("rectangle", (/** @type {any} */ drawn) => this.startTrack(drawn.points, label),
      { color: label.color }));
    this.ws.updateHint();
    this.say("Drag a box around the object to follow.");
  }

  /** @param {number[]} points @param {any} label */
  async startTrack(points, label) {
    this.ws.setTool(null);
    const frame = this.ws.frame;
    try {
      const answer = await this.call({ frame, shapes: [{ type: "rectangle", points }] });
      const keyframe = { type: "rectangle", frame, points: points.map((v) => Math.round(v * 100) / 100),
        outside: false, occluded: false, z_order: 0, rotation: 0, attributes: [] };
      const [obj] = this.ws.store.create("track", [{ frame, label_id: label.id, group: 0, source: "semi-auto",
        attributes: [], shapes: [keyframe] }], "Start tracking");
      this.tracked.push({ obj, state: answer.states[0] });
      this.trackedFrame = frame;
      this.say(`Following ${this.tracked.length} object(s): step forward (F) or play.`);
    } catch (error) {
      this.say(messageOf(error));
    }
  }

  /** Follow the tracked objects onto the frame now shown (forward steps only). @param {number} frame */
  async frameShown(frame) {
    if (!this.tracked.length || frame <= this.trackedFrame || this.tracking) return;
    this.tracking = true;
    this.element.dataset.busy = "true";
    try {
      const answer = await this.call({ frame, states: this.tracked.map((t) => t.state) });
      this.tracked.forEach((t, i) => {
        const moved = answer.shapes[i];
        const last = t.obj.data.shapes[t.obj.data.shapes.length - 1];
        const keyframe = moved
          ? { ...last, frame, points: moved.points.map((/** @type {number} */ v) => Math.round(v * 100) / 100), outside: false }
          : { ...last, frame, outside: true };
        this.ws.store.update(t.obj, { ...t.obj.data, shapes: [...t.obj.data.shapes.filter((/** @type {any} */ s) =>
          s.frame !== frame), keyframe] }, "Track");
      });
      this.tracked = this.tracked.filter((_, i) => answer.shapes[i]);
      this.trackedFrame = frame;
      this.element.dataset.trackedFrame = String(frame);
      if (!this.tracked.length) this.say("The tracker lost the object.");
    } catch (error) {
      this.say(messageOf(error));
      this.tracked = [];
    } finally {
      this.tracking = false;
      delete this.element.dataset.busy;
    }
    if (this.ws.frame > frame) this.frameShown(this.ws.frame);  // frames shown meanwhile
  }

  stopTracking() {
    this.tracked = [];
    this.say("Tracking stopped.");
  }

  // -- detectors ---------------------------------------------------------------------------

  showMapping() {
    const fn = this.function;
    if (!fn) return;
    const labels = this.ws.editor.labels;
    replace(this.mapping, (fn.labels_v2 || []).map((/** @type {any} */ spec) => h("label", { class: "ai-field" },
      `${spec.name} → `, h("select", { dataset: { functionLabel: spec.name } },
        h("option", { value: "" }, "(skip)"),
        labels.map((/** @type {any} */ l) => h("option", { value: l.name, selected: l.name === spec.name }, l.name))))));
  }

  async detect() {
    /** @type {Record<string, {name: string}>} */
    const mapping = {};
    for (const select of this.mapping.querySelectorAll("select")) {
      if (select.value) mapping[/** @type {string} */ (select.dataset.functionLabel)] = { name: select.value };
    }
    if (!Object.keys(mapping).length) {
      this.say("Map at least one of the function's labels.");
      return;
    }
    const frame = this.ws.frame;
    try {
      const answer = await this.call({ frame, mapping, threshold: Number(this.threshold.value) });
      const shapes = (answer.shapes || []).map((/** @type {any} */ s) => ({ group: 0, z_order: 0, rotation: 0, occluded: false,
        outside: false, attributes: [], elements: [], ...s, frame, source: "auto" }));
      const tags = (answer.tags || []).map((/** @type {any} */ t) => ({ group: 0, attributes: [], ...t, frame, source: "auto" }));
      if (shapes.length) this.ws.store.create("shape", shapes, "Detector results");
      if (tags.length) this.ws.store.create("tag", tags, "Detector tags");
      this.say(`${shapes.length} shapes and ${tags.length} tags found.`);
    } catch (error) {
      this.say(messageOf(error));
    }
  }
}
