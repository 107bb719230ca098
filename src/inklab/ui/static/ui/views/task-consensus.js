// Consensus on the task page (a task made with replicas): the consensus settings (the IoU at
// which replicas' objects agree, the quorum that keeps an object) and Merge, which votes the
// replicas of every annotation job (or of one) into it (a background request, followed).

import { ApiError } from "../api.js";
import { h, replace, field } from "../dom.js";

/**
 * The Consensus section of a task page (only for a task with replicas).
 * @param {import("../app.js").Context} ctx
 * @param {any} task
 * @param {any[]} jobs the task's jobs
 * @param {() => void} onMerged
 * @returns {HTMLElement}
 */
export function consensusSection(ctx, task, jobs, onMerged) {
  const body = h("div", { class: "consensus-body" }, h("p", { class: "muted" }, "Loading…"));
  const element = h("section", { class: "card consensus-section" }, h("h2", null, "Consensus"),
    h("p", { class: "muted small" }, `${task.initial_replicas} replica jobs per annotation job; merging replaces the `
      + "annotation job's annotations with what enough replicas agree on."), body);
  const parents = jobs.filter((j) => (j.type || "annotation") === "annotation");

  const load = async () => {
    const settings = (await ctx.api.get("/api/consensus/settings", { task_id: task.id })).results[0];
    /** @param {string} name @param {string} caption @param {string} hint */
    const number = (name, caption, hint) => field(caption, /** @type {HTMLInputElement} */ (h("input", {
      type: "number", name, min: "0", max: "1", step: "any", value: String(settings[name]) })), hint);
    const form = h("div", { class: "row consensus-settings" },
      number("iou_threshold", "Min overlap (IoU)", "Replicas' shapes agree from this overlap."),
      number("quorum", "Quorum", "Share of replicas that must agree to keep an object."));
    const error = h("p", { class: "form-error consensus-error", role: "alert" });
    const save = async () => {
      error.textContent = "";
      /** @type {Record<string, number>} */
      const patch = {};
      for (const input of /** @type {NodeListOf<HTMLInputElement>} */ (form.querySelectorAll("input"))) {
        const value = Number(input.value);
        if (input.value === "" || Number.isNaN(value)) {
          error.textContent = `${input.name}: a number is needed.`;
          return;
        }
        if (value !== settings[input.name]) patch[input.name] = value;
      }
      if (!Object.keys(patch).length) {
        ctx.toasts.info("Nothing changed.");
        return;
      }
      try {
        Object.assign(settings, await ctx.api.patch(`/api/consensus/settings/${settings.id}`, patch));
        ctx.toasts.success("Consensus settings saved.");
      } catch (problem) {
        error.textContent = problem instanceof Error ? problem.message : String(problem);
      }
    };
    const target = /** @type {HTMLSelectElement} */ (h("select", { class: "merge-target", "aria-label": "Jobs to merge" },
      h("option", { value: "" }, "every job"), parents.map((j) => h("option", { value: String(j.id) }, `job #${j.id}`))));
    const status = h("span", { class: "muted small merge-status", role: "status" });
    const merge = /** @type {HTMLButtonElement} */ (h("button", { type: "button", class: "button primary consensus-merge",
      onclick: async () => {
        merge.disabled = true;
        try {
          const { rq_id: rqId } = await ctx.api.post("/api/consensus/merges",
            target.value ? { job_id: Number(target.value) } : { task_id: task.id });
          await ctx.api.waitForRequest(rqId, (fraction, message) => {
            status.textContent = `${message || "merging"} ${Math.round(fraction * 100)}%`;
          });
          status.textContent = "";
          ctx.toasts.success("Replicas merged.");
          onMerged();
        } catch (problem) {
          status.textContent = "";
          ctx.toasts.error(problem);
        } finally {
          merge.disabled = false;
        }
      } }, "Merge"));
    replace(body, form, error,
      h("div", { class: "row" },
        h("button", { type: "button", class: "button small consensus-save", onclick: save }, "Save the settings"),
        h("span", { style: { flex: "1" } }), status, h("span", { class: "muted" }, "Merge the replicas of"), target, merge));
  };
  load().catch((error) => replace(body, error instanceof ApiError && error.status === 403
    ? h("p", { class: "muted" }, "Only those who manage the task merge its replicas.")
    : h("p", { class: "form-error" }, error instanceof Error ? error.message : String(error))));
  return element;
}
