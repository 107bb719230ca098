// A searchable, paginated list of an API collection (tasks, projects, jobs), kept in the URL.

import { h, replace } from "../dom.js";
import { pager } from "./pager.js";

/**
 * @typedef {{
 *   api: import("../api.js").Api,
 *   path: string,
 *   query?: Record<string, any>,
 *   pageSize?: number,
 *   searchPlaceholder?: string,
 *   head: string[],
 *   row: (item: any) => HTMLElement,
 *   empty: string | HTMLElement,
 *   syncUrl?: boolean,
 *   onError: (error: unknown) => void,
 * }} ListOptions
 */

/** A table of items with a search box and page buttons. */
export class ResourceList {
  /** @param {ListOptions} options */
  constructor(options) {
    this.options = options;
    const params = new URLSearchParams(options.syncUrl ? location.search : "");
    this.page = Math.max(1, Number(params.get("page")) || 1);
    this.search = params.get("search") || "";
    this.pageSize = options.pageSize || 10;
    this.searchInput = /** @type {HTMLInputElement} */ (h("input", {
      type: "search", class: "search", placeholder: options.searchPlaceholder || "Search", value: this.search,
      "aria-label": "Search",
    }));
    let timer = 0;
    this.searchInput.addEventListener("input", () => {
      clearTimeout(timer);
      timer = window.setTimeout(() => {
        this.search = this.searchInput.value.trim();
        this.page = 1;
        this.load();
      }, 250);
    });
    this.body = h("tbody");
    this.footer = h("div", { class: "list-footer" });
    this.status = h("p", { class: "list-status muted" });
    this.element = h("div", { class: "resource-list" },
      this.searchInput,
      h("table", { class: "table" }, h("thead", null, h("tr", null, options.head.map((t) => h("th", null, t)))), this.body),
      this.status, this.footer);
    this.requestId = 0;
    this.load();
  }

  async load() {
    const id = ++this.requestId;
    this.status.textContent = "Loading…";
    let page;
    try {
      page = await this.options.api.get(this.options.path, {
        ...(this.options.query || {}), search: this.search, page: this.page, page_size: this.pageSize,
      });
    } catch (error) {
      if (id !== this.requestId) return;
      // A page past the end (after deletions) is a 404: fall back to the first page.
      if (this.page > 1) {
        this.page = 1;
        this.load();
        return;
      }
      this.status.textContent = "";
      this.options.onError(error);
      return;
    }
    if (id !== this.requestId) return;
    if (this.options.syncUrl) {
      const url = new URL(location.href);
      url.searchParams.set("page", String(this.page));
      if (this.search) url.searchParams.set("search", this.search);
      else url.searchParams.delete("search");
      history.replaceState(null, "", url.pathname + url.search);
    }
    replace(this.body, page.results.map((item) => this.options.row(item)));
    this.status.textContent = "";
    if (!page.results.length) replace(this.status, this.search ? `Nothing matches “${this.search}”.` : this.options.empty);
    replace(this.footer, page.count > this.pageSize ? pager({
      page: this.page, pageSize: this.pageSize, count: page.count,
      onPage: (p) => { this.page = p; this.load(); },
    }) : null);
  }
}

/**
 * A preview thumbnail that hides itself when there is no preview (404).
 * @param {string} src
 * @returns {HTMLElement}
 */
export function preview(src) {
  const img = /** @type {HTMLImageElement} */ (h("img", { class: "preview", src, alt: "", loading: "lazy" }));
  img.addEventListener("error", () => img.classList.add("missing"));
  return img;
}
