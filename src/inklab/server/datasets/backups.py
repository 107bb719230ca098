"""Task and project backups: a zip that restores to an equal task or project.

Layout of a task backup (a project backup holds ``project.json`` and one ``tasks/<n>/``
folder per task with the same files)::

    inklab-backup.json    {"format": "inklab-backup", "version": 1, "kind": "task", "inklab": "0.1.0"}
    task.json             task fields, labels (as label specs: the project's for a task of a
                          project, so that the backup restores as a task of its own), jobs (ranges,
                          stage, state, type, a ground-truth job's frames, a replica's annotation
                          job), frames (number, name, size, file, MIME type), deleted frames, the
                          validation mode and disabled frames, the consensus replica count, and
                          the task's quality and consensus settings (below)
    annotations.jsonl     one stored object per line, labels and attributes by name; the objects of
                          a ground-truth or replica job (a layer of its own) say which (``"job"``:
                          its index in ``jobs``)
    data/<file>           the original bytes of each frame

Restoring creates a new task owned by the caller with the same frames (byte for byte, same
names and order), labels, jobs and their states, subset, quality and consensus settings and
annotations. Who the task, project and jobs are assigned to is not kept (nor is it in CVAT's
backups): the restored ones are unassigned. A backup whose ``version`` is newer than
:data:`BACKUP_VERSION` is refused with a message saying so; version 1 backups (before
ground-truth and replica jobs were kept) and version 2 backups (before the settings were kept)
still restore, the settings then being the defaults.

The settings are inklab's own: CVAT's backups (``cvat/apps/engine/backup.py``) keep neither a
task's quality settings nor its consensus settings (its ``task.json`` keeps
``consensus_replicas`` only), so there is no CVAT layout to follow. ``task.json`` holds them as
``quality_settings`` and ``consensus_settings``, named after their endpoints
(``/api/quality/settings``, ``/api/consensus/settings``), each the body that the endpoint's
``PATCH`` accepts (no ``id``, no ``task_id``); CVAT's importer drops keys of ``task.json`` it
does not know, as it would these.

A backup is checked before anything is made from it: its documents when the upload finishes
(:func:`check_backup`, a 400 naming the file and field: :mod:`.backup_documents`), then, as it
is restored, each frame (it must decode as the image type, width and height its entry claims:
:func:`inklab.server.media.images.check_image`) and the annotations (as if sent to the API).

No transaction lasts longer than the database work itself: frames are copied and checked, and
annotations checked, outside any; each task (with its labels, frames and jobs) is then made in
one short transaction, and its annotations are written in another
(:class:`~inklab.server.annotations.services.BatchWriter`). While a restore runs, its owner may
see its tasks appear; a restore that fails removes every project, task, row and file it made
(and the request's cleanup does, if its process died).
"""

from __future__ import annotations

import logging
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO, Any

import orjson
from django.db import transaction
from django.utils import timezone

from inklab import __version__
from inklab.formats import FormatError, InputTree, MalformedFile, ZipInput, ZipOutput
from inklab.server.annotations import services as annotation_services
from inklab.server.annotations.models import AnnotationObject
from inklab.server.annotations.services import Scope
from inklab.server.consensus.models import ConsensusSettings
from inklab.server.consensus.serializers import ConsensusSettingsWriteSerializer
from inklab.server.datasets.backup_documents import check_project_document, check_task_document
from inklab.server.datasets.importing import BATCH_OBJECTS, located
from inklab.server.errors import InvalidInput
from inklab.server.media import images
from inklab.server.media.models import Frame as FrameRow
from inklab.server.media.sources import Limits, copy_limited
from inklab.server.media.storage import TaskStorage
from inklab.server.projects.labels import apply_label_specs, labels_of
from inklab.server.projects.models import Job, Project, Task, touch
from inklab.server.quality.models import QualitySettings
from inklab.server.quality.serializers import QualitySettingsWriteSerializer
from inklab.vocabulary import JobType

__all__ = ["BACKUP_VERSION", "CheckedBackup", "check_backup", "open_backup", "remove_restored", "restore_project",
           "restore_task", "write_project_backup", "write_task_backup"]

logger = logging.getLogger(__name__)

BACKUP_VERSION = 3
_MARKER = "inklab-backup.json"
_TASK_FIELDS = ("name", "bug_tracker", "subset", "status", "overlap", "segment_size", "size", "chunk_size",
                "image_quality", "sorting_method", "start_frame", "stop_frame", "frame_filter", "media_type",
                "mode", "original_chunk_type", "compressed_chunk_type", "deleted_frames", "validation_mode",
                "validation_disabled_frames", "consensus_replicas")
