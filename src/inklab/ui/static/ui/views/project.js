// A project: its name, labels (editable), tasks, and actions (export, import, backup, delete).

import { h, replace, formatDate } from "../dom.js";
import { confirmDialog } from "../components/dialog.js";
import { openBackupDialog, openExportDialog } from "../components/export-dialog.js";
import { openImportDialog } from "../components/import-dialog.js";
import { guideEditor } from "../components/guide-editor.js";
import { inlineEdit, userSelect } from "../components/inline-edit.js";
import { LabelsEditor } from "../components/labels-editor.js";
import { ResourceList } from "../components/resource-list.js";
import { TASK_TABLE_HEAD, taskRow } from "./tasks.js";

/**
 * A labels section with a save button that sends only the changes.
 * @param {import("../app.js").Context} ctx
 * @param {{owner: string, id: number, labels: any[], readOnly?: string}} options
 *   ``owner``: "projects" or "tasks"; ``readOnly``: a note shown instead of the editor's save button
 * @returns {{element: HTMLElement, editor: LabelsEditor}}
 */
export function labelsSection(ctx, { owner, id, labels, readOnly }) {
  const save = /** @type {HTMLButtonElement} */ (h("button", { type: "button", class: "button primary", disabled: true },
    "Save labels"));
  const editor = new LabelsEditor({ labels, saved: true, onChange: () => { save.disabled = !editor.dirty; } });
  save.addEventListener("click", async () => {
    try {
      editor.check();
      const changes = editor.changes();
      if (changes.some((c) => c.deleted) && !await confirmDialog("Delete labels?",
        "Deleting a label also deletes every annotation that uses it.", { confirm: "Delete and save", danger: true })) return;
      save.disabled = true;
      await ctx.api.patch(`/api/${owner}/${id}`, { labels: changes });
      const fresh = await ctx.api.listAll("/api/labels", { [owner === "projects" ? "project_id" : "task_id"]: id });
      editor.reset(fresh);
      ctx.toasts.success("The labels were saved.");
    } catch (error) {
      save.disabled = false;
      ctx.toasts.error(error);
    }
  });
  const element = h("section", { class: "card labels-section" },
    h("div", { class: "section-header" }, h("h2", null, "Labels"), readOnly ? null : save),
    readOnly ? h("p", { class: "muted" }, readOnly) : null,
    readOnly ? h("ul", { class: "label-chips" }, labels.map((l) => h("li", { class: "chip", style: { borderColor: l.color } },
      h("span", { class: "swatch", style: { background: l.color } }), l.name, h("small", { class: "muted" }, ` ${l.type}`))))
      : editor.element);
  return { element, editor };
}

/**
 * @param {import("../app.js").Context} ctx
 * @param {import("../router.js").Match} match
 * @returns {import("../app.js").View}
 */
export function projectView(ctx, match) {
  const id = Number(match.params.id);
  const element = h("section", { class: "page" }, h("p", { class: "muted" }, "Loading…"));
  /** @type {LabelsEditor | null} */
  let editor = null;
  /** @type {{dirty: () => boolean} | null} */
  let guide = null;
  const load = async () => {
    const [project, labels, users] = await Promise.all([
      ctx.api.get(`/api/projects/${id}`), ctx.api.listAll("/api/labels", { project_id: id }), ctx.api.listAll("/api/users"),
    ]);
    document.title = `${project.name} · inklab`;
    const mayChange = ctx.teams.can("project", "change", project);
    const section = labelsSection(ctx, { owner: "projects", id, labels,
      readOnly: mayChange ? undefined : "Your role does not let you change this project's labels." });
    editor = mayChange ? section.editor : null;
    const guideSection = mayChange ? guideEditor(ctx, { resource: "projects", id, guideId: project.guide_id }) : null;
    guide = guideSection;
    const tasks = new ResourceList({
      api: ctx.api, path: "/api/tasks", query: { project_id: id }, head: TASK_TABLE_HEAD, row: taskRow,
      searchPlaceholder: "Search the project's tasks…", empty: "No tasks in this project yet.",
      onError: (e) => ctx.toasts.error(e),
    });
    const target = { resource: /** @type {"projects"} */ ("projects"), id, name: project.name };
    replace(element,
      h("div", { class: "page-header" },
        h("div", null, h("div", { class: "muted small" }, h("a", { href: "/projects" }, "Projects"), ` / #${id}`),
          mayChange ? inlineEdit({ value: project.name, label: "project name", onError: (e) => ctx.toasts.error(e),
            onSave: async (name) => { await ctx.api.patch(`/api/projects/${id}`, { name }); } }) : h("h1", null, project.name)),
        h("div", { class: "row actions" },
          ctx.teams.can("task", "create") && mayChange
            ? h("a", { href: `/tasks/create?project=${id}`, class: "button primary" }, "+ Create task") : null,
          mayChange ? h("button", { type: "button", class: "button", onclick: () => openExportDialog(ctx, target) }, "Export dataset") : null,
          mayChange ? h("button", { type: "button", class: "button", onclick: () => openImportDialog(ctx, { ...target, onDone: () => tasks.load() }) },
            "Import dataset") : null,
          mayChange ? h("button", { type: "button", class: "button", onclick: () => openBackupDialog(ctx, target) }, "Back up") : null,
          !ctx.teams.can("project", "delete", project) ? null : h("button", { type: "button", class: "button danger", onclick: async () => {
            if (!await confirmDialog("Delete the project?", `“${project.name}” and all its tasks and annotations will be deleted.`,
              { confirm: "Delete", danger: true })) return;
            try {
              await ctx.api.delete(`/api/projects/${id}`);
              ctx.router.navigate("/projects");
            } catch (error) {
              ctx.toasts.error(error);
            }
          } }, "Delete"))),
      h("dl", { class: "details card" },
        h("dt", null, "Owner"), h("dd", null, project.owner?.username || "—"),
        h("dt", null, "Assignee"), h("dd", null, mayChange ? userSelect({ users, selected: project.assignee,
          label: "Project assignee", onPick: (assignee) => ctx.api.patch(`/api/projects/${id}`, { assignee_id: assignee })
            .then(() => ctx.toasts.success("Assignee changed.")).catch((e) => ctx.toasts.error(e)) })
          : project.assignee?.username || "—"),
        h("dt", null, "Status"), h("dd", null, project.status),
        h("dt", null, "Subsets"), h("dd", null, project.task_subsets.join(", ") || "—"),
        h("dt", null, "Created"), h("dd", null, formatDate(project.created_date))),
      section.element,
      guideSection?.element,
      h("section", { class: "card" }, h("h2", null, "Tasks"), tasks.element));
  };
  load().catch((error) => {
    replace(element, h("h1", null, "Project not available"), h("p", { class: "form-error" }, error.message));
  });
  return {
    element,
    canLeave: () => (!editor?.dirty || window.confirm("The labels have unsaved changes. Leave anyway?"))
      && (!guide?.dirty() || window.confirm("The guide has unsaved changes. Leave anyway?")),
  };
}
