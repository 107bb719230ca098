"""Web UI benchmark in a real browser (Debian's Chromium driven by Playwright), issue 6 §5.

Run from the repository root:  .venv/bin/python bench/ui_bench.py [--shapes 5000] [--frames 10000] [--repeat 15]
[--many-shapes 20000] [--scrub-steps 2000] [--reference-src DIR] [--only-new]

It starts its own ``inklab serve`` in a temporary data directory, builds the data through the REST
API, and prints for the same run:

* a frame with N shapes (default 5,000): latency from the input event to the frame's pixels being
  drawn for a wheel (zoom) step, a pan step, a click that selects a shape (hit test, sidebar,
  redraw) and a hover. During a zoom or pan gesture the shapes layer is reused, scaled and shifted,
  and redrawn sharp when the gesture pauses (120 ms): that full redraw of all N shapes is timed on
  its own, beside the same shapes drawn by a naive renderer (one path, fill and stroke per shape),
  the reference;
* a track with 500 keyframes over the M frames (see below) scrubbed frame by frame: interpolation
  and redraw per frame, and how many frames took over 16 ms;
* the mask brush on a 1920×1080 frame: each stroke segment (bitmap and preview update) for three
  brush sizes, beside a whole-frame preview rebuilt per segment (the reference);
* frame switch: next frame (F) when it was prefetched, versus jumping to a frame that was not
  (the reference: what every switch would cost without prefetching);
* opening a job of M frames (default 10,000) from navigation start to its first frame drawn, versus
  a 10-frame job (the reference);
* saving one moved shape in the N-shape frame: time and bytes sent, versus a PUT of the whole
  frame's annotations (what a client that saves everything sends).
* 25 fps playback of a 1280×720 video (``--playback-frames``, default 250; ``--playback-only``:
  only this case): when each frame is first drawn, dropped frames (drawn over two frame intervals
  after the frame before, or never drawn), waits for decoding and long tasks on the page's
  thread, beside the player before chunks (a request per frame, six ahead, a timer; switched on
  by a ``localStorage`` key) in interleaved rounds; and the JPEG decode rate of one chunk.

Then issue 13's cases, on a server of their own (``--only-new``: only these): a frame with 20,000
shapes (``--many-shapes``; the same interactions), and the workspace itself scrubbing a track of
500 keyframes over the M frames with the next-frame key (``--scrub-steps`` frames, the track
selected): per frame the key's handler, the canvas's render and the page's style and layout, and
the intervals between refreshes. ``--reference-src`` (another checkout's ``src``) measures its UI
the same way, first, in the same run: before/after.

Goals (issue 6): under 100 ms per interaction at 5,000 shapes; a 10,000-frame job open in under 1 s.
Issue 13: under 100 ms per interaction at 20,000 shapes; under 16 ms per frame while scrubbing; under
16 ms per brush segment; no dropped frames at 25 fps.
Absolute numbers on a shared 2-core machine are noisy: read the ratios.
"""

from __future__ import annotations

import argparse
import io
import math
import os
import random
import statistics
import sys
import time
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import orjson
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.support.browser import launch  # noqa: E402
from tests.support.live import LiveServer  # noqa: E402
from tests.support.rest import Rest  # noqa: E402

WIDTH, HEIGHT = 1280, 720

# Installed in the page: the time from each input event on the workspace to the end of the first
# animation frame after it, with the canvas flushed (getImageData forces the drawing to finish).
PROBE = """() => {
  if (window.__probe) return;  // the benchmark's own instrumentation, not the app's
  const probe = window.__probe = {samples: [], keyAt: 0};
  window.addEventListener("keydown", (event) => { probe.keyAt = event.timeStamp; }, true);
  const canvas = () => document.querySelector("canvas.annotation-canvas");
  for (const type of ["pointerdown", "pointermove", "wheel", "keydown"]) {
    window.addEventListener(type, (event) => {
      if (!probe.armed) return;
      probe.armed = false;
      const started = event.timeStamp;
      requestAnimationFrame(() => {
        canvas().getContext("2d").getImageData(0, 0, 1, 1);
        probe.samples.push(performance.now() - started);
      });
    });
  }
}"""


def _image(index: int) -> bytes:
    """A smooth 1280×720 JPEG with a few blobs (realistic compression, unlike noise)."""
    y, x = np.mgrid[0:HEIGHT, 0:WIDTH]
    rng = np.random.default_rng(index)
    base = np.stack([(x * 0.2 + index * 9) % 256, (y * 0.3) % 256, ((x + y) * 0.1) % 256], axis=-1)
    for _ in range(6):
        cx, cy, r = rng.integers(0, WIDTH), rng.integers(0, HEIGHT), rng.integers(30, 150)
        base[(x - cx) ** 2 + (y - cy) ** 2 < r * r] = rng.integers(0, 256, 3)
    buffer = io.BytesIO()
    Image.fromarray(base.astype(np.uint8)).save(buffer, format="JPEG", quality=85)
    return buffer.getvalue()


def _tiny_png() -> bytes:
    """A small frame that costs nothing to serve."""
    tiny = io.BytesIO()
    Image.new("RGB", (64, 48), (90, 120, 150)).save(tiny, format="PNG")
    return tiny.getvalue()


def _tiny_frames_zip(count: int) -> bytes:
    """A zip of ``count`` :func:`_tiny_png` frames (a long job)."""
    tiny, archive = _tiny_png(), io.BytesIO()
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_STORED) as zf:
        for i in range(count):
            zf.writestr(f"f{i:06d}.png", tiny)
    return archive.getvalue()


