"""Large COCO annotation files, read in passes so that memory stays flat as the file grows.

Shared by COCO 1.0 and COCO Keypoints 1.0 for a file that :func:`~inklab.formats.jsonstream.read_json`
streams (smaller ones are parsed whole and read by the formats themselves):

1. :func:`read_head` reads the top-level object up to ``annotations`` – in inklab's, CVAT's
   and most tools' files ``categories`` and ``images`` come first, so this pass stops early.
   Whatever of the two comes after ``annotations`` (the COCO dataset's own files end with
   ``categories``) is read in one more pass each.
2. :func:`streamed_frames` counts the annotations of each image (a pass that keeps only the
   ``image_id`` numbers), then reads the annotations one at a time, turns each into shapes
   at once and hands out each image's shapes, in the order of ``images``, as soon as all of
   its annotations have been read. Files whose annotations follow the images' order (inklab's
   exports, most tools') so hold one image's shapes at a time; any other order is read as
   correctly, holding the shapes of the images not yet complete.

Errors are those of the whole-file readers: the same file, JSON path and wording.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import ijson  # type: ignore[import-untyped]

from inklab.formats.errors import MalformedFile
from inklab.formats.files import InputTree
from inklab.formats.jsonfile import Fields, collection_paused
from inklab.formats.jsonstream import JsonStream, read_json, type_name
from inklab.formats.model import Shape

__all__ = ["CocoHead", "CocoImage", "Convert", "read_coco", "read_head", "read_image", "streamed_frames"]


@dataclass(frozen=True, slots=True)
class CocoImage:
    """One item of ``images``: what a frame needs of it."""

    id: int
    file_name: str
    width: int
    height: int


def read_image(item: Any, file: str, index: int) -> CocoImage:
    """``images[index]`` of ``file``, checked."""
    image = Fields(item, file, f"images[{index}]")
    return CocoImage(image.integer("id"), image.text("file_name"), image.integer("width", 0),
                     image.integer("height", 0))


@dataclass
class CocoHead:
    """A streamed COCO file: ``top`` has the file's ``categories`` (the other top-level fields
    are not kept), ``images`` its images; the annotations are read by :func:`streamed_frames`."""

    stream: JsonStream
    top: Fields
    images: list[CocoImage]


def read_coco(source: InputTree, name: str) -> Fields | CocoHead:
    """The COCO file ``name``: its top-level object, parsed whole, or for a file larger than
    :data:`~inklab.formats.jsonstream.STREAM_THRESHOLD` bytes its :class:`CocoHead`."""
    document = read_json(source, name)
    return read_head(document) if isinstance(document, JsonStream) else Fields(document, name, "")


def read_head(stream: JsonStream) -> CocoHead:
    """The categories and images of a streamed COCO file (see the module's docstring).

    Raises :class:`MalformedFile` for a syntax error, a top level that is not an object, and
    ``images``, ``categories`` or ``annotations`` of the wrong type.
    """
    with collection_paused():
        return _read_head(stream)


def _read_head(stream: JsonStream) -> CocoHead:
    name = stream.name
    top: dict[str, Any] = {}
    images: list[CocoImage] | None = None
    events = stream.events()
    _, event, value = next(events)
    if event != "start_map":
        raise MalformedFile(name, None, f"expected an object, got {type_name(event, value)}")
    annotations_next = False
    for _, event, value in events:
        if event == "end_map":  # the document's end: each value is read whole below
            break
        key = value
        _, event, value = next(events)
        if key == "annotations":
            top[key] = [] if event == "start_array" else _sample(event, value)
            annotations_next = True
            break
        if key == "images" and event == "start_array":
            images = [read_image(item, name, i) for i, item in enumerate(_array_items(events))]
        elif key in ("images", "categories"):
            top[key] = _build(events, event, value)
        else:
            _skip(events, event)
    events.close()
    if annotations_next:  # what follows the annotations: a pass for each of the two, if missing
        if images is None and "images" not in top:
            for value in stream.items("images"):
                top["images"] = value
        if "categories" not in top:
            for value in stream.items("categories"):
                top["categories"] = value
    checked = Fields(top, name, "")
    checked.array("annotations", [])
    checked.array("categories", [])
    if images is None:
        images = [read_image(item, name, i) for i, item in enumerate(checked.array("images", []))]
        top.pop("images", None)
    return CocoHead(stream, checked, images)


def _build(events: Iterator[tuple[str, str, Any]], event: str, value: Any) -> Any:
    """The value that starts with ``(event, value)``, built from the following events."""
    if event not in ("start_map", "start_array"):
        return value
    builder = ijson.ObjectBuilder()
    builder.event(event, value)
    depth = 1
    for _, event, value in events:
        builder.event(event, value)
        if event in ("start_map", "start_array"):
            depth += 1
        elif event in ("end_map", "end_array"):
            depth -= 1
            if not depth:
                break
    return builder.value


def _array_items(events: Iterator[tuple[str, str, Any]]) -> Iterator[Any]:
    """The items of the array whose ``start_array`` was the last event, one at a time."""
    for _, event, value in events:
        if event == "end_array":
            return
        if event != "start_map":
            yield _build(events, event, value)
            continue
        # a flat object (an image) built here rather than by ijson's builder: twice as fast
        obj: dict[str, Any] = {}
        key = ""
        for _, event, value in events:
            if event == "map_key":
                key = value
            elif event == "end_map":
                break
            elif event in _STARTS:
                obj[key] = _build(events, event, value)
            else:
                obj[key] = value
        yield obj


_STARTS = frozenset({"start_map", "start_array"})


def _skip(events: Iterator[tuple[str, str, Any]], event: str) -> None:
    if event not in ("start_map", "start_array"):
        return
    depth = 1
    for _, event, _ in events:
        if event in ("start_map", "start_array"):
            depth += 1
        elif event in ("end_map", "end_array"):
            depth -= 1
            if not depth:
                return


def _sample(event: str, value: Any) -> Any:
    """A value of the same type as the one that starts with ``(event, value)``, for the error
    message of a field of the wrong type (``expected a list, got dict``)."""
    return {} if event == "start_map" else value


#: turns ``annotations[index]`` (a parsed JSON value) of ``image`` into shapes, added to the list
Convert = Callable[[Any, int, CocoImage, list[Shape]], None]


def streamed_frames(head: CocoHead, convert: Convert) -> Iterator[tuple[CocoImage, list[Shape]]]:
    """Each image of ``head`` with its shapes, in the order of ``images``, as soon as all of its
    annotations are read (see the module's docstring).

    Raises :class:`MalformedFile` for an annotation without a valid ``image_id``, or one of an
    image that is not in ``images``, naming the annotation; ``convert`` raises for the rest.
    """
    name = head.stream.name
    images = head.images
    by_id: dict[int, CocoImage] = {}
    for image in images:
        by_id.setdefault(image.id, image)
    # annotations still to come per image id (values that are no image id are left to the
    # second pass, which names the annotation)
    remaining: dict[int, int] = {}
    for value in head.stream.items("annotations.item.image_id"):
        if type(value) is float and value.is_integer():
            value = int(value)
        if type(value) is int:
            remaining[value] = remaining.get(value, 0) + 1
    pending: dict[int, list[Shape]] = {}
    position = 0
    count = len(images)
    while position < count and images[position].id not in remaining:
        yield images[position], []
        position += 1
    # the cyclic collector is paused while annotations are read and converted (each one a few
    # new containers, none in a cycle: collecting them was a fifth of the time), not while the
    # consumer has a frame
    collecting = gc.isenabled()
    gc.disable()
    try:
        for index, obj in enumerate(head.stream.items("annotations.item")):
            image_id = obj.get("image_id") if type(obj) is dict else None
            if type(image_id) is not int:
                image_id = Fields(obj, name, f"annotations[{index}]").integer("image_id")
            owner = by_id.get(image_id)
            if owner is None:
                raise MalformedFile(name, f"annotations[{index}].image_id", f"image {image_id} is not in 'images'")
            shapes = pending.get(image_id)
            if shapes is None:
                shapes = pending[image_id] = []
            convert(obj, index, owner, shapes)
            left = remaining.get(image_id, 0) - 1
            remaining[image_id] = left
            if left < 0:  # the counting pass saw fewer: the file was replaced between the passes
                raise MalformedFile(name, f"annotations[{index}]", "the file changed while it was read")
            if not left:
                while position < count and remaining.get(images[position].id, 0) <= 0:
                    if collecting:
                        gc.enable()
                    yield images[position], pending.pop(images[position].id, [])
                    gc.disable()
                    position += 1
    finally:
        if collecting:
            gc.enable()
    while position < count:
        yield images[position], pending.pop(images[position].id, [])
        position += 1
