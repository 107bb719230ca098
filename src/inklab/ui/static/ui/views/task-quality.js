// Quality control on the task page: the ground-truth job (the dialog that makes it, its row in
// the jobs table with a delete button) and the Quality section: the task's quality settings,
// "Compute quality" (a background request, followed), the last report's figures for the task and
// for each job, and its conflicts, each linking to its frame in the annotation job.

import { ApiError } from "../api.js";
import { h, replace, field, formatDate } from "../dom.js";
import { Dialog, confirmDialog } from "../components/dialog.js";

/**
 * The settings the form offers: name, kind, caption (CVAT's fields of QualitySettings).
 * @type {[string, "fraction" | "number" | "integer" | "boolean" | string[], string][]}
 */
export const SETTINGS_FIELDS = [
  ["target_metric", ["accuracy", "precision", "recall"], "Target metric"],
  ["target_metric_threshold", "fraction", "Target metric threshold"],
  ["max_validations_per_job", "integer", "Max validations per job"],
  ["iou_threshold", "fraction", "Min overlap (IoU) threshold"],
  ["low_overlap_threshold", "fraction", "Low overlap threshold"],
  ["oks_sigma", "number", "OKS sigma (points)"],
  ["point_size_base", ["image_size", "group_bbox_size"], "Point size base"],
  ["line_thickness", "number", "Relative line thickness"],
  ["compare_line_orientation", "boolean", "Compare line orientation"],
  ["line_orientation_threshold", "fraction", "Line orientation threshold"],
  ["compare_groups", "boolean", "Compare groups"],
  ["group_match_threshold", "fraction", "Group match threshold"],
  ["check_covered_annotations", "boolean", "Check object visibility"],
  ["object_visibility_threshold", "fraction", "Object visibility threshold"],
  ["panoptic_comparison", "boolean", "Panoptic comparison"],
  ["compare_attributes", "boolean", "Compare attributes"],
  ["empty_is_annotated", "boolean", "Empty frames are annotated"],
];

/** Readable names of the conflict types. */
const CONFLICT_NAMES = /** @type {Record<string, string>} */ ({
  missing_annotation: "Missing annotation", extra_annotation: "Extra annotation",
  mismatching_label: "Mismatching label", low_overlap: "Low overlap",
  mismatching_direction: "Mismatching direction", mismatching_attributes: "Mismatching attributes",
  mismatching_groups: "Mismatching groups", covered_annotation: "Covered annotation",
});

/** @param {number | null | undefined} value a share in [0, 1] @returns {string} */
export function percent(value) {
  return value === null || value === undefined || Number.isNaN(value) ? "—" : `${(value * 100).toFixed(1)}%`;
}

/**
 * Read a list of frame numbers ("0, 6, 10-12").
 * @param {string} text
 * @returns {number[]} sorted, distinct
 * @throws {Error} naming what cannot be read
 */
export function parseFrames(text) {
  /** @type {Set<number>} */
  const frames = new Set();
  for (const part of text.split(/[\s,]+/).filter(Boolean)) {
    const range = /^(\d+)(?:-(\d+))?$/.exec(part);
    if (!range) throw new Error(`“${part}” is not a frame number or a range such as 3-7.`);
    const from = Number(range[1]);
    const to = range[2] === undefined ? from : Number(range[2]);
    if (to < from) throw new Error(`The range “${part}” goes backwards.`);
    if (to - from > 100000) throw new Error(`The range “${part}” is too long.`);
    for (let f = from; f <= to; f += 1) frames.add(f);
  }
  return [...frames].sort((a, b) => a - b);
}

/**
 * The dialog that makes the task's ground-truth job.
 * @param {import("../app.js").Context} ctx
 * @param {{id: number, size: number}} task
 * @param {() => void} onDone
 */
