// Mask bitmaps in the browser, in CVAT's form: run lengths over the mask's box row by row
// (starting with a run of background, maybe empty), then the inclusive box left, top, right,
// bottom. The server reads and writes the same numbers (inklab.formats.masks).
//
// ``MaskBitmap`` is what the brush paints into: a Uint8Array the size of the painted area
// (plus a margin), never of the whole frame, that grows when a stroke leaves it. Each paint
// call touches only the pixels of the stroke segment's box and returns that box, so the tool
// redraws just that part of its preview.
//
// A pixel belongs to a stroke or a polygon when its centre (x + 0.5, y + 0.5) lies inside.

/**
 * @typedef {{x: number, y: number, width: number, height: number, bits: Uint8Array}} Bitmap
 * @typedef {{x0: number, y0: number, x1: number, y1: number}} Rect  half-open pixel ranges
 */

/** Extra pixels allocated around the painted area, so that a stroke rarely reallocates. */
const MARGIN = 64;

/**
 * CVAT mask points → the bitmap of their box.
 * @param {number[]} points run lengths + [left, top, right, bottom]
 * @returns {Bitmap}
 */
export function decodeMask(points) {
  const [x1, y1, x2, y2] = points.slice(-4).map(Math.round);
  const width = Math.max(0, x2 - x1 + 1);
  const height = Math.max(0, y2 - y1 + 1);
  const bits = new Uint8Array(width * height);
  let at = 0;
  const runs = points.length - 4;
  for (let i = 0; i < runs; i += 1) {
    const run = points[i];
    if (i % 2 === 1) bits.fill(1, at, Math.min(bits.length, at + run));
    at += run;
  }
  return { x: x1, y: y1, width, height, bits };
}

/**
 * A bitmap → CVAT mask points over the tight box of its set pixels; null when nothing is set.
 * @param {Bitmap} bitmap
 * @returns {number[] | null}
 */
export function encodeMask(bitmap) {
  const box = setBox(bitmap);
  if (!box) return null;
  const { width, bits } = bitmap;
  const runs = [];
  let value = 0;
  let run = 0;
  for (let y = box.y0; y < box.y1; y += 1) {
    const row = y * width;
    for (let x = box.x0; x < box.x1; x += 1) {
      if (bits[row + x] !== value) {
        runs.push(run);
        run = 0;
        value = bits[row + x];
      }
      run += 1;
    }
  }
  runs.push(run);
  return [...runs, bitmap.x + box.x0, bitmap.y + box.y0, bitmap.x + box.x1 - 1, bitmap.y + box.y1 - 1];
}

/**
 * The box (bitmap coordinates, half-open) of the set pixels, or null.
 * @param {Bitmap} bitmap @returns {Rect | null}
 */
function setBox({ width, height, bits }) {
  let x0 = width;
  let y0 = height;
  let x1 = 0;
  let y1 = 0;
  for (let y = 0; y < height; y += 1) {
    const row = y * width;
    let first = -1;
    for (let x = 0; x < width; x += 1) if (bits[row + x]) { first = x; break; }
    if (first < 0) continue;
    let last = width - 1;
    while (!bits[row + last]) last -= 1;
    if (first < x0) x0 = first;
    if (last + 1 > x1) x1 = last + 1;
    if (y < y0) y0 = y;
    y1 = y + 1;
  }
  return y1 > y0 ? { x0, y0, x1, y1 } : null;
}

/** How many pixels a bitmap has set. @param {Bitmap} bitmap @returns {number} */
export function countPixels(bitmap) {
  let n = 0;
  for (const v of bitmap.bits) n += v;
  return n;
}

/**
 * The pixels whose centres lie inside a polygon (even-odd rule), as a bitmap of its box
 * clipped to the image; null when the polygon covers no pixel centre.
 * @param {number[]} points flat polygon [x0, y0, x1, y1, ...]
 * @param {number} imageWidth @param {number} imageHeight
 * @returns {number[] | null} CVAT mask points
 */
export function polygonToMask(points, imageWidth, imageHeight) {
  const mask = new MaskBitmap(imageWidth, imageHeight);
  mask.fillPolygon(points, 1);
  return encodeMask(mask);
}

/**
 * The outline of a mask's largest part along pixel edges, as a polygon; null when empty.
 * @param {number[]} points CVAT mask points
 * @returns {number[] | null}
 */
