"""Colours for labels created without one: a perceptually spaced palette.

The palette steps hues by the golden angle with alternating lightness and saturation (the web
UI's label editor uses the same sequence, ``appearance.js``); :func:`distinct_color` takes the first
colour of it that looks unlike the colours already given, measured in OKLab.
"""

from __future__ import annotations

import colorsys
import math
import re
from collections.abc import Iterable

__all__ = ["color_distance", "distinct_color", "palette_color"]

_HEX = re.compile(r"^#[0-9a-fA-F]{6}$")
#: colours closer than this (OKLab distance) look alike next to each other
DISTINCT = 0.12


def palette_color(n: int) -> str:
    """The n-th colour of the palette (n >= 0) as ``#rrggbb``."""
    hue = (n * 137.508) % 360
    lightness = (0.55, 0.42, 0.68)[n % 3]
    saturation = (0.85, 0.7)[(n // 3) % 2]
    r, g, b = colorsys.hls_to_rgb(hue / 360, lightness, saturation)
    return "#" + "".join(f"{round(c * 255):02x}" for c in (r, g, b))


def _oklab(color: str) -> tuple[float, float, float]:
    def linear(c: float) -> float:
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(int(color[i:i + 2], 16) / 255) for i in (1, 3, 5))
    l_ = math.cbrt(0.4122214708 * r + 0.5363325363 * g + 0.0514459929 * b)
    m = math.cbrt(0.2119034982 * r + 0.6806995451 * g + 0.1073969566 * b)
    s = math.cbrt(0.0883024619 * r + 0.2817188376 * g + 0.6299787005 * b)
    return (0.2104542553 * l_ + 0.793617785 * m - 0.0040720468 * s,
            1.9779984951 * l_ - 2.428592205 * m + 0.4505937099 * s,
            0.0259040371 * l_ + 0.7827717662 * m - 0.808675766 * s)


def color_distance(a: str, b: str) -> float:
    """How different two ``#rrggbb`` colours look: their OKLab distance (about 0.1 is clearly apart)."""
    return math.dist(_oklab(a), _oklab(b))


def distinct_color(used: Iterable[str]) -> str:
    """The first palette colour at least :data:`DISTINCT` from every colour in ``used`` (others
    than ``#rrggbb`` are ignored); with very many labels, the one farthest from its nearest."""
    taken = [c for c in used if isinstance(c, str) and _HEX.match(c)]
    best, best_distance = palette_color(0), -1.0
    for n in range(64):
        color = palette_color(n)
        nearest = min((color_distance(color, c) for c in taken), default=math.inf)
        if nearest >= DISTINCT:
            return color
        if nearest > best_distance:
            best, best_distance = color, nearest
    return best
