"""Ultralytics YOLO Detection 1.0: boxes in the Ultralytics layout (:mod:`inklab.formats.ultralytics`).

Each object is a line ``class cx cy w h`` (fractions of the image size). Rectangles are
written as their boxes (a rotated one as the axis-aligned box around it); tracks as the
boxes of each frame where the object is visible; other shapes, tags and attributes are not
written. On import a sixth number is a track id.
"""

from __future__ import annotations

from inklab.formats.files import InputTree, OutputTree
from inklab.formats.model import Dataset, Shape
from inklab.formats.registry import ExportOptions, FormatInfo, ImportOptions, register
from inklab.formats.ultralytics import UltralyticsWriter, export_frames, load_dataset, split_track_id
from inklab.formats.yolo import BOX_FIDELITY, box_line
from inklab.formats.yolo_text import LabelFile
from inklab.vocabulary import ObjectSource, ShapeType

__all__ = ["UltralyticsDetection"]


def _box(labels: LabelFile, line: int, fields: list[str], label: str, size: tuple[int, int]) -> Shape:
    values, track = split_track_id(fields, 4, labels, line)
    if len(values) != 4:
        raise labels.error(line, f"expected class cx cy w h [track id], got {len(fields) + 1} fields")
    cx, cy, w, h = labels.numbers(line, values)
    if w < 0 or h < 0:
        raise labels.error(line, "a box needs a width and height of at least 0")
    points = labels.pixels(line, (cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2), size)
    return Shape(ShapeType.RECTANGLE, label, points, source=ObjectSource.FILE, track_id=track)


@register
class UltralyticsDetection:
    info = FormatInfo(name="Ultralytics YOLO Detection 1.0", ext="ZIP", version="1.0", can_import=True,
                      can_export=True)
    fidelity = BOX_FIDELITY

    def export(self, dataset: Dataset, out: OutputTree, options: ExportOptions) -> None:
        names = [label.name for label in dataset.labels]
        ids = {name: i for i, name in enumerate(names)}
        with UltralyticsWriter(out, options, names) as writer:
            for frame in export_frames(dataset):
                writer.frame(frame, [box_line(ids[s.label], s, frame) for s in frame.shapes
                                     if s.type == ShapeType.RECTANGLE and s.label in ids])

    def load(self, source: InputTree, options: ImportOptions) -> Dataset:
        return load_dataset(source, options, _box)
