// The annotation workspace of a job: the frame on a canvas, drawing tools, the objects
// sidebar, frame navigation, undo/redo and saving (only what changed is sent).

import { h, replace, svgIcon } from "../dom.js";
import { AiTools } from "../annotation/ai-tools.js";
import { imageFilter, loadAppearance, paletteColor, saveAppearance } from "../annotation/appearance.js";
import { AnnotationCanvas } from "../annotation/canvas.js";
import { AnnotationEditor } from "../annotation/editor.js";
import { FilterError, filterRecord, parseFilter } from "../annotation/filter.js";
import { openFilterDialog, rememberFilter } from "../components/filter-dialog.js";
import { AnnotationStore } from "../annotation/model.js";
import { stateAt } from "../annotation/tracks.js";
import { loadKeymap, saveKeymap } from "../annotation/shortcuts.js";
import { openExportDialog } from "../components/export-dialog.js";
import { ObjectsSidebar } from "../components/objects-sidebar.js";
import { Player } from "../components/player.js";
import { openGuideDialog } from "../components/guide-dialog.js";
import { openShortcutsHelp } from "../components/shortcuts-help.js";
import { settingsMenu } from "../components/workspace-settings.js";
import { STAGES, STATES, allowJobField, jobFieldRights, jobFieldSelect } from "./task.js";
import { AttributeMode } from "./workspace-attributes.js";
import { GroupMode } from "./workspace-groups.js";
import { FrameNavigation } from "./workspace-navigation.js";
import { ReviewMode } from "./workspace-review.js";
import { TagMode } from "./workspace-tags.js";
import { WorkspacePlayer } from "./workspace-player.js";
import { DrawingTools } from "./workspace-tools.js";
import { SaveFlow } from "./workspace-saving.js";
import { TrackMode } from "./workspace-tracks.js";

const ICONS = {
  fit: '<path d="M4 9V4h5M20 9V4h-5M4 15v5h5M20 15v5h-5"/>',
};

/**
 * @param {import("../app.js").Context} ctx
 * @param {import("../router.js").Match} match
 * @returns {import("../app.js").View}
 */
export function workspaceView(ctx, match) {
  const jobId = Number(match.params.id);
  const element = h("div", { class: "workspace loading" }, h("p", { class: "muted workspace-loading" }, "Opening the job…"));
  const workspace = new Workspace(ctx, jobId, element);
  workspace.open(Number(match.query.get("frame"))).catch((error) => {
    replace(element, h("div", { class: "page narrow" }, h("h1", null, "The job cannot be opened"),
      h("p", { class: "form-error" }, error instanceof Error ? error.message : String(error)),
      h("a", { href: "/jobs", class: "button" }, "Back to the jobs")));
  });
  return {
    element,
    fullscreen: true,
    destroy: () => workspace.destroy(),
    canLeave: () => !workspace.store.dirty
      || window.confirm("You have unsaved annotations. Leave and lose them?"),
  };
}

class Workspace {
  /**
   * @param {import("../app.js").Context} ctx
   * @param {number} jobId
   * @param {HTMLElement} element
   */
  constructor(ctx, jobId, element) {
    this.ctx = ctx;
    this.jobId = jobId;
    this.element = element;
    this.store = new AnnotationStore();
    /** @type {AnnotationEditor} */
    this.editor = /** @type {any} */ (null);
    /** @type {any} */
    this.job = null;
    /** @type {any} */
    this.meta = null;
    this.frame = 0;
    /** @type {number | null} */
    this.selected = null;
    this.saves = new SaveFlow(this);
    this.navigation = new FrameNavigation(this);
    /** How annotations and the image are shown (kept per user in this browser). */
    this.appearance = loadAppearance(ctx.user?.id ?? ctx.user?.username);
    /** The user's keys (changed in the shortcuts dialog, kept in this browser). */
    this.keymap = loadKeymap(ctx.user?.id ?? ctx.user?.username);
    /** @type {import("../annotation/filter.js").Predicate | null} objects that fail it are not shown */
    this.filter = null;
    this.destroyed = false;
    /** Whether the user may change the job's stage and state (known once its task is read; the server decides). */
    this.jobRights = { stage: true, state: true };
    /** @type {Set<number>} */
    this.deleted = new Set();
    this.onKey = (/** @type {KeyboardEvent} */ e) => this.key(e);
    this.onBeforeUnload = (/** @type {BeforeUnloadEvent} */ e) => {
      if (!this.store.dirty) return undefined;
      e.preventDefault();
      e.returnValue = "";
      return "";
    };
  }