def _shapes(count: int, frame: int, label_ids: list[int], seed: int = 1) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    shapes = []
    for i in range(count):
        x, y = rng.uniform(0, WIDTH - 60), rng.uniform(0, HEIGHT - 60)
        w, h = rng.uniform(8, 60), rng.uniform(8, 60)
        kind = i % 10
        base = {"frame": frame, "label_id": label_ids[i % len(label_ids)], "z_order": rng.randint(0, 3)}
        if kind < 7:
            shapes.append({**base, "type": "rectangle", "points": [x, y, x + w, y + h],
                           "rotation": 30.0 if kind == 0 else 0.0})
        elif kind < 9:
            pts = []
            for k in range(6):
                angle = 2 * math.pi * k / 6
                pts += [x + w / 2 + w / 2 * math.cos(angle), y + h / 2 + h / 2 * math.sin(angle)]
            shapes.append({**base, "type": "polygon", "points": pts})
        else:
            shapes.append({**base, "type": "ellipse", "points": [x + w / 2, y + h / 2, x + w, y]})
    return shapes


def _upload(rest: Rest, task_id: int, files: list[tuple[str, bytes]]) -> None:
    rest.call("POST", f"/api/tasks/{task_id}/data/", {}, headers={"Upload-Start": ""})
    fields = {f"client_files[{i}]": (name, data, "application/octet-stream") for i, (name, data) in enumerate(files)}
    rest.call("POST", f"/api/tasks/{task_id}/data/", fields={**fields, "image_quality": "70"},
              headers={"Upload-Multiple": ""})
    rq = rest.call("POST", f"/api/tasks/{task_id}/data/", {"image_quality": 70}, headers={"Upload-Finish": ""})
    rest.wait(rq["rq_id"], timeout=3600)


def _task(rest: Rest, name: str, files: list[tuple[str, bytes]]) -> tuple[int, int, list[int]]:
    labels = [{"name": n} for n in ("car", "person", "sign")]
    task = rest.call("POST", "/api/tasks", {"name": name, "labels": labels})
    _upload(rest, task["id"], files)
    job = rest.jobs(task["id"])[0]["id"]
    return task["id"], job, [label["id"] for label in rest.labels(task_id=task["id"])]


def _stats(samples: list[float]) -> str:
    if not samples:
        return "n/a"
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]
    return f"median {statistics.median(samples):7.1f} ms   p95 {p95:7.1f} ms   (n={len(samples)})"


class Bench:
    def __init__(self, page: Any, server: LiveServer) -> None:
        self.page = page
        self.server = server

    def open(self, job: int, frame: int = 0) -> dict[str, float]:
        self.page.goto(f"{self.server.url}/jobs/{job}?frame={frame}")
        try:
            self.page.wait_for_selector(".workspace[data-ready=true]", timeout=120_000)
        except Exception as error:
            raise RuntimeError(f"job {job} did not open: {self.page.locator('body').inner_text()[:500]!r}") from error
        self.page.evaluate(PROBE)
        ws = self.page.locator(".workspace")
        return {"ready_at": float(ws.get_attribute("data-ready-at")), "open": float(ws.get_attribute("data-open-ms"))}

    def layer_drawn(self) -> None:
        """Wait until the shapes layer is complete (a busy one is drawn over several animation frames)."""
        self.page.wait_for_function("() => document.querySelector('canvas.annotation-canvas').dataset.layerPending"
                                    " !== 'true'", timeout=60_000)

    def screen(self, x: float, y: float) -> tuple[float, float]:
        canvas = self.page.locator("canvas.annotation-canvas")
        box = canvas.bounding_box()
        scale, vx, vy = (float(v) for v in canvas.get_attribute("data-view").split(","))
        return box["x"] + vx + x * scale, box["y"] + vy + y * scale

    def sampled(self, action: Any, repeat: int, prepare: Any = None) -> list[float]:
        """Run ``action(i)`` ``repeat`` times, timing the first input event of each (``prepare(i)`` is not timed)."""
        self.page.evaluate("() => { window.__probe.samples = []; }")
        for i in range(repeat):
            if prepare is not None:
                prepare(i)
            self.page.evaluate("() => { window.__probe.armed = true; }")
            action(i)
            self.page.wait_for_function(f"() => window.__probe.samples.length >= {i + 1}", timeout=30_000)
        return self.page.evaluate("() => window.__probe.samples")


