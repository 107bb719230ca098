"""Small generated images for tests: distinct, deterministic, in several formats."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

import numpy as np
from PIL import Image

__all__ = ["make_image", "make_images", "png_header"]


def make_image(index: int, size: tuple[int, int] = (64, 48), mode: str = "RGB") -> Image.Image:
    """A deterministic image whose pixels depend on ``index`` (so frames are distinguishable)."""
    width, height = size
    rng = np.random.default_rng(index)
    array = rng.integers(0, 256, size=(height, width, 3), dtype=np.uint8)
    array[: max(1, height // 8), : max(1, width // 8)] = (index * 37) % 256  # a visible marker
    image = Image.fromarray(array, "RGB")
    return image.convert(mode) if mode != "RGB" else image


def make_images(directory: Path, count: int = 3, *, size: tuple[int, int] = (64, 48), ext: str = "png",
                prefix: str = "img") -> list[Path]:
    """Write ``count`` images named ``<prefix>_<i>.<ext>`` and return their paths in order.

    PNG keeps pixels exact, so downloaded originals can be compared pixel for pixel.
    """
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(count):
        path = directory / f"{prefix}_{i:03d}.{ext}"
        make_image(i, size).save(path)
        paths.append(path)
    return paths


def png_header(width: int, height: int) -> bytes:
    """A few dozen bytes of PNG whose header claims ``width`` × ``height`` pixels (a pixel bomb:
    the data is far too short, but a reader that trusts the header would allocate it all)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\0" * 16)) + chunk(b"IEND", b""))
