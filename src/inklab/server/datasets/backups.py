"""Task and project backups: a zip that restores to an equal task or project.

Layout of a task backup (a project backup holds ``project.json`` and one ``tasks/<n>/``
folder per task with the same files)::

    inklab-backup.json    {"format": "inklab-backup", "version": 1, "kind": "task", "inklab": "0.1.0"}
    task.json             task fields, labels (as label specs), jobs (ranges, stage, state, type),
                          frames (number, name, size, file, MIME type), deleted frames
    annotations.jsonl     one stored object per line, labels and attributes by name
    data/<file>           the original bytes of each frame

Restoring creates a new task owned by the caller with the same frames (byte for byte, same
names and order), labels, jobs and their states, subset and annotations. A backup whose
``version`` is newer than :data:`BACKUP_VERSION` is refused with a message saying so.
"""

from __future__ import annotations

import logging
import shutil
from collections.abc import Callable, Iterator
from pathlib import PurePosixPath
from typing import IO, Any

import orjson
from django.db import transaction
from django.utils import timezone

from inklab import __version__
from inklab.formats import InputTree, MalformedFile, ZipOutput
from inklab.server.annotations import services as annotation_services
from inklab.server.annotations.models import AnnotationObject
from inklab.server.annotations.services import Scope
from inklab.server.errors import InvalidInput
from inklab.server.media.models import Frame as FrameRow
from inklab.server.media.storage import TaskStorage
from inklab.server.projects.labels import apply_label_specs, labels_of
from inklab.server.projects.models import Job, Project, Task, touch
from inklab.vocabulary import JobStage, JobState, JobType

__all__ = ["BACKUP_VERSION", "restore_project", "restore_task", "write_project_backup", "write_task_backup"]

logger = logging.getLogger(__name__)

BACKUP_VERSION = 1
_MARKER = "inklab-backup.json"
_TASK_FIELDS = ("name", "bug_tracker", "subset", "status", "overlap", "segment_size", "size", "chunk_size",
                "image_quality", "sorting_method", "start_frame", "stop_frame", "frame_filter", "media_type",
                "mode", "original_chunk_type", "compressed_chunk_type", "deleted_frames")

ProgressFn = Callable[[float], None]


def _part(progress: ProgressFn, index: int, count: int) -> ProgressFn:
    """Progress of the ``index``-th of ``count`` equal parts."""
    return lambda fraction: progress((index + fraction) / max(count, 1))


# -- labels as specs, ids as names ------------------------------------------------------------

def _label_spec(label: Any) -> dict[str, Any]:
    spec = {"name": label.name, "type": label.type, "color": label.color, "svg": label.svg,
            "attributes": [{"name": a.name, "mutable": a.mutable, "input_type": a.input_type,
                            "values": list(a.values), "default_value": a.default_value}
                           for a in label.attributes.all()]}
    if label.parent_id is None:
        spec["sublabels"] = [_label_spec(sub) for sub in label.sublabels.all()]
    return spec


class _Names:
    """Converts stored objects between ids (this server) and names (the backup)."""

    def __init__(self, owner: Project | Task) -> None:
        self.label_name: dict[int, str] = {}
        self.attr_name: dict[int, str] = {}
        self.label_id: dict[tuple[int | None, str], int] = {}
        self.attr_id: dict[tuple[int, str], int] = {}
        for label in labels_of(owner).prefetch_related("attributes", "sublabels__attributes"):
            for item, parent in ((label, None), *((sub, label.pk) for sub in label.sublabels.all())):
                self.label_name[item.pk] = item.name
                self.label_id[(parent, item.name)] = item.pk
                for attr in item.attributes.all():
                    self.attr_name[attr.pk] = attr.name
                    self.attr_id[(item.pk, attr.name)] = attr.pk

    def to_names(self, obj: dict[str, Any]) -> dict[str, Any]:
        out = dict(obj)
        out.pop("id", None)
        if "label_id" in out:
            out["label"] = self.label_name[out.pop("label_id")]
        if "attributes" in out:
            out["attributes"] = [{"name": self.attr_name[a["spec_id"]], "value": a["value"]}
                                 for a in out["attributes"] if a["spec_id"] in self.attr_name]
        for key in ("elements", "shapes"):
            if key in out:
                out[key] = [self.to_names(child) for child in out[key]]
        return out

    def to_ids(self, obj: dict[str, Any], owner: int | None = None, parent: int | None = None,
               where: str = "") -> dict[str, Any]:
        out = dict(obj)
        if "label" in out:
            key = (parent, out.pop("label"))
            if key not in self.label_id:
                raise InvalidInput(f"{where}: the backup's label '{key[1]}' is not among its labels.")
            owner = self.label_id[key]
            out["label_id"] = owner
        if "attributes" in out and owner is not None:
            out["attributes"] = [{"spec_id": self.attr_id[(owner, a["name"])], "value": a["value"]}
                                 for a in out["attributes"] if (owner, a["name"]) in self.attr_id]
        if "elements" in out:
            out["elements"] = [self.to_ids(e, None, owner, where) for e in out["elements"]]
        if "shapes" in out:
            out["shapes"] = [self.to_ids(s, owner, parent, where) for s in out["shapes"]]
        return out


