// Searching a job's frames for the next one worth seeing: a frame with objects (those that pass
// the object filter, when one is set) or a frame without any annotation (CVAT's player modes).

/**
 * @typedef {"objects" | "empty"} SearchMode
 * @typedef {{obj: any, shape: any}} Entry
 * @typedef {{
 *   from: number, direction: 1 | -1, first: number, last: number, skip?: Set<number>,
 *   mode: SearchMode, passes?: ((entry: Entry) => boolean) | null,
 * }} SearchOptions
 *   ``from``: the frame shown (not itself a result); ``skip``: frames never returned (deleted
 *   ones); ``passes``: the object filter (objects mode only; none: every object counts)
 */

/**
 * The frames on which a track is drawn, as [start, end] pairs (end: Infinity after its last
 * keyframe): from each keyframe that is not outside to the next keyframe.
 * @param {any[]} shapes the track's keyframes, sorted by frame
 * @returns {[number, number][]}
 */
export function visibleSpans(shapes) {
  /** @type {[number, number][]} */
  const spans = [];
  for (let i = 0; i < shapes.length; i += 1) {
    if (shapes[i].outside) continue;
    const end = i + 1 < shapes.length ? shapes[i + 1].frame - 1 : Infinity;
    const last = spans[spans.length - 1];
    if (last && last[1] + 1 >= shapes[i].frame) last[1] = end;
    else spans.push([shapes[i].frame, end]);
  }
  return spans;
}

/**
 * The nearest frame after ``from`` (in ``direction``, within first..last, not skipped) that has
 * objects (passing ``passes``) or, in "empty" mode, has no shape, tag or visible track; null if none.
 * @param {import("./model.js").AnnotationStore} store
 * @param {SearchOptions} options
 * @returns {number | null}
 */
export function searchFrame(store, options) {
  const { from, direction, first, last, mode } = options;
  const skip = options.skip || new Set();
  const passes = mode === "objects" ? options.passes || null : null;
  const spans = [...store.tracks].map((t) => visibleSpans(t.data.shapes)).filter((s) => s.length);
  /** Whether a track is drawn on the frame (a binary search in each track's spans). @param {number} frame */
  const anyTrack = (frame) => spans.some((list) => {
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (list[mid][1] < frame) lo = mid + 1;
      else hi = mid;
    }
    return lo < list.length && list[lo][0] <= frame;
  });
  /** @param {number} frame */
  const hasObjects = (frame) => (store.byFrame.get(frame)?.size ?? 0) > 0 || anyTrack(frame);
  /** @param {number} frame */
  const matches = (frame) => {
    if (mode === "empty") return !hasObjects(frame);
    if (!hasObjects(frame)) return false;
    if (!passes) return true;
    const found = store.frameObjects(frame);
    return found.shapes.some((obj) => passes({ obj, shape: obj.data }))
      || found.tags.some((obj) => passes({ obj, shape: obj.data }))
      || found.tracks.some((entry) => passes(entry));
  };
  for (let frame = from + direction; frame >= first && frame <= last; frame += direction) {
    if (!skip.has(frame) && matches(frame)) return frame;
  }
  return null;
}
