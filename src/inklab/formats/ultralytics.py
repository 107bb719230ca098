"""The layout the Ultralytics YOLO formats share (Detection, Segmentation, Pose, Oriented
Bounding Boxes), and what they share in reading it.

Layout (export)::

    data.yaml                    path: ., <subset>: <subset>.txt, names: {index: label}
                                 (Pose adds kpt_shape: [points, 3] and kpt_names)
    <subset>.txt                 the subset's images: images/<subset>/<frame name>
    labels/<subset>/<name>.txt   one object per line: class index, then fractions of the image size
    images/<subset>/<frame name> with save_images

Frames without a subset go to ``train``. Each format module writes its own lines (see
:class:`UltralyticsWriter`); :class:`UltralyticsReader` finds the frames of an upload:
``data.yaml`` (anywhere; its folder is the root), each subset's images from its list file or
its image folder (``images/<subset>/`` or, as Roboflow writes them, ``<subset>/images/``),
and the label file of each image (``images`` → ``labels``, extension → ``.txt``); label
files without an image count too. An integer after an object's numbers is a track id (the
importer rebuilds tracks from them); frames carry their position in the upload as ``index``,
which those tracks refer to.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from types import TracebackType
from typing import Any, TextIO

import yaml  # type: ignore[import-untyped]

from inklab.formats.errors import MalformedFile
from inklab.formats.files import InputTree, OutputTree
from inklab.formats.model import Dataset, Frame, LabelSpec, MediaFile, Shape
from inklab.formats.registry import ExportOptions, ImportOptions
from inklab.formats.tracks import TrackSplitter, flatten_tracks
from inklab.formats.yolo_text import ImageSizes, LabelFile, image_name, item_path, strip_ext, subset_dir

__all__ = ["CONFIG", "LineParser", "UltralyticsReader", "UltralyticsWriter", "export_frames", "load_dataset",
           "split_track_id"]

CONFIG = "data.yaml"
#: data.yaml keys that are not subsets
_RESERVED = frozenset({"path", "names", "nc", "kpt_shape", "flip_idx", "kpt_names", "download", "channels",
                       "yaml_file"})


class UltralyticsWriter:
    """Writes the shared layout; use as a context manager, call :meth:`frame` for each frame.

    ``names`` are the class names by index; ``extra`` further data.yaml fields.
    """

    def __init__(self, out: OutputTree, options: ExportOptions, names: list[str],
                 extra: dict[str, Any] | None = None) -> None:
        self.out = out
        self.options = options
        self.names = names
        self.extra = extra or {}
        self._stack = ExitStack()
        self._lists: dict[str, TextIO] = {}

    def __enter__(self) -> UltralyticsWriter:
        return self

    def frame(self, frame: Frame, lines: list[str]) -> None:
        subset = subset_dir(frame)
        if subset not in self._lists:
            self._lists[subset] = self._stack.enter_context(self.out.deferred_text(f"{subset}.txt"))
        name = image_name(frame)
        self._lists[subset].write(f"images/{subset}/{name}\n")
        self.out.write_text(f"labels/{subset}/{item_path(frame)}.txt", "".join(line + "\n" for line in lines))
        if self.options.save_images and frame.image is not None:
            self.out.add_media(f"images/{subset}/{name}", frame.image)

    def __exit__(self, t: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None) -> None:
        subsets = list(self._lists) or ["train"]
        self._stack.close()
        if e is not None:
            return
        if not self._lists:
            self.out.write_text("train.txt", "")
        config: dict[str, Any] = {"path": "."}
        config.update({subset: f"{subset}.txt" for subset in subsets})
        config.update(self.extra)
        config["names"] = dict(enumerate(self.names))
        # block style, but lists of numbers in a line (kpt_shape: [17, 3])
        text = "".join(f"{key}: [{', '.join(map(str, value))}]\n"
                       if isinstance(value, list) and all(isinstance(v, int) for v in value)
                       else yaml.safe_dump({key: value}, sort_keys=False, allow_unicode=True, default_flow_style=False)
                       for key, value in config.items())
        self.out.write_text(CONFIG, text)


def split_track_id(fields: list[str], numbers: int, labels: LabelFile, line: int) -> tuple[list[str], int | None]:
    """``fields`` after the class index without a trailing track id, and that id: ``numbers``
    is how many numbers the object has (an odd count for polygons means a track id)."""
    if len(fields) == numbers + 1:
        return fields[:-1], labels.integer(line, fields[-1], "track id")
    return fields, None


LineParser = Callable[[LabelFile, int, list[str], str, tuple[int, int]], Shape]


@dataclass
class _Config:
    name: str
    root: str
    data: dict[str, Any]

    def error(self, key: str, problem: str) -> MalformedFile:
        return MalformedFile(self.name, key, problem)


class UltralyticsReader:
    """Reads ``data.yaml`` and finds the frames of an Ultralytics upload."""

    def __init__(self, source: InputTree) -> None:
        self.source = source
        found = sorted((n for n in source.names() if n.rsplit("/", 1)[-1] == CONFIG), key=lambda n: n.count("/"))
        if not found:
            raise MalformedFile(source.label, None, f"no {CONFIG} found (it lists the subsets and the class names)")
        name = found[0]
        try:
            data = yaml.safe_load(source.read_text(name))
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark
            where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else None
            raise MalformedFile(name, where, f"invalid YAML ({exc.problem})") from None
        except yaml.YAMLError as exc:
            raise MalformedFile(name, None, f"invalid YAML ({exc})") from None
        if not isinstance(data, dict):
            raise MalformedFile(name, None, "expected a mapping of fields (path, train, names, ...)")
        self.config = _Config(name, name.rsplit("/", 1)[0] + "/" if "/" in name else "", data)
        self.names = self._names()
        self._available = set(source.names())

    def _names(self) -> dict[int, str]:
        names = self.config.data.get("names")
        if isinstance(names, list) and all(isinstance(n, (str, int, float)) for n in names):
            return {i: str(n) for i, n in enumerate(names)}
        if isinstance(names, dict):
            result = {}
            for key, value in names.items():
                if isinstance(key, str) and key.strip().isdigit():
                    key = int(key)
                if isinstance(key, bool) or not isinstance(key, int) or not isinstance(value, (str, int, float)):
                    raise self.config.error(f"names.{key}", "expected a class index and a name")
                result[key] = str(value)
            return result
        raise self.config.error("names", "expected a list of class names or a mapping of indexes to names")

    def labels(self) -> tuple[LabelSpec, ...]:
        return tuple(LabelSpec(name) for _, name in sorted(self.names.items()))

    def subsets(self) -> list[tuple[str, Any]]:
        return [(key, value) for key, value in self.config.data.items()
                if key not in _RESERVED and isinstance(key, str) and isinstance(value, (str, list))]

    def frames(self) -> Iterator[tuple[str, str, str, MediaFile | None]]:
        """``(subset, frame name, label file, image)`` for every frame; the label file may
        be missing (an image without objects)."""
        done: set[str] = set()
        for subset, value in self.subsets():
            images = self._images(subset, value)
            for image, where in images:
                parts = image.split("/")
                if len(parts) < 3 or "images" not in parts[:2]:
                    file, line = where
                    raise MalformedFile(file, line, f"'{image}' is not in an images/<subset>/ folder")
                position = 1 if parts[1] == "images" else 0
                labels = "/".join([*parts[:position], "labels", *parts[position + 1:]])
                label_file = strip_ext(labels) + ".txt"
                done.add(label_file)
                media = self.source.media(image) if image in self._available else None
                yield subset, "/".join(parts[2:]), label_file, media
            for prefix in (f"{self.config.root}labels/{subset}/", f"{self.config.root}{subset}/labels/"):
                for name in sorted(self._available):
                    if name.startswith(prefix) and name.endswith(".txt") and name not in done:
                        done.add(name)
                        yield subset, name[len(prefix):-4], name, None

    def _images(self, subset: str, value: Any) -> list[tuple[str, tuple[str, str | None]]]:
        """The subset's image paths (relative to the archive) with where each is listed."""
        root = self.config.root
        result: list[tuple[str, tuple[str, str | None]]] = []
        for i, entry in enumerate(value if isinstance(value, list) else [value]):
            if not isinstance(entry, str):
                raise self.config.error(f"{subset}[{i}]" if isinstance(value, list) else subset,
                                        "expected a list file or an image folder")
            path = root + _localize(entry)
            if path.endswith(".txt"):
                if path not in self._available:
                    continue  # an annotations-only upload may lack the list: its label files count
                lines = self.source.read_text(path).splitlines()
                result.extend((root + _localize(line), (path, f"line {n}")) for n, line in enumerate(lines, 1)
                              if line.strip())
            else:
                folder = path.rstrip("/") + "/"
                result.extend((name, (self.config.name, subset)) for name in sorted(self._available)
                              if name.startswith(folder) and not name.endswith((".txt", ".json", ".yaml")))
        return result

    def label_file(self, name: str) -> LabelFile | None:
        return LabelFile(self.source, name) if name in self._available else None


