// Review in the annotation workspace, as CVAT's review mode: while the job is in the
// `validation` stage the reviewer pins issues on the frame (the issue tool: a region and its
// first comment) or on a selected object (quick issues); in every stage the job's issues are
// outlined on the canvas and listed beside it, with their comment threads, resolve and reopen.
// It also offers the job's stage moves of CVAT's menu (finish, request a review, accept, reject,
// renew); the server decides who may make them.

import { h } from "../dom.js";
import { hitShape, shapeBox } from "../annotation/geometry.js";
import { makeTool } from "../annotation/tools.js";
import { Dialog, confirmDialog } from "../components/dialog.js";
import { IssuesPanel } from "../components/issues-panel.js";

/**
 * @typedef {import("../components/issues-panel.js").Issue} Issue
 * @typedef {import("../components/issues-panel.js").Comment} Comment
 * @typedef {{
 *   frame: number, job: any, element: HTMLElement, current: any,
 *   ctx: import("../app.js").Context,
 *   canvas: import("../annotation/canvas.js").AnnotationCanvas,
 *   sidebar: import("../components/objects-sidebar.js").ObjectsSidebar,
 *   go: (frame: number, direction?: number) => Promise<void>,
 *   setTool: (type: string | null) => void,
 *   jobRights?: {stage: boolean, state: boolean},
 * }} WorkspaceLike
 */

/** The messages of the quick issues (CVAT offers the same kind of one-click reasons). */
export const QUICK_ISSUES = ["Wrong label", "Add attribute", "Wrong position", "Missing object"];

/**
 * The job's stage moves per stage, as CVAT's job menu offers them.
 * @type {Record<string, {action: string, text: string, patch: {stage: string, state: string}}[]>}
 */
export const JOB_MOVES = {
  annotation: [
    { action: "request-review", text: "Request a review", patch: { stage: "validation", state: "new" } },
    { action: "finish", text: "Finish the job", patch: { stage: "acceptance", state: "completed" } },
  ],
  validation: [
    { action: "accept", text: "Accept", patch: { stage: "acceptance", state: "completed" } },
    { action: "reject", text: "Reject", patch: { stage: "annotation", state: "rejected" } },
  ],
  acceptance: [
    { action: "renew", text: "Renew the job", patch: { stage: "annotation", state: "new" } },
  ],
};

const ISSUE_ICON = '<path d="M12 3a7 7 0 00-7 7c0 5 7 11 7 11s7-6 7-11a7 7 0 00-7-7z"/><path d="M12 7v4M12 14h.01"/>';
const OPEN_COLOR = "#e0312b";
const RESOLVED_COLOR = "#2e9d4f";
const GROUND_TRUTH_COLOR = "#1e88e5";

/**
 * The region of an issue: a box for two corners, a polygon otherwise.
 * @param {number[]} position
 * @returns {number[]} polygon points
 */
export function issueOutline(position) {
  if (position.length === 4) {
    const [x1, y1, x2, y2] = position;
    return [x1, y1, x2, y1, x2, y2, x1, y2];
  }
  return position;
}

/** The review state and its parts: the panel, the issue tool button, the job moves, the overlay. */
export class ReviewMode {
  /** @param {WorkspaceLike} workspace */
  constructor(workspace) {
    this.ws = workspace;
    /** @type {Issue[]} */
    this.issues = [];
    /** @type {number | null} */
    this.opened = null;
    /** @type {Comment[] | null} */
    this.comments = null;
    this.showResolved = false;
    /** @type {string[]} messages typed for issues this session, newest first (offered again) */
    this.recent = [];
    /** @type {import("../annotation/tools.js").Tool | null} the issue tool while it is on */
    this.tool = null;
    /** @type {{frame: number, box: number[], caption: string}[]} ground-truth objects of a conflict, outlined */
    this.marks = [];
    this.panel = new IssuesPanel({
      open: (issue) => this.open(issue.id, true),
      close: () => { this.opened = null; this.render(); },
      step: (direction) => this.step(direction),
      showResolved: (show) => { this.showResolved = show; this.render(); },
      comment: (issue, message) => this.comment(issue, message),
      setResolved: (issue, resolved) => this.setResolved(issue, resolved),
      remove: (issue) => this.remove(issue),
    });
    this.element = this.panel.element;
    this.toolButton = /** @type {HTMLButtonElement} */ (h("button", { type: "button", class: "icon-button tool issue-tool",
      title: "Open an issue: drag a region on the frame", "aria-label": "Open an issue", dataset: { tool: "issue" },
      onclick: () => this.startIssue("") }));
    this.toolButton.innerHTML = `<svg class="icon" viewBox="0 0 24 24" aria-hidden="true" fill="none" stroke="currentColor"
      stroke-width="2" stroke-linecap="round" stroke-linejoin="round">${ISSUE_ICON}</svg>`;
    this.quick = h("div", { class: "quick-issues" },
      h("span", { class: "muted small" }, "Quick issue on the selected object:"),
      h("div", { class: "row compact" }, QUICK_ISSUES.map((text) => h("button", { type: "button", class: "button small quick-issue",
        dataset: { message: text }, onclick: () => this.quickIssue(text) }, text))));
    this.panel.extras.append(this.quick);
    /** @type {HTMLButtonElement[]} */
    this.moveButtons = Object.values(JOB_MOVES).flat().map((move) => /** @type {HTMLButtonElement} */ (h("button", {
      type: "button", class: "job-move", dataset: { action: move.action }, onclick: () => this.moveJob(move.patch, move.text),
    }, move.text)));
    workspace.canvas.overlay = (ctx, scale) => this.draw(ctx, scale);
    // A click (not a drag) on an issue's region, where no object is, opens its thread.
    /** @type {{x: number, y: number} | null} */
    let down = null;
    const surface = workspace.canvas.canvas;
    surface.addEventListener("pointerdown", (e) => { down = { x: e.offsetX, y: e.offsetY }; });
    surface.addEventListener("click", (e) => {
      if (!down || Math.hypot(e.offsetX - down.x, e.offsetY - down.y) > 3) return;
      const p = workspace.canvas.toImage(e.offsetX, e.offsetY);
      const issue = this.issueAt(p.x, p.y);
      if (issue && !workspace.canvas.tool && !workspace.canvas.hitItem(p.x, p.y)) this.open(issue.id, false);
    });
    this.jobChanged();
  }