  /** @param {number} requestedFrame from the address (?frame=), NaN if absent */
  async open(requestedFrame) {
    const { api } = this.ctx;
    const opened = performance.now();
    const [job, meta, labels, annotations] = await Promise.all([
      api.get(`/api/jobs/${this.jobId}`), api.get(`/api/jobs/${this.jobId}/data/meta`),
      api.listAll("/api/labels", { job_id: this.jobId }), api.get(`/api/jobs/${this.jobId}/annotations`),
    ]);
    if (this.destroyed) return;
    this.job = job;
    this.meta = meta;
    this.deleted = new Set(meta.deleted_frames || []);
    this.editor = new AnnotationEditor(this.store, labels);
    this.store.load(annotations);
    document.title = `Job #${job.id} · ${job.task_name} · inklab`;
    const first = job.start_frame;
    const last = job.stop_frame;
    this.build();
    // A click can move a drawing gesture to its next step (a cuboid's 4 points): say what comes next.
    this.canvas.canvas.addEventListener("pointerup", () => this.updateHint());
    this.store.subscribe((reason) => this.changed(reason));
    document.addEventListener("keydown", this.onKey);
    window.addEventListener("beforeunload", this.onBeforeUnload);
    const start = Number.isInteger(requestedFrame) && requestedFrame >= first && requestedFrame <= last ? requestedFrame : first;
    const rights = this.loadJobRights();
    await this.go(start, 1);
    await rights;
    // Timings for the benchmark: from the start of opening, and from the page's navigation start.
    this.element.dataset.openMs = (performance.now() - opened).toFixed(1);
    this.element.dataset.readyAt = performance.now().toFixed(1);
    this.element.classList.remove("loading");
    this.element.dataset.ready = "true";
  }

  /**
   * Disable the stage and state selects, and hide the stage moves, that the user may not use: the
   * rules need the job's task and project (a task that cannot be read counts as not managed).
   */
  async loadJobRights() {
    const { api } = this.ctx;
    const job = this.job;
    const task = await api.get(`/api/tasks/${job.task_id}`).catch(() => null);
    const project = task?.project_id ? await api.get(`/api/projects/${task.project_id}`).catch(() => null) : null;
    if (this.destroyed) return;
    this.jobRights = jobFieldRights(this.ctx, job, { task, project });
    for (const name of /** @type {const} */ (["stage", "state"])) {
      const select = /** @type {HTMLSelectElement | null} */ (this.element.querySelector(`select.job-${name}`));
      if (select) allowJobField(select, this.jobRights[name]);
    }
    this.review.jobChanged();
  }

  destroy() {
    this.destroyed = true;
    this.saves.dispose();
    this.navigation.dispose();
    document.removeEventListener("keydown", this.onKey);
    window.removeEventListener("beforeunload", this.onBeforeUnload);
    this.canvas?.destroy();
    this.playback?.dispose();
  }

  /** @param {number} frame @returns {{width: number, height: number, name: string}} */
  frameSize(frame) {
    const entry = this.meta.frames?.[frame - this.job.start_frame];
    return { width: entry?.width || 1, height: entry?.height || 1, name: entry?.name || `frame ${frame}` };
  }

