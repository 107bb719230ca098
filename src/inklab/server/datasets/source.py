"""A task's, job's or project's annotations as a :class:`inklab.formats.Dataset`, streamed.

Nothing is loaded whole: frames are read from the database in blocks of
:data:`FRAME_BLOCK` frame numbers, with the tags and shapes of that block; tracks are read
in pages ordered by their first frame (keyset pagination, no open cursors). Label and
attribute ids are turned into names once, from the label specs. Images are opened from the
task's storage only when an exporter writes them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from typing import Any

import orjson

from inklab.formats import (
    Attribute,
    AttributeSpec,
    Dataset,
    DatasetInfo,
    Frame,
    LabelSpec,
    MediaFile,
    Shape,
    Tag,
    Track,
    TrackedShape,
)
from inklab.server.annotations.models import AnnotationObject, Kind
from inklab.server.media.models import Frame as FrameRow
from inklab.server.media.storage import TaskStorage
from inklab.server.projects.labels import labels_of
from inklab.server.projects.models import Job, Project, Task
from inklab.vocabulary import InputType, JobType, LabelType, ShapeType

__all__ = ["FRAME_BLOCK", "LabelNames", "label_specs", "project_dataset", "task_dataset"]

#: frames read per database round trip
FRAME_BLOCK = 500
_TRACK_PAGE = 500

ProgressFn = Callable[[float], None]


def _spec(label: Any) -> LabelSpec:
    attributes = tuple(AttributeSpec(a.name, InputType(a.input_type), tuple(str(v) for v in a.values),
                                     a.default_value, a.mutable) for a in label.attributes.all())
    subs = tuple(_spec(sub) for sub in label.sublabels.all()) if label.type == LabelType.SKELETON else ()
    return LabelSpec(label.name, LabelType(label.type), label.color, attributes, subs, label.svg or "")


def label_specs(owner: Project | Task) -> tuple[LabelSpec, ...]:
    """The label specs of a project or task, in id order."""
    queryset = labels_of(owner).prefetch_related("attributes", "sublabels__attributes")
    return tuple(_spec(label) for label in queryset.order_by("id"))


@dataclass
class LabelNames:
    """Label and attribute ids → names, for one label owner."""

    labels: dict[int, str]
    attributes: dict[int, str]

    @classmethod
    def of(cls, owner: Project | Task) -> LabelNames:
        labels: dict[int, str] = {}
        attributes: dict[int, str] = {}
        for label in labels_of(owner).prefetch_related("attributes", "sublabels__attributes"):
            labels[label.pk] = label.name
            attributes.update((a.pk, a.name) for a in label.attributes.all())
            for sub in label.sublabels.all():
                labels[sub.pk] = sub.name
                attributes.update((a.pk, a.name) for a in sub.attributes.all())
        return cls(labels, attributes)

    def attrs(self, values: list[dict[str, Any]]) -> tuple[Attribute, ...]:
        return tuple(Attribute(self.attributes[a["spec_id"]], a["value"]) for a in values
                     if a["spec_id"] in self.attributes)

    def shape(self, obj: dict[str, Any]) -> Shape:
        return Shape(
            ShapeType(obj["type"]), self.labels[obj["label_id"]], tuple(obj["points"]), obj["occluded"],
            obj["outside"], obj["z_order"], obj["rotation"], self.attrs(obj["attributes"]), obj.get("group", 0),
            obj.get("source", "manual"), obj.get("score", 1.0),
            tuple(self.shape(e) for e in obj.get("elements") or ()),
        )

    def tag(self, obj: dict[str, Any]) -> Tag:
        return Tag(self.labels[obj["label_id"]], self.attrs(obj["attributes"]), obj.get("group", 0),
                   obj.get("source", "manual"))

    def keyframe(self, obj: dict[str, Any], offset: int) -> TrackedShape:
        return TrackedShape(obj["frame"] + offset, ShapeType(obj["type"]), tuple(obj["points"]), obj["occluded"],
                            obj["outside"], obj["z_order"], obj["rotation"], self.attrs(obj["attributes"]))

    def track(self, obj: dict[str, Any], offset: int, track_id: int) -> Track:
        return Track(
            self.labels[obj["label_id"]], tuple(self.keyframe(s, offset) for s in obj["shapes"]),
            self.attrs(obj["attributes"]), obj.get("group", 0), obj.get("source", "manual"),
            tuple(Track(self.labels[e["label_id"]], tuple(self.keyframe(s, offset) for s in e["shapes"]),
                        self.attrs(e["attributes"]), 0, e.get("source", "manual")) for e in obj.get("elements") or ()),
            track_id,
        )


def _media(task_id: int, row: FrameRow) -> MediaFile:
    storage = TaskStorage(task_id)
    name = row.name.rsplit("/", 1)[-1] or row.file
    return MediaFile(name, lambda: storage.local_frame(row.file).open("rb"))


def _frames(task: Task, first: int, last: int, names: LabelNames, offset: int, deleted: set[int],
            progress: ProgressFn | None, layer: int | None = None) -> Iterator[Frame]:
    """The task's frames ``first..last`` (as ``index + offset``), block by block, with the task's
    objects or those of the ground-truth job ``layer``."""
    total = max(last - first + 1, 1)
    for start in range(first, last + 1, FRAME_BLOCK):
        stop = min(start + FRAME_BLOCK - 1, last)
        rows = list(FrameRow.objects.filter(task_id=task.pk, number__gte=start, number__lte=stop).order_by("number"))
        objects: dict[int, tuple[list[Tag], list[Shape]]] = {}
        query = (AnnotationObject.objects.filter(task_id=task.pk, kind__in=(Kind.TAG, Kind.SHAPE),
                                                 frame__gte=start, frame__lte=stop, job_id=layer)
                 .order_by("frame", "id").values_list("kind", "frame", "data"))
        for kind, frame, data in query:
            tags, shapes = objects.setdefault(frame, ([], []))
            obj = orjson.loads(data)
            if kind == Kind.TAG:
                tags.append(names.tag(obj))
            else:
                shapes.append(names.shape(obj))
        for row in rows:
            if row.number in deleted:
                continue
            found = objects.get(row.number)
            tags, shapes = found if found is not None else ([], [])
            yield Frame(row.number + offset, row.name, row.width, row.height, task.subset, tuple(tags),
                        tuple(shapes), _media(task.pk, row))
        if progress is not None:
            progress((stop - first + 1) / total)


def _tracks(task: Task, first: int, last: int, names: LabelNames, offset: int,
            numbers: Iterator[int], layer: int | None = None) -> Iterator[Track]:
    """Tracks touching ``first..last``, in order of their first frame, page by page (the task's,
    or those of the ground-truth job ``layer``)."""
    after: tuple[int, int] = (-1, -1)
    base = AnnotationObject.objects.filter(task_id=task.pk, kind=Kind.TRACK, frame__lte=last, last_frame__gte=first,
                                           job_id=layer)
    while True:
        page = list(base.filter(frame__gte=after[0]).exclude(frame=after[0], id__lte=after[1])
                    .order_by("frame", "id").values_list("frame", "id", "data")[:_TRACK_PAGE])
        for _frame, _pk, data in page:
            yield names.track(orjson.loads(data), offset, next(numbers))
        if len(page) < _TRACK_PAGE:
            return
        after = (page[-1][0], page[-1][1])


def _info(task: Task, job: Job | None) -> dict[str, Any]:
    scope = {"scope": "job" if job else "task", "id": job.pk if job else task.pk,
             "mode": task.mode, "overlap": task.overlap or 0, "bugtracker": task.bug_tracker,
             "created": task.created_date.isoformat(), "updated": task.updated_date.isoformat(),
             "subset": task.subset, "start_frame": job.start_frame if job else task.start_frame,
             "stop_frame": job.stop_frame if job else task.stop_frame, "frame_filter": task.frame_filter,
             "segments": [{"id": j.pk, "start": j.start_frame, "stop": j.stop_frame, "url": ""}
                          for j in ([job] if job else task.jobs.order_by("id"))]}
    if task.owner is not None:
        scope["owner"] = {"username": task.owner.username, "email": task.owner.email}
    return scope


def task_dataset(task: Task, job: Job | None = None, progress: ProgressFn | None = None) -> Dataset:
    """A task's (or one of its jobs') annotations, frames and labels as a lazy dataset."""
    first, last = (job.start_frame, job.stop_frame) if job else (0, max(task.size - 1, 0))
    names = LabelNames.of(task)
    deleted = set(task.deleted_frames or [])
    layer = job.pk if job is not None and job.type != JobType.ANNOTATION else None
    if job is not None and job.type == JobType.GROUND_TRUTH:  # it holds only its frames
        deleted |= set(range(first, last + 1)) - set(job.frames)  # type: ignore[union-attr]
    size = last - first + 1 if task.size else 0
    frames = _frames(task, first, last, names, 0, deleted, progress, layer) if task.size else iter(())
    tracks = _tracks(task, first, last, names, 0, iter(range(1 << 62)), layer) if task.size else iter(())
    info = DatasetInfo(name=task.name, size=size, media_type=task.media_type,
                       subsets=(task.subset,) if task.subset else (), extra=_info(task, job), first_frame=first)
    return Dataset(label_specs(task), frames, tracks, info)


def project_dataset(project: Project, progress: ProgressFn | None = None) -> Dataset:
    """A project's tasks one after the other; frame numbers run on across tasks."""
    tasks = list(project.tasks.filter(has_data=True).order_by("id"))
    names = LabelNames.of(project)
    offsets = []
    total = 0
    for task in tasks:
        offsets.append(total)
        total += task.size
    counter = iter(range(1 << 62))

    def frames() -> Iterator[Frame]:
        taken: set[tuple[str, str]] = set()
        for i, (task, offset) in enumerate(zip(tasks, offsets, strict=True)):
            step = (lambda f, i=i: progress((i + f) / len(tasks))) if progress else None
            for frame in _frames(task, 0, task.size - 1, names, offset, set(task.deleted_frames or []), step):
                if (frame.subset, frame.name) in taken:  # two tasks of a subset with the same frame name
                    frame = replace(frame, name=f"task_{task.pk}/{frame.name}")
                taken.add((frame.subset, frame.name))
                yield frame

    def tracks() -> Iterator[Track]:
        for task, offset in zip(tasks, offsets, strict=True):
            yield from _tracks(task, 0, task.size - 1, names, offset, counter)

    subsets = tuple(sorted({t.subset for t in tasks if t.subset}))
    extra = {"scope": "project", "id": project.pk, "created": project.created_date.isoformat(),
             "updated": project.updated_date.isoformat(), "bugtracker": project.bug_tracker}
    if project.owner is not None:
        extra["owner"] = {"username": project.owner.username, "email": project.owner.email}
    return Dataset(label_specs(project), frames(), tracks(), DatasetInfo(project.name, total, "image", subsets, extra))
