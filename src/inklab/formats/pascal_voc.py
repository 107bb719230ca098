"""PASCAL VOC 1.1: boxes in XML, tags in classification lists, and segmentation masks.

Layout (export)::

    Annotations/<id>.xml                  per frame: filename, size, and an <object> per box
    ImageSets/Main/<subset>.txt           the subset's ids (frame names without extension)
    ImageSets/Main/<label>_<subset>.txt   per tag label: "<id> 1" for frames with the tag, else "<id> -1"
    labelmap.txt                          the classes (name:r,g,b:parts:actions), background first
    ImageSets/Segmentation/<subset>.txt,  polygons, ellipses and masks drawn as class and instance
    SegmentationClass/, SegmentationObject/  masks (see :mod:`inklab.formats.voc_masks`), for the
                                          frames that have them
    JPEGImages/<frame name>               with save_images

An ``<object>`` has the box (``xmin ymin xmax ymax``, pixels, as they are), ``occluded``,
``truncated`` and ``difficult`` (from the checkbox attributes of those names) and ``pose``
(from a ``pose`` attribute), and the other attributes in ``<attributes>``, the rotation of a
rotated box among them (as CVAT writes it; readers that do not know it see the unrotated box).
Tracks become the shapes of each frame where the object is visible; frames without a subset
are the ``default`` subset. Polylines, points, cuboids and skeletons are not written.

Import takes that archive or a zip of ``.xml`` files; masks come back one per instance.
Labels of objects must be the target's when it has labels
(:attr:`~inklab.formats.registry.ImportOptions.labels`).
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import ExitStack
from typing import IO, TextIO
from xml.sax.saxutils import escape

from inklab.formats.colormaps import LabelMap
from inklab.formats.errors import MalformedFile, UnknownLabel
from inklab.formats.fidelity import DROPPED, KEPT, Fidelity, Property, converted
from inklab.formats.files import InputTree, OutputTree
from inklab.formats.model import DEFAULT_SUBSET, Attribute, Dataset, Frame, Shape, Tag
from inklab.formats.registry import ExportOptions, FormatInfo, ImportOptions, register
from inklab.formats.segmaps import paint
from inklab.formats.tracks import flatten_tracks
from inklab.formats.voc_masks import VocMaskReader, VocMaskWriter, find_root, voc_id
from inklab.formats.xmlfile import Element, parse
from inklab.formats.yolo_text import image_name, strip_ext
from inklab.vocabulary import ObjectSource, ShapeType

__all__ = ["PascalVoc"]

_OWN = frozenset({"pose", "truncated", "difficult", "occluded"})
_MASKED = frozenset({ShapeType.POLYGON, ShapeType.ELLIPSE, ShapeType.MASK})
_FOLDERS = ("Annotations", "ImageSets", "JPEGImages", "SegmentationClass", "SegmentationObject")


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def _true(value: str | None) -> bool:
    return (value or "").strip().lower() in ("1", "true", "yes")


def _object_xml(shape: Shape) -> str:
    """An ``<object>`` element (indented for its place in ``<annotation>``), written at once:
    a file has as many of them as boxes."""
    x1, y1, x2, y2 = shape.points
    pose, truncated, difficult = "Unspecified", 0, 0
    attributes = ""
    if shape.attributes or shape.rotation % 360:
        pose = escape(shape.attribute("pose") or "Unspecified")
        truncated = 1 if _true(shape.attribute("truncated")) else 0
        difficult = 1 if _true(shape.attribute("difficult")) else 0
        extra = [a for a in shape.attributes if a.name not in _OWN]
        if shape.rotation % 360:
            extra.append(Attribute("rotation", _num(shape.rotation)))
        if extra:
            attributes = ("    <attributes>\n" + "".join(
                f"      <attribute>\n        <name>{escape(a.name)}</name>\n        <value>{escape(a.value)}</value>\n"
                f"      </attribute>\n" for a in extra) + "    </attributes>\n")
    return (f"  <object>\n    <name>{escape(shape.label)}</name>\n"
            f"    <pose>{pose}</pose>\n"
            f"    <truncated>{truncated}</truncated>\n"
            f"    <difficult>{difficult}</difficult>\n"
            f"    <occluded>{1 if shape.occluded else 0}</occluded>\n"
            f"    <bndbox>\n      <xmin>{_num(x1)}</xmin>\n      <ymin>{_num(y1)}</ymin>\n"
            f"      <xmax>{_num(x2)}</xmax>\n      <ymax>{_num(y2)}</ymax>\n    </bndbox>\n"
            f"{attributes}  </object>\n")


class _TagLists:
    """Per subset, each frame's id and tags, spooled; written as per-label lists at the end."""

    def __init__(self) -> None:
        self._spools: dict[str, IO[str]] = {}
        self._labels: dict[str, dict[str, None]] = {}

    def add(self, subset: str, ident: str, labels: list[str]) -> None:
        spool = self._spools.get(subset)
        if spool is None:
            spool = self._spools[subset] = tempfile.TemporaryFile("w+", encoding="utf-8")
            self._labels[subset] = {}
        spool.write(ident + "\t" + "\t".join(labels) + "\n")
        self._labels[subset].update(dict.fromkeys(labels))

    def write(self, out: OutputTree) -> None:
        for subset, spool in self._spools.items():
            for label in self._labels[subset]:
                spool.seek(0)
                with out.text(f"ImageSets/Main/{label}_{subset}.txt") as target:
                    for line in spool:
                        ident, *labels = line.rstrip("\n").split("\t")
                        target.write(f"{ident} {'1' if label in labels else '-1'}\n")

    def close(self) -> None:
        for spool in self._spools.values():
            spool.close()


