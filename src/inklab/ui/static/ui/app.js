// The application shell: header, the current view, messages, and the signed-in user.

import { ApiError } from "./api.js";
import { orgSwitcher } from "./components/org-switcher.js";
import { Toasts } from "./components/toast.js";
import { h, replace } from "./dom.js";
import { Teams } from "./teams.js";

/**
 * @typedef {import("./api.js").Api} Api
 * @typedef {import("./router.js").Router} Router
 * @typedef {import("./router.js").Match} Match
 * @typedef {{element: HTMLElement, destroy?: () => void, canLeave?: () => boolean, fullscreen?: boolean}} View
 * @typedef {{api: Api, router: Router, toasts: Toasts, app: App, user: any, teams: Teams}} Context
 * @typedef {(ctx: Context, match: Match) => View} ViewFactory
 */

/** Owns the page: renders the header, mounts one view at a time, keeps the signed-in user. */
export class App {
  /**
   * @param {HTMLElement} root
   * @param {Api} api
   * @param {Router} router
   */
  constructor(root, api, router) {
    this.root = root;
    this.api = api;
    this.router = router;
    this.toasts = new Toasts();
    /** @type {any} */
    this.user = null;
    /** The user's organizations, roles and current workspace. */
    this.teams = new Teams(api);
    /** @type {View | null} */
    this.view = null;
    this.nav = h("nav", { class: "top-nav", "aria-label": "Main" });
    this.header = h("header", { class: "app-header" },
      h("a", { href: "/", class: "brand" }, "inklab"), this.nav);
    this.main = h("main", { class: "app-main" });
    replace(root, this.header, this.main, this.toasts.element);
    api.onUnauthorized = () => {
      if (this.user) {
        this.user = null;
        void this.teams.load(null);
        this.toasts.error("Your session has ended; please sign in again.");
        this.router.guard = null;
        this.router.navigate(`/login?next=${encodeURIComponent(location.pathname + location.search)}`);
      }
    };
  }

  /** @returns {Context} */
  get context() {
    return { api: this.api, router: this.router, toasts: this.toasts, app: this, user: this.user, teams: this.teams };
  }

  /** Load the signed-in user (null when signed out). */
  async loadUser() {
    const user = await this.api.currentUser();
    await this.signedIn(user);
    return this.user;
  }

  /**
   * Take ``user`` as the signed-in user (null: signed out) and load their teams and workspace.
   * @param {any} user
   */
  async signedIn(user) {
    this.user = user;
    try {
      await this.teams.load(user);
    } catch (error) {
      this.toasts.error(error);
    }
    this.renderNav(true);
  }

  /** Reload the user's organizations and invitations (after joining, leaving, creating one). */
  async reloadTeams() {
    await this.signedIn(this.user);
  }

  /**
   * Work in another workspace: an organization's slug, or "" for the personal one. Lists show
   * the new workspace's objects; an object page goes back to its list (it may not be there).
   * @param {string} slug
   * @returns {boolean} whether the switch happened (unsaved work may keep the user where they are)
   */
  switchOrganization(slug) {
    if (this.router.guard && !this.router.guard()) {
      this.renderNav(true);
      return false;
    }
    this.router.guard = null;
    this.teams.choose(slug);
    this.renderNav(true);
    const lists = ["/projects", "/tasks", "/jobs", "/models", "/organization", "/invitations"];
    const here = location.pathname.replace(/\/$/, "");
    if (lists.includes(here)) this.router.navigate(here, { replace: true });
    else this.router.navigate(here.startsWith("/projects") ? "/projects" : "/tasks");
    return true;
  }

  /** @param {boolean} [force] rebuild the links (the user, their workspace or invitations changed) */
  renderNav(force = false) {
    const here = location.pathname;
    // Rebuild the links only when who is signed in changes; otherwise just move the highlight,
    // so that a click on a link is never lost to a re-render.
    const owner = this.user ? `user:${this.user.id}` : "anonymous";
    if (this.nav.dataset.owner === owner && !force) {
      for (const a of this.nav.querySelectorAll("a[href^='/']")) {
        const href = a.getAttribute("href") || "";
        a.classList.toggle("active", !a.hasAttribute("data-external") && here.startsWith(href));
      }
      return;
    }
    this.nav.dataset.owner = owner;
    /** @param {string} href @param {string} text */
    const link = (href, text) => h("a", { href, class: here.startsWith(href) ? "active" : null }, text);
    if (!this.user) {
      replace(this.nav, h("span", { class: "spacer" }), link("/login", "Sign in"), link("/register", "Sign up"));
      return;
    }
    const waiting = this.teams.invitations.length;
    replace(this.nav,
      link("/projects", "Projects"), link("/tasks", "Tasks"), link("/jobs", "Jobs"), link("/models", "Models"),
      h("span", { class: "spacer" }),
      waiting ? h("a", { href: "/invitations", class: `invitations-link${here.startsWith("/invitations") ? " active" : ""}`,
        title: "Invitations to organizations" }, "Invitations ", h("span", { class: "count-badge" }, String(waiting))) : null,
      orgSwitcher(this.context),
      this.user.is_staff || this.user.is_superuser ? h("a", { href: "/admin/", "data-external": "" }, "Admin") : null,
      h("span", { class: "user-name", title: this.user.email || "" }, this.user.username),
      h("button", { type: "button", class: "button small", onclick: () => this.signOut() }, "Sign out"));
  }

  async signOut() {
    if (this.router.guard && !this.router.guard()) return;
    this.router.guard = null;
    try {
      await this.api.logout();
    } catch (error) {
      if (!(error instanceof ApiError && error.status === 401)) this.toasts.error(error);
    }
    await this.signedIn(null);
    this.router.navigate("/login", { replace: true });
  }

  /**
   * Show a view for a route; views needing a user send signed-out visitors to the sign-in page.
   * @param {ViewFactory} factory
   * @param {Match} match
   * @param {{auth?: boolean}} [options]
   */
  show(factory, match, options = { auth: true }) {
    if (options.auth !== false && !this.user) {
      const next = encodeURIComponent(location.pathname + location.search);
      this.router.navigate(`/login?next=${next}`, { replace: true });
      return;
    }
    this.view?.destroy?.();
    this.router.guard = null;
    this.renderNav();
    let view;
    try {
      view = factory(this.context, match);
    } catch (error) {
      this.toasts.error(error);
      return;
    }
    this.view = view;
    document.body.classList.toggle("fullscreen-view", Boolean(view.fullscreen));
    if (view.canLeave) this.router.guard = view.canLeave;
    replace(this.main, view.element);
  }
}
