// Frame navigation of the workspace: first/previous/play/next/last, a slider, a frame number,
// the playback speed (CVAT's choices) and "play until the next keyframe". As in CVAT, a right
// click on the previous or next button chooses what they step to: the neighbouring frame, the
// nearest frame with objects (that pass the filter), or the nearest frame without annotations.

import { h, replace } from "../dom.js";
import { icon } from "./icons.js";

/** CVAT's player speeds, in frames per second. */
export const SPEEDS = /** @type {const} */ ([
  ["Fastest", 100], ["Fast", 50], ["Usual", 25], ["Slow", 15], ["Slower", 12], ["Slowest", 1],
]);

/** What the previous and next buttons (and D, F) step to. */
export const STEP_MODES = /** @type {const} */ ([
  ["frame", "Frame by frame", "frame"],
  ["objects", "Frames with objects (that pass the filter)", "frame with objects"],
  ["empty", "Frames without annotations", "frame without annotations"],
]);

/**
 * @typedef {"frame" | "objects" | "empty"} StepMode
 * @typedef {{first: number, last: number, onGo: (frame: number) => void, onPlay: () => void,
 *            onStep: (direction: 1 | -1) => void}} PlayerOptions
 *   ``onStep``: the previous (-1) or next (1) button, whose target depends on ``stepMode``
 */

/** The frame navigation bar; ``show`` updates it, its buttons call ``onGo`` / ``onPlay``. */
export class Player {
  /** @param {PlayerOptions} options */
  constructor(options) {
    this.options = options;
    /** @param {Node} text @param {string} title @param {() => void} action */
    const button = (text, title, action) => h("button", { type: "button", class: "icon-button player-button", title,
      "aria-label": title, onclick: action }, text);
    this.slider = /** @type {HTMLInputElement} */ (h("input", { type: "range", class: "frame-slider", min: options.first,
      max: options.last, step: 1, value: options.first, "aria-label": "Frame" }));
    this.slider.addEventListener("input", () => options.onGo(Number(this.slider.value)));
    this.number = /** @type {HTMLInputElement} */ (h("input", { type: "number", class: "frame-number", min: options.first,
      max: options.last, value: options.first, "aria-label": "Frame number" }));
    this.number.addEventListener("change", () => {
      const frame = Math.round(Number(this.number.value));
      if (Number.isFinite(frame)) options.onGo(Math.max(options.first, Math.min(options.last, frame)));
    });
    this.number.addEventListener("keydown", (e) => {
      if (e.key === "Enter") {
        this.number.dispatchEvent(new Event("change"));
        this.number.blur();
      }
      e.stopPropagation();  // typing digits must not trigger shortcuts
    });
    this.playButton = button(icon("play"), "Play (Space)", () => options.onPlay());
    this.name = h("span", { class: "frame-name muted", title: "" });
    /** Frames per second while playing. */
    this.fps = 25;
    this.speed = /** @type {HTMLSelectElement} */ (h("select", { class: "player-speed", "aria-label": "Playback speed",
      title: "Playback speed" }, SPEEDS.map(([name, fps]) => h("option", { value: String(fps), selected: fps === this.fps },
      `${name} (${fps} fps)`))));
    this.speed.addEventListener("change", () => { this.fps = Number(this.speed.value); this.speed.blur(); });
    this.untilKeyframe = /** @type {HTMLInputElement} */ (h("input", { type: "checkbox", class: "play-until-keyframe" }));
    this.untilKeyframe.addEventListener("change", () => this.untilKeyframe.blur());
    /** @type {StepMode} */
    this.stepMode = "frame";
    this.previousButton = button(icon("previous"), "", () => options.onStep(-1));
    this.nextButton = button(icon("next"), "", () => options.onStep(1));
    this.stepMenu = h("div", { class: "step-menu", role: "menu", hidden: true, "aria-label": "The previous and next buttons go to" },
      STEP_MODES.map(([mode, text]) => h("button", { type: "button", role: "menuitemradio", dataset: { mode },
        onclick: () => this.setStepMode(mode) }, text)));
    for (const b of [this.previousButton, this.nextButton]) {
      b.addEventListener("contextmenu", (e) => {
        e.preventDefault();
        this.openStepMenu(b);
      });
    }
    this.closeMenu = (/** @type {Event} */ e) => {
      if (e instanceof KeyboardEvent) {
        if (e.key !== "Escape") return;
        e.stopPropagation();  // Escape closes the menu only
      } else if (e.target instanceof Node && this.stepMenu.contains(e.target)) return;  // a choice: see setStepMode
      this.closeStepMenu();
    };
    this.element = h("div", { class: "player" },
      button(icon("first"), "First frame (Home)", () => options.onGo(options.first)),
      button(icon("backward"), "Back 10 frames (C)", () => this.step(-10)),
      this.previousButton,
      this.playButton,
      this.nextButton,
      button(icon("forward"), "Forward 10 frames (V)", () => this.step(10)),
      button(icon("last"), "Last frame (End)", () => options.onGo(options.last)),
      this.slider, this.number, h("span", { class: "muted" }, `/ ${options.last}`), this.name, this.stepMenu);
    this.setStepMode("frame");
    /** Speed and "to keyframe": placed by the page (they do not fit beside the buttons). */
    this.extras = h("div", { class: "player-extras" }, this.speed,
      h("label", { class: "checkbox small", title: "Playing stops at the next keyframe (of the selected track, or of any)" },
        this.untilKeyframe, "Play to keyframe"));
    this.frame = options.first;
  }

