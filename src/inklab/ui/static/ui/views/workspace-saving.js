// Saving in the workspace: the Save, Undo and Redo buttons with the save state, the save itself
// (only what changed is sent), the conflict when the job changed on the server, autosave, and
// reloading or uploading annotations over what is shown.

import { h, svgIcon } from "../dom.js";
import { SaveConflict, saveChanges } from "../annotation/saving.js";
import { openImportDialog } from "../components/import-dialog.js";
import { openConflictDialog, serverIds } from "../components/save-conflict-dialog.js";

const ICONS = {
  undo: '<path d="M9 14L4 9l5-5"/><path d="M4 9h10a6 6 0 010 12h-3"/>',
  redo: '<path d="M15 14l5-5-5-5"/><path d="M20 9H10a6 6 0 000 12h3"/>',
};

/** The workspace's saving: its controls (``saveButton``, ``saveState``, ``undoButton``, ``redoButton``) and flows. */
export class SaveFlow {
  /** @param {any} ws the workspace */
  constructor(ws) {
    this.ws = ws;
    this.saving = false;
    /** The last save was refused: the job changed on the server (see ``resolveConflict``). */
    this.conflict = false;
    /** @type {number} the autosave timer (0: none) */
    this.autosaveTimer = 0;
    const { store } = ws;
    this.saveButton = /** @type {HTMLButtonElement} */ (h("button", { type: "button", class: "button primary save-button",
      title: "Save (Ctrl+S)", onclick: () => this.save() }, "Save"));
    this.undoButton = /** @type {HTMLButtonElement} */ (h("button", { type: "button", class: "icon-button undo-button",
      title: "Undo (Ctrl+Z)", "aria-label": "Undo", onclick: () => store.undo() }, svgIcon(ICONS.undo)));
    this.redoButton = /** @type {HTMLButtonElement} */ (h("button", { type: "button", class: "icon-button redo-button",
      title: "Redo (Ctrl+Shift+Z)", "aria-label": "Redo", onclick: () => store.redo() }, svgIcon(ICONS.redo)));
    this.saveState = h("span", { class: "save-state muted", role: "status" });
  }

  get path() {
    return `/api/jobs/${this.ws.jobId}/annotations`;
  }

  /** Show whether there is something to save, and what Undo and Redo would do. */
  update() {
    const { store, element, job } = this.ws;
    const dirty = store.dirty;
    this.saveButton.textContent = this.saving ? "Saving…" : dirty ? "Save •" : "Saved";
    this.saveButton.classList.toggle("dirty", dirty);
    this.saveButton.disabled = this.saving;
    element.dataset.dirty = String(dirty);
    const count = store.changed.size + store.removed.size;
    const state = this.conflict ? "conflict" : this.saving ? "saving" : dirty ? "unsaved" : "saved";
    this.saveState.dataset.state = state;
    this.saveState.classList.toggle("danger", this.conflict);
    this.saveState.textContent = { conflict: "Conflict", saving: "Saving…", unsaved: `Unsaved changes · ${count}`,
      saved: "Saved" }[state];
    this.saveState.title = this.conflict ? "The job changed on the server since you loaded it: save to choose what to keep"
      : dirty ? `${count} objects changed since the last save` : "";
    const { history } = store;
    this.undoButton.disabled = !history.canUndo;
    this.redoButton.disabled = !history.canRedo;
    this.undoButton.title = history.canUndo ? `Undo: ${history.undoStack[history.undoStack.length - 1].label} (Ctrl+Z)` : "Undo (Ctrl+Z)";
    this.redoButton.title = history.canRedo ? `Redo: ${history.redoStack[history.redoStack.length - 1].label} (Ctrl+Shift+Z)` : "Redo";
    document.title = `${dirty ? "• " : ""}Job #${job.id} · ${job.task_name} · inklab`;
  }

