// Creating a task: name, labels or project, subset, files (drag and drop) and advanced options.
//
// The files are checked before the task is created; if the upload or the server's processing
// then fails, the new (empty) task is deleted again, so that a retry leaves no orphans behind.

import { h, field, replace } from "../dom.js";
import { FileDrop } from "../components/file-drop.js";
import { LabelsEditor } from "../components/labels-editor.js";
import { ProgressBar } from "../components/progress.js";
import { checkTaskFiles } from "../task-files.js";

/** @param {string} raw @returns {number | undefined} */
const intOrUndefined = (raw) => (raw.trim() === "" ? undefined : Number.parseInt(raw, 10));

/**
 * @param {import("../app.js").Context} ctx
 * @param {import("../router.js").Match} match
 * @returns {import("../app.js").View}
 */
export function taskCreateView(ctx, match) {
  document.title = "Create a task · inklab";
  /** @param {Record<string, any>} props */
  const input = (props) => /** @type {HTMLInputElement} */ (h("input", props));
  const name = input({ name: "name", required: true, autofocus: true });
  const project = /** @type {HTMLSelectElement} */ (h("select", { name: "project" }, h("option", { value: "" }, "— no project —")));
  const subset = input({ name: "subset", list: "subset-options", placeholder: "none" });
  const labels = new LabelsEditor();
  const labelsBox = h("div", { class: "labels-box" }, labels.element);
  const files = new FileDrop({ accept: "image/*,video/*,.zip,.tar,.tgz,.gz", prompt: "Drop images, a video or a zip archive here" });
  const quality = input({ name: "image_quality", type: "number", min: 1, max: 100, value: 70 });
  const segment = input({ name: "segment_size", type: "number", min: 0, placeholder: "all frames in one job" });
  const overlap = input({ name: "overlap", type: "number", min: 0, placeholder: "0" });
  const replicas = input({ name: "initial_replicas", type: "number", min: 0, max: 10, placeholder: "none" });
  const chunk = input({ name: "chunk_size", type: "number", min: 1, placeholder: "chosen by the server" });
  const start = input({ name: "start_frame", type: "number", min: 0, placeholder: "0" });
  const stop = input({ name: "stop_frame", type: "number", min: 0, placeholder: "last" });
  const step = input({ name: "frame_step", type: "number", min: 1, placeholder: "1" });
  const sorting = /** @type {HTMLSelectElement} */ (h("select", { name: "sorting_method" },
    ["lexicographical", "natural", "predefined", "random"].map((m) => h("option", { value: m }, m))));
  const progress = new ProgressBar();
  const error = h("div", { class: "form-error", role: "alert" });
  const submit = /** @type {HTMLButtonElement} */ (h("button", { type: "submit", class: "button primary" }, "Create task"));

  const syncProject = () => { labelsBox.hidden = Boolean(project.value); };
  project.addEventListener("change", syncProject);
  ctx.api.listAll("/api/projects").then((projects) => {
    project.append(...projects.map((p) => h("option", { value: String(p.id) }, p.name)));
    project.value = match.query.get("project") || "";
    syncProject();
  }).catch((e) => ctx.toasts.error(e));

  let busy = false;
  const form = /** @type {HTMLFormElement} */ (h("form", { class: "card task-form" },
    field("Name", name),
    h("div", { class: "row" }, field("Project", project), field("Subset", subset)),
    h("datalist", { id: "subset-options" }, ["train", "test", "validation"].map((s) => h("option", { value: s }))),
    labelsBox,
    h("h3", null, "Files"), files.element,
    h("details", { class: "advanced" }, h("summary", null, "Advanced options"),
      h("div", { class: "grid-3" },
        field("Image quality", quality, "JPEG quality of the frames shown while annotating (1–100)."),
        field("Segment size", segment, "Frames per job; empty for one job."),
        field("Overlap", overlap, "Frames shared by neighbouring jobs."),
        field("Consensus replicas", replicas, "Replica jobs per job (2–10), merged by vote on the task page; empty for none."),
        field("Sorting", sorting, "Order of the frames; predefined keeps the order you dropped them in."),
        field("Chunk size", chunk), field("Frame step", step), field("Start frame", start), field("Stop frame", stop))),
    progress.element, error,
    h("div", { class: "row end" }, h("a", { href: "/tasks", class: "button" }, "Cancel"), submit)));

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (busy) return;
    replace(error);
    /** @type {Record<string, any>} */
    const spec = { name: name.value.trim() };
    try {
      if (!spec.name) throw new Error("Give the task a name.");
      if (project.value) spec.project_id = Number(project.value);
      else {
        spec.labels = labels.specs();
        if (!spec.labels.length) throw new Error("Add at least one label, or choose a project.");
      }
      const problems = checkTaskFiles(files.files);
      if (problems.length) throw new Error(problems.join(" "));
      if (subset.value.trim()) spec.subset = subset.value.trim();
      if (intOrUndefined(segment.value)) spec.segment_size = intOrUndefined(segment.value);
      if (intOrUndefined(overlap.value) !== undefined) spec.overlap = intOrUndefined(overlap.value);
      if (intOrUndefined(replicas.value)) spec.initial_replicas = intOrUndefined(replicas.value);
    } catch (e) {
      error.textContent = e instanceof Error ? e.message : String(e);
      return;
    }
    /** @type {Record<string, any>} */
    const params = { image_quality: intOrUndefined(quality.value) ?? 70, sorting_method: sorting.value,
      chunk_size: intOrUndefined(chunk.value), start_frame: intOrUndefined(start.value), stop_frame: intOrUndefined(stop.value) };
    const frameStep = intOrUndefined(step.value);
    if (frameStep && frameStep > 1) params.frame_filter = `step=${frameStep}`;
    for (const key of Object.keys(params)) if (params[key] === undefined) delete params[key];
    busy = true;
    submit.disabled = true;
    let task = null;
    try {
      progress.set(0, "Creating the task…");
      task = await ctx.api.post("/api/tasks", spec);
      await ctx.api.uploadTaskData(task.id, files.files, params, (phase, fraction, message) => progress.set(fraction,
        phase === "upload" ? `Uploading… ${Math.round(fraction * 100)}%` : `Preparing the frames… ${message || ""}`));
      progress.set(1, "Done.");
      busy = false;
      ctx.toasts.success(`Task “${task.name}” is ready.`);
      ctx.router.navigate(`/tasks/${task.id}`);
    } catch (e) {
      progress.hide();
      const message = e instanceof Error ? e.message : String(e);
      // As the SDK does: no empty task stays behind (if even that fails, say where it is).
      const removed = task ? await ctx.api.delete(`/api/tasks/${task.id}`).then(() => true, () => false) : false;
      replace(error, h("p", null, message),
        task && removed ? h("p", null, "Nothing was created; correct the files and try again.") : null,
        task && !removed ? h("p", null, "The task was created without data: ", h("a", { href: `/tasks/${task.id}` },
          "open it"), " or delete it there.") : null);
    } finally {
      busy = false;
      submit.disabled = false;
    }
  });
  return {
    element: h("section", { class: "page narrow" }, h("h1", null, "Create a task"), form),
    canLeave: () => !busy || window.confirm("The upload is still running. Leave anyway?"),
  };
}
