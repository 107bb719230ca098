// Zip chunks of a job's frames (CVAT's ``use_zip_chunks``: one stored JPEG per frame, in frame
// order, deleted frames included): one request brings ``chunk_size`` frames. A frame is a slice of
// the chunk's blob (nothing copied), decoded with ``createImageBitmap`` (off the page's thread);
// only a few chunks are kept, and those behind the playhead go first.

/** @typedef {{offset: number, size: number}} Member */

/**
 * The stored members of a zip, in the order of its central directory (the server writes them in
 * frame order). Compressed members, ZIP64 and spanned archives are refused.
 * @param {ArrayBuffer} buffer
 * @returns {Member[]}
 */
export function zipMembers(buffer) {
  const view = new DataView(buffer);
  const end = buffer.byteLength;
  let eocd = -1;
  for (let i = end - 22; i >= Math.max(0, end - 22 - 0xffff); i -= 1) {
    if (view.getUint32(i, true) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new Error("The chunk is not a zip archive.");
  const count = view.getUint16(eocd + 10, true);
  let at = view.getUint32(eocd + 16, true);
  const members = [];
  for (let k = 0; k < count; k += 1) {
    if (at + 46 > end || view.getUint32(at, true) !== 0x02014b50) throw new Error("The chunk's zip directory is damaged.");
    const method = view.getUint16(at + 10, true);
    const size = view.getUint32(at + 20, true);
    const local = view.getUint32(at + 42, true);
    if (method !== 0) throw new Error("The chunk has compressed members; only stored ones are read.");
    if (local + 30 > end || view.getUint32(local, true) !== 0x04034b50) throw new Error("The chunk's zip entries are damaged.");
    const offset = local + 30 + view.getUint16(local + 26, true) + view.getUint16(local + 28, true);
    if (offset + size > end) throw new Error("The chunk is truncated.");
    members.push({ offset, size });
    at += 46 + view.getUint16(at + 28, true) + view.getUint16(at + 30, true) + view.getUint16(at + 32, true);
  }
  return members;
}

/**
 * @typedef {(index: number, signal: AbortSignal) => Promise<Blob>} FetchChunk
 * @typedef {{blob: Blob, members: Member[]}} Chunk
 */

/** A job's chunks: fetched once each, a few kept, frames cut out of them as blobs. */
export class ChunkSource {
  /**
   * @param {FetchChunk} fetchChunk job-relative chunk ``index`` → the zip
   * @param {{start: number, stop: number, chunkSize: number, keep?: number}} options
   *   ``start``/``stop``: the job's frames; ``keep``: chunks kept (default 3)
   */
  constructor(fetchChunk, options) {
    this.fetchChunk = fetchChunk;
    this.start = options.start;
    this.stop = options.stop;
    this.chunkSize = Math.max(1, options.chunkSize);
    this.keep = Math.max(1, options.keep ?? 3);
    /** @type {Map<number, Promise<Chunk>>} */
    this.chunks = new Map();
    this.controller = new AbortController();
    /** @type {Set<number>} chunks that could not be fetched or read: their frames come on their own */
    this.failed = new Set();
    /** Chunk requests made (for tests and benchmarks). */
    this.fetched = 0;
  }

  /** @param {number} frame @returns {number} the job-relative chunk holding the frame */
  indexOf(frame) {
    return Math.floor((frame - this.start) / this.chunkSize);
  }

  /** @param {number} frame @returns {boolean} whether its chunk is here or on its way */
  holds(frame) {
    return this.chunks.has(this.indexOf(frame));
  }

  /** @param {number} frame @returns {boolean} whether its chunk could not be fetched or read */
  broken(frame) {
    return this.failed.has(this.indexOf(frame));
  }

  /** @param {number} index @returns {Promise<Chunk>} */
  chunk(index) {
    let chunk = this.chunks.get(index);
    if (!chunk) {
      this.fetched += 1;
      chunk = this.fetchChunk(index, this.controller.signal)
        .then(async (blob) => ({ blob, members: zipMembers(await blob.arrayBuffer()) }));
      chunk.catch(() => {
        this.chunks.delete(index);
        if (!this.controller.signal.aborted) this.failed.add(index);
      });
      this.chunks.set(index, chunk);
      this.trim(index);
    }
    return chunk;
  }

  /** Keep ``keep`` chunks: drop those furthest behind ``index`` first, then the furthest ahead. */
  trim(index) {
    const order = [...this.chunks.keys()].sort((a, b) => {
      const behind = (/** @type {number} */ i) => (i < index ? index - i + 1e6 : i - index);
      return behind(b) - behind(a);
    });
    while (this.chunks.size > this.keep) this.chunks.delete(/** @type {number} */ (order.shift()));
  }

  /**
   * The frame's JPEG, from its chunk.
   * @param {number} frame
   * @returns {Promise<Blob>}
   */
  async frame(frame) {
    if (frame < this.start || frame > this.stop) throw new Error(`Frame ${frame} is not in this job.`);
    const index = this.indexOf(frame);
    if (this.failed.has(index)) throw new Error(`Chunk ${index} could not be read.`);
    const { blob, members } = await this.chunk(index);
    const member = members[frame - this.start - index * this.chunkSize];
    if (!member) throw new Error(`Chunk ${index} has no frame ${frame}.`);
    return blob.slice(member.offset, member.offset + member.size, "image/jpeg");
  }

  /** Stop fetching and forget the chunks. */
  dispose() {
    this.controller.abort();
    this.chunks.clear();
  }
}
