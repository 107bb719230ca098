"""Auto-annotation benchmark: the official cvat_sdk driver vs inklab's, against one live server.

Run from the repository root:  .venv/bin/python bench/auto_annotation_bench.py [--frames 500]

It starts its own ``inklab serve``, creates one task of N generated JPEG frames, and runs the
same model (a torchvision classifier, untrained: the weights do not matter for speed) four
ways, side by side in one run:

* **bare**: the model over the same frames already decoded in memory, in batches, no server —
  the floor; inklab's overhead is measured against it;
* **cvat_sdk**: ``cvat_sdk.auto_annotation.annotate_task`` with a ``detect``-only function
  (fetch, decode and run one frame at a time, one upload at the end), from an empty cache;
* **inklab**: ``inklab.sdk.auto_annotation.annotate_task`` with the predefined
  ``torchvision_classification`` function (background prefetch, ``detect_batch``, incremental
  uploads), from an empty cache;
* **inklab, rerun**: the same again with the chunks already in the cache (a rerun or a resume);
* **driver alone**: inklab's driver from an empty cache with a function that answers at once
  (one tag per frame, no model): what the driver itself costs, the figure least moved by
  other work on the machine.

Every driver run replaces the task's annotations (``clear_existing``) and is checked to have
written one tag per frame. The machine may be shared: the variants run in interleaved rounds
(``--repeat``; the order rotates every round) and the best of each is reported, as wall time
and as CPU time, this process's (model, driver, decoding) plus the server's (read from /proc
for the server's process group; "n/a" elsewhere), since the server shares the CPUs too.
Goals (issue 4): inklab overhead under 10% of the bare loop, at least 1.5x cvat_sdk's frames/s.
"""

from __future__ import annotations

import argparse
import io
import os
import platform
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.support.images import make_images  # noqa: E402
from tests.support.live import LiveServer  # noqa: E402

_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _group_cpu(pgid: int) -> float | None:
    """CPU seconds used so far by the live processes of process group ``pgid`` (Linux)."""
    proc = Path("/proc")
    if not proc.is_dir():
        return None
    total = 0
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid:  # after the name: state, ppid, pgrp, ..., utime (12), stime (13)
            total += int(fields[11]) + int(fields[12])
    return total / _TICKS


def _task(server: LiveServer, frames: int, size: tuple[int, int], workdir: Path) -> int:
    from inklab.sdk import make_client

    images = make_images(workdir / "images", frames, size=size, ext="jpg")
    with make_client(server.url, credentials=server.admin) as client:
        client.config.status_check_period = 0.1
        task = client.tasks.create_from_data({"name": "aa-bench", "labels": [{"name": "red", "type": "tag"},
                                                                            {"name": "blue", "type": "tag"}]},
                                             images, data_params={"chunk_size": 32, "image_quality": 90})
        return int(task.id)


def _model(args: argparse.Namespace) -> Any:
    from inklab.sdk.auto_annotation.functions import torchvision_classification

    return torchvision_classification.create(args.model, None, num_classes=2, categories="red,blue", device="cpu",
                                             batch_size=args.batch_size)


class _CvatFunction:
    """The same model behind the official interface (``detect`` only, cvat_sdk models)."""

    def __init__(self, inklab_function: Any) -> None:
        import cvat_sdk.auto_annotation as cvataa

        self._inner = inklab_function
        self._cvataa = cvataa
        self.spec = cvataa.DetectionFunctionSpec(labels=[cvataa.label_spec("red", 0, type="tag"),
                                                         cvataa.label_spec("blue", 1, type="tag")])

    def detect(self, context: Any, image: Any) -> list[Any]:
        return [self._cvataa.tag(t.label_id) for t in self._inner.detect(context, image)]


class _Instant:
    """Tags every frame at once: the driver's own cost, without a model."""

    def __init__(self) -> None:
        import inklab.sdk.auto_annotation as aa

        self._aa = aa
        self.spec = aa.DetectionFunctionSpec(labels=[aa.label_spec("red", 0, type="tag"),
                                                     aa.label_spec("blue", 1, type="tag")])
        self.batch_size = 16

    def detect(self, context: Any, image: Any) -> list[Any]:
        return [self._aa.tag(0)]

    def detect_batch(self, contexts: Any, images: Any) -> list[list[Any]]:
        return [[self._aa.tag(0)] for _ in images]


class _Context:
    frame_name, conf_threshold, conv_mask_to_poly = "bench", None, False