  /** @param {number} delta */
  step(delta) {
    this.options.onGo(Math.max(this.options.first, Math.min(this.options.last, this.frame + delta)));
  }

  /** @param {StepMode} mode what the previous and next buttons go to */
  setStepMode(mode) {
    const entry = STEP_MODES.find(([m]) => m === mode) || STEP_MODES[0];
    this.stepMode = entry[0];
    const what = entry[2];
    this.previousButton.title = `Previous ${what} (D) · right click: choose`;
    this.nextButton.title = `Next ${what} (F) · right click: choose`;
    this.previousButton.setAttribute("aria-label", `Previous ${what}`);
    this.nextButton.setAttribute("aria-label", `Next ${what}`);
    for (const b of [this.previousButton, this.nextButton]) b.dataset.step = this.stepMode;
    for (const item of this.stepMenu.querySelectorAll("button")) {
      item.setAttribute("aria-checked", String(item.dataset.mode === this.stepMode));
    }
    this.closeStepMenu();
  }

  /** @param {HTMLElement} anchor the button that was right-clicked */
  openStepMenu(anchor) {
    this.stepMenu.hidden = false;
    this.stepMenu.style.left = `${anchor.offsetLeft}px`;
    /** @type {HTMLElement | null} */ (this.stepMenu.querySelector('[aria-checked="true"]'))?.focus();
    document.addEventListener("pointerdown", this.closeMenu, true);
    document.addEventListener("keydown", this.closeMenu, true);
  }

  closeStepMenu() {
    if (this.stepMenu.hidden) return;
    this.stepMenu.hidden = true;
    document.removeEventListener("pointerdown", this.closeMenu, true);
    document.removeEventListener("keydown", this.closeMenu, true);
  }

  /**
   * @param {number} frame
   * @param {string} name the frame's file name
   * @param {boolean} deleted
   */
  show(frame, name, deleted) {
    this.frame = frame;
    this.slider.value = String(frame);
    if (document.activeElement !== this.number) this.number.value = String(frame);
    this.name.textContent = deleted ? `${name} (deleted)` : name;
    this.name.title = name;
  }

  /** @param {boolean} playing */
  setPlaying(playing) {
    replace(this.playButton, icon(playing ? "pause" : "play"));
    this.playButton.title = playing ? "Pause (Space)" : "Play (Space)";
  }

  focusNumber() {
    this.number.focus();
    this.number.select();
  }
}