# -- writing ----------------------------------------------------------------------------------

def _task_document(task: Task) -> dict[str, Any]:
    doc: dict[str, Any] = {key: getattr(task, key) for key in _TASK_FIELDS}
    doc["labels"] = [] if task.project_id else [_label_spec(label) for label in labels_of(task).order_by("id")]
    doc["jobs"] = [{"start_frame": j.start_frame, "stop_frame": j.stop_frame, "stage": j.stage, "state": j.state,
                    "type": j.type} for j in task.jobs.order_by("id")]
    doc["frames"] = [{"number": f.number, "name": f.name, "width": f.width, "height": f.height, "file": f.file,
                      "mime_type": f.mime_type} for f in FrameRow.objects.filter(task=task).order_by("number")]
    return doc


def _write_task(out: ZipOutput, task: Task, prefix: str, owner: Project | Task, progress: ProgressFn) -> None:
    out.write_bytes(f"{prefix}task.json", orjson.dumps(_task_document(task), option=orjson.OPT_INDENT_2))
    names = _Names(owner)
    with out.open(f"{prefix}annotations.jsonl") as fh:
        rows = AnnotationObject.objects.filter(task=task).order_by("id").values_list("kind", "data")
        for kind, data in rows.iterator(chunk_size=2000):
            fh.write(orjson.dumps({"kind": kind, "object": names.to_names(orjson.loads(data))}) + b"\n")
    storage = TaskStorage(task.pk)
    frames = list(FrameRow.objects.filter(task=task).order_by("number").values_list("file", flat=True))
    for i, file in enumerate(frames):
        with storage.frame_path(file).open("rb") as source, out.open(f"{prefix}data/{file}") as target:
            shutil.copyfileobj(source, target, 1 << 20)
        if i % 50 == 0:
            progress(i / max(len(frames), 1))


def _marker(kind: str) -> bytes:
    return orjson.dumps({"format": "inklab-backup", "version": BACKUP_VERSION, "kind": kind, "inklab": __version__,
                         "created": timezone.now().isoformat()})


def write_task_backup(task: Task, target: IO[bytes] | Any, progress: ProgressFn) -> None:
    with ZipOutput(target) as out:
        out.write_bytes(_MARKER, _marker("task"))
        _write_task(out, task, "", task, progress)


def write_project_backup(project: Project, target: IO[bytes] | Any, progress: ProgressFn) -> None:
    with ZipOutput(target) as out:
        out.write_bytes(_MARKER, _marker("project"))
        doc = {"name": project.name, "bug_tracker": project.bug_tracker, "status": project.status,
               "labels": [_label_spec(label) for label in labels_of(project).order_by("id")]}
        out.write_bytes("project.json", orjson.dumps(doc, option=orjson.OPT_INDENT_2))
        tasks = list(project.tasks.order_by("id"))
        for i, task in enumerate(tasks):
            _write_task(out, task, f"tasks/{i}/", project, _part(progress, i, len(tasks)))


# -- restoring --------------------------------------------------------------------------------

def check_marker(source: InputTree, kind: str) -> dict[str, Any]:
    """The backup's marker; refuses other files, other kinds and newer versions."""
    if _MARKER not in source.names():
        if "task.json" in source.names() or "project.json" in source.names():
            raise InvalidInput(f"{source.label}: this looks like a CVAT backup; inklab restores its own backups "
                               f"(with {_MARKER}) only.")
        raise InvalidInput(f"{source.label}: not an inklab backup ({_MARKER} is missing).")
    try:
        marker = orjson.loads(source.read_bytes(_MARKER))  # type: ignore[attr-defined]
    except orjson.JSONDecodeError as exc:
        raise InvalidInput(f"{source.label}: {_MARKER} is not valid JSON ({exc}).") from exc
    version = marker.get("version") if isinstance(marker, dict) else None
    if marker.get("format") != "inklab-backup" or not isinstance(version, int):
        raise InvalidInput(f"{source.label}: {_MARKER} does not describe an inklab backup.")
    if version > BACKUP_VERSION:
        raise InvalidInput(f"{source.label} is a backup of format version {version}, made by inklab "
                           f"{marker.get('inklab', '?')}; this server reads versions up to {BACKUP_VERSION}. "
                           "Upgrade inklab to restore it.")
    if marker.get("kind") != kind:
        raise InvalidInput(f"{source.label} is a {marker.get('kind')} backup, not a {kind} backup.")
    return marker


