// The signed-in user's teams: the organizations they belong to, their role in each, the
// workspace they work in (remembered per user), and the invitations waiting for them.
//
// The chosen workspace is the API client's ``organization`` (sent as X-Organization on every
// request): a slug, or "" for the personal workspace.

import { can } from "./permissions.js";

/**
 * @typedef {import("./api.js").Api} Api
 * @typedef {{id: number, slug: string, name: string, description: string, contact: Record<string, string>,
 *            owner: any}} Organization
 */

/** @param {number} userId @returns {string} */
const storageKey = (userId) => `inklab.organization.${userId}`;

/** Organizations, roles, the current workspace and pending invitations of one user. */
export class Teams {
  /** @param {Api} api */
  constructor(api) {
    this.api = api;
    /** @type {any} */
    this.user = null;
    /** @type {Organization[]} organizations the user is an active member of (all of them for admins) */
    this.organizations = [];
    /** @type {Map<number, string>} organization id → the user's role */
    this.roles = new Map();
    /** @type {any[]} invitations to the user not yet answered */
    this.invitations = [];
  }

  /** @returns {Organization | null} the current organization (null: the personal workspace) */
  get current() {
    return this.organizations.find((o) => o.slug === this.api.organization) || null;
  }

  /** @returns {string | null} the user's role in the current organization */
  get role() {
    const org = this.current;
    return org ? this.roles.get(org.id) ?? null : null;
  }

  /** @returns {import("./permissions.js").Subject} */
  get subject() {
    return { user: this.user, roles: this.roles, organizationId: this.current?.id ?? null };
  }

  /**
   * Whether the user may do ``action`` (see permissions.js); hides the controls they may not use.
   * @param {string} resource
   * @param {string} action
   * @param {any} [obj]
   * @param {import("./permissions.js").Related} [related]
   */
  can(resource, action, obj = null, related = {}) {
    return can(this.subject, resource, action, obj, related);
  }

  /**
   * Load everything for ``user`` (null: signed out) and restore their workspace; a remembered
   * organization they no longer belong to falls back to the personal workspace.
   * @param {any} user
   */
  async load(user) {
    this.user = user;
    this.organizations = [];
    this.roles = new Map();
    this.invitations = [];
    if (!user) {
      this.api.organization = null;
      return;
    }
    // Without a context: every organization and membership of the user, whatever the workspace.
    const [organizations, memberships] = await Promise.all([
      this.api.listAll("/api/organizations", {}, { org: null }),
      this.api.listAll("/api/memberships", { user: user.username }, { org: null }),
    ]);
    for (const m of memberships) if (m.is_active && m.user?.id === user.id) this.roles.set(m.organization, m.role);
    const admin = Boolean(user.is_superuser || user.is_staff);
    this.organizations = organizations.filter((o) => admin || this.roles.has(o.id));
    let saved = "";
    try {
      saved = localStorage.getItem(storageKey(user.id)) || "";
    } catch {
      saved = "";
    }
    this.api.organization = this.organizations.some((o) => o.slug === saved) ? saved : "";
    await this.loadInvitations();
  }

  /** Refresh the invitations waiting for the user. */
  async loadInvitations() {
    if (!this.user) return;
    const all = await this.api.listAll("/api/invitations", {}, { org: null });
    this.invitations = all.filter((i) => i.user?.id === this.user.id && !i.accepted && !i.expired);
  }

  /**
   * Work in an organization (its slug) or in the personal workspace (""), remembered for the user.
   * @param {string} slug
   */
  choose(slug) {
    if (slug && !this.organizations.some((o) => o.slug === slug)) {
      throw new Error(`You are not a member of the organization “${slug}”.`);
    }
    this.api.organization = slug;
    try {
      if (this.user) localStorage.setItem(storageKey(this.user.id), slug);
    } catch {
      // Storage may be disabled; the choice then lasts until the page is reloaded.
    }
  }
}
