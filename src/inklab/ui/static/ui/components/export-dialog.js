// "Export dataset" and "Back up": start the export on the server, follow it, download the file.

import { h, field } from "../dom.js";
import { Dialog } from "./dialog.js";
import { formatSelect, loadFormats } from "./formats.js";
import { ProgressBar } from "./progress.js";

/**
 * Start a browser download of a finished export (the session cookie authenticates it).
 * @param {string} url
 */
export function download(url) {
  const link = h("a", { href: url, download: "", hidden: true });
  document.body.append(link);
  link.click();
  link.remove();
}

/**
 * @param {import("../app.js").Context} ctx
 * @param {{resource: "tasks" | "projects" | "jobs", id: number, name: string}} target
 */
export async function openExportDialog(ctx, target) {
  let formats;
  try {
    formats = await loadFormats(ctx.api, "exporters");
  } catch (error) {
    ctx.toasts.error(error);
    return;
  }
  const select = formatSelect(formats, "CVAT for images 1.1");
  const images = /** @type {HTMLInputElement} */ (h("input", { type: "checkbox", name: "save_images" }));
  const progress = new ProgressBar();
  const error = h("p", { class: "form-error", role: "alert" });
  const start = /** @type {HTMLButtonElement} */ (h("button", { type: "button", class: "button primary", disabled: !formats.length },
    "Export"));
  const dialog = new Dialog({
    title: `Export “${target.name}” as a dataset`,
    className: "export-dialog",
    body: formats.length
      ? [field("Format", select), h("label", { class: "checkbox" }, images, "Save images (include the frames in the archive)"),
        progress.element, error]
      : [h("p", { class: "muted" }, "This server has no export formats installed.")],
    actions: [h("button", { type: "button", class: "button", onclick: () => dialog.close() }, "Close"), start],
  }).open();
  start.addEventListener("click", async () => {
    start.disabled = true;
    error.textContent = "";
    progress.set(0, "Starting the export…");
    try {
      const url = await ctx.api.exportFile(`/api/${target.resource}/${target.id}/dataset/export`,
        { format: select.value, save_images: images.checked },
        (fraction, message) => progress.set(fraction, message || "Exporting…"));
      progress.set(1, "Done: the download starts.");
      download(url);
      dialog.body.append(h("p", null, h("a", { href: url, download: "", class: "download-link" }, "Download again")));
    } catch (e) {
      progress.hide();
      error.textContent = e instanceof Error ? e.message : String(e);
    } finally {
      start.disabled = false;
    }
  });
}

/**
 * Make a backup of a task or project and download it.
 * @param {import("../app.js").Context} ctx
 * @param {{resource: "tasks" | "projects", id: number, name: string}} target
 */
export function openBackupDialog(ctx, target) {
  const progress = new ProgressBar();
  const error = h("p", { class: "form-error", role: "alert" });
  const dialog = new Dialog({
    title: `Back up “${target.name}”`,
    className: "backup-dialog",
    body: [h("p", null, "The backup holds the data, labels, jobs and annotations; create a copy from it on any inklab server."),
      progress.element, error],
    actions: [h("button", { type: "button", class: "button", onclick: () => dialog.close() }, "Close")],
  }).open();
  progress.set(0, "Preparing the backup…");
  ctx.api.exportFile(`/api/${target.resource}/${target.id}/backup/export`, { lightweight: false },
    (fraction, message) => progress.set(fraction, message || "Preparing the backup…"))
    .then((url) => {
      progress.set(1, "Done: the download starts.");
      download(url);
      dialog.body.append(h("p", null, h("a", { href: url, download: "", class: "download-link" }, "Download again")));
    })
    .catch((e) => {
      progress.hide();
      error.textContent = e instanceof Error ? e.message : String(e);
    });
}