  /** Whether the reviewer's tools are on (the job is being validated). */
  get reviewing() {
    return this.ws.job.stage === "validation";
  }

  /** Fetch the job's issues, and show the conflict the address points at (if any). */
  async load() {
    try {
      this.issues = await this.ws.ctx.api.listAll("/api/issues", { job_id: this.ws.job.id });
    } catch (error) {
      this.ws.ctx.toasts.error(error);
    }
    this.render();
    await this.highlight(new URL(location.href).searchParams);
  }

  /**
   * A quality conflict opened from the task page: ``objects`` (server ids of this job's objects) are
   * selected, ``gt_objects`` of the ground-truth job ``gt_job`` are outlined on ``frame``.
   * @param {URLSearchParams} params
   */
  async highlight(params) {
    /** @param {string} name @returns {number[]} */
    const ids = (name) => (params.get(name) || "").split(",").filter(Boolean).map(Number).filter(Number.isInteger);
    const frame = Number(params.get("frame"));
    const own = ids("objects");
    const found = [...this.ws.store.objects.values()].find((o) => o.sid !== null && own.includes(o.sid));
    if (found) this.ws.select(found.cid, true);
    const gtJob = Number(params.get("gt_job"));
    const gtObjects = ids("gt_objects");
    if (!gtJob || !gtObjects.length || !Number.isInteger(frame)) return;
    try {
      const truth = await this.ws.ctx.api.get(`/api/jobs/${gtJob}/annotations`);
      this.marks = truth.shapes.filter((/** @type {any} */ s) => gtObjects.includes(s.id) && s.frame === frame)
        .map((/** @type {any} */ s) => ({ frame, box: shapeBox(s), caption: `ground truth #${s.id}` }));
      this.ws.element.dataset.groundTruthMarks = String(this.marks.length);
      this.render();
    } catch (error) {
      this.ws.ctx.toasts.error(error);
    }
  }

  /** After the job's stage or state changed: the tools and moves that fit the new stage. */
  jobChanged() {
    const { job } = this.ws;
    this.toolButton.hidden = !this.reviewing;
    this.quick.hidden = !this.reviewing;
    // Every move changes the stage: for the task's managers only (the assignee reports the state).
    const allowed = new Set(this.ws.jobRights?.stage === false ? [] : (JOB_MOVES[job.stage] || []).map((m) => m.action));
    for (const button of this.moveButtons) button.hidden = !allowed.has(button.dataset.action || "");
    for (const name of ["stage", "state"]) {
      const select = /** @type {HTMLSelectElement | null} */ (this.ws.element.querySelector(`select.job-${name}`));
      if (select) select.value = job[name];
    }
    this.ws.element.dataset.stage = job.stage;
    this.render();
    if (!this.reviewing && this.drawing) this.ws.setTool(null);
  }

  /**
   * The listed issue of the frame shown whose region holds an image point (the newest first).
   * @param {number} x @param {number} y
   * @returns {Issue | null}
   */
  issueAt(x, y) {
    const tolerance = this.ws.canvas.tolerance;
    const hits = this.listed.filter((i) => i.frame === this.ws.frame
      && hitShape({ type: "polygon", points: issueOutline(i.position) }, x, y, tolerance));
    return hits.length ? hits[hits.length - 1] : null;
  }

