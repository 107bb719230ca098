"""CVAT XML 1.1, the parts both flavours share: the header, label specs, shape elements.

The flavours are registered in :mod:`inklab.formats.cvat_images` (``<image>`` elements with
shapes; tracks as per-frame shapes) and :mod:`inklab.formats.cvat_video` (``<track>``
elements). Both are read by the one importer "CVAT 1.1" (:func:`load`), from an
``annotations.xml`` alone or in a zip (images under ``images/``).

Element attributes written for every shape: ``label``, ``source``, ``occluded``, ``z_order``,
and when they differ from the defaults ``group_id``, ``rotation`` and ``score``; per type:

* ``box``: ``xtl ytl xbr ybr``; ``ellipse``: ``cx cy rx ry``;
* ``polygon``/``polyline``/``points``: ``points="x0,y0;x1,y1"``;
* ``cuboid``: ``xtl1 ytl1 xbl1 ybl1 xtr1 ytr1 xbr1 ybr1`` and the same with ``2``;
* ``mask``: ``rle`` (CVAT run lengths over the box), ``left top width height``;
* ``skeleton``: one ``<points label=… occluded outside points>`` child per skeleton point.

Numbers keep full precision (two decimals when that is exact, as CVAT writes them).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

from inklab.formats.errors import MalformedFile
from inklab.formats.files import InputTree
from inklab.formats.model import Attribute, AttributeSpec, LabelSpec, Shape, Tag, TrackedShape
from inklab.formats.xmlfile import Element, XmlWriter
from inklab.vocabulary import InputType, LabelType, ObjectSource, ShapeType

__all__ = [
    "ELEMENT_OF",
    "SHAPE_OF",
    "find_annotations",
    "geometry_attributes",
    "num",
    "parse_attributes",
    "parse_geometry",
    "parse_labels",
    "write_attributes",
    "write_meta",
]

#: XML element name of each shape type, and back
ELEMENT_OF = {ShapeType.RECTANGLE: "box", ShapeType.POLYGON: "polygon", ShapeType.POLYLINE: "polyline",
              ShapeType.POINTS: "points", ShapeType.ELLIPSE: "ellipse", ShapeType.CUBOID: "cuboid",
              ShapeType.MASK: "mask", ShapeType.SKELETON: "skeleton"}
SHAPE_OF = {v: k for k, v in ELEMENT_OF.items()}

_CUBOID = ("xtl1", "ytl1", "xbl1", "ybl1", "xtr1", "ytr1", "xbr1", "ybr1",
           "xtl2", "ytl2", "xbl2", "ybl2", "xtr2", "ytr2", "xbr2", "ybr2")
_SOURCES = frozenset(ObjectSource)


def num(value: float) -> str:
    """A coordinate as text: two decimals when exact, else the shortest exact form."""
    text = f"{value:.2f}"
    return text if float(text) == value else repr(float(value))


def _points(values: Sequence[float]) -> str:
    return ";".join(f"{num(values[i])},{num(values[i + 1])}" for i in range(0, len(values) - 1, 2))


def geometry_attributes(type_: ShapeType, points: Sequence[float], rotation: float) -> dict[str, str | None]:
    """The geometry attributes of a shape element."""
    if type_ == ShapeType.RECTANGLE:
        x1, y1, x2, y2 = points
        attrs: dict[str, str | None] = {"xtl": num(x1), "ytl": num(y1), "xbr": num(x2), "ybr": num(y2)}
    elif type_ == ShapeType.ELLIPSE:
        cx, cy, right, top = points
        attrs = {"cx": num(cx), "cy": num(cy), "rx": num(right - cx), "ry": num(cy - top)}
    elif type_ == ShapeType.CUBOID:
        attrs = {name: num(v) for name, v in zip(_CUBOID, points, strict=True)}
    elif type_ == ShapeType.MASK:
        x1, y1, x2, y2 = (int(v) for v in points[-4:])
        attrs = {"rle": ", ".join(str(int(v)) for v in points[:-4]), "left": str(x1), "top": str(y1),
                 "width": str(x2 - x1 + 1), "height": str(y2 - y1 + 1)}
    elif type_ == ShapeType.SKELETON:
        attrs = {}
    else:
        attrs = {"points": _points(points)}
    if rotation and type_ in (ShapeType.RECTANGLE, ShapeType.ELLIPSE):
        attrs["rotation"] = num(rotation)
    return attrs


def write_attributes(writer: XmlWriter, attributes: Iterable[Attribute]) -> None:
    for attr in attributes:
        writer.leaf("attribute", {"name": attr.name}, attr.value)


def _write_label(writer: XmlWriter, label: LabelSpec, parent: str | None) -> None:
    writer.start("label")
    writer.leaf("name", None, label.name)
    writer.leaf("color", None, label.color)
    writer.leaf("type", None, label.type.value)
    writer.start("attributes")
    for spec in label.attributes:
        writer.start("attribute")
        writer.leaf("name", None, spec.name)
        writer.leaf("mutable", None, "True" if spec.mutable else "False")
        writer.leaf("input_type", None, spec.input_type.value)
        writer.leaf("default_value", None, spec.default_value)
        writer.leaf("values", None, "\n".join(spec.values))
        writer.end("attribute")
    writer.end("attributes")
    if label.type == LabelType.SKELETON:
        writer.leaf("svg", None, label.svg)
    if parent is not None:
        writer.leaf("parent", None, parent)
    writer.end("label")


def write_meta(writer: XmlWriter, scope: str, info: Mapping[str, Any], labels: Iterable[LabelSpec],
               original_size: tuple[int, int] | None = None) -> None:
    """``<version>`` and ``<meta>``; ``scope`` is ``task``, ``job`` or ``project``; ``info`` has
    the plain header fields (``id``, ``name``, ``size``, ``mode``, ...), ``segments`` (a list of
    ``{id, start, stop, url}``) and ``owner`` (``{username, email}``)."""
    writer.leaf("version", None, "1.1")
    writer.start("meta")
    writer.start(scope)
    for key in ("id", "name", "size", "mode", "overlap", "bugtracker", "created", "updated", "subset",
                "start_frame", "stop_frame", "frame_filter"):
        if info.get(key) is not None:
            writer.leaf(key, None, str(info[key]))
    if info.get("segments"):
        writer.start("segments")
        for segment in info["segments"]:
            writer.start("segment")
            for key in ("id", "start", "stop", "url"):
                writer.leaf(key, None, str(segment.get(key, "")))
            writer.end("segment")
        writer.end("segments")
    if info.get("owner"):
        writer.start("owner")
        writer.leaf("username", None, str(info["owner"].get("username", "")))
        writer.leaf("email", None, str(info["owner"].get("email", "")))
        writer.end("owner")
    writer.start("labels")
    for label in labels:
        _write_label(writer, label, None)
        for sub in label.sublabels:
            _write_label(writer, sub, label.name)
    writer.end("labels")
    if original_size is not None:
        writer.start("original_size")
        writer.leaf("width", None, str(original_size[0]))
        writer.leaf("height", None, str(original_size[1]))
        writer.end("original_size")
    writer.end(scope)
    if info.get("dumped"):
        writer.leaf("dumped", None, str(info["dumped"]))
    writer.end("meta")


# -- reading ----------------------------------------------------------------------------------

def find_annotations(source: InputTree) -> str:
    """The XML file of an upload: ``annotations.xml`` (anywhere), else the only ``.xml`` file."""
    names = source.names()
    found = [n for n in names if n == "annotations.xml" or n.endswith("/annotations.xml")]
    if not found:
        found = [n for n in names if n.lower().endswith(".xml")]
    if len(found) != 1:
        problem = "no .xml file found" if not found else f"several .xml files ({', '.join(found[:5])})"
        raise MalformedFile(source.label, None, f"{problem}; expected one annotations.xml")
    return min(found, key=len)


def _parse_input_type(element: Element, text: str) -> InputType:
    try:
        return InputType(text)
    except ValueError:
        raise element.error(f"unknown input_type '{text}'") from None


def _parse_label(element: Element) -> tuple[LabelSpec, str]:
    name = element.findtext("name")
    if not name:
        raise element.error("a label needs a <name>")
    attributes = []
    container = element.find("attributes")
    for attr in container.findall("attribute") if container is not None else ():
        attr_name = attr.findtext("name")
        if not attr_name:
            raise attr.error("an attribute needs a <name>")
        values = tuple(v for v in attr.findtext("values").split("\n") if v != "")
        attributes.append(AttributeSpec(attr_name, _parse_input_type(attr, attr.findtext("input_type", "text")),
                                        values, attr.findtext("default_value"),
                                        attr.findtext("mutable").lower() == "true"))
    type_text = element.findtext("type") or LabelType.ANY
    try:
        label_type = LabelType(type_text)
    except ValueError:
        raise element.error(f"unknown label type '{type_text}'") from None
    return (LabelSpec(name, label_type, element.findtext("color"), tuple(attributes), (), element.findtext("svg")),
            element.findtext("parent"))


def parse_labels(meta: Element) -> tuple[LabelSpec, ...]:
    """Label specs from ``<meta>`` (of a task, job or project); sublabels joined to skeletons."""
    scope = meta.find("task") or meta.find("job") or meta.find("project")
    labels_element = scope.find("labels") if scope is not None else None
    if labels_element is None:
        return ()
    top: dict[str, LabelSpec] = {}
    children: dict[str, list[LabelSpec]] = {}
    for element in labels_element.findall("label"):
        label, parent = _parse_label(element)
        if parent:
            children.setdefault(parent, []).append(label)
        else:
            top[label.name] = label
    for parent, subs in children.items():
        if parent not in top:
            raise labels_element.error(f"label '{subs[0].name}' names an unknown parent '{parent}'")
        top[parent] = LabelSpec(top[parent].name, top[parent].type, top[parent].color, top[parent].attributes,
                                tuple(subs), top[parent].svg)
    return tuple(top.values())


def parse_attributes(element: Element) -> tuple[Attribute, ...]:
    result = []
    for child in element.findall("attribute"):
        name = child.get("name")
        if name is None:
            raise child.error("this attribute is required", "name")
        result.append(Attribute(name, child.text))
    return tuple(result)


def _parse_points(element: Element, minimum: int) -> tuple[float, ...]:
    raw = element.require("points")
    values: list[float] = []
    try:
        for pair in raw.split(";"):
            if not pair.strip():
                continue
            x, y = pair.split(",")
            values.extend((float(x), float(y)))
    except ValueError:
        raise element.error(f"expected 'x,y;x,y;...', got {raw[:60]!r}", "points") from None
    if len(values) < minimum * 2:
        raise element.error(f"needs at least {minimum} point(s), got {len(values) // 2}", "points")
    return tuple(values)


def parse_geometry(element: Element) -> tuple[ShapeType, tuple[float, ...], float]:
    """``(type, points, rotation)`` of a shape element."""
    type_ = SHAPE_OF.get(element.tag)
    if type_ is None:
        raise element.error(f"unknown shape element <{element.tag}>")
    rotation = element.number("rotation", 0.0)
    if type_ == ShapeType.RECTANGLE:
        points: tuple[float, ...] = tuple(element.number(k) for k in ("xtl", "ytl", "xbr", "ybr"))
    elif type_ == ShapeType.ELLIPSE:
        cx, cy, rx, ry = (element.number(k) for k in ("cx", "cy", "rx", "ry"))
        points = (cx, cy, cx + rx, cy - ry)
    elif type_ == ShapeType.CUBOID:
        points = tuple(element.number(k) for k in _CUBOID)
    elif type_ == ShapeType.MASK:
        left, top, width, height = (element.integer(k) for k in ("left", "top", "width", "height"))
        try:
            runs = [int(v) for v in element.require("rle").replace(" ", "").split(",") if v != ""]
        except ValueError:
            raise element.error("expected comma-separated run lengths", "rle") from None
        if width <= 0 or height <= 0 or sum(runs) != width * height or any(r < 0 for r in runs):
            raise element.error(f"the run lengths must cover width x height = {width * height} pixels", "rle")
        points = (*map(float, runs), float(left), float(top), float(left + width - 1), float(top + height - 1))
    elif type_ == ShapeType.SKELETON:
        points = ()
    else:
        points = _parse_points(element, {ShapeType.POLYGON: 3, ShapeType.POLYLINE: 2}.get(type_, 1))
    return type_, points, rotation


def parse_source(element: Element) -> str:
    source = element.get("source") or ObjectSource.MANUAL
    if source not in _SOURCES:
        raise element.error(f"unknown source '{source}'", "source")
    return source


def parse_shape(element: Element, *, frame_attrs: bool = False) -> Shape:
    """A shape element of an ``<image>`` (or a skeleton's point)."""
    type_, points, rotation = parse_geometry(element)
    label = element.get("label")
    if not label:
        raise element.error("this attribute is required", "label")
    elements: tuple[Shape, ...] = ()
    if type_ == ShapeType.SKELETON:
        elements = tuple(parse_shape(child) for child in element.children if child.tag == "points")
        if not elements:
            raise element.error("a skeleton needs its <points> elements")
    track_id = element.get("track_id")
    return Shape(
        type_, label, points, occluded=element.flag("occluded"), outside=element.flag("outside"),
        z_order=element.integer("z_order", 0), rotation=rotation, attributes=parse_attributes(element),
        group=element.integer("group_id", 0), source=parse_source(element), score=element.number("score", 1.0),
        elements=elements, track_id=int(track_id) if track_id not in (None, "") else None,
        keyframe=element.flag("keyframe"),
    )


def parse_tag(element: Element) -> Tag:
    label = element.get("label")
    if not label:
        raise element.error("this attribute is required", "label")
    return Tag(label, parse_attributes(element), element.integer("group_id", 0), parse_source(element))


def parse_tracked(element: Element) -> TrackedShape:
    """A shape element inside a ``<track>`` (needs ``frame``)."""
    type_, points, rotation = parse_geometry(element)
    return TrackedShape(element.integer("frame"), type_, points, occluded=element.flag("occluded"),
                        outside=element.flag("outside"), z_order=element.integer("z_order", 0), rotation=rotation,
                        attributes=parse_attributes(element))


def shape_attributes(shape: Shape) -> dict[str, str | None]:
    """The element attributes of a shape in an ``<image>`` (common ones, then geometry)."""
    attrs: dict[str, str | None] = {"label": shape.label, "source": shape.source,
                                    "occluded": "1" if shape.occluded else "0"}
    if shape.type == ShapeType.POINTS and shape.outside:
        attrs["outside"] = "1"
    attrs.update(geometry_attributes(shape.type, shape.points, shape.rotation))
    attrs["z_order"] = str(shape.z_order)
    if shape.group:
        attrs["group_id"] = str(shape.group)
    if shape.score != 1.0:
        attrs["score"] = num(shape.score)
    return attrs


def iter_elements(items: Iterable[Element], tags: frozenset[str]) -> Iterator[Element]:
    for item in items:
        if item.tag in tags:
            yield item
