"""Ultralytics YOLO Pose 1.0: skeletons in the Ultralytics layout (:mod:`inklab.formats.ultralytics`).

Each skeleton is a line ``class cx cy w h x1 y1 v1 x2 y2 v2 ...``: the box around its visible
points, then each point in the order of the skeleton label's points, with its visibility
(2 visible, 1 occluded, 0 outside; an outside point keeps its coordinates). ``data.yaml``
says ``kpt_shape: [points, 3]`` (skeletons with fewer points are padded with ``0 0 0``) and,
as an inklab extension other readers ignore, ``kpt_names``: the point names of each class.
Only skeleton labels are classes. Tracks are written as the skeletons of each frame where
the object is visible; other shapes, tags and attributes are not written.

On import the points are named by ``kpt_names``, else by the target's skeleton of that name
(:attr:`~inklab.formats.registry.ImportOptions.labels`), else ``1``, ``2``, ... (CVAT's
default names); a number after the points is a track id.
"""

from __future__ import annotations

from typing import Any

from inklab.formats.errors import UnsupportedData
from inklab.formats.fidelity import DROPPED, KEPT, Fidelity, Property, converted
from inklab.formats.files import InputTree, OutputTree
from inklab.formats.geometry import shape_bbox
from inklab.formats.model import Dataset, Frame, LabelSpec, Shape
from inklab.formats.registry import ExportOptions, FormatInfo, ImportOptions, register
from inklab.formats.ultralytics import UltralyticsReader, UltralyticsWriter, export_frames, load_dataset
from inklab.formats.yolo_text import LabelFile, fraction
from inklab.vocabulary import LabelType, ObjectSource, ShapeType

__all__ = ["UltralyticsPose"]

_VISIBLE, _OCCLUDED, _OUTSIDE = 2, 1, 0


def _line(index: int, shape: Shape, spec: LabelSpec, frame: Frame, width: int) -> str:
    if not (frame.width and frame.height):
        raise UnsupportedData(f"Frame '{frame.name}': its image size is unknown, so its skeletons cannot be "
                              "written as fractions of it.")
    w, h = frame.width, frame.height
    x, y, bw, bh = shape_bbox(shape)
    fields = [str(index), fraction(x + bw / 2, w), fraction(y + bh / 2, h), fraction(bw, w), fraction(bh, h)]
    elements = {e.label: e for e in shape.elements}
    for sub in spec.sublabels:
        element = elements.get(sub.name)
        if element is None:
            fields += ("0", "0", str(_OUTSIDE))
            continue
        state = _OUTSIDE if element.outside else _OCCLUDED if element.occluded else _VISIBLE
        fields += (fraction(element.points[0], w), fraction(element.points[1], h), str(state))
    fields += ["0", "0", str(_OUTSIDE)] * (width - len(spec.sublabels))
    return " ".join(fields)