  /** Called when the workspace shows another frame. */
  frameShown() {
    this.render();
  }

  /** @returns {Issue[]} the issues listed (open ones, and resolved ones when asked), by frame */
  get listed() {
    return this.issues.filter((i) => this.showResolved || !i.resolved)
      .sort((a, b) => a.frame - b.frame || a.id - b.id);
  }

  render() {
    // Out of review, a job without issues keeps the whole width for the frame.
    this.element.hidden = !this.reviewing && !this.issues.length;
    const opened = this.issues.find((i) => i.id === this.opened) || null;
    this.panel.show(this.listed, this.ws.frame, opened, this.comments, this.issues.filter((i) => !i.resolved).length);
    this.ws.canvas.requestRender();
  }

  /**
   * The issues of the frame on the canvas: outlined regions (red open, green resolved).
   * @param {CanvasRenderingContext2D} ctx @param {number} scale
   */
  draw(ctx, scale) {
    this.toolButton.classList.toggle("active", this.drawing);
    for (const mark of this.marks) {
      if (mark.frame !== this.ws.frame) continue;
      const [x1, y1, x2, y2] = mark.box;
      ctx.setLineDash([4 / scale, 3 / scale]);
      ctx.lineWidth = 2 / scale;
      ctx.strokeStyle = GROUND_TRUTH_COLOR;
      ctx.strokeRect(x1, y1, x2 - x1, y2 - y1);
      ctx.setLineDash([]);
      ctx.font = `${12 / scale}px sans-serif`;
      ctx.fillStyle = GROUND_TRUTH_COLOR;
      ctx.fillText(mark.caption, x1, y2 + 13 / scale);
    }
    for (const issue of this.listed) {
      if (issue.frame !== this.ws.frame) continue;
      const points = issueOutline(issue.position);
      const color = issue.resolved ? RESOLVED_COLOR : OPEN_COLOR;
      ctx.beginPath();
      for (let i = 0; i < points.length; i += 2) {
        if (i === 0) ctx.moveTo(points[0], points[1]);
        else ctx.lineTo(points[i], points[i + 1]);
      }
      ctx.closePath();
      ctx.fillStyle = `${color}22`;
      ctx.fill();
      ctx.setLineDash([6 / scale, 4 / scale]);
      ctx.lineWidth = (issue.id === this.opened ? 3 : 2) / scale;
      ctx.strokeStyle = color;
      ctx.stroke();
      ctx.setLineDash([]);
      ctx.font = `${12 / scale}px sans-serif`;
      ctx.fillStyle = color;
      ctx.fillText(`issue #${issue.id}`, points[0], points[1] - 4 / scale);
    }
  }

  /**
   * Open an issue's thread (and go to its frame).
   * @param {number} id @param {boolean} goTo
   */
  async open(id, goTo) {
    const issue = this.issues.find((i) => i.id === id);
    if (!issue) return;
    this.opened = id;
    this.comments = null;
    if (goTo && issue.frame !== this.ws.frame) await this.ws.go(issue.frame, issue.frame > this.ws.frame ? 1 : -1);
    this.render();
    try {
      const comments = await this.ws.ctx.api.listAll("/api/comments", { issue_id: id });
      if (this.opened !== id) return;
      this.comments = comments.sort((/** @type {Comment} */ a, /** @type {Comment} */ b) => a.id - b.id);
    } catch (error) {
      this.ws.ctx.toasts.error(error);
      this.comments = [];
    }
    this.render();
  }

  /** To the previous or next frame with listed issues. @param {number} direction */
  step(direction) {
    const frames = [...new Set(this.listed.map((i) => i.frame))].sort((a, b) => a - b);
    const target = direction > 0 ? frames.find((f) => f > this.ws.frame) : frames.reverse().find((f) => f < this.ws.frame);
    if (target === undefined) {
      this.ws.ctx.toasts.info(direction > 0 ? "No issues after this frame." : "No issues before this frame.");
      return;
    }
    this.ws.go(target, direction);
  }

  /** Whether the issue tool is on the canvas. */
  get drawing() {
    return this.ws.canvas.tool !== null && this.ws.canvas.tool === this.tool;
  }

  /** The issue tool: drag a region, then write the first comment. @param {string} message suggested text */
  startIssue(message) {
    this.ws.setTool(null);
    this.tool = makeTool("rectangle", (drawn) => {
      this.ws.setTool(null);
      const [x1, y1, x2, y2] = drawn.points;
      this.askMessage([x1, y1, x2, y2], message);
    }, { color: OPEN_COLOR });
    this.ws.canvas.setTool(this.tool);
  }

