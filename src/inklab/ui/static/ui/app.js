// The application shell: header, the current view, messages, and the signed-in user.

import { ApiError } from "./api.js";
import { Toasts } from "./components/toast.js";
import { h, replace } from "./dom.js";

/**
 * @typedef {import("./api.js").Api} Api
 * @typedef {import("./router.js").Router} Router
 * @typedef {import("./router.js").Match} Match
 * @typedef {{element: HTMLElement, destroy?: () => void, canLeave?: () => boolean, fullscreen?: boolean}} View
 * @typedef {{api: Api, router: Router, toasts: Toasts, app: App, user: any}} Context
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
        this.toasts.error("Your session has ended; please sign in again.");
        this.router.guard = null;
        this.router.navigate(`/login?next=${encodeURIComponent(location.pathname + location.search)}`);
      }
    };
  }

  /** @returns {Context} */
  get context() {
    return { api: this.api, router: this.router, toasts: this.toasts, app: this, user: this.user };
  }

  /** Load the signed-in user (null when signed out). */
  async loadUser() {
    this.user = await this.api.currentUser();
    this.renderNav();
    return this.user;
  }

  renderNav() {
    const here = location.pathname;
    // Rebuild the links only when who is signed in changes; otherwise just move the highlight,
    // so that a click on a link is never lost to a re-render.
    const owner = this.user ? `user:${this.user.id}` : "anonymous";
    if (this.nav.dataset.owner === owner) {
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
    replace(this.nav,
      link("/projects", "Projects"), link("/tasks", "Tasks"), link("/jobs", "Jobs"), link("/models", "Models"),
      h("span", { class: "spacer" }),
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
    this.user = null;
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
