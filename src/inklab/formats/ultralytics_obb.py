"""Ultralytics YOLO Oriented Bounding Boxes 1.0: rotated boxes in the Ultralytics layout
(:mod:`inklab.formats.ultralytics`).

Each object is a line ``class x1 y1 x2 y2 x3 y3 x4 y4``: the box's corners (fractions of the
image size) clockwise from the corner that is the top-left one before rotation, so the
rotation comes back exactly. Tracks are written as the boxes of each frame where the object
is visible; other shapes, tags and attributes are not written. On import a tenth number is
a track id; four points that are not a rectangle give the rectangle whose first side and
centre they have.
"""

from __future__ import annotations

import math

from inklab.formats.errors import UnsupportedData
from inklab.formats.fidelity import DROPPED, KEPT, Fidelity, Property, converted
from inklab.formats.files import InputTree, OutputTree
from inklab.formats.geometry import rectangle_corners
from inklab.formats.model import Dataset, Frame, Shape
from inklab.formats.registry import ExportOptions, FormatInfo, ImportOptions, register
from inklab.formats.ultralytics import UltralyticsWriter, export_frames, load_dataset, split_track_id
from inklab.formats.yolo_text import LabelFile, fraction
from inklab.vocabulary import ObjectSource, ShapeType

__all__ = ["UltralyticsObb", "box_from_corners"]


def box_from_corners(corners: tuple[float, ...]) -> tuple[tuple[float, float, float, float], float]:
    """``((x1, y1, x2, y2), rotation)`` of the rectangle with these 4 corners (clockwise from
    its unrotated top-left one)."""
    (ax, ay), (bx, by), (cx, cy) = corners[0:2], corners[2:4], corners[4:6]
    centre_x, centre_y = sum(corners[0::2]) / 4, sum(corners[1::2]) / 4
    width, height = math.hypot(bx - ax, by - ay), math.hypot(cx - bx, cy - by)
    rotation = math.degrees(math.atan2(by - ay, bx - ax)) % 360.0
    if abs(rotation - 360.0) < 1e-9:
        rotation = 0.0
    box = (centre_x - width / 2, centre_y - height / 2, centre_x + width / 2, centre_y + height / 2)
    return box, rotation


def _line(index: int, shape: Shape, frame: Frame) -> str:
    if not (frame.width and frame.height):
        raise UnsupportedData(f"Frame '{frame.name}': its image size is unknown, so its boxes cannot be written "
                              "as fractions of it.")
    corners = rectangle_corners(shape.points, shape.rotation)
    coords = " ".join(fraction(v, frame.width if i % 2 == 0 else frame.height) for i, v in enumerate(corners))
    return f"{index} {coords}"


def _box(labels: LabelFile, line: int, fields: list[str], label: str, size: tuple[int, int]) -> Shape:
    values, track = split_track_id(fields, 8, labels, line)
    if len(values) != 8:
        raise labels.error(line, f"expected class x1 y1 x2 y2 x3 y3 x4 y4 [track id], got {len(fields) + 1} fields")
    corners = labels.pixels(line, labels.numbers(line, values), size)
    box, rotation = box_from_corners(corners)
    return Shape(ShapeType.RECTANGLE, label, box, rotation=rotation, source=ObjectSource.FILE, track_id=track)


@register
class UltralyticsObb:
    info = FormatInfo(name="Ultralytics YOLO Oriented Bounding Boxes 1.0", ext="ZIP", version="1.0",
                      can_import=True, can_export=True)
    fidelity = Fidelity(
        {
            "rectangle": KEPT,
            "track": converted("shapes", "one per visible frame"),
            "tag": DROPPED, "polygon": DROPPED, "polyline": DROPPED, "points": DROPPED, "ellipse": DROPPED,
            "cuboid": DROPPED, "mask": DROPPED, "skeleton": DROPPED,
        },
        lost=frozenset({Property.ATTRIBUTES, Property.GROUP, Property.Z_ORDER, Property.OCCLUDED,
                        Property.SOURCE, Property.SCORE, Property.LABEL_SPECS, Property.SKELETON_SVG,
                        Property.SUBSETS}),
        precision=0.01,
        notes="frames without a subset go to train",
    )

    def export(self, dataset: Dataset, out: OutputTree, options: ExportOptions) -> None:
        names = [label.name for label in dataset.labels]
        ids = {name: i for i, name in enumerate(names)}
        with UltralyticsWriter(out, options, names) as writer:
            for frame in export_frames(dataset):
                writer.frame(frame, [_line(ids[s.label], s, frame) for s in frame.shapes
                                     if s.type == ShapeType.RECTANGLE and s.label in ids])

    def load(self, source: InputTree, options: ImportOptions) -> Dataset:
        return load_dataset(source, options, _box)
