"""KITTI 1.0: the KITTI object detection labels and the KITTI segmentation maps.

Layout (export)::

    labels.txt                          the label names, one per line (detection)
    label_colors.txt                    "r g b name" per class; the line is the class id
                                        (background first)
    <subset>/label_2/<frame stem>.txt   one line per box
    <subset>/instance/<frame stem>.png  16-bit: class id * 256 + instance number (1..255),
                                        or class id * 256 for a crowd region (is_crowd)
    <subset>/semantic/<frame stem>.png  8-bit class ids
    <subset>/semantic_rgb/<frame stem>.png  the class colors of label_colors.txt
    <subset>/image_2/<frame name>       with save_images

A ``label_2`` line is the KITTI devkit's ``type truncated occluded alpha x1 y1 x2 y2 h w l x
y z rotation_y [score]``: ``type`` is the label (white space replaced by ``_``), ``truncated``
1.0 when the box's attribute ``truncated`` is true, ``occluded`` 1 for occluded boxes, the
3D values are KITTI's "unknown" markers (``-10``, ``-1``, ``-1000``), and ``score`` is written
when it is not 1. Rectangles are written there; polygons, ellipses and masks are drawn into
the three maps of their frame (only frames that have such shapes get maps), in z order
(where they overlap, the upper one wins), shapes of one group with the same label as one
instance – the KITTI semantics benchmark's encoding (instance maps as in its devkit:
``value // 256`` is the class, ``value % 256`` the instance). Tracks become the shapes of
each frame where the object is visible; frames without a subset are ``default``.

Import reads any ``label_2/*.txt`` (``truncated`` and ``occluded`` above 0 – KITTI's 0..3
scale – become the attribute and the state) and the maps: an instance map gives one mask per
instance (instance 0: a crowd region, with ``is_crowd``), else a semantic map one mask per
class (ids, or colors in ``semantic_rgb``). The classes come from ``label_colors.txt``, else
KITTI's own (the Cityscapes classes, which the KITTI semantics benchmark uses).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import PurePosixPath

import numpy as np

from inklab.formats.colormaps import CITYSCAPES_LABELS, LabelMap, read_color_lines, write_color_lines
from inklab.formats.errors import MalformedFile, UnsupportedData
from inklab.formats.fidelity import DROPPED, KEPT, Fidelity, Property, converted
from inklab.formats.files import InputTree, OutputTree
from inklab.formats.masks import encode_mask
from inklab.formats.model import DEFAULT_SUBSET, Attribute, Dataset, Frame, LabelSpec, Shape
from inklab.formats.pngfile import encode_png
from inklab.formats.registry import ExportOptions, FormatInfo, ImportOptions, register
from inklab.formats.segmaps import Painting, masks_of, paint, read_map, regions
from inklab.formats.textfile import decimal, read_label_list, read_lines, to_float
from inklab.formats.tracks import flatten_tracks
from inklab.vocabulary import LabelType, ObjectSource, ShapeType

__all__ = ["Kitti"]

_IMAGE_EXT = (".png", ".jpg", ".jpeg", ".bmp", ".webp", ".tif", ".tiff")
_COLORS = "label_colors.txt"
_DETECTION = "label_2/"
_INSTANCE, _SEMANTIC, _SEMANTIC_RGB = "instance/", "semantic/", "semantic_rgb/"
_FOLDERS = (_DETECTION, _INSTANCE, _SEMANTIC, _SEMANTIC_RGB)
_MASKED = frozenset({ShapeType.POLYGON, ShapeType.ELLIPSE, ShapeType.MASK})
_MAX_CLASSES = 256   # the class is the upper byte of an instance map's 16 bits
_MAX_INSTANCES = 255  # the lower byte; 0 marks a crowd region


def _type(label: str) -> str:
    return re.sub(r"\s", "_", label)


def _crowd(shape: Shape) -> bool:
    return (shape.attribute("is_crowd") or "").lower() in ("true", "1")


@register
class Kitti:
    info = FormatInfo(name="KITTI 1.0", ext="ZIP", version="1.0", can_import=True, can_export=True)
    fidelity = Fidelity(
        {"rectangle": KEPT, "polygon": converted("mask"), "ellipse": converted("mask"),
         "mask": converted("mask", "its visible pixels"), "track": converted("shapes", "one per visible frame"),
         "tag": DROPPED, "polyline": DROPPED, "points": DROPPED, "cuboid": DROPPED, "skeleton": DROPPED},
        lost=frozenset({Property.ATTRIBUTES, Property.GROUP, Property.Z_ORDER, Property.ROTATION, Property.SOURCE,
                        Property.LABEL_SPECS, Property.SKELETON_SVG, Property.IMAGE_SIZE, Property.FRAME_NAMES}),
        notes="boxes keep occluded, score and the attribute truncated; masks keep is_crowd (not occluded or "
              "score); where areas overlap, the upper one's pixels; one mask per group of shapes of a label; "
              "image extensions only with the images",
    )

    # -- export --

    def export(self, dataset: Dataset, out: OutputTree, options: ExportOptions) -> None:
        labels = [label.name for label in dataset.labels if label.type not in (LabelType.SKELETON, LabelType.TAG)]
        label_map = LabelMap.for_labels(dataset.labels)
        if len(label_map) > _MAX_CLASSES:
            raise UnsupportedData(f"KITTI maps hold at most {_MAX_CLASSES} classes (the background included); "
                                  f"there are {len(label_map)}.")
        colors = np.array(label_map.colors, dtype=np.uint8)
        for frame in flatten_tracks(dataset.frames, dataset.tracks):
            folder = f"{frame.subset_name}/"
            path = PurePosixPath(frame.name or f"frame_{frame.index or 0:06d}")
            stem = path.with_suffix("").as_posix()
            if options.save_images and frame.image is not None:
                out.add_media(f"{folder}image_2/{path.as_posix()}", frame.image)
            out.write_text(f"{folder}{_DETECTION}{stem}.txt", "".join(
                self._line(shape) for shape in frame.shapes if shape.type == ShapeType.RECTANGLE))
            if any(s.type in _MASKED for s in frame.shapes):
                painting = paint(frame, label_map, _MASKED)
                if painting.shapes:
                    instances = self._instance_map(frame, painting, label_map)
                    out.write_bytes(f"{folder}{_INSTANCE}{stem}.png", encode_png(instances))
                    out.write_bytes(f"{folder}{_SEMANTIC}{stem}.png", encode_png(painting.classes.astype(np.uint8)))
                    out.write_bytes(f"{folder}{_SEMANTIC_RGB}{stem}.png", encode_png(colors[painting.classes]))
        out.write_text("labels.txt", "".join(f"{name}\n" for name in labels))
        out.write_text(_COLORS, write_color_lines(label_map))

    @staticmethod
    def _line(shape: Shape) -> str:
        truncated = (shape.attribute("truncated") or "").lower() in ("true", "1")
        values = [_type(shape.label), "1.0" if truncated else "0.0", "1" if shape.occluded else "0", "-10",
                  *(decimal(v) for v in shape.points), "-1", "-1", "-1", "-1000", "-1000", "-1000", "-10"]
        if shape.score != 1.0:
            values.append(decimal(shape.score))
        return " ".join(values) + "\n"

    @staticmethod
    def _instance_map(frame: Frame, painting: Painting, label_map: LabelMap) -> np.ndarray:
        """``class << 8 | instance`` per pixel; instances numbered 1.. per frame, crowds 0."""
        values = np.zeros(len(painting.shapes) + 1, dtype=np.uint16)
        number = 0
        for position, shape in enumerate(painting.shapes, 1):
            index = label_map.index(shape.label) or 0
            if not index:
                continue
            if not _crowd(shape):
                number += 1
                if number > _MAX_INSTANCES:
                    raise UnsupportedData(f"Frame '{frame.name}' has more than {_MAX_INSTANCES} objects to draw; "
                                          f"KITTI instance maps hold at most {_MAX_INSTANCES}.")
            values[position] = index << 8 | (0 if _crowd(shape) else number)
        return values[painting.instances]

    # -- import --

    def load(self, source: InputTree, options: ImportOptions) -> Dataset:
        names = source.names()
        found: dict[tuple[str, str], dict[str, str]] = {}
        for name in names:
            for folder in _FOLDERS:
                root, marker, relative = name.partition(folder)
                if marker and (not root or root.endswith("/")):
                    ext = ".txt" if folder == _DETECTION else ".png"
                    if relative.lower().endswith(ext):
                        found.setdefault((root, relative[:-4]), {})[folder] = name
                    break
        if not found:
            raise MalformedFile(source.label, None, "no KITTI files found (expected <subset>/label_2/*.txt or "
                                                    "<subset>/instance/*.png)")
        labels_file = next((n for n in names if n.rsplit("/", 1)[-1] == "labels.txt"), None)
        detection = read_label_list(source, labels_file) if labels_file else []
        segmented = any(folder != _DETECTION for files in found.values() for folder in files)
        colors = next((n for n in names if n.rsplit("/", 1)[-1] == _COLORS), None)
        label_map = (read_color_lines(source, colors) if colors else LabelMap.of(CITYSCAPES_LABELS)) if segmented \
            else None
        specs = {name: LabelSpec(name) for name in detection}
        if label_map is not None:
            specs.update((spec.name, spec) for spec in label_map.labels())
        by_type = {_type(name): name for name in detection}
        return Dataset(tuple(specs.values()), self._frames(source, found, by_type, label_map, set(names)))

    def _frames(self, source: InputTree, found: dict[tuple[str, str], dict[str, str]], by_type: dict[str, str],
                label_map: LabelMap | None, names: set[str]) -> Iterator[Frame]:
        for (root, stem), files in found.items():
            subset = root.rstrip("/").rsplit("/", 1)[-1] if root else ""
            image = next((f"{root}image_2/{stem}{ext}" for ext in _IMAGE_EXT if f"{root}image_2/{stem}{ext}" in names),
                         None)
            shapes: list[Shape] = []
            if _DETECTION in files:
                file = files[_DETECTION]
                shapes.extend(self._box(file, line, text, by_type) for line, text in read_lines(source, file)
                              if text.strip())
            width = height = 0
            if label_map is not None and len(files) > (_DETECTION in files):
                masks, (height, width) = self._masks(source, files, label_map)
                shapes.extend(masks)
            yield Frame(None, image[len(root) + len("image_2/"):] if image else stem, width, height,
                        subset="" if subset == DEFAULT_SUBSET else subset, shapes=tuple(shapes),
                        image=source.media(image) if image else None)

    @staticmethod
    def _masks(source: InputTree, files: dict[str, str], label_map: LabelMap) -> tuple[list[Shape], tuple[int, int]]:
        """The masks of one frame's maps, and the maps' ``(height, width)``."""
        if _INSTANCE not in files:
            file = files.get(_SEMANTIC) or files[_SEMANTIC_RGB]
            classes = read_map(source, file, label_map)
            return masks_of(classes, None, label_map, file), classes.shape[:2]  # type: ignore[return-value]
        file = files[_INSTANCE]
        values = read_map(source, file)
        shapes = []
        for value, bitmap, left, top in regions(values):
            index, instance = value >> 8, value & 0xFF
            if index == 0:
                continue
            if index >= len(label_map):
                ys, xs = np.nonzero(bitmap)
                raise MalformedFile(file, f"pixel ({left + int(xs[0])}, {top + int(ys[0])})",
                                    f"class {index} (value {value} = {index} * 256 + {instance}) is not in the label "
                                    f"map ({len(label_map)} classes, the background included)")
            attrs = (Attribute("is_crowd", "true"),) if instance == 0 else ()
            shapes.append(Shape(ShapeType.MASK, label_map.names[index], encode_mask(bitmap, left, top),
                                attributes=attrs, source=ObjectSource.FILE))
        return shapes, values.shape[:2]  # type: ignore[return-value]

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
