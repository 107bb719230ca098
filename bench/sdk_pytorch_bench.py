"""PyTorch datasets benchmark: inklab.sdk.pytorch beside the official cvat_sdk.pytorch.

Run from the repository root:  .venv/bin/python bench/sdk_pytorch_bench.py [--frames 1000]

It starts its own ``inklab serve`` in a temporary data directory, creates a task of N JPEG
frames (640×480 by default) with a realistic amount of annotations (5 boxes, a polygon and a
tag per frame, and some tracks), and measures in one run, alternating the two SDKs:

* cold construction: ``TaskVisionDataset(client, task)`` with an empty cache (the server's
  chunk files are prepared beforehand, so both SDKs download the same ready files);
* warm iteration: samples/s reading every sample of a constructed dataset, beside the bare
  limit: the same JPEGs decoded with Pillow straight out of the cached chunk zips in a loop
  (each archive opened once).

It prints every figure, the medians and the ratios, and the machine.
"""

from __future__ import annotations

import argparse
import gc
import io
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image, ImageDraw

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.support.live import LiveServer  # noqa: E402


def machine() -> str:
    model = "unknown CPU"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    memory = ""
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        kib = int(meminfo.read_text().split()[1])
        memory = f", {kib / 2**20:.0f} GiB RAM"
    return (f"{model}, {os.cpu_count()} logical CPUs{memory}; {platform.system()} {platform.release()}; "
            f"Python {platform.python_version()}")


def make_frames(directory: Path, count: int, size: tuple[int, int]) -> list[Path]:
    """JPEGs that compress like photos (smooth areas, edges, a little noise), ~30-60 KB at 640×480."""
    directory.mkdir(parents=True, exist_ok=True)
    width, height = size
    rng = np.random.default_rng(0)
    base = np.linspace(0, 255, width, dtype=np.float32)[None, :, None] * np.ones((height, 1, 3), np.float32)
    noises = [rng.normal(0, 6, (height, width, 3)).astype(np.float32) for _ in range(5)]
    paths = []
    for i in range(count):
        noise = noises[i % len(noises)]
        array = np.clip(base * ((i % 7) + 3) / 10 + noise, 0, 255).astype(np.uint8)
        image = Image.fromarray(array, "RGB")
        draw = ImageDraw.Draw(image)
        for _ in range(6):
            x, y = rng.integers(0, width - 60), rng.integers(0, height - 60)
            draw.rectangle([x, y, x + rng.integers(20, 120), y + rng.integers(20, 90)],
                           fill=tuple(int(v) for v in rng.integers(0, 256, 3)))
        path = directory / f"frame_{i:05d}.jpg"
        image.save(path, quality=85)
        paths.append(path)
    return paths


def annotations(labels: list[Any], frames: int) -> dict[str, Any]:
    car, road, tag = labels
    rng = np.random.default_rng(1)
    shapes, tags, tracks = [], [], []
    for frame in range(frames):
        for _ in range(5):
            x, y = (float(v) for v in rng.integers(0, 500, 2))
            shapes.append({"type": "rectangle", "frame": frame, "label_id": car.id,
                           "points": [x, y, x + 40.0, y + 30.0]})
        shapes.append({"type": "polygon", "frame": frame, "label_id": road.id,
                       "points": [10.0, 400.0, 300.0, 380.0, 620.0, 470.0, 5.0, 475.0]})
        tags.append({"frame": frame, "label_id": tag.id})
    for start in range(0, frames - 20, 50):
        tracks.append({"frame": start, "label_id": car.id, "shapes": [
            {"type": "rectangle", "frame": start, "points": [0.0, 0.0, 50.0, 50.0]},
            {"type": "rectangle", "frame": start + 20, "points": [200.0, 100.0, 250.0, 150.0]},
            {"type": "rectangle", "frame": start + 30, "points": [200.0, 100.0, 250.0, 150.0], "outside": True}]})
    return {"shapes": shapes, "tags": tags, "tracks": tracks}


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    value = fn()
    return time.perf_counter() - start, value


def iterate(dataset: Any) -> int:
    for index in range(len(dataset)):
        dataset[index]
    return len(dataset)


