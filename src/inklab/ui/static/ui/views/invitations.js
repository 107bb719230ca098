// Invitations waiting for the signed-in user: accept (join the organization) or decline.

import { h, replace, formatDate } from "../dom.js";

/**
 * @param {import("../app.js").Context} ctx
 * @returns {import("../app.js").View}
 */
export function invitationsView(ctx) {
  document.title = "Invitations · inklab";
  const element = h("section", { class: "page invitations-page" }, h("p", { class: "muted" }, "Loading…"));
  /**
   * Answer an invitation, then show what is left.
   * @param {any} invitation
   * @param {"accept" | "decline"} answer
   */
  const respond = async (invitation, answer) => {
    const slug = invitation.organization_info?.slug || "";
    try {
      await ctx.api.request("POST", `/api/invitations/${encodeURIComponent(invitation.key)}/${answer}`, { json: {}, org: null });
      await ctx.app.reloadTeams();
      if (answer === "accept") {
        ctx.toasts.success(`You joined “${slug}” as a ${invitation.role}; choose it in the header to work in it.`);
      } else ctx.toasts.info(`You declined the invitation to “${slug}”.`);
    } catch (e) {
      ctx.toasts.error(e);
    }
    render();
  };
  const render = () => {
    const waiting = ctx.teams.invitations;
    replace(element, h("div", { class: "page-header" }, h("h1", null, "Invitations")),
      waiting.length ? h("table", { class: "table invitations-table" },
        h("thead", null, h("tr", null, ["Organization", "Role", "From", "Sent", ""].map((t) => h("th", null, t)))),
        h("tbody", null, waiting.map((i) => h("tr", { dataset: { invitation: i.key, org: i.organization_info?.slug } },
          h("td", { class: "strong" }, i.organization_info?.slug || `#${i.organization}`),
          h("td", null, h("span", { class: "badge" }, i.role)),
          h("td", null, i.owner?.username || "—"),
          h("td", { class: "muted small" }, formatDate(i.created_date)),
          h("td", { class: "row" },
            h("button", { type: "button", class: "button small primary", onclick: () => respond(i, "accept") }, "Accept"),
            h("button", { type: "button", class: "button small", onclick: () => respond(i, "decline") }, "Decline"))))))
        : h("p", { class: "muted" }, "No invitations are waiting for you."));
  };
  ctx.teams.loadInvitations().then(render, (e) => { ctx.toasts.error(e); render(); });
  return { element };
}
