// Annotation guides and their images over the REST API (/api/guides, /api/assets), through api.js.

/**
 * @typedef {{id: number, project_id: number | null, task_id: number | null, markdown: string,
 *            created_date: string, updated_date: string}} Guide
 * @typedef {{uuid: string, filename: string, guide_id: number}} Asset
 * @typedef {{resource: "projects" | "tasks", id: number}} GuideOwner
 */

/**
 * Read a guide.
 * @param {import("../api.js").Api} api
 * @param {number} id
 * @returns {Promise<Guide>}
 */
export function getGuide(api, id) {
  return api.get(`/api/guides/${id}`);
}

/**
 * Save the markdown of a project's or task's guide: create it when it has none yet.
 * @param {import("../api.js").Api} api
 * @param {GuideOwner} owner
 * @param {number | null} guideId the existing guide, if any
 * @param {string} markdown
 * @returns {Promise<Guide>}
 */
export function saveGuide(api, owner, guideId, markdown) {
  if (guideId !== null) return api.patch(`/api/guides/${guideId}`, { markdown });
  const key = owner.resource === "projects" ? "project_id" : "task_id";
  return api.post("/api/guides", { [key]: owner.id, markdown });
}

/**
 * Upload an image for a guide.
 * @param {import("../api.js").Api} api
 * @param {number} guideId
 * @param {File} file
 * @returns {Promise<Asset>}
 */
export function uploadGuideImage(api, guideId, file) {
  const form = new FormData();
  form.append("guide_id", String(guideId));
  form.append("file", file, file.name);
  return api.request("POST", "/api/assets", { body: form });
}

/**
 * The address an asset is served at (same origin: the session cookie authenticates it).
 * @param {string} uuid
 * @returns {string}
 */
export function assetUrl(uuid) {
  return `/api/assets/${encodeURIComponent(uuid)}`;
}
