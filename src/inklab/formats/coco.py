"""COCO 1.0: object instances (boxes, polygons, RLE masks, crowd regions).

The example format module: one registered class, a fidelity declaration, a streaming
exporter and a lazy importer. COCO Keypoints (:mod:`inklab.formats.coco_keypoints`)
reuses the pieces marked *shared*.

Layout (export)::

    annotations/instances_<subset>.json     one file per subset ("default" without subsets)
    images/<subset>/<frame name>            with save_images

Import takes that archive, any zip with ``*.json`` files (the subset comes from
``instances_<subset>.json``), or a single ``.json`` file. A file larger than
:data:`~inklab.formats.jsonstream.STREAM_THRESHOLD` (64 MiB) is read as a stream, in passes
(:mod:`inklab.formats.coco_stream`), so that memory stays flat however large it is.

Mapping:

* rectangle ↔ ``bbox`` with an empty ``segmentation``; rotation is kept in
  ``attributes.rotation`` (readers that do not know it see the unrotated box);
* polygon ↔ one polygon in ``segmentation``; an annotation with several polygons imports
  as that many polygons sharing a group;
* mask ↔ compressed RLE (``iscrowd`` 0); a crowd region (``iscrowd`` 1) imports as a mask
  with the attribute ``is_crowd`` = ``true``, and shapes with ``is_crowd`` true export as
  crowd RLE;
* ellipse → a polygon of :data:`~inklab.formats.geometry.ELLIPSE_VERTICES` vertices;
* ``occluded`` and the object's attributes go to ``attributes``, ``score`` (if not 1) to
  ``score``; tracks become per-frame shapes; everything else is not written.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from operator import itemgetter
from typing import Any

import numpy as np
import orjson

from inklab.formats import masks
from inklab.formats.coco_stream import CocoHead, CocoImage, Convert, read_coco, streamed_frames
from inklab.formats.errors import MalformedFile, UnsupportedData
from inklab.formats.fidelity import DROPPED, KEPT, Fidelity, Property, converted
from inklab.formats.files import InputTree, OutputTree, find_image, image_index
from inklab.formats.geometry import ELLIPSE_VERTICES, ellipse_polygon
from inklab.formats.jsonfile import ArraySpool, Fields, collection_paused, value_text
from inklab.formats.model import (
    DEFAULT_SUBSET,
    Attribute,
    Dataset,
    Frame,
    LabelSpec,
    Shape,
)
from inklab.formats.registry import ExportOptions, FormatInfo, ImportOptions, register
from inklab.formats.tracks import flatten_tracks
from inklab.vocabulary import InputType, LabelType, ObjectSource, ShapeType

__all__ = ["Coco", "CocoWriter", "attribute_json", "find_image", "image_index", "read_attributes", "subset_of"]

#: attributes COCO keeps outside the object's own attributes
_RESERVED = frozenset({"occluded", "rotation", "score", "track_id", "keyframe"})


# -- shared by the COCO formats -------------------------------------------------------------

def attribute_json(attrs: Iterable[Attribute], label: LabelSpec | None) -> dict[str, Any]:
    """Attribute values as JSON types: checkboxes as booleans, numbers as numbers."""
    result: dict[str, Any] = {}
    for attr in attrs:
        spec = label.attribute(attr.name) if label else None
        value: Any = attr.value
        if spec is not None and spec.input_type == InputType.CHECKBOX:
            value = attr.value.lower() == "true"
        elif spec is not None and spec.input_type == InputType.NUMBER:
            try:
                number = float(attr.value)
                value = int(number) if number.is_integer() else number
            except ValueError:
                pass
        result[attr.name] = value
    return result


class CocoWriter:
    """Writes one COCO JSON per subset in a single pass: images and annotations go to spools
    (temporary files) as frames arrive, and :meth:`finish` joins them under ``prefix``.

    ``categories`` is the ``categories`` array; ``label_ids`` maps label names to its ids.
    """

    def __init__(self, out: OutputTree, prefix: str, categories: list[dict[str, Any]]) -> None:
        self.out = out
        self.prefix = prefix
        self.categories = categories
        self._images: dict[str, ArraySpool] = {}
        self._annotations: dict[str, ArraySpool] = {}
        self._next_annotation = itertools.count(1)

    def add_image(self, frame: Frame, image_id: int) -> None:
        subset = frame.subset_name
        if subset not in self._images:
            self._images[subset] = ArraySpool()
            self._annotations[subset] = ArraySpool()
        self._images[subset].append({
            "id": image_id, "width": frame.width, "height": frame.height, "file_name": frame.name,
            "license": 0, "flickr_url": "", "coco_url": "", "date_captured": 0,
        })

    def add_annotation(self, frame: Frame, annotation: dict[str, Any]) -> None:
        annotation["id"] = next(self._next_annotation)
        self._annotations[frame.subset_name].append(annotation)

    def finish(self) -> None:
        if not self._images:  # an empty scope still gets a valid file
            self._images[DEFAULT_SUBSET] = ArraySpool()
            self._annotations[DEFAULT_SUBSET] = ArraySpool()
        for subset, images in self._images.items():
            with self.out.open(f"annotations/{self.prefix}_{subset}.json") as fh:
                fh.write(b'{"licenses":[{"name":"","id":0,"url":""}],"info":{"contributor":"",'
                         b'"date_created":"","description":"","url":"","version":"","year":""},"categories":')
                fh.write(orjson.dumps(self.categories))
                fh.write(b',"images":')
                images.write_to(fh)
                fh.write(b',"annotations":')
                self._annotations[subset].write_to(fh)
                fh.write(b"}")

    def close(self) -> None:
        for spool in (*self._images.values(), *self._annotations.values()):
            spool.close()


def subset_of(name: str, prefix: str) -> str:
    """The subset encoded in ``<prefix>_<subset>.json`` ("" for "default" or no match)."""
    base = name.rsplit("/", 1)[-1]
    match = re.fullmatch(rf"{re.escape(prefix)}_(.+)\.json", base)
    subset = match.group(1) if match else ""
    return "" if subset == DEFAULT_SUBSET else subset


def read_attributes(fields: Fields) -> tuple[dict[str, Any], tuple[Attribute, ...]]:
    """``(reserved values, object attributes)`` from an annotation's ``attributes``."""
    raw = fields.get("attributes") or {}
    if not isinstance(raw, dict):
        raise fields.error("attributes", "expected an object")
    reserved = {k: v for k, v in raw.items() if k in _RESERVED}
    attrs = tuple(Attribute(str(k), value_text(v)) for k, v in raw.items() if k not in _RESERVED)
    return reserved, attrs