#: the settings a backup keeps: key of ``task.json`` -> (model, fields), the fields being those
#: that the settings' ``PATCH`` accepts, which are what a restore checks them with
_SETTINGS: dict[str, tuple[type[QualitySettings] | type[ConsensusSettings], tuple[str, ...]]] = {
    "quality_settings": (QualitySettings, tuple(QualitySettingsWriteSerializer().fields)),
    "consensus_settings": (ConsensusSettings, tuple(ConsensusSettingsWriteSerializer().fields)),
}

ProgressFn = Callable[[float], None]


def _part(progress: ProgressFn, index: int, count: int) -> ProgressFn:
    """Progress of the ``index``-th of ``count`` equal parts."""
    return lambda fraction: progress((index + fraction) / max(count, 1))


# -- labels as specs, ids as names ------------------------------------------------------------

def _label_spec(label: Any) -> dict[str, Any]:
    spec = {"name": label.name, "type": label.type, "color": label.color,
            "attributes": [{"name": a.name, "mutable": a.mutable, "input_type": a.input_type,
                            "values": list(a.values), "default_value": a.default_value}
                           for a in label.attributes.all()]}
    if label.parent_id is None:  # a skeleton's points have no svg of their own (CVAT's SublabelRequest)
        spec["svg"] = label.svg
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

    def to_ids(self, obj: Any, owner: int | None = None, parent: int | None = None,
               where: str = "") -> dict[str, Any]:
        """A backup's object with this server's ids; InvalidInput (naming ``where``) for what a
        backup may not hold. The rest is checked as the API checks it, when it is written."""
        if not isinstance(obj, dict):
            raise InvalidInput(f"{where}: expected an object.")
        if "label_id" in obj or "spec_id" in obj:
            raise InvalidInput(f"{where}: a backup names labels and attributes; ids are not allowed.")
        out = dict(obj)
        if "label" in out:
            label = out.pop("label")
            if not isinstance(label, str) or (parent, label) not in self.label_id:
                raise InvalidInput(f"{where}: the backup's label {label!r} is not among its labels.")
            owner = self.label_id[(parent, label)]
            out["label_id"] = owner
        if "attributes" in out:
            out["attributes"] = self._attribute_ids(out["attributes"], owner, where)
        for key in ("elements", "shapes"):
            if key in out and not isinstance(out[key], list):
                raise InvalidInput(f"{where}: '{key}' must be a list.")
        if "elements" in out:
            out["elements"] = [self.to_ids(e, None, owner, where) for e in out["elements"]]
        if "shapes" in out:
            out["shapes"] = [self.to_ids(s, owner, parent, where) for s in out["shapes"]]
        return out

    def _attribute_ids(self, values: Any, owner: int | None, where: str) -> list[dict[str, Any]]:
        if not isinstance(values, list):
            raise InvalidInput(f"{where}: 'attributes' must be a list.")
        result = []
        for value in values:
            if not isinstance(value, dict) or set(value) != {"name", "value"} or not isinstance(value["name"], str):
                raise InvalidInput(f"{where}: an attribute is {{\"name\": ..., \"value\": ...}}, got {value!r:.80}.")
            if owner is None or (owner, value["name"]) not in self.attr_id:
                raise InvalidInput(f"{where}: attribute '{value['name']}' is not an attribute of the object's label.")
            result.append({"spec_id": self.attr_id[(owner, value["name"])], "value": value["value"]})
        return result


# -- writing ----------------------------------------------------------------------------------

def _settings_document(task: Task) -> dict[str, dict[str, Any]]:
    """The task's quality and consensus settings; the defaults for those never set (the
    endpoints make them on first use; a backup does not write)."""
    doc = {}
    for key, (model, fields) in _SETTINGS.items():
        row = model.objects.filter(task=task).first() or model(task=task)
        doc[key] = {field: getattr(row, field) for field in fields}
    return doc


def _task_document(task: Task, jobs: list[Job], with_labels: bool) -> dict[str, Any]:
    doc: dict[str, Any] = {key: getattr(task, key) for key in _TASK_FIELDS}
    doc.update(_settings_document(task))
    doc["labels"] = [_label_spec(label) for label in labels_of(task).order_by("id")] if with_labels else []
    index = {job.pk: i for i, job in enumerate(jobs)}
    doc["jobs"] = [{"start_frame": j.start_frame, "stop_frame": j.stop_frame, "stage": j.stage, "state": j.state,
                    "type": j.type, "frames": list(j.frames) if j.type == JobType.GROUND_TRUTH else [],
                    "parent": index[j.parent_job_id] if j.parent_job_id is not None else None} for j in jobs]
    doc["frames"] = [{"number": f.number, "name": f.name, "width": f.width, "height": f.height, "file": f.file,
                      "mime_type": f.mime_type} for f in FrameRow.objects.filter(task=task).order_by("number")]
    return doc


