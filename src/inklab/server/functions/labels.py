"""The label specs of a function (``labels_v2``) and their mapping onto a task's labels.

``labels_v2`` arrive as cvat-cli's ``function create-native`` sends them: a list of
``{name, type?, attributes: [{name, input_type, values}], sublabels?: [...]}``. They are
stored normalized (``type`` defaults to ``any``, ``attributes`` to ``[]``), because agents read
them back and compare field by field.

A *mapping* tells an agent which task label each function label stands for:
``{function label: {"name": task label, "attributes": {function attr: task attr},
"sublabels": {function point: {"name": task point, "attributes": {...}}}}}``. Without one,
labels, points and attributes are matched by name, and those without a match are left out.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from inklab.server.errors import InvalidInput
from inklab.vocabulary import InputType, LabelType

__all__ = ["check_mapping", "default_mapping", "normalize_labels"]

_LABEL_TYPES = frozenset(LabelType) | {"unknown"}
_INPUT_TYPES = frozenset(InputType)


def _name(value: Any, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput(f"{where}.name: expected a non-empty string, got {value!r}.")
    if len(value) > 64:
        raise InvalidInput(f"{where}.name: '{value[:70]}...' is longer than 64 characters.")
    return value


def _attributes(raw: Any, where: str) -> list[dict[str, Any]]:
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise InvalidInput(f"{where}.attributes: expected a list.")
    seen: set[str] = set()
    result = []
    for i, attr in enumerate(raw):
        at = f"{where}.attributes[{i}]"
        if not isinstance(attr, dict):
            raise InvalidInput(f"{at}: expected an object.")
        name = _name(attr.get("name"), at)
        if name in seen:
            raise InvalidInput(f"{at}: a second attribute named '{name}'.")
        seen.add(name)
        input_type = attr.get("input_type")
        if input_type not in _INPUT_TYPES:
            raise InvalidInput(f"{at}.input_type: must be one of {', '.join(sorted(_INPUT_TYPES))}, "
                               f"got {input_type!r}.")
        values = attr.get("values", [])
        if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
            raise InvalidInput(f"{at}.values: expected a list of strings.")
        result.append({"name": name, "input_type": input_type, "values": list(values)})
    return result


def _label(raw: Any, where: str, *, point: bool) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise InvalidInput(f"{where}: expected an object.")
    label_type = raw.get("type", "any")
    if label_type not in _LABEL_TYPES:
        raise InvalidInput(f"{where}.type: must be one of {', '.join(sorted(_LABEL_TYPES))}, got {label_type!r}.")
    label = {"name": _name(raw.get("name"), where), "type": label_type,
             "attributes": _attributes(raw.get("attributes"), where)}
    sublabels = raw.get("sublabels")
    if point:
        if sublabels:
            raise InvalidInput(f"{where}.sublabels: a skeleton point cannot have points of its own.")
        return label
    if sublabels:
        if label_type != LabelType.SKELETON:
            raise InvalidInput(f"{where}: a label with sublabels must have type 'skeleton', not '{label_type}'.")
        label["sublabels"] = _labels(sublabels, f"{where}.sublabels", point=True)
    elif label_type == LabelType.SKELETON:
        raise InvalidInput(f"{where}: a skeleton label needs its points in 'sublabels'.")
    return label


def _labels(raw: Any, where: str, *, point: bool) -> list[dict[str, Any]]:
    if not isinstance(raw, list):
        raise InvalidInput(f"{where}: expected a list of labels.")
    seen: set[str] = set()
    result = []
    for i, item in enumerate(raw):
        label = _label(item, f"{where}[{i}]", point=point)
        if label["name"] in seen:
            raise InvalidInput(f"{where}[{i}]: a second label named '{label['name']}'.")
        seen.add(label["name"])
        result.append(label)
    return result


def normalize_labels(raw: Any) -> list[dict[str, Any]]:
    """Validated, normalized ``labels_v2``; raises :class:`InvalidInput` naming the bad field."""
    return _labels(raw, "labels_v2", point=False)


def _by_name(items: Iterable[Any]) -> dict[str, Any]:
    return {item["name"] if isinstance(item, dict) else item.name: item for item in items}


def _task_label_tree(task_labels: Iterable[Any]) -> dict[str, dict[str, Any]]:
    """``{name: {"attributes": {names}, "sublabels": {name: {attribute names}}}}`` of task labels."""
    tree = {}
    for label in task_labels:
        tree[label.name] = {
            "attributes": {a.name for a in label.attributes.all()},
            "sublabels": {s.name: {a.name for a in s.attributes.all()} for s in label.sublabels.all()},
        }
    return tree


def _matched_attributes(attributes: list[dict[str, Any]], targets: set[str]) -> dict[str, str]:
    return {a["name"]: a["name"] for a in attributes if a["name"] in targets}


def _matched_points(label: dict[str, Any], target: dict[str, Any]) -> dict[str, Any]:
    return {
        s["name"]: {"name": s["name"], "attributes": _matched_attributes(s["attributes"], target["sublabels"][s["name"]])}
        for s in label.get("sublabels") or [] if s["name"] in target["sublabels"]
    }


def default_mapping(function_labels: list[dict[str, Any]], task_labels: Iterable[Any]) -> dict[str, Any]:
    """Match function labels, points and attributes to the task's by name; drop the unmatched."""
    tree = _task_label_tree(task_labels)
    mapping: dict[str, Any] = {}
    for label in function_labels:
        target = tree.get(label["name"])
        if target is None:
            continue
        entry: dict[str, Any] = {"name": label["name"],
                                 "attributes": _matched_attributes(label["attributes"], target["attributes"])}
        if label.get("sublabels"):
            entry["sublabels"] = _matched_points(label, target)
        mapping[label["name"]] = entry
    return mapping