export function openGroundTruthDialog(ctx, task, onDone) {
  const method = /** @type {HTMLSelectElement} */ (h("select", { name: "frame_selection_method" },
    h("option", { value: "random_uniform" }, "Random"), h("option", { value: "manual" }, "Manual")));
  const frames = /** @type {HTMLInputElement} */ (h("input", { name: "frames", placeholder: "0, 6, 10-12" }));
  const countKind = /** @type {HTMLSelectElement} */ (h("select", { name: "count_kind", "aria-label": "Count or share" },
    h("option", { value: "count" }, "frames"), h("option", { value: "share" }, "% of the task")));
  const amount = /** @type {HTMLInputElement} */ (h("input", { name: "amount", type: "number", min: "1", step: "any",
    value: String(Math.max(1, Math.min(task.size, Math.round(task.size * 0.1) || 1))) }));
  const seed = /** @type {HTMLInputElement} */ (h("input", { name: "random_seed", type: "number", min: "0", step: "1",
    placeholder: "random" }));
  const manual = field("Frames", frames, `Task frame numbers, 0 to ${task.size - 1}; ranges as 3-7.`);
  const random = h("div", { class: "random-fields" },
    h("div", { class: "row" }, field("How many", amount), countKind), field("Random seed", seed, "The same seed draws the same frames."));
  const error = h("p", { class: "form-error", role: "alert" });
  const sync = () => {
    manual.hidden = method.value !== "manual";
    random.hidden = method.value === "manual";
  };
  method.addEventListener("change", sync);
  sync();
  const submit = async () => {
    error.textContent = "";
    /** @type {Record<string, any>} */
    const body = { task_id: task.id, type: "ground_truth", frame_selection_method: method.value };
    try {
      if (method.value === "manual") {
        body.frames = parseFrames(frames.value);
        if (!body.frames.length) throw new Error("List the frames of the ground truth.");
      } else {
        const value = Number(amount.value);
        if (!(value > 0)) throw new Error("How many frames: a positive number.");
        if (countKind.value === "share") body.frame_share = value / 100;
        else body.frame_count = value;
        if (seed.value !== "") body.random_seed = Number(seed.value);
      }
    } catch (problem) {
      error.textContent = problem instanceof Error ? problem.message : String(problem);
      return;
    }
    try {
      const job = await ctx.api.post("/api/jobs", body);
      ctx.toasts.success(`Ground-truth job #${job.id} made: ${job.frame_count} frames.`);
      dialog.close();
      onDone();
    } catch (problem) {
      error.textContent = problem instanceof Error ? problem.message : String(problem);
    }
  };
  const dialog = new Dialog({
    title: "Add a ground-truth job",
    className: "gt-dialog",
    body: [field("Frame selection", method), manual, random, error],
    actions: [
      h("button", { type: "button", class: "button", onclick: () => dialog.close() }, "Cancel"),
      h("button", { type: "button", class: "button primary gt-submit", onclick: submit }, "Create"),
    ],
  }).open();
}

/**
 * The type cell of a job row: its type, and a delete button for a ground-truth job.
 * @param {import("../app.js").Context} ctx
 * @param {any} job
 * @param {() => void} onDeleted
 * @returns {HTMLElement}
 */
export function jobTypeCell(ctx, job, onDeleted) {
  const type = job.type || "annotation";
  return h("td", { class: "job-type" }, h("span", { class: "badge" }, type.replace("_", " ")),
    type === "replica" && job.parent_job_id ? h("span", { class: "muted small" }, ` of #${job.parent_job_id}`) : null,
    type === "ground_truth" ? h("button", { type: "button", class: "button small danger gt-delete", onclick: async () => {
      if (!await confirmDialog("Delete the ground-truth job?", `Job #${job.id} and its annotations will be deleted; `
        + "quality reports need a ground truth.", { confirm: "Delete", danger: true })) return;
      try {
        await ctx.api.delete(`/api/jobs/${job.id}`);
        ctx.toasts.success(`Job #${job.id} deleted.`);
        onDeleted();
      } catch (error) {
        ctx.toasts.error(error);
      }
    } }, "Delete") : null);
}