  /** (Re)start the autosave timer from the settings; none when autosave is off. */
  scheduleAutosave() {
    const ws = this.ws;
    window.clearInterval(this.autosaveTimer);
    this.autosaveTimer = 0;
    ws.element.dataset.autosave = String(ws.appearance.autosave);
    if (!ws.appearance.autosave || ws.destroyed) return;
    this.autosaveTimer = window.setInterval(() => {
      // Not in the middle of drawing, nor while a dialog (the conflict one included) is open.
      if (ws.destroyed || this.saving || this.conflict || !ws.store.dirty || ws.canvas.tool?.started
        || document.querySelector("dialog[open]")) return;
      this.save({ auto: true });
    }, ws.appearance.autosave * 1000);
  }

  dispose() {
    window.clearInterval(this.autosaveTimer);
  }

  /**
   * Send what changed (see ``saveChanges``) and show how it went. A save refused because the job
   * changed on the server opens the conflict dialog (``resolveConflict``).
   * @param {{auto?: boolean}} [options] auto: an autosave (no toast when it works)
   */
  async save(options = {}) {
    const { ctx, store } = this.ws;
    if (this.saving) return;
    if (!store.dirty) {
      if (!options.auto) ctx.toasts.info("Nothing to save: everything is on the server.");
      return;
    }
    this.saving = true;
    this.update();
    /** @type {SaveConflict | null} */
    let conflict = null;
    try {
      await saveChanges(ctx.api, this.ws.jobId, store);
      this.conflict = false;
      if (!options.auto) ctx.toasts.success("Saved.");
    } catch (error) {
      if (error instanceof SaveConflict) conflict = error;
      else ctx.toasts.error(`Not saved: ${error instanceof Error ? error.message : error}`);
    } finally {
      this.saving = false;
      this.ws.refresh();
      this.update();
    }
    if (conflict) await this.resolveConflict(conflict);
  }

  /**
   * The job changed on the server since it was loaded: show what conflicts and let the user reload
   * (losing the changes made here) or keep theirs (sent again without the version condition, after
   * confirming; then the job is read again so that both sides' work shows). "Not now" keeps
   * everything unsaved here, in the Conflict state.
   * @param {SaveConflict} conflict
   */
  async resolveConflict(conflict) {
    const ws = this.ws;
    const { ctx, store } = ws;
    this.conflict = true;
    this.update();
    /** @type {any} */
    let server = null;
    try {
      server = await ctx.api.get(this.path);
    } catch {
      server = null;
    }
    if (ws.destroyed) return;
    const choice = await openConflictDialog(conflict, store, server);
    if (choice === "cancel") return;
    this.saving = true;
    this.update();
    try {
      if (choice === "keep") {
        // Objects changed here that were deleted there are created again: they are "mine" too.
        const ids = server ? serverIds(server) : null;
        for (const obj of store.changed) if (ids && obj.sid !== null && !ids.has(obj.sid)) obj.sid = null;
        await saveChanges(ctx.api, ws.jobId, store, { overwrite: true });
        server = await ctx.api.get(this.path);
        ctx.toasts.success("Saved: your changes were kept over the server's.");
      } else if (server === null) {
        server = await ctx.api.get(this.path);
      }
      store.load(server);
      ws.selected = null;
      this.conflict = false;
      if (choice === "reload") ctx.toasts.info("Reloaded the server's annotations; your unsaved changes were dropped.");
    } catch (error) {
      ctx.toasts.error(`Not saved: ${error instanceof Error ? error.message : error}`);
    } finally {
      this.saving = false;
      ws.refresh();
      this.update();
    }
  }

  /** Read the job's annotations again (after asking, when there are unsaved changes). */
  async reload() {
    const ws = this.ws;
    if (ws.store.dirty && !window.confirm("Reloading drops your unsaved changes. Continue?")) return;
    try {
      ws.store.load(await ws.ctx.api.get(this.path));
      ws.selected = null;
      this.conflict = false;
    } catch (error) {
      ws.ctx.toasts.error(error);
    }
  }

  /** Import a dataset's annotations into the job (replacing what is shown), then reload. */
  uploadAnnotations() {
    const ws = this.ws;
    if (ws.store.dirty && !window.confirm("Uploading replaces what you see here; unsaved changes are lost. Continue?")) return;
    openImportDialog(ws.ctx, { resource: "jobs", id: ws.jobId, name: `job #${ws.jobId}`,
      onDone: () => { ws.store.changed.clear(); ws.store.removed.clear(); this.reload(); } });
  }
}
