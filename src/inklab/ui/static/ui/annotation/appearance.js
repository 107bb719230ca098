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
 *   brightness: number, contrast: number, saturation: number, autosave: number,
 * }} Appearance
 * ``autosave``: seconds between automatic saves, 0 for none (one of AUTOSAVE_CHOICES).
 */

/** The autosave intervals offered, in seconds (0: off, the default). */
export const AUTOSAVE_CHOICES = [0, 5, 30, 60, 120, 300, 600];

/** @returns {Appearance} */
export function defaultAppearance() {
  return { fillOpacity: 0.12, selectedOpacity: 0.35, outline: null, colorBy: "label", showLabels: false,
    brightness: 100, contrast: 100, saturation: 100, autosave: 0 };
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
  if (AUTOSAVE_CHOICES.includes(stored.autosave)) settings.autosave = stored.autosave;
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

/** @param {string} hex "#rrggbb" @returns {[number, number, number]} OKLab (L, a, b) */
function oklab(hex) {
  const [r, g, b] = [1, 3, 5].map((i) => {
    const c = parseInt(hex.slice(i, i + 2), 16) / 255;
    return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  const l = Math.cbrt(0.4122214708 * r + 0.5363325363 * g + 0.0514459929 * b);
  const m = Math.cbrt(0.2119034982 * r + 0.6806995451 * g + 0.1073969566 * b);
  const s = Math.cbrt(0.0883024619 * r + 0.2817188376 * g + 0.6299787005 * b);
  return [0.2104542553 * l + 0.793617785 * m - 0.0040720468 * s, 1.9779984951 * l - 2.428592205 * m + 0.4505937099 * s,
    0.0259040371 * l + 0.7827717662 * m - 0.808675766 * s];
}

/**
 * How different two colours look: the distance in OKLab (0: the same; about 0.1 is clearly apart).
 * @param {string} a "#rrggbb" @param {string} b "#rrggbb" @returns {number}
 */
export function colorDistance(a, b) {
  const [x, y] = [oklab(a), oklab(b)];
  return Math.hypot(x[0] - y[0], x[1] - y[1], x[2] - y[2]);
}

/** Colours closer than this look alike next to each other. */
const DISTINCT = 0.12;

/**
 * A colour for a new label that looks unlike the ``used`` ones: the first colour of the palette far
 * enough from all of them (or, with very many labels, the one farthest from its nearest).
 * @param {string[]} used "#rrggbb" colours already given
 * @returns {string} "#rrggbb"
 */
export function distinctColor(used) {
  const valid = used.filter((c) => /^#[0-9a-f]{6}$/i.test(c));
  let best = paletteColor(0);
  let bestDistance = -1;
  for (let n = 0; n < 64; n += 1) {
    const color = paletteColor(n);
    const nearest = Math.min(Infinity, ...valid.map((c) => colorDistance(color, c)));
    if (nearest >= DISTINCT) return color;
    if (nearest > bestDistance) [best, bestDistance] = [color, nearest];
  }
  return best;
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
