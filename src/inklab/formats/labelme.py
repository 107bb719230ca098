"""LabelMe 3.0: one XML file per image, polygons, boxes and masks.

Layout (export)::

    <subset>/<frame name without extension>.xml     one <annotation> per frame
    <subset>/<frame name>                           the image, with save_images
    <subset>/Masks/<frame stem>_mask_<n>.png        one black-and-white image per mask

Each object is an ``<object>`` with ``<name>`` (the label), ``<deleted>``, ``<verified>``,
``<occluded>`` (``yes``/``no``), ``<id>``, ``<parts>``, ``<attributes>`` and its geometry:

* rectangle ↔ ``<polygon>`` of its four corners with ``<type>bounding_box</type>``; a rotation
  is kept in the attribute ``rotation``;
* polygon ↔ ``<polygon>`` of ``<pt><x/><y/></pt>``; an ellipse is written as a polygon;
* mask ↔ ``<segm>`` with ``<mask>`` (a PNG under ``Masks/``, the size of the image) and ``<box>``.

``<attributes>`` holds ``name=value`` pairs separated by commas, with ``\\``, ``=``, ``,``
and ``"`` escaped by a backslash. ``<imagesize>`` gives the image size; points outside it
are refused on import. Import reads every ``.xml`` file of the archive (flat, as CVAT writes
it, or one folder per subset) and skips objects marked deleted.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import PurePosixPath

import numpy as np

from inklab.formats import masks
from inklab.formats.errors import MalformedFile, UnsupportedData
from inklab.formats.fidelity import DROPPED, KEPT, Fidelity, Property, converted
from inklab.formats.files import InputTree, OutputTree
from inklab.formats.geometry import ELLIPSE_VERTICES, ellipse_polygon
from inklab.formats.model import DEFAULT_SUBSET, Attribute, Dataset, Frame, Shape
from inklab.formats.raster import read_image_array, write_image_array
from inklab.formats.registry import ExportOptions, FormatInfo, ImportOptions, register
from inklab.formats.textfile import decimal
from inklab.formats.tracks import flatten_tracks
from inklab.formats.xmlfile import Element, XmlWriter, parse
from inklab.vocabulary import ObjectSource, ShapeType

__all__ = ["LabelMe", "format_attributes", "parse_attributes"]

_MARGIN = 1.0
_SPLIT = re.compile(r"(?<!\\)(?:\\\\)*,")


def format_attributes(attrs: list[tuple[str, str]]) -> str:
    """``name=value, name=value`` with the separators escaped."""
    def escape(text: str) -> str:
        return text.replace("\\", "\\\\").replace("=", "\\=").replace(",", "\\,").replace('"', '\\"')

    return ", ".join(f"{escape(k)}={escape(v)}" for k, v in attrs)


def parse_attributes(text: str) -> list[tuple[str, str]]:
    """The inverse of :func:`format_attributes`; a name without ``=`` means ``true``."""
    result = []
    for part in _split_unescaped(text, ","):
        if not part.strip():
            continue
        pieces = _split_unescaped(part, "=", 1)
        name = _unescape(pieces[0]).strip()
        value = _unescape(pieces[1]).strip() if len(pieces) > 1 else "true"
        result.append((name, value))
    return result


def _split_unescaped(text: str, separator: str, limit: int = -1) -> list[str]:
    parts, current, escaped = [], [], False
    for char in text:
        if escaped:
            current.append("\\" + char)
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == separator and limit != 0:
            parts.append("".join(current))
            current = []
            limit -= 1
        else:
            current.append(char)
    if escaped:
        current.append("\\")
    parts.append("".join(current))
    return parts


def _unescape(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text)


@register
class LabelMe:
    info = FormatInfo(name="LabelMe 3.0", ext="ZIP", version="3.0", can_import=True, can_export=True)
    fidelity = Fidelity(
        {"rectangle": KEPT, "polygon": KEPT, "mask": KEPT,
         "ellipse": converted("polygon", f"{ELLIPSE_VERTICES} vertices"),
         "track": converted("shapes", "one per visible frame"),
         "tag": DROPPED, "polyline": DROPPED, "points": DROPPED, "cuboid": DROPPED, "skeleton": DROPPED},
        lost=frozenset({Property.GROUP, Property.Z_ORDER, Property.SOURCE, Property.SCORE, Property.LABEL_SPECS,
                        Property.SKELETON_SVG}),
    )

    # -- export --

    def export(self, dataset: Dataset, out: OutputTree, options: ExportOptions) -> None:
        for frame in flatten_tracks(dataset.frames, dataset.tracks):
            subset = frame.subset_name
            path = PurePosixPath(frame.name or f"frame_{frame.index or 0:06d}")
            stem = path.with_suffix("").as_posix()
            if options.save_images and frame.image is not None:
                out.add_media(f"{subset}/{path.as_posix()}", frame.image)
            with out.deferred_text(f"{subset}/{stem}.xml") as stream:
                writer = XmlWriter(stream)
                writer.start("annotation")
                writer.leaf("filename", text=path.name)
                writer.leaf("folder", text=path.parent.as_posix() if path.parent.name else "")
                writer.start("source")
                writer.leaf("sourceImage", text="")
                writer.leaf("sourceAnnotation", text="inklab")
                writer.end("source")
                if frame.width and frame.height:
                    writer.start("imagesize")
                    writer.leaf("nrows", text=str(frame.height))
                    writer.leaf("ncols", text=str(frame.width))
                    writer.end("imagesize")
                number = 0
                for shape in frame.shapes:
                    if shape.type in (ShapeType.RECTANGLE, ShapeType.POLYGON, ShapeType.ELLIPSE, ShapeType.MASK):
                        self._object(writer, out, shape, frame, number, f"{subset}/Masks/{stem}")
                        number += 1
                writer.end("annotation")

    def _object(self, writer: XmlWriter, out: OutputTree, shape: Shape, frame: Frame, number: int,
                mask_prefix: str) -> None:
        writer.start("object")
        writer.leaf("name", text=shape.label)
        writer.leaf("deleted", text="0")
        writer.leaf("verified", text="0")
        writer.leaf("occluded", text="yes" if shape.occluded else "no")
        writer.leaf("date", text="")
        writer.leaf("id", text=str(number))
        writer.start("parts")
        writer.leaf("hasparts", text="")
        writer.leaf("ispartof", text="")
        writer.end("parts")
        attrs = [(a.name, a.value) for a in shape.attributes if a.name != "rotation"]
        if shape.type == ShapeType.MASK:
            if not (frame.width and frame.height):
                raise UnsupportedData(f"Frame '{frame.name}': a mask needs the image size to be written as a PNG.")
            bitmap = masks.mask_to_image(shape.points, frame.width, frame.height)
            mask_name = f"{mask_prefix}_mask_{number}.png"
            write_image_array(out, mask_name, bitmap.astype(np.uint8) * 255)
            x1, y1, x2, y2 = shape.points[-4:]
            writer.start("segm")
            writer.leaf("username", text="")
            writer.start("box")
            for tag, value in (("xmin", x1), ("ymin", y1), ("xmax", x2), ("ymax", y2)):
                writer.leaf(tag, text=decimal(value))
            writer.end("box")
            writer.leaf("mask", text=mask_name.split("/Masks/", 1)[1])
            writer.end("segm")
        else:
            if shape.type == ShapeType.RECTANGLE:
                x1, y1, x2, y2 = shape.points
                points: tuple[float, ...] = (x1, y1, x2, y1, x2, y2, x1, y2)
                writer.leaf("type", text="bounding_box")
                if shape.rotation:
                    attrs.append(("rotation", decimal(shape.rotation)))
            elif shape.type == ShapeType.ELLIPSE:
                points = ellipse_polygon(shape.points, shape.rotation)
            else:
                points = shape.points
            writer.start("polygon")
            writer.leaf("username", text="")
            for i in range(0, len(points) - 1, 2):
                writer.start("pt")
                writer.leaf("x", text=decimal(points[i]))
                writer.leaf("y", text=decimal(points[i + 1]))
                writer.end("pt")
            writer.end("polygon")
        writer.leaf("attributes", text=format_attributes(attrs))
        writer.end("object")

    # -- import --

    def load(self, source: InputTree, options: ImportOptions) -> Dataset:
        files = [n for n in source.names() if n.lower().endswith(".xml") and "Masks/" not in f"/{n}"]
        if not files:
            raise MalformedFile(source.label, None, "no LabelMe .xml annotation file found")
        names = set(source.names())
        return Dataset((), self._frames(source, files, names))

    def _frames(self, source: InputTree, files: list[str], names: set[str]) -> Iterator[Frame]:
        for name in files:
            root = parse(source, name)
            if root.tag != "annotation":
                raise root.error("expected an <annotation> root element")
            parts = name.split("/")
            subset = parts[0] if len(parts) > 1 else ""
            base = "/".join(parts[:1]) + "/" if len(parts) > 1 else ""
            folder = "/".join(parts[1:-1]) if len(parts) > 1 else ""
            file_name = root.findtext("filename") or PurePosixPath(parts[-1]).with_suffix(".jpg").name
            frame_name = f"{folder}/{file_name}" if folder else file_name
            width = height = 0
            size = root.find("imagesize")
            if size is not None:
                width = self._int(size, "ncols")
                height = self._int(size, "nrows")
            shapes = []
            for obj in root.findall("object"):
                if obj.findtext("deleted", "0").strip() == "1":
                    continue
                shapes.append(self._shape(source, obj, width, height, base, names))
            image_name = f"{base}{frame_name}"
            yield Frame(None, frame_name, width, height, "" if subset == DEFAULT_SUBSET else subset,
                        shapes=tuple(shapes), image=source.media(image_name) if image_name in names else None)

    @staticmethod
    def _int(parent: Element, tag: str) -> int:
        child = parent.find(tag)
        try:
            return int(float(child.text)) if child is not None and child.text else 0
        except ValueError:
            raise child.error(f"expected a number, got {child.text!r}") from None  # type: ignore[union-attr]

    @staticmethod
    def _number(element: Element, tag: str) -> float:
        child = element.find(tag)
        if child is None:
            raise element.error(f"<{tag}> is missing")
        try:
            return float(child.text)
        except ValueError:
            raise child.error(f"expected a number, got {child.text!r}") from None

    def _shape(self, source: InputTree, obj: Element, width: int, height: int, base: str,
               names: set[str]) -> Shape:
        label = obj.findtext("name").strip()
        if not label:
            raise obj.error("the object has no <name> (its label)")
        attrs = [Attribute(k, v) for k, v in parse_attributes(obj.findtext("attributes"))]
        occluded = obj.findtext("occluded").strip().lower() in ("yes", "1", "true")
        common = {"occluded": occluded, "source": ObjectSource.FILE}
        polygon = obj.find("polygon")
        segm = obj.find("segm")
        if polygon is not None:
            points: list[float] = []
            for pt in polygon.findall("pt"):
                x, y = self._number(pt, "x"), self._number(pt, "y")
                if width and height and not (-_MARGIN <= x <= width + _MARGIN and -_MARGIN <= y <= height + _MARGIN):
                    raise pt.error(f"point ({x:g}, {y:g}) is outside the {width}x{height} image")
                points += (x, y)
            if obj.findtext("type").strip() == "bounding_box":
                if len(points) < 4:
                    raise polygon.error("a bounding box needs at least 2 points")
                xs, ys = points[0::2], points[1::2]
                rotation = 0.0
                for attr in attrs:
                    if attr.name == "rotation":
                        try:
                            rotation = float(attr.value)
                        except ValueError:
                            raise obj.error(f"attribute rotation: expected a number, got {attr.value!r}") from None
                kept = tuple(a for a in attrs if a.name != "rotation")
                return Shape(ShapeType.RECTANGLE, label, (min(xs), min(ys), max(xs), max(ys)), rotation=rotation,
                             attributes=kept, **common)
            if len(points) < 6:
                raise polygon.error(f"a polygon needs at least 3 points, got {len(points) // 2}")
            return Shape(ShapeType.POLYGON, label, tuple(points), attributes=tuple(attrs), **common)
        if segm is not None:
            file = segm.findtext("mask").strip()
            candidates = [f"{base}Masks/{file}", f"Masks/{file}"]
            found = next((c for c in candidates if c in names), None)
            if found is None:
                raise segm.error(f"the mask file 'Masks/{file}' is not in the archive")
            bitmap = read_image_array(source, found)
            if bitmap.ndim == 3:
                bitmap = bitmap.any(axis=2)
            bitmap = bitmap > 0
            left = top = 0
            box = segm.find("box")
            if box is not None and (width, height) != (bitmap.shape[1], bitmap.shape[0]):
                left, top = int(self._number(box, "xmin")), int(self._number(box, "ymin"))
            try:
                points_ = masks.encode_mask(bitmap, left, top)
            except ValueError:
                raise segm.error(f"the mask '{file}' is empty") from None
            return Shape(ShapeType.MASK, label, points_, attributes=tuple(attrs), **common)
        raise obj.error("the object has neither a <polygon> nor a <segm>")
