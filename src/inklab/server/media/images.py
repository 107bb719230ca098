"""What the server keeps and serves as a frame: the image formats, their MIME types, the size limit.

Every frame file comes through :func:`check_image` – uploads and dataset imports
(:mod:`.ingest`), restored backups (:mod:`inklab.server.datasets.backups`) – and every
frame is served with :func:`served_type`, never with a stored string as it is:

* a frame is an image in one of :data:`FRAME_TYPES`' formats, as Pillow reads its header (not
  as its name or a client says), and decodes completely;
* it has at most ``INKLAB_MAX_IMAGE_PIXELS`` pixels (default 150 million), checked from the
  header before anything is decoded (:mod:`inklab.formats.pixels`, which also makes Pillow's
  own decompression-bomb check refuse the same sizes);
* videos are decoded into JPEG frames when a task is created; their frame size obeys the same
  limit. No video file is ever stored or served as a frame.

Failures raise :class:`~inklab.server.errors.InvalidInput` naming the user's file.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import IO

from PIL import Image, UnidentifiedImageError

from inklab.formats.pixels import check_pixels, max_pixels
from inklab.server.errors import InvalidInput

__all__ = ["FRAME_TYPES", "ImageInfo", "check_image", "check_size", "served_type"]

#: Pillow format → the MIME type a frame of that format is stored and served with
FRAME_TYPES: dict[str, str] = {
    "JPEG": "image/jpeg",
    "MPO": "image/jpeg",  # a camera JPEG with extra pictures after the first: browsers show the first
    "PNG": "image/png",
    "GIF": "image/gif",
    "BMP": "image/bmp",
    "TIFF": "image/tiff",
    "WEBP": "image/webp",
    "PPM": "image/x-portable-anymap",
}

# types rows were stored with before FRAME_TYPES existed (Pillow's own name for MPO)
_STORED_ALIASES = {"image/mpo": "image/jpeg"}
_SERVED = frozenset(FRAME_TYPES.values())


@dataclass(frozen=True)
class ImageInfo:
    """What a checked image file is: its size and its MIME type (one of :data:`FRAME_TYPES`)."""

    width: int
    height: int
    mime: str


def check_size(name: str, width: int, height: int) -> None:
    """Refuse a ``width`` × ``height`` image over the pixel limit (or an empty one), naming ``name``."""
    try:
        check_pixels(width, height)
    except ValueError as exc:
        raise InvalidInput(f"'{name}' is too large to be a frame: {exc}.") from exc


def check_image(file: Path | IO[bytes], name: str) -> ImageInfo:
    """Open, check and fully decode an image; ``name`` is what the user calls the file.

    Raises InvalidInput when it is not an image, not of a frame format, over the size limit or
    corrupt.
    """
    try:
        with Image.open(file) as image:
            fmt = image.format or ""
            if fmt not in FRAME_TYPES:
                formats = sorted(set(FRAME_TYPES) - {"MPO"})
                raise InvalidInput(f"'{name}' is an image in {fmt or 'an unknown'} format; frames are "
                                   f"{', '.join(formats[:-1])} or {formats[-1]} images.")
            width, height = image.size
            check_size(name, width, height)
            image.draft(image.mode, (max(1, width // 8), max(1, height // 8)))
            image.load()
    except Image.DecompressionBombError as exc:  # Pillow's check from the header, at the same limit
        raise InvalidInput(f"'{name}' is too large to be a frame: it has more than the limit of "
                           f"{max_pixels() or 0:,} pixels.") from exc
    except UnidentifiedImageError as exc:  # its message holds the server's path of the file
        raise InvalidInput(f"'{name}' is not a valid image (not a format this server reads).") from exc
    except (OSError, SyntaxError, ValueError) as exc:
        raise InvalidInput(f"'{name}' is not a valid image ({exc}).") from exc
    return ImageInfo(width, height, FRAME_TYPES[fmt])


def served_type(mime: str) -> str | None:
    """The Content-Type to serve a frame stored as ``mime`` with, or None if it may not be served."""
    mime = _STORED_ALIASES.get(mime, mime)
    return mime if mime in _SERVED else None