def bench_shapes(bench: Bench, rest: Rest, job: int, labels: list[int], shapes: list[dict[str, Any]],
                 repeat: int) -> dict[str, Any]:
    page = bench.page
    opened = bench.open(job)
    bench.layer_drawn()
    drawn = int(page.locator("canvas.annotation-canvas").get_attribute("data-drawn"))
    cx, cy = bench.screen(WIDTH / 2, HEIGHT / 2)
    page.mouse.move(cx, cy)
    zoom = bench.sampled(lambda i: page.mouse.wheel(0, -40 if i % 2 == 0 else 40), repeat)
    page.mouse.move(cx, cy)
    page.mouse.down(button="middle")
    pan = bench.sampled(lambda i: page.mouse.move(cx + 5 * (i + 1), cy + 3 * (i + 1)), repeat)
    page.mouse.up(button="middle")
    page.click("button[aria-label=Fit]")
    targets = [s for s in shapes if s["type"] == "rectangle" and not s.get("rotation")][:repeat]

    def centre(i: int) -> tuple[float, float]:
        s = targets[i]["points"]
        return bench.screen((s[0] + s[2]) / 2, (s[1] + s[3]) / 2)

    def select(i: int) -> None:
        page.mouse.down()
        page.mouse.up()

    select_samples = bench.sampled(select, len(targets), prepare=lambda i: page.mouse.move(*centre(i)))
    page.keyboard.press("Escape")
    hover = bench.sampled(lambda i: page.mouse.move(*bench.screen(100 + 37 * i, 80 + 23 * i)), repeat)
    # The same shapes drawn by the app's renderer and by a naive one, on a canvas of the workspace's size.
    offscreen = page.evaluate("""async ({shapes, repeat}) => {
      const {Renderer} = await import('/static/ui/annotation/renderer.js');
      const source = document.querySelector("canvas.annotation-canvas");
      const canvas = document.createElement("canvas");
      canvas.width = source.width; canvas.height = source.height;
      const [scale, x, y] = source.dataset.view.split(",").map(Number);
      const colors = ["#ff6a00", "#3b6ef5", "#22aa55"];
      const items = shapes.map((s, i) => ({key: i, shape: s, color: colors[s.label_id % 3], label: ""}));
      items.sort((a, b) => a.shape.z_order - b.shape.z_order || a.shape.label_id - b.shape.label_id);
      const renderer = new Renderer(canvas);
      const scene = {width: canvas.width, height: canvas.height, dpr: 1, view: {scale, x, y}, image: null, excluded: null,
        imageWidth: 1280, imageHeight: 720, items, selected: null, hovered: null, handles: [], preview: null,
        fillOpacity: 0.12, selectedOpacity: 0.35, background: "#2b303b", smooth: false};
      const ctx = canvas.getContext("2d");
      const time = (draw) => { const t = performance.now(); draw(); ctx.getImageData(0, 0, 1, 1); return performance.now() - t; };
      const batched = [], naive = [];
      for (let r = 0; r < repeat; r++) {
        // A busy layer is drawn a slice per animation frame: all slices, back to back.
        batched.push(time(() => { for (const it of items) it.box = undefined; renderer.baseKey = null;
          do renderer.draw(scene); while (renderer.pending); }));
        naive.push(time(() => {
          ctx.setTransform(1, 0, 0, 1, 0, 0); ctx.fillStyle = "#2b303b"; ctx.fillRect(0, 0, canvas.width, canvas.height);
          ctx.setTransform(scale, 0, 0, scale, x, y); ctx.lineWidth = 1.5 / scale;
          for (const {shape: s, color} of items) {
            ctx.beginPath();
            const p = s.points;
            if (s.type === "rectangle") {
              const cx = (p[0] + p[2]) / 2, cy = (p[1] + p[3]) / 2;
              ctx.save(); ctx.translate(cx, cy); ctx.rotate((s.rotation || 0) * Math.PI / 180);
              ctx.rect(p[0] - cx, p[1] - cy, p[2] - p[0], p[3] - p[1]); ctx.restore();
            } else if (s.type === "ellipse") {
              ctx.ellipse(p[0], p[1], Math.abs(p[2] - p[0]), Math.abs(p[1] - p[3]), 0, 0, 2 * Math.PI);
            } else { ctx.moveTo(p[0], p[1]); for (let i = 2; i < p.length; i += 2) ctx.lineTo(p[i], p[i + 1]); ctx.closePath(); }
            ctx.fillStyle = color + "1f"; ctx.fill(); ctx.strokeStyle = color; ctx.stroke();
          }
        }));
      }
      return {batched, naive};
    }""", {"shapes": shapes, "repeat": repeat})
    return {"opened": opened, "drawn": drawn, "zoom": zoom, "pan": pan, "select": select_samples, "hover": hover,
            **offscreen}


TRACK_SCRUB = """async ({frames, keyframes}) => {
  const {AnnotationStore} = await import('/static/ui/annotation/model.js');
  const {Renderer} = await import('/static/ui/annotation/renderer.js');
  const step = Math.floor(frames / keyframes);
  const shapes = [];
  for (let k = 0; k < keyframes; k++) {
    const x = 100 + 400 * Math.abs(Math.sin(k / 7)), y = 80 + 300 * Math.abs(Math.cos(k / 11));
    shapes.push({type: "rectangle", frame: k * step, points: [x, y, x + 120, y + 80], rotation: (k * 13) % 360,
      occluded: k % 5 === 0, outside: k % 50 === 49, z_order: 0, attributes: []});
  }
  const store = new AnnotationStore();
  store.load({tracks: [{frame: 0, label_id: 1, group: 0, source: "manual", attributes: [], shapes, elements: []}]});
  const source = document.querySelector("canvas.annotation-canvas");
  const canvas = document.createElement("canvas");
  canvas.width = source.width; canvas.height = source.height;
  const renderer = new Renderer(canvas);
  const ctx = canvas.getContext("2d");
  const samples = [];
  for (let f = 0; f < frames; f++) {
    const started = performance.now();
    const items = store.frameObjects(f).tracks.map(({obj, shape}) => ({key: obj.cid, shape, color: "#ff6a00", label: "car"}));
    renderer.baseKey = null;
    renderer.draw({width: canvas.width, height: canvas.height, dpr: 1, view: {scale: 1, x: 0, y: 0}, image: null,
      imageWidth: 1280, imageHeight: 720, items, selected: items[0] || null, hovered: null, handles: [], preview: null,
      excluded: null, fillOpacity: 0.12, selectedOpacity: 0.35, background: "#2b303b", smooth: false});
    ctx.getImageData(0, 0, 1, 1);
    samples.push(performance.now() - started);
  }
  return samples;
}"""


BRUSH = """async ({segments, reference}) => {
  const {MaskTool, defaultMaskSettings} = await import('/static/ui/annotation/brush.js');
  const {MaskBitmap} = await import('/static/ui/annotation/masks.js');
  // A deterministic wandering stroke over a 1920x1080 frame, 12-20 px per segment (a fast hand).
  const path = [{x: 960, y: 540}];
  for (let i = 1; i <= segments; i++) {
    const p = path[i - 1];
    path.push({x: Math.min(1919, Math.max(0, p.x + 16 * Math.cos(i / 23) + 4 * Math.sin(i))),
               y: Math.min(1079, Math.max(0, p.y + 16 * Math.sin(i / 31) + 4 * Math.cos(i)))});
  }
  const out = {};
  for (const size of [10, 40, 100]) {
    const tool = new MaskTool(() => {}, {color: "#ff6a00", image: {width: 1920, height: 1080},
      settings: {...defaultMaskSettings(), size}});
    for (let i = 1; i <= segments; i++) tool.segment(path[i - 1], path[i]);
    out[size] = tool.segmentMs;
  }
  // The reference: the same bitmap code, but the preview of the whole frame rebuilt per segment.
  const bitmap = new MaskBitmap(1920, 1080);
  const canvas = document.createElement("canvas");
  canvas.width = 1920; canvas.height = 1080;
  const ctx = canvas.getContext("2d");
  out.reference = [];
  for (let i = 1; i <= reference; i++) {
    const started = performance.now();
    bitmap.stroke(path[i - 1], path[i], 40, "round", 1);
    const image = ctx.createImageData(1920, 1080);
    const data = new Uint32Array(image.data.buffer);
    for (let y = 0; y < bitmap.height; y++) {
      for (let x = 0; x < bitmap.width; x++) {
        if (bitmap.bits[y * bitmap.width + x]) data[(bitmap.y + y) * 1920 + bitmap.x + x] = 0xff006aff;
      }
    }
    ctx.putImageData(image, 0, 0);
    out.reference.push(performance.now() - started);
  }
  return out;
}"""