  /**
   * The dialog of a new issue's first comment.
   * @param {number[]} position @param {string} message
   */
  askMessage(position, message) {
    const text = /** @type {HTMLTextAreaElement} */ (h("textarea", { class: "issue-message", rows: 3, required: true,
      "aria-label": "Issue description", placeholder: "What is wrong here?" }));
    text.value = message;
    const error = h("p", { class: "form-error", role: "alert" });
    const suggestions = [...new Set([...this.recent, ...QUICK_ISSUES])].slice(0, 8);
    const frame = this.ws.frame;
    const dialog = new Dialog({
      title: "Open an issue",
      body: [
        h("p", { class: "muted small" }, `Frame ${frame}, region ${position.map((v) => Math.round(v)).join(", ")}`),
        text,
        h("div", { class: "row compact" }, suggestions.map((s) => h("button", { type: "button", class: "button small",
          onclick: () => { text.value = s; text.focus(); } }, s))),
        error,
      ],
      actions: [
        h("button", { type: "button", class: "button", onclick: () => dialog.close() }, "Cancel"),
        h("button", { type: "button", class: "button primary issue-submit", onclick: async () => {
          if (!text.value.trim()) {
            error.textContent = "Describe the issue.";
            return;
          }
          if (await this.create(frame, position, text.value.trim())) dialog.close();
        } }, "Submit"),
      ],
    }).open();
    text.focus();
  }

  /**
   * A quick issue at the selected object's box (on this frame).
   * @param {string} message
   */
  quickIssue(message) {
    const obj = this.ws.current;
    if (message === "Missing object" && !obj) {
      this.startIssue(message);
      return;
    }
    if (!obj) {
      this.ws.ctx.toasts.info("Select an object on the frame first.");
      return;
    }
    const entry = this.ws.sidebar.entries.find((e) => e.obj === obj);
    if (!entry || obj.kind === "tag") {
      this.ws.ctx.toasts.info("A tag has no region: draw the issue with the issue tool.");
      return;
    }
    const [x1, y1, x2, y2] = shapeBox(entry.shape);
    this.create(this.ws.frame, [x1, y1, x2, y2], message);
  }

  /**
   * POST an issue; returns whether it was made.
   * @param {number} frame @param {number[]} position @param {string} message
   * @returns {Promise<boolean>}
   */
  async create(frame, position, message) {
    try {
      /** @type {Issue} */
      const issue = await this.ws.ctx.api.post("/api/issues", { job: this.ws.job.id, frame, position, message });
      this.issues.push(issue);
      this.recent = [message, ...this.recent.filter((m) => m !== message)].slice(0, 5);
      this.ws.ctx.toasts.success(`Issue #${issue.id} opened.`);
      await this.open(issue.id, false);
      return true;
    } catch (error) {
      this.ws.ctx.toasts.error(error);
      return false;
    }
  }

  /**
   * @param {Issue} issue @param {string} message
   * @returns {Promise<boolean>}
   */
  async comment(issue, message) {
    try {
      /** @type {Comment} */
      const comment = await this.ws.ctx.api.post("/api/comments", { issue: issue.id, message });
      issue.comments.count += 1;
      if (this.opened === issue.id && this.comments) this.comments.push(comment);
      this.render();
      return true;
    } catch (error) {
      this.ws.ctx.toasts.error(error);
      return false;
    }
  }

  /** @param {Issue} issue @param {boolean} resolved */
  async setResolved(issue, resolved) {
    try {
      Object.assign(issue, await this.ws.ctx.api.patch(`/api/issues/${issue.id}`, { resolved }));
      this.ws.ctx.toasts.success(resolved ? `Issue #${issue.id} resolved.` : `Issue #${issue.id} reopened.`);
      this.render();
    } catch (error) {
      this.ws.ctx.toasts.error(error);
    }
  }

  /** @param {Issue} issue */
  async remove(issue) {
    if (!await confirmDialog("Remove the issue?", `Issue #${issue.id} and its comments will be deleted.`,
      { confirm: "Remove", danger: true })) return;
    try {
      await this.ws.ctx.api.delete(`/api/issues/${issue.id}`);
      this.issues = this.issues.filter((i) => i !== issue);
      if (this.opened === issue.id) this.opened = null;
      this.render();
    } catch (error) {
      this.ws.ctx.toasts.error(error);
    }
  }

  /**
   * Move the job to another stage and state (the server refuses what the user may not do).
   * @param {{stage: string, state: string}} patch @param {string} text
   */
  async moveJob(patch, text) {
    try {
      Object.assign(this.ws.job, await this.ws.ctx.api.patch(`/api/jobs/${this.ws.job.id}`, patch));
      this.ws.ctx.toasts.success(`${text}: the job is now in ${this.ws.job.stage} (${this.ws.job.state}).`);
      this.jobChanged();
    } catch (error) {
      this.ws.ctx.toasts.error(error);
    }
  }
}
