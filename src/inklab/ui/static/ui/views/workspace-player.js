// Frames and playback of the workspace: the frame images (fetched, decoded off the main thread,
// cached, prefetched in the direction of travel) and the playback loop.
//
// A jump fetches the frame wanted on its own (a small request), then the chunk holding it and the
// next frames, from which stepping on is served. Playing fetches
// the job's zip chunks two seconds ahead of the playhead (one request per ``chunk_size`` frames),
// decodes 0.6 seconds of frames ahead and frees the frames behind. The loop is a timer on a clock
// at the chosen speed (not an animation-frame loop, which would make the browser produce a frame
// on every refresh): a frame is shown when it is due and decoded; one that is not decoded yet is
// waited for (never skipped), and the clock restarts after such a stall instead of rushing to
// catch up. A frame is never replaced before the canvas has drawn it.

import { ChunkSource } from "../annotation/chunks.js";
import { FrameLoader } from "../annotation/frames.js";

/**
 * What the player needs of the workspace.
 * @typedef {{
 *   jobId: number, job: any, meta: any, frame: number, destroyed: boolean, deleted: Set<number>,
 *   ctx: import("../app.js").Context, element: HTMLElement,
 *   canvas: import("../annotation/canvas.js").AnnotationCanvas,
 *   player: import("../components/player.js").Player,
 *   tracks: {nextKeyframe: () => number | null},
 *   frameSize: (frame: number) => {width: number, height: number},
 *   neighbour: (direction: number) => number,
 *   go: (frame: number, direction?: number) => Promise<void>,
 * }} WorkspaceLike
 */

/** Seconds of frames decoded ahead while playing (more only adds bursts of decoding at the start). */
const AHEAD_SECONDS = 0.6;
/** Seconds of frames whose chunks are fetched (not decoded) ahead while playing: time for a slow network. */
const FETCH_SECONDS = 2;
/** Frames decoded at once while playing (more, on two cores, starves the page's own thread). */
const PARALLEL = 2;
/**
 * ``localStorage`` key that turns back to the playback before chunks (one request per frame, six
 * frames ahead, a timer): for comparing the two in ``bench/ui_bench.py``.
 */
export const LEGACY_KEY = "inklab.playback.legacy";

/** The workspace's frame images and playback. */
export class WorkspacePlayer {
  /** @param {WorkspaceLike} workspace */
  constructor(workspace) {
    const ws = this.ws = workspace;
    const { api } = ws.ctx;
    const { start_frame: first, stop_frame: last } = ws.job;
    const size = ws.frameSize(first);
    this.legacy = readLegacy();
    /** @type {ChunkSource | null} */
    this.chunks = this.legacy || !ws.meta.chunk_size ? null
      : new ChunkSource((index, signal) => api.jobChunk(ws.jobId, index, signal),
        { start: first, stop: last, chunkSize: ws.meta.chunk_size });
    this.frames = new FrameLoader((frame, signal) => this.fetchFrame(frame, signal),
      { first, last, pixels: size.width * size.height });
    this.idleAhead = this.frames.ahead;
    this.idleParallel = this.frames.parallel;
    /** Frames are being played. */
    this.playing = false;
    /** @type {number} the timer of the loop (0: none) */
    this.loop = 0;
    /** Counts the times playing started (a late callback of an earlier run does nothing). */
    this.session = 0;
    /** Frames that were due but not decoded yet, since playing started (for tests and benchmarks). */
    this.stalls = 0;
    this.skip = (/** @type {number} */ f) => ws.deleted.has(f);
    // A new speed applies at once while playing.
    ws.player.speed.addEventListener("change", () => {
      if (!this.playing) return;
      this.stop();
      this.play();
    });
  }

  /**
   * One frame's image: from its chunk while playing or when the chunk is here already, else on its own.
   * @param {number} frame @param {AbortSignal} signal
   * @returns {Promise<ImageBitmap>}
   */
  async fetchFrame(frame, signal) {
    const { chunks } = this;
    if (chunks && !chunks.broken(frame) && (this.playing || chunks.holds(frame))) {
      try {
        return await createImageBitmap(await chunks.frame(frame));
      } catch (error) {
        // A chunk that cannot be read (one bad frame spoils it): the frame on its own.
        if (signal.aborted) throw error;
      }
    }
    return this.ws.ctx.api.frameBitmap(this.ws.jobId, frame, signal);
  }

