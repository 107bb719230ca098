// The current organization's page: settings, members and their roles, invitations, leaving,
// and deleting it (after typing its slug); and the dialog that creates an organization.

import { h, field, replace, formatDate } from "../dom.js";
import { Dialog, confirmDialog } from "../components/dialog.js";
import { ROLES, isAdmin } from "../permissions.js";

/** Contact entries the settings form edits (other entries are kept as they are). */
const CONTACT_FIELDS = [["email", "Email"], ["phone", "Phone"], ["location", "Location"]];

/** @param {unknown} e @returns {string} */
const messageOf = (e) => (e instanceof Error ? e.message : String(e));

/**
 * Ask for a slug and a name and create an organization; the user then works in it.
 * @param {import("../app.js").Context} ctx
 */
export function openCreateOrganizationDialog(ctx) {
  const slug = /** @type {HTMLInputElement} */ (h("input", { name: "slug", required: true, autofocus: true,
    maxlength: 16, pattern: "[-a-zA-Z0-9_]+", placeholder: "e.g. acme" }));
  const name = /** @type {HTMLInputElement} */ (h("input", { name: "name", maxlength: 64 }));
  const description = /** @type {HTMLTextAreaElement} */ (h("textarea", { name: "description", rows: 3 }));
  const error = h("p", { class: "form-error", role: "alert" });
  const submit = /** @type {HTMLButtonElement} */ (h("button", { type: "button", class: "button primary" },
    "Create organization"));
  const dialog = new Dialog({
    title: "Create an organization", className: "org-create",
    body: [field("Short name (slug)", slug, "Letters, digits, '-' and '_'; at most 16. Clients name the organization by it."),
      field("Name", name), field("Description", description), error],
    actions: [h("button", { type: "button", class: "button", onclick: () => dialog.close() }, "Cancel"), submit],
  }).open();
  submit.addEventListener("click", async () => {
    error.textContent = "";
    try {
      if (!slug.value.trim()) throw new Error("Give the organization a short name (slug).");
      submit.disabled = true;
      const org = await ctx.api.post("/api/organizations", { slug: slug.value.trim(), name: name.value.trim(),
        description: description.value.trim() });
      dialog.close();
      await ctx.app.reloadTeams();
      ctx.app.switchOrganization(org.slug);
      ctx.toasts.success(`The organization “${org.slug}” was created; you work in it now.`);
      ctx.router.navigate("/organization");
    } catch (e) {
      error.textContent = messageOf(e);
    } finally {
      submit.disabled = false;
    }
  });
}

/**
 * Ask for the organization's slug before deleting it (and everything it owns).
 * @param {string} slug
 * @returns {Promise<boolean>}
 */
function confirmBySlug(slug) {
  return new Promise((resolve) => {
    let answer = false;
    const typed = /** @type {HTMLInputElement} */ (h("input", { name: "confirm-slug", autocomplete: "off",
      "aria-label": "The organization's slug" }));
    const remove = /** @type {HTMLButtonElement} */ (h("button", { type: "button", class: "button danger", disabled: true,
      onclick: () => { answer = typed.value === slug; dialog.close(); } }, "Delete organization"));
    typed.addEventListener("input", () => { remove.disabled = typed.value !== slug; });
    const dialog = new Dialog({
      title: "Delete the organization?", className: "org-delete",
      body: [h("p", null, "Its projects, tasks, jobs, annotations, memberships and invitations will be deleted. ",
        "This cannot be undone."), field(`Type “${slug}” to confirm`, typed)],
      actions: [h("button", { type: "button", class: "button", onclick: () => dialog.close() }, "Cancel"), remove],
      onClose: () => resolve(answer),
    }).open();
    typed.focus();
  });
}

/**
 * @param {import("../app.js").Context} ctx
 * @returns {import("../app.js").View}
 */
