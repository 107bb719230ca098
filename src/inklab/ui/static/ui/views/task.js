// A task: details, jobs (frames, stage, state, assignee), labels, and actions.

import { h, replace, formatDate } from "../dom.js";
import { openAutoAnnotateDialog } from "../components/auto-annotate-dialog.js";
import { confirmDialog } from "../components/dialog.js";
import { openBackupDialog, openExportDialog } from "../components/export-dialog.js";
import { openImportDialog } from "../components/import-dialog.js";
import { guideEditor } from "../components/guide-editor.js";
import { inlineEdit, userSelect } from "../components/inline-edit.js";
import { preview } from "../components/resource-list.js";
import { labelsSection } from "./project.js";
import { consensusSection } from "./task-consensus.js";
import { jobTypeCell, openGroundTruthDialog, qualitySection } from "./task-quality.js";

/** Job stages, in workflow order. */
export const STAGES = ["annotation", "validation", "acceptance"];
/** Job states. */
export const STATES = ["new", "in progress", "rejected", "completed"];

/**
 * Whether the user may change a job's stage and its state (the rules table's ``set stage`` and
 * ``set state``: the stage is for the task's managers, the state for its assignee too).
 * @param {import("../app.js").Context} ctx
 * @param {any} job
 * @param {{task?: any, project?: any}} related the job's task and project (null: not readable)
 * @returns {{stage: boolean, state: boolean}}
 */
export function jobFieldRights(ctx, job, related) {
  return { stage: ctx.teams.can("job", "set stage", job, related), state: ctx.teams.can("job", "set state", job, related) };
}

/**
 * Let the user change a job field select, or not (disabled, with a tooltip saying who may).
 * @param {HTMLSelectElement} select made by {@link jobFieldSelect}
 * @param {boolean} allowed
 */
export function allowJobField(select, allowed) {
  select.disabled = !allowed;
  const who = select.dataset.field === "state" ? "the job's assignee and the task's managers" : "the task's managers";
  select.title = allowed ? "" : `Only ${who} may change the job's ${select.dataset.field}.`;
}

/**
 * A <select> that PATCHes one field of a job when changed.
 * @param {import("../app.js").Context} ctx
 * @param {any} job
 * @param {"stage" | "state"} name
 * @param {string[]} choices
 * @param {(job: any) => void} [onSaved]
 * @param {boolean} [allowed] whether the user may change it (see {@link jobFieldRights})
 * @returns {HTMLSelectElement}
 */
export function jobFieldSelect(ctx, job, name, choices, onSaved, allowed = true) {
  const select = /** @type {HTMLSelectElement} */ (h("select", { "aria-label": `Job ${job.id} ${name}`, class: `job-${name}`,
    dataset: { field: name } }, choices.map((c) => h("option", { value: c, selected: c === job[name] }, c))));
  allowJobField(select, allowed);
  select.addEventListener("change", async () => {
    try {
      const updated = await ctx.api.patch(`/api/jobs/${job.id}`, { [name]: select.value });
      Object.assign(job, updated);
      onSaved?.(updated);
    } catch (error) {
      select.value = job[name];
      ctx.toasts.error(error);
    }
  });
  return select;
}

/**
 * @param {import("../app.js").Context} ctx
 * @param {import("../router.js").Match} match
 * @returns {import("../app.js").View}
 */
