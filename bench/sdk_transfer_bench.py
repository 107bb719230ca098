"""Dataset and backup transfers: inklab.sdk beside the official cvat_sdk, against one server.

Run from the repository root:  .venv/bin/python bench/sdk_transfer_bench.py [--frames 30]

It starts its own ``inklab serve``, creates a task of N incompressible PNG frames (random
noise, 1024×768 by default, ~2.3 MiB each) and a CVAT XML file with many boxes, then measures,
each run in a fresh process and the two SDKs taking turns:

* ``backup``:  ``task.download_backup(file)`` (the server builds the zip, the client streams it);
* ``restore``: ``client.tasks.create_from_backup(file)`` (TUS upload in pieces, server restore);
* ``import``:  ``task.import_annotations("CVAT 1.1", xml)`` (TUS upload, server import).

Each figure is the wall-clock time and the client process's peak resident memory during the
operation (sampled every 5 ms) above its resident memory just before. Both SDKs face the same server, so the server's share of the time
is the same for both; the client's memory shows whether files are streamed. It prints every
figure, the medians and the ratios, and the machine.
"""

from __future__ import annotations

import argparse
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np
import orjson
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.sdk_pytorch_bench import machine  # noqa: E402
from tests.support.live import LiveServer  # noqa: E402

SDKS = ("inklab", "cvat_sdk")
OPERATIONS = ("backup", "restore", "import")


def make_frames(directory: Path, count: int, size: tuple[int, int]) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(0)
    width, height = size
    paths = []
    for i in range(count):
        path = directory / f"frame_{i:04d}.png"
        Image.fromarray(rng.integers(0, 256, (height, width, 3), dtype=np.uint8), "RGB").save(path, compress_level=1)
        paths.append(path)
    return paths


def make_xml(path: Path, frames: list[Path], size: tuple[int, int], boxes_per_frame: int) -> int:
    rng = np.random.default_rng(1)
    width, height = size
    lines = ['<?xml version="1.0" encoding="utf-8"?>', "<annotations>", "  <version>1.1</version>"]
    count = 0
    for number, frame in enumerate(frames):
        lines.append(f'  <image id="{number}" name="{frame.name}" width="{width}" height="{height}">')
        for _ in range(boxes_per_frame):
            x, y = rng.integers(0, width - 50), rng.integers(0, height - 50)
            lines.append(f'    <box label="car" occluded="0" xtl="{x}" ytl="{y}" xbr="{x + 40}" ybr="{y + 30}" '
                         'z_order="0"></box>')
            count += 1
        lines.append("  </image>")
    lines.append("</annotations>")
    path.write_text("\n".join(lines) + "\n")
    return count


def rss_mib() -> float:
    """The resident memory of this process now."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * resource.getpagesize() / 2**20


class PeakSampler(threading.Thread):
    """Samples the resident memory every 5 ms; ``peak`` is the highest seen."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.peak = rss_mib()
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.wait(0.005):
            self.peak = max(self.peak, rss_mib())

    def stop(self) -> float:
        self.done.set()
        self.join()
        return max(self.peak, rss_mib())


def worker(sdk: str, operation: str, url: str, user: str, password: str, task_id: int, path: Path) -> None:
    """One operation with one SDK in this fresh process; prints seconds and peak memory growth."""
    if sdk == "cvat_sdk":
        import cvat_sdk

        client: Any = cvat_sdk.make_client(url, credentials=(user, password))
    else:
        from inklab.sdk import make_client

        client = make_client(url, credentials=(user, password))
    client.config.status_check_period = 0.1
    task = client.tasks.retrieve(task_id)
    baseline = rss_mib()
    sampler = PeakSampler()
    sampler.start()
    started = time.perf_counter()
    made = None
    if operation == "backup":
        task.download_backup(path)
    elif operation == "restore":
        made = client.tasks.create_from_backup(path).id
    else:
        task.import_annotations("CVAT 1.1", path)
    seconds = time.perf_counter() - started
    print(orjson.dumps({"seconds": seconds, "memory": sampler.stop() - baseline, "made": made}).decode())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--frames", type=int, default=30)
    parser.add_argument("--size", default="1024x768")
    parser.add_argument("--boxes", type=int, default=1000, help="boxes per frame in the imported XML")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--worker", nargs=7, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        sdk, operation, url, user, password, task_id, path = args.worker
        worker(sdk, operation, url, user, password, int(task_id), Path(path))
        return 0
    size = (int(args.size.split("x")[0]), int(args.size.split("x")[1]))

    from inklab.sdk import Config, make_client

    work = Path(tempfile.mkdtemp(prefix="inklab-transfer-bench-"))
    server = LiveServer(workers=2).start()
    try:
        print(f"machine: {machine()}")
        frames = make_frames(work / "frames", args.frames, size)
        print(f"data: {len(frames)} PNG frames {args.size}, {sum(f.stat().st_size for f in frames) / 2**20:.1f} MiB")
        xml = work / "annotations.xml"
        boxes = make_xml(xml, frames, size, args.boxes)
        print(f"annotations: {boxes} boxes, {xml.stat().st_size / 2**20:.1f} MiB of CVAT XML")
        with make_client(server.url, credentials=server.admin, config=Config(status_check_period=0.1)) as client:
            task = client.tasks.create_from_data({"name": "bench", "labels": [{"name": "car"}]}, frames)
            backup = task.download_backup(work / "reference.zip")
            assert backup is not None
            print(f"task #{task.id}: backup of {backup.stat().st_size / 2**20:.1f} MiB")

            results: dict[tuple[str, str], list[dict[str, float]]] = {}
            for repeat in range(args.repeats):
                for operation in OPERATIONS:
                    for sdk in SDKS if repeat % 2 == 0 else SDKS[::-1]:
                        source = {"backup": work / f"{sdk}-{repeat}.zip", "restore": backup, "import": xml}[operation]
                        out = subprocess.run(
                            [sys.executable, __file__, "--worker", sdk, operation, server.url, *server.admin,
                             str(task.id), str(source)], capture_output=True, text=True, check=True)
                        result = orjson.loads(out.stdout.strip().splitlines()[-1])
                        results.setdefault((operation, sdk), []).append(result)
                        print(f"  {operation:7s} {sdk:8s} run {repeat + 1}: {result['seconds']:6.2f} s, "
                              f"client peak memory +{result['memory']:.0f} MiB")
                        if operation == "backup":
                            source.unlink()
                        if result["made"]:
                            client.tasks.remove_by_ids([int(result["made"])])
        print()
        print(f"medians of {args.repeats} runs (inklab / cvat_sdk):")
        for operation in OPERATIONS:
            ours = [r for r in results[(operation, "inklab")]]
            theirs = [r for r in results[(operation, "cvat_sdk")]]
            seconds = (statistics.median(r["seconds"] for r in ours), statistics.median(r["seconds"] for r in theirs))
            memory = (statistics.median(r["memory"] for r in ours), statistics.median(r["memory"] for r in theirs))
            print(f"  {operation:7s} time {seconds[0]:6.2f} s vs {seconds[1]:6.2f} s (cvat_sdk / inklab = "
                  f"{seconds[1] / seconds[0]:.2f}x); client peak memory +{memory[0]:.0f} MiB vs +{memory[1]:.0f} MiB")
    finally:
        server.destroy()
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
