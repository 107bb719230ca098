"""What a format keeps, converts and loses: a declaration that tests check and the README shows.

Each format declares one :class:`Fidelity`:

* a :class:`Rule` per kind of object – ``tag``, each :class:`~inklab.vocabulary.ShapeType`,
  and ``track`` – saying whether it is ``kept`` (comes back as it went), ``converted``
  (comes back as something else: ``becomes`` names a shape type, ``"tag"``, or for tracks
  ``"shapes"``, i.e. one shape per frame where the object is visible) or ``dropped``
  (not written at all);
* ``lost``: the :class:`Property` values that do not survive for the objects that are
  kept or converted (e.g. ``z_order`` in COCO);
* ``precision``: the largest coordinate error the format introduces, in pixels (0 for
  formats that write full-precision numbers).

The shared round-trip test (``tests/formats/roundtrip.py``) exports a dataset that holds
every kind of object and property, imports it again, and compares the result with what
the declaration promises; so the table in the README (made by :func:`markdown_table`) is
proven by the tests of every format.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from inklab.vocabulary import ShapeType

__all__ = ["DROPPED", "KEPT", "OBJECT_KINDS", "Fidelity", "Outcome", "Property", "Rule", "converted",
           "markdown_table"]


class Outcome(StrEnum):
    KEPT = "kept"
    CONVERTED = "converted"
    DROPPED = "dropped"


class Property(StrEnum):
    """Properties of objects, labels and frames that a format may fail to keep."""

    ATTRIBUTES = "attributes"            # attribute values of objects
    GROUP = "group"
    Z_ORDER = "z_order"
    ROTATION = "rotation"
    OCCLUDED = "occluded"
    SOURCE = "source"
    SCORE = "score"
    ELEMENT_STATES = "element states"   # occluded/outside of skeleton points
    POINT_ATTRIBUTES = "point attributes"  # attribute values of skeleton points
    LABEL_SPECS = "label specs"         # label types, attribute definitions, colors
    SKELETON_SVG = "skeleton svg"
    SUBSETS = "subsets"
    FRAME_NAMES = "frame names"         # directories or extensions of image names
    IMAGE_SIZE = "image size"
    OVERLAPS = "overlapped pixels"      # one label per pixel: where areas overlap, the one drawn last
                                        # (z_order, then order) keeps the pixels (see raster.paint)
    OBJECT_LABELS = "object labels"     # the format has no label per object: they come back with
                                        # a fixed label or the image's (see the format's notes)
    INSTANCES = "instances"             # separate objects: semantic masks hold one region per label


@dataclass(frozen=True)
class Rule:
    """What happens to one kind of object. ``becomes`` is set for ``converted``."""

    outcome: Outcome
    becomes: str | None = None
    note: str = ""

    def __post_init__(self) -> None:
        if (self.outcome == Outcome.CONVERTED) != (self.becomes is not None):
            raise ValueError("A rule has 'becomes' exactly when its outcome is 'converted'.")

    def cell(self) -> str:
        """The README table cell."""
        if self.outcome == Outcome.KEPT:
            text = "✓"
        elif self.outcome == Outcome.DROPPED:
            text = "–"
        else:
            text = f"→ {self.becomes}"
        return f"{text} ({self.note})" if self.note else text


KEPT = Rule(Outcome.KEPT)
DROPPED = Rule(Outcome.DROPPED)


def converted(becomes: str, note: str = "") -> Rule:
    """A :class:`Rule` for objects that come back as ``becomes``."""
    return Rule(Outcome.CONVERTED, becomes, note)


#: The kinds of objects a fidelity declaration covers, in table order.
OBJECT_KINDS: tuple[str, ...] = ("tag", *(t.value for t in ShapeType), "track")


@dataclass(frozen=True)
class Fidelity:
    """A format's declaration; kinds not mentioned in ``rules`` are dropped."""

    rules: Mapping[str, Rule]
    lost: frozenset[Property] = frozenset()
    precision: float = 0.0
    notes: str = ""
    extra: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        unknown = set(self.rules) - set(OBJECT_KINDS)
        if unknown:
            raise ValueError(f"Unknown object kinds in a fidelity rule: {', '.join(sorted(unknown))}.")

    def rule(self, kind: str) -> Rule:
        """The rule for ``kind`` (``"tag"``, a shape type, or ``"track"``)."""
        return self.rules.get(kind, DROPPED)

    def keeps(self, prop: Property) -> bool:
        return prop not in self.lost

    @classmethod
    def everything(cls, *, precision: float = 0.0, notes: str = "") -> Fidelity:
        """A declaration for formats that keep every kind of object and property."""
        return cls({kind: KEPT for kind in OBJECT_KINDS}, precision=precision, notes=notes)


def markdown_table(entries: Iterable[tuple[str, Fidelity]]) -> str:
    """The README table: one row per ``(format name, fidelity)``."""
    header = ["format", *OBJECT_KINDS, "lost"]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for name, fidelity in entries:
        lost = ", ".join(sorted(p.value for p in fidelity.lost)) or "nothing"
        if fidelity.precision:
            lost += f"; coordinates ±{fidelity.precision:g} px"
        if fidelity.notes:
            lost += f"; {fidelity.notes}"
        cells = [name, *(fidelity.rule(kind).cell() for kind in OBJECT_KINDS), lost]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"
