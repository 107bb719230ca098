// Moving between frames in the workspace: the neighbouring frame (deleted frames skipped), the
// nearest frame with objects that pass the filter or without annotations (CVAT's player modes
// and its Left/Right arrow search), and the frame kept in the page's address.

import { searchFrame } from "../annotation/frame-search.js";

/** The shortest time between two changes of the address (see ``rememberFrame``). */
const ADDRESS_INTERVAL_MS = 100;

/** The workspace's moves between frames (``ws.navigation``); ``ws.go`` shows the frame. */
export class FrameNavigation {
  /** @param {any} ws the workspace */
  constructor(ws) {
    this.ws = ws;
    /** @type {number} the timer that puts the frame in the address, and when it was last put */
    this.addressTimer = 0;
    this.addressAt = -Infinity;
  }

  /** @param {number} direction @returns {number} the next frame that is not deleted (this one at either end) */
  neighbour(direction) {
    const { frame, deleted, job } = this.ws;
    let next = frame + direction;
    while (next >= job.start_frame && next <= job.stop_frame && deleted.has(next)) next += direction;
    return next < job.start_frame || next > job.stop_frame ? frame : next;
  }

  /** The previous (-1) or next (1) button, or D / F: to what the player's step mode says. @param {1 | -1} direction */
  step(direction) {
    const mode = this.ws.player.stepMode;
    if (mode === "frame") this.ws.go(this.neighbour(direction), direction);
    else this.search(direction, mode);
  }

  /**
   * Go to the nearest frame, in ``direction``, with objects that pass the filter (any object
   * without one) or, for "empty", without annotations; say so when there is none.
   * @param {1 | -1} direction @param {"objects" | "empty"} mode
   * @returns {Promise<boolean>} whether such a frame was found
   */
  async search(direction, mode) {
    const ws = this.ws;
    const filter = ws.filter;
    const found = searchFrame(ws.store, {
      from: ws.frame, direction, first: ws.job.start_frame, last: ws.job.stop_frame, skip: ws.deleted, mode,
      passes: filter ? ({ obj, shape }) => filter(ws.recordOf(obj, shape)) : null,
    });
    if (found === null) {
      const where = direction > 0 ? "after" : "before";
      const what = mode === "empty" ? "without annotations" : filter ? "with objects that pass the filter" : "with objects";
      ws.ctx.toasts.info(`No frame ${where} ${ws.frame} ${what}.`);
      return false;
    }
    await ws.go(found, direction);
    return true;
  }

  /**
   * Put the frame in the address (?frame=), at most once in ``ADDRESS_INTERVAL_MS``: Chromium
   * ignores address changes beyond 200 in ten seconds (scrubbing at 60 frames a second makes
   * more), and each costs time. The last frame always gets there, at the latest one interval on.
   */
  rememberFrame() {
    if (this.addressTimer) return;  // the pending update writes the frame shown when it runs
    const since = performance.now() - this.addressAt;
    if (since >= ADDRESS_INTERVAL_MS) this.writeAddress();
    else {
      this.addressTimer = window.setTimeout(() => {
        this.addressTimer = 0;
        this.writeAddress();
      }, ADDRESS_INTERVAL_MS - since);
    }
  }

  writeAddress() {
    if (this.ws.destroyed) return;
    this.addressAt = performance.now();
    const url = new URL(location.href);
    url.searchParams.set("frame", String(this.ws.frame));
    history.replaceState(null, "", url.pathname + url.search);
  }

  dispose() {
    window.clearTimeout(this.addressTimer);
  }
}