def _string_map(raw: Any, where: str, known: set[str], targets: set[str], what: str) -> dict[str, str]:
    if not isinstance(raw, dict):
        raise InvalidInput(f"{where}: expected an object mapping {what} names.")
    for source, target in raw.items():
        if source not in known:
            raise InvalidInput(f"{where}: the function has no {what} '{source}'.")
        if not isinstance(target, str) or target not in targets:
            raise InvalidInput(f"{where}.{source}: the task has no {what} {target!r}.")
    return dict(raw)


def check_mapping(raw: Any, function_labels: list[dict[str, Any]], task_labels: Iterable[Any]) -> dict[str, Any]:
    """Validate a user's mapping against the function's and the task's labels; returns it cleaned."""
    if not isinstance(raw, Mapping):
        raise InvalidInput("mapping: expected an object keyed by the function's label names.")
    tree = _task_label_tree(task_labels)
    ours = _by_name(function_labels)
    cleaned: dict[str, Any] = {}
    for source, entry in raw.items():
        where = f"mapping.{source}"
        if source not in ours:
            raise InvalidInput(f"{where}: the function has no label '{source}'.")
        if not isinstance(entry, Mapping) or not isinstance(entry.get("name"), str):
            raise InvalidInput(f"{where}: expected an object with the task label's 'name'.")
        target = tree.get(entry["name"])
        if target is None:
            raise InvalidInput(f"{where}.name: the task has no label '{entry['name']}'.")
        label = ours[source]
        out: dict[str, Any] = {"name": entry["name"]}
        if "attributes" in entry:
            out["attributes"] = _string_map(entry["attributes"], f"{where}.attributes",
                                            {a["name"] for a in label["attributes"]}, target["attributes"],
                                            "attribute")
        else:
            out["attributes"] = _matched_attributes(label["attributes"], target["attributes"])
        if "sublabels" not in entry:
            if label.get("sublabels"):
                out["sublabels"] = _matched_points(label, target)
        else:
            points = _by_name(label.get("sublabels") or [])
            if not isinstance(entry["sublabels"], Mapping):
                raise InvalidInput(f"{where}.sublabels: expected an object keyed by point names.")
            out["sublabels"] = {}
            for point_name, point_entry in entry["sublabels"].items():
                at = f"{where}.sublabels.{point_name}"
                if point_name not in points:
                    raise InvalidInput(f"{at}: the function's label '{source}' has no point '{point_name}'.")
                if not isinstance(point_entry, Mapping) or not isinstance(point_entry.get("name"), str):
                    raise InvalidInput(f"{at}: expected an object with the task point's 'name'.")
                if point_entry["name"] not in target["sublabels"]:
                    raise InvalidInput(f"{at}.name: the task label '{entry['name']}' has no point "
                                       f"'{point_entry['name']}'.")
                point_out: dict[str, Any] = {"name": point_entry["name"]}
                point_targets = target["sublabels"][point_entry["name"]]
                if "attributes" in point_entry:
                    point_out["attributes"] = _string_map(
                        point_entry["attributes"], f"{at}.attributes",
                        {a["name"] for a in points[point_name]["attributes"]}, point_targets, "attribute")
                else:
                    point_out["attributes"] = _matched_attributes(points[point_name]["attributes"], point_targets)
                out["sublabels"][point_name] = point_out
        cleaned[source] = out
    return cleaned
