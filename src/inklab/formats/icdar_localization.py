"""ICDAR Localization 1.0: text boxes and quadrilaterals with transcriptions (ICDAR 2013/2015).

Layout (export)::

    text_localization/<subset>/gt_<frame stem>.txt     one per frame, one line per object
    text_localization/<subset>/images/<frame name>     with save_images

A rectangle is ``x1,y1,x2,y2,"text"`` (ICDAR 2013), a polygon ``x1,y1,...,xn,yn,"text"``
(ICDAR 2015 writes quadrilaterals this way); the text is the object's attribute ``text``.
Import also reads space-separated lines (``x1 y1 x2 y2 "text"``, the ICDAR 2013 test
files) and unquoted transcriptions (``###`` marks text that cannot be read); every object
gets the label ``icdar``. The frame is the file name after ``gt_``, without extension
unless the image is in the archive.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import PurePosixPath

from inklab.formats.errors import MalformedFile
from inklab.formats.fidelity import DROPPED, KEPT, Fidelity, Property, converted
from inklab.formats.files import InputTree, OutputTree
from inklab.formats.geometry import ELLIPSE_VERTICES, ellipse_polygon
from inklab.formats.icdar_recognition import ICDAR_LABEL, quote, subset_folders, text_of, unquote
from inklab.formats.model import Attribute, Dataset, Frame, LabelSpec, Shape
from inklab.formats.registry import ExportOptions, FormatInfo, ImportOptions, register
from inklab.formats.textfile import decimal, read_lines
from inklab.formats.tracks import flatten_tracks
from inklab.vocabulary import ObjectSource, ShapeType

__all__ = ["IcdarLocalization", "find_frame_image", "split_numbers"]


def split_numbers(text: str) -> tuple[list[float], str | None]:
    """The leading numbers of a line and what follows them (the transcription, or None)."""
    separator = "," if "," in text else None
    parts = text.split(separator)
    numbers: list[float] = []
    for i, part in enumerate(parts):
        try:
            numbers.append(float(part))
        except ValueError:
            rest = (separator or " ").join(parts[i:])
            return numbers, rest.strip()
    return numbers, None


def find_frame_image(names: set[str], folder: str, stem: str) -> str:
    """The frame name for ``stem``: with the extension of its image under ``folder`` if it is there."""
    images = f"{folder}images/{stem}."
    match = next((n for n in names if n.startswith(images) and "/" not in n[len(images):]), None)
    return stem if match is None else match[len(folder) + len("images/"):]


@register
class IcdarLocalization:
    info = FormatInfo(name="ICDAR Localization 1.0", ext="ZIP", version="1.0", can_import=True, can_export=True)
    fidelity = Fidelity(
        {"rectangle": KEPT, "polygon": KEPT, "ellipse": converted("polygon", f"{ELLIPSE_VERTICES} vertices"),
         "track": converted("shapes", "one per visible frame"), "tag": DROPPED, "polyline": DROPPED,
         "points": DROPPED, "cuboid": DROPPED, "mask": DROPPED, "skeleton": DROPPED},
        lost=frozenset({Property.ATTRIBUTES, Property.OBJECT_LABELS, Property.OCCLUDED, Property.ROTATION,
                        Property.Z_ORDER, Property.GROUP, Property.SOURCE, Property.SCORE, Property.LABEL_SPECS,
                        Property.SKELETON_SVG, Property.IMAGE_SIZE, Property.FRAME_NAMES}),
        notes="objects come back as label icdar with their attribute text; image extensions only with the images",
    )

    def export(self, dataset: Dataset, out: OutputTree, options: ExportOptions) -> None:
        for frame in flatten_tracks(dataset.frames, dataset.tracks):
            folder = f"text_localization/{frame.subset_name}/"
            path = PurePosixPath(frame.name or f"frame_{frame.index or 0:06d}")
            if options.save_images and frame.image is not None:
                out.add_media(f"{folder}images/{path.as_posix()}", frame.image)
            lines = []
            for shape in frame.shapes:
                if shape.type == ShapeType.RECTANGLE:
                    points: tuple[float, ...] = shape.points
                elif shape.type == ShapeType.POLYGON:
                    points = shape.points
                elif shape.type == ShapeType.ELLIPSE:
                    points = ellipse_polygon(shape.points, shape.rotation)
                else:
                    continue
                text = text_of(shape.attributes, "text") or ""
                lines.append(",".join(decimal(v) for v in points) + "," + quote(text) + "\n")
            parent = f"{path.parent.as_posix()}/" if path.parent.name else ""
            out.write_text(f"{folder}{parent}gt_{path.stem}.txt", "".join(lines))

    def load(self, source: InputTree, options: ImportOptions) -> Dataset:
        files = [n for n in source.names() if n.rsplit("/", 1)[-1].startswith("gt_") and n.endswith(".txt")]
        if not files:
            raise MalformedFile(source.label, None, "no ICDAR gt_<image>.txt file found "
                                                    "(expected text_localization/<subset>/gt_<image>.txt)")
        return Dataset((LabelSpec(ICDAR_LABEL),), self._frames(source, files))

    @staticmethod
    def _frames(source: InputTree, files: list[str]) -> Iterator[Frame]:
        folders = sorted(subset_folders(source, "text_localization").items(), key=lambda item: -len(item[1]))
        names = set(source.names())
        for file in files:
            subset, folder = next(((s, p) for s, p in folders if file.startswith(p)), ("", ""))
            relative = file[len(folder):]
            parent, _, base = relative.rpartition("/")
            stem = (f"{parent}/" if parent else "") + base[len("gt_"):-len(".txt")]
            name = find_frame_image(names, folder, stem)
            image = f"{folder}images/{name}"
            shapes = []
            for line, text in read_lines(source, file):
                if not text.strip():
                    continue
                where = f"line {line}"
                numbers, rest = split_numbers(text.strip())
                attrs = (Attribute("text", unquote(rest)),) if rest is not None else ()
                if len(numbers) == 4:
                    x1, y1, x2, y2 = numbers
                    if x2 < x1 or y2 < y1:
                        raise MalformedFile(file, where, f"a box needs x2 >= x1 and y2 >= y1, got {numbers}")
                    shapes.append(Shape(ShapeType.RECTANGLE, ICDAR_LABEL, tuple(numbers), attributes=attrs,
                                        source=ObjectSource.FILE))
                elif len(numbers) >= 6 and len(numbers) % 2 == 0:
                    shapes.append(Shape(ShapeType.POLYGON, ICDAR_LABEL, tuple(numbers), attributes=attrs,
                                        source=ObjectSource.FILE))
                else:
                    raise MalformedFile(file, where, f"expected 4 numbers (a box) or at least 3 points, "
                                                     f"got {len(numbers)} numbers")
            yield Frame(None, name, subset=subset, shapes=tuple(shapes),
                        image=source.media(image) if image in names else None)