def bare_limit(chunk_dir: Path) -> int:
    """Pillow decoding every frame straight out of the cached chunk zips (each opened once)."""
    count = 0
    for path in sorted(chunk_dir.glob("*.zip"), key=lambda p: int(p.stem)):
        with zipfile.ZipFile(path) as archive:
            for info in archive.infolist():
                image = Image.open(io.BytesIO(archive.read(info)))
                image.load()
                count += 1
    return count


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--frames", type=int, default=1000)
    parser.add_argument("--size", default="640x480")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--workers", type=int, default=2, help="web workers of the server (default 2)")
    args = parser.parse_args()
    size = tuple(int(v) for v in args.size.split("x"))

    import cvat_sdk
    import cvat_sdk.pytorch as cvat_pytorch

    from inklab.sdk import Config, make_client
    from inklab.sdk.datasets import CacheLayout
    from inklab.sdk.pytorch import TaskVisionDataset

    work = Path(tempfile.mkdtemp(prefix="inklab-sdk-bench-"))
    server = LiveServer(workers=args.workers).start()
    try:
        print(f"machine: {machine()}")
        print(f"server: inklab serve, {args.workers} web workers, {server.url}")
        t, files = timed(lambda: make_frames(work / "frames", args.frames, size))
        megabytes = sum(f.stat().st_size for f in files) / 2**20
        print(f"data: {args.frames} JPEG frames {args.size}, {megabytes:.1f} MiB (made in {t:.1f} s)")
        config = Config(status_check_period=0.2, cache_dir=work / "warmup")
        with make_client(server.url, credentials=server.admin, config=config) as client:
            t, task = timed(lambda: client.tasks.create_from_data(
                {"name": "bench", "labels": [{"name": "car"}, {"name": "road"}, {"name": "daylight", "type": "tag"}],
                 "segment_size": 100}, files))
            payload = annotations(task.get_labels(), args.frames)
            task.set_annotations(payload)
            print(f"task #{task.id}: {task.size} frames, chunks of {task.data_chunk_size}, "
                  f"{len(payload['shapes'])} shapes, {len(payload['tags'])} tags, {len(payload['tracks'])} tracks "
                  f"(uploaded in {t:.1f} s)")
            TaskVisionDataset(client, task.id)  # the server prepares its chunk files once
        task_id = task.id

        cold: dict[str, list[float]] = {"inklab": [], "cvat_sdk": []}
        lengths: dict[str, int] = {}
        # One logged-in client per SDK; only the dataset construction is timed.
        ours_client = make_client(server.url, credentials=server.admin)
        theirs_client = cvat_sdk.make_client(server.url, credentials=server.admin)

        def inklab_cold(cache: Path) -> Any:
            ours_client.config.cache_dir = cache
            return TaskVisionDataset(ours_client, task_id)

        def cvat_cold(cache: Path) -> Any:
            theirs_client.config.cache_dir = cache
            return cvat_pytorch.TaskVisionDataset(theirs_client, task_id)

        builders = {"inklab": inklab_cold, "cvat_sdk": cvat_cold}
        datasets: dict[str, Any] = {}
        for repeat in range(args.repeats):
            order = ["inklab", "cvat_sdk"] if repeat % 2 == 0 else ["cvat_sdk", "inklab"]
            for name in order:
                cache = work / f"cache-{name}-{repeat}"
                gc.collect()
                seconds, dataset = timed(lambda: builders[name](cache))  # noqa: B023
                cold[name].append(seconds)
                lengths[name] = len(dataset)
                datasets[name] = dataset
                print(f"  cold construction {name:8s} run {repeat + 1}: {seconds:6.2f} s ({len(dataset)} samples)")
                if repeat < args.repeats - 1:
                    del dataset, datasets[name]
                    shutil.rmtree(cache)
        assert lengths["inklab"] == lengths["cvat_sdk"] == args.frames, lengths
        ours_client.close()
        theirs_client.close()

        ours, theirs = datasets["inklab"], datasets["cvat_sdk"]
        chunk_dir = CacheLayout(ours_client.config.cache_dir, ours_client.url).chunk_dir(task_id)
        runs: dict[str, list[float]] = {"inklab": [], "cvat_sdk": [], "bare": []}
        loops: dict[str, Callable[[], int]] = {
            "inklab": lambda: iterate(ours), "cvat_sdk": lambda: iterate(theirs), "bare": lambda: bare_limit(chunk_dir)}
        for name in loops:  # warm the page cache and the code paths
            loops[name]()
        # Long-lived objects (both datasets' annotations) stay out of the garbage collector's
        # way, so that no loop pays for collections the others' objects cause.
        gc.collect()
        gc.freeze()
        for repeat in range(args.repeats):
            for name in (list(loops) if repeat % 2 == 0 else list(reversed(loops))):
                seconds, count = timed(loops[name])
                runs[name].append(count / seconds)
                print(f"  warm iteration    {name:8s} run {repeat + 1}: {count / seconds:7.1f} samples/s")

        cold_ours, cold_theirs = statistics.median(cold["inklab"]), statistics.median(cold["cvat_sdk"])
        warm = {name: statistics.median(values) for name, values in runs.items()}
        print()
        print(f"cold construction (median of {args.repeats}): inklab {cold_ours:.2f} s, cvat_sdk {cold_theirs:.2f} s"
              f" -> inklab is {cold_theirs / cold_ours:.2f}x faster (goal >= 2x)")
        # The machine may be shared: compare loops measured side by side in the same round.
        to_bare = statistics.median(a / b for a, b in zip(runs["inklab"], runs["bare"], strict=True))
        to_cvat = statistics.median(a / b for a, b in zip(runs["inklab"], runs["cvat_sdk"], strict=True))
        print(f"warm iteration (median of {args.repeats}): inklab {warm['inklab']:.1f}, "
              f"cvat_sdk {warm['cvat_sdk']:.1f}, bare limit {warm['bare']:.1f} samples/s")
        print(f"  inklab / bare limit = {to_bare:.1%} (goal >= 90%); inklab / cvat_sdk = {to_cvat:.2f}x "
              "(medians of the per-round ratios)")
    finally:
        server.destroy()
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
