"""Writing an imported :class:`inklab.formats.Dataset` into a task or job.

Frames of the file are matched to the task's frames by name – the whole path, then the path
without directories, then without extension; a frame without a name by its number. Labels
and attributes are matched by name. The import streams: frames are read from the file,
checked and spooled to a file a batch at a time (:data:`BATCH_OBJECTS` objects), so the
server's memory holds one batch, not the file; then one short transaction replaces
(``import_mode=replace``, the default) or adds to (``append``) the target's annotations with
everything spooled, so a failed import – a bad line late in the file included – leaves them as
they were, and other users' writes wait only for that transaction, never for the file to be
read.

Errors name the file's frame and object: ``frame 'a.jpg': box of label 'cat': ...``.
"""

from __future__ import annotations

import logging
import os
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from inklab.formats import Dataset, Frame, Shape, Tag, Track, UnknownLabel
from inklab.formats.geometry import mask_polygons
from inklab.formats.masks import check_mask
from inklab.server.annotations import services
from inklab.server.annotations.services import Scope
from inklab.server.errors import InvalidInput
from inklab.server.media.models import Frame as FrameRow
from inklab.server.media.storage import temp_dir
from inklab.server.projects.labels import labels_of
from inklab.server.projects.models import Task
from inklab.vocabulary import ShapeType

__all__ = ["BATCH_OBJECTS", "FrameMatcher", "ImportResult", "LabelIds", "located", "write_dataset"]

logger = logging.getLogger(__name__)

_MARGIN = 1.0  # pixels a point may lie outside the image (rounding in other tools)


def _stem(name: str) -> str:
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    dot = base.rfind(".")
    return base[:dot] if dot > 0 else base


class FrameMatcher:
    """Finds the task frame a file's frame means (see the module docstring)."""

    def __init__(self, task: Task, first: int, last: int) -> None:
        self.first, self.last = first, last
        self.by_name: dict[str, int] = {}
        self.by_base: dict[str, int | None] = {}
        self.by_stem: dict[str, int | None] = {}
        self.sizes: dict[int, tuple[int, int]] = {}
        self.names: dict[int, str] = {}
        rows = FrameRow.objects.filter(task_id=task.pk, number__gte=first, number__lte=last)
        for number, name, width, height in rows.values_list("number", "name", "width", "height"):
            self.sizes[number] = (width, height)
            self.names[number] = name
            self.by_name[name] = number
            for table, key in ((self.by_base, name.rsplit("/", 1)[-1]), (self.by_stem, _stem(name))):
                table[key] = None if key in table and table[key] != number else number  # None: ambiguous

    def size_of(self, name: str) -> tuple[int, int] | None:
        """The ``(width, height)`` of the frame a file names (see :meth:`number`), or None."""
        try:
            return self.sizes[self.number(Frame(None, name))]
        except InvalidInput:
            return None

    def number(self, frame: Frame) -> int:
        if frame.name:
            name = frame.name.replace("\\", "/")
            for table, key in ((self.by_name, name), (self.by_base, name.rsplit("/", 1)[-1]),
                               (self.by_stem, _stem(name))):
                found = table.get(key)
                if found is not None:
                    return found
            raise InvalidInput(f"frame '{frame.name}' is not a frame of this task"
                               f"{' or job' if self.first else ''} (no frame has that name).")
        if frame.index is None or frame.index not in self.sizes:
            raise InvalidInput(f"frame #{frame.index} is outside this task's frames {self.first}..{self.last}.")
        return frame.index


@dataclass
class LabelIds:
    """Names → ids of a task's labels, their attributes and skeleton points."""

    labels: dict[str, int] = field(default_factory=dict)
    attributes: dict[int, dict[str, int]] = field(default_factory=dict)
    sublabels: dict[int, dict[str, int]] = field(default_factory=dict)

    @classmethod
    def of(cls, task: Task) -> LabelIds:
        ids = cls()
        for label in labels_of(task).prefetch_related("attributes", "sublabels__attributes"):
            ids.labels[label.name] = label.pk
            ids.attributes[label.pk] = {a.name: a.pk for a in label.attributes.all()}
            ids.sublabels[label.pk] = {}
            for sub in label.sublabels.all():
                ids.sublabels[label.pk][sub.name] = sub.pk
                ids.attributes[sub.pk] = {a.name: a.pk for a in sub.attributes.all()}
        return ids

    def label(self, name: str, where: str, parent: int | None = None) -> int:
        pool = self.labels if parent is None else self.sublabels.get(parent, {})
        if name not in pool:
            raise UnknownLabel(name, where, sorted(pool))
        return pool[name]

    def attrs(self, label_id: int, values: Iterable[Any]) -> list[dict[str, Any]]:
        specs = self.attributes.get(label_id, {})
        result = []
        for attr in values:
            if attr.name in specs:
                result.append({"spec_id": specs[attr.name], "value": attr.value})
            else:
                logger.debug("Dropping attribute %r: not an attribute of label %s", attr.name, label_id)
        return result