  /**
   * Draw a frame's image as soon as it is decoded (at once when it was prefetched), and prefetch
   * its neighbours in the direction of travel.
   * @param {number} frame @param {number} direction
   */
  async show(frame, direction) {
    const { ws, frames } = this;
    const cached = frames.has(frame);
    const loaded = frames.get(frame);  // asked for first: first in line, before the neighbours
    frames.prefetch(frame, direction, this.skip);
    if (this.playing) frames.dropBehind(frame, direction);
    const size = ws.frameSize(frame);
    if (!cached) ws.element.classList.add("frame-loading");
    try {
      const bitmap = await loaded;
      if (ws.frame !== frame || ws.destroyed) return;
      ws.canvas.setImage(bitmap, size.width > 1 ? size.width : bitmap.width, size.height > 1 ? size.height : bitmap.height);
      if (!cached) ws.canvas.renderNow();
    } catch (error) {
      if (ws.frame === frame) ws.ctx.toasts.error(error);
    } finally {
      if (ws.frame === frame) ws.element.classList.remove("frame-loading");
    }
    this.warm(frame);
  }

  /**
   * Fetch (not decode) the chunks holding this frame and the next ones: while playing, those of
   * the next ``FETCH_SECONDS``; between frames shown one by one, those of the frames prefetched,
   * so that stepping on and pressing Play need no more requests.
   * @param {number} frame
   */
  warm(frame) {
    const { chunks, frames, ws } = this;
    if (!chunks || ws.destroyed) return;
    const ahead = this.playing ? Math.round(ws.player.fps * FETCH_SECONDS) : frames.ahead;
    const last = Math.min(ws.job.stop_frame, frame + ahead);
    for (let index = chunks.indexOf(frame); index <= chunks.indexOf(last); index += 1) {
      if (!chunks.failed.has(index)) chunks.chunk(index).catch(() => {});  // its frames then come on their own
    }
  }

  toggle() {
    if (this.playing) this.stop();
    else this.play();
  }

  play() {
    const { ws, frames } = this;
    const fps = ws.player.fps;
    const interval = 1000 / fps;
    const stopAt = ws.player.untilKeyframe.checked ? ws.tracks.nextKeyframe() : null;
    this.playing = true;
    this.stalls = 0;
    ws.player.setPlaying(true);
    /** @returns {boolean} whether playing is over */
    const ended = () => {
      const next = ws.navigation.neighbour(1);
      if (next === ws.frame || (stopAt !== null && ws.frame >= stopAt)) {
        this.stop();
        return true;
      }
      return false;
    };
    if (this.legacy) {
      // Before chunks: a timer, and a frame shown when its own request came back.
      let waited = false;
      this.loop = window.setInterval(() => {
        if (ended()) return;
        const next = ws.navigation.neighbour(1);
        if (!waited && !frames.has(next)) this.stalls += 1;
        waited = !frames.has(next);
        if (frames.has(next)) ws.go(next, 1);
        else frames.prefetch(ws.frame, 1, this.skip);
      }, interval);
      return;
    }
    frames.ahead = Math.max(this.idleAhead, Math.min(Math.round(fps * AHEAD_SECONDS), frames.capacity - frames.behind - 2));
    frames.parallel = PARALLEL;
    frames.prefetch(ws.frame, 1, this.skip);
    if (this.chunks) this.chunks.keep = Math.ceil((fps * FETCH_SECONDS) / this.chunks.chunkSize) + 2;
    const session = this.session += 1;
    let due = performance.now() + interval;
    let waiting = false;
    let drawn = -1;
    /** @param {number} delay ms */
    const schedule = (delay) => {
      if (this.playing && this.session === session) this.loop = window.setTimeout(step, Math.max(0, delay));
    };
    const step = () => {
      this.loop = 0;
      if (!this.playing || this.session !== session || ended()) return;
      const next = ws.navigation.neighbour(1);
      if (ws.canvas.renderCount === drawn) {
        // The frame before is not drawn yet (a speed above the display's rate): after it is.
        requestAnimationFrame(() => schedule(0));
        return;
      }
      if (!frames.has(next)) {
        // Not decoded yet: shown as soon as it is; the clock starts again then.
        if (!waiting) this.stalls += 1;
        waiting = true;
        frames.get(next).then(() => schedule(0), () => schedule(interval));
        return;
      }
      const now = performance.now();
      due = waiting || now - due > interval ? now + interval : due + interval;
      waiting = false;
      drawn = ws.canvas.renderCount;
      ws.go(next, 1);
      schedule(due - performance.now());
    };
    schedule(interval);
  }

  stop() {
    window.clearTimeout(this.loop);  // a timeout or, before chunks, an interval
    this.loop = 0;
    if (this.playing && !this.ws.destroyed) this.ws.element.dataset.playStalls = String(this.stalls);
    this.playing = false;
    this.frames.ahead = this.idleAhead;
    this.frames.parallel = this.idleParallel;
    this.ws.player?.setPlaying(false);
  }

  dispose() {
    this.stop();
    this.frames.dispose();
    this.chunks?.dispose();
  }
}

/** @returns {boolean} */
function readLegacy() {
  try {
    return window.localStorage.getItem(LEGACY_KEY) === "1";
  } catch {
    return false;
  }
}
