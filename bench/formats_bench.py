"""Dataset format speed and memory: inklab against Datumaro, side by side in one run.

Part 1 (issue 5 §6): import a COCO file with 100,000 boxes and 20,000 polygons over 5,000
images, and export it as CVAT XML, YOLO and PASCAL VOC – once with inklab's formats, once
with Datumaro (the library CVAT uses), each in its own process so that peak memory (max RSS)
is measured per tool. Datumaro is not an inklab dependency: pass ``--datumaro-python`` (a
Python with ``datumaro`` installed), or let the script make ``bench/.venv-datumaro`` with
``pip install datumaro`` (``--install-datumaro``).

Part 2: export 1,000,000 shapes over 100,000 frames from the server (the real background
request, SQLite) as CVAT XML and as COCO, reporting time and the exporting process's peak
memory; a tenth of that is exported too, to show that memory stays flat as the data grows.

Usage::

    .venv/bin/python bench/formats_bench.py                 # everything (several minutes)
    .venv/bin/python bench/formats_bench.py --quick         # a tenth of the sizes
    .venv/bin/python bench/formats_bench.py --skip-server   # part 1 only

Figures are wall-clock seconds on this machine; compare the ratios, measured in the same run.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
TARGETS = [("CVAT for images 1.1", "cvat"), ("YOLO 1.1", "yolo"), ("PASCAL VOC 1.1", "voc")]
LABELS = [f"class_{i}" for i in range(20)]


# -- data -------------------------------------------------------------------------------------

def make_coco(path: Path, images: int, boxes: int, polygons: int, seed: int = 5) -> None:
    rng = random.Random(seed)
    document: dict[str, Any] = {
        "licenses": [], "info": {},
        "categories": [{"id": i + 1, "name": name, "supercategory": ""} for i, name in enumerate(LABELS)],
        "images": [{"id": i + 1, "file_name": f"img_{i:06d}.jpg", "width": 640, "height": 480}
                   for i in range(images)],
        "annotations": [],
    }
    annotations = document["annotations"]
    for n in range(boxes + polygons):
        image = rng.randrange(images) + 1
        x, y = rng.uniform(0, 560), rng.uniform(0, 400)
        w, h = rng.uniform(5, 80), rng.uniform(5, 80)
        ann = {"id": n + 1, "image_id": image, "category_id": rng.randrange(len(LABELS)) + 1, "iscrowd": 0,
               "bbox": [round(x, 2), round(y, 2), round(w, 2), round(h, 2)], "area": round(w * h, 2)}
        if n < boxes:
            ann["segmentation"] = []
        else:
            ann["segmentation"] = [[round(x, 2), round(y, 2), round(x + w, 2), round(y, 2), round(x + w / 2, 2),
                                    round(y + h, 2), round(x, 2), round(y + h * 0.7, 2)]]
        annotations.append(ann)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document))


# -- children: one tool or step per process, so that max RSS is its own -------------------------

def child_inklab(source: Path, out: Path) -> dict[str, Any]:
    sys.path.insert(0, str(ROOT / "src"))
    from inklab.formats import (
        Dataset,
        ExportOptions,
        ImportOptions,
        ZipOutput,
        get_exporter,
        get_importer,
        open_input,
        registered_formats,
    )

    known = {f.info.name for f in registered_formats()}
    timings: dict[str, Any] = {}
    start = time.perf_counter()
    with open_input(source) as tree:
        dataset = get_importer("COCO 1.0").load(tree, ImportOptions())
        frames = list(dataset.frames)  # held, as Datumaro holds its dataset, and exported three times
    timings["import COCO"] = time.perf_counter() - start
    for name, key in TARGETS:
        if name not in known:
            timings[f"export {key}"] = None
            continue
        start = time.perf_counter()
        with ZipOutput(out / f"inklab-{key}.zip") as archive:
            get_exporter(name).export(Dataset(dataset.labels, frames), archive, ExportOptions())
        timings[f"export {key}"] = time.perf_counter() - start
    return timings


DATUMARO_CHILD = r"""
import json, sys, time
from pathlib import Path
import datumaro as dm
source, out = Path(sys.argv[1]), Path(sys.argv[2])
timings = {}
start = time.perf_counter()
dataset = dm.Dataset.import_from(str(source), "coco_instances")
len(dataset)  # datumaro loads lazily: count the items to finish the import
for item in dataset:
    item.annotations
timings["import COCO"] = time.perf_counter() - start
for key, fmt in (("cvat", "cvat"), ("yolo", "yolo"), ("voc", "voc")):
    start = time.perf_counter()
    dataset.export(str(out / f"datumaro-{key}"), fmt, save_media=False)
    timings[f"export {key}"] = time.perf_counter() - start
