// Frame navigation of the workspace: first/previous/play/next/last, a slider, a frame number,
// the playback speed (CVAT's choices) and "play until the next keyframe".

import { h, replace } from "../dom.js";
import { icon } from "./icons.js";

/** CVAT's player speeds, in frames per second. */
export const SPEEDS = /** @type {const} */ ([
  ["Fastest", 100], ["Fast", 50], ["Usual", 25], ["Slow", 15], ["Slower", 12], ["Slowest", 1],
]);

/**
 * @typedef {{first: number, last: number, onGo: (frame: number) => void, onPlay: () => void}} PlayerOptions
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
    this.element = h("div", { class: "player" },
      button(icon("first"), "First frame (Home)", () => options.onGo(options.first)),
      button(icon("backward"), "Back 10 frames (C)", () => this.step(-10)),
      button(icon("previous"), "Previous frame (D)", () => this.step(-1)),
      this.playButton,
      button(icon("next"), "Next frame (F)", () => this.step(1)),
      button(icon("forward"), "Forward 10 frames (V)", () => this.step(10)),
      button(icon("last"), "Last frame (End)", () => options.onGo(options.last)),
      this.slider, this.number, h("span", { class: "muted" }, `/ ${options.last}`), this.name);
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