def bench_brush(bench: Bench, segments: int) -> dict[str, list[float]]:
    """Mask brush stroke segments on a 1920×1080 frame (bitmap and preview update), per brush size,
    and the reference: a whole-frame preview rebuilt on each segment."""
    result = bench.page.evaluate(BRUSH, {"segments": segments, "reference": min(segments, 40)})
    return {str(k): v for k, v in result.items()}


def bench_track_scrub(bench: Bench, frames: int, keyframes: int) -> list[float]:
    """A track of ``keyframes`` keyframes over ``frames`` frames, scrubbed frame by frame: the store's
    interpolation (the same code the workspace runs on each frame) and a redraw of the frame, per frame."""
    return bench.page.evaluate(TRACK_SCRUB, {"frames": frames, "keyframes": keyframes})


def _scrub_track(frames: int, keyframes: int, label_id: int, width: float, height: float) -> dict[str, Any]:
    """A rectangle track of ``keyframes`` keyframes spread over ``frames`` frames, within a
    ``width``×``height`` image: it wanders, turns, is occluded on some keyframes and leaves the
    frame (outside) for a while every 50 keyframes."""
    step = frames // keyframes
    w, h = width * 0.12, height * 0.15
    shapes = []
    for k in range(keyframes):
        x = width * 0.05 + width * 0.6 * abs(math.sin(k / 7))
        y = height * 0.05 + height * 0.6 * abs(math.cos(k / 11))
        shapes.append({"type": "rectangle", "frame": k * step, "points": [x, y, x + w, y + h],
                       "rotation": float((k * 13) % 360), "occluded": k % 5 == 0, "outside": k % 50 == 49,
                       "z_order": 0, "attributes": []})
    return {"frame": 0, "label_id": label_id, "group": 0, "source": "manual", "attributes": [], "shapes": shapes,
            "elements": []}


# The workspace scrubbed with its own keys: each step dispatches the "next frame" key (F) and
# waits for the animation frame in which the canvas draws it. The work of a step is the key's
# handler (interpolation, sidebar, object card) plus the canvas's render plus the style and
# layout of what changed (forced here, so that it is counted in this step and not the next).
# The interval between animation frames is kept too: over 16.7 ms (one refresh at 60 Hz) the
# step missed a refresh.
WORKSPACE_SCRUB = """async ({steps}) => {
  const canvas = document.querySelector("canvas.annotation-canvas");
  const nextFrame = () => new Promise((resolve) => requestAnimationFrame(resolve));
  const work = [], intervals = [];
  let longTasks = 0;
  const observer = new PerformanceObserver((list) => { longTasks += list.getEntries().length; });
  observer.observe({type: "longtask"});
  let last = await nextFrame();
  for (let i = 0; i < steps; i++) {
    const started = performance.now();
    canvas.dispatchEvent(new KeyboardEvent("keydown", {key: "f", code: "KeyF", bubbles: true, cancelable: true}));
    const handler = performance.now() - started;
    const at = await nextFrame();
    const drawn = performance.now();
    document.body.offsetHeight;
    canvas.getContext("2d").getImageData(0, 0, 1, 1);
    work.push(handler + Number(canvas.dataset.renderMs) + performance.now() - drawn);
    intervals.push(at - last);
    last = at;
  }
  observer.disconnect();
  return {work, intervals, longTasks, frame: Number(document.querySelector(".frame-number").value)};
}"""


def bench_track_workspace(bench: Bench, job: int, steps: int) -> dict[str, Any]:
    """The job's track (see ``_scrub_track``) selected in the workspace and scrubbed with the
    next-frame key from frame 0, ``steps`` frames: the work per step and the refresh intervals."""
    page = bench.page
    bench.open(job)
    page.locator("canvas.annotation-canvas").focus()
    page.keyboard.press("Tab")  # selects the first object: the track (its card is shown and rebuilt on every frame)
    page.wait_for_selector(".object-card")
    return page.evaluate(WORKSPACE_SCRUB, {"steps": steps})


def bench_frames(bench: Bench, job: int, frames: int, repeat: int) -> dict[str, list[float]]:
    page = bench.page
    bench.open(job)
    page.wait_for_timeout(3000)  # let the prefetch run ahead
    # Armed before the key press: resolves when the canvas has drawn the target frame's image
    # (its render counter changes with the frame on screen), measured from the key press.
    arm = """(target) => {
      window.__probe.switched = new Promise((done) => {
        const canvas = document.querySelector("canvas.annotation-canvas");
        const observer = new MutationObserver(() => {
          const ws = document.querySelector(".workspace");
          if (document.querySelector(".frame-number").value !== String(target) || ws.classList.contains("frame-loading")) return;
          observer.disconnect();
          canvas.getContext("2d").getImageData(0, 0, 1, 1);
          done(performance.now() - window.__probe.keyAt);
        });
        observer.observe(canvas, {attributes: true, attributeFilter: ["data-renders"]});
      });
    }"""
    prefetched = []
    for i in range(1, repeat + 1):
        page.evaluate(arm, i)
        page.keyboard.press("f")
        prefetched.append(page.evaluate("() => window.__probe.switched"))
        page.wait_for_timeout(400)  # a user's pace: the prefetch keeps up
    cold = []
    # Jumps of 9 frames land beyond what was prefetched (6 ahead, 2 behind) and was never shown.
    for target in range(repeat + 9, frames, 9):
        page.evaluate(arm, target)
        page.locator(".frame-number").fill(str(target))
        page.locator(".frame-number").press("Enter")
        cold.append(page.evaluate("() => window.__probe.switched"))
        page.wait_for_timeout(400)
    return {"prefetched": prefetched, "cold": cold}