def _by_image(annotations: list[Any], file: str) -> dict[int, list[int]]:
    """Indexes of the annotations of each image id, in file order."""
    try:
        ids = list(map(itemgetter("image_id"), annotations))
        if _INTEGERS.issuperset(map(type, ids)) and ids:
            # the common case, sorted in C: 120,000 annotations in a few milliseconds
            values = np.array(ids, dtype=np.int64)
            order = np.argsort(values, kind="stable")
            unique, starts = np.unique(values[order], return_index=True)
            ends = [*starts[1:].tolist(), len(ids)]
            positions = order.tolist()
            return {image: positions[start:end]
                    for image, start, end in zip(unique.tolist(), starts.tolist(), ends, strict=True)}
    except (KeyError, TypeError, OverflowError):
        pass
    by_image: dict[int, list[int]] = {}
    for i, item in enumerate(annotations):
        image_id = Fields(item, file, f"annotations[{i}]").integer("image_id")
        by_image.setdefault(image_id, []).append(i)
    return by_image


#: JSON integers (not bool)
_INTEGERS = frozenset({int})


# -- the format -------------------------------------------------------------------------------

@dataclass
class _Groups:
    """Fresh group numbers for annotations that import as several shapes."""

    counter: Iterator[int] = field(default_factory=lambda: itertools.count(1_000_000))

    def new(self) -> int:
        return next(self.counter)


