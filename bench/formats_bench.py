"""Dataset format speed and memory: inklab against Datumaro, side by side in one run.

Part 1 (issue 5 §6): import a COCO file with 100,000 boxes and 20,000 polygons over 5,000
images, and export it as CVAT XML, YOLO and PASCAL VOC – once with inklab's formats, once
with Datumaro (the library CVAT uses), each in its own process so that peak memory (max RSS)
is measured per tool. Datumaro is not an inklab dependency: pass ``--datumaro-python`` (a
Python with ``datumaro`` installed), or let the script make ``bench/.venv-datumaro`` with
``pip install datumaro`` (``--install-datumaro``).

Rounds alternate the tools (``--rounds``, 3 by default), each in a fresh process; every
figure is the median over the rounds, and the ratios are given for wall-clock and CPU time,
so that a busy spell of a shared machine does not decide them. Datumaro exports into a
folder, which CVAT then zips for the user: that step is timed on its own and shown both
without and with it.

Part 2: export 1,000,000 shapes over 100,000 frames from the server (the real background
request, SQLite) as CVAT XML and as COCO, then import each exported file into a task with
the same frames (the real import request), reporting time and the working process's peak
memory; a tenth of that runs too, to show how memory grows with the data. ``--server-shapes``
picks other sizes (ten shapes per frame), ``--server-formats`` one of the two formats, and
``--json-stream-threshold`` the file size in MiB from which COCO files are streamed rather
than parsed whole (:data:`inklab.formats.jsonstream.STREAM_THRESHOLD`, 64 MiB: a COCO export
of 300,000 shapes is just above it).

Usage::

    .venv/bin/python bench/formats_bench.py                 # everything (several minutes)
    .venv/bin/python bench/formats_bench.py --quick         # a tenth of the sizes
    .venv/bin/python bench/formats_bench.py --skip-server   # part 1 only
    .venv/bin/python bench/formats_bench.py --skip-formats --server-shapes 100000,300000 --server-formats coco

Figures are wall-clock seconds on this machine; compare the ratios, measured in the same run.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
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
    start, cpu = time.perf_counter(), time.process_time()
    with open_input(source) as tree:
        dataset = get_importer("COCO 1.0").load(tree, ImportOptions())
        frames = list(dataset.frames)  # held, as Datumaro holds its dataset, and exported three times
    timings["import COCO"] = [time.perf_counter() - start, time.process_time() - cpu]
    for name, key in TARGETS:
        if name not in known:
            timings[f"export {key}"] = None
            continue
        start, cpu = time.perf_counter(), time.process_time()
        with ZipOutput(out / f"inklab-{key}.zip") as archive:
            get_exporter(name).export(Dataset(dataset.labels, frames), archive, ExportOptions())
        timings[f"export {key}"] = [time.perf_counter() - start, time.process_time() - cpu]
    return timings


DATUMARO_CHILD = r"""
import json, os, shutil, sys, time, zipfile
from pathlib import Path
import datumaro as dm
source, out = Path(sys.argv[1]), Path(sys.argv[2])
timings = {}

def zip_folder(folder, target):
    # what CVAT does with Datumaro's export folder before the user gets it (make_zip_archive)
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for root, _, files in os.walk(folder):
            for name in files:
                path = os.path.join(root, name)
                archive.write(path, os.path.relpath(path, folder))

start, cpu = time.perf_counter(), time.process_time()
dataset = dm.Dataset.import_from(str(source), "coco_instances")
len(dataset)  # datumaro loads lazily: count the items to finish the import
for item in dataset:
    item.annotations
timings["import COCO"] = [time.perf_counter() - start, time.process_time() - cpu]
for key, fmt in (("cvat", "cvat"), ("yolo", "yolo"), ("voc", "voc")):
    folder = out / f"datumaro-{key}"
    shutil.rmtree(folder, ignore_errors=True)
    start, cpu = time.perf_counter(), time.process_time()
    dataset.export(str(folder), fmt, save_media=False)
    timings[f"export {key}"] = [time.perf_counter() - start, time.process_time() - cpu]
    start, cpu = time.perf_counter(), time.process_time()
    zip_folder(folder, out / f"datumaro-{key}.zip")
    timings[f"zip {key}"] = [time.perf_counter() - start, time.process_time() - cpu]
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


