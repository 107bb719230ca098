// Frame images of a job: fetched on demand, decoded off the main thread, cached, and the next
// frames prefetched in the direction of travel, so stepping through frames does not wait.

/**
 * @typedef {(frame: number, signal: AbortSignal) => Promise<ImageBitmap>} FetchFrame
 */

/** A bounded cache of decoded frames with prefetching. */
export class FrameLoader {
  /**
   * @param {FetchFrame} fetchFrame
   * @param {{first: number, last: number, pixels?: number, ahead?: number, behind?: number, parallel?: number}} options
   *   ``pixels``: pixels per frame (sets how many decoded frames are kept, about 600 MB at most)
   */
  constructor(fetchFrame, options) {
    this.fetchFrame = fetchFrame;
    this.first = options.first;
    this.last = options.last;
    this.ahead = options.ahead ?? 6;
    this.behind = options.behind ?? 2;
    this.parallel = options.parallel ?? 3;
    const perFrame = Math.max(1, (options.pixels || 1920 * 1080) * 4);
    this.capacity = Math.max(this.ahead + this.behind + 2, Math.min(96, Math.floor(600e6 / perFrame)));
    /** @type {Map<number, ImageBitmap>} insertion order = recency */
    this.ready = new Map();
    /** @type {Map<number, {promise: Promise<ImageBitmap>, controller: AbortController}>} */
    this.loading = new Map();
    /** @type {number[]} frames waiting for a free slot, most wanted first */
    this.queue = [];
    /** @type {Map<number, {resolve: (b: ImageBitmap) => void, reject: (e: unknown) => void, promise: Promise<ImageBitmap>}>} */
    this.waiting = new Map();
    this.current = options.first;
    /** @type {Set<number>} frames someone is waiting for (not just prefetched) */
    this.requested = new Set();
    /** Counters for tests and benchmarks. */
    this.stats = { hits: 0, misses: 0, fetched: 0 };
  }

  /** @param {number} frame @returns {boolean} */
  has(frame) {
    return this.ready.has(frame);
  }

  /**
   * Free the decoded frames more than ``keep`` frames behind ``frame`` in the direction of travel
   * (while playing: they will not be shown again soon, and the frames ahead need the room).
   * @param {number} frame @param {number} direction @param {number} [keep]
   */
  dropBehind(frame, direction, keep = this.behind) {
    for (const [f, bitmap] of this.ready) {
      if ((frame - f) * direction > keep) {
        bitmap.close();
        this.ready.delete(f);
      }
    }
  }

  /**
   * The decoded frame (from the cache when possible); puts it first in line otherwise.
   * @param {number} frame
   * @returns {Promise<ImageBitmap>}
   */
  get(frame) {
    const bitmap = this.ready.get(frame);
    if (bitmap) {
      this.stats.hits += 1;
      this.ready.delete(frame);
      this.ready.set(frame, bitmap);
      return Promise.resolve(bitmap);
    }
    this.stats.misses += 1;
    const inFlight = this.loading.get(frame);
    if (inFlight) return inFlight.promise;
    const pending = this.waiting.get(frame);
    this.requested.add(frame);
    this.queue = [frame, ...this.queue.filter((f) => f !== frame)];
    const result = pending ? pending.promise : this.deferred(frame);
    this.pump();
    return result;
  }

  /** @param {number} frame @returns {Promise<ImageBitmap>} */
  deferred(frame) {
    /** @type {(b: ImageBitmap) => void} */
    let resolve = () => {};
    /** @type {(e: unknown) => void} */
    let reject = () => {};
    const promise = new Promise((ok, fail) => { resolve = ok; reject = fail; });
    this.waiting.set(frame, { resolve, reject, promise });
    return promise;
  }

  /**
   * Note the frame being shown and queue its neighbours in the direction of travel.
   * @param {number} frame
   * @param {number} direction +1 forwards, -1 backwards
   * @param {(frame: number) => boolean} [skip] frames not worth loading (deleted ones)
   */
  prefetch(frame, direction = 1, skip = () => false) {
    this.current = frame;
    const wanted = [];
    for (let k = 1; k <= this.ahead; k += 1) wanted.push(frame + direction * k);
    for (let k = 1; k <= this.behind; k += 1) wanted.push(frame - direction * k);
    const useful = wanted.filter((f) => f >= this.first && f <= this.last && !skip(f) && !this.ready.has(f));
    const requested = this.queue.filter((f) => this.requested.has(f) && !useful.includes(f));
    for (const f of this.queue) {
      // Prefetches nobody needs any more leave the line.
      if (!this.requested.has(f) && !useful.includes(f)) this.waiting.delete(f);
    }
    this.queue = [...requested, ...useful];
    for (const f of useful) if (!this.waiting.has(f)) this.deferred(f).catch(() => {});
    this.pump();
  }

  pump() {
    while (this.loading.size < this.parallel && this.queue.length) {
      const frame = /** @type {number} */ (this.queue.shift());
      if (this.ready.has(frame) || this.loading.has(frame)) continue;
      const controller = new AbortController();
      const promise = this.fetchFrame(frame, controller.signal);
      this.loading.set(frame, { promise, controller });
      this.stats.fetched += 1;
      promise.then((bitmap) => {
        this.store(frame, bitmap);
        this.waiting.get(frame)?.resolve(bitmap);
      }, (error) => {
        this.waiting.get(frame)?.reject(error);
      }).finally(() => {
        this.waiting.delete(frame);
        this.requested.delete(frame);
        this.loading.delete(frame);
        this.pump();
      });
    }
  }

  /** @param {number} frame @param {ImageBitmap} bitmap */
  store(frame, bitmap) {
    this.ready.set(frame, bitmap);
    while (this.ready.size > this.capacity) {
      // Evict the least recently used frame, but never the one on screen.
      const [oldest] = this.ready.keys();
      if (oldest === this.current && this.ready.size > 1) {
        const kept = /** @type {ImageBitmap} */ (this.ready.get(oldest));
        this.ready.delete(oldest);
        this.ready.set(oldest, kept);
        continue;
      }
      this.ready.get(oldest)?.close();
      this.ready.delete(oldest);
    }
  }

  /** Stop loading and free the decoded frames. */
  dispose() {
    for (const { controller } of this.loading.values()) controller.abort();
    for (const bitmap of this.ready.values()) bitmap.close();
    this.ready.clear();
    this.queue = [];
  }
}
