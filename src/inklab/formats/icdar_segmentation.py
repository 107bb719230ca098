"""ICDAR Segmentation 1.0: text pixels, one colour per character or word (ICDAR 2013 task 2.2).

Layout (export)::

    text_segmentation/<subset>/<frame stem>_GT.bmp    the image size, white background,
                                                      each object painted in its own colour
    text_segmentation/<subset>/<frame stem>_GT.txt    one line per painted object:
                                                      R G B cx cy x1 y1 x2 y2 "text"
    text_segmentation/<subset>/images/<frame name>    with save_images

Rectangles, polygons, ellipses and masks are painted in drawing order (``z_order``, then
file order), so where objects overlap the later one keeps the pixels; ``cx cy`` is the centre
and ``x1 y1 x2 y2`` the box of the visible pixels. The colour is the object's attribute
``color`` (``"R G B"``) when it is free, otherwise a generated one. An empty line separates
objects of different groups (words). Import turns each line into a mask of the pixels of
its colour, label ``icdar``, with the attributes ``text``, ``color``, ``center`` and
``index`` (the line's position); objects of one block of lines share a group.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import PurePosixPath

import numpy as np

from inklab.formats import masks
from inklab.formats.errors import MalformedFile, UnsupportedData
from inklab.formats.fidelity import DROPPED, KEPT, Fidelity, Property, converted
from inklab.formats.files import InputTree, OutputTree
from inklab.formats.icdar_localization import find_frame_image, split_numbers
from inklab.formats.icdar_recognition import ICDAR_LABEL, quote, subset_folders, text_of, unquote
from inklab.formats.model import Attribute, Dataset, Frame, LabelSpec, Shape
from inklab.formats.raster import AREA_TYPES, paint, read_image_array, write_image_array
from inklab.formats.registry import ExportOptions, FormatInfo, ImportOptions, register
from inklab.formats.textfile import read_lines
from inklab.formats.tracks import flatten_tracks
from inklab.vocabulary import ObjectSource, ShapeType

__all__ = ["IcdarSegmentation"]

_WHITE = (255, 255, 255)
_AS_MASK = "a mask of its visible pixels"


def _colors(shapes: list[Shape]) -> list[tuple[int, int, int]]:
    """A distinct colour per shape: its ``color`` attribute if valid and free, else generated."""
    taken = {_WHITE}
    wanted: list[tuple[int, int, int] | None] = []
    for shape in shapes:
        color: tuple[int, int, int] | None = None
        raw = text_of(shape.attributes, "color")
        try:
            values = [int(v) for v in (raw or "").replace(",", " ").split()]
            if len(values) == 3 and all(0 <= v <= 255 for v in values) and tuple(values) not in taken:
                color = (values[0], values[1], values[2])
        except ValueError:
            pass
        if color is not None:
            taken.add(color)
        wanted.append(color)
    generated = ((37 * i % 256, 97 * i % 256, (151 * i + 64) % 256) for i in itertools.count(1))
    result = []
    for color in wanted:
        while color is None:
            candidate = next(generated)
            if candidate not in taken:
                color = candidate
                taken.add(candidate)
        result.append(color)
    return result


@register
class IcdarSegmentation:
    info = FormatInfo(name="ICDAR Segmentation 1.0", ext="ZIP", version="1.0", can_import=True, can_export=True)
    fidelity = Fidelity(
        {"mask": KEPT, "rectangle": converted("mask", _AS_MASK), "polygon": converted("mask", _AS_MASK),
         "ellipse": converted("mask", _AS_MASK), "track": converted("shapes", "one per visible frame"),
         "tag": DROPPED, "polyline": DROPPED, "points": DROPPED, "cuboid": DROPPED, "skeleton": DROPPED},
        lost=frozenset({Property.ATTRIBUTES, Property.OBJECT_LABELS, Property.OCCLUDED, Property.ROTATION,
                        Property.Z_ORDER, Property.GROUP, Property.SOURCE, Property.SCORE, Property.LABEL_SPECS,
                        Property.SKELETON_SVG, Property.FRAME_NAMES, Property.OVERLAPS}),
        notes="objects come back as label icdar with text, color, center, index; image extensions only with "
              "the images",
    )

    def export(self, dataset: Dataset, out: OutputTree, options: ExportOptions) -> None:
        for frame in flatten_tracks(dataset.frames, dataset.tracks):
            folder = f"text_segmentation/{frame.subset_name}/"
            path = PurePosixPath(frame.name or f"frame_{frame.index or 0:06d}")
            stem = path.with_suffix("").as_posix()
            if options.save_images and frame.image is not None:
                out.add_media(f"{folder}images/{path.as_posix()}", frame.image)
            shapes = [s for s in frame.shapes if s.type in AREA_TYPES]
            lines = []
            if frame.width and frame.height:
                canvas = paint(shapes, frame.width, frame.height)
                colors = _colors(shapes)
                picture = np.full((frame.height, frame.width, 3), 255, dtype=np.uint8)
                previous_group = None
                for i, (shape, color) in enumerate(zip(shapes, colors, strict=True)):
                    visible = canvas == i + 1
                    ys, xs = np.nonzero(visible)
                    if not xs.size:
                        continue
                    picture[visible] = color
                    if previous_group is not None and shape.group != previous_group:
                        lines.append("\n")
                    previous_group = shape.group
                    box = (int(xs.min()), int(ys.min()), int(xs.max()), int(ys.max()))
                    center = (int(round(xs.mean())), int(round(ys.mean())))
                    numbers = (*color, *center, *box)
                    lines.append(" ".join(str(v) for v in numbers) + " " + quote(text_of(shape.attributes, "text")
                                                                             or "") + "\n")
                write_image_array(out, f"{folder}{stem}_GT.bmp", picture, "BMP")
            elif shapes:
                raise UnsupportedData(f"Frame '{frame.name}': painting objects needs the image size.")
            out.write_text(f"{folder}{stem}_GT.txt", "".join(lines))

    def load(self, source: InputTree, options: ImportOptions) -> Dataset:
        files = [n for n in source.names() if n.endswith("_GT.txt")]
        if not files:
            raise MalformedFile(source.label, None, "no ICDAR <image>_GT.txt file found "
                                                    "(expected text_segmentation/<subset>/<image>_GT.txt)")
        return Dataset((LabelSpec(ICDAR_LABEL),), self._frames(source, files))

    def _frames(self, source: InputTree, files: list[str]) -> Iterator[Frame]:
        folders = sorted(subset_folders(source, "text_segmentation").items(), key=lambda item: -len(item[1]))
        names = set(source.names())
        groups = itertools.count(1)
        for file in files:
            subset, folder = next(((s, p) for s, p in folders if file.startswith(p)), ("", ""))
            stem = file[len(folder):-len("_GT.txt")]
            picture_name = f"{file[:-len('_GT.txt')]}_GT.bmp"
            name = find_frame_image(names, folder, stem)
            picture = None
            shapes: list[Shape] = []
            block: list[Shape] = []
            index = 0
            for line, text in [*read_lines(source, file), (0, "")]:
                if not text.strip():
                    group = next(groups) if len(block) > 1 else 0
                    shapes.extend(Shape(s.type, s.label, s.points, attributes=s.attributes, group=group,
                                        source=s.source) for s in block)
                    block = []
                    continue
                where = f"line {line}"
                numbers, rest = split_numbers(text.strip())
                if len(numbers) < 3 or any(not 0 <= v <= 255 or not float(v).is_integer() for v in numbers[:3]):
                    raise MalformedFile(file, where, "expected a colour R G B (0..255) first")
                if picture is None:
                    if picture_name not in names:
                        raise MalformedFile(file, where, f"the colour image '{picture_name}' is not in the archive")
                    picture = read_image_array(source, picture_name)
                    if picture.ndim != 3:
                        picture = np.stack([picture] * 3, axis=-1)
                color = tuple(int(v) for v in numbers[:3])
                pixels = np.all(picture == np.array(color, dtype=picture.dtype), axis=-1)
                if not pixels.any():
                    raise MalformedFile(file, where, f"no pixel of {picture_name} has the colour {color}")
                attrs = [Attribute("text", unquote(rest) if rest is not None else ""),
                         Attribute("color", " ".join(str(v) for v in color)), Attribute("index", str(index))]
                if len(numbers) >= 5:
                    attrs.append(Attribute("center", f"{numbers[3]:g} {numbers[4]:g}"))
                index += 1
                block.append(Shape(ShapeType.MASK, ICDAR_LABEL, masks.encode_mask(pixels), attributes=tuple(attrs),
                                   source=ObjectSource.FILE))
            height, width = picture.shape[:2] if picture is not None else (0, 0)
            if picture is None and picture_name in names:
                height, width = read_image_array(source, picture_name).shape[:2]
            image = f"{folder}images/{name}"
            yield Frame(None, name, width, height, subset, shapes=tuple(shapes),
                        image=source.media(image) if image in names else None)