def _json(source: InputTree, name: str) -> Any:
    try:
        return orjson.loads(source.read_bytes(name))  # type: ignore[attr-defined]
    except orjson.JSONDecodeError as exc:
        raise MalformedFile(name, f"line {exc.lineno}", f"invalid JSON ({exc.msg})") from exc


def _annotations(source: InputTree, name: str) -> Iterator[tuple[int, dict[str, Any]]]:
    with source.open(name) as fh:
        for number, line in enumerate(fh, 1):
            if line.strip():
                try:
                    yield number, orjson.loads(line)
                except orjson.JSONDecodeError as exc:
                    raise MalformedFile(name, f"line {number}", f"invalid JSON ({exc.msg})") from exc


def _restore_task(user: Any, source: InputTree, prefix: str, project: Project | None, progress: ProgressFn,
                  created: _Created) -> Task:
    doc = _json(source, f"{prefix}task.json")
    if not isinstance(doc, dict) or not isinstance(doc.get("name"), str):
        raise MalformedFile(f"{prefix}task.json", None, "expected an object with the task's 'name'")
    fields = {key: doc[key] for key in _TASK_FIELDS if key in doc}
    task = Task.objects.create(owner=user, project=project, has_data=bool(doc.get("frames")), **fields)
    created.tasks.append(task.pk)
    if project is None:
        apply_label_specs(task, doc.get("labels") or [])
    storage = TaskStorage(task.pk)
    storage.frames_dir.mkdir(parents=True, exist_ok=True)
    rows = []
    frames = doc.get("frames") or []
    for i, frame in enumerate(frames):
        file = PurePosixPath(str(frame["file"])).name
        with source.open(f"{prefix}data/{file}") as fh, storage.frame_path(file).open("wb") as target:
            shutil.copyfileobj(fh, target, 1 << 20)
        rows.append(FrameRow(task=task, number=frame["number"], name=frame["name"], width=frame["width"],
                             height=frame["height"], file=file, mime_type=frame.get("mime_type", "image/jpeg")))
        if i % 50 == 0:
            progress(0.8 * i / max(len(frames), 1))
    FrameRow.objects.bulk_create(rows, batch_size=2000)
    Job.objects.bulk_create([Job(task=task, start_frame=j["start_frame"], stop_frame=j["stop_frame"],
                                 stage=j.get("stage", JobStage.ANNOTATION), state=j.get("state", JobState.NEW),
                                 type=j.get("type", JobType.ANNOTATION)) for j in doc.get("jobs") or []])
    names = _Names(project or task)
    payload: dict[str, list[dict[str, Any]]] = {"tags": [], "shapes": [], "tracks": []}
    name = f"{prefix}annotations.jsonl"
    for line, item in _annotations(source, name):
        key = {"tag": "tags", "shape": "shapes", "track": "tracks"}.get(str(item.get("kind")))
        if key is None or not isinstance(item.get("object"), dict):
            raise MalformedFile(name, f"line {line}", "expected {\"kind\": tag|shape|track, \"object\": {...}}")
        payload[key].append(names.to_ids(item["object"], where=f"{name}, line {line}"))
    if any(payload.values()):
        annotation_services.write(user, Scope(task), payload, "put")
    touch(task)
    progress(1.0)
    return task


class _Created:
    """Tasks made by a restore, whose files go away if the restore fails (ids are reused)."""

    def __init__(self) -> None:
        self.tasks: list[int] = []

    def cleanup(self) -> None:
        for pk in self.tasks:
            TaskStorage(pk).remove()


def restore_task(user: Any, source: InputTree, progress: ProgressFn) -> Task:
    """A new task from a task backup (all or nothing)."""
    check_marker(source, "task")
    created = _Created()
    try:
        with transaction.atomic():
            return _restore_task(user, source, "", None, progress, created)
    except BaseException:
        created.cleanup()
        raise


def restore_project(user: Any, source: InputTree, progress: ProgressFn) -> Project:
    """A new project (with its tasks) from a project backup (all or nothing)."""
    check_marker(source, "project")
    doc = _json(source, "project.json")
    if not isinstance(doc, dict) or not isinstance(doc.get("name"), str):
        raise MalformedFile("project.json", None, "expected an object with the project's 'name'")
    created = _Created()
    try:
        with transaction.atomic():
            project = Project.objects.create(name=doc["name"], owner=user, bug_tracker=doc.get("bug_tracker", ""),
                                             status=doc.get("status", "annotation"))
            apply_label_specs(project, doc.get("labels") or [])
            prefixes = sorted({n.split("/", 2)[1] for n in source.names()
                               if n.startswith("tasks/") and n.count("/") >= 2},
                              key=lambda p: int(p) if p.isdigit() else 0)
            for i, number in enumerate(prefixes):
                _restore_task(user, source, f"tasks/{number}/", project, _part(progress, i, len(prefixes)), created)
            touch(project)
            return project
    except BaseException:
        created.cleanup()
        raise
