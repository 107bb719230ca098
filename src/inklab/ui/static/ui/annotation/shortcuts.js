// Keyboard shortcuts of the annotation workspace: one table, used both to dispatch keys and
// to list them in the help dialog. Users can change the key of an action (``Keymap``); their
// keys are kept per user in this browser.

/**
 * @typedef {{keys: string[], action: string, description: string, group: string}} Shortcut
 *   ``keys``: combinations such as "Ctrl+S", "Shift+Delete", "F" (case-insensitive letters)
 */

/** @type {Shortcut[]} */
export const SHORTCUTS = [
  { group: "General", keys: ["F1", "?"], action: "help", description: "Show or hide this list of shortcuts" },
  { group: "General", keys: ["Ctrl+S"], action: "save", description: "Save the annotations" },
  { group: "General", keys: ["Ctrl+Z"], action: "undo", description: "Undo the last change" },
  { group: "General", keys: ["Ctrl+Shift+Z", "Ctrl+Y"], action: "redo", description: "Redo what was undone" },
  { group: "General", keys: ["Escape"], action: "cancel",
    description: "Cancel drawing, or unselect; with nothing to cancel, move the focus to the toolbar" },
  { group: "General", keys: ["F6"], action: "focusRegion",
    description: "Move the focus between the canvas and the toolbar (Tab then moves through its buttons)" },
  { group: "Frames", keys: ["F"], action: "next",
    description: "Next frame (or, as chosen with a right click on the button, the next with objects or without annotations)" },
  { group: "Frames", keys: ["D"], action: "previous", description: "Previous frame (or as chosen on the button)" },
  { group: "Frames", keys: ["ArrowRight"], action: "nextSearch",
    description: "Next frame with objects that pass the filter (any object without a filter)" },
  { group: "Frames", keys: ["ArrowLeft"], action: "previousSearch",
    description: "Previous frame with objects that pass the filter (any object without a filter)" },
  { group: "Frames", keys: ["V"], action: "forward", description: "Jump forward by the step (10 frames)" },
  { group: "Frames", keys: ["C"], action: "backward", description: "Jump back by the step (10 frames)" },
  { group: "Frames", keys: ["Home"], action: "first", description: "First frame" },
  { group: "Frames", keys: ["End"], action: "last", description: "Last frame" },
  { group: "Frames", keys: [" "], action: "play", description: "Play or pause" },
  { group: "Frames", keys: ["`", "~"], action: "jump", description: "Type a frame number to go to" },
  { group: "Drawing", keys: ["N"], action: "draw", description: "Draw again with the last tool; finish a polygon, polyline or points" },
  { group: "Drawing", keys: ["Enter"], action: "finish", description: "Finish the shape being drawn" },
  { group: "Drawing", keys: ["Backspace"], action: "back", description: "Remove the last point while drawing" },
  { group: "Drawing", keys: ["Ctrl+1", "Ctrl+2", "Ctrl+3", "Ctrl+4", "Ctrl+5", "Ctrl+6", "Ctrl+7", "Ctrl+8", "Ctrl+9"],
    action: "label", description: "Give the selected object (or the next one drawn) label 1–9" },
  { group: "Objects", keys: ["Delete"], action: "delete", description: "Delete the selected object" },
  { group: "Objects", keys: ["Shift+Delete"], action: "forceDelete", description: "Delete it even if locked" },
  { group: "Objects", keys: ["L"], action: "lock", description: "Lock or unlock the selected object" },
  { group: "Objects", keys: ["H"], action: "hide", description: "Hide or show the selected object" },
  { group: "Objects", keys: ["Q", "/"], action: "occluded", description: "Mark the selected object occluded or not" },
  { group: "Objects", keys: ["+", "="], action: "forward-z", description: "Bring the selected object forward (z-order)" },
  { group: "Objects", keys: ["-", "_"], action: "backward-z", description: "Send the selected object backward (z-order)" },
  { group: "Objects", keys: ["Tab"], action: "nextObject", description: "Select the next object of the frame" },
  { group: "Objects", keys: ["Shift+Tab"], action: "previousObject", description: "Select the previous object" },
  { group: "Objects", keys: ["G"], action: "group", description: "Group: pick objects with clicks, G again puts them in a new group" },
  { group: "Objects", keys: ["Shift+G"], action: "ungroup", description: "Take the selected object out of its group" },
  { group: "Objects", keys: ["Ctrl+C"], action: "copy", description: "Copy the selected object" },
  { group: "Objects", keys: ["Ctrl+V"], action: "paste", description: "Paste the copied object on this frame" },
  { group: "Tracks", keys: ["O"], action: "outside", description: "Outside: the selected track ends on this frame (again: it is back)" },
  { group: "Tracks", keys: ["K"], action: "keyframe", description: "Make this frame a keyframe of the selected track, or not" },
  { group: "Tracks", keys: ["R"], action: "nextKeyframe", description: "Go to the next keyframe of the selected track" },
  { group: "Tracks", keys: ["E"], action: "previousKeyframe", description: "Go to the previous keyframe of the selected track" },
  { group: "Tracks", keys: ["M"], action: "merge", description: "Merge: pick shapes and tracks of one label (on any frame), M again makes one track" },
  { group: "Tracks", keys: ["Alt+M"], action: "split", description: "Split the selected track on this frame" },
  { group: "Tracks", keys: ["Ctrl+B"], action: "propagate", description: "Propagate: copy the selected shape onto the next N frames" },
  { group: "Tracks", keys: ["T"], action: "drawMode", description: "Draw shapes or tracks (the toolbar's shape / track switch)" },
  { group: "Attribute annotation mode", keys: ["1", "…", "9"], action: "", description: "Give the current attribute the value listed with the key" },
  { group: "Attribute annotation mode", keys: ["ArrowUp", "ArrowDown"], action: "", description: "Previous / next attribute" },
  { group: "Attribute annotation mode", keys: ["Tab", "Shift+Tab"], action: "", description: "Next / previous object (zoomed to)" },
  { group: "Tag annotation mode", keys: ["1", "…", "9"], action: "",
    description: "Put the tag of that key on the frame (again: take it off); with skip on, go to the next frame" },
  { group: "View", keys: ["Double click"], action: "", description: "On the image: fit it to the screen; on a polygon's edge: add a point" },
  { group: "View", keys: ["Wheel"], action: "", description: "Zoom around the pointer" },
  { group: "View", keys: ["Drag"], action: "", description: "On the background: pan (or with the middle button anywhere)" },
  { group: "View", keys: ["Alt+click", "Right click"], action: "", description: "On a point of the selected shape: delete it" },
];

