"""Label maps of the segmentation formats: which label each class index and color stands for.

A :class:`LabelMap` lists labels by class index; index 0 is the background. In label-map
files the line number is the class index, so their first line is the background, whatever
its name; exports write a label named ``background`` (in any case) there, or an implicit
black ``background``. Segmentation masks store class
indexes (a paletted PNG whose palette holds the colors) or colors (an RGB PNG).

* :meth:`LabelMap.for_labels` makes the map of an export from the dataset's labels: each
  keeps its color when it has a valid one that no other label uses; the others get the next
  free color of the PASCAL VOC palette (:func:`voc_colormap`);
* the label-map files: PASCAL VOC's ``labelmap.txt`` (``name:r,g,b:parts:actions``) and the
  ``r g b name`` lines of CamVid's ``label_colors.txt`` and Cityscapes' ``label_color.txt``;
* the maps of the original datasets, for uploads without a label-map file.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from inklab.formats.errors import MalformedFile
from inklab.formats.files import InputTree
from inklab.formats.model import LabelSpec
from inklab.vocabulary import LabelType

__all__ = ["BACKGROUND", "CAMVID_LABELS", "CITYSCAPES_LABELS", "VOC_LABELS", "Color", "LabelMap", "parse_hex",
           "read_color_lines", "read_voc_labelmap", "voc_colormap", "write_color_lines", "write_voc_labelmap"]

Color = tuple[int, int, int]
BACKGROUND = "background"

#: PASCAL VOC's classes; their colors are :func:`voc_colormap`'s
VOC_LABELS: tuple[str, ...] = (
    "background", "aeroplane", "bicycle", "bird", "boat", "bottle", "bus", "car", "cat", "chair", "cow",
    "diningtable", "dog", "horse", "motorbike", "person", "pottedplant", "sheep", "sofa", "train", "tvmonitor",
)

#: CamVid's 32 classes and colors (Void is the background)
CAMVID_LABELS: tuple[tuple[str, Color], ...] = (
    ("Void", (0, 0, 0)), ("Animal", (64, 128, 64)), ("Archway", (192, 0, 128)), ("Bicyclist", (0, 128, 192)),
    ("Bridge", (0, 128, 64)), ("Building", (128, 0, 0)), ("Car", (64, 0, 128)), ("CartLuggagePram", (64, 0, 192)),
    ("Child", (192, 128, 64)), ("Column_Pole", (192, 192, 128)), ("Fence", (64, 64, 128)),
    ("LaneMkgsDriv", (128, 0, 192)), ("LaneMkgsNonDriv", (192, 0, 64)), ("Misc_Text", (128, 128, 64)),
    ("MotorcycleScooter", (192, 0, 192)), ("OtherMoving", (128, 64, 64)), ("ParkingBlock", (64, 192, 128)),
    ("Pedestrian", (64, 64, 0)), ("Road", (128, 64, 128)), ("RoadShoulder", (128, 128, 192)),
    ("Sidewalk", (0, 0, 192)), ("SignSymbol", (192, 128, 128)), ("Sky", (128, 128, 128)),
    ("SUVPickupTruck", (64, 128, 192)), ("TrafficCone", (0, 0, 64)), ("TrafficLight", (0, 64, 64)),
    ("Train", (192, 64, 128)), ("Tree", (128, 128, 0)), ("Truck_Bus", (192, 128, 192)), ("Tunnel", (64, 0, 64)),
    ("VegetationMisc", (192, 192, 0)), ("Wall", (64, 192, 0)),
)

#: Cityscapes' classes and colors in the order of their ids (unlabeled is the background)
CITYSCAPES_LABELS: tuple[tuple[str, Color], ...] = (
    ("unlabeled", (0, 0, 0)), ("egovehicle", (0, 0, 0)), ("rectificationborder", (0, 0, 0)),
    ("outofroi", (0, 0, 0)), ("static", (0, 0, 0)), ("dynamic", (111, 74, 0)), ("ground", (81, 0, 81)),
    ("road", (128, 64, 128)), ("sidewalk", (244, 35, 232)), ("parking", (250, 170, 160)),
    ("railtrack", (230, 150, 140)), ("building", (70, 70, 70)), ("wall", (102, 102, 156)),
    ("fence", (190, 153, 153)), ("guardrail", (180, 165, 180)), ("bridge", (150, 100, 100)),
    ("tunnel", (150, 120, 90)), ("pole", (153, 153, 153)), ("polegroup", (153, 153, 153)),
    ("trafficlight", (250, 170, 30)), ("trafficsign", (220, 220, 0)), ("vegetation", (107, 142, 35)),
    ("terrain", (152, 251, 152)), ("sky", (70, 130, 180)), ("person", (220, 20, 60)), ("rider", (255, 0, 0)),
    ("car", (0, 0, 142)), ("truck", (0, 0, 70)), ("bus", (0, 60, 100)), ("caravan", (0, 0, 90)),
    ("trailer", (0, 0, 110)), ("train", (0, 80, 100)), ("motorcycle", (0, 0, 230)), ("bicycle", (119, 11, 32)),
    ("licenseplate", (0, 0, 142)),
)

_HEX = re.compile(r"^#?([0-9a-fA-F]{6})$")


def voc_colormap(count: int) -> list[Color]:
    """The first ``count`` colors of the PASCAL VOC palette (bits of the index spread over
    the high bits of red, green and blue)."""
    colors = []
    for index in range(count):
        r = g = b = 0
        value = index
        for shift in range(7, -1, -1):
            r |= (value & 1) << shift
            g |= ((value >> 1) & 1) << shift
            b |= ((value >> 2) & 1) << shift
            value >>= 3
        colors.append((r, g, b))
    return colors


def parse_hex(text: str) -> Color | None:
    """``"#ff8000"`` → ``(255, 128, 0)``; None for anything else."""
    match = _HEX.match(text.strip()) if text else None
    if not match:
        return None
    value = int(match.group(1), 16)
    return (value >> 16) & 255, (value >> 8) & 255, value & 255


@dataclass(frozen=True)
class LabelMap:
    """Labels by class index (0: the background) with their colors."""

    names: tuple[str, ...]
    colors: tuple[Color, ...]
    _by_name: dict[str, int] = field(default_factory=dict, compare=False, repr=False)
    _by_color: dict[Color, int] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        for i, name in enumerate(self.names):
            self._by_name.setdefault(name, i)
        for i, color in enumerate(self.colors):
            self._by_color.setdefault(color, i)

    def __len__(self) -> int:
        return len(self.names)

    def index(self, name: str) -> int | None:
        return self._by_name.get(name)

    def color_index(self, color: Color) -> int | None:
        return self._by_color.get(color)

    def palette(self) -> list[int]:
        """A flat 256-color palette for paletted PNGs (unused entries black)."""
        flat = [v for color in self.colors[:256] for v in color]
        return flat + [0] * (768 - len(flat))

    def labels(self) -> tuple[LabelSpec, ...]:
        """The labels (without the background) as specs, with their colors."""
        return tuple(LabelSpec(name, color="#{:02x}{:02x}{:02x}".format(*color))
                     for name, color in zip(self.names[1:], self.colors[1:], strict=True))

    @classmethod
    def of(cls, entries: Iterable[tuple[str, Color]]) -> LabelMap:
        items = list(entries)
        return cls(tuple(name for name, _ in items), tuple(color for _, color in items))

    @classmethod
    def for_labels(cls, labels: Sequence[LabelSpec], *, tags: bool = False) -> LabelMap:
        """The map of an export: the background, then each label (not skeletons, and not tag
        labels unless ``tags``) with its own color or a free one from the VOC palette."""
        chosen = [label for label in labels if label.type != LabelType.SKELETON
                  and (tags or label.type != LabelType.TAG)]
        background = next((label for label in chosen if label.name.lower() == BACKGROUND), None)
        names = [background.name if background else BACKGROUND]
        colors: list[Color | None] = [parse_hex(background.color) or (0, 0, 0) if background else (0, 0, 0)]
        used = {colors[0]}
        for label in chosen:
            if label is background:
                continue
            color = parse_hex(label.color)
            if color is None or color in used:
                color = None
            else:
                used.add(color)
            names.append(label.name)
            colors.append(color)
        spare = (c for c in voc_colormap(4096)[1:] if c not in used)
        return cls(tuple(names), tuple(c if c is not None else next(spare) for c in colors))

    @classmethod
    def voc(cls) -> LabelMap:
        return cls(VOC_LABELS, tuple(voc_colormap(len(VOC_LABELS))))


def _color(text: str, file: str, line: int) -> Color:
    parts = [p.strip() for p in re.split(r"[,\s]+", text.strip()) if p.strip()]
    if len(parts) != 3 or not all(p.isdigit() and int(p) < 256 for p in parts):
        raise MalformedFile(file, f"line {line}", f"expected a color as three numbers 0..255, got {text!r}")
    return int(parts[0]), int(parts[1]), int(parts[2])


def read_voc_labelmap(source: InputTree, name: str) -> LabelMap:
    """``labelmap.txt``: ``name:r,g,b:parts:actions`` lines (``#`` comments). The line number
    is the class index (from 0: the first line is the background, whatever its name); a
    label without a color gets the VOC palette's color of its index."""
    entries: list[tuple[str, Color | None]] = []
    for number, raw in enumerate(source.read_text(name).splitlines(), 1):
        line = raw.split("#", 1)[0].strip() if not raw.lstrip().startswith("#") else ""
        if not line:
            continue
        label, _, rest = line.partition(":")
        color_text = rest.split(":", 1)[0]
        if not label.strip():
            raise MalformedFile(name, f"line {number}", "a label needs a name before the first ':'")
        entries.append((label.strip(), _color(color_text, name, number) if color_text.strip() else None))
    if not entries:
        raise MalformedFile(name, None, "the label map lists no labels")
    palette = voc_colormap(len(entries))
    return LabelMap.of((label, color if color is not None else palette[i]) for i, (label, color) in enumerate(entries))


def write_voc_labelmap(label_map: LabelMap) -> str:
    lines = ["# label:color_rgb:parts:actions"]
    lines += [f"{name}:{r},{g},{b}::" for name, (r, g, b) in zip(label_map.names, label_map.colors, strict=True)]
    return "\n".join(lines) + "\n"


def read_color_lines(source: InputTree, name: str) -> LabelMap:
    """``r g b name`` lines (``#`` comments); the line number is the class index (the first
    line is the background); a line with only a name gets the VOC palette's color."""
    entries: list[tuple[str, Color | None]] = []
    for number, raw in enumerate(source.read_text(name).splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        parts = line.split(None, 3)
        if len(parts) >= 4 and all(p.isdigit() for p in parts[:3]):
            entries.append((parts[3].strip(), _color(" ".join(parts[:3]), name, number)))
        elif parts[0].isdigit():
            raise MalformedFile(name, f"line {number}", f"expected 'r g b name' or a name, got {line!r}")
        else:
            entries.append((line, None))
    if not entries:
        raise MalformedFile(name, None, "the label map lists no labels")
    palette = voc_colormap(len(entries))
    return LabelMap.of((label, color if color is not None else palette[i]) for i, (label, color) in enumerate(entries))


def write_color_lines(label_map: LabelMap, header: str = "# r g b label_name") -> str:
    lines = [header] + [f"{r} {g} {b} {name}" for name, (r, g, b) in zip(label_map.names, label_map.colors,
                                                                         strict=True)]
    return "\n".join(lines) + "\n"