/**
 * Job report summaries added up per assignee: accuracy, precision and recall from the summed
 * counts (valid / total, valid / annotated, valid / ground truth), as the task's figures are.
 * @param {any[]} children job reports (with ``assignee`` and ``summary``)
 * @returns {{annotator: string, jobs: number, accuracy: number | null, precision: number | null,
 *            recall: number | null, conflicts: number}[]} by name, the unassigned last
 */
export function byAnnotator(children) {
  /** @type {Map<string, {jobs: number, valid: number, total: number, ds: number, gt: number, conflicts: number}>} */
  const sums = new Map();
  for (const child of children) {
    const key = child.assignee?.username ?? "";
    const sum = sums.get(key) || { jobs: 0, valid: 0, total: 0, ds: 0, gt: 0, conflicts: 0 };
    const s = child.summary;
    sum.jobs += 1;
    sum.valid += s.valid_count;
    sum.total += s.total_count;
    sum.ds += s.ds_count;
    sum.gt += s.gt_count;
    sum.conflicts += s.conflict_count;
    sums.set(key, sum);
  }
  /** @param {number} a @param {number} b */
  const share = (a, b) => (b ? a / b : null);
  return [...sums.entries()].sort(([a], [b]) => Number(a === "") - Number(b === "") || a.localeCompare(b)).map(([name, sum]) => ({
    annotator: name, jobs: sum.jobs, accuracy: share(sum.valid, sum.total), precision: share(sum.valid, sum.ds),
    recall: share(sum.valid, sum.gt), conflicts: sum.conflicts,
  }));
}

/**
 * The figures of a report summary.
 * @param {any} summary
 * @returns {HTMLElement}
 */
function figures(summary) {
  /** @param {string} name @param {string} value @param {string} key */
  const figure = (name, value, key) => h("div", { class: "figure", dataset: { figure: key } }, h("strong", null, value),
    h("span", { class: "muted small" }, name));
  return h("div", { class: "report-figures" },
    figure("Accuracy", percent(summary.accuracy), "accuracy"),
    figure("Precision", percent(summary.precision), "precision"),
    figure("Recall", percent(summary.recall), "recall"),
    figure("Validation frames", `${summary.frame_count} (${percent(summary.frame_share)})`, "frames"),
    figure("Conflicts", String(summary.conflict_count), "conflicts"),
    figure("Errors / warnings", `${summary.error_count} / ${summary.warning_count}`, "severity"));
}

/**
 * The Quality section of a task page.
 * @param {import("../app.js").Context} ctx
 * @param {any} task
 * @param {any[]} jobs the task's jobs
 * @returns {HTMLElement}
 */
