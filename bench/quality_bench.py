"""Quality comparison benchmark: a task of 10,000 frames with 100,000 boxes, ground truth on
10 % of the frames, compared by :mod:`inklab.quality` beside a naive O(n·m) matcher.

Run from the repository root:  .venv/bin/python bench/quality_bench.py [--frames 10000] [--boxes 10]

The data is generated (a fixed seed): every frame has ``--boxes`` boxes; a tenth of the frames
are ground truth, whose boxes are the annotators' jittered a little, with one box in twenty
moved far away (a miss and an extra) and one in fifty relabelled. Objects start as the stored
JSON text of the server (decoding is part of the figure).

* **inklab.quality**: decode the ground-truth frames' objects, compare frame by frame
  (Hungarian matching on IoU, every conflict check on), summarize;
* **naive**: every ground-truth box against every checked box of the whole task (numpy IoU per
  ground-truth box, same frame and label required, greedy best match), the O(n·m) way.

It prints wall time and peak traced memory (``tracemalloc``) of each, and checks that both find
the same number of valid matches. Goal (issue 12): under 10 s and under 300 MiB for inklab.
"""

from __future__ import annotations

import argparse
import random
import time
import tracemalloc
from collections import defaultdict
from collections.abc import Callable
from typing import Any

import numpy as np
import orjson

from inklab.quality import Annotation, compare_frame, summarize


def _data(frames: int, boxes: int) -> tuple[list[tuple[int, int, bytes]], list[tuple[int, int, bytes]], set[int]]:
    rng = random.Random(12)
    checked, truth = [], []
    gt_frames = set(rng.sample(range(frames), frames // 10))
    next_id = 1
    for frame in range(frames):
        for _ in range(boxes):
            x, y = rng.uniform(0, 1800), rng.uniform(0, 1000)
            w, h = rng.uniform(20, 100), rng.uniform(20, 100)
            label = rng.randrange(3)
            obj = {"type": "rectangle", "frame": frame, "label_id": label, "points": [x, y, x + w, y + h],
                   "attributes": [], "group": 0, "z_order": 0, "rotation": 0.0}
            checked.append((next_id, frame, orjson.dumps(obj)))
            next_id += 1
            if frame in gt_frames:
                jitter = [v + rng.uniform(-2, 2) for v in obj["points"]]
                roll = rng.random()
                if roll < 0.05:
                    jitter = [v + 500 for v in jitter]
                elif roll < 0.07:
                    obj = {**obj, "label_id": (label + 1) % 3}
                truth.append((next_id, frame, orjson.dumps({**obj, "points": jitter})))
                next_id += 1
    return checked, truth, gt_frames


def _decode(rows: list[tuple[int, int, bytes]], frames: set[int]) -> dict[int, list[Annotation]]:
    result: dict[int, list[Annotation]] = defaultdict(list)
    for obj_id, frame, data in rows:
        if frame in frames:
            obj = orjson.loads(data)
            result[frame].append(Annotation(obj_id, "shape", obj["label_id"], obj["type"], tuple(obj["points"])))
    return result


def run_inklab(checked: list[Any], truth: list[Any], frames: set[int], total: int) -> int:
    gt, ds = _decode(truth, frames), _decode(checked, frames)
    results = [compare_frame(f, gt.get(f, []), ds.get(f, []), image_size=(1920, 1080)) for f in sorted(frames)]
    return summarize(results, total).valid_count


def run_naive(checked: list[Any], truth: list[Any], frames: set[int], total: int) -> int:
    def arrays(rows: list[Any]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        objs = [(frame, orjson.loads(data)) for _, frame, data in rows]
        return (np.array([f for f, _ in objs]), np.array([o["label_id"] for _, o in objs]),
                np.array([o["points"] for _, o in objs], dtype=float))

    gf, gl, gb = arrays(truth)
    df, dl, db = arrays(checked)
    used = np.zeros(len(db), dtype=bool)
    valid = 0
    for i in range(len(gb)):
        x1 = np.maximum(gb[i, 0], db[:, 0])
        y1 = np.maximum(gb[i, 1], db[:, 1])
        x2 = np.minimum(gb[i, 2], db[:, 2])
        y2 = np.minimum(gb[i, 3], db[:, 3])
        inter = np.clip(x2 - x1, 0, None) * np.clip(y2 - y1, 0, None)
        union = (gb[i, 2] - gb[i, 0]) * (gb[i, 3] - gb[i, 1]) + (db[:, 2] - db[:, 0]) * (db[:, 3] - db[:, 1]) - inter
        iou = np.where((df == gf[i]) & (dl == gl[i]) & ~used, inter / union, 0.0)
        best = int(iou.argmax())
        if iou[best] >= 0.4:
            used[best] = True
            valid += 1
    return valid


def measure(name: str, func: Callable[..., int], *args: Any) -> int:
    tracemalloc.start()
    start = time.perf_counter()
    valid = func(*args)
    elapsed = time.perf_counter() - start
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"{name:16s} {elapsed:8.2f} s  peak {peak / 2**20:7.1f} MiB  valid matches {valid}")
    return valid


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=10_000)
    parser.add_argument("--boxes", type=int, default=10, help="boxes per frame")
    parser.add_argument("--no-naive", action="store_true", help="skip the naive matcher (minutes at full size)")
    args = parser.parse_args()
    checked, truth, frames = _data(args.frames, args.boxes)
    print(f"{args.frames} frames, {len(checked)} boxes, {len(frames)} ground-truth frames with {len(truth)} boxes")
    ours = measure("inklab.quality", run_inklab, checked, truth, frames, args.frames)
    if not args.no_naive:
        naive = measure("naive O(n*m)", run_naive, checked, truth, frames, args.frames)
        print("same valid count" if ours == naive else f"valid counts differ: {ours} vs {naive}")


if __name__ == "__main__":
    main()
