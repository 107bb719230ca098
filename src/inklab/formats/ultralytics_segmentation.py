"""Ultralytics YOLO Segmentation 1.0: polygons in the Ultralytics layout (:mod:`inklab.formats.ultralytics`).

Each object is a line ``class x1 y1 x2 y2 x3 y3 ...`` (fractions of the image size).
Polygons are written as they are; rectangles as their four corners (rotation applied),
ellipses as polygons of :data:`~inklab.formats.geometry.ELLIPSE_VERTICES` vertices, masks as
the outlines of their regions along pixel edges (one polygon per region; holes are lost);
tracks as the shapes of each frame where the object is visible. Other shapes, tags and
attributes are not written. On import an odd count of numbers ends with a track id.
"""

from __future__ import annotations

from collections.abc import Iterator

from inklab.formats.errors import UnsupportedData
from inklab.formats.fidelity import DROPPED, KEPT, Fidelity, Property, converted
from inklab.formats.files import InputTree, OutputTree
from inklab.formats.geometry import ELLIPSE_VERTICES, ellipse_polygon, mask_polygons, rectangle_corners
from inklab.formats.model import Dataset, Frame, Shape
from inklab.formats.registry import ExportOptions, FormatInfo, ImportOptions, register
from inklab.formats.ultralytics import UltralyticsWriter, export_frames, load_dataset
from inklab.formats.yolo_text import LabelFile, fraction
from inklab.vocabulary import ObjectSource, ShapeType

__all__ = ["UltralyticsSegmentation", "polygons_of"]


def polygons_of(shape: Shape) -> list[tuple[float, ...]]:
    """The polygons a shape is written as (none for shapes this format does not hold)."""
    if shape.type == ShapeType.POLYGON:
        return [shape.points]
    if shape.type == ShapeType.RECTANGLE:
        return [rectangle_corners(shape.points, shape.rotation)]
    if shape.type == ShapeType.ELLIPSE:
        return [ellipse_polygon(shape.points, shape.rotation)]
    if shape.type == ShapeType.MASK:
        return mask_polygons(shape.points)
    return []


def _lines(frame: Frame, ids: dict[str, int]) -> Iterator[str]:
    for shape in frame.shapes:
        if shape.label not in ids:
            continue
        for polygon in polygons_of(shape):
            coords = " ".join(fraction(v, frame.width if i % 2 == 0 else frame.height) for i, v in enumerate(polygon))
            yield f"{ids[shape.label]} {coords}"


def _polygon(labels: LabelFile, line: int, fields: list[str], label: str, size: tuple[int, int]) -> Shape:
    track = None
    if len(fields) % 2:  # x y pairs, then a track id
        track = labels.integer(line, fields[-1], "track id after the points (an odd count of numbers)")
        fields = fields[:-1]
    if len(fields) < 6:
        raise labels.error(line, f"a polygon needs at least 3 points (6 numbers), got {len(fields)} numbers")
    points = labels.pixels(line, labels.numbers(line, fields), size)
    return Shape(ShapeType.POLYGON, label, points, source=ObjectSource.FILE, track_id=track)


@register
class UltralyticsSegmentation:
    info = FormatInfo(name="Ultralytics YOLO Segmentation 1.0", ext="ZIP", version="1.0", can_import=True,
                      can_export=True)
    fidelity = Fidelity(
        {
            "polygon": KEPT,
            "rectangle": converted("polygon", "its 4 corners"),
            "ellipse": converted("polygon", f"{ELLIPSE_VERTICES} vertices"),
            "mask": converted("polygon", "one per region, along pixel edges; holes lost"),
            "track": converted("shapes", "one per visible frame"),
            "tag": DROPPED, "polyline": DROPPED, "points": DROPPED, "cuboid": DROPPED, "skeleton": DROPPED,
        },
        lost=frozenset({Property.ATTRIBUTES, Property.GROUP, Property.Z_ORDER, Property.ROTATION,
                        Property.OCCLUDED, Property.SOURCE, Property.SCORE, Property.LABEL_SPECS,
                        Property.SKELETON_SVG, Property.SUBSETS}),
        precision=0.01,
        notes="frames without a subset go to train",
    )

    def export(self, dataset: Dataset, out: OutputTree, options: ExportOptions) -> None:
        names = [label.name for label in dataset.labels]
        ids = {name: i for i, name in enumerate(names)}
        with UltralyticsWriter(out, options, names) as writer:
            for frame in export_frames(dataset):
                lines = list(_lines(frame, ids))
                if lines and not (frame.width and frame.height):
                    raise UnsupportedData(f"Frame '{frame.name}': its image size is unknown, so its polygons "
                                          "cannot be written as fractions of it.")
                writer.frame(frame, lines)

    def load(self, source: InputTree, options: ImportOptions) -> Dataset:
        return load_dataset(source, options, _polygon)
