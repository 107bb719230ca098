"""ImageNet 1.0: image classification, tags only.

Layout (export) without images::

    synsets.txt          the label names, one per line; the line number is the label index
    <subset>.txt         one line per frame: <frame name> <label index> <label index> ...
                         (a name with spaces is written "quoted".ext); "default" for no subset

and with images, the folder layout image classifiers load (torchvision's ``ImageFolder``)::

    <label>/<frame name> the image, once in the folder of each of its tags
    no_label/<frame name> images without tags

The folder layout has no subsets. Only tags are written, without attributes. Import takes
either layout: an archive with ``<name>.txt`` files at its top is the list layout.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import ExitStack
from typing import TextIO

from inklab.formats.errors import MalformedFile
from inklab.formats.fidelity import DROPPED, KEPT, Fidelity, Property
from inklab.formats.files import InputTree, OutputTree
from inklab.formats.model import DEFAULT_SUBSET, Dataset, Frame, LabelSpec, Tag
from inklab.formats.registry import ExportOptions, FormatInfo, ImportOptions, register
from inklab.formats.ultralytics_classification import NO_LABEL, tag_labels
from inklab.formats.yolo_text import image_name, strip_ext
from inklab.vocabulary import ObjectSource

__all__ = ["ImageNet"]

_SYNSETS = "synsets.txt"
_QUOTED = re.compile(r'^"([^"]*)"(\S*)\s*(.*)$')


def _list_line(frame: Frame, ids: dict[str, int]) -> str:
    name = image_name(frame)
    indexes = " ".join(str(ids[label]) for label in tag_labels(frame) if label in ids)
    if any(c.isspace() for c in name) or name.startswith('"'):
        stem = strip_ext(name)
        name = f'"{stem}"{name[len(stem):]}'
    return f"{name} {indexes}".rstrip() + "\n"


@register
class ImageNet:
    info = FormatInfo(name="ImageNet 1.0", ext="ZIP", version="1.0", can_import=True, can_export=True)
    fidelity = Fidelity(
        {"tag": KEPT, **{kind: DROPPED for kind in ("rectangle", "polygon", "polyline", "points", "ellipse",
                                                    "cuboid", "mask", "skeleton", "track")}},
        lost=frozenset({Property.ATTRIBUTES, Property.GROUP, Property.SOURCE, Property.LABEL_SPECS,
                        Property.SKELETON_SVG, Property.SUBSETS, Property.IMAGE_SIZE}),
        notes="subsets are kept without images only",
    )

    def export(self, dataset: Dataset, out: OutputTree, options: ExportOptions) -> None:
        if options.save_images:
            for frame in dataset.frames:
                if frame.image is None:
                    continue
                for folder in tag_labels(frame) or [NO_LABEL]:
                    out.add_media(f"{folder}/{image_name(frame)}", frame.image)
            return
        names = [label.name for label in dataset.labels]
        ids = {name: i for i, name in enumerate(names)}
        with ExitStack() as stack:
            lists: dict[str, TextIO] = {}
            for frame in dataset.frames:
                subset = frame.subset_name
                if subset not in lists:
                    lists[subset] = stack.enter_context(out.deferred_text(f"{subset}.txt"))
                lists[subset].write(_list_line(frame, ids))
            if not lists:
                out.write_text(f"{DEFAULT_SUBSET}.txt", "")
        out.write_text(_SYNSETS, "".join(f"{name}\n" for name in names))

    def load(self, source: InputTree, options: ImportOptions) -> Dataset:
        names = source.names()
        lists = [n for n in names if "/" not in n and n.endswith(".txt") and n != _SYNSETS]
        if lists:
            labels = []
            if _SYNSETS in names:
                labels = [line.strip() for line in source.read_text(_SYNSETS).splitlines() if line.strip()]
            return Dataset(tuple(LabelSpec(label) for label in labels), self._listed(source, lists, labels))
        folders: dict[str, tuple[list[str], str]] = {}
        found: dict[str, None] = {}
        for name in names:
            if "/" not in name:
                continue
            label, rest = name.split("/", 1)
            tags, _image = folders.setdefault(rest, ([], name))
            if label != NO_LABEL:
                found.setdefault(label)
                if label not in tags:
                    tags.append(label)
        if not folders:
            raise MalformedFile(source.label, None, "expected <subset>.txt lists or <label>/<image> folders")
        return Dataset(tuple(LabelSpec(label) for label in found), self._folders(source, folders))

    @staticmethod
    def _listed(source: InputTree, lists: list[str], labels: list[str]) -> Iterator[Frame]:
        for list_name in lists:
            subset = list_name[:-4]
            subset = "" if subset == DEFAULT_SUBSET else subset
            for number, line in enumerate(source.read_text(list_name).splitlines(), 1):
                if not line.strip():
                    continue
                quoted = _QUOTED.match(line.strip())
                if quoted:
                    name, indexes = quoted.group(1) + quoted.group(2), quoted.group(3).split()
                else:
                    name, *indexes = line.split()
                tags = []
                for field in indexes:
                    if not field.lstrip("-").isdigit():
                        raise MalformedFile(list_name, f"line {number}", f"expected a label index, got {field!r}")
                    index = int(field)
                    if not 0 <= index < len(labels):
                        raise MalformedFile(list_name, f"line {number}",
                                            f"label index {index} is not in {_SYNSETS} ({len(labels)} labels)")
                    tags.append(Tag(labels[index], source=ObjectSource.FILE))
                yield Frame(None, name, subset=subset, tags=tuple(tags))

    @staticmethod
    def _folders(source: InputTree, folders: dict[str, tuple[list[str], str]]) -> Iterator[Frame]:
        for name, (tags, image) in folders.items():
            yield Frame(None, name, image=source.media(image),
                        tags=tuple(Tag(label, source=ObjectSource.FILE) for label in tags))
