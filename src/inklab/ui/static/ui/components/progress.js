// A progress bar with a caption.

import { h } from "../dom.js";

/** A <progress> element and a caption; hidden until the first ``set``. */
export class ProgressBar {
  constructor() {
    this.bar = /** @type {HTMLProgressElement} */ (h("progress", { max: 100, value: 0 }));
    this.caption = h("span", { class: "progress-caption" });
    this.element = h("div", { class: "progress", hidden: true }, this.bar, this.caption);
  }

  /**
   * @param {number} fraction 0..1
   * @param {string} caption
   */
  set(fraction, caption) {
    this.element.hidden = false;
    this.bar.value = Math.round(Math.max(0, Math.min(1, fraction)) * 100);
    this.caption.textContent = caption;
  }

  hide() {
    this.element.hidden = true;
  }
}