def _write_task(out: ZipOutput, task: Task, prefix: str, owner: Project | Task, progress: ProgressFn) -> None:
    """A task's files; a task of a project backup (``owner`` the project) leaves the labels to
    ``project.json``, a task backup carries them, its project's included."""
    jobs = list(task.jobs.order_by("id"))  # their order is the index objects of a job's layer name
    document = _task_document(task, jobs, with_labels=owner is task)
    out.write_bytes(f"{prefix}task.json", orjson.dumps(document, option=orjson.OPT_INDENT_2))
    names = _Names(owner)
    layers = {job.pk: i for i, job in enumerate(jobs) if job.type != JobType.ANNOTATION}
    with out.open(f"{prefix}annotations.jsonl") as fh:
        # the task's annotations, then each ground-truth or replica job's own
        for layer in (None, *layers):
            rows = (AnnotationObject.objects.filter(task=task, job_id=layer).order_by("id")
                    .values_list("kind", "data"))
            extra = {} if layer is None else {"job": layers[layer]}
            for kind, data in rows.iterator(chunk_size=2000):
                fh.write(orjson.dumps({"kind": kind, "object": names.to_names(orjson.loads(data)), **extra}) + b"\n")
    storage = TaskStorage(task.pk)
    frames = list(FrameRow.objects.filter(task=task).order_by("number").values_list("file", flat=True))
    for i, file in enumerate(frames):
        with storage.local_frame(file).open("rb") as source, out.open(f"{prefix}data/{file}") as target:
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

def open_backup(path: Path, label: str) -> ZipInput:
    """The uploaded backup as a zip; InvalidInput if it is none."""
    try:
        return ZipInput(path, label)
    except FormatError as exc:
        raise InvalidInput(f"{label}: a backup is a zip archive ({exc}).") from exc


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
    if not isinstance(marker, dict) or marker.get("format") != "inklab-backup" or not isinstance(version, int):
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


def _annotations(source: InputTree, name: str) -> Iterator[tuple[int, Any]]:
    with source.open(name) as fh:
        for number, line in enumerate(fh, 1):
            if line.strip():
                try:
                    yield number, orjson.loads(line)
                except orjson.JSONDecodeError as exc:
                    raise MalformedFile(name, f"line {number}", f"invalid JSON ({exc.msg})") from exc


@dataclass(frozen=True)
class _TaskPart:
    """A task of a backup: where its files are, its checked ``task.json``."""

    prefix: str
    doc: dict[str, Any]


@dataclass(frozen=True)
class CheckedBackup:
    """A backup whose documents passed :func:`check_backup`."""

    project: dict[str, Any] | None
    tasks: tuple[_TaskPart, ...]


def _task_prefixes(source: InputTree) -> list[str]:
    folders = {name.split("/", 2)[1] for name in source.names() if name.startswith("tasks/") and name.count("/") >= 2}
    odd = sorted(folder for folder in folders if not folder.isdigit())
    if odd:
        raise InvalidInput(f"{source.label}: tasks/{odd[0]}/ is not a task of the backup (their folders are "
                           "numbered: tasks/0/, tasks/1/...).")
    return [f"tasks/{folder}/" for folder in sorted(folders, key=int)]


def check_backup(source: InputTree, kind: str) -> CheckedBackup:
    """Check the marker and every document of a ``kind`` ("task" or "project") backup before
    anything is restored; InvalidInput names the file and the field at fault."""
    check_marker(source, kind)
    try:
        if kind == "task":
            return CheckedBackup(None, (_TaskPart("", check_task_document(
                _json(source, "task.json"), f"{source.label}: task.json")),))
        project = check_project_document(_json(source, "project.json"), f"{source.label}: project.json")
        tasks = tuple(_TaskPart(prefix, check_task_document(_json(source, f"{prefix}task.json"),
                                                            f"{source.label}: {prefix}task.json", in_project=True))
                      for prefix in _task_prefixes(source))
        return CheckedBackup(project, tasks)
    except FormatError as exc:
        raise InvalidInput(f"{source.label}: {exc}") from exc


