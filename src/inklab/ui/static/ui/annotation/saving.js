// Saving a job's annotations: only what changed since the last save, as CVAT's clients do —
// PATCH ?action=delete (ids only), then ?action=update (changed objects with their ids), then
// ?action=create (new objects; the answer carries their ids, in order).
//
// Each request names the annotations version the store was loaded at (``?version=``): if someone
// changed the job since, the server refuses it with 409 and its current version, and the save
// stops with a SaveConflict instead of writing over their work. ``overwrite`` sends the same
// changes without the condition (the user chose to keep theirs).

import { ApiError } from "../api.js";

/**
 * @typedef {import("./model.js").AnnotationStore} AnnotationStore
 * @typedef {import("./model.js").Payload} Payload
 */

/** The job changed on the server since the store was loaded: nothing of this step was written. */
export class SaveConflict extends Error {
  /** @param {number} loaded the version the store had @param {number} current the server's */
  constructor(loaded, current) {
    super(`The job changed on the server since you loaded it (version ${loaded}; now ${current}).`);
    this.name = "SaveConflict";
    this.loaded = loaded;
    this.current = current;
  }
}

/** @param {Payload} payload @returns {boolean} */
const nonEmpty = (payload) => payload.tags.length + payload.shapes.length + payload.tracks.length > 0;

/**
 * Send the store's changes to ``/api/jobs/{jobId}/annotations``; each step that succeeds is
 * recorded at once (with the version it produced), so a failure half-way leaves the store knowing
 * exactly what is still unsaved. Edits made while the requests are on their way stay unsaved.
 * @param {import("../api.js").Api} api
 * @param {number} jobId
 * @param {AnnotationStore} store
 * @param {{overwrite?: boolean}} [options] overwrite: write even if the job changed meanwhile
 * @returns {Promise<number>} how many objects were sent (0: nothing to save)
 * @throws {SaveConflict} when the server has a newer version (and ``overwrite`` is not set)
 */
export async function saveChanges(api, jobId, store, options = {}) {
  const plan = store.plan();
  if (!plan.count) return 0;
  const path = `/api/jobs/${jobId}/annotations`;
  /** @param {Payload} payload @param {string} action */
  const send = async (payload, action) => {
    const query = options.overwrite ? { action } : { action, version: store.version };
    try {
      const answer = await api.patch(path, payload, query);
      if (typeof answer?.version === "number") store.version = answer.version;
      return answer;
    } catch (error) {
      if (error instanceof ApiError && error.status === 409 && typeof error.body?.version === "number") {
        throw new SaveConflict(store.version, error.body.version);
      }
      throw error;
    }
  };
  if (nonEmpty(plan.delete)) {
    await send(plan.delete, "delete");
    store.savedDeletions(plan);
  }
  if (nonEmpty(plan.update)) {
    await send(plan.update, "update");
    store.savedUpdates(plan);
  }
  if (nonEmpty(plan.create)) {
    store.savedCreations(plan, await send(plan.create, "create"));
  }
  return plan.count;
}