@register
class Coco:
    info = FormatInfo(name="COCO 1.0", ext="JSON, ZIP", version="1.0", can_import=True, can_export=True)
    fidelity = Fidelity(
        {
            "rectangle": KEPT,
            "polygon": KEPT,
            "mask": KEPT,
            "ellipse": converted("polygon", f"{ELLIPSE_VERTICES} vertices"),
            "track": converted("shapes", "one per visible frame"),
            "tag": DROPPED,
            "polyline": DROPPED,
            "points": DROPPED,
            "cuboid": DROPPED,
            "skeleton": DROPPED,
        },
        lost=frozenset({Property.GROUP, Property.Z_ORDER, Property.SOURCE, Property.LABEL_SPECS,
                        Property.SKELETON_SVG}),
        notes="skeletons: use COCO Keypoints 1.0",
    )

    # -- export --

    def export(self, dataset: Dataset, out: OutputTree, options: ExportOptions) -> None:
        labels = [label for label in dataset.labels if label.type not in (LabelType.SKELETON, LabelType.TAG)]
        ids = {label.name: i for i, label in enumerate(labels, 1)}
        specs = {label.name: label for label in labels}
        writer = CocoWriter(out, "instances",
                            [{"id": i, "name": label.name, "supercategory": ""} for label, i in
                             zip(labels, ids.values(), strict=True)])
        try:
            for image_id, frame in enumerate(flatten_tracks(dataset.frames, dataset.tracks), 1):
                writer.add_image(frame, image_id)
                if options.save_images and frame.image is not None:
                    out.add_media(f"images/{frame.subset_name}/{frame.name}", frame.image)
                for shape in frame.shapes:
                    if shape.label not in ids:
                        continue
                    annotation = self._annotation(shape, frame, specs[shape.label])
                    if annotation is not None:
                        annotation.update(image_id=image_id, category_id=ids[shape.label])
                        writer.add_annotation(frame, annotation)
            writer.finish()
        finally:
            writer.close()

    def _annotation(self, shape: Shape, frame: Frame, label: LabelSpec) -> dict[str, Any] | None:
        attrs = attribute_json((a for a in shape.attributes if a.name != "is_crowd"), label)
        attrs["occluded"] = shape.occluded
        crowd = (shape.attribute("is_crowd") or "").lower() in ("true", "1")
        if shape.type == ShapeType.RECTANGLE:
            x1, y1, x2, y2 = shape.points
            if shape.rotation:
                attrs["rotation"] = shape.rotation
            segmentation: Any = []
            bbox = [x1, y1, x2 - x1, y2 - y1]
            area = bbox[2] * bbox[3]
        elif shape.type in (ShapeType.POLYGON, ShapeType.ELLIPSE):
            points = shape.points if shape.type == ShapeType.POLYGON else ellipse_polygon(shape.points, shape.rotation)
            if crowd and frame.width and frame.height:
                bitmap = masks.polygon_to_bitmap([points], frame.width, frame.height)
                segmentation, bbox, area = self._rle(bitmap)
            else:
                segmentation = [list(points)]
                bbox = list(masks.bbox_of(points))
                area = masks.polygon_area(points)
        elif shape.type == ShapeType.MASK:
            if not (frame.width and frame.height):
                raise UnsupportedData(f"Frame '{frame.name}': a mask needs the image size to be written as RLE.")
            segmentation, bbox, area = self._rle(masks.mask_to_image(shape.points, frame.width, frame.height))
        else:
            return None
        annotation: dict[str, Any] = {"segmentation": segmentation, "area": area, "bbox": bbox,
                                      "iscrowd": int(crowd), "attributes": attrs}
        if shape.score != 1.0:
            annotation["score"] = shape.score
        return annotation

    @staticmethod
    def _rle(bitmap: Any) -> tuple[dict[str, Any], list[float], float]:
        rle = masks.coco_rle_encode(bitmap)
        rows = bitmap.any(axis=1).nonzero()[0]
        cols = bitmap.any(axis=0).nonzero()[0]
        bbox = ([float(cols[0]), float(rows[0]), float(cols[-1] - cols[0] + 1), float(rows[-1] - rows[0] + 1)]
                if rows.size else [0.0, 0.0, 0.0, 0.0])
        return rle, bbox, float(bitmap.sum())

    # -- import --

    def load(self, source: InputTree, options: ImportOptions) -> Dataset:
        files = [n for n in source.names() if n.lower().endswith(".json")]
        if not files:
            raise MalformedFile(source.label, None, "no COCO .json annotation file found")
        images = image_index(source)
        labels: dict[str, LabelSpec] = {}
        parsed: list[tuple[str, Fields | CocoHead, dict[int, str]]] = []
        for name in files:
            document = read_coco(source, name)  # a large file: its head, the rest read as frames are taken
            categories = self._categories(document.top if isinstance(document, CocoHead) else document)
            for label in categories.values():
                labels.setdefault(label, LabelSpec(label))
            parsed.append((name, document, categories))
        return Dataset(tuple(labels.values()), self._frames(source, parsed, images, options))

    @staticmethod
    def _categories(top: Fields) -> dict[int, str]:
        result = {}
        for i, item in enumerate(top.array("categories", [])):
            category = Fields(item, top.file, f"categories[{i}]")
            result[category.integer("id")] = category.text("name")
        return result

    def _frames(self, source: InputTree, parsed: list[tuple[str, Fields | CocoHead, dict[int, str]]],
                images: Mapping[str, str], options: ImportOptions) -> Iterator[Frame]:
        groups = _Groups()
        while parsed:
            # each file's document is dropped once its frames are made (and each annotation as it
            # becomes shapes), so memory holds the shapes, not the shapes and the JSON besides
            name, top, categories = parsed.pop(0)
            subset = subset_of(name, "instances")
            if isinstance(top, CocoHead):
                for entry, found in streamed_frames(top, self._converter(name, categories, groups, options)):
                    yield Frame(None, entry.file_name, entry.width, entry.height, subset, shapes=tuple(found),
                                image=find_image(images, source, entry.file_name, subset))
                continue
            annotations = top.array("annotations", [])
            by_image = _by_image(annotations, name)
            known_images = set()
            fast = self._fast
            for i, item in enumerate(top.array("images", [])):
                image = Fields(item, name, f"images[{i}]")
                image_id = image.integer("id")
                known_images.add(image_id)
                file_name = image.text("file_name")
                width, height = image.integer("width", 0), image.integer("height", 0)
                size = options.frame_size(file_name, width, height)
                shapes: list[Shape] = []
                with collection_paused():  # not across the yield: the consumer's code runs as usual
                    for index in by_image.pop(image_id, ()):
                        obj = annotations[index]
                        annotations[index] = None
                        shape = fast(obj, categories)
                        if shape is not None:
                            shapes.append(shape)
                        else:
                            shapes.extend(self._shapes(Fields(obj, name, f"annotations[{index}]"), categories,
                                                       size, groups))
                yield Frame(None, file_name, width, height, subset, shapes=tuple(shapes),
                            image=find_image(images, source, file_name, subset))
            for image_id, indexes in by_image.items():
                if image_id not in known_images:
                    raise MalformedFile(name, f"annotations[{indexes[0]}].image_id",
                                        f"image {image_id} is not in 'images'")

    def _converter(self, name: str, categories: Mapping[int, str], groups: _Groups,
                   options: ImportOptions) -> Convert:
        """Turns one annotation of a streamed file into shapes, as :meth:`_frames` does."""
        fast, checked = self._fast, self._shapes

        def convert(obj: Any, index: int, image: CocoImage, shapes: list[Shape]) -> None:
            shape = fast(obj, categories)
            if shape is not None:
                shapes.append(shape)
            else:
                shapes.extend(checked(Fields(obj, name, f"annotations[{index}]"), categories,
                                      options.frame_size(image.file_name, image.width, image.height), groups))
        return convert

    def _shapes(self, ann: Fields, categories: Mapping[int, str], size: tuple[int, int] | None,
                groups: _Groups) -> list[Shape]:
        category = ann.integer("category_id")
        if category not in categories:
            raise ann.error("category_id", f"category {category} is not in 'categories'")
        label = categories[category]
        reserved, attrs = read_attributes(ann)
        common: dict[str, Any] = {
            "occluded": bool(reserved.get("occluded", False)),
            "source": ObjectSource.FILE,
            "score": ann.number("score", 1.0),
        }
        crowd = ann.integer("iscrowd", 0) == 1
        if crowd:
            attrs = (*(a for a in attrs if a.name != "is_crowd"), Attribute("is_crowd", "true"))
        segmentation = ann.get("segmentation")
        if isinstance(segmentation, dict):
            try:
                points = masks.encode_mask(masks.coco_rle_decode(segmentation, size))
            except (KeyError, ValueError, TypeError) as exc:
                raise ann.error("segmentation", f"invalid RLE: {exc}") from exc
            return [Shape(ShapeType.MASK, label, points, attributes=attrs, **common)]
        if isinstance(segmentation, list) and segmentation:
            polygons = []
            for j, polygon in enumerate(segmentation):
                if (not isinstance(polygon, list) or len(polygon) < 6 or len(polygon) % 2
                        or any(isinstance(v, bool) or not isinstance(v, (int, float)) for v in polygon)):
                    raise ann.error(f"segmentation[{j}]", "a polygon needs at least 3 points (6 numbers)")
                polygons.append(tuple(float(v) for v in polygon))
            group = groups.new() if len(polygons) > 1 else 0
            return [Shape(ShapeType.POLYGON, label, p, attributes=attrs, group=group, **common) for p in polygons]
        x, y, w, h = ann.numbers("bbox", 4)
        return [Shape(ShapeType.RECTANGLE, label, (x, y, x + w, y + h), attributes=attrs,
                      rotation=float(reserved.get("rotation", 0.0) or 0.0), **common)]

    @staticmethod
    def _fast(obj: Any, categories: Mapping[int, str]) -> Shape | None:
        """The common cases – a plain box, or one polygon, with no attributes but ``occluded`` –
        without the checked path's overhead; None for anything else (which the checked path
        handles, with its located errors)."""
        if type(obj) is not dict:
            return None
        category = obj.get("category_id")
        label = categories.get(category) if type(category) is int else None
        attrs = obj.get("attributes")
        if (label is None or obj.get("iscrowd", 0) not in (0, False) or "score" in obj
                or (attrs and (type(attrs) is not dict or len(attrs) > 1 or "occluded" not in attrs))):
            return None
        occluded = bool(attrs["occluded"]) if attrs else False
        segmentation = obj.get("segmentation")
        if not segmentation:
            bbox = obj.get("bbox")
            if type(bbox) is not list or len(bbox) != 4 or not _NUMBERS.issuperset(map(type, bbox)):
                return None
            x, y, w, h = bbox
            return Shape(ShapeType.RECTANGLE, label, (float(x), float(y), float(x + w), float(y + h)),
                         occluded=occluded, source=ObjectSource.FILE)
        if type(segmentation) is list and len(segmentation) == 1:
            polygon = segmentation[0]
            if (type(polygon) is not list or len(polygon) < 6 or len(polygon) % 2
                    or not _NUMBERS.issuperset(map(type, polygon))):
                return None
            return Shape(ShapeType.POLYGON, label, tuple(map(float, polygon)), occluded=occluded,
                         source=ObjectSource.FILE)
        return None


#: JSON number types (bool is neither: True is not a coordinate)
_NUMBERS = frozenset({int, float})
