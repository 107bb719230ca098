"""Dataset formats: a pure library (no Django) that reads and writes annotation datasets."""

from inklab.formats.registry import FormatInfo, available_formats

__all__ = ["FormatInfo", "available_formats"]
