// The tasks list: search, pages, and a button to create a task.

import { h, formatDate } from "../dom.js";
import { openRestoreDialog } from "../components/import-dialog.js";
import { ResourceList, preview } from "../components/resource-list.js";

/**
 * A row of a task table.
 * @param {any} task
 * @returns {HTMLElement}
 */
export function taskRow(task) {
  const jobs = task.jobs || { count: 0, completed: 0 };
  return h("tr", { dataset: { taskId: task.id } },
    h("td", { class: "thumb" }, preview(`/api/tasks/${task.id}/preview`)),
    h("td", null, h("a", { href: `/tasks/${task.id}`, class: "strong" }, task.name),
      h("div", { class: "muted small" }, `#${task.id}${task.project_name ? ` · ${task.project_name}` : ""}`
        + `${task.subset ? ` · ${task.subset}` : ""}`)),
    h("td", null, h("span", { class: `badge status-${task.status}` }, task.status)),
    h("td", null, task.size ? `${task.size} frames` : h("span", { class: "muted" }, "no data")),
    h("td", null, `${jobs.completed}/${jobs.count} jobs done`),
    h("td", null, task.owner ? task.owner.username : "—"),
    h("td", { class: "muted small" }, formatDate(task.updated_date)));
}

/** Column titles of ``taskRow`` tables. */
export const TASK_TABLE_HEAD = ["", "Task", "Status", "Size", "Progress", "Owner", "Updated"];

/**
 * @param {import("../app.js").Context} ctx
 * @returns {import("../app.js").View}
 */
export function tasksView(ctx) {
  document.title = "Tasks · inklab";
  const mayCreate = ctx.teams.can("task", "create");
  const list = new ResourceList({
    api: ctx.api, path: "/api/tasks", head: TASK_TABLE_HEAD, row: taskRow, syncUrl: true,
    searchPlaceholder: "Search tasks by name, owner, project, subset…",
    empty: mayCreate ? h("span", null, "No tasks yet. ", h("a", { href: "/tasks/create" }, "Create the first one"))
      : "No tasks for you here yet.",
    onError: (e) => ctx.toasts.error(e),
  });
  return {
    element: h("section", { class: "page" },
      h("div", { class: "page-header" }, h("h1", null, "Tasks"),
        mayCreate ? h("div", { class: "row" },
          h("button", { type: "button", class: "button", onclick: () => openRestoreDialog(ctx, "tasks") }, "Create from backup"),
          h("a", { href: "/tasks/create", class: "button primary" }, "+ Create task")) : null),
      list.element),
  };
}