def _localize(path: str) -> str:
    path = path.strip().replace("\\", "/")
    while path.startswith("./"):
        path = path[2:]
    return path.lstrip("/")


def load_dataset(source: InputTree, options: ImportOptions, parse: LineParser,
                 labels: Callable[[UltralyticsReader], tuple[LabelSpec, ...]] | None = None, *,
                 reader: UltralyticsReader | None = None) -> Dataset:
    """An Ultralytics upload as a dataset: ``parse(label_file, line, fields, label, size)``
    makes one object of a line from the fields after the class index (and sets its
    ``track_id`` when the line ends with one, see :func:`split_track_id`)."""
    reader = reader or UltralyticsReader(source)
    sizes = ImageSizes(options)
    specs = labels(reader) if labels else reader.labels()
    count = 0

    def frames() -> Iterator[Frame]:
        nonlocal count
        for subset, name, label_name, media in reader.frames():
            index = count
            count += 1
            labels_file = reader.label_file(label_name)
            shapes = []
            size = None
            if labels_file is not None:
                for line, fields in labels_file.lines():
                    label = labels_file.label(line, fields[0], reader.names)
                    if size is None:
                        size = sizes.of(label_name, name, media)
                    shapes.append(parse(labels_file, line, fields[1:], label, size))
            if size is None:
                size = sizes.find(name, media)
            width, height = size or (0, 0)
            yield Frame(index, name, width, height, subset, shapes=tuple(shapes), image=media)

    splitter = TrackSplitter(frames(), lambda: count, {label.name: label for label in specs})
    return Dataset(specs, splitter.frames(), splitter.tracks())


def export_frames(dataset: Dataset) -> Iterator[Frame]:
    """The frames with tracks as per-frame shapes."""
    return flatten_tracks(dataset.frames, dataset.tracks)