def bench_open(browser: Any, server: LiveServer, jobs: dict[str, int], rounds: int) -> dict[str, list[float]]:
    """Open each job in a fresh browser context (empty cache: modules and frames come from the server)."""
    times: dict[str, list[float]] = {name: [] for name in jobs}
    for _ in range(rounds):
        for name, job in jobs.items():
            context = browser.new_context(viewport={"width": 1600, "height": 1000})
            page = context.new_page()
            _login(page, server)
            times[name].append(Bench(page, server).open(job)["ready_at"])
            context.close()
    return times


def _login(page: Any, server: LiveServer) -> None:
    response = page.request.post(f"{server.url}/api/auth/login", data={"username": server.admin[0],
                                                                      "password": server.admin[1]})
    assert response.ok, response.text()


def bench_save(bench: Bench, rest: Rest, job: int, shapes: list[dict[str, Any]]) -> dict[str, float]:
    page = bench.page
    bench.open(job)
    sent: list[int] = []
    page.on("request", lambda r: sent.append(len(r.post_data_buffer or b""))
            if r.method == "PATCH" and "/annotations" in r.url else None)
    s = next(s for s in shapes if s["type"] == "rectangle" and not s.get("rotation") and s["z_order"] == 3)["points"]
    x, y = (s[0] + s[2]) / 2, (s[1] + s[3]) / 2
    page.mouse.click(*bench.screen(x, y))
    page.mouse.move(*bench.screen(x, y))
    page.mouse.down()
    page.mouse.move(*bench.screen(x + 10, y + 5), steps=4)
    page.mouse.up()
    assert page.locator(".workspace").get_attribute("data-dirty") == "true"
    started = time.perf_counter()
    page.keyboard.press("Control+s")
    page.wait_for_function("() => document.querySelector('.workspace').dataset.dirty === 'false'"
                           " && !document.querySelector('.save-button').disabled")
    ui_seconds = time.perf_counter() - started
    everything = rest.get(f"/api/jobs/{job}/annotations")
    body = {"shapes": [{k: v for k, v in s.items() if k != "id"} for s in everything["shapes"]]}
    raw = orjson.dumps(body)
    started = time.perf_counter()
    rest.call("PUT", f"/api/jobs/{job}/annotations", body)
    put_seconds = time.perf_counter() - started
    return {"ui_seconds": ui_seconds, "ui_bytes": sum(sent), "requests": len(sent), "put_seconds": put_seconds,
            "put_bytes": len(raw)}


def _load() -> str:
    return Path("/proc/loadavg").read_text().split()[0] if Path("/proc/loadavg").exists() else "?"


def _worst(samples: list[float], limit: float) -> str:
    ordered = sorted(samples)
    p99 = ordered[min(len(ordered) - 1, int(round(0.99 * (len(ordered) - 1))))]
    return (f"median {statistics.median(samples):6.1f}  p99 {p99:6.1f}  worst {ordered[-1]:6.1f} ms  "
            f"over {limit:g} ms: {sum(v > limit for v in samples)} of {len(samples)}")


def bench_busy_and_scrub(browser: Any, server: LiveServer, args: argparse.Namespace) -> dict[str, Any]:
    """Issue 13's cases on one server: a frame with ``--many-shapes`` shapes (zoom, pan, select,
    hover), and the workspace scrubbing a 500-keyframe track over a ``--frames``-frame job."""
    rest = Rest(server)
    _, busy_job, labels = _task(rest, f"{args.many_shapes} shapes", [("a.jpg", _image(0)), ("b.jpg", _image(1))])
    shapes = _shapes(args.many_shapes, 0, labels)
    rest.call("PATCH", f"/api/jobs/{busy_job}/annotations?action=create", {"shapes": shapes})
    _, track_job, track_labels = _task(rest, "track", [("frames.zip", _tiny_frames_zip(args.frames))])
    rest.call("PATCH", f"/api/jobs/{track_job}/annotations?action=create",
              {"tracks": [_scrub_track(args.frames, 500, track_labels[0], 64, 48)]})
    context = browser.new_context(viewport={"width": 1600, "height": 1000})
    page = context.new_page()
    _login(page, server)
    bench = Bench(page, server)
    result = {"load": _load(), "shapes": bench_shapes(bench, rest, busy_job, labels, shapes, args.repeat)}
    result["scrub"] = bench_track_workspace(bench, track_job, min(args.scrub_steps, args.frames - 1))
    context.close()
    return result


def report_busy_and_scrub(name: str, r: dict[str, Any], args: argparse.Namespace) -> None:
    shapes, scrub = r["shapes"], r["scrub"]
    print(f"-- {name} (load average {r['load']} when it started)")
    print(f"  {args.many_shapes} shapes on a frame ({shapes['drawn']} drawn after culling), event → pixels:")
    for key, what in (("zoom", "wheel step"), ("pan", "pan step"), ("select", "click to select"), ("hover", "hover")):
        print(f"    {what:<16} {_stats(shapes[key])}   worst {max(shapes[key]):6.1f} ms")
    print(f"    all shapes redrawn (every slice)   {_stats(shapes['batched'])}   naive: {_stats(shapes['naive'])}")
    print(f"  the workspace scrubbed with F over {len(scrub['work'])} frames of the 500-keyframe track (selected):")
    print(f"    work per frame   {_worst(scrub['work'], 16)}")
    print(f"    refresh interval {_worst(scrub['intervals'], 16.7 * 1.5)}   (over 1.5 refreshes: a missed refresh)")
    print(f"    tasks over 50 ms during the scrub: {scrub['longTasks']}")