export function taskView(ctx, match) {
  const id = Number(match.params.id);
  const element = h("section", { class: "page" }, h("p", { class: "muted" }, "Loading…"));
  /** @type {import("../components/labels-editor.js").LabelsEditor | null} */
  let editor = null;
  /** @type {{dirty: () => boolean} | null} */
  let guide = null;
  const load = async () => {
    const [task, jobs, labels, users] = await Promise.all([
      ctx.api.get(`/api/tasks/${id}`), ctx.api.listAll("/api/jobs", { task_id: id }),
      ctx.api.listAll("/api/labels", { task_id: id }), ctx.api.listAll("/api/users"),
    ]);
    document.title = `${task.name} · inklab`;
    // The project's owner and assignee manage its tasks too (a project the user cannot see: none).
    const project = task.project_id ? await ctx.api.get(`/api/projects/${task.project_id}`).catch(() => null) : null;
    const mayChange = ctx.teams.can("task", "change", task, { project });
    const mayAssign = (/** @type {any} */ job) => ctx.teams.can("job", "assign", job, { task, project });
    const mayMove = (/** @type {any} */ job) => jobFieldRights(ctx, job, { task, project });
    const section = labelsSection(ctx, {
      owner: "tasks", id, labels,
      readOnly: task.project_id ? `This task uses the labels of project “${task.project_name}”; change them there.`
        : mayChange ? undefined : "Your role does not let you change this task's labels.",
    });
    editor = task.project_id || !mayChange ? null : section.editor;
    const target = { resource: /** @type {"tasks"} */ ("tasks"), id, name: task.name };
    // Annotators read the guide in the workspace; writing it is for the task's managers.
    guide = mayChange ? guideEditor(ctx, { resource: "tasks", id, guideId: task.guide_id }) : null;
    const subset = /** @type {HTMLInputElement} */ (h("input", { value: task.subset, list: "subset-choices", class: "subset",
      "aria-label": "Subset", placeholder: "none", disabled: !mayChange }));
    subset.addEventListener("change", () => ctx.api.patch(`/api/tasks/${id}`, { subset: subset.value.trim() })
      .then(() => ctx.toasts.success("Subset changed.")).catch((e) => ctx.toasts.error(e)));
    const jobRows = jobs.map((job) => h("tr", { dataset: { jobId: job.id } },
      h("td", null, h("a", { href: `/jobs/${job.id}`, class: "strong" }, `Job #${job.id}`)),
      jobTypeCell(ctx, job, () => load().catch((e) => ctx.toasts.error(e))),
      h("td", { class: "frames" }, `${job.start_frame}–${job.stop_frame}${job.type === "ground_truth" ? ` (${job.frame_count})` : ""}`),
      h("td", null, jobFieldSelect(ctx, job, "stage", STAGES, undefined, mayMove(job).stage)),
      h("td", null, jobFieldSelect(ctx, job, "state", STATES, undefined, mayMove(job).state)),
      h("td", { class: "job-assignee" }, mayAssign(job) ? userSelect({ users, selected: job.assignee,
        label: `Job ${job.id} assignee`, onPick: (assignee) => ctx.api.patch(`/api/jobs/${job.id}`, { assignee })
          .then(() => ctx.toasts.success("Assignee changed.")).catch((e) => ctx.toasts.error(e)) })
        : job.assignee?.username || "—"),
      h("td", { class: "muted small" }, formatDate(job.updated_date))));
    replace(element,
      h("div", { class: "page-header" },
        h("div", null,
          h("div", { class: "muted small" }, h("a", { href: "/tasks" }, "Tasks"),
            task.project_id ? [" / ", h("a", { href: `/projects/${task.project_id}` }, task.project_name)] : null, ` / #${id}`),
          mayChange ? inlineEdit({ value: task.name, label: "task name", onError: (e) => ctx.toasts.error(e),
            onSave: async (name) => { await ctx.api.patch(`/api/tasks/${id}`, { name }); } }) : h("h1", null, task.name)),
        h("div", { class: "row actions" },
          jobs.length ? h("a", { href: `/jobs/${jobs[0].id}`, class: "button primary" }, "Open the first job") : null,
          // Whole-task reads (dataset, backup) are for the task's managers, as the server's rules say.
          mayChange ? h("button", { type: "button", class: "button", onclick: () => openExportDialog(ctx, target) }, "Export dataset") : null,
          mayChange ? h("button", { type: "button", class: "button", disabled: !task.size, onclick: () => openImportDialog(ctx, target) },
            "Upload annotations") : null,
          mayChange ? h("button", { type: "button", class: "button", disabled: !task.size,
            onclick: () => openAutoAnnotateDialog(ctx, { id, name: task.name }) }, "Automatic annotation") : null,
          mayChange ? h("button", { type: "button", class: "button", onclick: () => openBackupDialog(ctx, target) }, "Back up") : null,
          !ctx.teams.can("task", "delete", task, { project }) ? null : h("button", { type: "button", class: "button danger", onclick: async () => {
            if (!await confirmDialog("Delete the task?", `“${task.name}”, its frames and annotations will be deleted.`,
              { confirm: "Delete", danger: true })) return;
            try {
              await ctx.api.delete(`/api/tasks/${id}`);
              ctx.router.navigate(task.project_id ? `/projects/${task.project_id}` : "/tasks");
            } catch (error) {
              ctx.toasts.error(error);
            }
          } }, "Delete"))),
      h("div", { class: "task-overview" },
        h("div", { class: "card preview-card" }, preview(`/api/tasks/${id}/preview`)),
        h("dl", { class: "details card" },
          h("dt", null, "Project"), h("dd", null, task.project_id ? h("a", { href: `/projects/${task.project_id}` }, task.project_name) : "—"),
          h("dt", null, "Subset"), h("dd", null, subset,
            h("datalist", { id: "subset-choices" }, ["train", "test", "validation"].map((s) => h("option", { value: s })))),
          h("dt", null, "Owner"), h("dd", null, task.owner?.username || "—"),
          h("dt", null, "Assignee"), h("dd", null, mayChange ? userSelect({ users, selected: task.assignee,
            label: "Task assignee", onPick: (assignee) => ctx.api.patch(`/api/tasks/${id}`, { assignee_id: assignee })
              .then(() => ctx.toasts.success("Assignee changed.")).catch((e) => ctx.toasts.error(e)) })
            : task.assignee?.username || "—"),
          h("dt", null, "Frames"), h("dd", { class: "task-size" }, task.size ? String(task.size) : "no data yet"),
          h("dt", null, "Image quality"), h("dd", null, String(task.image_quality)),
          h("dt", null, "Segment size"), h("dd", null, task.segment_size ? String(task.segment_size) : "one job"),
          h("dt", null, "Chunk size"), h("dd", null, task.data_chunk_size ? String(task.data_chunk_size) : "—"),
          h("dt", null, "Status"), h("dd", null, task.status),
          h("dt", null, "Created"), h("dd", null, formatDate(task.created_date)))),
      h("section", { class: "card" }, h("div", { class: "row" }, h("h2", null, "Jobs"), h("span", { style: { flex: "1" } }),
        mayChange && task.size && !jobs.some((j) => j.type === "ground_truth") ? h("button", { type: "button", class: "button small add-gt",
          onclick: () => openGroundTruthDialog(ctx, task, () => load().catch((e) => ctx.toasts.error(e))) },
        "Add a ground-truth job") : null),
        jobs.length ? h("table", { class: "table jobs-table" },
          h("thead", null, h("tr", null, ["Job", "Type", "Frames", "Stage", "State", "Assignee", "Updated"].map((t) => h("th", null, t)))),
          h("tbody", null, jobRows))
          : h("p", { class: "muted" }, "No jobs: the task has no data yet.")),
      // Quality and consensus are the task managers' (the server refuses the others).
      mayChange && task.size ? qualitySection(ctx, task, jobs) : null,
      mayChange && task.size && task.initial_replicas ? consensusSection(ctx, task, jobs, () => load().catch((e) => ctx.toasts.error(e))) : null,
      section.element,
      guide?.element);
  };
  load().catch((error) => {
    replace(element, h("h1", null, "Task not available"), h("p", { class: "form-error" }, error.message));
  });
  return {
    element,
    canLeave: () => (!editor?.dirty || window.confirm("The labels have unsaved changes. Leave anyway?"))
      && (!guide?.dirty() || window.confirm("The guide has unsaved changes. Leave anyway?")),
  };
}
