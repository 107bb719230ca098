// The jobs list: every job the user can see (for annotators: the ones assigned to them).

import { h, formatDate } from "../dom.js";
import { ResourceList, preview } from "../components/resource-list.js";

/**
 * @param {import("../app.js").Context} ctx
 * @returns {import("../app.js").View}
 */
export function jobsView(ctx) {
  document.title = "Jobs · inklab";
  const list = new ResourceList({
    api: ctx.api, path: "/api/jobs", syncUrl: true, searchPlaceholder: "Search jobs by task, assignee, stage, state…",
    head: ["", "Job", "Frames", "Stage", "State", "Assignee", "Updated"],
    row: (job) => h("tr", { dataset: { jobId: job.id } },
      h("td", { class: "thumb" }, preview(`/api/jobs/${job.id}/preview`)),
      h("td", null, h("a", { href: `/jobs/${job.id}`, class: "strong" }, `Job #${job.id}`),
        h("div", { class: "muted small" }, h("a", { href: `/tasks/${job.task_id}` }, job.task_name))),
      h("td", null, `${job.start_frame}–${job.stop_frame}`),
      h("td", null, h("span", { class: "badge" }, job.stage)),
      h("td", null, h("span", { class: "badge" }, job.state)),
      h("td", null, job.assignee ? job.assignee.username : "—"),
      h("td", { class: "muted small" }, formatDate(job.updated_date))),
    empty: "No jobs: jobs appear when a task gets its data.",
    onError: (e) => ctx.toasts.error(e),
  });
  return { element: h("section", { class: "page" }, h("div", { class: "page-header" }, h("h1", null, "Jobs")), list.element) };
}
