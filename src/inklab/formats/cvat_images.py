"""CVAT for images 1.1, and the "CVAT 1.1" importer that reads both CVAT XML flavours.

Layout::

    annotations.xml
    images/<frame name>        with save_images (a project's: images/<subset>/<frame name>)

Each frame is an ``<image id name width height [subset]>`` with its shapes and ``<tag>``s.
Tracks are written on every frame where the object is visible, with ``track_id`` and
``keyframe`` attributes; the importer rebuilds them from the keyframes and adds an outside
keyframe where the object stops appearing, so tracks round-trip. See
:mod:`inklab.formats.cvat_xml` for the shape elements.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any

from inklab.formats.cvat_xml import (
    ELEMENT_OF,
    SHAPE_OF,
    find_annotations,
    num,
    parse_attributes,
    parse_labels,
    parse_shape,
    parse_source,
    parse_tag,
    parse_tracked,
    shape_attributes,
    write_attributes,
    write_meta,
)
from inklab.formats.errors import MalformedFile
from inklab.formats.fidelity import Fidelity
from inklab.formats.files import InputTree, OutputTree, find_image, image_index
from inklab.formats.model import Dataset, DatasetInfo, Frame, LabelSpec, Shape, Tag, Track, TrackedShape
from inklab.formats.registry import ExportOptions, FormatInfo, ImportOptions, register
from inklab.formats.tracks import TrackSplitter, flatten_tracks
from inklab.formats.xmlfile import Element, XmlWriter, iter_children
from inklab.vocabulary import ShapeType

__all__ = ["CvatImages", "load_cvat", "write_shape", "write_tag"]


def write_tag(writer: XmlWriter, tag: Tag, frame: int | None = None) -> None:
    attrs = {"label": tag.label, "source": tag.source, "frame": None if frame is None else str(frame),
             "group_id": str(tag.group) if tag.group else None}
    if tag.attributes:
        writer.start("tag", attrs)
        write_attributes(writer, tag.attributes)
        writer.end("tag")
    else:
        writer.leaf("tag", attrs)


def write_shape(writer: XmlWriter, shape: Shape, track_state: dict[str, str] | None = None) -> None:
    """A shape element of an ``<image>``, or with ``track_state`` (``frame``, ``keyframe``,
    ``outside``) one of a ``<track>`` (without the track's label, source and group)."""
    attrs = shape_attributes(shape)
    if track_state is not None:
        for key in ("label", "source", "group_id"):
            attrs.pop(key, None)
        attrs = {**track_state, **attrs, "outside": track_state["outside"]}
    elif shape.track_id is not None:
        attrs["track_id"] = str(shape.track_id)
        attrs["keyframe"] = "1" if shape.keyframe else "0"
    in_track = track_state is not None or shape.track_id is not None
    tag = ELEMENT_OF[shape.type]
    if not shape.attributes and not shape.elements:
        writer.leaf(tag, attrs)
        return
    writer.start(tag, attrs)
    for element in shape.elements:
        element_attrs: dict[str, str | None] = {
            "label": element.label, "source": element.source, "occluded": "1" if element.occluded else "0",
            "outside": "1" if element.outside else "0",
            "points": f"{num(element.points[0])},{num(element.points[1])}",
        }
        if in_track:
            element_attrs["keyframe"] = "1" if element.keyframe else "0"
        if element.attributes:
            writer.start("points", element_attrs)
            write_attributes(writer, element.attributes)
            writer.end("points")
        else:
            writer.leaf("points", element_attrs)
    write_attributes(writer, shape.attributes)
    writer.end(tag)


def scope_info(dataset: Dataset, mode: str) -> tuple[str, dict[str, Any]]:
    """The ``<meta>`` scope name and fields for a dataset."""
    extra = dict(dataset.info.extra)
    scope = str(extra.pop("scope", "task"))
    info: dict[str, Any] = {"name": dataset.info.name, "size": dataset.info.size, "mode": mode, **extra}
    return scope, info


@register
class CvatImages:
    info = FormatInfo(name="CVAT for images 1.1", ext="XML, ZIP", version="1.1", can_import=True,
                      can_export=True, import_name="CVAT 1.1", aliases=("CVAT XML 1.1",))
    fidelity = Fidelity.everything()

    def export(self, dataset: Dataset, out: OutputTree, options: ExportOptions) -> None:
        scope, info = scope_info(dataset, "annotation")
        by_subset = scope == "project"  # a project's tasks may reuse frame names: one folder per subset
        with out.deferred_text("annotations.xml") as stream:
            writer = XmlWriter(stream)
            writer.start("annotations")
            write_meta(writer, scope, info, dataset.labels)
            for frame in flatten_tracks(dataset.frames, dataset.tracks):
                writer.start("image", {"id": str(frame.index), "name": frame.name, "subset": frame.subset or None,
                                       "width": str(frame.width), "height": str(frame.height)})
                for shape in frame.shapes:
                    write_shape(writer, shape)
                for tag in frame.tags:
                    write_tag(writer, tag)
                writer.end("image")
                if options.save_images and frame.image is not None:
                    folder = f"images/{frame.subset_name}/" if by_subset else "images/"
                    out.add_media(folder + frame.name, frame.image)
            writer.end("annotations")

    def load(self, source: InputTree, options: ImportOptions) -> Dataset:
        return load_cvat(source)


def _split_track_attributes(shapes: list[TrackedShape], spec: LabelSpec | None,
                            ) -> tuple[tuple[Any, ...], list[TrackedShape]]:
    if not shapes:
        return (), shapes
    if spec is None:
        return (), shapes
    mutable = {a.name for a in spec.attributes if a.mutable}
    track_attrs = tuple(a for a in shapes[0].attributes if a.name not in mutable)
    kept = [TrackedShape(s.frame, s.type, s.points, s.occluded, s.outside, s.z_order, s.rotation,
                         tuple(a for a in s.attributes if a.name in mutable)) for s in shapes]
    return track_attrs, kept


def _keyframes(children: list[Element]) -> list[Element]:
    marked = [c for c in children if c.get("keyframe") is not None]
    if not marked:
        return children
    return [c for c in children if c.flag("keyframe")]


def parse_track(element: Element, labels: dict[str, LabelSpec]) -> Track:
    """A ``<track>`` of CVAT for video."""
    label = element.get("label")
    if not label:
        raise element.error("this attribute is required", "label")
    children = [c for c in element.children if c.tag in SHAPE_OF]
    if not children:
        raise element.error("a track needs at least one shape")
    if len({c.tag for c in children}) > 1:
        raise element.error("a track keeps one shape type")
    chosen = _keyframes(children)
    spec = labels.get(label)
    shapes = sorted((parse_tracked(c) for c in chosen), key=lambda s: s.frame)
    attrs, shapes = _split_track_attributes(shapes, spec)
    elements: list[Track] = []
    if children[0].tag == "skeleton":
        names = [p.get("label") or "" for p in children[0].children if p.tag == "points"]
        for name in names:
            points = []
            for skeleton in children:
                candidates = [p for p in skeleton.children if p.tag == "points" and p.get("label") == name]
                if not candidates:
                    raise skeleton.error(f"the skeleton lacks its point '{name}'")
                point = candidates[0]
                if point.get("keyframe") is not None:
                    if not point.flag("keyframe"):
                        continue
                elif skeleton not in chosen:
                    continue
                points.append(TrackedShape(skeleton.integer("frame"), ShapeType.POINTS, parse_tracked_points(point), point.flag("occluded"),
                                           point.flag("outside"), attributes=parse_attributes(point)))
            sub = spec.sublabel(name) if spec else None
            element_attrs, element_shapes = _split_track_attributes(sorted(points, key=lambda s: s.frame), sub)
            elements.append(Track(name, tuple(element_shapes), element_attrs))
        shapes = [TrackedShape(s.frame, ShapeType.SKELETON, (), s.occluded, s.outside, s.z_order, 0.0, s.attributes)
                  for s in shapes]
    track_id = element.get("id")
    return Track(label, tuple(shapes), attrs, element.integer("group_id", 0), parse_source(element),
                 tuple(elements), int(track_id) if track_id and track_id.isdigit() else None)


def parse_tracked_points(element: Element) -> tuple[float, ...]:
    shape = parse_shape(element)
    if len(shape.points) != 2:
        raise element.error("a skeleton point is one 'x,y' pair", "points")
    return shape.points


def _meta_size(meta: Element | None) -> int | None:
    if meta is None:
        return None
    for scope in ("task", "job", "project"):
        element = meta.find(scope)
        if element is not None and element.findtext("size").isdigit():
            return int(element.findtext("size"))
    return None


def load_cvat(source: InputTree) -> Dataset:
    """Read CVAT XML 1.1 (either flavour) from an upload."""
    name = find_annotations(source)
    children = iter_children(source, name)
    meta = None
    head: list[Element] = []
    for element in children:
        if element.tag == "meta":
            meta = element
        elif element.tag == "version":
            if not element.text.startswith("1."):
                raise element.error(f"version {element.text} is not supported (1.x is)")
        else:
            head.append(element)
            break
    labels = parse_labels(meta) if meta is not None else ()
    by_name = {label.name: label for label in labels}
    size = _meta_size(meta)
    images = image_index(source)
    seen = {"max": -1}
    video_tracks: list[Track] = []

    def frames() -> Iterator[Frame]:
        tags_by_frame: dict[int, list[Tag]] = {}
        for element in itertools.chain(head, children):
            if element.tag == "image":
                index = element.integer("id")
                seen["max"] = max(seen["max"], index)
                frame_name = element.require("name")
                shapes = tuple(parse_shape(c) for c in element.children if c.tag in SHAPE_OF)
                tags = tuple(parse_tag(c) for c in element.children if c.tag == "tag")
                subset = element.get("subset") or ""
                yield Frame(index, frame_name, element.integer("width", 0), element.integer("height", 0),
                            subset, tags, shapes, find_image(images, source, frame_name, subset))
            elif element.tag == "track":
                video_tracks.append(parse_track(element, by_name))
            elif element.tag == "tag":
                tags_by_frame.setdefault(element.integer("frame"), []).append(parse_tag(element))
            else:
                raise MalformedFile(name, f"line {element.line}", f"unexpected element <{element.tag}>")
        for index in sorted(tags_by_frame):
            yield Frame(index, tags=tuple(tags_by_frame[index]))

    # the images list every frame of the exported scope (a job's are numbered as in its task)
    splitter = TrackSplitter(frames(), lambda: seen["max"] + 1 if seen["max"] >= 0 else size, by_name)

    def tracks() -> Iterator[Track]:
        yield from splitter.tracks()
        yield from video_tracks

    return Dataset(labels, splitter.frames(), tracks(), DatasetInfo(size=size))
