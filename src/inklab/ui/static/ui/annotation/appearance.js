// How the workspace shows annotations: fill opacities, outline colour, colouring by label,
// instance or group, captions, and the image's brightness, contrast and saturation. The
// settings are kept per user in the browser (localStorage), like CVAT's.
//
// Instance and group colours come from a perceptually spaced palette: hues stepped by the
// golden angle, lightness and chroma alternating, so neighbours in the sequence never look alike.

/**
 * @typedef {{
 *   fillOpacity: number, selectedOpacity: number, outline: string | null,
 *   colorBy: "label" | "instance" | "group", showLabels: boolean,
 *   brightness: number, contrast: number, saturation: number,
 * }} Appearance
 */

/** @returns {Appearance} */
export function defaultAppearance() {
  return { fillOpacity: 0.12, selectedOpacity: 0.35, outline: null, colorBy: "label", showLabels: false,
    brightness: 100, contrast: 100, saturation: 100 };
}

/** @param {string | number | null | undefined} user @returns {string} */
function storageKey(user) {
  return `inklab.workspace.appearance.${user ?? "anonymous"}`;
}

/**
 * The user's settings (defaults for what is missing or not valid).
 * @param {string | number | null | undefined} user
 * @returns {Appearance}
 */
export function loadAppearance(user) {
  const settings = defaultAppearance();
  let stored = null;
  try {
    stored = JSON.parse(localStorage.getItem(storageKey(user)) || "null");
  } catch {
    stored = null;
  }
  if (!stored || typeof stored !== "object") return settings;
  /** @param {unknown} v @param {number} lo @param {number} hi */
  const number = (v, lo, hi) => typeof v === "number" && Number.isFinite(v) && v >= lo && v <= hi;
  if (number(stored.fillOpacity, 0, 1)) settings.fillOpacity = stored.fillOpacity;
  if (number(stored.selectedOpacity, 0, 1)) settings.selectedOpacity = stored.selectedOpacity;
  if (typeof stored.outline === "string" && /^#[0-9a-f]{6}$/i.test(stored.outline)) settings.outline = stored.outline;
  if (["label", "instance", "group"].includes(stored.colorBy)) settings.colorBy = stored.colorBy;
  if (typeof stored.showLabels === "boolean") settings.showLabels = stored.showLabels;
  for (const name of /** @type {const} */ (["brightness", "contrast", "saturation"])) {
    if (number(stored[name], 0, 300)) settings[name] = stored[name];
  }
  return settings;
}

/** @param {string | number | null | undefined} user @param {Appearance} settings */
export function saveAppearance(user, settings) {
  try {
    localStorage.setItem(storageKey(user), JSON.stringify(settings));
  } catch {
    // Storage full or disabled: the settings last for this page only.
  }
}

/**
 * The CSS filter for the image, or "none".
 * @param {Appearance} settings @returns {string}
 */
export function imageFilter(settings) {
  const { brightness, contrast, saturation } = settings;
  if (brightness === 100 && contrast === 100 && saturation === 100) return "none";
  return `brightness(${brightness}%) contrast(${contrast}%) saturate(${saturation}%)`;
}

/** @param {number} h 0–360 @param {number} s 0–1 @param {number} l 0–1 @returns {string} "#rrggbb" */
function hsl(h, s, l) {
  const a = s * Math.min(l, 1 - l);
  const f = (/** @type {number} */ n) => {
    const k = (n + h / 30) % 12;
    const v = l - a * Math.max(-1, Math.min(k - 3, 9 - k, 1));
    return Math.round(v * 255).toString(16).padStart(2, "0");
  };
  return `#${f(0)}${f(8)}${f(4)}`;
}

/**
 * The n-th colour of the palette (n ≥ 0).
 * @param {number} n @returns {string} "#rrggbb"
 */
export function paletteColor(n) {
  const hue = (n * 137.508) % 360;
  const lightness = [0.55, 0.42, 0.68][n % 3];
  const saturation = [0.85, 0.7][Math.floor(n / 3) % 2];
  return hsl(hue, saturation, lightness);
}
