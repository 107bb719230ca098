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
    this.closed = false;
    // Escape closes the dialog through the browser; its "close" event comes a task later.
    this.element.addEventListener("close", () => this.finish());
  }

  /** Take the dialog off the page and tell ``onClose``, once. */
  finish() {
    this.element.remove();
    if (this.closed) return;
    this.closed = true;
    this.onClose?.();
  }

  /** @returns {this} */
  open() {
    document.body.append(this.element);
    this.element.showModal();
    return this;
  }

  /**
   * Close it now: gone from the page and ``onClose`` called before this returns, so that a key
   * pressed right after a button's click (Ctrl+S after "Delete the track") sees the answer.
   */
  close() {
    if (this.element.open) this.element.close();
    this.finish();
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
    let answer = false;
    const dialog = new Dialog({
      title,
      body: [h("p", null, message)],
      actions: [
        h("button", { type: "button", class: "button", onclick: () => dialog.close() }, "Cancel"),
        h("button", { type: "button", class: `button ${options.danger ? "danger" : "primary"}`,
          onclick: () => { answer = true; dialog.close(); } }, options.confirm || "OK"),
      ],
      onClose: () => resolve(answer),
    }).open();
  });
}
