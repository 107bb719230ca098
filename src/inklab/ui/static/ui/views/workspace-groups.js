// Grouping in the workspace: G starts picking objects (clicks), G again puts the picked ones
// in a new group; Shift+G takes the selected object out of its group; Esc cancels.

/**
 * @typedef {{
 *   editor: import("../annotation/editor.js").AnnotationEditor,
 *   store: import("../annotation/model.js").AnnotationStore, current: any,
 *   ctx: import("../app.js").Context, updateHint: () => void,
 * }} WorkspaceLike
 */

/** The group picking state of the workspace. */
export class GroupMode {
  /** @param {WorkspaceLike} workspace */
  constructor(workspace) {
    this.ws = workspace;
    /** @type {Set<number> | null} cids picked (null: not grouping) */
    this.picking = null;
  }

  /** The hint while picking, or null. */
  get hint() {
    return this.picking ? `Grouping: click the objects of the group, then G again (Esc cancels). Picked: ${this.picking.size}` : null;
  }

  /**
   * While picking, a click on an object picks it (or unpicks it).
   * @param {number | null} cid
   */
  picked(cid) {
    if (!this.picking || cid === null) return;
    if (this.picking.has(cid)) this.picking.delete(cid);
    else this.picking.add(cid);
    this.ws.updateHint();
  }

  /** G: start picking (with the selected object), or make the group. */
  toggle() {
    if (!this.picking) {
      this.picking = new Set(this.ws.current && this.ws.current.kind !== "tag" ? [this.ws.current.cid] : []);
      this.ws.updateHint();
      return;
    }
    const objs = [...this.picking].map((cid) => this.ws.store.objects.get(cid)).filter((o) => o && o.present && !o.locked);
    this.picking = null;
    if (objs.length) {
      const group = this.ws.editor.newGroup();
      this.ws.editor.setGroup(/** @type {any[]} */ (objs), group);
      this.ws.ctx.toasts.info(`Group ${group}: ${objs.length} objects.`);
    }
    this.ws.updateHint();
  }

  /** Shift+G: the selected object leaves its group. */
  ungroup() {
    const obj = this.ws.current;
    if (obj && obj.kind !== "tag" && !obj.locked && obj.data.group) this.ws.editor.setGroup([obj], 0);
  }

  /** Esc: stop picking. @returns {boolean} whether it was picking */
  cancel() {
    if (!this.picking) return false;
    this.picking = null;
    this.ws.updateHint();
    return true;
  }
}
