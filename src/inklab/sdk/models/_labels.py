"""Label models: labels, skeleton sublabels and attribute specifications."""

from __future__ import annotations

from inklab.sdk.models._base import Model, list_field

__all__ = [
    "Attribute",
    "AttributeRequest",
    "Label",
    "PatchedLabelRequest",
    "Sublabel",
    "SublabelRequest",
]


class Attribute(Model):
    """An attribute specification; ``values`` are strings (for ``number``: min, max, step)."""

    name: str
    mutable: bool = False
    input_type: str = "text"
    values: list[str] = list_field()
    default_value: str = ""
    id: int | None = None


class AttributeRequest(Attribute):
    _required = ("name", "mutable", "input_type", "values")
    deleted: bool = False


class Sublabel(Model):
    """A point of a skeleton label."""

    name: str
    id: int | None = None
    type: str = "points"
    color: str = ""
    attributes: list[Attribute] = list_field()
    has_parent: bool = True


class SublabelRequest(Sublabel):
    _required = ("name",)
    _item_types = {"attributes": AttributeRequest}


class Label(Model):
    """A label of a task or project; skeleton points are in ``sublabels``."""

    name: str
    id: int | None = None
    type: str = "any"
    color: str = ""
    attributes: list[Attribute] = list_field()
    sublabels: list[Sublabel] = list_field()
    svg: str = ""
    project_id: int | None = None
    task_id: int | None = None
    parent_id: int | None = None
    has_parent: bool = False


class PatchedLabelRequest(Model):
    """A label in a task/project create or update (``deleted=True`` removes it on update)."""

    name: str
    id: int | None = None
    type: str = "any"
    color: str = ""
    attributes: list[AttributeRequest] = list_field()
    sublabels: list[SublabelRequest] = list_field()
    svg: str = ""
    deleted: bool = False