  build() {
    const job = this.job;
    this.canvas = new AnnotationCanvas({
      onSelect: (key) => this.select(key, key !== null),  // the list scrolls to what was clicked
      onHover: (key) => this.hoverFromCanvas(key),
      onCommit: (key, shape, label) => {
        const obj = this.store.objects.get(key);
        if (obj) this.editor.setGeometry(obj, shape, label, this.frame);
      },
      onViewChange: (scale) => { this.zoomText.textContent = `${Math.round(scale * 100)}%`; },
      onPointer: (x, y) => { this.pointerText.textContent = `${Math.round(x)}, ${Math.round(y)}`; },
    });
    this.player = new Player({ first: job.start_frame, last: job.stop_frame, onGo: (f) => this.go(f, f >= this.frame ? 1 : -1),
      onPlay: () => this.playback.toggle(), onStep: (direction) => this.navigation.step(direction) });
    const editor = this.editor;
    this.sidebar = new ObjectsSidebar({
      select: (cid) => this.select(cid, true),
      hover: (cid) => this.canvas.hover(cid),
      labelsFor: (obj) => (editor.typeOf(obj) === "skeleton" ? editor.labels.filter((l) => l.id === obj.data.label_id)
        : editor.labelsFor(editor.typeOf(obj))),
      labelOf: (id) => editor.label(id),
      setLabel: (obj, id) => editor.setLabel(obj, id),
      setAttribute: (obj, spec, value) => editor.setAttribute(obj, spec, value, this.frame),
      setOccluded: (obj, value) => editor.setOccluded(obj, value, this.frame),
      setElementOutside: (obj, i, outside) => editor.setElementOutside(obj, i, outside, this.frame),
      trackAction: (obj, action) => this.tracks.perform(obj, action),
      toggle: (obj, flag) => this.toggleFlag(obj, flag),
      toggleAll: (flag) => this.toggleAll(flag),
      zOrder: (obj, direction) => editor.zOrder(obj, direction),
      remove: (obj, force) => this.remove(obj, force),
      addTag: (labelId) => {
        const label = editor.label(labelId);
        if (label) this.select(editor.createTag(this.frame, label).cid, true);
      },
      tagLabels: () => editor.labelsFor("tag"),
      filter: (text) => this.setFilter(text),
      buildFilter: (text) => openFilterDialog({ text, labels: editor.labels, user: this.ctx.user?.id ?? this.ctx.user?.username }),
    });
    this.sidebar.refreshTagLabels();
    this.tools = new DrawingTools(this);
    this.review = new ReviewMode(this);
    const toolbar = this.toolbar = h("nav", { class: "toolbar", "aria-label": "Tools" },
      this.tools.buttons,
      h("hr"),
      this.tools.toolButton("ai", "AI tools: interactors, trackers, detectors", () => this.aiTools.toggle()),
      this.review.toolButton,
      h("button", { type: "button", class: "icon-button", title: "Fit the image (double click)", "aria-label": "Fit",
        onclick: () => this.canvas.fit() }, svgIcon(ICONS.fit)));
    this.hint = h("span", { class: "hint-text" });
    this.zoomText = h("span", { class: "muted" });
    this.pointerText = h("span", { class: "muted" });
    this.frameStatus = h("span", { class: "frame-status muted" });
    const menu = h("details", { class: "menu" }, h("summary", { class: "button small" }, "Menu ▾"),
      h("div", { class: "menu-items" },
        h("a", { href: `/tasks/${job.task_id}` }, "Open the task"),
        h("button", { type: "button", onclick: () => openExportDialog(this.ctx, { resource: "jobs", id: job.id, name: `job #${job.id}` }) },
          "Export job dataset"),
        this.review.moveButtons,
        h("button", { type: "button", onclick: () => this.saves.uploadAnnotations() }, "Upload annotations"),
        h("button", { type: "button", onclick: () => this.saves.reload() }, "Reload annotations from the server"),
        h("button", { type: "button", onclick: () => this.showShortcuts() }, "Keyboard shortcuts (F1)")));
    const settings = settingsMenu(this.appearance, () => this.applyAppearance());
    menu.addEventListener("click", (e) => { if (/** @type {HTMLElement} */ (e.target).closest(".menu-items > *")) menu.removeAttribute("open"); });
    const topbar = h("header", { class: "workspace-top" },
      h("a", { href: `/tasks/${job.task_id}`, class: "muted small back-link" }, `← ${job.task_name}`),
      h("strong", { class: "job-title" }, `Job #${job.id}`),
      menu, settings, this.saves.saveButton, this.saves.saveState, this.saves.undoButton, this.saves.redoButton,
      this.player.element,
      h("label", { class: "inline" }, "Stage ", jobFieldSelect(this.ctx, job, "stage", STAGES, () => this.review.jobChanged())),
      h("label", { class: "inline" }, "State ", jobFieldSelect(this.ctx, job, "state", STATES, () => this.review.jobChanged())),
      h("button", { type: "button", class: "icon-button", title: "Keyboard shortcuts (F1)", "aria-label": "Keyboard shortcuts",
        onclick: () => this.showShortcuts() }, "?"));
    const guideButton = job.guide_id ? h("button", { type: "button", class: "button small guide-button",
      title: "The annotation guide of this task or project", onclick: () => openGuideDialog(this.ctx, job.guide_id) }, "Guide") : null;
    this.tracks = new TrackMode(this);
    this.attributes = new AttributeMode(this);
    this.tagMode = new TagMode(this);
    this.groups = new GroupMode(this);
    this.modeSelect = /** @type {HTMLSelectElement} */ (h("select", { class: "mode-select", "aria-label": "Annotation mode" },
      h("option", { value: "standard" }, "Standard"), h("option", { value: "attributes" }, "Attribute annotation"),
      h("option", { value: "tags" }, "Tag annotation")));
    this.modeSelect.addEventListener("change", () => {
      this.setMode(this.modeSelect.value);
      this.modeSelect.blur();  // the mode's keys (digits, arrows) go to the workspace
    });
    this.playback = new WorkspacePlayer(this);
    const drawBar = h("div", { class: "draw-bar" }, this.modeSelect, this.tracks.element, h("span", { class: "muted" }, "Label"), this.tools.controls,
      this.hint, this.player.extras, guideButton);
    this.aiTools = new AiTools(this);
    replace(this.element,
      topbar,
      h("div", { class: "workspace-body" }, toolbar,
        h("div", { class: "workspace-center" }, drawBar, this.attributes.element, this.tagMode.element, this.aiTools.element,
          this.canvas.element,
          h("footer", { class: "workspace-status" }, this.frameStatus, this.pointerText, this.zoomText)),
        this.sidebar.element, this.review.element));
    this.review.jobChanged();
    this.review.load();
    this.setTool(null);
    this.applyAppearance(false);
    this.saves.update();
  }

