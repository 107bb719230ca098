"""Label text files of the YOLO family: one object per line, a class index, then coordinates
as fractions of the image's width and height.

Shared by YOLO 1.1 (:mod:`inklab.formats.yolo`) and the Ultralytics formats
(:mod:`inklab.formats.ultralytics`):

* :func:`fraction` writes a coordinate (6 decimals, as Darknet and Ultralytics tools do:
  at most 0.5e-6 of the image size off, 0.01 px on a 20,000 px image);
* :class:`LabelFile` reads a label file line by line, with errors that name the file and the
  line (a wrong number of fields, a class index that is not declared, a number that is not
  one, a point outside the image);
* :class:`ImageSizes` finds the size that relative coordinates refer to: from the image in
  the archive, or from the import target (:attr:`~inklab.formats.registry.ImportOptions.image_size`);
* :func:`item_path` and :func:`image_name` give the file names of a frame.

Frames without a subset are written to the ``train`` subset (what Darknet and Ultralytics
expect, and what CVAT writes), so the difference between "no subset" and ``train`` is lost.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from PIL import Image, UnidentifiedImageError

from inklab.formats.errors import MalformedFile, UnsupportedData
from inklab.formats.files import InputTree
from inklab.formats.model import Frame, MediaFile
from inklab.formats.registry import ImportOptions

__all__ = ["DEFAULT_SUBSET", "MARGIN", "ImageSizes", "LabelFile", "fraction", "image_name", "item_path",
           "strip_ext", "subset_dir"]

#: the subset frames without one are written to
DEFAULT_SUBSET = "train"
#: pixels a point may lie outside the image (rounding in other tools), as the server allows
MARGIN = 1.0

_IMAGE_EXTENSIONS = frozenset({".jpg", ".jpeg", ".png", ".bmp", ".gif", ".tif", ".tiff", ".webp", ".jfif",
                               ".pgm", ".ppm", ".dng", ".mpo", ".heic"})


def fraction(value: float, size: int) -> str:
    """``value / size`` with 6 decimals (``-0.000000`` written as ``0.000000``)."""
    text = f"{value / size:.6f}"
    return "0.000000" if text == "-0.000000" else text


def subset_dir(frame: Frame) -> str:
    """The subset folder of a frame: its subset, or ``train``."""
    return frame.subset or DEFAULT_SUBSET


def strip_ext(name: str) -> str:
    """``"a/b.jpg"`` → ``"a/b"`` (only a real image extension is removed)."""
    base = name.rsplit("/", 1)[-1]
    dot = base.rfind(".")
    if dot > 0 and base[dot:].lower() in _IMAGE_EXTENSIONS:
        return name[:len(name) - len(base) + dot]
    return name


def image_name(frame: Frame) -> str:
    """The frame's image file name with directories (``"sub/a.png"``); an image extension is
    added when the frame's name has none."""
    name = frame.name or (frame.image.name if frame.image else f"frame_{frame.index or 0:06d}")
    name = name.replace("\\", "/").lstrip("/")
    if strip_ext(name) == name:
        ext = frame.image.ext if frame.image is not None and frame.image.ext else ".jpg"
        name += ext
    return name


def item_path(frame: Frame) -> str:
    """The frame's name without the image extension: the label file's path (``"sub/a"``)."""
    return strip_ext(image_name(frame))


@dataclass
class LabelFile:
    """One label file being read: iterate :meth:`lines` for ``(line number, fields)``."""

    source: InputTree
    name: str

    def lines(self) -> Iterator[tuple[int, list[str]]]:
        text = self.source.read_text(self.name)
        for number, line in enumerate(text.splitlines(), 1):
            fields = line.split("#", 1)[0].split()
            if fields:
                yield number, fields

    def error(self, line: int, problem: str) -> MalformedFile:
        return MalformedFile(self.name, f"line {line}", problem)

    def numbers(self, line: int, fields: Sequence[str], what: str = "coordinate") -> list[float]:
        """The fields as finite numbers."""
        values = []
        for field in fields:
            try:
                value = float(field)
            except ValueError:
                raise self.error(line, f"expected a number as {what}, got {field!r}") from None
            if value != value or value in (float("inf"), float("-inf")):
                raise self.error(line, f"expected a finite number as {what}, got {field!r}")
            values.append(value)
        return values

    def integer(self, line: int, field: str, what: str) -> int:
        try:
            return int(field)
        except ValueError:
            raise self.error(line, f"expected an integer {what}, got {field!r}") from None

    def label(self, line: int, field: str, names: Sequence[str] | dict[int, str]) -> str:
        """The label named by the class index ``field``."""
        index = self.integer(line, field, "class index")
        found = names.get(index) if isinstance(names, dict) else (names[index] if 0 <= index < len(names) else None)
        if found is None:
            known = sorted(names) if isinstance(names, dict) else list(range(len(names)))
            span = f"{known[0]}..{known[-1]}" if known else "none"
            raise self.error(line, f"class index {index} is not declared (declared: {span})")
        return found

    def pixels(self, line: int, values: Sequence[float], size: tuple[int, int]) -> tuple[float, ...]:
        """Relative ``x, y, x, y, ...`` as pixels; a point outside the image is an error."""
        width, height = size
        result: list[float] = []
        for i in range(0, len(values) - 1, 2):
            x, y = values[i] * width, values[i + 1] * height
            if not (-MARGIN <= x <= width + MARGIN and -MARGIN <= y <= height + MARGIN):
                raise self.error(line, f"point ({values[i]:g}, {values[i + 1]:g}) is outside the image "
                                       f"(relative coordinates go from 0 to 1; {width}x{height} px)")
            result += (x, y)
        return tuple(result)


class ImageSizes:
    """The ``(width, height)`` relative coordinates of a frame refer to.

    From the frame's image in the archive (only its header is read), else from the import
    target; :meth:`of` raises :class:`UnsupportedData` when neither knows the frame.
    """

    def __init__(self, options: ImportOptions) -> None:
        self._lookup = options.image_size

    def of(self, file: str, frame_name: str, media: MediaFile | None) -> tuple[int, int]:
        found = self.find(frame_name, media)
        if found is None:
            raise UnsupportedData(
                f"{file}: the coordinates are fractions of the image size, but the size of '{frame_name}' is "
                "unknown: the archive has no such image and the target has no frame of that name.")
        return found

    def find(self, frame_name: str, media: MediaFile | None) -> tuple[int, int] | None:
        """The size, or None where neither the image nor the target knows it."""
        if media is not None:
            try:
                with media.open() as stream, Image.open(stream) as image:
                    return image.size
            except (UnidentifiedImageError, OSError) as exc:
                raise MalformedFile(media.name, None, f"not a readable image ({exc})") from exc
        if self._lookup is not None:
            found = self._lookup(frame_name)
            if found is not None and found[0] > 0 and found[1] > 0:
                return found
        return None
