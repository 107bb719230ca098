// Inline SVG icons (24×24, stroked), so the UI needs no icon font or emoji font.

import { svgIcon } from "../dom.js";

const PATHS = {
  first: '<path d="M6 5v14M18 5l-9 7 9 7z"/>',
  last: '<path d="M18 5v14M6 5l9 7-9 7z"/>',
  previous: '<path d="M15 5l-8 7 8 7z"/>',
  next: '<path d="M9 5l8 7-8 7z"/>',
  play: '<path d="M7 4l13 8-13 8z"/>',
  pause: '<path d="M8 5v14M16 5v14"/>',
  backward: '<path d="M12 5l-8 7 8 7zM20 5l-8 7 8 7z"/>',
  forward: '<path d="M12 5l8 7-8 7zM4 5l8 7-8 7z"/>',
  lock: '<rect x="5" y="11" width="14" height="9" rx="2"/><path d="M8 11V8a4 4 0 018 0v3"/>',
  unlock: '<rect x="5" y="11" width="14" height="9" rx="2"/><path d="M8 11V8a4 4 0 017.5-2"/>',
  eye: '<path d="M2 12s4-7 10-7 10 7 10 7-4 7-10 7S2 12 2 12z"/><circle cx="12" cy="12" r="3"/>',
  eyeOff: '<path d="M3 3l18 18M10.6 6.1A9.8 9.8 0 0112 6c6 0 10 6 10 6a17 17 0 01-3.2 3.8M6.6 6.6C3.8 8.4 2 12 2 12s4 7 10 7a9.6 9.6 0 004.5-1.1"/>',
  trash: '<path d="M4 7h16M9 7V4h6v3M6 7l1 13h10l1-13"/>',
  up: '<path d="M12 19V5M5 12l7-7 7 7"/>',
  down: '<path d="M12 5v14M5 12l7 7 7-7"/>',
};

/**
 * An icon by name.
 * @param {keyof typeof PATHS} name
 * @returns {SVGSVGElement}
 */
export function icon(name) {
  return svgIcon(PATHS[name]);
}
