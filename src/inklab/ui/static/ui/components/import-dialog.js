// "Upload annotations", "Import dataset" and "Create from backup": a file sent with the
// CVAT import flow (Upload-Start, TUS, Upload-Finish) and the server's work followed.

import { h, field } from "../dom.js";
import { Dialog } from "./dialog.js";
import { FileDrop } from "./file-drop.js";
import { formatSelect, loadFormats } from "./formats.js";
import { ProgressBar } from "./progress.js";

/**
 * @param {ProgressBar} progress
 * @returns {(phase: "upload" | "processing", fraction: number, message?: string) => void}
 */
const reporter = (progress) => (phase, fraction, message) => progress.set(fraction,
  phase === "upload" ? `Uploading… ${Math.round(fraction * 100)}%` : message || "Importing…");

/**
 * Upload annotations into a task or job, or a dataset into a project.
 * @param {import("../app.js").Context} ctx
 * @param {{resource: "tasks" | "projects" | "jobs", id: number, name: string, onDone?: () => void}} target
 */
export async function openImportDialog(ctx, target) {
  let formats;
  try {
    formats = await loadFormats(ctx.api, "importers");
  } catch (error) {
    ctx.toasts.error(error);
    return;
  }
  const isProject = target.resource === "projects";
  const select = formatSelect(formats, "CVAT 1.1");
  const drop = new FileDrop({ multiple: false, prompt: isProject ? "Drop the dataset archive here" : "Drop the annotation file here" });
  const progress = new ProgressBar();
  const error = h("p", { class: "form-error", role: "alert" });
  const start = /** @type {HTMLButtonElement} */ (h("button", { type: "button", class: "button primary", disabled: !formats.length },
    isProject ? "Import dataset" : "Upload annotations"));
  const dialog = new Dialog({
    title: isProject ? `Import a dataset into “${target.name}”` : `Upload annotations into “${target.name}”`,
    className: "import-dialog",
    body: formats.length ? [field("Format", select), drop.element, progress.element, error]
      : [h("p", { class: "muted" }, "This server has no import formats installed.")],
    actions: [h("button", { type: "button", class: "button", onclick: () => dialog.close() }, "Close"), start],
  }).open();
  start.addEventListener("click", async () => {
    if (!drop.files.length) {
      error.textContent = "Choose a file first.";
      return;
    }
    start.disabled = true;
    error.textContent = "";
    const endpoint = isProject ? `/api/projects/${target.id}/dataset/` : `/api/${target.resource}/${target.id}/annotations/`;
    try {
      await ctx.api.importFile(endpoint, { format: select.value }, drop.files[0], reporter(progress));
      progress.set(1, "Imported.");
      ctx.toasts.success(isProject ? "The dataset was imported." : "The annotations were uploaded.");
      target.onDone?.();
    } catch (e) {
      progress.hide();
      error.textContent = e instanceof Error ? e.message : String(e);
    } finally {
      start.disabled = false;
    }
  });
}

/**
 * Create a task or project from a backup archive, then open it.
 * @param {import("../app.js").Context} ctx
 * @param {"tasks" | "projects"} resource
 */
export function openRestoreDialog(ctx, resource) {
  const drop = new FileDrop({ multiple: false, accept: ".zip", prompt: "Drop the backup (.zip) here" });
  const progress = new ProgressBar();
  const error = h("p", { class: "form-error", role: "alert" });
  const start = /** @type {HTMLButtonElement} */ (h("button", { type: "button", class: "button primary" }, "Create"));
  const dialog = new Dialog({
    title: `Create a ${resource === "tasks" ? "task" : "project"} from a backup`,
    className: "restore-dialog",
    body: [drop.element, progress.element, error],
    actions: [h("button", { type: "button", class: "button", onclick: () => dialog.close() }, "Close"), start],
  }).open();
  start.addEventListener("click", async () => {
    if (!drop.files.length) {
      error.textContent = "Choose a backup file first.";
      return;
    }
    start.disabled = true;
    error.textContent = "";
    try {
      const rq = await ctx.api.importFile(`/api/${resource}/backup/`, {}, drop.files[0], reporter(progress));
      dialog.close();
      ctx.toasts.success("Restored from the backup.");
      if (rq.result_id != null) ctx.router.navigate(`/${resource}/${rq.result_id}`);
    } catch (e) {
      progress.hide();
      error.textContent = e instanceof Error ? e.message : String(e);
    } finally {
      start.disabled = false;
    }
  });
}
