"""PNG writing: what Pillow (an independent reader) reads back from encode_png."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from inklab.formats.pngfile import encode_png


def _read(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def _pattern(dtype: type, high: int, shape: tuple[int, ...] = (37, 53)) -> np.ndarray:
    return (np.arange(int(np.prod(shape))).reshape(shape) * 7919 % high).astype(dtype)


def test_grayscale_8_bit() -> None:
    values = _pattern(np.uint8, 256)
    image = _read(encode_png(values))
    assert image.mode == "L" and image.size == (53, 37)
    assert np.array_equal(np.asarray(image), values)


def test_indexed_with_a_palette() -> None:
    values = _pattern(np.uint8, 5)
    palette = [0, 0, 0, 255, 0, 0, 0, 255, 0, 0, 0, 255, 10, 20, 30]
    image = _read(encode_png(values, palette))
    assert image.mode == "P" and np.array_equal(np.asarray(image), values)
    assert image.getpalette()[:15] == palette
    y, x = (int(v[0]) for v in np.nonzero(values == 4))
    assert np.array_equal(np.asarray(image.convert("RGB"))[y, x], [10, 20, 30])  # value 4: the 5th colour
    assert np.array_equal(np.asarray(_read(encode_png(values, bytes(palette)))), values)


def test_grayscale_16_bit() -> None:
    values = _pattern(np.uint16, 65_536)
    image = _read(encode_png(values))
    assert image.mode.startswith("I")
    assert np.array_equal(np.asarray(image).astype(np.int64), values.astype(np.int64))


def test_rgb() -> None:
    values = _pattern(np.uint8, 256, (9, 11, 3))
    image = _read(encode_png(values))
    assert image.mode == "RGB" and np.array_equal(np.asarray(image), values)


@pytest.mark.parametrize(("array", "palette", "message"), [
    (np.zeros((4, 4), np.float32), None, "Cannot write a float32"),
    (np.zeros((4, 4, 4), np.uint8), None, "Cannot write"),
    (np.zeros((0, 4), np.uint8), None, "at least one pixel"),
    (np.zeros((4, 4), np.uint16), [0, 0, 0], "cannot be indexed"),
    (np.zeros((4, 4), np.uint8), [0, 0], "1 to 256 colours"),
])
def test_refused_arrays(array: np.ndarray, palette: list[int] | None, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        encode_png(array, palette)
