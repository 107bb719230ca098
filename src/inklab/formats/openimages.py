"""Open Images V6 1.0: the Open Images CSV files, image labels, boxes and instance masks.

Layout (export)::

    annotations/class-descriptions.csv                       LabelName,DisplayName (no header)
    annotations/bbox_labels_600_hierarchy.json               every label below one root
    annotations/images.meta                                  <ImageID> <height> <width>
    annotations/<subset>-image_ids_and_rotation.csv          every image of the subset
    annotations/<subset>-annotations-human-imagelabels.csv   tags
    annotations/<subset>-annotations-bbox.csv                rectangles
    annotations/<subset>-annotations-object-segmentation.csv masks, one PNG each
    masks/<subset>/<mask file>.png                           the image size, 0 or 255
    images/<subset>/<frame name>                             with save_images

``ImageID`` is the frame name without extension. Coordinates are fractions of the image
width and height, so import needs the sizes: from ``images.meta``, or from the images in the
archive. Boxes keep ``occluded`` (``IsOccluded``), ``score`` (``Confidence``) and the
attributes ``truncated``, ``is_group_of``, ``is_depiction``, ``is_inside``; tags keep a
``score`` attribute as ``Confidence``; masks keep ``box_id`` and ``predicted_iou``. Polygons
and ellipses are written as masks. Label names are written as they are (``LabelName`` and
``DisplayName``); on import a ``LabelName`` listed in ``class-descriptions.csv`` becomes its
``DisplayName``.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import PurePosixPath

import numpy as np
import orjson
from PIL import Image

from inklab.formats import masks
from inklab.formats.errors import MalformedFile, UnsupportedData
from inklab.formats.fidelity import DROPPED, KEPT, Fidelity, Property, converted
from inklab.formats.files import InputTree, OutputTree
from inklab.formats.model import DEFAULT_SUBSET, Attribute, Dataset, Frame, LabelSpec, MediaFile, Shape, Tag
from inklab.formats.raster import read_image_array, shape_bitmap, write_image_array
from inklab.formats.registry import ExportOptions, FormatInfo, ImportOptions, register
from inklab.formats.textfile import Spools, read_csv, read_lines, to_float
from inklab.formats.tracks import flatten_tracks
from inklab.vocabulary import LabelType, ObjectSource, ShapeType

__all__ = ["OpenImages"]

_IMAGE_COLUMNS = ("ImageID", "Subset", "OriginalURL", "OriginalLandingURL", "License", "AuthorProfileURL", "Author",
                  "Title", "OriginalSize", "OriginalMD5", "Thumbnail300KURL", "Rotation")
_LABEL_COLUMNS = ("ImageID", "Source", "LabelName", "Confidence")
_BOX_COLUMNS = ("ImageID", "Source", "LabelName", "Confidence", "XMin", "XMax", "YMin", "YMax", "IsOccluded",
                "IsTruncated", "IsGroupOf", "IsDepiction", "IsInside")
_MASK_COLUMNS = ("MaskPath", "ImageID", "LabelName", "BoxID", "BoxXMin", "BoxXMax", "BoxYMin", "BoxYMax",
                 "PredictedIoU", "Clicks")
_FLAGS = (("IsTruncated", "truncated"), ("IsGroupOf", "is_group_of"), ("IsDepiction", "is_depiction"),
          ("IsInside", "is_inside"))
_FILE = re.compile(r"(.+)-(image_ids_and_rotation|annotations-human-imagelabels|annotations-bbox|"
                   r"annotations-object-segmentation)\.csv")
_IMAGE_EXT = (".jpg", ".jpeg", ".png", ".bmp", ".webp", ".tif", ".tiff")
_MARGIN = 1e-3  # fractions a coordinate may lie outside [0, 1] (rounding in other tools)


def _row(values: list[str]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow(values)
    return buffer.getvalue()


def _fraction(value: float) -> str:
    return repr(float(value))


def _flag(value: str | None) -> str:
    if value is None or value == "":
        return "0"
    return "1" if value.lower() in ("true", "1") else "0"


@dataclass
class _Image:
    tags: list[Tag] = field(default_factory=list)
    shapes: list[Shape] = field(default_factory=list)


@register
class OpenImages:
    info = FormatInfo(name="Open Images V6 1.0", ext="ZIP", version="1.0", can_import=True, can_export=True)
    fidelity = Fidelity(
        {"tag": KEPT, "rectangle": KEPT, "mask": KEPT, "polygon": converted("mask", "its pixels"),
         "ellipse": converted("mask", "its pixels"), "track": converted("shapes", "one per visible frame"),
         "polyline": DROPPED, "points": DROPPED, "cuboid": DROPPED, "skeleton": DROPPED},
        lost=frozenset({Property.ATTRIBUTES, Property.OCCLUDED, Property.GROUP, Property.Z_ORDER, Property.ROTATION,
                        Property.SOURCE, Property.SCORE, Property.LABEL_SPECS, Property.SKELETON_SVG,
                        Property.FRAME_NAMES}),
        notes="boxes keep occluded, score and the Open Images flags; image extensions only with the images",
    )

    # -- export --

    def export(self, dataset: Dataset, out: OutputTree, options: ExportOptions) -> None:
        labels = [label.name for label in dataset.labels if label.type != LabelType.SKELETON]
        number = 0
        with Spools(out) as spools:
            meta = spools["annotations/images.meta"]
            for frame in flatten_tracks(dataset.frames, dataset.tracks):
                subset = frame.subset_name
                path = PurePosixPath(frame.name or f"frame_{frame.index or 0:06d}")
                image_id = path.with_suffix("").as_posix()
                files = {kind: f"annotations/{subset}-{kind}.csv" for kind in (
                    "image_ids_and_rotation", "annotations-human-imagelabels", "annotations-bbox",
                    "annotations-object-segmentation")}
                for kind, columns in zip(files, (_IMAGE_COLUMNS, _LABEL_COLUMNS, _BOX_COLUMNS, _MASK_COLUMNS),
                                         strict=True):
                    if files[kind] not in spools:
                        spools[files[kind]].write(_row(list(columns)))
                spools[files["image_ids_and_rotation"]].write(_row([image_id, subset, *[""] * 9, "0"]))
                if frame.width and frame.height:
                    meta.write(f"{image_id} {frame.height} {frame.width}\n")
                if options.save_images and frame.image is not None:
                    out.add_media(f"images/{subset}/{path.as_posix()}", frame.image)
                for tag in frame.tags:
                    score = tag.attributes and next((a.value for a in tag.attributes if a.name == "score"), None)
                    spools[files["annotations-human-imagelabels"]].write(
                        _row([image_id, "manual", tag.label, score or "1"]))
                areas = [s for s in frame.shapes if s.type in (ShapeType.RECTANGLE, ShapeType.POLYGON,
                                                               ShapeType.ELLIPSE, ShapeType.MASK)]
                if areas and not (frame.width and frame.height):
                    raise UnsupportedData(f"Frame '{frame.name}': Open Images coordinates need the image size.")
                for shape in areas:
                    number += 1
                    if shape.type == ShapeType.RECTANGLE:
                        spools[files["annotations-bbox"]].write(self._box(image_id, shape, frame))
                    else:
                        spools[files["annotations-object-segmentation"]].write(
                            self._mask(out, image_id, shape, frame, number, labels))
        out.write_text("annotations/class-descriptions.csv", "".join(_row([n, n]) for n in labels))
        hierarchy = {"LabelName": "/m/0bl9f", "Subcategory": [{"LabelName": n} for n in labels]}
        out.write_bytes("annotations/bbox_labels_600_hierarchy.json", orjson.dumps(hierarchy))

    @staticmethod
    def _box(image_id: str, shape: Shape, frame: Frame) -> str:
        x1, y1, x2, y2 = shape.points
        w, h = frame.width, frame.height
        flags = [_flag(shape.attribute(name)) for _, name in _FLAGS]
        return _row([image_id, "manual", shape.label, repr(float(shape.score)), _fraction(x1 / w), _fraction(x2 / w),
                     _fraction(y1 / h), _fraction(y2 / h), "1" if shape.occluded else "0", *flags])

    @staticmethod
    def _mask(out: OutputTree, image_id: str, shape: Shape, frame: Frame, number: int, labels: list[str]) -> str:
        w, h = frame.width, frame.height
        bitmap = shape_bitmap(shape, w, h)
        rows, cols = np.nonzero(bitmap)
        box = (cols.min(), cols.max() + 1, rows.min(), rows.max() + 1) if rows.size else (0, 0, 0, 0)
        box_id = shape.attribute("box_id") or f"{number:08x}"
        label_index = labels.index(shape.label) if shape.label in labels else 0
        file = f"{image_id.replace('/', '_')}_m{label_index}_{box_id}.png"
        write_image_array(out, f"masks/{frame.subset_name}/{file}", bitmap.astype(np.uint8) * 255)
        return _row([file, image_id, shape.label, box_id, _fraction(box[0] / w), _fraction(box[1] / w),
                     _fraction(box[2] / h), _fraction(box[3] / h), shape.attribute("predicted_iou") or "", ""])

    # -- import --

    def load(self, source: InputTree, options: ImportOptions) -> Dataset:
        names = source.names()
        tables: dict[str, dict[str, str]] = {}
        for name in names:
            match = _FILE.fullmatch(name.rsplit("/", 1)[-1])
            if match:
                tables.setdefault(match.group(1), {})[match.group(2)] = name
        if not tables:
            raise MalformedFile(source.label, None, "no Open Images annotation file found (expected annotations/"
                                                    "<subset>-annotations-bbox.csv or similar)")
        display: dict[str, str] = {}
        classes = next((n for n in names if n.rsplit("/", 1)[-1].startswith("class-descriptions")
                        and n.endswith(".csv")), None)
        if classes:
            for line, row in read_csv(source, classes, header=False):
                assert isinstance(row, list)
                if len(row) < 2:
                    raise MalformedFile(classes, f"line {line}", "expected LabelName,DisplayName")
                if (row[0], row[1]) != ("LabelName", "DisplayName"):
                    display[row[0].strip()] = row[1].strip()
        sizes: dict[str, tuple[int, int]] = {}
        meta = next((n for n in names if n.rsplit("/", 1)[-1] == "images.meta"), None)
        if meta:
            for line, text in read_lines(source, meta):
                parts = text.split()
                if not parts:
                    continue
                if len(parts) < 3:
                    raise MalformedFile(meta, f"line {line}", "expected <image id> <height> <width>")
                sizes[parts[0]] = (int(to_float(parts[-1], meta, f"line {line}", "width")),
                                   int(to_float(parts[-2], meta, f"line {line}", "height")))
        labels = tuple(LabelSpec(n) for n in dict.fromkeys(display.values()))
        return Dataset(labels, self._frames(source, tables, display, sizes, set(names)))

    def _frames(self, source: InputTree, tables: dict[str, dict[str, str]], display: dict[str, str],
                sizes: dict[str, tuple[int, int]], names: set[str]) -> Iterator[Frame]:
        for subset, files in tables.items():
            images: dict[str, tuple[str, MediaFile]] = {}
            for name in names:
                if name.startswith(f"images/{subset}/") and name.lower().endswith(_IMAGE_EXT):
                    relative = name[len(f"images/{subset}/"):]
                    images[PurePosixPath(relative).with_suffix("").as_posix()] = (relative, source.media(name))
            found: dict[str, _Image] = {}

            def size(image_id: str, file: str, where: str) -> tuple[int, int]:
                if image_id not in sizes and image_id in images:  # noqa: B023 - called in this iteration
                    with images[image_id][1].open() as fh, Image.open(fh) as picture:  # noqa: B023
                        sizes[image_id] = picture.size
                if image_id not in sizes:
                    raise MalformedFile(file, where, f"the size of image '{image_id}' is unknown: add it to "
                                                     "annotations/images.meta or add the image")
                return sizes[image_id]

            if "image_ids_and_rotation" in files:
                for _, row in read_csv(source, files["image_ids_and_rotation"], ("ImageID",)):
                    found.setdefault(row["ImageID"], _Image())  # type: ignore[index, call-overload]
            if "annotations-human-imagelabels" in files:
                file = files["annotations-human-imagelabels"]
                for _line, row in read_csv(source, file, ("ImageID", "LabelName")):
                    assert isinstance(row, dict)
                    confidence = row.get("Confidence", "")
                    attrs = (Attribute("score", confidence),) if confidence not in ("", "1", "1.0") else ()
                    found.setdefault(row["ImageID"], _Image()).tags.append(
                        Tag(display.get(row["LabelName"], row["LabelName"]), attrs, source=ObjectSource.FILE))
            if "annotations-bbox" in files:
                file = files["annotations-bbox"]
                for line, row in read_csv(source, file, ("ImageID", "LabelName", "XMin", "XMax", "YMin", "YMax")):
                    assert isinstance(row, dict)
                    where = f"line {line}"
                    w, h = size(row["ImageID"], file, where)
                    x1, x2, y1, y2 = self._fractions(row, ("XMin", "XMax", "YMin", "YMax"), file, where)
                    attrs = tuple(Attribute(name, "true" if row.get(column) == "1" else "false")
                                  for column, name in _FLAGS if row.get(column) in ("0", "1"))
                    score = to_float(row["Confidence"], file, where, "Confidence") if row.get("Confidence") else 1.0
                    found.setdefault(row["ImageID"], _Image()).shapes.append(Shape(
                        ShapeType.RECTANGLE, display.get(row["LabelName"], row["LabelName"]),
                        (x1 * w, y1 * h, x2 * w, y2 * h), occluded=row.get("IsOccluded") == "1", attributes=attrs,
                        score=score, source=ObjectSource.FILE))
            if "annotations-object-segmentation" in files:
                file = files["annotations-object-segmentation"]
                for line, row in read_csv(source, file, ("MaskPath", "ImageID", "LabelName")):
                    assert isinstance(row, dict)
                    where = f"line {line}"
                    w, h = size(row["ImageID"], file, where)
                    found.setdefault(row["ImageID"], _Image()).shapes.append(
                        self._read_mask(source, row, subset, w, h, file, where, names, display))
            for image_id, content in found.items():
                name, media = images.get(image_id, (image_id, None))
                w, h = sizes.get(image_id, (0, 0))
                yield Frame(None, name, w, h, "" if subset == DEFAULT_SUBSET else subset, tuple(content.tags),
                            tuple(content.shapes), media)

    @staticmethod
    def _fractions(row: dict[str, str], columns: tuple[str, ...], file: str, where: str) -> list[float]:
        values = [to_float(row[c], file, where, c) for c in columns]
        for column, value in zip(columns, values, strict=True):
            if not -_MARGIN <= value <= 1 + _MARGIN:
                raise MalformedFile(file, where, f"{column} {value:g} is outside the image (coordinates are "
                                                 "fractions from 0 to 1)")
        if values[0] > values[1] or values[2] > values[3]:
            raise MalformedFile(file, where, f"expected XMin <= XMax and YMin <= YMax, got {values}")
        return values

    @staticmethod
    def _read_mask(source: InputTree, row: dict[str, str], subset: str, w: int, h: int, file: str, where: str,
                   names: set[str], display: dict[str, str]) -> Shape:
        path = next((p for p in (f"masks/{subset}/{row['MaskPath']}", f"masks/{row['MaskPath']}", row["MaskPath"])
                     if p in names), None)
        if path is None:
            raise MalformedFile(file, where, f"the mask '{row['MaskPath']}' is not in masks/{subset}/")
        bitmap = read_image_array(source, path)
        if bitmap.ndim == 3:
            bitmap = bitmap.any(axis=2)
        if bitmap.shape != (h, w):  # Open Images masks may be stored at another resolution
            bitmap = np.asarray(Image.fromarray((bitmap > 0).astype(np.uint8) * 255).resize((w, h), Image.NEAREST))
        try:
            points = masks.encode_mask(bitmap > 0)
        except ValueError:
            raise MalformedFile(path, None, "the mask is empty") from None
        attrs = [Attribute("box_id", row["BoxID"])] if row.get("BoxID") else []
        if row.get("PredictedIoU"):
            attrs.append(Attribute("predicted_iou", row["PredictedIoU"]))
        return Shape(ShapeType.MASK, display.get(row["LabelName"], row["LabelName"]), points,
                     attributes=tuple(attrs), source=ObjectSource.FILE)