@register
class PascalVoc:
    info = FormatInfo(name="PASCAL VOC 1.1", ext="ZIP", version="1.1", can_import=True, can_export=True)
    fidelity = Fidelity(
        {
            "tag": KEPT,
            "rectangle": KEPT,
            "polygon": converted("mask"),
            "ellipse": converted("mask"),
            "mask": converted("mask", "its visible pixels"),
            "track": converted("shapes", "one per visible frame"),
            "polyline": DROPPED, "points": DROPPED, "cuboid": DROPPED, "skeleton": DROPPED,
        },
        lost=frozenset({Property.ATTRIBUTES, Property.OCCLUDED, Property.GROUP, Property.Z_ORDER,
                        Property.SOURCE, Property.SCORE, Property.LABEL_SPECS, Property.SKELETON_SVG}),
        notes="boxes keep attributes, occluded and rotation; masks: where shapes overlap, the upper one's pixels",
    )

    # -- export --

    def export(self, dataset: Dataset, out: OutputTree, options: ExportOptions) -> None:
        label_map = LabelMap.for_labels(dataset.labels, tags=True)
        tags = _TagLists()
        with ExitStack() as stack:
            stack.callback(tags.close)
            masks = stack.enter_context(VocMaskWriter(out, label_map))
            lists: dict[str, TextIO] = {}
            for frame in flatten_tracks(dataset.frames, dataset.tracks):
                subset = frame.subset_name
                ident = voc_id(frame)
                if subset not in lists:
                    lists[subset] = stack.enter_context(out.deferred_text(f"ImageSets/Main/{subset}.txt"))
                lists[subset].write(ident + "\n")
                painting = paint(frame, label_map, _MASKED) if any(s.type in _MASKED for s in frame.shapes) else None
                segmented = painting is not None and bool(painting.shapes)
                if segmented:
                    masks.frame(frame, painting)  # type: ignore[arg-type]
                self._write_xml(out, frame, ident, label_map, segmented)
                tags.add(subset, ident, list(dict.fromkeys(t.label for t in frame.tags)))
                if options.save_images and frame.image is not None:
                    out.add_media(f"JPEGImages/{image_name(frame)}", frame.image)
            tags.write(out)

    @staticmethod
    def _write_xml(out: OutputTree, frame: Frame, ident: str, label_map: LabelMap, segmented: bool) -> None:
        # written as one string: a frame's file is small, and there are as many files as frames
        objects = "".join([_object_xml(shape) for shape in frame.shapes
                           if shape.type == ShapeType.RECTANGLE and label_map.index(shape.label) is not None])
        out.write_bytes(f"Annotations/{ident}.xml", (
            '<?xml version="1.0" encoding="utf-8"?>\n<annotation>\n  <folder></folder>\n'
            f"  <filename>{escape(image_name(frame))}</filename>\n"
            "  <source>\n    <database>Unknown</database>\n    <annotation>Unknown</annotation>\n"
            "    <image>Unknown</image>\n  </source>\n"
            f"  <size>\n    <width>{frame.width}</width>\n    <height>{frame.height}</height>\n"
            f"    <depth>3</depth>\n  </size>\n  <segmented>{1 if segmented else 0}</segmented>\n"
            f"{objects}</annotation>\n").encode())

    # -- import --

    def load(self, source: InputTree, options: ImportOptions) -> Dataset:
        root = find_root(source, _FOLDERS)
        masks = VocMaskReader(source, root)
        names = set(source.names())
        annotations = f"{root}Annotations/"
        xml = sorted(n for n in names if n.startswith(annotations) and n.endswith(".xml"))
        if not xml and not any(n.startswith(root + f + "/") for n in names for f in _FOLDERS):
            xml = sorted(n for n in names if n.lower().endswith(".xml"))  # a zip of annotation files
            annotations = ""
        subsets, tags = self._lists(source, names, root)
        if not xml and not masks.ids() and not subsets and not tags:
            raise MalformedFile(source.label, None, "no VOC annotations found (Annotations/*.xml, ImageSets/Main/"
                                                    "*.txt, SegmentationClass/*.png or .xml files)")
        known = {label.name for label in options.labels}
        labels = masks.label_map.labels()
        return Dataset(labels, self._frames(source, names, root, annotations, xml, masks, subsets, tags, known))

    @staticmethod
    def _lists(source: InputTree, names: set[str], root: str) -> tuple[dict[str, str], dict[str, list[str]]]:
        """Subsets of ids from ImageSets/Main/<subset>.txt and tags from <label>_<subset>.txt."""
        prefix = f"{root}ImageSets/Main/"
        files = sorted(n for n in names if n.startswith(prefix) and n.endswith(".txt") and "/" not in n[len(prefix):])
        plain: list[str] = []
        scored: list[str] = []
        for name in files:
            first = next((line.split() for line in source.read_text(name).splitlines() if line.strip()), [])
            (scored if len(first) == 2 and first[1].lstrip("-").isdigit() else plain).append(name)
        subsets: dict[str, str] = {}
        for name in plain:
            subset = name[len(prefix):-4]
            for line in source.read_text(name).splitlines():
                if line.strip():
                    subsets.setdefault(line.split()[0], "" if subset == DEFAULT_SUBSET else subset)
        stems = sorted((n[len(prefix):-4] for n in plain), key=len, reverse=True)
        tags: dict[str, list[str]] = {}
        for name in scored:
            stem = name[len(prefix):-4]
            subset = next((s for s in stems if stem.endswith("_" + s)), stem.rsplit("_", 1)[-1])
            label = stem[:-len(subset) - 1] if stem.endswith("_" + subset) else stem
            for number, line in enumerate(source.read_text(name).splitlines(), 1):
                fields = line.split()
                if not fields:
                    continue
                if len(fields) != 2 or fields[1] not in ("1", "-1", "0"):
                    raise MalformedFile(name, f"line {number}", f"expected '<id> 1' or '<id> -1', got {line!r}")
                if fields[1] == "1":
                    tags.setdefault(fields[0], []).append(label)
        return subsets, tags

    def _frames(self, source: InputTree, names: set[str], root: str, annotations: str, xml: list[str],
                masks: VocMaskReader, subsets: dict[str, str], tags: dict[str, list[str]],
                known: set[str]) -> Iterator[Frame]:
        images_dir = f"{root}JPEGImages/"
        images = {strip_ext(n[len(images_dir):]): n for n in names if n.startswith(images_dir)}
        seen: set[str] = set()
        for name in xml:
            ident = name[len(annotations):-4] if annotations else name.rsplit("/", 1)[-1][:-4]
            seen.add(ident)
            yield self._frame(source, name, ident, masks, subsets, tags, images, known)
        for ident in [*masks.ids(), *tags, *subsets]:
            if ident not in seen:
                seen.add(ident)
                yield self._frame(source, None, ident, masks, subsets, tags, images, known)

    def _frame(self, source: InputTree, xml: str | None, ident: str, masks: VocMaskReader, subsets: dict[str, str],
               tags: dict[str, list[str]], images: dict[str, str], known: set[str]) -> Frame:
        shapes, size = masks.masks(ident)
        image = images.get(ident)
        name = image.split("JPEGImages/", 1)[1] if image else ident
        width, height = size or (0, 0)
        if xml is not None:
            document = parse(source, xml)
            if document.tag != "annotation":
                raise document.error("expected <annotation> as the root element")
            filename = document.findtext("filename").strip()
            if filename and not image:
                directory = ident.rsplit("/", 1)[0] + "/" if "/" in ident else ""
                name = filename if "/" in filename else directory + filename
            size_element = document.find("size")
            if size_element is not None:
                width = _integer(size_element, "width", width)
                height = _integer(size_element, "height", height)
            boxes = [self._box(obj, known, width, height) for obj in document.findall("object")]
            shapes = [*boxes, *shapes]
        frame_tags = tuple(Tag(label, source=ObjectSource.FILE) for label in dict.fromkeys(tags.get(ident, ())))
        return Frame(None, name, width, height, subsets.get(ident, ""), tags=frame_tags, shapes=tuple(shapes),
                     image=source.media(image) if image else None)

    @staticmethod
    def _box(obj: Element, known: set[str], width: int, height: int) -> Shape:
        name_element = obj.find("name")
        if name_element is None or not name_element.text:
            raise obj.error("an <object> needs a <name>")
        label = name_element.text
        if known and label not in known:
            raise UnknownLabel(label, f"{obj.file}, line {name_element.line}, <name>", sorted(known))
        box = obj.find("bndbox")
        if box is None:
            raise obj.error("an <object> needs a <bndbox>")
        coords = []
        for tag in ("xmin", "ymin", "xmax", "ymax"):
            element = box.find(tag)
            if element is None:
                raise box.error(f"<{tag}> is missing")
            try:
                coords.append(float(element.text))
            except ValueError:
                raise element.error(f"expected a number, got {element.text!r}") from None
        x1, y1, x2, y2 = coords
        if x2 < x1 or y2 < y1:
            raise box.error(f"xmax and ymax must not be less than xmin and ymin, got {x1:g} {y1:g} {x2:g} {y2:g}")
        if width and height and not (-1 <= x1 and -1 <= y1 and x2 <= width + 1 and y2 <= height + 1):
            raise box.error(f"the box ({x1:g}, {y1:g}, {x2:g}, {y2:g}) is outside the {width}x{height} image")
        attributes: list[Attribute] = []
        rotation = 0.0
        pose = obj.findtext("pose").strip()
        if pose and pose != "Unspecified":
            attributes.append(Attribute("pose", pose))
        for flag in ("truncated", "difficult"):
            if _true(obj.findtext(flag)):
                attributes.append(Attribute(flag, "true"))
        extra = obj.find("attributes")
        for item in extra.findall("attribute") if extra is not None else ():
            key, value = item.findtext("name").strip(), item.findtext("value")
            if not key:
                raise item.error("an <attribute> needs a <name>")
            if key == "rotation":
                try:
                    rotation = float(value)
                except ValueError:
                    raise item.error(f"expected a number as the rotation, got {value!r}") from None
            else:
                attributes.append(Attribute(key, value))
        return Shape(ShapeType.RECTANGLE, label, (x1, y1, x2, y2), occluded=_true(obj.findtext("occluded")),
                     rotation=rotation, attributes=tuple(attributes), source=ObjectSource.FILE)


def _integer(element: Element, tag: str, default: int) -> int:
    child = element.find(tag)
    if child is None or not child.text:
        return default
    try:
        return int(float(child.text))
    except ValueError:
        raise child.error(f"expected a number, got {child.text!r}") from None
