"""Small generated images for tests: distinct, deterministic, in several formats."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image

__all__ = ["make_image", "make_images"]


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