def _stage_frames(source: InputTree, part: _TaskPart, staging: Path, progress: ProgressFn) -> list[dict[str, Any]]:
    """Copy and check each frame of the backup into ``staging`` (outside any transaction); the
    fields of their rows."""
    staging.mkdir(parents=True, exist_ok=True)
    budget = [Limits().max_bytes]
    frames = part.doc["frames"]
    rows = []
    for i, frame in enumerate(frames):
        entry = f"{source.label}: {part.prefix}task.json: frames[{i}]"
        member = f"{part.prefix}data/{frame['file']}"
        if not source.exists(member):
            raise InvalidInput(f"{entry}.file: {member} is not in the backup.")
        file = f"{frame['number']}{PurePosixPath(frame['file']).suffix}"
        with source.open(member) as fh:
            copy_limited(fh, staging / file, budget,
                         f"{source.label}: the frames are larger than the allowed size (stopped at {member}).")
        info = images.check_image(staging / file, member)
        if info.mime != images.served_type(frame["mime_type"]):
            raise InvalidInput(f"{entry}.mime_type: {member} is {info.mime}, not {frame['mime_type']}.")
        if (info.width, info.height) != (frame["width"], frame["height"]):
            raise InvalidInput(f"{entry}: {member} is {info.width}x{info.height}, not {frame['width']}x"
                               f"{frame['height']} as its width and height say.")
        rows.append({"number": frame["number"], "name": frame["name"], "width": info.width, "height": info.height,
                     "file": file, "mime_type": info.mime})
        if i % 50 == 0:
            progress(0.8 * i / max(len(frames), 1))
    return rows


def _restore_annotations(user: Any, source: InputTree, prefix: str, task: Task, owner: Project | Task,
                         spool: Path) -> None:
    """Check the backup's annotations as anything written through the API (frames, labels,
    attributes, geometry) into ``spool``, a batch at a time, then write them in one short
    transaction: the task's, then each ground-truth or replica job's (one pass over the file each)."""
    jobs = list(task.jobs.order_by("id"))
    layers = {i: job for i, job in enumerate(jobs) if job.type != JobType.ANNOTATION}
    for index in (None, *layers):
        _restore_layer(user, source, prefix, Scope(task, layers[index] if index is not None else None), index,
                       set(layers), _Names(owner), spool)


def _restore_layer(user: Any, source: InputTree, prefix: str, scope: Scope, index: int | None, layers: set[int],
                   names: _Names, spool: Path) -> None:
    """The objects of one layer: the task's (``index`` None) or the job ``index``'s of ``jobs``."""
    payload: dict[str, list[dict[str, Any]]] = {"tags": [], "shapes": [], "tracks": []}
    places: dict[str, list[str]] = {"tags": [], "shapes": [], "tracks": []}
    name = f"{prefix}annotations.jsonl"
    with annotation_services.BatchWriter(user, scope, spool, replace=False) as writer:
        def flush() -> None:
            try:
                writer.add(payload)
            except InvalidInput as exc:
                raise located(exc, places) from exc
            for key in payload:
                payload[key], places[key] = [], []

        for line, item in _annotations(source, name):
            where = f"{source.label}: {name}, line {line}"
            key = {"tag": "tags", "shape": "shapes", "track": "tracks"}.get(
                str(item.get("kind"))) if isinstance(item, dict) else None
            if key is None or not {"kind", "object"} <= set(item) <= {"kind", "object", "job"}:
                raise InvalidInput(f"{where}: expected {{\"kind\": tag|shape|track, \"object\": {{...}}}} "
                                   "and, for a ground-truth or replica job's object, \"job\".")
            job = item.get("job")
            if job is not None and (type(job) is not int or job not in layers):
                raise InvalidInput(f"{where}: job is not the index of a ground-truth or replica job in task.json.")
            if job != index:
                continue
            payload[key].append(names.to_ids(item["object"], where=where))
            places[key].append(where)
            if sum(len(objects) for objects in payload.values()) >= BATCH_OBJECTS:
                flush()
        flush()
        if writer.count:
            writer.apply()


class _Created:
    """What a restore made so far; :meth:`remove` takes it away again (rows and files).

    ``record`` is told ``{"created_project": id, "created_tasks": [ids]}`` inside the transaction
    that makes each of them (:meth:`record`), so that what a crashed restore made can be found and
    removed (:func:`remove_restored`); the restore's own list grows once that transaction committed
    (:meth:`add`): ids of rolled-back rows are given again, to other objects."""

    def __init__(self, record: Callable[[dict[str, Any]], None]) -> None:
        self.project: int | None = None
        self.tasks: list[int] = []
        self._record = record

    def record(self, obj: Task | Project) -> None:
        project = obj.pk if isinstance(obj, Project) else self.project
        tasks = [*self.tasks, obj.pk] if isinstance(obj, Task) else self.tasks
        self._record({"created_project": project, "created_tasks": tasks})

    def add(self, obj: Task | Project) -> None:
        if isinstance(obj, Project):
            self.project = obj.pk
        else:
            self.tasks.append(obj.pk)

    def remove(self) -> None:
        remove_restored(self.project, self.tasks)


