"""YOLO 1.1: Darknet's boxes, one text file per image.

Layout (export)::

    obj.names                       label names, one per line; the line number is the class index
    obj.data                        classes = N, <subset> = data/<subset>.txt, names = data/obj.names,
                                    backup = backup/
    <subset>.txt                    the subset's images: data/obj_<subset>_data/<frame name>
    obj_<subset>_data/<name>.txt    one line per box: class cx cy w h (fractions of the image size)
    obj_<subset>_data/<frame name>  with save_images

Frames without a subset go to ``train``. Rectangles are written as their boxes (a rotated
one as the axis-aligned box around it); tracks as the boxes of each frame where the object
is visible; other shapes, tags and all attributes are not written.

Import takes that archive or any zip with ``obj.names`` and label files (``<name>.txt``,
anywhere; the ones in ``obj_<subset>_data/`` get that subset). Coordinates are fractions of
the image size: it comes from the image when the archive has it, else from the task's frame
of that name (:attr:`~inklab.formats.registry.ImportOptions.image_size`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import ExitStack
from typing import TextIO

from inklab.formats.errors import MalformedFile, UnsupportedData
from inklab.formats.fidelity import DROPPED, Fidelity, Property, converted
from inklab.formats.files import InputTree, OutputTree
from inklab.formats.geometry import shape_bbox
from inklab.formats.model import Dataset, Frame, LabelSpec, Shape
from inklab.formats.registry import ExportOptions, FormatInfo, ImportOptions, register
from inklab.formats.tracks import flatten_tracks
from inklab.formats.yolo_text import (
    ImageSizes,
    LabelFile,
    image_name,
    strip_ext,
    subset_dir,
)
from inklab.vocabulary import ObjectSource, ShapeType

__all__ = ["BOX_FIDELITY", "Yolo", "box_line"]

_RESERVED_KEYS = frozenset({"classes", "names", "backup", "eval", "results"})
_DATA_DIR = re.compile(r"^obj_(.+)_data$")

#: what the YOLO-family box formats keep (YOLO 1.1, Ultralytics YOLO Detection)
BOX_FIDELITY = Fidelity(
    {
        "rectangle": converted("rectangle", "a rotated box: the axis-aligned box around it"),
        "track": converted("shapes", "one per visible frame"),
        "tag": DROPPED, "polygon": DROPPED, "polyline": DROPPED, "points": DROPPED, "ellipse": DROPPED,
        "cuboid": DROPPED, "mask": DROPPED, "skeleton": DROPPED,
    },
    lost=frozenset({Property.ATTRIBUTES, Property.GROUP, Property.Z_ORDER, Property.ROTATION, Property.OCCLUDED,
                    Property.SOURCE, Property.SCORE, Property.LABEL_SPECS, Property.SKELETON_SVG,
                    Property.SUBSETS}),
    precision=0.01,
    notes="frames without a subset go to train",
)


def box_line(index: int, shape: Shape, frame: Frame) -> str:
    """``class cx cy w h`` for a rectangle (the box around it when it is rotated)."""
    fw, fh = frame.width, frame.height
    if not (fw and fh):
        raise UnsupportedData(f"Frame '{frame.name}': its image size is unknown, so its boxes cannot be written "
                              "as fractions of it.")
    if shape.rotation % 360:
        x, y, w, h = shape_bbox(shape)
    else:
        x, y, x2, y2 = shape.points
        w, h = x2 - x, y2 - y
    line = "%d %.6f %.6f %.6f %.6f" % (index, (x + w / 2) / fw, (y + h / 2) / fh, w / fw, h / fh)  # noqa: UP031 - faster than f-strings here
    return line.replace("-0.000000", "0.000000") if "-0.000000" in line else line


def _localize(path: str) -> str:
    """A path from a list or obj.data, relative to the dataset root (``data/`` removed)."""
    path = path.strip().replace("\\", "/")
    while path.startswith("./"):
        path = path[2:]
    return path[len("data/"):] if path.startswith("data/") else path.lstrip("/")


@register
class Yolo:
    info = FormatInfo(name="YOLO 1.1", ext="ZIP", version="1.1", can_import=True, can_export=True)
    fidelity = BOX_FIDELITY

    # -- export --

    def export(self, dataset: Dataset, out: OutputTree, options: ExportOptions) -> None:
        labels = [label.name for label in dataset.labels]
        ids = {name: i for i, name in enumerate(labels)}
        with ExitStack() as stack:
            lists: dict[str, TextIO] = {}
            for frame in flatten_tracks(dataset.frames, dataset.tracks):
                subset = subset_dir(frame)
                folder = f"obj_{subset}_data"
                if subset not in lists:
                    lists[subset] = stack.enter_context(out.deferred_text(f"{subset}.txt"))
                name = image_name(frame)
                lists[subset].write(f"data/{folder}/{name}\n")
                text = "".join([box_line(ids[s.label], s, frame) + "\n" for s in frame.shapes
                                if s.type == ShapeType.RECTANGLE and s.label in ids])
                out.write_text(f"{folder}/{strip_ext(name)}.txt", text)
                if options.save_images and frame.image is not None:
                    out.add_media(f"{folder}/{name}", frame.image)
            subsets = list(lists) or ["train"]
        if not lists:
            out.write_text("train.txt", "")
        out.write_text("obj.names", "".join(f"{name}\n" for name in labels))
        data = [f"classes = {len(labels)}"] + [f"{s} = data/{s}.txt" for s in subsets]
        out.write_text("obj.data", "\n".join([*data, "names = data/obj.names", "backup = backup/"]) + "\n")

    # -- import --

    def load(self, source: InputTree, options: ImportOptions) -> Dataset:
        config, config_name = self._config(source)
        names_file = self._names_file(source, config, config_name)
        names = [line.strip() for line in source.read_text(names_file).splitlines() if line.strip()]
        base = config_name or names_file
        root = base.rsplit("/", 1)[0] + "/" if "/" in base else ""
        available = set(source.names())
        lists = {}
        for key, (line, value) in config.items():
            if key in _RESERVED_KEYS:
                continue
            path = root + _localize(value)
            if path not in available:
                raise MalformedFile(config_name, f"line {line}", f"the '{key}' list '{value}' is not in the archive")
            lists[key] = path
        labels = tuple(LabelSpec(name) for name in names)
        frames = self._frames(source, available, options, names, root, lists, {names_file, config_name})
        return Dataset(labels, frames)

    @staticmethod
    def _config(source: InputTree) -> tuple[dict[str, tuple[int, str]], str]:
        found = sorted(source.find("obj.data"), key=lambda n: n.count("/"))
        if not found:
            return {}, ""
        config: dict[str, tuple[int, str]] = {}
        for number, line in enumerate(source.read_text(found[0]).splitlines(), 1):
            match = re.match(r"^\s*(\w+)\s*=\s*(.*?)\s*$", line.split("#", 1)[0])
            if match:
                config[match.group(1)] = (number, match.group(2))
        return config, found[0]

    @staticmethod
    def _names_file(source: InputTree, config: dict[str, tuple[int, str]], config_name: str) -> str:
        if "names" in config:
            root = config_name.rsplit("/", 1)[0] + "/" if "/" in config_name else ""
            declared = root + _localize(config["names"][1])
            if source.exists(declared):
                return declared
            base = declared.rsplit("/", 1)[-1]
            nearby = [n for n in source.find(base)]
            if nearby:
                return nearby[0]
            raise MalformedFile(config_name, f"line {config['names'][0]}",
                                f"the names file '{config['names'][1]}' is not in the archive")
        found = sorted(source.find("obj.names"), key=lambda n: n.count("/"))
        if not found:
            raise MalformedFile(source.label, None, "no obj.names file (the label names) found")
        return found[0]

    def _frames(self, source: InputTree, available: set[str], options: ImportOptions, names: list[str], root: str,
                lists: dict[str, str], meta: set[str]) -> Iterator[Frame]:
        sizes = ImageSizes(options)
        done: set[str] = set()
        for subset, list_name in lists.items():
            for number, line in enumerate(source.read_text(list_name).splitlines(), 1):
                if not line.strip():
                    continue
                image = root + _localize(line)
                label_file = strip_ext(image) + ".txt"
                if label_file in done:
                    continue
                done.add(label_file)
                if label_file not in available:
                    raise MalformedFile(list_name, f"line {number}", f"the label file '{label_file}' is missing")
                yield self._frame(source, available, sizes, names, label_file, image, subset)
        images = {strip_ext(n): n for n in available if not n.lower().endswith(".txt") and strip_ext(n) != n}
        for name in sorted(available):
            if not name.lower().endswith(".txt") or name in done or name in meta or name in lists.values():
                continue
            if not lists and "/" not in name[len(root):] and self._looks_like_list(source, name):
                continue
            yield self._frame(source, available, sizes, names, name, images.get(name[:-4], name[:-4]), None)

    @staticmethod
    def _looks_like_list(source: InputTree, name: str) -> bool:
        """A top-level ``train.txt`` without obj.data: a list of images, not labels."""
        for line in source.read_text(name).splitlines():
            if line.strip():
                return not line.split()[0].lstrip("-").isdigit()
        return name.rsplit("/", 1)[-1] in ("train.txt", "valid.txt", "test.txt")

    def _frame(self, source: InputTree, available: set[str], sizes: ImageSizes, names: list[str], label_file: str,
               image: str, subset: str | None) -> Frame:
        parts = image.split("/")
        folder = next((i for i, part in enumerate(parts[:-1]) if _DATA_DIR.match(part)), None)
        if folder is not None:
            frame_name = "/".join(parts[folder + 1:])
            if subset is None:
                subset = _DATA_DIR.match(parts[folder]).group(1)  # type: ignore[union-attr]
        else:
            frame_name = parts[-1]
        media = source.media(image) if image in available else None
        labels = LabelFile(source, label_file)
        shapes = []
        size: tuple[int, int] | None = None
        for line, fields in labels.lines():
            if len(fields) != 5:
                raise labels.error(line, f"expected 5 fields (class cx cy w h), got {len(fields)}")
            label = labels.label(line, fields[0], names)
            cx, cy, w, h = labels.numbers(line, fields[1:])
            if w < 0 or h < 0:
                raise labels.error(line, "a box needs a width and height of at least 0")
            if size is None:
                size = sizes.of(label_file, frame_name, media)
            points = labels.pixels(line, (cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2), size)
            shapes.append(Shape(ShapeType.RECTANGLE, label, points, source=ObjectSource.FILE))
        if size is None:
            size = sizes.find(frame_name, media)
        width, height = size or (0, 0)
        return Frame(None, frame_name, width, height, subset or "", shapes=tuple(shapes), image=media)
