"""Errors of the auto-annotation layer.

Hierarchy::

    SdkError                     (inklab.sdk) base of everything the SDK raises on purpose
    └── AutoAnnotationError      base of this package's errors
        └── BadFunctionError     a function broke the protocol: a bad spec, or a bad result

A :class:`BadFunctionError` message names what was wrong, where: the label (and point or
attribute), the frame, and the reason, e.g. ``frame 12 ('img_012.jpg'): shape 3 (label
'person'): the skeleton has 2 elements for point 'hand'``.
"""

from __future__ import annotations

from inklab.sdk import SdkError

__all__ = ["AutoAnnotationError", "BadFunctionError"]


class AutoAnnotationError(SdkError):
    """Base class of the auto-annotation errors."""


class BadFunctionError(AutoAnnotationError):
    """An auto-annotation function violated the protocol (its spec or its results)."""
