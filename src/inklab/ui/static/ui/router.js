// Client-side routing over the History API: /tasks/3, /jobs/7?frame=4, ...
//
// The server answers these routes with the same page, so deep links and reloads work, and any
// other path with that page and status 404 (src/inklab/ui/urls.py lists the routes of main.js).

/**
 * @typedef {{params: Record<string, string>, query: URLSearchParams, path: string}} Match
 * @typedef {{pattern: string, handler: (match: Match) => void | Promise<void>}} Route
 */

/** A route parameter that is an object id: a positive integer the API can hold. */
export const ID = "[1-9][0-9]{0,17}";

/**
 * @param {string} pattern e.g. "/tasks/:id", or "/tasks/:id(<regex>)" for a parameter that must match
 * @returns {RegExp}
 */
export function compile(pattern) {
  const source = pattern
    .split("/")
    .map((part) => {
      const param = /^:(\w+)(?:\((.+)\))?$/.exec(part);
      if (param) return `(?<${param[1]}>${param[2] ?? "[^/]+"})`;
      return part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    })
    .join("/");
  return new RegExp(`^${source}/?$`);
}

/** Maps paths to handlers; intercepts clicks on local links; asks ``guard`` before leaving a page. */
export class Router {
  constructor() {
    /** @type {{regex: RegExp, route: Route}[]} */
    this.routes = [];
    /** @type {((match: Match) => void) | null} */
    this.fallback = null;
    /**
     * Asked before leaving the current page; return false to stay (e.g. unsaved work).
     * @type {(() => boolean) | null}
     */
    this.guard = null;
    this.current = "";
    window.addEventListener("popstate", () => {
      const target = location.pathname + location.search;
      if (this.guard && !this.guard()) {
        history.pushState(null, "", this.current);  // undo the browser's move
        return;
      }
      this.guard = null;
      this.dispatch(target);
    });
    document.addEventListener("click", (event) => this.interceptLink(event));
  }

  /**
   * @param {string} pattern
   * @param {(match: Match) => void | Promise<void>} handler
   */
  on(pattern, handler) {
    this.routes.push({ regex: compile(pattern), route: { pattern, handler } });
    return this;
  }

  /**
   * Go to a path (adds a history entry unless ``replace``); refused when the guard says no.
   * @param {string} path
   * @param {{replace?: boolean}} [options]
   * @returns {boolean} whether navigation happened
   */
  navigate(path, options = {}) {
    if (this.guard && !this.guard()) return false;
    this.guard = null;
    if (options.replace) history.replaceState(null, "", path);
    else history.pushState(null, "", path);
    this.dispatch(path);
    return true;
  }

  /** Re-run the handler of the current location. */
  start() {
    this.dispatch(location.pathname + location.search);
  }

  /** @param {string} target */
  dispatch(target) {
    this.current = target;
    const url = new URL(target, location.origin);
    for (const { regex, route } of this.routes) {
      const found = regex.exec(url.pathname);
      if (found) {
        route.handler({ params: { ...(found.groups || {}) }, query: url.searchParams, path: url.pathname });
        return;
      }
    }
    this.fallback?.({ params: {}, query: url.searchParams, path: url.pathname });
  }

  /** @param {MouseEvent} event */
  interceptLink(event) {
    if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) {
      return;
    }
    const anchor = /** @type {HTMLElement} */ (event.target).closest?.("a");
    if (!anchor || anchor.target || anchor.hasAttribute("download")) return;
    const href = anchor.getAttribute("href");
    if (!href || href.startsWith("#") || anchor.dataset.external !== undefined) return;
    const url = new URL(href, location.href);
    if (url.origin !== location.origin || url.pathname.startsWith("/api/") || url.pathname.startsWith("/admin")) return;
    event.preventDefault();
    this.navigate(url.pathname + url.search);
  }
}
