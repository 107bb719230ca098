"""PyTorch datasets benchmark: inklab.sdk.pytorch beside the official cvat_sdk.pytorch.

Run from the repository root:  .venv/bin/python bench/sdk_pytorch_bench.py [--frames 1000]

It starts its own ``inklab serve`` in a temporary data directory, creates a task of N JPEG
frames (640×480 by default) with a realistic amount of annotations (5 boxes, a polygon and a
tag per frame, and some tracks), and measures in one run, alternating the two SDKs:

* cold construction: ``TaskVisionDataset(client, task)`` with an empty cache (the server's
  chunk files are prepared beforehand, so both SDKs download the same ready files);
* warm iteration: samples/s reading every sample of a dataset built from the warm cache,
  beside the bare limit: the same JPEGs decoded with Pillow straight out of the cached chunk
  zips in a loop (each archive opened once). Each loop runs in fresh processes that take turns
  (medians are reported), wall-clock and per CPU second.

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
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import orjson
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


def sample_loop(dataset: Any, indices: list[int]) -> int:
    for index in indices:
        dataset[index]
    return len(indices)


def bare_chunk(path: Path) -> int:
    """The bare limit: Pillow decoding every frame of a cached chunk zip (opened once)."""
    with zipfile.ZipFile(path) as archive:
        infos = archive.infolist()
        for info in infos:
            image = Image.open(io.BytesIO(archive.read(info)))
            image.load()
    return len(infos)


def warm_worker(name: str, cache: Path, url: str, task_id: int, passes: int) -> None:
    """One process, one loop: build the dataset from the cache (no network), read every sample
    once to warm up, then ``passes`` times more, timed; prints the figures as JSON."""
    import cvat_sdk
    import cvat_sdk.pytorch as cvat_pytorch

    from inklab.sdk import Client, Config
    from inklab.sdk.datasets import CacheLayout, UpdatePolicy
    from inklab.sdk.pytorch import TaskVisionDataset

    if name == "cvat_sdk":
        client = cvat_sdk.Client(url, check_server_version=False)
        client.config.cache_dir = cache
        dataset = cvat_pytorch.TaskVisionDataset(client, task_id, update_policy=cvat_pytorch.UpdatePolicy.NEVER)
        run: Callable[[], int] = lambda: sample_loop(dataset, list(range(len(dataset))))  # noqa: E731
    else:
        client = Client(url, config=Config(cache_dir=cache), check_server_version=False)
        dataset = TaskVisionDataset(client, task_id, update_policy=UpdatePolicy.NEVER)
        if name == "inklab":
            run = lambda: sample_loop(dataset, list(range(len(dataset))))  # noqa: E731
        else:
            chunks = sorted(CacheLayout(cache, client.url).chunk_dir(task_id).glob("*.zip"), key=lambda p: int(p.stem))
            run = lambda: sum(bare_chunk(path) for path in chunks)  # noqa: E731
    run()
    gc.collect()
    gc.freeze()
    samples, wall, cpu = 0, 0.0, 0.0
    for _ in range(passes):
        started, started_cpu = time.perf_counter(), time.process_time()
        samples += run()
        wall += time.perf_counter() - started
        cpu += time.process_time() - started_cpu
    print(orjson.dumps({"samples": samples, "wall": wall, "cpu": cpu}).decode())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--frames", type=int, default=1000)
    parser.add_argument("--size", default="640x480")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--workers", type=int, default=2, help="web workers of the server (default 2)")
    parser.add_argument("--passes", type=int, default=2, help="timed passes per warm-iteration process")
    parser.add_argument("--warm-worker", choices=["inklab", "cvat_sdk", "bare"], help=argparse.SUPPRESS)
    parser.add_argument("--cache", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    parser.add_argument("--task", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.warm_worker:
        warm_worker(args.warm_worker, args.cache, args.url, args.task, args.passes)
        return 0
    size = tuple(int(v) for v in args.size.split("x"))

    import cvat_sdk
    import cvat_sdk.pytorch as cvat_pytorch

    from inklab.sdk import Config, make_client
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

        ours_cache, theirs_cache = ours_client.config.cache_dir, theirs_client.config.cache_dir
        datasets.clear()
        # Warm iteration runs in fresh processes, one loop each, taking turns: on a shared
        # machine, and with allocator and cache luck differing from process to process, this
        # compares the loops more fairly than running them one after another in this process.
        names = ["inklab", "cvat_sdk", "bare"]
        caches = {"inklab": ours_cache, "cvat_sdk": theirs_cache, "bare": ours_cache}
        results: dict[str, list[dict[str, float]]] = {name: [] for name in names}
        for repeat in range(args.repeats):
            for name in names[repeat % 3:] + names[:repeat % 3]:
                out = subprocess.run(
                    [sys.executable, __file__, "--warm-worker", name, "--cache", str(caches[name]),
                     "--url", server.url, "--task", str(task_id), "--passes", str(args.passes)],
                    capture_output=True, text=True, check=True)
                result = orjson.loads(out.stdout.strip().splitlines()[-1])
                results[name].append(result)
                print(f"  warm iteration    {name:8s} process {repeat + 1}: {result['samples'] / result['wall']:7.1f} "
                      f"samples/s ({result['samples'] / result['cpu']:.1f} per CPU second)")

        cold_ours, cold_theirs = statistics.median(cold["inklab"]), statistics.median(cold["cvat_sdk"])
        warm = {n: statistics.median(r["samples"] / r["wall"] for r in results[n]) for n in names}
        warm_cpu = {n: statistics.median(r["samples"] / r["cpu"] for r in results[n]) for n in names}
        print()
        print(f"cold construction (median of {args.repeats}): inklab {cold_ours:.2f} s, cvat_sdk {cold_theirs:.2f} s"
              f" -> inklab is {cold_theirs / cold_ours:.2f}x faster (goal >= 2x)")
        print(f"warm iteration (median of {args.repeats} processes): inklab {warm['inklab']:.1f}, "
              f"cvat_sdk {warm['cvat_sdk']:.1f}, bare limit {warm['bare']:.1f} samples/s")
        print(f"  inklab / bare limit = {warm['inklab'] / warm['bare']:.1%} (goal >= 90%); "
              f"inklab / cvat_sdk = {warm['inklab'] / warm['cvat_sdk']:.2f}x")
        print(f"  per CPU second: inklab / bare limit = {warm_cpu['inklab'] / warm_cpu['bare']:.1%}; "
              f"inklab / cvat_sdk = {warm_cpu['inklab'] / warm_cpu['cvat_sdk']:.2f}x")
    finally:
        server.destroy()
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
