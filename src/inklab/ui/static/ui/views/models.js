// The Models page: the functions registered on the server (native functions served by agents),
// what each takes or gives, whether an agent serves it now, and a way to delete it.

import { formatDate, h, replace } from "../dom.js";

/** @param {any} fn @returns {string} what the function takes (interactors, trackers) or gives (detectors) */
function describe(fn) {
  if (fn.kind === "interactor") {
    const parts = [`${fn.min_pos_points}+ positive points`];
    parts.push(fn.min_neg_points >= 0 ? `${fn.min_neg_points}+ negative points` : "no negative points");
    if (fn.startswith_box) parts.push("a box");
    else if (fn.startswith_box_optional) parts.push("an optional box");
    return parts.join(", ");
  }
  if (fn.kind === "tracker") return `follows ${fn.supported_shape_types.join(", ")}`;
  return (fn.labels_v2 || []).map((/** @type {any} */ l) => l.name).join(", ") || "no labels";
}

/**
 * @param {import("../app.js").Context} ctx
 * @returns {import("../app.js").View}
 */
export function modelsView(ctx) {
  document.title = "Models · inklab";
  const rows = h("tbody");
  const table = h("table", { class: "table models-table" },
    h("thead", null, h("tr", null, ["Name", "Kind", "Labels or prompts", "Agents online", "Last seen", "Owner", ""]
      .map((title) => h("th", null, title)))), rows);
  const empty = h("p", { class: "muted", hidden: true }, "No functions are registered. Register one with ",
    h("code", null, "inklab function create-native NAME --function-module MODULE"), " (or cvat-cli's), then serve it with ",
    h("code", null, "function run-agent ID"), ".");

  async function load() {
    try {
      const functions = await ctx.api.listAll("/api/functions");
      empty.hidden = functions.length > 0;
      replace(rows, functions.map((/** @type {any} */ fn) => h("tr", { dataset: { functionId: fn.id } },
        h("td", null, h("strong", null, fn.name), h("div", { class: "muted small" }, `#${fn.id} · ${fn.visibility}`)),
        h("td", null, h("span", { class: `badge kind-${fn.kind}` }, fn.kind)),
        h("td", { class: "small" }, describe(fn)),
        h("td", { class: "agents-online" }, fn.agents_online
          ? h("span", { class: "badge status-completed" }, String(fn.agents_online))
          : h("span", { class: "muted" }, "none")),
        h("td", { class: "muted small" }, fn.last_seen ? formatDate(fn.last_seen) : "never"),
        h("td", null, fn.owner ? fn.owner.username : "—"),
        h("td", null, h("button", { type: "button", class: "button small danger", onclick: () => remove(fn) }, "Delete")))));
    } catch (error) {
      ctx.toasts.error(error);
    }
  }

  /** @param {any} fn */
  async function remove(fn) {
    if (!window.confirm(`Delete the function "${fn.name}"? Its queued requests go with it; its agents stop.`)) return;
    try {
      await ctx.api.delete(`/api/functions/${fn.id}`);
      ctx.toasts.success(`Deleted "${fn.name}".`);
      await load();
    } catch (error) {
      ctx.toasts.error(error);
    }
  }

  load();
  const timer = window.setInterval(load, 10000);
  return {
    element: h("div", { class: "page" }, h("div", { class: "page-head" }, h("h1", null, "Models"),
      h("button", { type: "button", class: "button small", onclick: () => load() }, "Refresh")),
    h("p", { class: "muted" }, "Functions served by agents: detectors annotate whole tasks (Automatic annotation on a "
      + "task) or one frame, interactors and trackers are the workspace's AI tools."), table, empty),
    destroy: () => window.clearInterval(timer),
  };
}