  /** Show the appearance settings (and keep them for the user). @param {boolean} [save] */
  applyAppearance(save = true) {
    const a = this.appearance;
    this.canvas.settings = { ...this.canvas.settings, fillOpacity: a.fillOpacity, selectedOpacity: a.selectedOpacity,
      imageFilter: imageFilter(a), outline: a.outline, showLabels: a.showLabels };
    if (save) {
      saveAppearance(this.ctx.user?.id ?? this.ctx.user?.username, a);
      this.refresh();
    }
    this.canvas.requestRender();
    this.saves.scheduleAutosave();
  }

  /**
   * Standard, attribute annotation or tag annotation mode.
   * @param {string} mode "standard", "attributes" or "tags"
   */
  setMode(mode) {
    if (mode !== "standard") this.setTool(null);
    this.modeSelect.value = mode;
    this.element.dataset.mode = mode;
    this.attributes.setActive(mode === "attributes");
    this.tagMode.setActive(mode === "tags");
  }

  /** The shortcuts dialog, where the user can change keys. */
  showShortcuts() {
    openShortcutsHelp(this.keymap, (keymap) => saveKeymap(this.ctx.user?.id ?? this.ctx.user?.username, keymap));
  }

  /** Go to the next frame that is not deleted (tag mode's skip). */
  next() {
    this.go(this.navigation.neighbour(1), 1);
  }

  /** @param {string | null} type a shape type to draw, or null to select and edit */
  setTool(type) {
    this.tools.set(type);
  }

  updateHint() {
    if (!this.hint) return;
    this.hint.textContent = this.tracks.hint ?? this.groups.hint ?? (this.canvas.tool ? this.canvas.tool.hint
      : "Click a shape to select it; drag to move; drag its handles to reshape. Wheel zooms, dragging the background pans.");
  }

  /**
   * Show a frame: annotations at once, the image as soon as it is decoded (at once when prefetched).
   * @param {number} frame @param {number} direction of travel, for prefetching
   */
  async go(frame, direction = 1) {
    const { start_frame: first, stop_frame: last } = this.job;
    frame = Math.max(first, Math.min(last, frame));
    const changedFrame = frame !== this.frame;
    this.frame = frame;
    const size = this.frameSize(frame);
    this.player.show(frame, size.name, this.deleted.has(frame));
    this.frameStatus.textContent = `Frame ${frame} · ${size.width}×${size.height}`;
    if (changedFrame) {
      if (this.selected !== null && !this.isOnFrame(this.selected)) this.selected = null;
      this.attributes.cid = null;
      this.navigation.rememberFrame();
      if (this.canvas.tool?.started) this.setTool(this.tools.editingMask ? null : this.tools.toolType);
    }
    this.refresh();
    if (changedFrame) this.aiTools.frameShown(frame);
    if (changedFrame) this.review.frameShown();
    await this.playback.show(frame, direction);
  }