def new_cases(args: argparse.Namespace) -> None:
    """Issue 13's cases on a server of this tree and, with ``--reference-src``, on one of the
    reference tree (measured first, on the same machine, in the same run)."""
    from playwright.sync_api import sync_playwright

    servers = [("this tree", LiveServer(workers=2).start())]
    if args.reference_src:
        servers.insert(0, (f"reference: {args.reference_src}", LiveServer(workers=2, src=args.reference_src).start()))
    try:
        print(f"\n== issue 13: {args.many_shapes} shapes on a frame (goal < 100 ms per interaction); a track of 500 "
              f"keyframes over {args.frames} frames scrubbed in the workspace (goal < 16 ms per frame)")
        with sync_playwright() as playwright:
            browser = launch(playwright)
            for name, server in servers:
                report_busy_and_scrub(name, bench_busy_and_scrub(browser, server, args), args)
            browser.close()
    finally:
        for _, server in servers:
            server.destroy()



# Installed before playing: the time each frame number is first drawn on the canvas (each render
# bumps the canvas's ``data-renders``; the frame number shows the frame on screen).
PLAY_PROBE = """() => {
  const canvas = document.querySelector("canvas.annotation-canvas");
  const number = document.querySelector(".frame-number");
  const log = window.__played = [];
  const long = window.__long = [];
  new PerformanceObserver((list) => { for (const e of list.getEntries()) long.push(e.duration); })
    .observe({type: "longtask"});
  new MutationObserver(() => {
    const frame = Number(number.value);
    if (!log.length || log[log.length - 1][0] !== frame) log.push([frame, performance.now()]);
  }).observe(canvas, {attributes: true, attributeFilter: ["data-renders"]});
}"""

# JPEG decode rate in the browser: the frames of one chunk decoded with createImageBitmap, one at a
# time and four at a time.
DECODE = """async ({job}) => {
  const {zipMembers} = await import('/static/ui/annotation/chunks.js');
  const buffer = await (await fetch(`/api/jobs/${job}/data?type=chunk&index=0&quality=compressed`)).arrayBuffer();
  const whole = new Blob([buffer]);
  const blobs = zipMembers(buffer).map((m) => whole.slice(m.offset, m.offset + m.size, "image/jpeg"));
  let started = performance.now();
  for (const blob of blobs) (await createImageBitmap(blob)).close();
  const serial = (performance.now() - started) / blobs.length;
  started = performance.now();
  for (let i = 0; i < blobs.length; i += 4) {
    for (const bitmap of await Promise.all(blobs.slice(i, i + 4).map((b) => createImageBitmap(b)))) bitmap.close();
  }
  const parallel = (performance.now() - started) / blobs.length;
  return {serial, parallel, frames: blobs.length, bytes: buffer.byteLength};
}"""


def _video_file(path: Path, frames: int) -> Path:
    """A 1280×720 MPEG-4 video at 25 fps: the gradient scene with blobs moving across it."""
    import av

    y, x = np.mgrid[0:HEIGHT, 0:WIDTH]
    rng = np.random.default_rng(7)
    blobs = [(rng.integers(0, WIDTH), rng.integers(0, HEIGHT), rng.integers(40, 140), rng.integers(-9, 10),
              rng.integers(-6, 7), rng.integers(0, 256, 3)) for _ in range(8)]
    with av.open(str(path), "w") as container:
        stream = container.add_stream("mpeg4", rate=25)
        stream.width, stream.height, stream.pix_fmt = WIDTH, HEIGHT, "yuv420p"
        stream.options = {"qscale": "3"}
        for index in range(frames):
            base = np.stack([(x * 0.2 + index * 3) % 256, (y * 0.3) % 256, ((x + y) * 0.1) % 256], axis=-1)
            for cx, cy, r, dx, dy, color in blobs:
                px, py = (cx + dx * index) % WIDTH, (cy + dy * index) % HEIGHT
                base[(x - px) ** 2 + (y - py) ** 2 < r * r] = color
            frame = av.VideoFrame.from_ndarray(base.astype(np.uint8), format="rgb24")
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return path


def bench_playback(bench: Bench, job: int, legacy: bool, fps: int = 25) -> dict[str, Any]:
    """Play the job from frame 0 at ``fps`` (Space) until its last frame; each frame's first drawing
    time. ``legacy``: the playback before chunks (one request per frame, six ahead, a timer)."""
    page = bench.page
    page.goto(f"{bench.server.url}/api/server/about")  # any page of the origin, for its localStorage
    page.evaluate("(legacy) => legacy ? localStorage.setItem('inklab.playback.legacy', '1')"
                  " : localStorage.removeItem('inklab.playback.legacy')", legacy)
    bench.open(job)
    page.wait_for_timeout(2000)  # as a user would: the job is open, then Play
    page.evaluate(PLAY_PROBE)
    last = int(page.locator(".frame-number").get_attribute("max"))
    pressed = page.evaluate("() => performance.now()")
    page.keyboard.press(" ")
    page.wait_for_function(f"() => document.querySelector('.frame-number').value === '{last}'"
                           " && document.querySelector('.player-button[title^=Play]')", timeout=300_000)
    page.wait_for_timeout(200)
    played = page.evaluate("() => window.__played")
    long_tasks = page.evaluate("() => window.__long")
    stalls = page.locator(".workspace").get_attribute("data-play-stalls")
    page.evaluate("() => localStorage.removeItem('inklab.playback.legacy')")
    interval = 1000 / fps
    frames = [f for f, _ in played]
    times = [t for _, t in played]
    gaps = [b - a for a, b in zip(times, times[1:], strict=False)]
    # Dropped: drawn later than one frame interval after it was due (one interval after the
    # previous frame), or never drawn at all.
    late_at = [frames[i + 1] for i, g in enumerate(gaps) if g > 2 * interval]
    late = len(late_at)
    skipped = len(set(range(1, last + 1)) - set(frames))
    return {"frames": len(frames) - 1, "gaps": gaps, "late": late, "late_at": late_at, "skipped": skipped,
            "long": long_tasks, "stalls": stalls, "start": times[1] - pressed if len(times) > 1 else float("nan"),
            "seconds": (times[-1] - times[0]) / 1000, "expected": last / fps}


