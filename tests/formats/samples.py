"""Helpers for format tests: hand-written uploads as zip archives, imports, small PNG masks."""

from __future__ import annotations

import io
import zipfile
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from inklab.formats import Dataset, Frame, ImportOptions, get_importer, open_input
from tests.support.images import make_image

__all__ = ["fixed_sizes", "frames_by_name", "load", "png", "png_image", "zip_files"]


def zip_files(path: Path, files: dict[str, bytes | str]) -> Path:
    """A zip archive at ``path`` holding ``files`` (text is written as UTF-8)."""
    with zipfile.ZipFile(path, "w") as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return path


def load(format_name: str, path: Path, **options: Any) -> Dataset:
    """Import ``path`` with a format; frames and tracks are read at once (images in memory)."""
    with open_input(path) as source:
        dataset = get_importer(format_name).load(source, ImportOptions(**options))
        frames = []
        for frame in dataset.frames:
            if frame.image is not None:
                data = frame.image.read()
                frame = replace(frame, image=replace(frame.image, opener=lambda data=data: io.BytesIO(data)))
            frames.append(frame)
        return replace(dataset, frames=frames, tracks=list(dataset.tracks))


def frames_by_name(dataset: Dataset) -> dict[str, Frame]:
    return {frame.name: frame for frame in dataset.frames}


def fixed_sizes(width: int, height: int) -> Any:
    """An ``image_size`` lookup that knows every frame, all of one size."""
    return lambda name: (width, height)


def png(array: np.ndarray, mode: str | None = None, palette: list[int] | None = None) -> bytes:
    """An array as PNG bytes (``mode`` as Pillow names it)."""
    image = Image.fromarray(array, mode) if mode else Image.fromarray(array)
    if palette is not None:
        image.putpalette(palette)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def png_image(index: int, size: tuple[int, int] = (64, 48), fmt: str = "PNG") -> bytes:
    buffer = io.BytesIO()
    make_image(index, size).save(buffer, format=fmt)
    return buffer.getvalue()