export function maskToPolygon(points) {
  return maskToPolygons(points)[0] ?? null;
}

/**
 * The outline of each part of a mask (pixels that touch, diagonally too), largest part first
 * (equal sizes: the first in raster order first). A polygon has no holes: a part's outline
 * encloses its holes.
 * @param {number[]} points CVAT mask points
 * @returns {number[][]}
 */
export function maskToPolygons(points) {
  return maskParts(decodeMask(points)).map(traceEdges).filter((outline) => outline.length >= 6);
}

/**
 * The parts of a bitmap: its set pixels grouped by 8-connectivity (the connectivity that
 * ``traceEdges`` walks), each as a bitmap of its own box; largest first, then in raster order.
 * @param {Bitmap} mask
 * @returns {Bitmap[]}
 */
export function maskParts(mask) {
  const { width, height, bits } = mask;
  const part = new Int32Array(width * height);  // 0: not set or not yet reached; else part number
  const stack = new Int32Array(width * height);
  /** @type {{pixels: number[], x0: number, y0: number, x1: number, y1: number}[]} */
  const found = [];
  for (let start = 0; start < bits.length; start += 1) {
    if (bits[start] !== 1 || part[start] !== 0) continue;
    const id = found.length + 1;
    const info = { pixels: /** @type {number[]} */ ([]), x0: width, y0: height, x1: -1, y1: -1 };
    let top = 0;
    stack[top++] = start;
    part[start] = id;
    while (top > 0) {
      const at = stack[--top];
      info.pixels.push(at);
      const x = at % width;
      const y = (at - x) / width;
      if (x < info.x0) info.x0 = x;
      if (x > info.x1) info.x1 = x;
      if (y < info.y0) info.y0 = y;
      if (y > info.y1) info.y1 = y;
      for (let dy = -1; dy <= 1; dy += 1) {
        const ny = y + dy;
        if (ny < 0 || ny >= height) continue;
        for (let dx = -1; dx <= 1; dx += 1) {
          const nx = x + dx;
          if (nx < 0 || nx >= width) continue;
          const next = ny * width + nx;
          if (bits[next] === 1 && part[next] === 0) {
            part[next] = id;
            stack[top++] = next;
          }
        }
      }
    }
    found.push(info);
  }
  // A stable sort: parts of one size keep their raster order.
  found.sort((a, b) => b.pixels.length - a.pixels.length);
  return found.map(({ pixels, x0, y0, x1, y1 }) => {
    const w = x1 - x0 + 1;
    const own = new Uint8Array(w * (y1 - y0 + 1));
    for (const at of pixels) own[(Math.floor(at / width) - y0) * w + (at % width) - x0] = 1;
    return { x: mask.x + x0, y: mask.y + y0, width: w, height: y1 - y0 + 1, bits: own };
  });
}

/**
 * The outer boundary (along pixel edges) of the first object of a bitmap in raster order,
 * keeping the object on the right; in image pixels, one vertex per corner.
 * @param {Bitmap} mask
 * @returns {number[]} polygon points; empty when nothing is set
 */
export function traceEdges(mask) {
  const { width, height, bits } = mask;
  const on = (/** @type {number} */ i, /** @type {number} */ j) => i >= 0 && j >= 0 && i < width && j < height
    && bits[j * width + i] === 1;
  const start = bits.indexOf(1);
  if (start < 0) return [];
  const sx = start % width;
  const sy = Math.floor(start / width);
  // Directions E, S, W, N; the pixels ahead on the left and on the right of a corner.
  const steps = [[1, 0], [0, 1], [-1, 0], [0, -1]];
  const ahead = [[[0, -1], [0, 0]], [[0, 0], [-1, 0]], [[-1, 0], [-1, -1]], [[-1, -1], [0, -1]]];
  let x = sx;
  let y = sy;
  let d = 0;
  const out = [];
  const limit = 4 * (width + 1) * (height + 1);
  for (let n = 0; n < limit; n += 1) {
    const [[lx, ly], [rx, ry]] = ahead[d];
    let next;
    if (on(x + lx, y + ly)) next = (d + 3) % 4;
    else if (on(x + rx, y + ry)) next = d;
    else next = (d + 1) % 4;
    if (next !== d || n === 0) out.push(x + mask.x, y + mask.y);
    d = next;
    x += steps[d][0];
    y += steps[d][1];
    if (x === sx && y === sy) break;
  }
  return out;
}

