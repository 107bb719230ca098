"""Datumaro 1.0: the JSON format of the Datumaro library, keeping everything inklab stores.

Layout::

    annotations/<subset>.json      one file per subset ("default" without subsets)
    images/<subset>/<frame name>   with save_images

Each file has ``categories`` (``label``: labels with ``parent`` for skeleton points and the
attribute names; ``points``: the skeletons' point names and edges), ``items`` (``id`` = frame
name without extension, ``image.path``/``image.size``, ``attr.frame`` = frame number) with
their ``annotations``: ``label`` (tags), ``bbox`` (``[x, y, w, h]``), ``polygon``,
``polyline``, ``points``, ``ellipse`` (corners ``[x1, y1, x2, y2]``), ``cuboid_2d``,
``mask`` (COCO RLE over the image) and ``skeleton`` (``elements`` of type ``points`` with
``visibility`` 0 absent / 1 hidden / 2 visible).

What Datumaro has no field for goes into ``attributes``: ``occluded``, ``rotation``,
``source``, ``score``, and for objects of tracks ``track_id`` and ``keyframe`` (tracks are
rebuilt on import, see :mod:`inklab.formats.tracks`). The complete label specs (types,
colors, attribute definitions, skeleton SVG) are kept in ``info["inklab:labels"]``; files
without them (made by Datumaro or CVAT) get label specs from ``categories``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import orjson

from inklab.formats import masks
from inklab.formats.errors import MalformedFile, UnsupportedData
from inklab.formats.fidelity import Fidelity
from inklab.formats.files import InputTree, OutputTree, find_image, image_index
from inklab.formats.jsonfile import ArraySpool, Fields, load_json, value_text
from inklab.formats.model import (
    DEFAULT_SUBSET,
    Attribute,
    AttributeSpec,
    Dataset,
    DatasetInfo,
    Frame,
    LabelSpec,
    Shape,
    Tag,
)
from inklab.formats.registry import ExportOptions, FormatInfo, ImportOptions, register
from inklab.formats.skeletons import skeleton_edges
from inklab.formats.tracks import TrackSplitter, flatten_tracks
from inklab.vocabulary import InputType, LabelType, ObjectSource, ShapeType

__all__ = ["Datumaro", "label_spec_json", "parse_label_spec"]

_TYPE_OF = {ShapeType.RECTANGLE: "bbox", ShapeType.POLYGON: "polygon", ShapeType.POLYLINE: "polyline",
            ShapeType.POINTS: "points", ShapeType.ELLIPSE: "ellipse", ShapeType.CUBOID: "cuboid_2d",
            ShapeType.MASK: "mask", ShapeType.SKELETON: "skeleton"}
_SHAPE_OF = {v: k for k, v in _TYPE_OF.items()}
_RESERVED = frozenset({"occluded", "outside", "rotation", "source", "score", "track_id", "keyframe"})
_SOURCES = frozenset(ObjectSource)


# -- label specs in info ----------------------------------------------------------------------

def label_spec_json(label: LabelSpec) -> dict[str, Any]:
    """A label spec as JSON (the ``info["inklab:labels"]`` entries)."""
    return {"name": label.name, "type": label.type.value, "color": label.color, "svg": label.svg,
            "attributes": [{"name": a.name, "input_type": a.input_type.value, "values": list(a.values),
                            "default_value": a.default_value, "mutable": a.mutable} for a in label.attributes],
            "sublabels": [label_spec_json(s) for s in label.sublabels]}


def parse_label_spec(fields: Fields) -> LabelSpec:
    """The inverse of :func:`label_spec_json`, with located errors."""
    try:
        label_type = LabelType(fields.text("type", LabelType.ANY.value))
    except ValueError:
        raise fields.error("type", f"unknown label type {fields.get('type')!r}") from None
    attributes = []
    for i, item in enumerate(fields.array("attributes", [])):
        attr = Fields(item, fields.file, f"{fields.path}.attributes[{i}]")
        try:
            input_type = InputType(attr.text("input_type", InputType.TEXT.value))
        except ValueError:
            raise attr.error("input_type", f"unknown input type {attr.get('input_type')!r}") from None
        attributes.append(AttributeSpec(attr.text("name"), input_type, tuple(str(v) for v in attr.array("values", [])),
                                        attr.text("default_value", ""), bool(attr.get("mutable", False))))
    subs = tuple(parse_label_spec(Fields(s, fields.file, f"{fields.path}.sublabels[{i}]"))
                 for i, s in enumerate(fields.array("sublabels", [])))
    return LabelSpec(fields.text("name"), label_type, fields.text("color", ""), tuple(attributes), subs,
                     fields.text("svg", ""))


# -- export -----------------------------------------------------------------------------------

class _Writer:
    def __init__(self, out: OutputTree, labels: tuple[LabelSpec, ...]) -> None:
        self.out = out
        self.labels = labels
        self.index: dict[tuple[str | None, str], int] = {}
        entries: list[dict[str, Any]] = []
        skeletons = []
        for label in labels:
            self.index[(None, label.name)] = len(entries)
            entries.append({"name": label.name, "parent": "", "attributes": [a.name for a in label.attributes]})
            for sub in label.sublabels:
                self.index[(label.name, sub.name)] = len(entries)
                entries.append({"name": sub.name, "parent": label.name,
                                "attributes": [a.name for a in sub.attributes]})
            if label.type == LabelType.SKELETON:
                skeletons.append({"label_id": self.index[(None, label.name)],
                                  "labels": [s.name for s in label.sublabels], "joints": skeleton_edges(label)})
        self.categories: dict[str, Any] = {"label": {"labels": entries, "attributes": ["occluded"]}}
        if skeletons:
            self.categories["points"] = {"items": skeletons}
        self.items: dict[str, ArraySpool] = {}
        self.next_id = 0

    def _id(self) -> int:
        self.next_id += 1
        return self.next_id

    def _common(self, attrs: Mapping[str, Any], group: int, label: int) -> dict[str, Any]:
        return {"id": self._id(), "attributes": dict(attrs), "group": group, "label_id": label}

    def shape(self, shape: Shape, frame: Frame, parent: str | None = None) -> dict[str, Any]:
        attrs: dict[str, Any] = {a.name: a.value for a in shape.attributes}
        attrs["occluded"] = shape.occluded
        if shape.rotation:
            attrs["rotation"] = shape.rotation
        if shape.source != ObjectSource.MANUAL:
            attrs["source"] = shape.source
        if shape.score != 1.0:
            attrs["score"] = shape.score
        if shape.track_id is not None:
            attrs["track_id"] = shape.track_id
            attrs["keyframe"] = shape.keyframe
        label = self.index[(parent, shape.label)]
        ann = {**self._common(attrs, shape.group, label), "type": _TYPE_OF[shape.type], "z_order": shape.z_order}
        if shape.type == ShapeType.RECTANGLE:
            x1, y1, x2, y2 = shape.points
            ann["bbox"] = [x1, y1, x2 - x1, y2 - y1]
        elif shape.type == ShapeType.ELLIPSE:
            cx, cy, right, top = shape.points
            rx, ry = right - cx, cy - top
            ann["points"] = [cx - rx, cy - ry, cx + rx, cy + ry]
        elif shape.type == ShapeType.MASK:
            if not (frame.width and frame.height):
                raise UnsupportedData(f"Frame '{frame.name}': a mask needs the image size to be written as RLE.")
            ann["rle"] = masks.coco_rle_encode(masks.mask_to_image(shape.points, frame.width, frame.height))
        elif shape.type == ShapeType.SKELETON:
            ann["elements"] = [self.element(e, frame, shape.label) for e in shape.elements]
        else:
            ann["points"] = list(shape.points)
        return ann

    def element(self, element: Shape, frame: Frame, parent: str) -> dict[str, Any]:
        ann = self.shape(element, frame, parent)
        ann["visibility"] = [0 if element.outside else 1 if element.occluded else 2] * (len(element.points) // 2)
        if element.outside:
            ann["attributes"]["outside"] = True
        return ann

    def item(self, frame: Frame) -> None:
        annotations: list[dict[str, Any]] = [
            {**self._common({a.name: a.value for a in tag.attributes} |
                            ({"source": tag.source} if tag.source != ObjectSource.MANUAL else {}),
                            tag.group, self.index[(None, tag.label)]), "type": "label"}
            for tag in frame.tags]
        annotations.extend(self.shape(shape, frame) for shape in frame.shapes)
        subset = frame.subset_name
        spool = self.items.setdefault(subset, ArraySpool())
        item: dict[str, Any] = {"id": frame.name.rsplit(".", 1)[0] if "." in frame.name.rsplit("/", 1)[-1]
                                else frame.name, "annotations": annotations,
                                "attr": {"frame": frame.index}, "image": {"path": frame.name}}
        if frame.width and frame.height:
            item["image"]["size"] = [frame.height, frame.width]
        spool.append(item)

    def finish(self, info: DatasetInfo) -> None:
        if not self.items:
            self.items[DEFAULT_SUBSET] = ArraySpool()
        head = orjson.dumps({"inklab:labels": [label_spec_json(label) for label in self.labels],
                             "inklab:frames": info.size})
        for subset, spool in self.items.items():
            with self.out.open(f"annotations/{subset}.json") as fh:
                fh.write(b'{"info":' + head + b',"categories":' + orjson.dumps(self.categories) + b',"items":')
                spool.write_to(fh)
                fh.write(b"}")

    def close(self) -> None:
        for spool in self.items.values():
            spool.close()


# -- import -----------------------------------------------------------------------------------

class _Reader:
    def __init__(self, file: str, top: Fields, options: ImportOptions) -> None:
        self.file = file
        self.options = options
        categories = top.child("categories", {})
        labels = categories.child("label", {}) if "label" in categories.obj else None
        self.names: list[tuple[str, str]] = []  # (name, parent)
        for i, item in enumerate(labels.array("labels", []) if labels else []):
            entry = Fields(item, file, f"categories.label.labels[{i}]")
            self.names.append((entry.text("name"), entry.text("parent", "")))
        info = top.get("info") or {}
        declared = info.get("inklab:labels") if isinstance(info, dict) else None
        if isinstance(declared, list):
            self.labels = tuple(parse_label_spec(Fields(d, file, f"info.inklab:labels[{i}]"))
                                for i, d in enumerate(declared))
        else:
            self.labels = self._labels_from_categories(categories, labels)
        self.frames = info.get("inklab:frames") if isinstance(info, dict) else None

    def _labels_from_categories(self, categories: Fields, labels: Fields | None) -> tuple[LabelSpec, ...]:
        skeletons = set()
        points = categories.get("points") or {}
        for item in points.get("items", []) if isinstance(points, dict) else []:
            if isinstance(item, dict) and isinstance(item.get("label_id"), int) and item["label_id"] < len(self.names):
                skeletons.add(self.names[item["label_id"]][0])
        attrs: dict[str, list[str]] = {}
        for i, item in enumerate(labels.array("labels", []) if labels else []):
            names = item.get("attributes") if isinstance(item, dict) else None
            attrs[self.names[i][0]] = [str(n) for n in names] if isinstance(names, list) else []
        result = []
        for name, parent in self.names:
            if parent:
                continue
            subs = tuple(LabelSpec(n, LabelType.POINTS, attributes=tuple(AttributeSpec(a) for a in attrs.get(n, [])))
                         for n, p in self.names if p == name)
            kind = LabelType.SKELETON if (name in skeletons or subs) else LabelType.ANY
            result.append(LabelSpec(name, kind, attributes=tuple(AttributeSpec(a) for a in attrs.get(name, [])
                                                                if a not in _RESERVED), sublabels=subs))
        return tuple(result)

    def label(self, ann: Fields) -> str:
        index = ann.integer("label_id")
        if not 0 <= index < len(self.names):
            raise ann.error("label_id", f"{index} is not an index of categories.label.labels")
        return self.names[index][0]

    def attributes(self, ann: Fields) -> tuple[dict[str, Any], tuple[Attribute, ...]]:
        raw = ann.get("attributes") or {}
        if not isinstance(raw, dict):
            raise ann.error("attributes", "expected an object")
        reserved = {k: v for k, v in raw.items() if k in _RESERVED}
        return reserved, tuple(Attribute(str(k), value_text(v)) for k, v in raw.items() if k not in _RESERVED)

    def source(self, ann: Fields, reserved: Mapping[str, Any]) -> str:
        source = reserved.get("source", ObjectSource.MANUAL)
        if source not in _SOURCES:
            raise ann.error("attributes.source", f"unknown source {source!r}")
        return str(source)

    def shape(self, ann: Fields, size: tuple[int, int] | None) -> Shape:
        kind = ann.text("type")
        type_ = _SHAPE_OF.get(kind)
        if type_ is None:
            raise ann.error("type", f"unknown annotation type '{kind}'")
        reserved, attrs = self.attributes(ann)
        elements: tuple[Shape, ...] = ()
        if type_ == ShapeType.RECTANGLE:
            x, y, w, h = ann.numbers("bbox", 4)
            points: tuple[float, ...] = (x, y, x + w, y + h)
        elif type_ == ShapeType.ELLIPSE:
            x1, y1, x2, y2 = ann.numbers("points", 4)
            points = ((x1 + x2) / 2, (y1 + y2) / 2, max(x1, x2), min(y1, y2))
        elif type_ == ShapeType.MASK:
            rle = ann.child("rle")
            try:
                points = masks.encode_mask(masks.coco_rle_decode(rle.obj, size))
            except (KeyError, TypeError, ValueError) as exc:
                raise ann.error("rle", f"invalid RLE: {exc}") from exc
        elif type_ == ShapeType.SKELETON:
            points = ()
            elements = tuple(self.element(Fields(e, self.file, f"{ann.path}.elements[{i}]"), size)
                             for i, e in enumerate(ann.array("elements")))
        else:
            points = tuple(ann.numbers("points"))
            need = {ShapeType.CUBOID: 16, ShapeType.POLYGON: 6, ShapeType.POLYLINE: 4}.get(type_, 2)
            if len(points) < need or len(points) % 2:
                raise ann.error("points", f"a {kind} needs at least {need} numbers, got {len(points)}")
        track_id = reserved.get("track_id")
        return Shape(type_, self.label(ann), points, occluded=bool(reserved.get("occluded", False)),
                     outside=bool(reserved.get("outside", False)), z_order=ann.integer("z_order", 0),
                     rotation=float(reserved.get("rotation", 0.0) or 0.0), attributes=attrs,
                     group=ann.integer("group", 0), source=self.source(ann, reserved),
                     score=float(reserved.get("score", 1.0)), elements=elements,
                     track_id=int(track_id) if isinstance(track_id, (int, float)) else None,
                     keyframe=bool(reserved.get("keyframe", False)))

    def element(self, ann: Fields, size: tuple[int, int] | None) -> Shape:
        shape = self.shape(ann, size)
        visibility = ann.get("visibility")
        if isinstance(visibility, list) and visibility:
            state = visibility[0]
            outside, occluded = state == 0, state == 1
            return Shape(shape.type, shape.label, shape.points, occluded=occluded or shape.occluded,
                         outside=outside, attributes=shape.attributes, source=shape.source, score=shape.score,
                         track_id=shape.track_id, keyframe=shape.keyframe)
        return shape

    def frame(self, item: Fields, subset: str, source: InputTree, images: Mapping[str, str]) -> Frame:
        image = item.child("image", {})
        ident = item.text("id")
        name = image.text("path", ident)
        height, width = 0, 0
        if "size" in image.obj:
            height, width = (int(v) for v in image.numbers("size", 2))
        attr = item.get("attr") or {}
        index = attr.get("frame") if isinstance(attr, dict) else None
        tags: list[Tag] = []
        shapes: list[Shape] = []
        for i, raw in enumerate(item.array("annotations", [])):
            ann = Fields(raw, self.file, f"{item.path}.annotations[{i}]")
            if ann.text("type") == "label":
                reserved, attrs = self.attributes(ann)
                tags.append(Tag(self.label(ann), attrs, ann.integer("group", 0), self.source(ann, reserved)))
            else:
                shapes.append(self.shape(ann, self.options.frame_size(name, width, height)))
        return Frame(int(index) if isinstance(index, (int, float)) else None, name, width, height, subset,
                     tuple(tags), tuple(shapes), find_image(images, source, name, subset))


@register
class Datumaro:
    info = FormatInfo(name="Datumaro 1.0", ext="ZIP", version="1.0", can_import=True, can_export=True)
    fidelity = Fidelity.everything()

    def export(self, dataset: Dataset, out: OutputTree, options: ExportOptions) -> None:
        writer = _Writer(out, dataset.labels)
        try:
            for frame in flatten_tracks(dataset.frames, dataset.tracks):
                writer.item(frame)
                if options.save_images and frame.image is not None:
                    out.add_media(f"images/{frame.subset_name}/{frame.name}", frame.image)
            writer.finish(dataset.info)
        finally:
            writer.close()

    def load(self, source: InputTree, options: ImportOptions) -> Dataset:
        files = [n for n in source.names() if n.lower().endswith(".json")]
        preferred = [n for n in files if n.startswith("annotations/") or "/annotations/" in n]
        files = preferred or files
        if not files:
            raise MalformedFile(source.label, None, "no Datumaro annotations/<subset>.json file found")
        parsed = []
        for name in files:
            top = Fields(load_json(source, name), name, "")
            parsed.append((name, top, _Reader(name, top, options)))
        labels = parsed[0][2].labels
        by_name = {label.name: label for label in labels}
        images = image_index(source)
        seen = {"max": -1}

        def frames() -> Iterator[Frame]:
            for name, top, reader in parsed:
                subset = name.rsplit("/", 1)[-1][:-len(".json")]
                subset = "" if subset == DEFAULT_SUBSET else subset
                for i, item in enumerate(top.array("items", [])):
                    frame = reader.frame(Fields(item, name, f"items[{i}]"), subset, source, images)
                    if frame.index is not None:
                        seen["max"] = max(seen["max"], frame.index)
                    yield frame

        declared = parsed[0][2].frames
        size = declared if isinstance(declared, int) else None
        splitter = TrackSplitter(frames(), lambda: seen["max"] + 1 if seen["max"] >= 0 else size, by_name)
        return Dataset(labels, splitter.frames(), splitter.tracks(), DatasetInfo(size=size))