print(json.dumps(timings))
"""


def _run_measured(command: list[str], env: dict[str, str] | None = None) -> tuple[dict[str, Any], float]:
    """Run a child; return the JSON it prints last and its own peak memory (max RSS) in MiB."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        process = subprocess.Popen(command, stdout=out, stderr=err, env={**os.environ, **(env or {})})
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(), err.read().decode()
    if process.returncode != 0:
        raise RuntimeError(f"{' '.join(command[:4])} failed:\n{stderr[-3000:]}")
    return json.loads(stdout.strip().splitlines()[-1]), usage.ru_maxrss / 1024


def datumaro_python(args: argparse.Namespace) -> str | None:
    if args.datumaro_python:
        return args.datumaro_python
    venv = ROOT / "bench" / ".venv-datumaro"
    python = venv / "bin" / "python"
    if python.exists():
        return str(python)
    if not args.install_datumaro:
        return None
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    subprocess.run([str(python), "-m", "pip", "install", "-q", "datumaro"], check=True)
    return str(python)


def part_formats(args: argparse.Namespace, work: Path) -> None:
    scale = 10 if args.quick else 1
    images, boxes, polygons = 5000 // scale, 100_000 // scale, 20_000 // scale
    coco_dir = work / "coco"
    coco = coco_dir / "annotations" / "instances_default.json"
    make_coco(coco, images, boxes, polygons)
    (coco_dir / "images" / "default").mkdir(parents=True)  # Datumaro wants the (here empty) image folder
    print(f"## COCO → CVAT XML, YOLO, VOC: {boxes:,} boxes + {polygons:,} polygons over {images:,} images "
          f"({coco.stat().st_size / 2**20:.0f} MiB)\n")
    out = work / "out"
    out.mkdir()
    ours, our_peak = _run_measured([sys.executable, __file__, "--child", "inklab", str(coco), str(out)])
    python = datumaro_python(args)
    theirs: dict[str, Any] = {}
    their_peak = None
    if python:
        theirs, their_peak = _run_measured([python, "-c", DATUMARO_CHILD, str(coco_dir), str(out)])
    else:
        print("(Datumaro not measured: pass --datumaro-python or --install-datumaro)\n")
    print("| step | inklab s | Datumaro s | Datumaro / inklab |")
    print("|---|---|---|---|")
    total_ours = total_theirs = 0.0
    for step in ours:
        a, b = ours[step], theirs.get(step)
        if a is None:
            print(f"| {step} | (format not registered in this build) | {b:.2f} |  |" if b is not None
                  else f"| {step} | (not registered) | – | |")
            continue
        total_ours += a
        if b is not None:
            total_theirs += b
        ratio = f"{b / a:.1f}×" if b else "–"
        print(f"| {step} | {a:.2f} | {b:.2f} | {ratio} |" if b is not None else f"| {step} | {a:.2f} | – | |")
    steps_both = [s for s in ours if ours[s] is not None and theirs.get(s) is not None]
    if steps_both:
        a = sum(ours[s] for s in steps_both)
        b = sum(theirs[s] for s in steps_both)
        print(f"| **total (steps both ran)** | {a:.2f} | {b:.2f} | **{b / a:.1f}×** |")
    print(f"\npeak memory: inklab {our_peak:.0f} MiB" +
          (f", Datumaro {their_peak:.0f} MiB ({their_peak / our_peak:.1f}× inklab's)" if their_peak else ""))
    print()


# -- part 2: the server --------------------------------------------------------------------------

def _django(data_dir: Path) -> None:
    os.environ["INKLAB_DATA_DIR"] = str(data_dir)
    os.environ["DJANGO_SETTINGS_MODULE"] = "inklab.server.settings"
    os.environ.pop("INKLAB_DATABASE_URL", None)
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()


