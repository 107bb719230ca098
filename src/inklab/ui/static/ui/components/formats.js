// The server's dataset formats (GET /api/server/annotation/formats), as <select> options.

import { h } from "../dom.js";

/**
 * @typedef {{name: string, ext: string, version: string, enabled: boolean, dimension: string}} Format
 */

/**
 * The enabled 2D formats of one direction.
 * @param {import("../api.js").Api} api
 * @param {"importers" | "exporters"} direction
 * @returns {Promise<Format[]>}
 */
export async function loadFormats(api, direction) {
  const body = await api.get("/api/server/annotation/formats");
  return (body[direction] || []).filter((f) => f.enabled && String(f.dimension).toUpperCase() === "2D");
}

/**
 * @param {Format[]} formats
 * @param {string} [preferred] selected when present
 * @returns {HTMLSelectElement}
 */
export function formatSelect(formats, preferred) {
  return /** @type {HTMLSelectElement} */ (h("select", { "aria-label": "Format", class: "format-select" },
    formats.map((f) => h("option", { value: f.name, selected: f.name === preferred }, `${f.name} (${f.ext})`))));
}
