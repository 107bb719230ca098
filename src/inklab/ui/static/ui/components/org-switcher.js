// The workspace switcher of the header: the personal workspace, each organization of the user,
// and "create organization"; with a link to the current organization's page.

import { h } from "../dom.js";
import { openCreateOrganizationDialog } from "../views/organization.js";

/** The value of the switcher's "create" entry (never a slug: slugs have no spaces). */
const CREATE = "+ create";

/**
 * @param {import("../app.js").Context} ctx
 * @returns {HTMLElement}
 */
export function orgSwitcher(ctx) {
  const { teams } = ctx;
  const current = teams.current;
  const select = /** @type {HTMLSelectElement} */ (h("select", { class: "org-switcher", "aria-label": "Workspace",
    title: "The workspace you work in: lists show its objects and new ones go there" },
  h("option", { value: "", selected: !current }, "Personal workspace"),
  teams.organizations.length ? h("optgroup", { label: "Organizations" },
    teams.organizations.map((o) => h("option", { value: o.slug, selected: o.slug === current?.slug },
      o.name ? `${o.name} (${o.slug})` : o.slug))) : null,
  h("option", { value: CREATE }, "+ Create organization…")));
  select.addEventListener("change", () => {
    if (select.value === CREATE) {
      select.value = current?.slug ?? "";
      openCreateOrganizationDialog(ctx);
      return;
    }
    ctx.app.switchOrganization(select.value);
  });
  return h("span", { class: "org-switch" }, select,
    current ? h("a", { href: "/organization", class: "org-link", title: `Settings and members of ${current.slug}` },
      "Organization") : null);
}
