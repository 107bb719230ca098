"""Importing a whole dataset into a project: labels, one task per subset, images, annotations.

Labels the dataset declares (or uses) that the project lacks are added to the project. The
frames of each subset become a new task in the project (named ``<project> <subset>``) whose
frames are the dataset's images in the dataset's order; then the subset's annotations are
written into it. If anything fails, the tasks and labels made so far are removed again.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from inklab.formats import DEFAULT_SUBSET, Dataset, Frame, LabelSpec, Track, UnsupportedData
from inklab.server.annotations.services import Scope
from inklab.server.datasets.importing import write_dataset
from inklab.server.errors import InvalidInput
from inklab.server.media.ingest import DataParams, ingest
from inklab.server.media.storage import TaskStorage, temp_dir
from inklab.server.media.tus import store_in_task
from inklab.server.projects.labels import apply_label_specs, labels_of
from inklab.server.projects.models import Project, Task
from inklab.server.projects.services import create_task
from inklab.vocabulary import LabelType, SortingMethod

__all__ = ["import_project_dataset"]

logger = logging.getLogger(__name__)

ProgressFn = Callable[[float], None]


def _spec_dict(label: LabelSpec) -> dict[str, Any]:
    spec: dict[str, Any] = {
        "name": label.name, "type": label.type.value, "color": label.color or None,
        "attributes": [{"name": a.name, "mutable": a.mutable, "input_type": a.input_type.value,
                        "values": list(a.values), "default_value": a.default_value} for a in label.attributes],
    }
    if label.type == LabelType.SKELETON:
        spec["svg"] = label.svg
        spec["sublabels"] = [{"name": s.name, "color": s.color or None, "type": "points",
                              "attributes": _spec_dict(s)["attributes"]} for s in label.sublabels]
    return spec


def _missing_labels(project: Project, dataset: Dataset, frames: list[Frame]) -> list[dict[str, Any]]:
    existing = set(labels_of(project).values_list("name", flat=True))
    specs = []
    for label in dataset.labels:
        if label.name not in existing:
            specs.append(_spec_dict(label))
            existing.add(label.name)
    for frame in frames:  # labels a file uses without declaring them
        for name in [t.label for t in frame.tags] + [s.label for s in frame.shapes if not s.elements]:
            if name not in existing:
                specs.append({"name": name, "type": LabelType.ANY.value, "attributes": []})
                existing.add(name)
    return specs


def _ingest_images(task: Task, frames: list[Frame], workdir: Path, progress: ProgressFn) -> None:
    TaskStorage(task.pk).reset_upload_dir()
    names: list[str] = []
    for frame in frames:
        assert frame.image is not None
        name = frame.name.replace("\\", "/").rsplit("/", 1)[-1] or frame.image.name
        temporary = workdir / f"{len(names)}"
        with frame.image.open() as source, temporary.open("wb") as target:
            shutil.copyfileobj(source, target, 1 << 20)
        store_in_task(task.pk, name, temporary, publish=False)  # ingested here, at once
        names.append(name)
    ingest(task, DataParams(sorting_method=SortingMethod.PREDEFINED, upload_file_order=tuple(names)), progress)


def _part(progress: ProgressFn, index: int, count: int, share: float, start: float = 0.0) -> ProgressFn:
    return lambda fraction: progress((index + start + share * fraction) / max(count, 1))


def import_project_dataset(user: Any, project: Project, dataset: Dataset, *, conv_mask_to_poly: bool,
                           progress: ProgressFn, file: str = "", spool: Path | None = None,
                           on_task_created: Callable[[Task], None] | None = None) -> list[Task]:
    """Create the tasks of a dataset in ``project``; returns them.

    ``on_task_created`` is told of each task as soon as it exists (so that the caller can
    remove it if this process dies before it is complete). Each task's annotations are checked
    into ``spool`` and then written in a short transaction of their own (see
    :func:`~inklab.server.datasets.importing.write_dataset`)."""
    frames = list(dataset.frames)
    tracks = list(dataset.tracks)
    if not frames:
        raise InvalidInput(f"{file}: the dataset has no images.")
    without = [f.name or f"#{f.index}" for f in frames if f.image is None]
    if without:
        raise UnsupportedData(f"{file}: a project import creates tasks from the dataset's images, but "
                              f"{len(without)} frame(s) have none in the archive (first: '{without[0]}'); "
                              "export the dataset with images (save_images).")
    subsets: dict[str, list[Frame]] = {}
    for frame in frames:
        subsets.setdefault(frame.subset, []).append(frame)
    new_labels = _missing_labels(project, dataset, frames)
    before = set(labels_of(project).values_list("pk", flat=True))
    created: list[Task] = []
    try:
        apply_label_specs(project, new_labels)
        with tempfile.TemporaryDirectory(prefix="inklab-import-", dir=temp_dir()) as workdir:
            step = len(subsets)
            for i, (subset, items) in enumerate(subsets.items()):
                task = create_task(user, {"name": f"{project.name} {subset or DEFAULT_SUBSET}"[:256],
                                          "project_id": project.pk, "subset": subset})
                created.append(task)
                if on_task_created is not None:
                    on_task_created(task)
                _ingest_images(task, items, Path(workdir), _part(progress, i, step, 0.8))
                task.refresh_from_db()
                indexes = {f.index for f in items if f.index is not None}
                own_tracks: list[Track] = [t for t in tracks if t.first_frame in indexes]
                subset_data = Dataset(dataset.labels, items, own_tracks, dataset.info)
                write_dataset(user, Scope(task), subset_data, conv_mask_to_poly=conv_mask_to_poly, file=file,
                              spool=spool, progress=_part(progress, i, step, 0.2, start=0.8))
                progress((i + 1) / step)
    except BaseException:
        for task in created:
            storage = TaskStorage(task.pk)
            Task.objects.filter(pk=task.pk).delete()
            storage.remove()
        labels_of(project).exclude(pk__in=before).delete()
        raise
    return created