@dataclass
class ImportResult:
    """What an import wrote."""

    tags: int = 0
    shapes: int = 0
    tracks: int = 0


def _check_inside(shape: Shape, size: tuple[int, int], where: str) -> None:
    """Refuse a shape outside its frame, before any pixel work (a mask's polygons, its export)."""
    width, height = size
    if shape.type == ShapeType.MASK:
        try:
            check_mask(shape.points, width, height)
        except ValueError as exc:
            raise InvalidInput(f"{where}: {exc}.") from exc
        return
    if shape.type in (ShapeType.CUBOID, ShapeType.SKELETON):
        return
    points = shape.points if shape.type != ShapeType.ELLIPSE else shape.points[:2]
    for i in range(0, len(points) - 1, 2):
        x, y = points[i], points[i + 1]
        if not (-_MARGIN <= x <= width + _MARGIN and -_MARGIN <= y <= height + _MARGIN):
            raise InvalidInput(f"{where}: point ({x:g}, {y:g}) is outside the {width}x{height} image.")


class _Payload:
    def __init__(self, ids: LabelIds, conv_mask_to_poly: bool) -> None:
        self.ids = ids
        self.conv = conv_mask_to_poly
        self.tags: list[dict[str, Any]] = []
        self.shapes: list[dict[str, Any]] = []
        self.tracks: list[dict[str, Any]] = []
        self.where: dict[str, list[str]] = {"tags": [], "shapes": [], "tracks": []}
        self._nested = 0

    @property
    def count(self) -> int:
        """Objects in the batch, keyframes and skeleton points included."""
        return len(self.tags) + len(self.shapes) + self._nested

    def clear(self) -> None:
        self.tags, self.shapes, self.tracks = [], [], []
        self.where = {"tags": [], "shapes": [], "tracks": []}
        self._nested = 0

    def tag(self, tag: Tag, frame: int, where: str) -> None:
        label = self.ids.label(tag.label, where)
        self.tags.append({"frame": frame, "label_id": label, "group": tag.group, "source": tag.source,
                          "attributes": self.ids.attrs(label, tag.attributes)})
        self.where["tags"].append(where)

    def _shape(self, shape: Shape, frame: int, label: int, points: Any, type_: str) -> dict[str, Any]:
        return {"type": type_, "frame": frame, "label_id": label, "points": list(points),
                "occluded": shape.occluded, "outside": shape.outside, "z_order": shape.z_order,
                "rotation": shape.rotation, "group": shape.group, "source": shape.source, "score": shape.score,
                "attributes": self.ids.attrs(label, shape.attributes), "elements": []}

    def shape(self, shape: Shape, frame: int, size: tuple[int, int] | None, where: str) -> None:
        where = f"{where}: {shape.type.value} of label '{shape.label}'"
        label = self.ids.label(shape.label, where)
        if size is not None:
            _check_inside(shape, size, where)
        if shape.type == ShapeType.MASK and self.conv:
            for polygon in mask_polygons(shape.points):
                self.shapes.append(self._shape(shape, frame, label, polygon, ShapeType.POLYGON))
                self.where["shapes"].append(where)
            return
        obj = self._shape(shape, frame, label, shape.points, shape.type)
        for element in shape.elements:
            sub = self.ids.label(element.label, f"{where}, point", parent=label)
            part = self._shape(element, frame, sub, element.points, ShapeType.POINTS)
            part.pop("elements")
            obj["elements"].append(part)
        self.shapes.append(obj)
        self.where["shapes"].append(where)

    def track(self, track: Track, frames: dict[int, int], where: str) -> None:
        where = f"{where}: track of label '{track.label}'"
        label = self.ids.label(track.label, where)

        def keyframes(shapes: Iterable[Any], owner: int) -> list[dict[str, Any]]:
            result = []
            for s in shapes:
                if s.frame not in frames:
                    raise InvalidInput(f"{where}: keyframe on frame #{s.frame}, which is not in this task.")
                result.append({"type": s.type, "frame": frames[s.frame], "points": list(s.points),
                               "occluded": s.occluded, "outside": s.outside, "z_order": s.z_order,
                               "rotation": s.rotation, "attributes": self.ids.attrs(owner, s.attributes)})
            return result

        obj: dict[str, Any] = {"label_id": label, "group": track.group, "source": track.source,
               "attributes": self.ids.attrs(label, track.attributes), "shapes": keyframes(track.shapes, label),
               "elements": []}
        for element in track.elements:
            sub = self.ids.label(element.label, f"{where}, point", parent=label)
            obj["elements"].append({"label_id": sub, "source": element.source,
                                    "attributes": self.ids.attrs(sub, element.attributes),
                                    "shapes": keyframes(element.shapes, sub)})
        self.tracks.append(obj)
        self.where["tracks"].append(where)
        self._nested += 1 + len(obj["shapes"]) + sum(1 + len(e["shapes"]) for e in obj["elements"])