export function organizationView(ctx) {
  document.title = "Organization · inklab";
  const { teams, api } = ctx;
  const element = h("section", { class: "page organization-page" }, h("p", { class: "muted" }, "Loading…"));
  const current = teams.current;
  if (!current) {
    replace(element, h("div", { class: "page-header" }, h("h1", null, "Personal workspace")),
      h("p", null, "You work in your personal workspace: what you create is yours alone. To work with a team, ",
        "choose one of your organizations in the header, or create one."),
      h("button", { type: "button", class: "button primary", onclick: () => openCreateOrganizationDialog(ctx) },
        "+ Create organization"));
    return { element };
  }
  const acting = isAdmin(ctx.user) ? "owner" : teams.role;
  /** Roles the user may grant: those below their own (never owner). */
  const grantable = ROLES.filter((r) => r !== "owner" && ROLES.indexOf(r) < ROLES.indexOf(acting || "worker"));

  const render = async () => {
    const canInvite = teams.can("invitation", "create", { organization: current.id });
    const [org, memberships, invitations] = await Promise.all([
      api.get(`/api/organizations/${current.id}`),
      api.listAll("/api/memberships"),
      api.listAll("/api/invitations"),
    ]);
    document.title = `${org.name || org.slug} · inklab`;
    const members = memberships.filter((m) => m.is_active);
    const pending = invitations.filter((i) => !i.accepted);
    const mine = members.find((m) => m.user?.id === ctx.user.id);
    const canChange = teams.can("organization", "change", org);

    // --- settings ---
    const name = /** @type {HTMLInputElement} */ (h("input", { name: "name", value: org.name, maxlength: 64,
      disabled: !canChange }));
    const description = /** @type {HTMLTextAreaElement} */ (h("textarea", { name: "description", rows: 3,
      disabled: !canChange }));
    description.value = org.description || "";
    const contact = CONTACT_FIELDS.map(([key, label]) => [key, label,
      /** @type {HTMLInputElement} */ (h("input", { name: `contact-${key}`, value: org.contact?.[key] || "",
        disabled: !canChange }))]);
    const settings = h("form", { class: "card org-settings" }, h("h2", null, "Settings"),
      field("Name", name), field("Description", description),
      h("div", { class: "grid-3" }, contact.map(([, label, input]) => field(/** @type {string} */ (label),
        /** @type {HTMLInputElement} */ (input)))),
      canChange ? h("div", { class: "row end" }, h("button", { type: "submit", class: "button primary" }, "Save settings"))
        : h("p", { class: "muted small" }, "Only maintainers and the owner change the settings."));
    settings.addEventListener("submit", async (event) => {
      event.preventDefault();
      /** @type {Record<string, string>} */
      const entries = { ...(org.contact || {}) };
      for (const [key, , input] of contact) {
        const value = /** @type {HTMLInputElement} */ (input).value.trim();
        if (value) entries[/** @type {string} */ (key)] = value;
        else delete entries[/** @type {string} */ (key)];
      }
      try {
        await api.patch(`/api/organizations/${org.id}`, { name: name.value.trim(), description: description.value.trim(),
          contact: entries });
        await ctx.app.reloadTeams();
        ctx.toasts.success("The settings were saved.");
      } catch (e) {
        ctx.toasts.error(e);
      }
    });

    // --- members ---
    /** @param {any} m */
    const manageable = (m) => teams.can("membership", "change", m) && m.role !== "owner"
      && ROLES.indexOf(acting || "worker") > ROLES.indexOf(m.role);
    const memberRow = (/** @type {any} */ m) => {
      const self = m.user?.id === ctx.user.id;
      let role;
      if (manageable(m)) {
        role = /** @type {HTMLSelectElement} */ (h("select", { class: "member-role", "aria-label": `Role of ${m.user.username}` },
          grantable.map((r) => h("option", { value: r, selected: r === m.role }, r))));
        role.addEventListener("change", async () => {
          try {
            await api.patch(`/api/memberships/${m.id}`, { role: role.value });
            ctx.toasts.success(`${m.user.username} is a ${role.value} now.`);
            m.role = role.value;
          } catch (e) {
            role.value = m.role;
            ctx.toasts.error(e);
          }
        });
      } else role = h("span", { class: `badge role-${m.role}` }, m.role);
      const removable = !self && manageable(m);
      return h("tr", { dataset: { memberId: m.id, user: m.user?.username } },
        h("td", null, h("span", { class: "strong" }, m.user?.username), self ? h("span", { class: "muted" }, " (you)") : null,
          h("div", { class: "muted small" }, [m.user?.first_name, m.user?.last_name].filter(Boolean).join(" "))),
        h("td", null, role),
        h("td", { class: "muted small" }, formatDate(m.joined_date)),
        h("td", null, removable ? h("button", { type: "button", class: "button small danger", onclick: async () => {
          if (!await confirmDialog("Remove the member?", `${m.user.username} loses access to everything of “${org.slug}” at once.`,
            { confirm: "Remove", danger: true })) return;
          try {
            await api.delete(`/api/memberships/${m.id}`);
            ctx.toasts.success(`${m.user.username} was removed.`);
            await render();
          } catch (e) {
            ctx.toasts.error(e);
          }
        } }, "Remove") : null));
    };
    const leave = mine && mine.role !== "owner" ? h("button", { type: "button", class: "button danger", onclick: async () => {
      if (!await confirmDialog("Leave the organization?", `You lose access to everything of “${org.slug}”.`,
        { confirm: "Leave", danger: true })) return;
      try {
        await api.delete(`/api/memberships/${mine.id}`);
        await ctx.app.reloadTeams();
        ctx.app.switchOrganization("");
        ctx.toasts.success(`You left “${org.slug}”.`);
      } catch (e) {
        ctx.toasts.error(e);
      }
    } }, "Leave organization") : null;

    // --- invitations ---
    const email = /** @type {HTMLInputElement} */ (h("input", { type: "email", name: "invite-email", required: true,
      placeholder: "name@example.org", "aria-label": "Email of the person to invite" }));
    const inviteRole = /** @type {HTMLSelectElement} */ (h("select", { name: "invite-role", "aria-label": "Role" },
      grantable.map((r) => h("option", { value: r, selected: r === "worker" }, r))));
    const inviteError = h("p", { class: "form-error", role: "alert" });
    const inviteForm = h("form", { class: "row invite-form" }, email, inviteRole,
      h("button", { type: "submit", class: "button primary" }, "Invite"));
    inviteForm.addEventListener("submit", async (event) => {
      event.preventDefault();
      inviteError.textContent = "";
      try {
        if (!email.value.trim()) throw new Error("Give the email of the person to invite.");
        const sent = await api.post("/api/invitations", { email: email.value.trim(), role: inviteRole.value });
        ctx.toasts.success(`${sent.user?.username || email.value.trim()} was invited as a ${sent.role}.`);
        await render();
      } catch (e) {
        inviteError.textContent = messageOf(e);
      }
    });
    const invitationRow = (/** @type {any} */ i) => h("tr", { dataset: { invitation: i.key, user: i.user?.username } },
      h("td", null, i.user?.username || "—"),
      h("td", null, h("span", { class: "badge" }, i.role)),
      h("td", null, i.owner?.username || "—"),
      h("td", { class: "muted small" }, formatDate(i.created_date), i.expired ? h("span", { class: "badge expired" }, " expired") : null),
      h("td", { class: "row" },
        teams.can("invitation", "resend", i) ? h("button", { type: "button", class: "button small", onclick: async () => {
          try {
            await api.post(`/api/invitations/${encodeURIComponent(i.key)}/resend`);
            ctx.toasts.success(`The invitation of ${i.user?.username} was sent again.`);
            await render();
          } catch (e) {
            ctx.toasts.error(e);
          }
        } }, "Resend") : null,
        teams.can("invitation", "delete", i) ? h("button", { type: "button", class: "button small danger", onclick: async () => {
          try {
            await api.delete(`/api/invitations/${encodeURIComponent(i.key)}`);
            ctx.toasts.success(`The invitation of ${i.user?.username} was withdrawn.`);
            await render();
          } catch (e) {
            ctx.toasts.error(e);
          }
        } }, "Delete") : null));

    const canDelete = teams.can("organization", "delete", org);
    replace(element,
      h("div", { class: "page-header" },
        h("div", null, h("div", { class: "muted small" }, `Organization · ${org.slug}`),
          h("h1", null, org.name || org.slug),
          h("div", { class: "muted small" }, `Owner: ${org.owner?.username || "—"} · your role: ${teams.role || "administrator"}`)),
        h("div", { class: "row actions" }, leave,
          canDelete ? h("button", { type: "button", class: "button danger delete-org", onclick: async () => {
            if (!await confirmBySlug(org.slug)) return;
            try {
              await api.delete(`/api/organizations/${org.id}`);
              await ctx.app.reloadTeams();
              ctx.app.switchOrganization("");
              ctx.toasts.success(`The organization “${org.slug}” was deleted.`);
            } catch (e) {
              ctx.toasts.error(e);
            }
          } }, "Delete organization") : null)),
      settings,
      h("section", { class: "card org-members" }, h("h2", null, `Members (${members.length})`),
        h("table", { class: "table members-table" },
          h("thead", null, h("tr", null, ["Member", "Role", "Joined", ""].map((t) => h("th", null, t)))),
          h("tbody", null, members.map(memberRow)))),
      canInvite || pending.length ? h("section", { class: "card org-invitations" }, h("h2", null, "Invitations"),
        canInvite ? [h("p", { class: "muted small" }, "Invite someone with an account here by their email; they become a ",
          "member when they accept (in the app, or by the mailed link when mail is set up)."), inviteForm, inviteError] : null,
        pending.length ? h("table", { class: "table invitations-table" },
          h("thead", null, h("tr", null, ["Invited", "Role", "By", "Sent", ""].map((t) => h("th", null, t)))),
          h("tbody", null, pending.map(invitationRow))) : h("p", { class: "muted" }, "No pending invitations.")) : null);
  };
  render().catch((error) => {
    replace(element, h("h1", null, "Organization not available"), h("p", { class: "form-error" }, messageOf(error)));
  });
  return { element };
}