  /** @param {number} cid @returns {boolean} */
  isOnFrame(cid) {
    const obj = this.store.objects.get(cid);
    if (!obj) return false;
    // A track is on every frame from its first keyframe (drawn, or listed as outside).
    if (obj.kind === "track") return obj.present && stateAt(obj.data.shapes, this.frame) !== null;
    return obj.data.frame === this.frame;
  }

  /**
   * Show only the objects that pass a filter (empty: all).
   * @param {string} text @returns {string | null} why the filter cannot be read, or null
   */
  setFilter(text) {
    try {
      this.filter = parseFilter(text);
    } catch (error) {
      if (!(error instanceof FilterError)) throw error;
      return error.message;
    }
    rememberFilter(this.ctx.user?.id ?? this.ctx.user?.username, text);
    this.refresh();
    return null;
  }

  /** What a filter sees of an object. @param {any} obj @param {any} shape its state on this frame */
  recordOf(obj, shape) {
    return filterRecord(obj, shape, this.editor.label(shape.label_id));
  }

  /** Rebuild what the canvas and the sidebar show for the current frame. */
  refresh() {
    const frameObjects = this.store.frameObjects(this.frame);
    const filter = this.filter;
    /** @template {{obj: any, shape: any}} T @param {T[]} list @returns {T[]} */
    const passing = (list) => (filter ? list.filter(({ obj, shape }) => filter(this.recordOf(obj, shape))) : list);
    const shapes = passing(frameObjects.shapes.map((obj) => ({ obj, shape: obj.data })));
    const tracks = passing(frameObjects.tracks);
    const outside = passing(frameObjects.outside);
    const tags = passing(frameObjects.tags.map((obj) => ({ obj, shape: obj.data }))).map((t) => t.obj);
    const label = (/** @type {number} */ id) => this.editor.label(id);
    /** @type {{obj: any, shape: any}[]} */
    const objects = [...shapes, ...tracks];
    // Z-order first; within a layer, shapes of one label together, so the renderer batches them.
    objects.sort((a, b) => (a.shape.z_order || 0) - (b.shape.z_order || 0) || a.shape.label_id - b.shape.label_id
      || a.obj.cid - b.obj.cid);
    const items = [];
    for (const { obj, shape } of objects) {
      if (obj.hidden || obj === this.tools.editingMask) continue;
      const l = label(shape.label_id);
      const { colorBy } = this.appearance;
      const group = obj.data.group || 0;
      const color = colorBy === "instance" ? paletteColor(obj.cid) : colorBy === "group" && group ? paletteColor(group)
        : l?.color || "#ff4040";
      items.push({
        key: obj.cid, shape, color, label: `${l?.name || "?"}${obj.sid !== null ? ` #${obj.sid}` : ""}`,
        locked: obj.locked,
        edges: shape.type === "skeleton" && l ? this.editor.template(l).edges : undefined,
      });
    }
    if (this.selected !== null && !this.store.objects.has(this.selected)) this.selected = null;
    this.canvas.setItems(items);
    this.canvas.select(this.selected);
    const entries = [...objects, ...outside].map(({ obj, shape }) => ({ obj, shape, label: label(shape.label_id) }))
      .sort((a, b) => a.obj.cid - b.obj.cid);
    this.sidebar.show(entries, tags.map((obj) => ({ obj, shape: obj.data, label: label(obj.data.label_id) })), this.selected);
    this.tools.updateShapeActions();
    if (this.attributes.active) {
      if (this.attributes.entry) this.attributes.render();
      else this.attributes.frameChanged();
    }
    this.tagMode.render();
  }