def _median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


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
    python = datumaro_python(args)
    if not python:
        print("(Datumaro not measured: pass --datumaro-python or --install-datumaro)\n")
    # Rounds alternate the tools, each in a fresh process, so that a busy spell of a shared machine
    # hits both; every figure is the median over the rounds (wall clock and CPU time).
    ours: dict[str, list[list[float]]] = {}
    theirs: dict[str, list[list[float]]] = {}
    peaks: dict[str, list[float]] = {"inklab": [], "Datumaro": []}
    for round_ in range(args.rounds):
        for tool in ("inklab", "Datumaro") if round_ % 2 == 0 else ("Datumaro", "inklab"):
            if tool == "inklab":
                result, peak = _run_measured([sys.executable, __file__, "--child", "inklab", str(coco), str(out)])
                target = ours
            elif python:
                result, peak = _run_measured([python, "-c", DATUMARO_CHILD, str(coco_dir), str(out)])
                target = theirs
            else:
                continue
            peaks[tool].append(peak)
            for step, value in result.items():
                if value is not None:
                    target.setdefault(step, []).append(value)
    steps = list(ours)
    wall = {step: _median([v[0] for v in ours[step]]) for step in steps}
    cpu = {step: _median([v[1] for v in ours[step]]) for step in steps}
    their_wall = {step: _median([v[0] for v in values]) for step, values in theirs.items()}
    their_cpu = {step: _median([v[1] for v in values]) for step, values in theirs.items()}
    print(f"median of {args.rounds} interleaved rounds; Datumaro exports to a folder, which CVAT then zips "
          "(its own column); inklab writes the zip archive directly\n")
    print("| step | inklab s | Datumaro s | Datumaro + zip s | Datumaro / inklab | with zip | CPU-time ratio |")
    print("|---|---|---|---|---|---|---|")
    totals = {"ours": 0.0, "theirs": 0.0, "zipped": 0.0, "ours_cpu": 0.0, "theirs_cpu": 0.0}
    for step in steps:
        a, b = wall[step], their_wall.get(step)
        if b is None:
            print(f"| {step} | {a:.2f} | – | – | | | |")
            continue
        zip_key = step.replace("export", "zip") if step.startswith("export") else ""
        z = b + their_wall.get(zip_key, 0.0)
        c = their_cpu[step] + their_cpu.get(zip_key, 0.0)
        totals["ours"] += a
        totals["theirs"] += b
        totals["zipped"] += z
        totals["ours_cpu"] += cpu[step]
        totals["theirs_cpu"] += c
        zipped = f"{z:.2f}" if zip_key in their_wall else "–"
        print(f"| {step} | {a:.2f} | {b:.2f} | {zipped} | {b / a:.1f}× | {z / a:.1f}× | {c / cpu[step]:.1f}× |")
    if theirs:
        print(f"| **total** | {totals['ours']:.2f} | {totals['theirs']:.2f} | {totals['zipped']:.2f} | "
              f"**{totals['theirs'] / totals['ours']:.1f}×** | **{totals['zipped'] / totals['ours']:.1f}×** | "
              f"{totals['theirs_cpu'] / totals['ours_cpu']:.1f}× |")
    our_peak = _median(peaks["inklab"])
    line = f"\npeak memory (max RSS, median): inklab {our_peak:.0f} MiB"
    if peaks["Datumaro"]:
        their_peak = _median(peaks["Datumaro"])
        line += f", Datumaro {their_peak:.0f} MiB (inklab uses {our_peak / their_peak:.0%} of Datumaro's)"
    print(line + "\n")


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
    # the same frames without annotations: the target of the imports
    empty = Task.objects.create(name="bench import", owner=user, has_data=True, size=frames, chunk_size=36)
    apply_label_specs(empty, [{"name": name, "attributes": []} for name in LABELS])
    create_jobs(empty)
    Frame.objects.bulk_create([Frame(task=empty, number=i, name=f"frame_{i:06d}.jpg", width=640, height=480,
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
    return {"task": task.pk, "empty": empty.pk, "setup seconds": time.perf_counter() - start}


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
    path = Path(settings.DATA_DIR) / request.result_file
    return {"seconds": seconds, "MiB": path.stat().st_size / 2**20, "file": str(path)}


def child_server_import(data_dir: Path, task_id: int, fmt: str, file: Path) -> dict[str, Any]:
    """Run the server's annotation import request for one uploaded file, as a worker does."""
    _django(data_dir)
    threshold = os.environ.get("INKLAB_BENCH_JSON_STREAM_MIB")
    if threshold is not None:
        from inklab.formats import jsonstream

        jsonstream.STREAM_THRESHOLD = int(float(threshold) * 2**20)
    from django.contrib.auth import get_user_model

    from inklab.server.annotations.models import AnnotationObject
    from inklab.server.datasets import services
    from inklab.server.media.tus import user_upload_dir
    from inklab.server.projects.models import Task
    from inklab.server.requests import queue
    from inklab.server.requests.models import BackgroundRequest

    user = get_user_model().objects.get(username="bench")
    upload = user_upload_dir(user.pk)
    upload.mkdir(parents=True, exist_ok=True)
    name = f"{os.urandom(6).hex()}_{file.name}"
    shutil.copyfile(file, upload / name)  # what a finished TUS upload leaves
    request = services.request_annotations_import(user, Task.objects.get(pk=task_id),
                                                  {"format": fmt, "filename": name})
    start = time.perf_counter()
    queue.drain()
    seconds = time.perf_counter() - start
    request = BackgroundRequest.objects.get(pk=request.pk)
    if request.status != "finished":
        raise RuntimeError(f"import failed: {request.message}")
    return {"seconds": seconds, "shapes": AnnotationObject.objects.filter(task_id=task_id).count()}


SERVER_FORMATS = {"cvat": ("CVAT for images 1.1", "CVAT 1.1"), "coco": ("COCO 1.0", "COCO 1.0")}


def part_server(args: argparse.Namespace, work: Path) -> None:
    if args.server_shapes:
        sizes = [(max(1, shapes // 10), shapes) for shapes in map(int, args.server_shapes.split(","))]
    else:
        full = (10_000, 100_000) if args.quick else (100_000, 1_000_000)
        sizes = [(full[0] // 10, full[1] // 10), full]
    formats = [SERVER_FORMATS[key] for key in args.server_formats.split(",")]
    env = {} if args.json_stream_threshold is None else {"INKLAB_BENCH_JSON_STREAM_MIB": str(args.json_stream_threshold)}
    if env:
        print(f"(COCO files larger than {args.json_stream_threshold} MiB streamed)\n")
    print("## Server export and import (background requests, SQLite), peak memory of the working process\n")
    print("| frames | shapes | request | format | seconds | shapes/s | file MiB | peak MiB |")
    print("|---|---|---|---|---|---|---|---|")
    for frames, shapes in sizes:
        data_dir = work / f"server-{shapes}"
        setup, _ = _run_measured([sys.executable, __file__, "--child", "server-setup", str(data_dir), str(frames),
                                  str(shapes)])
        for fmt, importer in formats:
            result, peak = _run_measured([sys.executable, __file__, "--child", "server-export", str(data_dir),
                                          str(setup["task"]), fmt])
            print(f"| {frames:,} | {shapes:,} | export | {fmt} | {result['seconds']:.1f} | "
                  f"{shapes / result['seconds']:,.0f} | {result['MiB']:.0f} | {peak:.0f} |", flush=True)
            imported, peak = _run_measured([sys.executable, __file__, "--child", "server-import", str(data_dir),
                                            str(setup["empty"]), importer, result["file"]], env)
            if imported["shapes"] != shapes:
                raise RuntimeError(f"the import wrote {imported['shapes']} shapes, expected {shapes}")
            print(f"| {frames:,} | {shapes:,} | import | {importer} | {imported['seconds']:.1f} | "
                  f"{shapes / imported['seconds']:,.0f} | {result['MiB']:.0f} | {peak:.0f} |", flush=True)
        shutil.rmtree(data_dir, ignore_errors=True)
    print("\n(goal: 1,000,000 shapes in under 5 minutes, peak under 1 GB and the same at both sizes)\n")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="a tenth of the sizes")
    parser.add_argument("--skip-server", action="store_true")
    parser.add_argument("--skip-formats", action="store_true")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds per tool (median reported)")
    parser.add_argument("--datumaro-python", help="a Python interpreter with datumaro installed")
    parser.add_argument("--install-datumaro", action="store_true",
                        help="create bench/.venv-datumaro with pip install datumaro if it is missing")
    parser.add_argument("--server-shapes", help="part 2's sizes, comma-separated shape counts (ten per frame)")
    parser.add_argument("--server-formats", default="cvat,coco", help="part 2's formats: cvat, coco or both")
    parser.add_argument("--json-stream-threshold", type=float,
                        help="stream COCO files larger than this many MiB in part 2's imports (default 64)")
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
    if args.child == "server-import":
        print(json.dumps(child_server_import(Path(args.rest[0]), int(args.rest[1]), args.rest[2],
                                             Path(args.rest[3]))))
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