export function qualitySection(ctx, task, jobs) {
  const body = h("div", { class: "quality-body" }, h("p", { class: "muted" }, "Loading…"));
  const element = h("section", { class: "card quality-section" }, h("h2", null, "Quality"), body);
  const gt = jobs.find((j) => j.type === "ground_truth");
  const annotationJobs = jobs.filter((j) => (j.type || "annotation") === "annotation");
  /** @param {number} frame @returns {any} the annotation job that holds a frame */
  const jobOf = (frame) => annotationJobs.find((j) => j.start_frame <= frame && frame <= j.stop_frame);

  const load = async () => {
    const [settingsList, reports] = await Promise.all([
      ctx.api.get("/api/quality/settings", { task_id: task.id }),
      ctx.api.listAll("/api/quality/reports", { task_id: task.id, target: "task" }),
    ]);
    const settings = settingsList.results[0];
    const report = reports.sort((a, b) => b.id - a.id)[0] || null;
    const [children, conflicts] = report ? await Promise.all([
      ctx.api.listAll("/api/quality/reports", { parent_id: report.id }),
      ctx.api.listAll("/api/quality/conflicts", { report_id: report.id }),
    ]) : [[], []];
    replace(body,
      gt ? null : h("p", { class: "muted gt-missing" }, "Quality is measured against a ground-truth job: add one above."),
      settingsForm(settings),
      h("div", { class: "row" }, h("h3", null, "Last report"), h("span", { class: "grow" }),
        report ? h("span", { class: "muted small" }, formatDate(report.created_date)) : null,
        computeButton()),
      report ? reportView(report, children, conflicts)
        : h("p", { class: "muted no-report" }, "No report yet: compute one."));
  };

  /** @param {any} settings */
  const settingsForm = (settings) => {
    /** @type {Map<string, HTMLInputElement | HTMLSelectElement>} */
    const inputs = new Map();
    const controls = SETTINGS_FIELDS.map(([name, kind, caption]) => {
      const value = settings[name];
      let input;
      if (Array.isArray(kind)) {
        input = h("select", { name }, kind.map((c) => h("option", { value: c, selected: c === value }, c.replaceAll("_", " "))));
      } else if (kind === "boolean") {
        input = h("input", { type: "checkbox", name, checked: Boolean(value) });
      } else {
        input = h("input", { type: "number", name, value: String(value), step: kind === "integer" ? "1" : "any",
          min: "0", max: kind === "fraction" ? "1" : null });
      }
      inputs.set(name, /** @type {any} */ (input));
      return kind === "boolean" ? h("label", { class: "check" }, input, ` ${caption}`) : field(caption, input);
    });
    const error = h("p", { class: "form-error settings-error", role: "alert" });
    const save = async () => {
      error.textContent = "";
      /** @type {Record<string, any>} */
      const patch = {};
      for (const [name, kind] of SETTINGS_FIELDS) {
        const input = /** @type {HTMLInputElement} */ (inputs.get(name));
        const value = kind === "boolean" ? input.checked : Array.isArray(kind) ? input.value : Number(input.value);
        if (typeof value === "number" && (input.value === "" || Number.isNaN(value))) {
          error.textContent = `${name}: a number is needed.`;
          return;
        }
        if (value !== settings[name]) patch[name] = value;
      }
      if (!Object.keys(patch).length) {
        ctx.toasts.info("Nothing changed.");
        return;
      }
      try {
        Object.assign(settings, await ctx.api.patch(`/api/quality/settings/${settings.id}`, patch));
        ctx.toasts.success("Quality settings saved.");
      } catch (problem) {
        error.textContent = problem instanceof Error ? problem.message : String(problem);
      }
    };
    return h("details", { class: "quality-settings-box" }, h("summary", null, "Settings"),
      h("div", { class: "quality-settings" }, controls), error,
      h("button", { type: "button", class: "button small primary settings-save", onclick: save }, "Save the settings"));
  };

  const computeButton = () => {
    const status = h("span", { class: "muted small compute-status", role: "status" });
    const button = /** @type {HTMLButtonElement} */ (h("button", { type: "button", class: "button primary compute-quality",
      disabled: !gt, onclick: async () => {
        button.disabled = true;
        try {
          const { rq_id: rqId } = await ctx.api.post("/api/quality/reports", { task_id: task.id });
          await ctx.api.waitForRequest(rqId, (fraction, message) => {
            status.textContent = `${message || "computing"} ${Math.round(fraction * 100)}%`;
          });
          ctx.toasts.success("Quality report computed.");
          await load();
        } catch (problem) {
          ctx.toasts.error(problem);
          button.disabled = false;
          status.textContent = "";
        }
      } }, "Compute quality"));
    return h("span", { class: "row compact" }, status, button);
  };

  /** @param {any} report @param {any[]} children @param {any[]} conflicts */
  const reportView = (report, children, conflicts) => {
    const summary = report.summary;
    const byType = Object.entries(summary.conflicts_by_type || {});
    const jobRows = children.sort((a, b) => a.job_id - b.job_id).map((child) => h("tr", { dataset: { jobId: child.job_id } },
      h("td", null, h("a", { href: `/jobs/${child.job_id}` }, `Job #${child.job_id}`)),
      h("td", null, child.assignee?.username ?? "—"),
      h("td", { class: "accuracy" }, percent(child.summary.accuracy)),
      h("td", { class: "precision" }, percent(child.summary.precision)),
      h("td", { class: "recall" }, percent(child.summary.recall)),
      h("td", { class: "frames" }, String(child.summary.frame_count)),
      h("td", { class: "conflicts" }, String(child.summary.conflict_count))));
    const conflictRows = conflicts.sort((a, b) => a.frame - b.frame || a.id - b.id).map((conflict) => {
      const ids = conflict.annotation_ids || [];
      const target = ids.find((/** @type {any} */ a) => a.job_id !== gt?.id)?.job_id ?? jobOf(conflict.frame)?.id;
      const query = new URLSearchParams({ frame: String(conflict.frame) });
      const own = ids.filter((/** @type {any} */ a) => a.job_id === target).map((/** @type {any} */ a) => a.obj_id);
      const truth = ids.filter((/** @type {any} */ a) => gt && a.job_id === gt.id).map((/** @type {any} */ a) => a.obj_id);
      if (own.length) query.set("objects", own.join(","));
      if (truth.length) {
        query.set("gt_job", String(gt.id));
        query.set("gt_objects", truth.join(","));
      }
      return h("tr", { dataset: { conflictId: conflict.id, type: conflict.type } },
        h("td", null, target ? h("a", { href: `/jobs/${target}?${query}`, class: "conflict-frame" },
          `Frame ${conflict.frame}`) : `Frame ${conflict.frame}`),
        h("td", null, CONFLICT_NAMES[conflict.type] || conflict.type),
        h("td", null, h("span", { class: `badge ${conflict.severity === "error" ? "badge-warn" : ""}` }, conflict.severity)),
        h("td", { class: "muted small" }, ids.map((/** @type {any} */ a) => `${a.job_id === gt?.id ? "GT" : `job #${a.job_id}`} `
          + `${a.shape_type || a.type} #${a.obj_id}`).join(", ")));
    });
    return h("div", { class: "quality-report", dataset: { reportId: report.id } },
      figures(summary),
      byType.length ? h("p", { class: "conflicts-by-type" }, byType.map(([type, count]) =>
        h("span", { class: "badge", dataset: { type } }, `${CONFLICT_NAMES[type] || type}: ${count}`)))
        : h("p", { class: "muted conflicts-by-type" }, "No conflicts."),
      jobRows.length ? h("table", { class: "table quality-jobs" },
        h("thead", null, h("tr", null, ["Job", "Assignee", "Accuracy", "Precision", "Recall", "Frames", "Conflicts"]
          .map((t) => h("th", null, t)))),
        h("tbody", null, jobRows)) : null,
      children.length ? [h("h3", null, "By annotator"), h("table", { class: "table quality-annotators" },
        h("thead", null, h("tr", null, ["Annotator", "Jobs", "Accuracy", "Precision", "Recall", "Conflicts"]
          .map((t) => h("th", null, t)))),
        h("tbody", null, byAnnotator(children).map((row) => h("tr", { dataset: { annotator: row.annotator } },
          h("td", null, row.annotator || "— nobody —"), h("td", null, String(row.jobs)),
          h("td", { class: "accuracy" }, percent(row.accuracy)), h("td", { class: "precision" }, percent(row.precision)),
          h("td", { class: "recall" }, percent(row.recall)), h("td", { class: "conflicts" }, String(row.conflicts))))))]
        : null,
      conflictRows.length ? [h("h3", null, "Conflicts"), h("table", { class: "table quality-conflicts" },
        h("thead", null, h("tr", null, ["Frame", "Type", "Severity", "Annotations"].map((t) => h("th", null, t)))),
        h("tbody", null, conflictRows))] : null);
  };

  load().catch((error) => replace(body, error instanceof ApiError && error.status === 403
    ? h("p", { class: "muted" }, "Only those who manage the task see its quality.")
    : h("p", { class: "form-error" }, error instanceof Error ? error.message : String(error))));
  return element;
}
