// Modal dialogs on top of the page (<dialog> element): forms, confirmations.

import { h } from "../dom.js";

/**
 * @typedef {{title: string, body: (HTMLElement | string)[], actions?: HTMLElement[], wide?: boolean,
 *            onClose?: () => void, className?: string}} DialogOptions
 */

/** A modal dialog; Escape and the close button close it. */
export class Dialog {
  /** @param {DialogOptions} options */
  constructor(options) {
    this.onClose = options.onClose || null;
    this.body = h("div", { class: "dialog-body" }, ...options.body);
    this.footer = h("div", { class: "dialog-actions" }, ...(options.actions || []));
    this.element = /** @type {HTMLDialogElement} */ (h("dialog", {
      class: `dialog ${options.wide ? "dialog-wide" : ""} ${options.className || ""}`,
      "aria-label": options.title,
    },
    h("header", { class: "dialog-header" }, h("h2", null, options.title),
      h("button", { type: "button", class: "icon-button", title: "Close", "aria-label": "Close",
        onclick: () => this.close() }, "×")),
    this.body, this.footer));
    this.element.addEventListener("close", () => {
      this.element.remove();
      this.onClose?.();
    });
  }

  /** @returns {this} */
  open() {
    document.body.append(this.element);
    this.element.showModal();
    return this;
  }

  close() {
    if (this.element.open) this.element.close();
  }
}

/**
 * Ask a yes/no question in a modal dialog.
 * @param {string} title
 * @param {string} message
 * @param {{confirm?: string, danger?: boolean}} [options]
 * @returns {Promise<boolean>}
 */
export function confirmDialog(title, message, options = {}) {
  return new Promise((resolve) => {
    // Answered on the click itself: the dialog's "close" event comes a task later, and a key
    // pressed meanwhile (Ctrl+S right after "Delete") must already see the answer's effect.
    /** @param {boolean} answer */
    const answer = (answer) => {
      resolve(answer);
      dialog.close();
    };
    const dialog = new Dialog({
      title,
      body: [h("p", null, message)],
      actions: [
        h("button", { type: "button", class: "button", onclick: () => answer(false) }, "Cancel"),
        h("button", { type: "button", class: `button ${options.danger ? "danger" : "primary"}`,
          onclick: () => answer(true) }, options.confirm || "OK"),
      ],
      onClose: () => resolve(false),  // Escape or the close button (after a click: already answered)
    }).open();
  });
}
