// Track mode of the annotation workspace: the "shape / track" drawing switch, keyframe and
// outside keys, keyframe navigation, merge (M), split (Alt+M), propagate (Ctrl+B), switching
// between shape and track, and deleting a track only when the annotator says so.

import { h } from "../dom.js";
import { Dialog, confirmDialog } from "../components/dialog.js";
import { neighbourKeyframe } from "../annotation/track-edits.js";
import { stateAt } from "../annotation/tracks.js";

/**
 * @typedef {{
 *   frame: number, job: any, editor: import("../annotation/editor.js").AnnotationEditor,
 *   store: import("../annotation/model.js").AnnotationStore, current: any,
 *   ctx: import("../app.js").Context,
 *   go: (frame: number, direction?: number) => Promise<void>,
 *   select: (cid: number | null, reveal: boolean) => void,
 *   updateHint: () => void,
 * }} WorkspaceLike
 */

/** The workspace's track operations and the state they need (draw mode, merge selection). */
export class TrackMode {
  /** @param {WorkspaceLike} workspace */
  constructor(workspace) {
    this.ws = workspace;
    /** Whether new drawings become tracks. */
    this.drawTracks = false;
    /** @type {Set<number> | null} cids picked for a merge (null: not merging) */
    this.merging = null;
    /** @param {boolean} tracks */
    const choice = (tracks) => /** @type {HTMLButtonElement} */ (h("button", { type: "button",
      class: "button small draw-mode-choice", dataset: { mode: tracks ? "track" : "shape" }, "aria-pressed": String(tracks === this.drawTracks),
      title: tracks ? "New drawings are tracks (T)" : "New drawings are shapes (T)", onclick: () => this.setDrawTracks(tracks) },
    tracks ? "Track" : "Shape"));
    this.shapeButton = choice(false);
    this.trackButton = choice(true);
    this.element = h("div", { class: "draw-mode", role: "group", "aria-label": "Draw as" }, this.shapeButton, this.trackButton);
  }

  /** @param {boolean} tracks */
  setDrawTracks(tracks) {
    this.drawTracks = tracks;
    this.shapeButton.setAttribute("aria-pressed", String(!tracks));
    this.trackButton.setAttribute("aria-pressed", String(tracks));
    this.ws.updateHint();
  }

  /** The hint while merging, or null. */
  get hint() {
    if (!this.merging) return null;
    return `Merging: click the shapes and tracks to join (on any frame), then M again (Esc cancels). Picked: ${this.merging.size}`;
  }

  /**
   * While merging, a click on an object picks it (or unpicks it).
   * @param {number | null} cid
   * @returns {boolean} whether the click was taken
   */
  picked(cid) {
    if (!this.merging || cid === null) return false;
    if (this.merging.has(cid)) this.merging.delete(cid);
    else this.merging.add(cid);
    this.ws.updateHint();
    return true;
  }

  /** M: start picking, or merge what was picked. */
  merge() {
    if (!this.merging) {
      this.merging = new Set(this.ws.current && this.ws.current.kind !== "tag" ? [this.ws.current.cid] : []);
      this.ws.updateHint();
      return;
    }
    const objs = [...this.merging].map((cid) => this.ws.store.objects.get(cid)).filter((o) => o && o.present);
    this.merging = null;
    try {
      const track = this.ws.editor.merge(/** @type {any[]} */ (objs), this.ws.job.stop_frame);
      this.ws.select(track.cid, true);
      this.ws.ctx.toasts.success(`Merged ${objs.length} objects into one track.`);
    } catch (error) {
      this.ws.ctx.toasts.error(error instanceof Error ? error.message : String(error));
    }
    this.ws.updateHint();
  }

  /** @returns {boolean} whether a merge was cancelled */
  cancel() {
    if (!this.merging) return false;
    this.merging = null;
    this.ws.updateHint();
    return true;
  }

