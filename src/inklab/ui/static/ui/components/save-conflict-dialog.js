// The dialog shown when a save is refused because the job changed on the server since it was
// loaded (another tab, another person): what is unsaved here, what changed there, and the choice
// between reloading (losing the changes made here) and keeping them (writing them over the server's).

import { h } from "../dom.js";
import { confirmDialog, Dialog } from "./dialog.js";

/**
 * @typedef {"reload" | "keep" | "cancel"} ConflictChoice
 * @typedef {{tags?: any[], shapes?: any[], tracks?: any[], version?: number}} Labeled
 */

const KEYS = /** @type {const} */ (["tags", "shapes", "tracks"]);
const NOUN = { tag: "tag", shape: "shape", track: "track" };

/**
 * The ids the server holds now, by kind.
 * @param {Labeled | null} server
 * @returns {Set<number>}
 */
export function serverIds(server) {
  const ids = new Set();
  for (const key of KEYS) for (const item of server?.[key] || []) ids.add(item.id);
  return ids;
}

/**
 * What conflicts between the unsaved changes here and the server's annotations now.
 * @param {import("../annotation/model.js").AnnotationStore} store
 * @param {Labeled | null} server
 * @returns {{created: number, changed: number, deleted: number, goneThere: any[], newThere: number}}
 */
export function describeConflict(store, server) {
  const ids = serverIds(server);
  let created = 0;
  let changed = 0;
  const goneThere = [];
  for (const obj of store.changed) {
    if (obj.sid === null) created += 1;
    else {
      changed += 1;
      if (server && !ids.has(obj.sid)) goneThere.push(obj);
    }
  }
  const known = new Set();
  for (const obj of store.objects.values()) if (obj.sid !== null) known.add(obj.sid);
  for (const obj of store.removed) if (obj.sid !== null) known.add(obj.sid);
  let newThere = 0;
  for (const id of ids) if (!known.has(id)) newThere += 1;
  return { created, changed, deleted: store.removed.size, goneThere, newThere };
}

/**
 * Ask what to do about a refused save.
 * @param {import("../annotation/saving.js").SaveConflict} conflict
 * @param {import("../annotation/model.js").AnnotationStore} store
 * @param {Labeled | null} server the job's annotations now (null if they could not be read)
 * @returns {Promise<ConflictChoice>}
 */
export function openConflictDialog(conflict, store, server) {
  const d = describeConflict(store, server);
  const here = [];
  if (d.created) here.push(`${d.created} new`);
  if (d.changed) here.push(`${d.changed} changed`);
  if (d.deleted) here.push(`${d.deleted} deleted`);
  const there = server
    ? [h("li", { class: "conflict-new-there" }, `${d.newThere} object${d.newThere === 1 ? "" : "s"} on the server that you have not seen.`),
      ...d.goneThere.slice(0, 10).map((obj) => h("li", { class: "conflict-gone-there" },
        `${NOUN[/** @type {"tag" | "shape" | "track"} */ (obj.kind)]} #${obj.sid} (frame ${obj.data.frame}): you changed it; it was deleted on the server.`)),
      d.goneThere.length > 10 ? h("li", null, `… and ${d.goneThere.length - 10} more deleted there.`) : null]
    : [h("li", null, "The server's annotations could not be read to compare them.")];
  return new Promise((resolve) => {
    /** @type {ConflictChoice} */
    let choice = "cancel";
    const dialog = new Dialog({
      title: "The job changed on the server",
      className: "save-conflict-dialog",
      body: [
        h("p", null, `Someone saved this job since you loaded it (version ${conflict.loaded}; the server is at `
          + `version ${conflict.current}). Nothing of yours was written over their work.`),
        h("p", { class: "conflict-here" }, `Unsaved here: ${here.join(", ") || "nothing"}.`),
        h("ul", { class: "conflict-there" }, there),
      ],
      actions: [
        h("button", { type: "button", class: "button conflict-cancel", onclick: () => dialog.close() }, "Not now"),
        h("button", { type: "button", class: "button danger conflict-reload", onclick: () => {
          choice = "reload";
          dialog.close();
        } }, "Reload (lose mine)"),
        h("button", { type: "button", class: "button primary conflict-keep", onclick: async () => {
          const sure = await confirmDialog("Keep your changes?",
            "Your changes are written over the server's: objects you changed replace theirs, and objects you "
            + "changed that were deleted there come back. Their other changes stay.", { confirm: "Keep mine", danger: true });
          if (!sure) return;
          choice = "keep";
          dialog.close();
        } }, "Keep mine"),
      ],
      onClose: () => resolve(choice),
    }).open();
  });
}
