"""How many pixels one image or mask may have.

A file's own numbers – a COCO RLE's ``size``, a CVAT mask's box, an image's header – say how
large a bitmap decoding it makes; a few bytes may claim billions of pixels. Everything this
package decodes is held to one limit, Pillow's decompression-bomb limit: Pillow refuses to
open an image of more than ``2 * PIL.Image.MAX_IMAGE_PIXELS`` pixels (and warns above
``MAX_IMAGE_PIXELS``), and :func:`check_pixels` refuses the same sizes before a bitmap is made.

:func:`set_max_pixels` sets that limit for the whole process; the server calls it at start-up
with ``INKLAB_MAX_IMAGE_PIXELS``. Without it, Pillow's default applies (about 179 million).
"""

from __future__ import annotations

import warnings

from PIL import Image

__all__ = ["check_pixels", "max_pixels", "set_max_pixels"]


def max_pixels() -> int | None:
    """The most pixels an image or mask may have (None: no limit)."""
    limit = Image.MAX_IMAGE_PIXELS
    return None if limit is None else 2 * int(limit)


def set_max_pixels(limit: int) -> None:
    """Make ``limit`` (rounded down to an even number) the most pixels anything may have.

    Pillow refuses images above twice its ``MAX_IMAGE_PIXELS``, so that is set to half the limit.
    Its warning for images between the half and the limit, which the limit allows, is silenced.
    """
    if limit < 2:
        raise ValueError(f"The pixel limit must be at least 2, got {limit}.")
    Image.MAX_IMAGE_PIXELS = limit // 2
    warnings.filterwarnings("ignore", category=Image.DecompressionBombWarning)


def check_pixels(width: int, height: int) -> None:
    """Raise ValueError if a ``width`` × ``height`` bitmap would be over the limit (or empty)."""
    if width <= 0 or height <= 0:
        raise ValueError(f"a size of {width}x{height} pixels is empty")
    limit = max_pixels()
    if limit is not None and width * height > limit:
        raise ValueError(f"{width}x{height} = {width * height:,} pixels is more than the limit of {limit:,} pixels")
