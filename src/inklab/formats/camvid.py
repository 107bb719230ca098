"""CamVid 1.0: semantic segmentation, a class mask per image.

Layout (export)::

    label_colors.txt              "r g b name" per class; the line is the class index (background first)
    <subset>.txt                  per frame: "/<subset>/<frame name> /<subset>annot/<id>.png"
    <subset>annot/<id>.png        class indexes, paletted with the label colors (every frame)
    <subset>/<frame name>         with save_images

``<id>`` is the frame name without extension; frames without a subset are ``default``.
Boxes, polygons, ellipses and masks are drawn in z order (where they overlap, the upper one
wins); tracks as the shapes of each frame where the object is visible. A class mask has no
instances: the objects of a label on a frame come back as one mask. Tags, other shapes and
attributes are not written.

Import reads the lists (or, without them, every ``<subset>annot/*.png``); the classes come
from ``label_colors.txt``, else CamVid's 32 classes. Masks may hold indexes (paletted or
1-channel) or colors (RGB).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import ExitStack
from typing import TextIO

from inklab.formats.colormaps import CAMVID_LABELS, LabelMap, read_color_lines, write_color_lines
from inklab.formats.errors import MalformedFile, UnsupportedData
from inklab.formats.fidelity import DROPPED, Fidelity, Property, converted
from inklab.formats.files import InputTree, OutputTree
from inklab.formats.model import DEFAULT_SUBSET, Dataset, Frame
from inklab.formats.registry import ExportOptions, FormatInfo, ImportOptions, register
from inklab.formats.segmaps import index_png, masks_of, paint, read_map
from inklab.formats.tracks import flatten_tracks
from inklab.formats.yolo_text import image_name, item_path, strip_ext

__all__ = ["CamVid"]

_COLORS = ("label_colors.txt", "labelmap.txt")
_LINE = re.compile(r"^(\S.*?)\s+(\S*annot/.+)$")


def _subset(name: str) -> str:
    return "" if name == DEFAULT_SUBSET else name


@register
class CamVid:
    info = FormatInfo(name="CamVid 1.0", ext="ZIP", version="1.0", can_import=True, can_export=True)
    fidelity = Fidelity(
        {
            "rectangle": converted("mask"), "polygon": converted("mask"), "ellipse": converted("mask"),
            "mask": converted("mask", "its visible pixels"),
            "track": converted("shapes", "one per visible frame"),
            "tag": DROPPED, "polyline": DROPPED, "points": DROPPED, "cuboid": DROPPED, "skeleton": DROPPED,
        },
        lost=frozenset({Property.INSTANCES, Property.ATTRIBUTES, Property.GROUP, Property.Z_ORDER,
                        Property.ROTATION, Property.OCCLUDED, Property.SOURCE, Property.SCORE, Property.LABEL_SPECS,
                        Property.SKELETON_SVG}),
        notes="one mask per label and frame; where shapes overlap, the upper one's pixels",
    )

    def export(self, dataset: Dataset, out: OutputTree, options: ExportOptions) -> None:
        label_map = LabelMap.for_labels(dataset.labels)
        if len(label_map) > 256:
            raise UnsupportedData(f"CamVid masks hold at most 256 classes (the background included); there are "
                                  f"{len(label_map)}.")
        palette = label_map.palette()
        with ExitStack() as stack:
            lists: dict[str, TextIO] = {}
            for frame in flatten_tracks(dataset.frames, dataset.tracks):
                subset = frame.subset_name
                if subset not in lists:
                    lists[subset] = stack.enter_context(out.deferred_text(f"{subset}.txt"))
                name, ident = image_name(frame), item_path(frame)
                lists[subset].write(f"/{subset}/{name} /{subset}annot/{ident}.png\n")
                out.write_bytes(f"{subset}annot/{ident}.png", index_png(paint(frame, label_map).classes, palette))
                if options.save_images and frame.image is not None:
                    out.add_media(f"{subset}/{name}", frame.image)
        out.write_text(_COLORS[0], write_color_lines(label_map, "# r g b label"))

    def load(self, source: InputTree, options: ImportOptions) -> Dataset:
        names = set(source.names())
        colors = next((c for c in _COLORS if c in names), None)
        label_map = read_color_lines(source, colors) if colors else LabelMap.of(CAMVID_LABELS)
        lists = sorted(n for n in names if "/" not in n and n.endswith(".txt") and n not in _COLORS)
        entries: list[tuple[str, str, str | None]] = []  # subset, mask, image
        for list_name in lists:
            subset = list_name[:-4]
            for number, line in enumerate(source.read_text(list_name).splitlines(), 1):
                if not line.strip():
                    continue
                match = _LINE.match(line.strip())
                if not match:
                    raise MalformedFile(list_name, f"line {number}",
                                        f"expected '<image> <mask in {subset}annot/>', got {line.strip()!r}")
                image, mask = (self._local(p, names) for p in match.groups())
                entries.append((subset, mask, image))
        listed = {mask for _, mask, _ in entries}
        for name in sorted(names):
            top = name.split("/", 1)[0]
            if "/" in name and top.endswith("annot") and name.lower().endswith(".png") and name not in listed:
                entries.append((top[:-len("annot")], name, None))
        if not entries:
            raise MalformedFile(source.label, None, "no CamVid masks found (<subset>annot/<image>.png)")
        return Dataset(label_map.labels(), self._frames(source, names, entries, label_map))

    @staticmethod
    def _local(path: str, names: set[str]) -> str:
        """A path of a list ("/SegNet/CamVid/trainannot/a.png") as a name of the upload."""
        parts = path.replace("\\", "/").strip("/").split("/")
        for start in range(len(parts)):
            candidate = "/".join(parts[start:])
            if candidate in names:
                return candidate
        return "/".join(parts)

    @staticmethod
    def _frames(source: InputTree, names: set[str], entries: list[tuple[str, str, str | None]],
                label_map: LabelMap) -> Iterator[Frame]:
        for subset, mask, image in entries:
            if mask not in names:
                raise MalformedFile(source.label, None, f"the mask '{mask}' of list '{subset}.txt' is missing")
            classes = read_map(source, mask, label_map)
            folder = f"{subset}annot/"
            ident = mask[len(folder):-4] if mask.startswith(folder) else strip_ext(mask.rsplit("/", 1)[-1])
            name = ident
            if image:
                parts = image.split("/")
                at = max((i for i, part in enumerate(parts[:-1]) if part == subset), default=None)
                name = "/".join(parts[at + 1:]) if at is not None else parts[-1]
            yield Frame(None, name, classes.shape[1], classes.shape[0], _subset(subset),
                        shapes=tuple(masks_of(classes, None, label_map, mask)),
                        image=source.media(image) if image and image in names else None)