def located(error: InvalidInput, where: dict[str, list[str]]) -> InvalidInput:
    """Prefix a validation message about ``shapes[12]`` with the file's frame and object."""
    message = str(error.detail)
    for key, places in where.items():
        prefix = f"{key}["
        if message.startswith(prefix):
            index = message[len(prefix):].split("]", 1)[0]
            if index.isdigit() and int(index) < len(places):
                return InvalidInput(f"{places[int(index)]}: {message}")
    return error


#: objects validated and spooled at a time: memory holds one batch, not the whole file
BATCH_OBJECTS = 5000

ProgressFn = Callable[[float], None]


def write_dataset(user: Any, scope: Scope, dataset: Dataset, *, replace: bool = True,
                  conv_mask_to_poly: bool = False, file: str = "", base_version: int | None = None,
                  spool: Path | None = None, progress: ProgressFn | None = None,
                  before_commit: Callable[[], None] | None = None) -> ImportResult:
    """Check the imported ``dataset`` against the scope and write it atomically, in two phases
    (see :class:`~inklab.server.annotations.services.BatchWriter`):

    1. outside any transaction, frames are read, checked and serialised :data:`BATCH_OBJECTS`
       objects at a time into ``spool`` (a file; by default a temporary one under the server's
       temporary directory), so memory stays bounded; ``progress`` is told the fraction of the
       scope's frames read so far;
    2. one short transaction writes the spooled objects, replacing the scope's or adding to them,
       and runs ``before_commit`` last. A failure anywhere leaves the annotations as they were.

    With ``base_version``, nothing is written if the scope's annotations are no longer at that
    version; nothing is written either if the task's labels changed between the phases."""
    matcher = FrameMatcher(scope.task, scope.first, scope.last)
    payload = _Payload(LabelIds.of(scope.task), conv_mask_to_poly)
    frame_map: dict[int, int] = {n: n for n in matcher.sizes}  # file frame index -> task frame
    prefix = f"{file}: " if file else ""
    result = ImportResult()
    if spool is None:
        handle, name = tempfile.mkstemp(prefix="annotations-", suffix=".spool", dir=temp_dir())
        os.close(handle)
        spool = Path(name)
    total = max(len(matcher.sizes), 1)

    with services.BatchWriter(user, scope, spool, replace=replace, base_version=base_version) as writer:
        def flush() -> None:
            if not (payload.tags or payload.shapes or payload.tracks):
                return
            body = {"tags": payload.tags, "shapes": payload.shapes, "tracks": payload.tracks}
            try:
                writer.add(body)
            except InvalidInput as exc:
                raise located(exc, payload.where) from exc
            result.tags += len(payload.tags)
            result.shapes += len(payload.shapes)
            result.tracks += len(payload.tracks)
            payload.clear()

        for seen, frame in enumerate(dataset.frames, 1):
            number = matcher.number(frame)
            if frame.index is not None:
                frame_map[frame.index] = number
            where = f"{prefix}frame '{frame.name or matcher.names[number]}'"
            size = matcher.sizes[number]
            for tag in frame.tags:
                payload.tag(tag, number, where)
            for shape in frame.shapes:
                payload.shape(shape, number, size, where)
            if payload.count >= BATCH_OBJECTS:
                flush()
            if progress is not None:
                progress(min(seen / total, 1.0))
        for track in dataset.tracks:
            payload.track(track, frame_map, f"{prefix}tracks")
            if payload.count >= BATCH_OBJECTS:
                flush()
        flush()
        writer.apply(before_commit)
    return result
