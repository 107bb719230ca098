"""PNG files written straight from numpy arrays, fast.

Segmentation formats write two or three index maps per frame (VOC, KITTI, Cityscapes, CamVid);
Pillow's PNG writer spends most of that time in zlib. :func:`encode_png` writes the same
standard PNG (one ``IDAT`` chunk, no row filters: index maps are runs of equal values, which
deflate compresses well without them) and compresses with ISA-L (``isal``, several times
faster than zlib at the same ratio), falling back to zlib where ``isal`` is not installed.

Supported arrays: ``uint8`` ``(H, W)`` as 8-bit grayscale or, with a palette, 8-bit indexed
colour; ``uint16`` ``(H, W)`` as 16-bit grayscale; ``uint8`` ``(H, W, 3)`` as RGB.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Sequence

import numpy as np

try:
    from isal import isal_zlib as _deflate
except ImportError:  # pragma: no cover - isal is a dependency; zlib keeps working without it
    _deflate = zlib  # type: ignore[assignment]

__all__ = ["compress", "crc32", "encode_png"]

_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_IEND = b"\x00\x00\x00\x00IEND\xaeB`\x82"
_LEVEL = 1
#: zlib's level 1 is about as strong as ISA-L's; use it when falling back
_FALLBACK_LEVEL = 1


def compress(data: bytes, wbits: int = zlib.MAX_WBITS) -> bytes:
    """Deflate ``data`` fast (``wbits`` as in :func:`zlib.compressobj`: 15 for a zlib stream,
    -15 for raw deflate)."""
    compressor = _deflate.compressobj(_LEVEL if _deflate is not zlib else _FALLBACK_LEVEL, zlib.DEFLATED, wbits)
    return compressor.compress(data) + compressor.flush()


def crc32(data: bytes, value: int = 0) -> int:
    """CRC-32 as zip and PNG use it."""
    return _deflate.crc32(data, value)


def _chunk(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))


def encode_png(array: np.ndarray, palette: bytes | Sequence[int] | None = None) -> bytes:
    """The PNG file of ``array`` (see the module docstring for the kinds of arrays).

    ``palette``: flat ``[r, g, b, r, g, b, ...]`` (at most 256 colours; ``bytes`` spare a
    conversion on every call) for an indexed image of a ``uint8`` array. Raises ValueError for other shapes or types.
    """
    if array.ndim == 2 and array.dtype == np.uint8:
        depth, colour = 8, (3 if palette is not None else 0)
        rows = array
    elif array.ndim == 2 and array.dtype == np.uint16:
        if palette is not None:
            raise ValueError("A 16-bit PNG cannot be indexed.")
        depth, colour = 16, 0
        rows = array.astype(">u2", copy=False).view(np.uint8).reshape(array.shape[0], -1)
    elif array.ndim == 3 and array.shape[2] == 3 and array.dtype == np.uint8:
        if palette is not None:
            raise ValueError("An RGB PNG has no palette.")
        depth, colour = 8, 2
        rows = array.reshape(array.shape[0], -1)
    else:
        raise ValueError(f"Cannot write a {array.dtype} array of shape {array.shape} as PNG.")
    height, width = array.shape[:2]
    if height == 0 or width == 0:
        raise ValueError("A PNG needs at least one pixel.")
    scanlines = np.zeros((height, rows.shape[1] + 1), dtype=np.uint8)  # filter byte 0 (none) per row
    scanlines[:, 1:] = rows
    parts = [_SIGNATURE, _chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, depth, colour, 0, 0, 0))]
    if palette is not None:
        colours = palette if isinstance(palette, bytes) else bytes(int(v) for v in palette)
        if len(colours) % 3 or not 3 <= len(colours) <= 768:
            raise ValueError("A palette is 1 to 256 colours of three values each.")
        parts.append(_chunk(b"PLTE", colours))
    parts.append(_chunk(b"IDAT", compress(scanlines.tobytes())))
    parts.append(_IEND)
    return b"".join(parts)
