"""Cityscapes 1.0: class and instance masks, as Cityscapes' ground truth files.

Layout (export)::

    label_color.txt                                  "r g b name" per class; the line is its id
    gtFine/<subset>/<id>_gtFine_instanceIds.png      16-bit: class id * 1000 + instance number,
                                                     or the class id for a crowd (is_crowd)
    gtFine/<subset>/<id>_gtFine_labelIds.png         class ids
    gtFine/<subset>/<id>_gtFine_color.png            class colors
    imgsFine/leftImg8bit/<subset>/<id>_leftImg8bit.<ext>  with save_images

``<id>`` is the frame name without extension (its folder plays Cityscapes' city); frames
without a subset are ``default``; class 0 is the background. Boxes, polygons, ellipses and
masks are drawn in z order (where they overlap, the upper one wins), shapes of one group with
the same label as one instance; tracks as the shapes of each frame where the object is
visible. Shapes whose ``is_crowd`` attribute is true are drawn as their class only. Tags,
other shapes and other attributes are not written. 16 bits hold class ids up to 65 with
instances (and 999 instances of a class on a frame); more is refused.

Import reads ``*_gtFine_instanceIds.png`` (else the labelIds or color masks, one mask per
class); the classes come from ``label_color.txt``, else Cityscapes' own.
"""

from __future__ import annotations

import io
from collections.abc import Iterator

import numpy as np
from PIL import Image

from inklab.formats.colormaps import CITYSCAPES_LABELS, LabelMap, read_color_lines, write_color_lines
from inklab.formats.errors import MalformedFile, UnsupportedData
from inklab.formats.fidelity import DROPPED, Fidelity, Property, converted
from inklab.formats.files import InputTree, OutputTree
from inklab.formats.model import DEFAULT_SUBSET, Dataset, Frame, Shape
from inklab.formats.registry import ExportOptions, FormatInfo, ImportOptions, register
from inklab.formats.segmaps import index_png, masks_of, paint, read_map
from inklab.formats.tracks import flatten_tracks
from inklab.formats.yolo_text import item_path, strip_ext

__all__ = ["Cityscapes"]

_COLORS = ("label_color.txt", "label_colors.txt")
_SUFFIXES = ("_gtFine_instanceIds.png", "_gtFine_labelIds.png", "_gtFine_color.png")
_IMAGE_SUFFIX = "_leftImg8bit"
_MAX_INSTANCE_CLASS = 65


def _crowd(shape: Shape) -> bool:
    return (shape.attribute("is_crowd") or "").lower() in ("true", "1")


