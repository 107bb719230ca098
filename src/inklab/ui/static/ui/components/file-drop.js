// A drop zone for files: drag and drop, or click to choose; lists what was chosen.

import { h, replace, formatBytes } from "../dom.js";

/** A file chooser accepting drops; ``files`` holds the current choice. */
export class FileDrop {
  /**
   * @param {{accept?: string, multiple?: boolean, prompt?: string, onChange?: (files: File[]) => void}} [options]
   */
  constructor(options = {}) {
    this.multiple = options.multiple ?? true;
    this.onChange = options.onChange || (() => {});
    /** @type {File[]} */
    this.files = [];
    this.input = /** @type {HTMLInputElement} */ (h("input", { type: "file", multiple: this.multiple, accept: options.accept,
      class: "file-input", "aria-label": "Choose files" }));
    this.input.addEventListener("change", () => this.set([...(this.input.files || [])]));
    this.summary = h("div", { class: "file-summary muted" }, "Nothing chosen yet.");
    this.zone = h("div", { class: "drop-zone", tabindex: "0", role: "button",
      onclick: () => this.input.click(),
      onkeydown: (/** @type {KeyboardEvent} */ e) => { if (e.key === "Enter" || e.key === " ") { e.preventDefault(); this.input.click(); } },
    }, h("strong", null, options.prompt || "Drop files here"), h("span", { class: "muted" }, " or click to choose"), this.input);
    for (const name of ["dragenter", "dragover"]) {
      this.zone.addEventListener(name, (event) => {
        event.preventDefault();
        this.zone.classList.add("dragging");
      });
    }
    for (const name of ["dragleave", "drop"]) this.zone.addEventListener(name, () => this.zone.classList.remove("dragging"));
    this.zone.addEventListener("drop", (event) => {
      event.preventDefault();
      const dropped = [...(/** @type {DragEvent} */ (event).dataTransfer?.files || [])];
      if (dropped.length) this.set(this.multiple ? [...this.files, ...dropped] : dropped.slice(0, 1));
    });
    this.element = h("div", { class: "file-drop" }, this.zone, this.summary);
  }

  /** @param {File[]} files */
  set(files) {
    // The same file dropped twice would collide on the server (files are named by basename).
    const seen = new Set();
    this.files = files.filter((f) => (seen.has(f.name) ? false : (seen.add(f.name), true)));
    const total = this.files.reduce((sum, f) => sum + f.size, 0);
    replace(this.summary, this.files.length
      ? [h("span", null, `${this.files.length} file${this.files.length === 1 ? "" : "s"}, ${formatBytes(total)}`),
        h("button", { type: "button", class: "button small ghost", onclick: () => this.set([]) }, "Clear"),
        h("ul", { class: "file-list" }, this.files.slice(0, 8).map((f) => h("li", null, `${f.name} (${formatBytes(f.size)})`)),
          this.files.length > 8 ? h("li", { class: "muted" }, `… and ${this.files.length - 8} more`) : null)]
      : "Nothing chosen yet.");
    this.onChange(this.files);
  }
}