def child_server_setup(data_dir: Path, frames: int, shapes: int) -> dict[str, Any]:
    """Make a task with ``frames`` frames and ``shapes`` shapes, straight into the database."""
    _django(data_dir)
    import orjson
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection, transaction

    from inklab.server.annotations.models import AnnotationObject
    from inklab.server.media.models import Frame
    from inklab.server.projects.labels import apply_label_specs
    from inklab.server.projects.models import Label, Task
    from inklab.server.projects.services import create_jobs

    start = time.perf_counter()
    call_command("migrate", verbosity=0)
    user = get_user_model().objects.create_superuser("bench", "b@x.org", "bench-pass-1")
    task = Task.objects.create(name="bench", owner=user, has_data=True, size=frames, chunk_size=36)
    apply_label_specs(task, [{"name": name, "attributes": []} for name in LABELS])
    create_jobs(task)
    Frame.objects.bulk_create([Frame(task=task, number=i, name=f"frame_{i:06d}.jpg", width=640, height=480,
                                     file=f"{i}.jpg") for i in range(frames)], batch_size=5000)
    labels = list(Label.objects.filter(task=task).values_list("id", flat=True))
    rng = random.Random(1)
    table = connection.ops.quote_name(AnnotationObject._meta.db_table)
    sql = f"INSERT INTO {table} (task_id, kind, frame, last_frame, label_id, data) VALUES (%s, %s, %s, %s, %s, %s)"
    batch = []
    with transaction.atomic(), connection.cursor() as cursor:
        for n in range(shapes):
            frame = n * frames // shapes
            x, y = rng.uniform(0, 560), rng.uniform(0, 400)
            polygon = n % 5 == 4
            points = [x, y, x + 40, y, x + 20, y + 30] if polygon else [x, y, x + 50, y + 40]
            label = labels[n % len(labels)]
            data = orjson.dumps({"type": "polygon" if polygon else "rectangle", "occluded": False, "outside": False,
                                 "z_order": 0, "rotation": 0.0, "points": points, "frame": frame, "label_id": label,
                                 "group": 0, "source": "manual", "attributes": [], "score": 1.0,
                                 "elements": []}).decode()
            batch.append((task.pk, "shape", frame, frame, label, data))
            if len(batch) == 10_000:
                cursor.executemany(sql, batch)
                batch = []
        if batch:
            cursor.executemany(sql, batch)
    return {"task": task.pk, "setup seconds": time.perf_counter() - start}


def child_server_export(data_dir: Path, task_id: int, fmt: str) -> dict[str, Any]:
    """Run the server's export request for one format, as a worker does."""
    _django(data_dir)
    from django.conf import settings
    from django.contrib.auth import get_user_model

    from inklab.server.datasets import services
    from inklab.server.projects.models import Task
    from inklab.server.requests import queue
    from inklab.server.requests.models import BackgroundRequest

    user = get_user_model().objects.get(username="bench")
    request = services.request_export(user, Task.objects.get(pk=task_id), {"format": fmt, "save_images": "False"})
    start = time.perf_counter()
    queue.drain()
    seconds = time.perf_counter() - start
    request = BackgroundRequest.objects.get(pk=request.pk)
    if request.status != "finished":
        raise RuntimeError(f"export failed: {request.message}")
    size = (Path(settings.DATA_DIR) / request.result_file).stat().st_size
    return {"seconds": seconds, "MiB": size / 2**20}


def part_server(args: argparse.Namespace, work: Path) -> None:
    full = (10_000, 100_000) if args.quick else (100_000, 1_000_000)
    sizes = [(full[0] // 10, full[1] // 10), full]
    print("## Server export (background request, SQLite), peak memory of the exporting process\n")
    print("| frames | shapes | format | seconds | shapes/s | result MiB | peak MiB |")
    print("|---|---|---|---|---|---|---|")
    for frames, shapes in sizes:
        data_dir = work / f"server-{shapes}"
        setup, _ = _run_measured([sys.executable, __file__, "--child", "server-setup", str(data_dir), str(frames),
                                  str(shapes)])
        for fmt in ("CVAT for images 1.1", "COCO 1.0"):
            result, peak = _run_measured([sys.executable, __file__, "--child", "server-export", str(data_dir),
                                          str(setup["task"]), fmt])
            print(f"| {frames:,} | {shapes:,} | {fmt} | {result['seconds']:.1f} | "
                  f"{shapes / result['seconds']:,.0f} | {result['MiB']:.0f} | {peak:.0f} |")
    print("\n(goal: 1,000,000 shapes in under 5 minutes, peak under 1 GB and the same at both sizes)\n")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="a tenth of the sizes")
    parser.add_argument("--skip-server", action="store_true")
    parser.add_argument("--skip-formats", action="store_true")
    parser.add_argument("--datumaro-python", help="a Python interpreter with datumaro installed")
    parser.add_argument("--install-datumaro", action="store_true",
                        help="create bench/.venv-datumaro with pip install datumaro if it is missing")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("rest", nargs="*", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child == "inklab":
        print(json.dumps(child_inklab(Path(args.rest[0]), Path(args.rest[1]))))
        return 0
    if args.child == "server-setup":
        print(json.dumps(child_server_setup(Path(args.rest[0]), int(args.rest[1]), int(args.rest[2]))))
        return 0
    if args.child == "server-export":
        print(json.dumps(child_server_export(Path(args.rest[0]), int(args.rest[1]), args.rest[2])))
        return 0
    with tempfile.TemporaryDirectory(prefix="inklab-formats-bench-") as tmp:
        work = Path(tmp)
        if not args.skip_formats:
            part_formats(args, work)
        if not args.skip_server:
            part_server(args, work)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