@register
class Cityscapes:
    info = FormatInfo(name="Cityscapes 1.0", ext="ZIP", version="1.0", can_import=True, can_export=True)
    fidelity = Fidelity(
        {
            "rectangle": converted("mask"), "polygon": converted("mask"), "ellipse": converted("mask"),
            "mask": converted("mask", "its visible pixels"),
            "track": converted("shapes", "one per visible frame"),
            "tag": DROPPED, "polyline": DROPPED, "points": DROPPED, "cuboid": DROPPED, "skeleton": DROPPED,
        },
        lost=frozenset({Property.ATTRIBUTES, Property.GROUP, Property.Z_ORDER, Property.ROTATION,
                        Property.OCCLUDED, Property.SOURCE, Property.SCORE, Property.LABEL_SPECS,
                        Property.SKELETON_SVG, Property.FRAME_NAMES}),
        notes="is_crowd is kept; where shapes overlap, the upper one's pixels; one mask per group of shapes of a label",
    )

    def export(self, dataset: Dataset, out: OutputTree, options: ExportOptions) -> None:
        label_map = LabelMap.for_labels(dataset.labels)
        if len(label_map) > 256:
            raise UnsupportedData(f"Cityscapes label ids go up to 255; there are {len(label_map)} classes.")
        colors = np.array(label_map.colors, dtype=np.uint8)
        for frame in flatten_tracks(dataset.frames, dataset.tracks):
            painting = paint(frame, label_map)
            ids = self._instance_ids(frame, painting.classes, painting.instances, painting.shapes, label_map)
            base = f"gtFine/{frame.subset_name}/{item_path(frame)}"
            out.write_bytes(base + _SUFFIXES[0], _png16(ids))
            out.write_bytes(base + _SUFFIXES[1], index_png(painting.classes))
            buffer = io.BytesIO()
            Image.fromarray(colors[painting.classes], "RGB").save(buffer, format="PNG")
            out.write_bytes(base + _SUFFIXES[2], buffer.getvalue())
            if options.save_images and frame.image is not None:
                path = item_path(frame)
                out.add_media(f"imgsFine/leftImg8bit/{frame.subset_name}/{path}{_IMAGE_SUFFIX}{frame.image.ext}",
                              frame.image)
        out.write_text(_COLORS[0], write_color_lines(label_map))

    @staticmethod
    def _instance_ids(frame: Frame, classes: np.ndarray, instances: np.ndarray, shapes: list[Shape],
                      label_map: LabelMap) -> np.ndarray:
        ids = classes.astype(np.int32)
        counters: dict[int, int] = {}
        values = np.zeros(len(shapes) + 1, dtype=np.int64)
        for number, shape in enumerate(shapes, 1):
            index = label_map.index(shape.label) or 0
            if not index or _crowd(shape):
                values[number] = index
                continue
            if index > _MAX_INSTANCE_CLASS:
                raise UnsupportedData(f"Frame '{frame.name}': label '{shape.label}' has class id {index}; 16-bit "
                                      f"instance masks hold instances of class ids up to {_MAX_INSTANCE_CLASS}.")
            count = counters.get(index, 0)
            if count > 999:
                raise UnsupportedData(f"Frame '{frame.name}': more than 1000 objects of label '{shape.label}'.")
            counters[index] = count + 1
            values[number] = index * 1000 + count
        painted = instances > 0
        ids[painted] = values[instances[painted]]
        return ids

    def load(self, source: InputTree, options: ImportOptions) -> Dataset:
        names = set(source.names())
        colors = next((c for c in _COLORS if c in names), None)
        label_map = read_color_lines(source, colors) if colors else LabelMap.of(CITYSCAPES_LABELS)
        found: dict[tuple[str, str], dict[str, str]] = {}
        for name in sorted(names):
            if not name.startswith("gtFine/"):
                continue
            for suffix in _SUFFIXES:
                if name.endswith(suffix):
                    rest = name[len("gtFine/"):-len(suffix)]
                    subset, _, ident = rest.partition("/") if "/" in rest else ("", "", rest)
                    found.setdefault((subset, ident), {})[suffix] = name
        if not found:
            raise MalformedFile(source.label, None, "no Cityscapes masks found (gtFine/<subset>/"
                                                    "<name>_gtFine_instanceIds.png)")
        images = {}
        for name in names:
            if name.startswith("imgsFine/leftImg8bit/") and _IMAGE_SUFFIX in name:
                rest = name[len("imgsFine/leftImg8bit/"):]
                images[strip_ext(rest).removesuffix(_IMAGE_SUFFIX)] = name
        return Dataset(label_map.labels(), self._frames(source, found, images, label_map))

    @staticmethod
    def _frames(source: InputTree, found: dict[tuple[str, str], dict[str, str]], images: dict[str, str],
                label_map: LabelMap) -> Iterator[Frame]:
        for (subset, ident), files in found.items():
            if _SUFFIXES[0] in files:
                values = read_map(source, files[_SUFFIXES[0]])
                shapes = masks_of(None, values, label_map, files[_SUFFIXES[0]], encoded=True, void=None)
            else:
                file = files.get(_SUFFIXES[1]) or files[_SUFFIXES[2]]
                values = read_map(source, file, label_map)
                shapes = masks_of(values, None, label_map, file)
            image = images.get(f"{subset}/{ident}" if subset else ident)
            name = ident + (image[image.rfind("."):] if image else "")
            yield Frame(None, name, values.shape[1], values.shape[0], "" if subset == DEFAULT_SUBSET else subset,
                        shapes=tuple(shapes), image=source.media(image) if image else None)


def _png16(values: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(values.astype(np.uint16)).save(buffer, format="PNG")
    return buffer.getvalue()