  /**
   * Run a track action on an object (keys and the object card's buttons).
   * @param {any} obj
   * @param {string} action see ``CardActions.trackAction``
   */
  perform(obj, action) {
    const { editor, frame, ctx } = this.ws;
    if (!obj || obj.kind === "tag") return;
    if (obj.locked && !["previousKeyframe", "nextKeyframe"].includes(action)) {
      ctx.toasts.info("The object is locked: unlock it (L) first.");
      return;
    }
    switch (action) {
      case "outside": {
        const state = this.stateOf(obj);
        editor.setOutside(obj, frame, !(state?.outside));
        break;
      }
      case "keyframe":
        if (!editor.toggleKeyframe(obj, frame)) ctx.toasts.info("A track keeps at least one keyframe.");
        break;
      case "deleteKeyframe":
        if (!editor.deleteKeyframe(obj, frame)) ctx.toasts.info("There is no keyframe to delete on this frame (a track keeps at least one).");
        break;
      case "previousKeyframe":
      case "nextKeyframe": {
        if (obj.kind !== "track") break;
        const direction = action === "nextKeyframe" ? 1 : -1;
        const target = neighbourKeyframe(obj.data, frame, direction);
        if (target === null) ctx.toasts.info(`No ${direction > 0 ? "next" : "previous"} keyframe.`);
        else this.ws.go(target, direction).then(() => this.ws.select(obj.cid, true));
        break;
      }
      case "split": {
        const parts = editor.split(obj, frame);
        if (!parts) ctx.toasts.info("Split a track on a frame after its first, where it is visible.");
        else this.ws.select(parts[1].cid, true);
        break;
      }
      case "toShape": {
        const shape = editor.toShape(obj, frame);
        if (shape) this.ws.select(shape.cid, true);
        break;
      }
      case "toTrack": {
        const track = editor.toTrack(obj);
        if (track) this.ws.select(track.cid, true);
        break;
      }
      case "propagate": this.propagate(obj); break;
      default: break;
    }
  }

  /**
   * The next keyframe after the current frame: of the selected track, or of any track.
   * @returns {number | null}
   */
  nextKeyframe() {
    const current = this.ws.current;
    const tracks = current?.kind === "track" ? [current] : [...this.ws.store.tracks];
    let best = null;
    for (const track of tracks) {
      const frame = neighbourKeyframe(track.data, this.ws.frame, 1);
      if (frame !== null && (best === null || frame < best)) best = frame;
    }
    return best;
  }

  /** The state of a track on the current frame, outside keyframes included. @param {any} obj */
  stateOf(obj) {
    return obj.kind === "track" ? stateAt(obj.data.shapes, this.ws.frame) : null;
  }

  /**
   * Ask how many frames forward, then copy the shape onto them.
   * @param {any} obj
   */
  propagate(obj) {
    const { ctx, editor, job } = this.ws;
    if (obj.kind !== "shape") {
      ctx.toasts.info("Propagate copies a shape; a track already goes on over the next frames.");
      return;
    }
    const left = job.stop_frame - obj.data.frame;
    if (left < 1) {
      ctx.toasts.info("This is the last frame of the job.");
      return;
    }
    const input = /** @type {HTMLInputElement} */ (h("input", { type: "number", class: "propagate-count", min: 1, max: left,
      value: String(Math.min(left, 10)), step: 1, required: true, "aria-label": "Frames" }));
    const error = h("p", { class: "form-error", role: "alert" });
    const submit = () => {
      const count = Number(input.value);
      if (!Number.isInteger(count) || count < 1 || count > left) {
        error.textContent = `Frames: a whole number from 1 to ${left}.`;
        return;
      }
      dialog.close();
      const copies = editor.propagate(obj, count, job.stop_frame);
      ctx.toasts.success(`Copied onto ${copies.length} frames.`);
    };
    input.addEventListener("keydown", (e) => {
      e.stopPropagation();
      if (e.key === "Enter") submit();
    });
    const dialog = new Dialog({
      title: "Propagate",
      body: [h("label", { class: "field" }, h("span", { class: "field-label" }, `Copy the shape onto the next frames (up to ${left})`), input), error],
      actions: [h("button", { type: "button", class: "button", onclick: () => dialog.close() }, "Cancel"),
        h("button", { type: "button", class: "button primary propagate-ok", onclick: submit }, "Propagate")],
      className: "propagate-dialog",
    }).open();
    input.focus();
    input.select();
  }

  /**
   * Delete a track only when the annotator confirms it (all its keyframes go).
   * @param {any} obj
   * @returns {Promise<boolean>}
   */
  async confirmDelete(obj) {
    const count = obj.data.shapes.length;
    return confirmDialog("Delete the track?",
      `The whole track goes, with its ${count} keyframe${count === 1 ? "" : "s"} on every frame. To change only this frame, `
      + "use Outside (O) or delete the keyframe instead.", { confirm: "Delete the track", danger: true });
  }
}
