"""The segmentation part of PASCAL VOC, shared by PASCAL VOC 1.1 and Segmentation mask 1.1.

Layout::

    labelmap.txt                       name:r,g,b:parts:actions per class; the line is the index
    ImageSets/Segmentation/<subset>.txt the ids (frame names without extension) with masks
    SegmentationClass/<id>.png         class indexes, paletted with the label map's colors
    SegmentationObject/<id>.png        instance numbers 1..254 (0 background, 255 void),
                                       paletted with the VOC palette

A PNG holds 8 bits, so a map has at most 256 classes and a frame at most 254 instances;
more is refused. Uploads may also hold 1-channel (index) or RGB (color) class masks.
"""

from __future__ import annotations

from collections.abc import Iterable
from contextlib import ExitStack
from typing import TextIO

from inklab.formats.colormaps import LabelMap, read_voc_labelmap, voc_colormap, write_voc_labelmap
from inklab.formats.errors import MalformedFile, UnsupportedData
from inklab.formats.files import InputTree, OutputTree
from inklab.formats.model import Frame, Shape
from inklab.formats.segmaps import Painting, index_png, masks_of, read_map
from inklab.formats.yolo_text import item_path

__all__ = ["LABELMAP", "VocMaskReader", "VocMaskWriter", "find_root", "voc_id"]

LABELMAP = "labelmap.txt"
_MAX_INSTANCES = 254
_OBJECT_PALETTE = bytes(v for color in voc_colormap(256) for v in color)


def voc_id(frame: Frame) -> str:
    """A frame's VOC id: its name without the extension (directories kept)."""
    return item_path(frame)


def find_root(source: InputTree, markers: Iterable[str]) -> str:
    """The folder holding the VOC folders (``""`` or ``"VOC2012/"``...): the shallowest parent
    of a file inside one of the ``markers`` folders."""
    best: str | None = None
    for name in source.names():
        parts = name.split("/")
        for depth, part in enumerate(parts[:-1]):
            if part in markers:
                root = "/".join(parts[:depth]) + ("/" if depth else "")
                if best is None or root.count("/") < best.count("/"):
                    best = root
                break
    return best or ""


class VocMaskWriter:
    """Writes masks, the Segmentation lists and (on close) ``labelmap.txt``."""

    def __init__(self, out: OutputTree, label_map: LabelMap) -> None:
        if len(label_map) > 256:
            raise UnsupportedData(f"VOC masks hold at most 256 classes (the background included); there are "
                                  f"{len(label_map)}.")
        self.out = out
        self.label_map = label_map
        self._stack = ExitStack()
        self._lists: dict[str, TextIO] = {}
        self._palette = bytes(label_map.palette())

    def __enter__(self) -> VocMaskWriter:
        return self

    def frame(self, frame: Frame, painting: Painting) -> None:
        if len(painting.shapes) > _MAX_INSTANCES:
            raise UnsupportedData(f"Frame '{frame.name}' has {len(painting.shapes)} objects to draw; VOC instance "
                                  f"masks hold at most {_MAX_INSTANCES}.")
        subset = frame.subset_name
        if subset not in self._lists:
            self._lists[subset] = self._stack.enter_context(
                self.out.deferred_text(f"ImageSets/Segmentation/{subset}.txt"))
        ident = voc_id(frame)
        self._lists[subset].write(ident + "\n")
        self.out.write_bytes(f"SegmentationClass/{ident}.png", index_png(painting.classes, self._palette))
        self.out.write_bytes(f"SegmentationObject/{ident}.png", index_png(painting.instances, _OBJECT_PALETTE))

    def __exit__(self, *exc: object) -> None:
        self._stack.close()
        if exc[0] is None:
            self.out.write_text(LABELMAP, write_voc_labelmap(self.label_map))


class VocMaskReader:
    """Reads the masks of an upload below ``root``."""

    def __init__(self, source: InputTree, root: str) -> None:
        self.source = source
        self.root = root
        names = set(source.names())
        self._names = names
        labelmap = root + LABELMAP
        self.label_map = read_voc_labelmap(source, labelmap) if labelmap in names else LabelMap.voc()

    def listed(self) -> dict[str, str]:
        """Ids of the Segmentation lists with their subsets ("" for ``default``)."""
        prefix = f"{self.root}ImageSets/Segmentation/"
        result: dict[str, str] = {}
        for name in sorted(self._names):
            if name.startswith(prefix) and name.endswith(".txt") and "/" not in name[len(prefix):]:
                subset = name[len(prefix):-4]
                for line in self.source.read_text(name).splitlines():
                    if line.strip():
                        result.setdefault(line.strip().split()[0], "" if subset == "default" else subset)
        return result

    def ids(self) -> list[str]:
        """Ids that have a class or an object mask."""
        found = []
        for folder in ("SegmentationClass/", "SegmentationObject/"):
            prefix = self.root + folder
            found += [n[len(prefix):-4] for n in self._names if n.startswith(prefix) and n.lower().endswith(".png")]
        return sorted(set(found))

    def masks(self, ident: str) -> tuple[list[Shape], tuple[int, int] | None]:
        """The masks of one id and the masks' size (None when it has no masks)."""
        class_name = f"{self.root}SegmentationClass/{ident}.png"
        object_name = f"{self.root}SegmentationObject/{ident}.png"
        classes = read_map(self.source, class_name, self.label_map) if class_name in self._names else None
        instances = read_map(self.source, object_name) if object_name in self._names else None
        if classes is None and instances is None:
            return [], None
        if classes is None:
            raise MalformedFile(object_name, None, f"the labels of its objects come from {class_name}, "
                                                   "which is missing")
        if classes is not None and instances is not None and classes.shape != instances.shape:
            raise UnsupportedData(f"{object_name}: its size differs from {class_name}'s.")
        shape = classes.shape
        file = object_name if instances is not None else class_name
        return masks_of(classes, instances, self.label_map, file), (shape[1], shape[0])
