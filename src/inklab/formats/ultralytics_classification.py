"""Ultralytics YOLO Classification 1.0: tags as folders of images.

Layout (export)::

    <subset>/labels.json                {"<frame name without extension>": {"labels": [tags],
                                         "path": "<label>/<frame name>"}, ...} for every frame
    <subset>/<label>/<frame name>       with save_images: the image, in its first tag's folder
    <subset>/no_label/<frame name>      with save_images: images without tags

``labels.json`` is CVAT's addition to the layout Ultralytics trains from (a folder per
class): it keeps every tag of an image and the annotations of an export without images.
Frames without a subset go to ``train``. Only tags are written, without attributes.

Import reads each subset folder: its ``labels.json`` when there is one, else the images in
``<subset>/<label>/`` folders (an image in several label folders gets all those tags).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack
from typing import TextIO

import orjson

from inklab.formats.errors import MalformedFile
from inklab.formats.fidelity import DROPPED, KEPT, Fidelity, Property
from inklab.formats.files import InputTree, OutputTree
from inklab.formats.jsonfile import Fields, load_json
from inklab.formats.model import Dataset, Frame, LabelSpec, Tag
from inklab.formats.registry import ExportOptions, FormatInfo, ImportOptions, register
from inklab.formats.yolo_text import image_name, item_path, strip_ext, subset_dir
from inklab.vocabulary import ObjectSource

__all__ = ["NO_LABEL", "UltralyticsClassification", "tag_labels"]

#: the folder of images without a tag
NO_LABEL = "no_label"
_LABELS_FILE = "labels.json"


def tag_labels(frame: Frame) -> list[str]:
    """The frame's tag labels, each once, in order."""
    return list(dict.fromkeys(tag.label for tag in frame.tags))


@register
class UltralyticsClassification:
    info = FormatInfo(name="Ultralytics YOLO Classification 1.0", ext="ZIP", version="1.0", can_import=True,
                      can_export=True)
    fidelity = Fidelity(
        {"tag": KEPT, **{kind: DROPPED for kind in ("rectangle", "polygon", "polyline", "points", "ellipse",
                                                    "cuboid", "mask", "skeleton", "track")}},
        lost=frozenset({Property.ATTRIBUTES, Property.GROUP, Property.SOURCE, Property.LABEL_SPECS,
                        Property.SKELETON_SVG, Property.SUBSETS, Property.IMAGE_SIZE}),
        notes="frames without a subset go to train",
    )

    def export(self, dataset: Dataset, out: OutputTree, options: ExportOptions) -> None:
        with ExitStack() as stack:
            files: dict[str, TextIO] = {}
            for frame in dataset.frames:
                subset = subset_dir(frame)
                stream = files.get(subset)
                if stream is None:
                    stream = files[subset] = stack.enter_context(out.deferred_text(f"{subset}/{_LABELS_FILE}"))
                    stream.write("{")
                else:
                    stream.write(",")
                labels = tag_labels(frame)
                path = f"{labels[0] if labels else NO_LABEL}/{image_name(frame)}"
                stream.write(f"\n{orjson.dumps(item_path(frame)).decode()}:"
                             f"{orjson.dumps({'labels': labels, 'path': path}).decode()}")
                if options.save_images and frame.image is not None:
                    out.add_media(f"{subset}/{path}", frame.image)
            for stream in files.values():
                stream.write("\n}\n")

    def load(self, source: InputTree, options: ImportOptions) -> Dataset:
        names = source.names()
        subsets = sorted({n.split("/", 1)[0] for n in names if "/" in n})
        if not subsets:
            raise MalformedFile(source.label, None, "expected <subset>/<label>/<image> folders or "
                                                    "<subset>/labels.json")
        labels: dict[str, None] = {}
        plans = []
        for subset in subsets:
            json_name = f"{subset}/{_LABELS_FILE}"
            if json_name in names:
                entries = self._entries(source, json_name)
                for tags, _path in entries.values():
                    labels.update(dict.fromkeys(tags))
                plans.append((subset, entries))
            else:
                entries = self._folders(source, subset)
                for tags, _path in entries.values():
                    labels.update(dict.fromkeys(tags))
                plans.append((subset, entries))
        available = set(names)
        return Dataset(tuple(LabelSpec(label) for label in labels), self._frames(source, available, plans))

    @staticmethod
    def _entries(source: InputTree, name: str) -> dict[str, tuple[list[str], str]]:
        document = load_json(source, name)
        if not isinstance(document, dict):
            raise MalformedFile(name, None, "expected an object of images")
        result = {}
        for item, value in document.items():
            fields = Fields(value, name, item)
            tags = fields.array("labels")
            if not all(isinstance(t, str) for t in tags):
                raise fields.error("labels", "expected a list of label names")
            result[item] = (tags, fields.text("path", ""))
        return result

    @staticmethod
    def _folders(source: InputTree, subset: str) -> dict[str, tuple[list[str], str]]:
        result: dict[str, tuple[list[str], str]] = {}
        prefix = f"{subset}/"
        for name in source.names():
            if not name.startswith(prefix) or name.count("/") < 2:
                continue
            label, rest = name[len(prefix):].split("/", 1)
            item = strip_ext(rest)
            tags, path = result.setdefault(item, ([], f"{label}/{rest}"))
            if label != NO_LABEL and label not in tags:
                tags.append(label)
        return result

    @staticmethod
    def _frames(source: InputTree, available: set[str], plans: list[tuple[str, dict[str, tuple[list[str], str]]]]
                ) -> Iterator[Frame]:
        for subset, entries in plans:
            for item, (tags, path) in entries.items():
                image = f"{subset}/{path}" if path else ""
                base = path.split("/", 1)[1] if "/" in path else path
                name = base if base and strip_ext(base) == item else item
                media = source.media(image) if image in available else None
                yield Frame(None, name, subset=subset, image=media,
                            tags=tuple(Tag(label, source=ObjectSource.FILE) for label in tags))