/** A growable bitmap inside an image, painted by brush strokes and polygons. */
export class MaskBitmap {
  /**
   * @param {number} imageWidth @param {number} imageHeight the bitmap never leaves the image
   * @param {number[] | null} [points] CVAT mask points to start from
   */
  constructor(imageWidth, imageHeight, points = null) {
    this.imageWidth = Math.max(1, Math.round(imageWidth));
    this.imageHeight = Math.max(1, Math.round(imageHeight));
    this.x = 0;
    this.y = 0;
    this.width = 0;
    this.height = 0;
    this.bits = new Uint8Array(0);
    /** Bumped whenever the bitmap is reallocated (its preview canvas must be rebuilt). */
    this.generation = 0;
    if (points && points.length > 4) {
      const start = decodeMask(points);
      this.ensure({ x0: start.x, y0: start.y, x1: start.x + start.width, y1: start.y + start.height });
      for (let j = 0; j < start.height; j += 1) {
        const from = j * start.width;
        const to = (start.y + j - this.y) * this.width + (start.x - this.x);
        this.bits.set(start.bits.subarray(from, from + start.width), to);
      }
    }
  }

  /**
   * Grow (with a margin) so that the image-pixel rectangle fits; it is clipped to the image.
   * @param {Rect} rect
   */
  ensure(rect) {
    const x0 = Math.max(0, rect.x0);
    const y0 = Math.max(0, rect.y0);
    const x1 = Math.min(this.imageWidth, rect.x1);
    const y1 = Math.min(this.imageHeight, rect.y1);
    if (x1 <= x0 || y1 <= y0) return;
    const empty = this.width === 0;
    if (!empty && x0 >= this.x && y0 >= this.y && x1 <= this.x + this.width && y1 <= this.y + this.height) return;
    // Grow by half the current size at least, so that a long stroke reallocates a few times only.
    const mx = Math.max(MARGIN, this.width >> 1);
    const my = Math.max(MARGIN, this.height >> 1);
    const nx0 = Math.max(0, Math.min(empty ? x0 : this.x, x0) - mx);
    const ny0 = Math.max(0, Math.min(empty ? y0 : this.y, y0) - my);
    const nx1 = Math.min(this.imageWidth, Math.max(empty ? x1 : this.x + this.width, x1) + mx);
    const ny1 = Math.min(this.imageHeight, Math.max(empty ? y1 : this.y + this.height, y1) + my);
    const width = nx1 - nx0;
    const bits = new Uint8Array(width * (ny1 - ny0));
    for (let j = 0; j < this.height; j += 1) {
      bits.set(this.bits.subarray(j * this.width, (j + 1) * this.width), (this.y + j - ny0) * width + (this.x - nx0));
    }
    this.x = nx0;
    this.y = ny0;
    this.width = width;
    this.height = ny1 - ny0;
    this.bits = bits;
    this.generation += 1;
  }

  /**
   * Paint (value 1) or erase (0) the stroke segment a → b of a brush ``size`` pixels across.
   * @param {{x: number, y: number}} a @param {{x: number, y: number}} b image pixels
   * @param {number} size brush diameter (round) or side (square)
   * @param {"round" | "square"} shape
   * @param {0 | 1} value
   * @returns {Rect | null} the image pixels touched (half-open), or null when none
   */
  stroke(a, b, size, shape, value) {
    const r = Math.max(0.5, size / 2);
    const rect = { x0: Math.floor(Math.min(a.x, b.x) - r), y0: Math.floor(Math.min(a.y, b.y) - r),
      x1: Math.ceil(Math.max(a.x, b.x) + r) + 1, y1: Math.ceil(Math.max(a.y, b.y) + r) + 1 };
    if (value) this.ensure(rect);
    const x0 = Math.max(rect.x0, this.x);
    const y0 = Math.max(rect.y0, this.y);
    const x1 = Math.min(rect.x1, this.x + this.width);
    const y1 = Math.min(rect.y1, this.y + this.height);
    if (x1 <= x0 || y1 <= y0) return null;
    const { bits, width } = this;
    const dx = b.x - a.x;
    const dy = b.y - a.y;
    const length2 = dx * dx + dy * dy;
    if (shape === "square") {
      // The segment swept by an axis-aligned square: stamp it at steps of at most half a pixel.
      const steps = Math.max(1, Math.ceil(Math.sqrt(length2) * 2));
      for (let s = 0; s <= steps; s += 1) {
        const cx = a.x + (dx * s) / steps;
        const cy = a.y + (dy * s) / steps;
        const sx0 = Math.max(x0, Math.ceil(cx - r - 0.5));
        const sx1 = Math.min(x1, Math.floor(cx + r - 0.5) + 1);
        const sy0 = Math.max(y0, Math.ceil(cy - r - 0.5));
        const sy1 = Math.min(y1, Math.floor(cy + r - 0.5) + 1);
        for (let y = sy0; y < sy1; y += 1) {
          const row = (y - this.y) * width - this.x;
          bits.fill(value, row + sx0, row + Math.max(sx0, sx1));
        }
      }
    } else {
      const r2 = r * r;
      for (let y = y0; y < y1; y += 1) {
        const py = y + 0.5;
        const row = (y - this.y) * width - this.x;
        for (let x = x0; x < x1; x += 1) {
          const px = x + 0.5;
          let t = length2 ? ((px - a.x) * dx + (py - a.y) * dy) / length2 : 0;
          t = t < 0 ? 0 : t > 1 ? 1 : t;
          const ex = px - (a.x + t * dx);
          const ey = py - (a.y + t * dy);
          if (ex * ex + ey * ey <= r2) bits[row + x] = value;
        }
      }
    }
    return { x0, y0, x1, y1 };
  }

