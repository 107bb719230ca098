"""Creating, updating and deleting label specifications (labels, attributes, skeletons).

Label specs arrive as CVAT ``PatchedLabelRequest`` dicts, already shape-checked by
:class:`~inklab.server.projects.serializers.LabelWriteSerializer`. This module enforces the
rules that span several fields or objects and writes them:

* names are unique among a task's or project's labels and among a skeleton's points;
* ``type`` is a :class:`~inklab.vocabulary.LabelType`; a skeleton needs at least one
  sublabel, and its points are labels of type ``points``;
* attribute values follow the input type (``number``: ``[min, max, step]``, ``select`` and
  ``radio``: a non-empty list, ``checkbox``: ``true``/``false``), and a default is valid;
* an entry with ``id`` updates that label, ``deleted: true`` removes it (with its
  annotations), an entry without ``id`` adds a label;
* only skeletons have ``sublabels`` and an ``svg``; a skeleton's points are fixed when it is
  created: an update may rename them, recolour them and change their attributes (each point
  once), never add or remove one. Anything else is refused, never ignored.

Every change bumps ``updated_date`` of the tasks that use the labels, because the CVAT
SDK's dataset cache keys on it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction

from inklab.server.errors import InvalidInput
from inklab.server.projects.colors import distinct_color
from inklab.server.projects.models import AttributeSpec, Label, Project, Task, touch
from inklab.vocabulary import InputType, LabelType

__all__ = ["apply_label_specs", "labels_of", "touch_label_users"]


def _new_color(owner: Project | Task, parent: Label | None) -> str:
    """A colour for a new label of ``owner`` (a point of ``parent``) that looks unlike its siblings'."""
    siblings = Label.objects.filter(parent=parent) if parent is not None else \
        Label.objects.filter(**_owner_kwargs(owner), parent=None)
    return distinct_color(siblings.values_list("color", flat=True))


def labels_of(owner: Project | Task) -> Any:
    """Top-level labels of a project or task (for a task in a project: the project's)."""
    if isinstance(owner, Task):
        owner = owner.label_owner
    field = "project" if isinstance(owner, Project) else "task"
    return Label.objects.filter(**{field: owner, "parent__isnull": True})


def touch_label_users(owner: Project | Task) -> None:
    """Bump the tasks (and project) whose labels changed."""
    if isinstance(owner, Project):
        touch(owner, *owner.tasks.all())
    else:
        touch(owner)


def _check_number_values(name: str, values: Sequence[str]) -> tuple[Decimal, Decimal, Decimal]:
    if len(values) != 3:
        raise InvalidInput(f"Attribute '{name}': a number needs values [min, max, step], got {list(values)}.")
    try:
        low, high, step = (Decimal(str(v)) for v in values)
    except InvalidOperation as exc:
        raise InvalidInput(f"Attribute '{name}': number values must be decimal numbers, got {list(values)}.") from exc
    if low > high or step <= 0:
        raise InvalidInput(f"Attribute '{name}': needs min <= max and step > 0, got {list(values)}.")
    return low, high, step