class _Points:
    """Parses skeleton lines of an upload, knowing each class's point names."""

    def __init__(self, reader: UltralyticsReader, options: ImportOptions) -> None:
        config = reader.config
        shape = config.data.get("kpt_shape")
        if (not isinstance(shape, list) or len(shape) != 2 or not all(isinstance(v, int) for v in shape)
                or shape[0] < 0 or shape[1] not in (2, 3)):
            raise config.error("kpt_shape", f"expected [number of points, 2 or 3], got {shape!r}")
        self.count, self.dims = shape
        declared: Any = config.data.get("kpt_names") or {}
        targets = {label.name: label for label in options.labels if label.type == LabelType.SKELETON}
        self.points: dict[str, list[str]] = {}
        for index, name in reader.names.items():
            given = declared.get(index) if isinstance(declared, dict) else None
            if given is not None:
                if not isinstance(given, list) or len(given) > self.count:
                    raise config.error(f"kpt_names.{index}", f"expected at most {self.count} point names")
                self.points[name] = [str(p) for p in given]
            elif name in targets and len(targets[name].sublabels) <= self.count:
                self.points[name] = [sub.name for sub in targets[name].sublabels]
            else:
                self.points[name] = [str(i + 1) for i in range(self.count)]
        self.labels = tuple(LabelSpec(name, LabelType.SKELETON, sublabels=tuple(
            LabelSpec(point, LabelType.POINTS) for point in self.points[name])) for _, name in sorted(reader.names.items()))

    def parse(self, labels: LabelFile, line: int, fields: list[str], label: str, size: tuple[int, int]) -> Shape:
        expected = 4 + self.count * self.dims
        track = None
        if len(fields) == expected + 1:
            track = labels.integer(line, fields[-1], "track id")
            fields = fields[:-1]
        if len(fields) != expected:
            raise labels.error(line, f"expected class cx cy w h and {self.count} points of {self.dims} numbers "
                                     f"({expected + 1} fields, and maybe a track id), got {len(fields) + 1}")
        values = labels.numbers(line, fields)
        elements = []
        for i, point in enumerate(self.points[label]):
            x, y = values[4 + i * self.dims], values[5 + i * self.dims]
            state = int(values[6 + i * self.dims]) if self.dims == 3 else _VISIBLE
            if state not in (_VISIBLE, _OCCLUDED, _OUTSIDE):
                raise labels.error(line, f"point {i + 1}: visibility {state} is not 0, 1 or 2")
            xy: tuple[float, ...] = (x * size[0], y * size[1])
            if state != _OUTSIDE:
                xy = labels.pixels(line, (x, y), size)
            elements.append(Shape(ShapeType.POINTS, point, xy, occluded=state == _OCCLUDED,
                                  outside=state == _OUTSIDE, source=ObjectSource.FILE, track_id=track))
        return Shape(ShapeType.SKELETON, label, (), elements=tuple(elements), source=ObjectSource.FILE,
                     track_id=track)


@register
class UltralyticsPose:
    info = FormatInfo(name="Ultralytics YOLO Pose 1.0", ext="ZIP", version="1.0", can_import=True,
                      can_export=True)
    fidelity = Fidelity(
        {
            "skeleton": KEPT,
            "track": converted("shapes", "one per visible frame"),
            "tag": DROPPED, "rectangle": DROPPED, "polygon": DROPPED, "polyline": DROPPED, "points": DROPPED,
            "ellipse": DROPPED, "cuboid": DROPPED, "mask": DROPPED,
        },
        lost=frozenset({Property.ATTRIBUTES, Property.GROUP, Property.Z_ORDER, Property.ROTATION,
                        Property.OCCLUDED, Property.SOURCE, Property.SCORE, Property.LABEL_SPECS,
                        Property.SKELETON_SVG, Property.SUBSETS}),
        precision=0.01,
        notes="frames without a subset go to train",
    )

    def export(self, dataset: Dataset, out: OutputTree, options: ExportOptions) -> None:
        skeletons = [label for label in dataset.labels if label.type == LabelType.SKELETON]
        ids = {label.name: i for i, label in enumerate(skeletons)}
        specs = {label.name: label for label in skeletons}
        width = max((len(label.sublabels) for label in skeletons), default=0)
        extra = {"kpt_shape": [width, 3],
                 "kpt_names": {i: [sub.name for sub in label.sublabels] for i, label in enumerate(skeletons)}}
        with UltralyticsWriter(out, options, [label.name for label in skeletons], extra) as writer:
            for frame in export_frames(dataset):
                writer.frame(frame, [_line(ids[s.label], s, specs[s.label], frame, width) for s in frame.shapes
                                     if s.type == ShapeType.SKELETON and s.label in ids])

    def load(self, source: InputTree, options: ImportOptions) -> Dataset:
        reader = UltralyticsReader(source)
        points = _Points(reader, options)
        return load_dataset(source, options, points.parse, lambda _: points.labels, reader=reader)