def playback_case(browser: Any, server: LiveServer, rest: Rest, frames: int, rounds: int) -> None:
    """25 fps playback of a 1280×720 video task of ``frames`` frames: the player as it is (zip chunks
    fetched 2 s ahead, 0.6 s decoded ahead, a clock) beside the playback before it (the reference)."""
    import tempfile

    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        video = _video_file(Path(tmp) / "drive.mp4", frames)
        video_bytes = video.stat().st_size
        labels = [{"name": "car"}]
        task = rest.call("POST", "/api/tasks", {"name": "playback", "labels": labels})
        _upload(rest, task["id"], [("drive.mp4", video.read_bytes())])
    job = rest.jobs(task["id"])[0]["id"]
    meta = rest.get(f"/api/jobs/{job}/data/meta")
    # Warm the server's caches of both paths (compressed frames and chunks are made on first use).
    for number in range(frames):
        rest.http.request("GET", f"{server.url}/api/jobs/{job}/data?type=frame&number={number}&quality=compressed",
                          headers=rest.headers)
    chunks = (frames + meta["chunk_size"] - 1) // meta["chunk_size"]
    for index in range(chunks):
        rest.http.request("GET", f"{server.url}/api/jobs/{job}/data?type=chunk&index={index}&quality=compressed",
                          headers=rest.headers)
    print(f"(playback data: {frames} frames, {video_bytes / frames / 1024:.0f} KiB/frame as MPEG-4, chunks of "
          f"{meta['chunk_size']}; prepared in {time.perf_counter() - started:.0f} s)")

    context = browser.new_context(viewport={"width": 1600, "height": 1000})
    page = context.new_page()
    _login(page, server)
    bench = Bench(page, server)
    page.on("pageerror", lambda e: print("page error:", e))
    results: dict[bool, list[dict[str, Any]]] = {False: [], True: []}
    for _ in range(rounds):
        for legacy in (True, False):
            results[legacy].append(bench_playback(bench, job, legacy))
    decode = page.evaluate(DECODE, {"job": job})
    context.close()

    print(f"\n== playback at 25 fps, {frames} frames of a 1280×720 video, Space → last frame "
          f"(dropped: drawn over 80 ms after the previous frame, or never drawn); load average now {_load()}")
    for legacy, name in ((False, "inklab (chunks, 0.6 s decoded ahead)"), (True, "before (a request per frame, 6 ahead)")):
        for i, r in enumerate(results[legacy]):
            gaps = r["gaps"]
            print(f"  {name:<38} round {i + 1}: dropped {r['late'] + r['skipped']:3d} ({r['late']} late, "
                  f"{r['skipped']} skipped); frame time {_stats(gaps)}  max {max(gaps):6.1f} ms; "
                  f"{r['seconds']:.1f} s for {r['expected']:.1f} s of video; first frame after {r['start']:.0f} ms; "
                  f"waited for decoding {r['stalls'] or '?'} times; page thread blocked over 50 ms {len(r['long'])} times "
                  f"({sum(r['long']):.0f} ms)"
                  + (f"; late: frames {', '.join(map(str, r['late_at'][:12]))}" if r["late_at"] else ""))
    new = [r["late"] + r["skipped"] for r in results[False]]
    old = [r["late"] + r["skipped"] for r in results[True]]
    speed = statistics.median(r["seconds"] for r in results[True]) / statistics.median(r["seconds"] for r in results[False])
    print(f"  → dropped frames: {sum(new)} vs {sum(old)} (reference) over {rounds} round(s); "
          f"playing time before / now: {speed:.2f}×")
    per_frame = decode["bytes"] / decode["frames"]
    print(f"\n== JPEG decoding in the browser (createImageBitmap), {decode['frames']} frames of one chunk, "
          f"{per_frame / 1024:.0f} KiB/frame in the zip vs {video_bytes / frames / 1024:.0f} KiB/frame as MPEG-4")
    print(f"  one at a time   {decode['serial']:6.1f} ms/frame = {1000 / decode['serial']:5.0f} fps")
    print(f"  four at a time  {decode['parallel']:6.1f} ms/frame = {1000 / decode['parallel']:5.0f} fps  "
          f"→ {1000 / decode['parallel'] / 25:.1f}× the 25 fps needed")