def _decoded_frames(server: LiveServer, task_id: int) -> list[Any]:
    """The task's frames decoded in memory (what the bare loop runs on)."""
    import PIL.Image

    from inklab.sdk import make_client

    images = []
    with make_client(server.url, credentials=server.admin) as client:
        task = client.tasks.retrieve(task_id)
        for chunk in range((task.size + 31) // 32):
            buffer = io.BytesIO()
            task.download_chunk(chunk, buffer, quality="original")
            archive = zipfile.ZipFile(buffer)
            for member in archive.infolist():
                image = PIL.Image.open(io.BytesIO(archive.read(member)))
                image.load()
                images.append(image)
    return images


def _measure(server: LiveServer, run: Callable[[], None]) -> tuple[float, float, float | None]:
    """(wall seconds, this process's CPU seconds, the server's CPU seconds) of ``run()``."""
    assert server.process is not None
    server_before = _group_cpu(server.process.pid)
    cpu, wall = time.process_time(), time.perf_counter()
    run()
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    server_after = _group_cpu(server.process.pid)
    served = server_after - server_before if server_before is not None and server_after is not None else None
    return wall, cpu, served


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--frames", type=int, default=500)
    parser.add_argument("--size", default="160x120", help="frame size WxH (default 160x120)")
    parser.add_argument("--model", default="resnet18", help="torchvision classifier (default resnet18)")
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--repeat", type=int, default=3, help="interleaved rounds; the best of each counts")
    args = parser.parse_args()
    if args.frames < 1 or args.repeat < 1:
        parser.error("--frames and --repeat must be positive")
    width, height = (int(v) for v in args.size.lower().split("x"))

    import cvat_sdk
    import cvat_sdk.auto_annotation as cvataa
    import torch

    import inklab.sdk.auto_annotation as aa
    from inklab.sdk import make_client

    torch.manual_seed(0)
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, torch {torch.__version__} "
          f"({torch.get_num_threads()} threads), cvat_sdk {cvat_sdk.__version__}, Python {platform.python_version()}")
    print(f"task: {args.frames} JPEG frames of {width}x{height}; model: {args.model} (CPU), batch {args.batch_size}")
    workdir = Path(tempfile.mkdtemp(prefix="inklab-aa-bench-"))
    server = LiveServer(workers=2).start()
    try:
        task_id = _task(server, args.frames, (width, height), workdir)
        function = _model(args)
        images = _decoded_frames(server, task_id)
        contexts = [_Context()] * len(images)
        # The first calls with a new input shape are slow (kernels are chosen): warm up with
        # full batches of the real frames, and with one frame (cvat_sdk's calls).
        function.detect_batch(contexts[:2 * args.batch_size], images[:2 * args.batch_size])
        function.detect_batch(contexts[:1], images[:1])

        def check() -> None:
            tags = inklab_client.get_json(f"/api/tasks/{task_id}/annotations/")["tags"]
            assert len(tags) == args.frames and sorted(t["frame"] for t in tags) == list(range(args.frames))

        # One logged-in client of each SDK for the whole run: a login (password hashing on the
        # server) is not part of annotating a task.
        cvat_client = cvat_sdk.make_client(server.url, credentials=server.admin)
        inklab_client = make_client(server.url, credentials=server.admin)

        def bare(round_: int) -> None:
            function.detect_batch(contexts, images)

        def cvat(round_: int) -> None:
            cvat_client.config.cache_dir = workdir / f"cvat-cache-{round_}"
            cvataa.annotate_task(cvat_client, task_id, _CvatFunction(function), clear_existing=True)

        def inklab(round_: int) -> None:
            inklab_client.config.cache_dir = workdir / f"inklab-cache-{round_}"
            summary = aa.annotate_task(inklab_client, task_id, function, clear_existing=True)
            assert summary.frames == args.frames, summary

        def alone(round_: int) -> None:
            inklab_client.config.cache_dir = workdir / f"alone-cache-{round_}"
            assert aa.annotate_task(inklab_client, task_id, _Instant(), clear_existing=True).frames == args.frames

        variants: dict[str, Callable[[int], None]] = {"bare": bare, "cvat": cvat, "inklab": inklab,
                                                       "inklab rerun": inklab, "driver alone": alone}
        results: dict[str, list[tuple[float, float, float | None]]] = {name: [] for name in variants}
        order = list(variants)
        for round_ in range(args.repeat):
            # Rotate the order (keeping each rerun after its cold run) so no variant always goes first.
            shift = round_ % 3
            names = order[:3][shift:] + order[:3][:shift]
            names.insert(names.index("inklab") + 1, "inklab rerun")
            names.append("driver alone")
            for name in names:
                results[name].append(_measure(server, lambda run=variants[name], r=round_: run(r)))
                if name != "bare":
                    check()
            print(f"round {round_ + 1}: " + ", ".join(
                f"{name} {results[name][-1][0]:.2f} s" for name in names), flush=True)
        cvat_client.close()
        inklab_client.close()
    finally:
        server.destroy()

    n = args.frames
    best = {name: min(runs, key=lambda r: r[0]) for name, runs in results.items()}
    best_cpu = {name: min(r[1] + (r[2] or 0.0) for r in runs) for name, runs in results.items()}
    labels = {"bare": "bare model loop (in memory)", "cvat": "cvat_sdk annotate_task",
              "inklab": "inklab annotate_task", "inklab rerun": "inklab, chunks cached",
              "driver alone": "inklab driver, no model"}
    print(f"\n{'best of ' + str(args.repeat):30}{'wall s':>9}{'frames/s':>10}{'CPU s (this + server)':>24}")
    for name, (wall, cpu, served) in best.items():
        served_text = f"{served:.2f}" if served is not None else "n/a"
        print(f"{labels[name]:30}{wall:9.2f}{n / wall:10.1f}{best_cpu[name]:11.2f} ({cpu:.2f} + {served_text})")
    bare_wall, bare_cpu = best["bare"][0], best_cpu["bare"]
    for name in ("inklab", "inklab rerun"):
        print(f"\n{labels[name]}: overhead over the bare loop {(best[name][0] - bare_wall) / bare_wall * 100:+.1f}% "
              f"wall, {(best_cpu[name] - bare_cpu) / bare_cpu * 100:+.1f}% CPU (goal < 10%)")
    print(f"the driver alone (empty cache, no model): {best['driver alone'][0]:.2f} s wall, "
          f"{best_cpu['driver alone']:.2f} s CPU = {best_cpu['driver alone'] / bare_cpu * 100:.1f}% of the bare "
          "loop's CPU")
    print(f"inklab vs cvat_sdk: {best['cvat'][0] / best['inklab'][0]:.2f}x the frames/s "
          f"({best_cpu['cvat'] / best_cpu['inklab']:.2f}x per CPU second; goal >= 1.5x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