/**
 * The combination of a keyboard event as written in SHORTCUTS ("Ctrl+Shift+Z", "F", "+").
 * @param {KeyboardEvent} event
 * @returns {string}
 */
export function comboOf(event) {
  const parts = [];
  if (event.ctrlKey || event.metaKey) parts.push("Ctrl");
  if (event.altKey) parts.push("Alt");
  let key = event.key;
  // Shift is part of the combination only where it does not just pick a symbol ("+", "?", "_").
  const symbol = key.length === 1 && !/[a-z0-9]/i.test(key);
  if (event.shiftKey && !symbol) parts.push("Shift");
  if (key.length === 1 && /[a-z]/i.test(key)) key = key.toUpperCase();
  if ((event.ctrlKey || event.metaKey) && /^Digit[0-9]$/.test(event.code)) key = event.code.slice(5);
  parts.push(key);
  return parts.join("+");
}

/**
 * The keys of each action, with a user's changes over the table above. A combination belongs to
 * one action at most: binding it to an action takes it from any other.
 */
export class Keymap {
  /** @param {Record<string, string[]>} [overrides] action → its keys, replacing the table's */
  constructor(overrides = {}) {
    /** @type {Record<string, string[]>} */
    this.overrides = {};
    for (const [action, keys] of Object.entries(overrides)) {
      if (ACTIONS.has(action) && Array.isArray(keys) && keys.every((k) => typeof k === "string" && k.length > 0 && k.length <= 40)) {
        this.overrides[action] = keys.slice(0, 9);
      }
    }
    /** @type {Map<string, string>} */
    this.byCombo = new Map();
    this.rebuild();
  }

  rebuild() {
    this.byCombo.clear();
    for (const s of SHORTCUTS) {
      if (!s.action) continue;
      for (const k of this.keysOf(s.action)) if (!this.byCombo.has(k.toUpperCase())) this.byCombo.set(k.toUpperCase(), s.action);
    }
  }

  /** @param {string} action @returns {string[]} the keys of an action (a user's, else the table's) */
  keysOf(action) {
    if (this.overrides[action]) return this.overrides[action];
    const taken = new Set(Object.values(this.overrides).flat().map((k) => k.toUpperCase()));
    return SHORTCUTS.filter((s) => s.action === action).flatMap((s) => s.keys).filter((k) => !taken.has(k.toUpperCase()));
  }

  /**
   * Make ``combo`` the one key of ``action`` (taken from any other action).
   * @param {string} action @param {string} combo as ``comboOf`` writes it
   */
  bind(action, combo) {
    if (!ACTIONS.has(action)) throw new Error(`no such action: ${action}`);
    for (const [other, keys] of Object.entries(this.overrides)) {
      this.overrides[other] = keys.filter((k) => k.toUpperCase() !== combo.toUpperCase());
    }
    this.overrides[action] = [combo];
    this.rebuild();
  }

  /** Back to the table's keys. */
  reset() {
    this.overrides = {};
    this.rebuild();
  }

  /** @param {KeyboardEvent} event @returns {string | null} the action of a keyboard event */
  actionOf(event) {
    return this.byCombo.get(comboOf(event).toUpperCase()) ?? null;
  }
}

const ACTIONS = new Set(SHORTCUTS.map((s) => s.action).filter(Boolean));
const defaultKeymap = new Keymap();

/**
 * The action of a keyboard event with the table's keys, or null.
 * @param {KeyboardEvent} event
 * @returns {string | null}
 */
export function actionOf(event) {
  return defaultKeymap.actionOf(event);
}

/** @param {string | number | null | undefined} user @returns {string} */
const storageKey = (user) => `inklab.workspace.shortcuts.${user ?? "anonymous"}`;

/**
 * A user's keymap as kept in this browser (the table's keys where nothing is kept).
 * @param {string | number | null | undefined} user @returns {Keymap}
 */
export function loadKeymap(user) {
  try {
    const stored = JSON.parse(localStorage.getItem(storageKey(user)) || "{}");
    return new Keymap(stored && typeof stored === "object" && !Array.isArray(stored) ? stored : {});
  } catch {
    return new Keymap();
  }
}

/** @param {string | number | null | undefined} user @param {Keymap} keymap */
export function saveKeymap(user, keymap) {
  try {
    localStorage.setItem(storageKey(user), JSON.stringify(keymap.overrides));
  } catch {
    // Storage full or disabled: the keys last for this page only.
  }
}