def _validated_attribute(spec: dict[str, Any], label_name: str) -> dict[str, Any]:
    name = spec["name"]
    where = f"label '{label_name}', attribute '{name}'"
    input_type = spec["input_type"]
    values = [str(v) for v in spec.get("values") or []]
    default = spec.get("default_value")
    if input_type == InputType.NUMBER:
        low, high, step = _check_number_values(name, values)
        if default in (None, ""):
            default = values[0]
        try:
            d = Decimal(str(default))
        except InvalidOperation as exc:
            raise InvalidInput(f"{where}: default value '{default}' is not a number.") from exc
        if not (low <= d <= high) or (d - low) % step != 0:
            raise InvalidInput(f"{where}: default value {default} is outside {values}.")
    elif input_type in (InputType.SELECT, InputType.RADIO):
        if not values:
            raise InvalidInput(f"{where}: a {input_type} attribute needs at least one value.")
        if len(set(values)) != len(values):
            raise InvalidInput(f"{where}: values must be unique, got {values}.")
        if default in (None, ""):
            default = values[0]
        if default not in values:
            raise InvalidInput(f"{where}: default value '{default}' is not one of {values}.")
    elif input_type == InputType.CHECKBOX:
        if not values:
            values = ["false"]
        values = [v.lower() for v in values]
        if any(v not in {"true", "false"} for v in values):
            raise InvalidInput(f"{where}: checkbox values must be 'true' or 'false', got {values}.")
        if default in (None, ""):
            default = values[0]
        default = str(default).lower()
        if default not in {"true", "false"}:
            raise InvalidInput(f"{where}: checkbox default must be 'true' or 'false', got '{default}'.")
    else:  # text
        if default in (None, ""):
            default = values[0] if values else ""
    return {"name": name, "mutable": bool(spec.get("mutable", False)), "input_type": input_type,
            "values": values, "default_value": str(default)}


def _apply_attributes(label: Label, specs: Iterable[dict[str, Any]]) -> None:
    existing = {a.pk: a for a in label.attributes.all()}
    names = {a.name: a.pk for a in existing.values()}
    for spec in specs:
        if spec.get("id") is not None:
            attribute = existing.get(spec["id"])
            if attribute is None:
                raise InvalidInput(f"Label '{label.name}' has no attribute with id {spec['id']}.")
            if spec.get("deleted"):
                names.pop(attribute.name, None)
                attribute.delete()
                continue
            merged = {"name": attribute.name, "mutable": attribute.mutable, "input_type": attribute.input_type,
                      "values": attribute.values, "default_value": attribute.default_value, **spec}
            data = _validated_attribute(merged, label.name)
            if data["name"] != attribute.name and data["name"] in names:
                raise InvalidInput(f"Label '{label.name}' already has an attribute '{data['name']}'.")
            names.pop(attribute.name, None)
            for key, value in data.items():
                setattr(attribute, key, value)
            attribute.save()
            names[attribute.name] = attribute.pk
        else:
            if spec.get("deleted"):
                continue
            data = _validated_attribute(spec, label.name)
            if data["name"] in names:
                raise InvalidInput(f"Label '{label.name}' already has an attribute '{data['name']}'.")
            attribute = AttributeSpec.objects.create(label=label, **data)
            names[attribute.name] = attribute.pk


def _owner_kwargs(owner: Project | Task) -> dict[str, Any]:
    return {"project": owner} if isinstance(owner, Project) else {"task": owner}


def _create_label(owner: Project | Task, spec: dict[str, Any], parent: Label | None = None) -> Label:
    label_type = spec.get("type") or (LabelType.POINTS if parent else LabelType.ANY)
    sublabels = spec.get("sublabels") or []
    if parent is None:
        if label_type == LabelType.SKELETON and not sublabels:
            raise InvalidInput(f"Skeleton label '{spec['name']}' needs at least one point (sublabels).")
        if sublabels and label_type != LabelType.SKELETON:
            raise InvalidInput(f"Label '{spec['name']}' has sublabels but its type is '{label_type}', "
                               "not 'skeleton'.")
        if spec.get("svg") and label_type != LabelType.SKELETON:
            raise InvalidInput(f"Label '{spec['name']}' is not a skeleton; only skeleton labels have an svg.")
    label = Label.objects.create(
        **_owner_kwargs(owner), parent=parent, name=spec["name"], type=label_type,
        color=spec.get("color") or _new_color(owner, parent),
        svg=(spec.get("svg") or "") if label_type == LabelType.SKELETON else "",
    )
    _apply_attributes(label, spec.get("attributes") or [])
    seen: set[str] = set()
    for sub in sublabels:
        if sub["name"] in seen:
            raise InvalidInput(f"Skeleton '{label.name}' has two points named '{sub['name']}'.")
        seen.add(sub["name"])
        if sub.get("type") not in (None, LabelType.POINTS, LabelType.ANY):
            raise InvalidInput(f"Point '{sub['name']}' of skeleton '{label.name}' must have type 'points'.")
        _create_label(owner, {**sub, "type": LabelType.POINTS, "sublabels": []}, parent=label)
    return label