  /** @param {string} reason */
  changed(reason) {
    if (reason === "undo" || reason === "redo") {
      // Follow the change to its frame, as CVAT does.
      const steps = reason === "undo" ? this.store.history.redoStack : this.store.history.undoStack;
      const step = steps[steps.length - 1];
      const target = step?.changes[0]?.target;
      // A track that is not on this frame: to its first frame.
      const away = target && (target.kind === "track" ? target.present && !this.isOnFrame(target.cid)
        : target.data.frame !== this.frame);
      if (away) {
        this.go(target.data.frame, target.data.frame > this.frame ? 1 : -1);
        this.saves.update();
        return;
      }
    }
    this.refresh();
    this.saves.update();
  }

  /** @param {number | null} cid @param {boolean} reveal scroll the sidebar to it */
  select(cid, reveal) {
    this.tracks.picked(cid);
    this.groups.picked(cid);
    // A click in attribute mode brings that object to the front of the mode.
    if (this.attributes.active && cid !== null && cid !== this.attributes.cid
      && this.attributes.objects().some((e) => e.obj.cid === cid)) {
      this.attributes.cid = cid;
      this.attributes.render();
    }
    this.selected = cid;
    this.canvas.select(cid);
    this.sidebar.show(this.sidebar.entries, this.sidebar.tags, cid);
    if (reveal) this.sidebar.reveal();
    this.tools.updateShapeActions();
  }

  /** @param {number | null} key */
  hoverFromCanvas(key) {
    for (const row of this.sidebar.rows.querySelectorAll(".object-row.hovered")) row.classList.remove("hovered");
    if (key !== null) this.sidebar.rows.querySelector(`.object-row[data-cid="${key}"]`)?.classList.add("hovered");
  }

  /** @param {any} obj @param {"locked" | "hidden"} flag */
  toggleFlag(obj, flag) {
    obj[flag] = !obj[flag];
    if (flag === "hidden" && obj.hidden && this.selected === obj.cid) this.selected = null;
    this.refresh();
  }

  /** @param {"locked" | "hidden"} flag */
  toggleAll(flag) {
    const { shapes, tracks } = this.store.frameObjects(this.frame);
    const objs = [...shapes, ...tracks.map((t) => t.obj)];
    const value = !objs.every((o) => o[flag]);
    for (const obj of objs) obj[flag] = value;
    if (flag === "hidden" && value) this.selected = null;
    this.refresh();
  }

  /** @param {any} obj @param {boolean} force delete even when locked */
  remove(obj, force) {
    if (obj.locked && !force) {
      this.ctx.toasts.info("The object is locked: unlock it (L) or press Shift+Delete.");
      return;
    }
    if (obj.kind === "track") {
      this.tracks.confirmDelete(obj).then((yes) => {
        if (!yes || !obj.present) return;
        if (this.selected === obj.cid) this.selected = null;
        this.store.remove([obj], "Delete track");
      });
      return;
    }
    if (this.selected === obj.cid) this.selected = null;
    this.store.remove([obj], obj.kind === "tag" ? "Remove tag" : "Delete object");
  }

  /** The selected object, or null. */
  get current() {
    return this.selected !== null ? this.store.objects.get(this.selected) || null : null;
  }

  /** Move the keyboard focus from the canvas to the toolbar's first control, or back to the canvas. */
  focusRegion() {
    const active = document.activeElement;
    if (active && active !== document.body && active !== this.canvas.canvas && this.toolbar.contains(active)) {
      this.canvas.canvas.focus({ preventScroll: true });
      return;
    }
    /** @type {HTMLElement | null} */ (this.toolbar.querySelector("button:not([disabled])"))?.focus();
  }

  /** @param {KeyboardEvent} event */
  key(event) {
    const target = /** @type {HTMLElement} */ (event.target);
    if (document.querySelector("dialog[open]")) return;
    // A range input (the frame slider) is not typing: the workspace's keys keep working after it is used.
    const typing = target.closest("input:not([type=range]), textarea, select, [contenteditable]")
      && !(event.ctrlKey && event.key.toLowerCase() === "s");
    if (typing) return;
    if (this.attributes.key(event) || this.tagMode.key(event)) {
      event.preventDefault();
      return;
    }
    const action = this.keymap.actionOf(event);
    if (!action) return;
    // Tab selects objects while the canvas (or nothing) has the focus; once the keyboard moved the
    // focus to a control (F6 or Escape), Tab moves through the controls as on any page.
    if (event.key === "Tab" && target !== document.body && target !== this.canvas.canvas
      && target.matches(":focus-visible")) return;
    event.preventDefault();
    this.perform(action, event);
  }

