// The projects list, with "create project" and "create from backup".

import { h, field, formatDate } from "../dom.js";
import { Dialog } from "../components/dialog.js";
import { openRestoreDialog } from "../components/import-dialog.js";
import { LabelsEditor } from "../components/labels-editor.js";
import { ResourceList, preview } from "../components/resource-list.js";

/**
 * @param {import("../app.js").Context} ctx
 */
function openCreateDialog(ctx) {
  const name = /** @type {HTMLInputElement} */ (h("input", { name: "name", required: true, autofocus: true }));
  const labels = new LabelsEditor();
  const error = h("p", { class: "form-error", role: "alert" });
  const submit = /** @type {HTMLButtonElement} */ (h("button", { type: "button", class: "button primary" }, "Create project"));
  const dialog = new Dialog({
    title: "Create a project", wide: true, className: "project-create",
    body: [field("Name", name), h("h3", null, "Labels"), h("p", { class: "muted small" },
      "Every task of the project uses these labels."), labels.element, error],
    actions: [h("button", { type: "button", class: "button", onclick: () => dialog.close() }, "Cancel"), submit],
  }).open();
  submit.addEventListener("click", async () => {
    error.textContent = "";
    try {
      if (!name.value.trim()) throw new Error("Give the project a name.");
      submit.disabled = true;
      const project = await ctx.api.post("/api/projects", { name: name.value.trim(), labels: labels.specs() });
      dialog.close();
      ctx.router.navigate(`/projects/${project.id}`);
    } catch (e) {
      error.textContent = e instanceof Error ? e.message : String(e);
    } finally {
      submit.disabled = false;
    }
  });
}

/**
 * @param {import("../app.js").Context} ctx
 * @returns {import("../app.js").View}
 */
export function projectsView(ctx) {
  document.title = "Projects · inklab";
  const list = new ResourceList({
    api: ctx.api, path: "/api/projects", syncUrl: true, searchPlaceholder: "Search projects by name, owner…",
    head: ["", "Project", "Tasks", "Status", "Owner", "Updated"],
    row: (p) => h("tr", { dataset: { projectId: p.id } },
      h("td", { class: "thumb" }, preview(`/api/projects/${p.id}/preview`)),
      h("td", null, h("a", { href: `/projects/${p.id}`, class: "strong" }, p.name), h("div", { class: "muted small" }, `#${p.id}`)),
      h("td", null, String(p.tasks?.count ?? 0)),
      h("td", null, h("span", { class: `badge status-${p.status}` }, p.status)),
      h("td", null, p.owner ? p.owner.username : "—"),
      h("td", { class: "muted small" }, formatDate(p.updated_date))),
    empty: "No projects yet. A project groups tasks that share labels.",
    onError: (e) => ctx.toasts.error(e),
  });
  return {
    element: h("section", { class: "page" },
      h("div", { class: "page-header" }, h("h1", null, "Projects"),
        ctx.teams.can("project", "create") ? h("div", { class: "row" },
          h("button", { type: "button", class: "button", onclick: () => openRestoreDialog(ctx, "projects") }, "Create from backup"),
          h("button", { type: "button", class: "button primary", onclick: () => openCreateDialog(ctx) }, "+ Create project"))
          : null),
      list.element),
  };
}
