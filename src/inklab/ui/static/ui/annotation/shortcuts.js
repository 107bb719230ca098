// Keyboard shortcuts of the annotation workspace: one table, used both to dispatch keys and
// to list them in the help dialog.

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
  { group: "General", keys: ["Escape"], action: "cancel", description: "Cancel drawing, or unselect" },
  { group: "Frames", keys: ["F", "ArrowRight"], action: "next", description: "Next frame" },
  { group: "Frames", keys: ["D", "ArrowLeft"], action: "previous", description: "Previous frame" },
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

/** @type {Map<string, string>} */
const byCombo = new Map(SHORTCUTS.flatMap((s) => s.keys.filter(() => s.action).map((k) => [k.toUpperCase(), s.action])));

/**
 * The action of a keyboard event, or null.
 * @param {KeyboardEvent} event
 * @returns {string | null}
 */
export function actionOf(event) {
  return byCombo.get(comboOf(event).toUpperCase()) ?? null;
}