  /**
   * Fill (1) or clear (0) the pixels whose centres are inside a polygon (even-odd rule).
   * @param {number[]} points flat polygon in image pixels
   * @param {0 | 1} value
   * @returns {Rect | null} the image pixels touched
   */
  fillPolygon(points, value) {
    const n = points.length / 2;
    if (n < 3) return null;
    let minX = Infinity; let minY = Infinity; let maxX = -Infinity; let maxY = -Infinity;
    for (let i = 0; i < n; i += 1) {
      minX = Math.min(minX, points[2 * i]); maxX = Math.max(maxX, points[2 * i]);
      minY = Math.min(minY, points[2 * i + 1]); maxY = Math.max(maxY, points[2 * i + 1]);
    }
    const rect = { x0: Math.floor(minX), y0: Math.floor(minY), x1: Math.ceil(maxX) + 1, y1: Math.ceil(maxY) + 1 };
    if (value) this.ensure(rect);
    const y0 = Math.max(rect.y0, this.y);
    const y1 = Math.min(rect.y1, this.y + this.height);
    const xs = [];
    for (let y = y0; y < y1; y += 1) {
      const py = y + 0.5;
      xs.length = 0;
      for (let i = 0, j = n - 1; i < n; j = i, i += 1) {
        const yi = points[2 * i + 1];
        const yj = points[2 * j + 1];
        if ((yi > py) !== (yj > py)) xs.push(points[2 * i] + ((py - yi) * (points[2 * j] - points[2 * i])) / (yj - yi));
      }
      xs.sort((p, q) => p - q);
      const row = (y - this.y) * this.width - this.x;
      for (let k = 0; k + 1 < xs.length; k += 2) {
        // Pixels x with xs[k] <= x + 0.5 < xs[k + 1].
        const from = Math.max(this.x, Math.ceil(xs[k] - 0.5));
        const to = Math.min(this.x + this.width, Math.ceil(xs[k + 1] - 0.5));
        if (to > from) this.bits.fill(value, row + from, row + to);
      }
    }
    return y1 > y0 ? { x0: Math.max(rect.x0, this.x), y0, x1: Math.min(rect.x1, this.x + this.width), y1 } : null;
  }

  /**
   * Clear the pixels set in this bitmap from another mask.
   * @param {number[]} points the other mask's CVAT points
   * @returns {number[] | null} its points without this bitmap's pixels, null when nothing is left
   */
  subtractFrom(points) {
    const other = decodeMask(points);
    for (let j = 0; j < other.height; j += 1) {
      const y = other.y + j - this.y;
      if (y < 0 || y >= this.height) continue;
      for (let i = 0; i < other.width; i += 1) {
        const x = other.x + i - this.x;
        if (x >= 0 && x < this.width && this.bits[y * this.width + x]) other.bits[j * other.width + i] = 0;
      }
    }
    return encodeMask(other);
  }

  /** CVAT points of what is painted, or null when nothing is. @returns {number[] | null} */
  toPoints() {
    return encodeMask(this);
  }
}