  /** @param {string} action @param {KeyboardEvent} event */
  perform(action, event) {
    const obj = this.current;
    const tool = this.canvas.tool;
    switch (action) {
      case "help": this.showShortcuts(); break;
      case "save": this.saves.save(); break;
      case "undo": if (!tool?.started) this.store.undo(); break;
      case "redo": if (!tool?.started) this.store.redo(); break;
      case "cancel":
        if (this.tracks.cancel() || this.groups.cancel()) break;
        if (tool?.started && !this.tools.editingMask) this.setTool(this.tools.toolType);
        else if (tool) this.setTool(null);
        else if (this.selected !== null) this.select(null, false);
        else this.focusRegion();  // nothing to cancel: Escape leaves the canvas, as F6 does
        break;
      case "focusRegion": this.focusRegion(); break;
      case "next": this.navigation.step(1); break;
      case "previous": this.navigation.step(-1); break;
      case "nextSearch": this.navigation.search(1, "objects"); break;
      case "previousSearch": this.navigation.search(-1, "objects"); break;
      case "forward": this.go(this.frame + 10, 1); break;
      case "backward": this.go(this.frame - 10, -1); break;
      case "first": this.go(this.job.start_frame, 1); break;
      case "last": this.go(this.job.stop_frame, -1); break;
      case "play": this.playback.toggle(); break;
      case "jump": this.player.focusNumber(); break;
      case "draw":
        if (tool) tool.finish();
        else this.setTool(this.tools.lastTool);
        break;
      case "finish": tool?.finish(); break;
      case "back": if (tool?.back()) this.canvas.requestRender(); break;
      case "label": {
        const index = Number(event.code.slice(5) || event.key) - 1;
        if (obj) {
          const labels = obj.kind === "tag" ? this.editor.labelsFor("tag") : this.editor.labelsFor(obj.data.type);
          if (labels[index]) this.editor.setLabel(obj, labels[index].id);
        } else {
          const label = this.tools.preferLabel(index);
          if (label) this.ctx.toasts.info(`Next shapes: ${label.name}`);
        }
        break;
      }
      case "delete": if (obj) this.remove(obj, false); break;
      case "forceDelete": if (obj) this.remove(obj, true); break;
      case "lock": if (obj && obj.kind !== "tag") this.toggleFlag(obj, "locked"); break;
      case "hide": if (obj) this.toggleFlag(obj, "hidden"); break;
      case "occluded":
        if (obj && obj.kind === "shape" && !obj.locked) this.editor.setOccluded(obj, !obj.data.occluded);
        else if (obj && obj.kind === "track" && !obj.locked) {
          this.editor.setOccluded(obj, !this.sidebar.entries.find((e) => e.obj === obj)?.shape.occluded, this.frame);
        }
        break;
      case "outside":
      case "keyframe":
      case "nextKeyframe":
      case "previousKeyframe":
      case "split":
      case "propagate":
        if (obj) this.tracks.perform(obj, action);
        break;
      case "merge": this.tracks.merge(); break;
      case "group": this.groups.toggle(); break;
      case "ungroup": this.groups.ungroup(); break;
      case "drawMode": this.tracks.setDrawTracks(!this.tracks.drawTracks); break;
      case "forward-z": if (obj) this.editor.zOrder(obj, 1); break;
      case "backward-z": if (obj) this.editor.zOrder(obj, -1); break;
      case "nextObject":
      case "previousObject": {
        const entries = this.sidebar.entries.filter((e) => !e.obj.hidden);
        if (!entries.length) break;
        const at = entries.findIndex((e) => e.obj.cid === this.selected);
        const step = action === "nextObject" ? 1 : -1;
        const next = entries[(at + step + entries.length) % entries.length] || entries[0];
        this.select(next.obj.cid, true);
        break;
      }
      case "copy": if (obj && this.editor.copy(obj)) this.ctx.toasts.info("Copied."); break;
      case "paste": {
        const pasted = this.editor.paste(this.frame);
        if (pasted) this.select(pasted.cid, true);
        break;
      }
      default: break;
    }
    this.updateHint();
  }
}
