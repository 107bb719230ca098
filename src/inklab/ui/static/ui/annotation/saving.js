// Saving a job's annotations: only what changed since the last save, as CVAT's clients do —
// PATCH ?action=delete (ids only), then ?action=update (changed objects with their ids), then
// ?action=create (new objects; the answer carries their ids, in order).

/**
 * @typedef {import("./model.js").AnnotationStore} AnnotationStore
 * @typedef {import("./model.js").Payload} Payload
 */

/** @param {Payload} payload @returns {boolean} */
const nonEmpty = (payload) => payload.tags.length + payload.shapes.length + payload.tracks.length > 0;

/**
 * Send the store's changes to ``/api/jobs/{jobId}/annotations``; each step that succeeds is
 * recorded at once, so a failure half-way leaves the store knowing exactly what is still unsaved.
 * Edits made while the requests are on their way stay unsaved.
 * @param {import("../api.js").Api} api
 * @param {number} jobId
 * @param {AnnotationStore} store
 * @returns {Promise<number>} how many objects were sent (0: nothing to save)
 */
export async function saveChanges(api, jobId, store) {
  const plan = store.plan();
  if (!plan.count) return 0;
  const path = `/api/jobs/${jobId}/annotations`;
  if (nonEmpty(plan.delete)) {
    await api.patch(path, plan.delete, { action: "delete" });
    store.savedDeletions(plan);
  }
  if (nonEmpty(plan.update)) {
    await api.patch(path, plan.update, { action: "update" });
    store.savedUpdates(plan);
  }
  if (nonEmpty(plan.create)) {
    store.savedCreations(plan, await api.patch(path, plan.create, { action: "create" }));
  }
  return plan.count;
}