def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--shapes", type=int, default=5000, help="shapes on the busy frame (default 5000)")
    parser.add_argument("--frames", type=int, default=10000, help="frames of the big job (default 10000)")
    parser.add_argument("--repeat", type=int, default=15, help="samples per interaction (default 15)")
    parser.add_argument("--playback-frames", type=int, default=250, help="frames of the playback video (default 250)")
    parser.add_argument("--playback-rounds", type=int, default=2, help="playback runs of each player (default 2)")
    parser.add_argument("--playback-only", action="store_true", help="only the 25 fps playback case")
    parser.add_argument("--many-shapes", type=int, default=20000, help="shapes on the busiest frame (default 20000)")
    parser.add_argument("--scrub-steps", type=int, default=2000,
                        help="frames the workspace is scrubbed over with the track (default 2000)")
    parser.add_argument("--reference-src", type=Path, default=None,
                        help="another checkout's src (e.g. of main, from `git worktree add`): its UI measured in the "
                             "same run for the busiest frame and the workspace scrub")
    parser.add_argument("--only-new", action="store_true",
                        help="only the busiest frame and the workspace scrub (with --reference-src: before/after)")
    args = parser.parse_args()
    if args.only_new:
        new_cases(args)
        return 0

    from playwright.sync_api import sync_playwright

    server = LiveServer(workers=2).start()
    try:
        rest = Rest(server)
        load = Path("/proc/loadavg").read_text().split()[0] if Path("/proc/loadavg").exists() else "?"
        print(f"inklab UI benchmark: {args.shapes} shapes, {args.frames}-frame job; server {server.url}; "
              f"load average {load} on {os.cpu_count()} CPUs")
        if args.playback_only:
            with sync_playwright() as playwright:
                browser = launch(playwright)
                playback_case(browser, server, rest, args.playback_frames, args.playback_rounds)
                browser.close()
            return 0
        started = time.perf_counter()
        images = [(f"frame_{i:03d}.jpg", _image(i)) for i in range(60)]
        _, busy_job, labels = _task(rest, "5k shapes", images[:2])
        shapes = _shapes(args.shapes, 0, labels)
        rest.call("PATCH", f"/api/jobs/{busy_job}/annotations?action=create", {"shapes": shapes})
        _, frames_job, labels_b = _task(rest, "frames", images)
        rest.call("PATCH", f"/api/jobs/{frames_job}/annotations?action=create",
                  {"shapes": [s for f in range(60) for s in _shapes(50, f, labels_b, seed=f)]})
        _, big_job, _ = _task(rest, f"{args.frames} frames", [("frames.zip", _tiny_frames_zip(args.frames))])
        # The reference job has the same (small) frames: only the number of frames differs.
        _, small_job, _ = _task(rest, "10 frames", [(f"s{i}.png", _tiny_png()) for i in range(10)])
        print(f"(data prepared in {time.perf_counter() - started:.0f} s)\n")

        with sync_playwright() as playwright:
            browser = launch(playwright)
            context = browser.new_context(viewport={"width": 1600, "height": 1000})
            page = context.new_page()
            _login(page, server)
            bench = Bench(page, server)

            r = bench_shapes(bench, rest, busy_job, labels, shapes, args.repeat)
            print(f"== a frame with {args.shapes} shapes ({r['drawn']} drawn after culling; job opened in "
                  f"{r['opened']['ready_at']:.0f} ms from navigation)")
            for name, what in (("zoom", "wheel step"), ("pan", "pan step"), ("select", "click to select"),
                               ("hover", "hover")):
                print(f"  {what:<16} event → pixels   {_stats(r[name])}")
            batched, naive = statistics.median(r["batched"]), statistics.median(r["naive"])
            print(f"  all shapes redrawn (inklab)      {_stats(r['batched'])}   (after each zoom/pan gesture pauses)")
            print(f"  all shapes redrawn (naive)       {_stats(r['naive'])}   (reference: a path per shape)")
            print(f"  → naive / inklab: {naive / batched:.1f}×;  worst interaction median / 100 ms goal: "
                  f"{max(statistics.median(r[n]) for n in ('zoom', 'pan', 'select', 'hover')) / 100:.2f}")

            t = bench_track_scrub(bench, args.frames, 500)
            print(f"\n== a track with 500 keyframes over {args.frames} frames, scrubbed frame by frame "
                  "(interpolation + redraw, no image)")
            print(f"  per frame                        {_stats(t)}   max {max(t):.1f} ms")
            print(f"  → frames over 16 ms: {sum(v > 16 for v in t)} of {len(t)}")

            b = bench_brush(bench, 400)
            print("\n== mask brush on a 1920×1080 frame, one stroke segment (bitmap + preview update)")
            for size in ("10", "40", "100"):
                print(f"  brush {size:>3} px                     {_stats(b[size])}   mean {statistics.mean(b[size]):.2f} ms"
                      f"   max {max(b[size]):.1f} ms")
            print(f"  whole-frame preview per segment  {_stats(b['reference'])}   (reference)")
            print(f"  → segments over 16 ms (brush 100): {sum(v > 16 for v in b['100'])} of {len(b['100'])};  "
                  f"reference / brush 40 (medians; the browser's clock ticks by 0.1 ms): "
                  f"{statistics.median(b['reference']) / max(0.1, statistics.median(b['40'])):.0f}× at least")

            f = bench_frames(bench, frames_job, 60, min(args.repeat, 12))
            pre, cold = statistics.median(f["prefetched"]), statistics.median(f["cold"])
            print("\n== frame switch, 1280×720 JPEG frames with 50 shapes each, key press → pixels")
            print(f"  next frame, prefetched           {_stats(f['prefetched'])}")
            print(f"  jump to a frame not prefetched   {_stats(f['cold'])}   (reference)")
            print(f"  → cold / prefetched: {cold / pre:.1f}×")

            o = bench_open(browser, server, {"big": big_job, "small": small_job}, 3)
            big, small = statistics.median(o["big"]), statistics.median(o["small"])
            print("\n== opening a job in a fresh browser (empty cache), navigation start → first frame drawn "
                  "(64×48 frames)")
            print(f"  {args.frames}-frame job               {_stats(o['big'])}")
            print(f"  10-frame job                     {_stats(o['small'])}   (reference)")
            print(f"  → {args.frames} frames / 10 frames: {big / small:.2f}×;  {args.frames}-frame job / 1 s goal: "
                  f"{big / 1000:.2f}")

            s = bench_save(bench, rest, busy_job, shapes)
            print(f"\n== saving one moved shape in the {args.shapes}-shape frame")
            print(f"  inklab UI: {s['ui_seconds'] * 1000:7.1f} ms, {s['ui_bytes']:,} bytes in {s['requests']} request(s)")
            print(f"  PUT of the whole frame (reference): {s['put_seconds'] * 1000:7.1f} ms, {s['put_bytes']:,} bytes")
            print(f"  → bytes: {s['put_bytes'] / max(1, s['ui_bytes']):.0f}× fewer;  time: "
                  f"{s['put_seconds'] / s['ui_seconds']:.1f}× faster")

            playback_case(browser, server, rest, args.playback_frames, args.playback_rounds)
            browser.close()
    finally:
        server.destroy()
    new_cases(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