def remove_restored(project_id: int | None, task_ids: list[int]) -> None:
    """Remove a project and tasks that a restore made (each was made whole, in one transaction),
    with their media; ids that no longer exist are skipped."""
    for pk in task_ids:
        Task.objects.filter(pk=pk).delete()
        TaskStorage(pk).remove()
    if project_id is not None:
        Project.objects.filter(pk=project_id).delete()


def _create_task(user: Any, part: _TaskPart, project: Project | None, frames: list[dict[str, Any]], staged: Path,
                 created: _Created, organization_id: int | None) -> Task:
    """The task, its labels, frames and jobs in one short transaction; then the checked frames move in."""
    doc = part.doc
    with transaction.atomic():
        task = Task.objects.create(owner=user, project=project, organization_id=organization_id,
                                   has_data=bool(doc["frames"]),
                                   **{key: doc[key] for key in _TASK_FIELDS})
        created.record(task)
        if project is None:
            apply_label_specs(task, doc["labels"])
        FrameRow.objects.bulk_create([FrameRow(task=task, **row) for row in frames], batch_size=2000)
        jobs = Job.objects.bulk_create([Job(task=task, start_frame=j["start_frame"], stop_frame=j["stop_frame"],
                                            stage=j["stage"], state=j["state"], type=j["type"], frames=j["frames"])
                                        for j in doc["jobs"]])
        replicas = []
        for job, spec in zip(jobs, doc["jobs"], strict=True):
            if spec["parent"] is not None:
                job.parent_job = jobs[spec["parent"]]
                replicas.append(job)
        Job.objects.bulk_update(replicas, ["parent_job"])
        for key, (model, _) in _SETTINGS.items():
            if key in doc:  # else made with the defaults on first use, as for any task
                model.objects.create(task=task, **doc[key])
    created.add(task)
    storage = TaskStorage(task.pk)
    shutil.rmtree(storage.frames_dir, ignore_errors=True)  # left by a task of this id that was rolled back
    storage.root.mkdir(parents=True, exist_ok=True)
    shutil.move(staged, storage.frames_dir)
    storage.publish_frames()  # a failure removes the restored task (restore_task, restore_project)
    return task


def _restore_task(user: Any, source: InputTree, part: _TaskPart, project: Project | None, progress: ProgressFn,
                  created: _Created, workdir: Path, organization_id: int | None) -> Task:
    frames = _stage_frames(source, part, workdir / "frames", progress)
    task = _create_task(user, part, project, frames, workdir / "frames", created, organization_id)
    progress(0.85)
    _restore_annotations(user, source, part.prefix, task, project or task, workdir / "annotations.spool")
    touch(task)
    progress(1.0)
    return task


def restore_task(user: Any, source: InputTree, progress: ProgressFn, *, workdir: Path,
                 record: Callable[[dict[str, Any]], None], organization_id: int | None = None) -> Task:
    """A new task from a task backup (all or nothing: see the module docstring), in the
    organization ``organization_id`` (None: the personal workspace)."""
    checked = check_backup(source, "task")
    created = _Created(record)
    try:
        return _restore_task(user, source, checked.tasks[0], None, progress, created, workdir, organization_id)
    except BaseException:
        created.remove()
        raise


def restore_project(user: Any, source: InputTree, progress: ProgressFn, *, workdir: Path,
                    record: Callable[[dict[str, Any]], None], organization_id: int | None = None) -> Project:
    """A new project (with its tasks) from a project backup (all or nothing: see the module
    docstring), in the organization ``organization_id`` (None: the personal workspace)."""
    checked = check_backup(source, "project")
    doc = checked.project
    assert doc is not None
    created = _Created(record)
    try:
        with transaction.atomic():
            project = Project.objects.create(name=doc["name"], owner=user, bug_tracker=doc["bug_tracker"],
                                             status=doc["status"], organization_id=organization_id)
            created.record(project)
            apply_label_specs(project, doc["labels"])
        created.add(project)
        for i, part in enumerate(checked.tasks):
            _restore_task(user, source, part, project, _part(progress, i, len(checked.tasks)), created, workdir,
                          organization_id)
        touch(project)
        return project
    except BaseException:
        created.remove()
        raise
