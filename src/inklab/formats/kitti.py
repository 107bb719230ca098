"""KITTI 1.0: the KITTI object detection layout (one label file per image).

Layout (export)::

    labels.txt                          the label names, one per line
    <subset>/label_2/<frame stem>.txt   one line per box
    <subset>/image_2/<frame name>       with save_images

A line is the KITTI devkit's ``type truncated occluded alpha x1 y1 x2 y2 h w l x y z
rotation_y [score]``: ``type`` is the label (white space replaced by ``_``), ``truncated``
1.0 when the box's attribute ``truncated`` is true, ``occluded`` 1 for occluded boxes, the
3D values are KITTI's "unknown" markers (``-10``, ``-1``, ``-1000``), and ``score`` is written
when it is not 1. Import reads such files (any ``label_2/*.txt``): ``truncated`` above 0 and
``occluded`` above 0 (KITTI's 0..3 scale) become the attribute and the state.

Not yet written: the KITTI segmentation maps (``instance/``, ``semantic/``); polygons and
masks are left out of KITTI exports.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import PurePosixPath

from inklab.formats.errors import MalformedFile
from inklab.formats.fidelity import DROPPED, KEPT, Fidelity, Property, converted
from inklab.formats.files import InputTree, OutputTree
from inklab.formats.model import DEFAULT_SUBSET, Attribute, Dataset, Frame, LabelSpec, Shape
from inklab.formats.registry import ExportOptions, FormatInfo, ImportOptions, register
from inklab.formats.textfile import decimal, read_label_list, read_lines, to_float
from inklab.formats.tracks import flatten_tracks
from inklab.vocabulary import LabelType, ObjectSource, ShapeType

__all__ = ["Kitti"]

_IMAGE_EXT = (".png", ".jpg", ".jpeg", ".bmp", ".webp", ".tif", ".tiff")


def _type(label: str) -> str:
    return re.sub(r"\s", "_", label)


@register
class Kitti:
    info = FormatInfo(name="KITTI 1.0", ext="ZIP", version="1.0", can_import=True, can_export=True)
    fidelity = Fidelity(
        {"rectangle": KEPT, "track": converted("shapes", "one per visible frame"), "tag": DROPPED,
         "polygon": DROPPED, "polyline": DROPPED, "points": DROPPED, "ellipse": DROPPED, "cuboid": DROPPED,
         "mask": DROPPED, "skeleton": DROPPED},
        lost=frozenset({Property.ATTRIBUTES, Property.GROUP, Property.Z_ORDER, Property.ROTATION, Property.SOURCE,
                        Property.LABEL_SPECS, Property.SKELETON_SVG, Property.IMAGE_SIZE, Property.FRAME_NAMES}),
        notes="detection only (no segmentation maps yet); attributes except truncated; image extensions only "
              "with the images",
    )

    def export(self, dataset: Dataset, out: OutputTree, options: ExportOptions) -> None:
        labels = [label.name for label in dataset.labels if label.type not in (LabelType.SKELETON, LabelType.TAG)]
        for frame in flatten_tracks(dataset.frames, dataset.tracks):
            folder = f"{frame.subset_name}/"
            path = PurePosixPath(frame.name or f"frame_{frame.index or 0:06d}")
            if options.save_images and frame.image is not None:
                out.add_media(f"{folder}image_2/{path.as_posix()}", frame.image)
            lines = []
            for shape in frame.shapes:
                if shape.type != ShapeType.RECTANGLE:
                    continue
                truncated = (shape.attribute("truncated") or "").lower() in ("true", "1")
                values = [_type(shape.label), "1.0" if truncated else "0.0", "1" if shape.occluded else "0", "-10",
                          *(decimal(v) for v in shape.points), "-1", "-1", "-1", "-1000", "-1000", "-1000", "-10"]
                if shape.score != 1.0:
                    values.append(decimal(shape.score))
                lines.append(" ".join(values) + "\n")
            out.write_text(f"{folder}label_2/{path.with_suffix('').as_posix()}.txt", "".join(lines))
        out.write_text("labels.txt", "".join(f"{name}\n" for name in labels))

    def load(self, source: InputTree, options: ImportOptions) -> Dataset:
        names = source.names()
        files = [n for n in names if "label_2/" in n and n.endswith(".txt")]
        if not files:
            raise MalformedFile(source.label, None, "no KITTI label files found (expected <subset>/label_2/*.txt)")
        labels_file = next((n for n in names if n.rsplit("/", 1)[-1] == "labels.txt"), None)
        labels = read_label_list(source, labels_file) if labels_file else []
        by_type = {_type(name): name for name in labels}
        return Dataset(tuple(LabelSpec(n) for n in labels), self._frames(source, files, by_type, set(names)))

    def _frames(self, source: InputTree, files: list[str], by_type: dict[str, str], names: set[str]) -> Iterator[Frame]:
        for file in files:
            root, _, relative = file.partition("label_2/")
            subset = root.rstrip("/").rsplit("/", 1)[-1] if root else ""
            stem = relative[: -len(".txt")]
            image = next((f"{root}image_2/{stem}{ext}" for ext in _IMAGE_EXT if f"{root}image_2/{stem}{ext}" in names),
                         None)
            shapes = []
            for line, text in read_lines(source, file):
                if text.strip():
                    shapes.append(self._box(file, line, text, by_type))
            yield Frame(None, image[len(root) + 8:] if image else stem,
                        subset="" if subset == DEFAULT_SUBSET else subset, shapes=tuple(shapes),
                        image=source.media(image) if image else None)

    @staticmethod
    def _box(file: str, line: int, text: str, by_type: dict[str, str]) -> Shape:
        where = f"line {line}"
        parts = text.split()
        if len(parts) not in (15, 16):
            raise MalformedFile(file, where, f"expected 15 values (16 with a score), got {len(parts)}")
        truncated = to_float(parts[1], file, where, "truncated")
        occluded = to_float(parts[2], file, where, "occluded")
        x1, y1, x2, y2 = (to_float(v, file, where, what) for v, what in zip(parts[4:8], ("left", "top", "right",
                                                                                      "bottom"), strict=True))
        if x2 < x1 or y2 < y1:
            raise MalformedFile(file, where, f"a box needs right >= left and bottom >= top, got {x1:g} {y1:g} "
                                             f"{x2:g} {y2:g}")
        score = to_float(parts[15], file, where, "score") if len(parts) == 16 else 1.0
        return Shape(ShapeType.RECTANGLE, by_type.get(parts[0], parts[0]), (x1, y1, x2, y2), occluded=occluded > 0,
                     attributes=(Attribute("truncated", "true" if truncated > 0 else "false"),), score=score,
                     source=ObjectSource.FILE)
