"""WiderFace 1.0: the WIDER FACE face detection layout.

Layout (export)::

    labels.txt                                         the image classes, one per line
    wider_face_split/wider_face_<subset>_bbx_gt.txt    per image: its path, the number of
                                                       boxes, one line per box
    WIDER_<subset>/images/<i>--<class>/<frame name>    with save_images

An image's folder is its class: ``<i>--<label>`` for the frame's (first) tag, ``i`` being the
label's position in ``labels.txt``, or ``no_label``. A box line is ``x y w h blur expression
illumination invalid occlusion pose`` as in the WIDER FACE ground truth; the six flags come
from the box's attributes of those names (0 if absent; ``occlusion`` also from the attribute
``occluded`` or, failing that, the occluded state). Boxes whose label is not ``face`` get the
label name as an eleventh value, as Datumaro writes it; an image without boxes gets a count
of 0 and one line of zeros, as in the original files. Import reads all of that back (boxes
without a label name get ``face``; the flags become attributes, occlusion > 0 marks the box
occluded).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from inklab.formats.errors import MalformedFile
from inklab.formats.fidelity import DROPPED, KEPT, Fidelity, Property, converted
from inklab.formats.files import InputTree, OutputTree
from inklab.formats.model import DEFAULT_SUBSET, Attribute, Dataset, Frame, LabelSpec, Shape, Tag
from inklab.formats.registry import ExportOptions, FormatInfo, ImportOptions, register
from inklab.formats.textfile import Spools, decimal, read_label_list, read_lines, to_float
from inklab.formats.tracks import flatten_tracks
from inklab.vocabulary import LabelType, ObjectSource, ShapeType

__all__ = ["FLAGS", "WiderFace"]

#: the per-box flags of the WIDER FACE ground truth, in column order
FLAGS = ("blur", "expression", "illumination", "invalid", "occlusion", "pose")
DEFAULT_LABEL = "face"
_CLASS_DIR = re.compile(r"(\d+)--(.+)")
_GT = re.compile(r"wider_face_(.+)_bbx_gt\.txt")
_NO_LABEL = "no_label"


@register
class WiderFace:
    info = FormatInfo(name="WiderFace 1.0", ext="ZIP", version="1.0", can_import=True, can_export=True)
    fidelity = Fidelity(
        {"rectangle": KEPT, "tag": KEPT, "track": converted("shapes", "one per visible frame"),
         "polygon": DROPPED, "polyline": DROPPED, "points": DROPPED, "ellipse": DROPPED, "cuboid": DROPPED,
         "mask": DROPPED, "skeleton": DROPPED},
        lost=frozenset({Property.ATTRIBUTES, Property.GROUP, Property.Z_ORDER, Property.ROTATION, Property.SOURCE,
                        Property.SCORE, Property.LABEL_SPECS, Property.SKELETON_SVG, Property.IMAGE_SIZE}),
        notes="one tag per image (its folder); box attributes other than the six WIDER flags",
    )

    # -- export --

    def export(self, dataset: Dataset, out: OutputTree, options: ExportOptions) -> None:
        classes = [label.name for label in dataset.labels if label.type != LabelType.SKELETON]
        position = {name: i for i, name in enumerate(classes)}
        with Spools(out) as spools:
            for frame in flatten_tracks(dataset.frames, dataset.tracks):
                tag = next((t for t in frame.tags if t.label in position), None)
                folder = f"{position[tag.label]}--{tag.label}" if tag else _NO_LABEL
                path = f"{folder}/{frame.name}"
                if options.save_images and frame.image is not None:
                    out.add_media(f"WIDER_{frame.subset_name}/images/{path}", frame.image)
                boxes = [s for s in frame.shapes if s.type == ShapeType.RECTANGLE]
                gt = spools[f"wider_face_split/wider_face_{frame.subset_name}_bbx_gt.txt"]
                gt.write(f"{path}\n{len(boxes)}\n")
                for box in boxes:
                    gt.write(self._line(box))
                if not boxes:
                    gt.write("0 0 0 0 0 0 0 0 0 0\n")
        out.write_text("labels.txt", "".join(f"{name}\n" for name in classes))

    @staticmethod
    def _line(box: Shape) -> str:
        x1, y1, x2, y2 = box.points
        values = [decimal(x1), decimal(y1), decimal(x2 - x1), decimal(y2 - y1)]
        for flag in FLAGS:
            raw = box.attribute(flag)
            if flag == "occlusion" and raw is None:
                raw = box.attribute("occluded")
            try:
                value = int(float(raw)) if raw not in (None, "") else None
            except ValueError:
                value = 1 if str(raw).lower() == "true" else 0
            if flag == "occlusion" and value is None:
                value = 1 if box.occluded else 0
            values.append(str(value or 0))
        if box.label != DEFAULT_LABEL and not any(c.isspace() for c in box.label):
            values.append(box.label)
        return " ".join(values) + "\n"

    # -- import --

    def load(self, source: InputTree, options: ImportOptions) -> Dataset:
        files = [n for n in source.names() if _GT.fullmatch(n.rsplit("/", 1)[-1])]
        if not files:
            raise MalformedFile(source.label, None, "no WIDER Face ground truth found "
                                                    "(expected wider_face_split/wider_face_<subset>_bbx_gt.txt)")
        labels_file = next((n for n in source.names() if n.rsplit("/", 1)[-1] == "labels.txt"), None)
        classes = read_label_list(source, labels_file) if labels_file else []
        return Dataset(tuple(LabelSpec(n) for n in classes), self._frames(source, files))

    def _frames(self, source: InputTree, files: list[str]) -> Iterator[Frame]:
        names = set(source.names())
        for file in files:
            match = _GT.fullmatch(file.rsplit("/", 1)[-1])
            assert match is not None
            subset = match.group(1)
            root = file[:file.rfind("wider_face_split/")] if "wider_face_split/" in file else ""
            lines = read_lines(source, file)
            pending: tuple[int, str] | None = None
            while True:
                item = pending or next(lines, None)
                pending = None
                if item is None:
                    break
                line, path = item
                path = path.strip()
                if not path:
                    continue
                counted = next(lines, None)
                if counted is None:
                    raise MalformedFile(file, f"line {line}", f"the image '{path}' has no count of boxes after it")
                try:
                    count = int(counted[1].strip())
                except ValueError:
                    raise MalformedFile(file, f"line {counted[0]}", f"expected the number of boxes of '{path}', "
                                                                     f"got {counted[1].strip()!r}") from None
                shapes = []
                for _ in range(count):
                    row = next(lines, None)
                    if row is None:
                        raise MalformedFile(file, f"line {counted[0]}", f"'{path}' announces {count} boxes, "
                                                                         "the file ends before")
                    shapes.append(self._box(file, *row))
                if count == 0:  # the original files write a line of zeros for images without faces
                    following = next(lines, None)
                    if following is not None and not self._is_zeros(following[1]):
                        pending = following
                yield self._frame(path, subset, tuple(shapes), source, names, root)

    @staticmethod
    def _is_zeros(text: str) -> bool:
        parts = text.split()
        try:
            return bool(parts) and all(float(p) == 0 for p in parts)
        except ValueError:
            return False

    @staticmethod
    def _frame(path: str, subset: str, shapes: tuple[Shape, ...], source: InputTree, names: set[str],
               root: str) -> Frame:
        folder, _, rest = path.partition("/")
        tags: tuple[Tag, ...] = ()
        name = path
        match = _CLASS_DIR.fullmatch(folder)
        if rest and (match or folder == _NO_LABEL):
            name = rest
            if match:
                tags = (Tag(match.group(2), source=ObjectSource.FILE),)
        image = f"{root}WIDER_{subset}/images/{path}"
        return Frame(None, name, subset="" if subset == DEFAULT_SUBSET else subset, tags=tags, shapes=shapes,
                     image=source.media(image) if image in names else None)

    @staticmethod
    def _box(file: str, line: int, text: str) -> Shape:
        where = f"line {line}"
        parts = text.split()
        if len(parts) < 4:
            raise MalformedFile(file, where, f"a box needs x y w h, got {text.strip()!r}")
        x, y, w, h = (to_float(v, file, where, what) for v, what in zip(parts[:4], "xywh", strict=True))
        if w < 0 or h < 0:
            raise MalformedFile(file, where, f"a box needs a width and height of at least 0, got {w:g}x{h:g}")
        label = DEFAULT_LABEL
        flags = parts[4:]
        if len(parts) in (5, 11):
            label, flags = parts[-1], parts[4:-1]
        attrs = []
        for flag, value in zip(FLAGS, flags, strict=False):
            attrs.append(Attribute(flag, decimal(to_float(value, file, where, flag))))
        occluded = any(a.name == "occlusion" and float(a.value) > 0 for a in attrs)
        return Shape(ShapeType.RECTANGLE, label, (x, y, x + w, y + h), occluded=occluded, attributes=tuple(attrs),
                     source=ObjectSource.FILE)
