"""COCO Keypoints 1.0: skeletons as COCO person-keypoint annotations.

Layout::

    annotations/person_keypoints_<subset>.json
    images/<subset>/<frame name>                  with save_images

Each skeleton label is a category with ``keypoints`` (its point names, in order) and
``skeleton`` (edges, 1-based, from the label's SVG). Each skeleton shape is an annotation
with ``keypoints`` ``[x, y, v, ...]`` – ``v`` 2 visible, 1 occluded, 0 outside (the point's
position is still written, readers ignore it) – ``num_keypoints`` (points not outside),
``bbox`` and ``area`` around the visible points, and the skeleton's attributes and
``occluded`` in ``attributes``. Skeleton tracks become per-frame skeletons; other shapes and
tags are not written. Import reads any COCO file whose categories have ``keypoints``; a
large one is streamed as in COCO 1.0 (:mod:`inklab.formats.coco_stream`).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from inklab.formats.coco import CocoWriter, attribute_json, read_attributes, subset_of
from inklab.formats.coco_stream import CocoHead, CocoImage, Convert, read_coco, streamed_frames
from inklab.formats.errors import MalformedFile
from inklab.formats.fidelity import DROPPED, KEPT, Fidelity, Property, converted
from inklab.formats.files import InputTree, OutputTree, find_image, image_index
from inklab.formats.jsonfile import Fields
from inklab.formats.model import Dataset, Frame, LabelSpec, Shape
from inklab.formats.registry import ExportOptions, FormatInfo, ImportOptions, register
from inklab.formats.skeletons import skeleton_edges, skeleton_svg
from inklab.formats.tracks import flatten_tracks
from inklab.vocabulary import LabelType, ObjectSource, ShapeType

__all__ = ["CocoKeypoints"]


@register
class CocoKeypoints:
    info = FormatInfo(name="COCO Keypoints 1.0", ext="JSON, ZIP", version="1.0", can_import=True,
                      can_export=True)
    fidelity = Fidelity(
        {"skeleton": KEPT, "track": converted("shapes", "one skeleton per visible frame"),
         **{kind: DROPPED for kind in ("tag", "rectangle", "polygon", "polyline", "points", "ellipse", "cuboid",
                                      "mask")}},
        lost=frozenset({Property.GROUP, Property.Z_ORDER, Property.SOURCE, Property.LABEL_SPECS,
                        Property.SKELETON_SVG, Property.POINT_ATTRIBUTES}),
    )

    def export(self, dataset: Dataset, out: OutputTree, options: ExportOptions) -> None:
        skeletons = [label for label in dataset.labels if label.type == LabelType.SKELETON]
        ids = {label.name: i for i, label in enumerate(skeletons, 1)}
        specs = {label.name: label for label in skeletons}
        writer = CocoWriter(out, "person_keypoints", [
            {"id": ids[label.name], "name": label.name, "supercategory": "",
             "keypoints": [s.name for s in label.sublabels], "skeleton": skeleton_edges(label)} for label in skeletons])
        try:
            for image_id, frame in enumerate(flatten_tracks(dataset.frames, dataset.tracks), 1):
                writer.add_image(frame, image_id)
                if options.save_images and frame.image is not None:
                    out.add_media(f"images/{frame.subset_name}/{frame.name}", frame.image)
                for shape in frame.shapes:
                    if shape.type == ShapeType.SKELETON and shape.label in ids:
                        annotation = self._annotation(shape, specs[shape.label])
                        annotation.update(image_id=image_id, category_id=ids[shape.label])
                        writer.add_annotation(frame, annotation)
            writer.finish()
        finally:
            writer.close()

    @staticmethod
    def _annotation(shape: Shape, label: LabelSpec) -> dict[str, Any]:
        by_name = {e.label: e for e in shape.elements}
        keypoints: list[float] = []
        visible: list[float] = []
        for sub in label.sublabels:
            element = by_name.get(sub.name)
            if element is None:
                keypoints += [0.0, 0.0, 0]
                continue
            v = 0 if element.outside else 1 if element.occluded else 2
            keypoints += [element.points[0], element.points[1], v]
            if v:
                visible += element.points[:2]
        if visible:
            xs, ys = visible[0::2], visible[1::2]
            bbox = [min(xs), min(ys), max(xs) - min(xs), max(ys) - min(ys)]
        else:
            bbox = [0.0, 0.0, 0.0, 0.0]
        attrs = attribute_json(shape.attributes, label)
        attrs["occluded"] = shape.occluded
        annotation: dict[str, Any] = {"segmentation": [], "area": bbox[2] * bbox[3], "bbox": bbox, "iscrowd": 0,
                                      "keypoints": keypoints, "num_keypoints": sum(1 for v in keypoints[2::3] if v),
                                      "attributes": attrs}
        if shape.score != 1.0:
            annotation["score"] = shape.score
        return annotation

    def load(self, source: InputTree, options: ImportOptions) -> Dataset:
        files = [n for n in source.names() if n.lower().endswith(".json")]
        if not files:
            raise MalformedFile(source.label, None, "no COCO .json annotation file found")
        labels: dict[str, LabelSpec] = {}
        parsed: list[tuple[str, Fields | CocoHead, dict[int, LabelSpec]]] = []
        for name in files:
            document = read_coco(source, name)  # a large file: its head, the rest read as frames are taken
            top = document.top if isinstance(document, CocoHead) else document
            categories: dict[int, LabelSpec] = {}
            for i, entry in enumerate(top.array("categories", [])):
                category = Fields(entry, name, f"categories[{i}]")
                points = [str(p) for p in category.array("keypoints", [])]
                if not points:
                    continue
                edges = [list(e) for e in category.array("skeleton", []) if isinstance(e, list) and len(e) == 2]
                spec = LabelSpec(category.text("name"), LabelType.SKELETON,
                                 sublabels=tuple(LabelSpec(p, LabelType.POINTS) for p in points),
                                 svg=skeleton_svg(points, edges))
                categories[category.integer("id")] = spec
                labels.setdefault(spec.name, spec)
            parsed.append((name, document, categories))
        return Dataset(tuple(labels.values()), self._frames(source, parsed, image_index(source)))

    def _frames(self, source: InputTree, parsed: list[tuple[str, Fields | CocoHead, dict[int, LabelSpec]]],
                images: Mapping[str, str]) -> Iterator[Frame]:
        for name, top, categories in parsed:
            subset = subset_of(name, "person_keypoints")
            if isinstance(top, CocoHead):
                for entry, found in streamed_frames(top, self._converter(name, categories)):
                    yield Frame(None, entry.file_name, entry.width, entry.height, subset, shapes=tuple(found),
                                image=find_image(images, source, entry.file_name, subset))
                continue
            by_image: dict[int, list[int]] = {}
            known: set[int] = set()
            annotations = top.array("annotations", [])
            for i, item in enumerate(annotations):
                ann = Fields(item, name, f"annotations[{i}]")
                by_image.setdefault(ann.integer("image_id"), []).append(i)
            for i, item in enumerate(top.array("images", [])):
                image = Fields(item, name, f"images[{i}]")
                file_name = image.text("file_name")
                shapes = []
                image_id = image.integer("id")
                known.add(image_id)
                for index in by_image.pop(image_id, ()):
                    ann = Fields(annotations[index], name, f"annotations[{index}]")
                    shape = self._shape(ann, categories)
                    if shape is not None:
                        shapes.append(shape)
                yield Frame(None, file_name, image.integer("width", 0), image.integer("height", 0), subset,
                            shapes=tuple(shapes), image=find_image(images, source, file_name, subset))
            for image_id, indexes in by_image.items():  # as COCO 1.0 (and the streamed path) check
                if image_id not in known:
                    raise MalformedFile(name, f"annotations[{indexes[0]}].image_id",
                                        f"image {image_id} is not in 'images'")

    def _converter(self, name: str, categories: Mapping[int, LabelSpec]) -> Convert:
        """Turns one annotation of a streamed file into its skeleton, as :meth:`_frames` does."""
        def convert(obj: Any, index: int, image: CocoImage, shapes: list[Shape]) -> None:
            shape = self._shape(Fields(obj, name, f"annotations[{index}]"), categories)
            if shape is not None:
                shapes.append(shape)
        return convert

    @staticmethod
    def _shape(ann: Fields, categories: Mapping[int, LabelSpec]) -> Shape | None:
        label = categories.get(ann.integer("category_id"))
        if label is None or "keypoints" not in ann.obj:
            return None
        values = ann.numbers("keypoints")
        if len(values) != 3 * len(label.sublabels):
            raise ann.error("keypoints", f"category '{label.name}' has {len(label.sublabels)} keypoints, "
                                         f"so 'keypoints' needs {3 * len(label.sublabels)} numbers, got {len(values)}")
        elements = []
        triples = [values[i:i + 3] for i in range(0, len(values), 3)]
        for sub, (x, y, v) in zip(label.sublabels, triples, strict=True):
            if v not in (0, 1, 2):
                raise ann.error("keypoints", f"visibility of point '{sub.name}' must be 0, 1 or 2, got {v:g}")
            elements.append(Shape(ShapeType.POINTS, sub.name, (x, y), occluded=v == 1, outside=v == 0,
                                  source=ObjectSource.FILE))
        reserved, attrs = read_attributes(ann)
        return Shape(ShapeType.SKELETON, label.name, (), occluded=bool(reserved.get("occluded", False)),
                     attributes=attrs, source=ObjectSource.FILE, score=ann.number("score", 1.0),
                     elements=tuple(elements))
