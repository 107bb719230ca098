// Pop-up messages in the corner of the page: information and errors.

import { h } from "../dom.js";

/** Shows short messages; errors stay until dismissed, others fade after a few seconds. */
export class Toasts {
  constructor() {
    this.element = h("div", { class: "toasts", role: "status", "aria-live": "polite" });
  }

  /**
   * @param {string} message
   * @param {"info" | "success" | "error"} [kind]
   * @returns {HTMLElement} the message element
   */
  show(message, kind = "info") {
    const item = h("div", { class: `toast toast-${kind}`, role: kind === "error" ? "alert" : null },
      h("span", { class: "toast-text" }, message),
      h("button", { class: "toast-close", type: "button", title: "Dismiss", "aria-label": "Dismiss",
        onclick: () => item.remove() }, "×"));
    this.element.append(item);
    if (kind !== "error") setTimeout(() => item.remove(), 4000);
    return item;
  }

  /** @param {string} message */
  info(message) {
    return this.show(message, "info");
  }

  /** @param {string} message */
  success(message) {
    return this.show(message, "success");
  }

  /** @param {unknown} error an Error or a message */
  error(error) {
    const message = error instanceof Error ? error.message : String(error);
    return this.show(message, "error");
  }
}
