// Page controls for paginated lists: "‹ 1 2 3 ›" with a count.

import { h } from "../dom.js";

/**
 * @param {{page: number, pageSize: number, count: number, onPage: (page: number) => void}} options
 * @returns {HTMLElement}
 */
export function pager({ page, pageSize, count, onPage }) {
  const pages = Math.max(1, Math.ceil(count / pageSize));
  /** @param {number} target @param {string} text @param {string} label */
  const button = (target, text, label) => h("button", {
    type: "button", class: `page-button ${target === page ? "current" : ""}`, disabled: target < 1 || target > pages,
    "aria-label": label, "aria-current": target === page ? "page" : null, onclick: () => onPage(target),
  }, text);
  const numbers = [];
  const first = Math.max(1, Math.min(page - 2, pages - 4));
  for (let p = first; p <= Math.min(pages, first + 4); p += 1) numbers.push(button(p, String(p), `Page ${p}`));
  return h("nav", { class: "pager", "aria-label": "Pages" },
    button(page - 1, "‹", "Previous page"), ...numbers, button(page + 1, "›", "Next page"),
    h("span", { class: "pager-count" }, `${count} in all`));
}