def _update_label(label: Label, spec: dict[str, Any], taken: set[str]) -> None:
    if "name" in spec and spec["name"] != label.name:
        if spec["name"] in taken:
            raise InvalidInput(f"A label named '{spec['name']}' already exists.")
        taken.discard(label.name)
        label.name = spec["name"]
        taken.add(label.name)
    if spec.get("type") and spec["type"] != label.type:
        if LabelType.SKELETON in (spec["type"], label.type):
            raise InvalidInput(f"Label '{label.name}': a label cannot become or stop being a skeleton.")
        label.type = spec["type"]
    if spec.get("color"):
        label.color = spec["color"]
    if "svg" in spec and label.type == LabelType.SKELETON:
        label.svg = spec["svg"] or ""
    elif spec.get("svg"):
        raise InvalidInput(f"Label '{label.name}' is not a skeleton; only skeleton labels have an svg.")
    label.save()
    _apply_attributes(label, spec.get("attributes") or [])
    sublabels = spec.get("sublabels") or []
    if label.type != LabelType.SKELETON:
        if sublabels:
            raise InvalidInput(f"Label '{label.name}' is not a skeleton; only skeleton labels have points "
                               "(sublabels).")
        return
    points = {p.pk: p for p in label.sublabels.all()}
    given: set[int] = set()
    for sub in sublabels:
        point = points.get(sub.get("id")) if sub.get("id") is not None else None
        if point is None:
            point = next((p for p in points.values() if p.name == sub["name"]), None)
        if point is None:
            raise InvalidInput(f"Skeleton '{label.name}': points cannot be added after creation "
                               f"('{sub['name']}'); create a new skeleton label instead.")
        if point.pk in given:
            raise InvalidInput(f"Skeleton '{label.name}': point '{point.name}' is given more than once.")
        given.add(point.pk)
        if sub.get("deleted"):
            raise InvalidInput(f"Skeleton '{label.name}': points cannot be removed ('{point.name}').")
        if sub.get("type") not in (None, LabelType.POINTS, LabelType.ANY):
            raise InvalidInput(f"Point '{point.name}' of skeleton '{label.name}' must have type 'points'.")
        if sub.get("name") and sub["name"] != point.name:
            if any(p.name == sub["name"] for p in points.values()):
                raise InvalidInput(f"Skeleton '{label.name}' already has a point '{sub['name']}'.")
            point.name = sub["name"]
        if sub.get("color"):
            point.color = sub["color"]
        point.save()
        _apply_attributes(point, sub.get("attributes") or [])


@transaction.atomic
def apply_label_specs(owner: Project | Task, specs: Sequence[dict[str, Any]]) -> bool:
    """Apply label specs to a project or a standalone task; returns True if anything changed."""
    if not specs:
        return False
    if isinstance(owner, Task) and owner.project_id:
        raise InvalidInput("This task belongs to a project and uses the project's labels; "
                           "change the labels of the project instead.")
    current = {label.pk: label for label in labels_of(owner)}
    taken = {label.name for label in current.values()}
    for spec in specs:
        if spec.get("id") is not None:
            label = current.get(spec["id"])
            if label is None:
                raise InvalidInput(f"There is no label with id {spec['id']} here.")
            if spec.get("deleted"):
                taken.discard(label.name)
                label.delete()  # cascades to its attributes, sublabels and annotations
                continue
            _update_label(label, spec, taken)
        else:
            if spec.get("deleted"):
                continue
            if spec["name"] in taken:
                raise InvalidInput(f"A label named '{spec['name']}' already exists.")
            _create_label(owner, spec)
            taken.add(spec["name"])
    touch_label_users(owner)
    return True
