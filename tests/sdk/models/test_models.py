"""The hand-written models: keyword construction, dict conversion, defaults, to_dict."""

from __future__ import annotations

import pickle
from datetime import UTC, datetime

import pytest

from inklab.sdk import models
from inklab.vocabulary import ShapeType


def test_keyword_construction_converts_nested_dicts() -> None:
    shape = models.LabeledShapeRequest(
        type="skeleton", frame=2, label_id=5,
        attributes=[{"spec_id": 1, "value": "red"}],
        elements=[{"type": "points", "frame": 2, "label_id": 6, "points": [1, 2]}],
    )
    assert shape.type is ShapeType.SKELETON and shape.type.value == "skeleton" and shape.type == "skeleton"
    assert isinstance(shape.attributes[0], models.AttributeValRequest) and shape.attributes[0].value == "red"
    assert isinstance(shape.elements[0], models.SubLabeledShapeRequest) and shape.elements[0].points == [1, 2]
    assert shape.occluded is False and shape.rotation == 0.0 and shape.group is None


def test_to_dict_has_only_given_and_assigned_fields() -> None:
    shape = models.LabeledShapeRequest(type="rectangle", frame=0, label_id=1, points=[0, 0, 1, 1])
    assert shape.to_dict() == {"type": "rectangle", "frame": 0, "label_id": 1, "points": [0, 0, 1, 1]}
    shape.occluded = True
    assert shape.to_dict()["occluded"] is True
    task = models.PatchedTaskWriteRequest(assignee_id=None)
    assert task.to_dict() == {"assignee_id": None}  # an explicit None is sent (unassign)


def test_required_fields_are_checked() -> None:
    with pytest.raises(TypeError, match="label_id"):
        models.LabeledShapeRequest(type="rectangle", frame=0)
    with pytest.raises(TypeError, match="name"):
        models.TaskWriteRequest(labels=[])


def test_mutable_defaults_are_per_instance() -> None:
    a = models.LabeledImageRequest(frame=0, label_id=1)
    b = models.LabeledImageRequest(frame=1, label_id=1)
    a.attributes.append(models.AttributeValRequest(spec_id=1, value="x"))
    assert b.attributes == [] and len(a.attributes) == 1


def test_unknown_keys_survive_and_dates_parse() -> None:
    task = models.TaskRead.from_dict({"id": 3, "name": "t", "updated_date": "2025-01-31T12:34:56.123456Z",
                                      "future_field": {"x": 1}, "owner": {"username": "bob", "id": 2}})
    assert task.future_field == {"x": 1} and task["name"] == "t"
    assert task.updated_date == datetime(2025, 1, 31, 12, 34, 56, 123456, tzinfo=UTC)
    assert isinstance(task.owner, models.BasicUser) and task.owner.username == "bob"
    assert task.to_dict()["updated_date"] == "2025-01-31T12:34:56.123456Z"
    with pytest.raises(KeyError):
        task["no_such_field"]


def test_unknown_enum_values_stay_strings() -> None:
    shape = models.LabeledShape(type="hexagon", frame=0, label_id=1)
    assert shape.type == "hexagon"


def test_models_pickle_and_compare_by_value() -> None:
    data = models.LabeledData.from_dict({"version": 2, "tags": [{"frame": 0, "label_id": 1, "id": 4}],
                                         "shapes": [], "tracks": [{"frame": 0, "label_id": 1, "shapes": [
                                             {"type": "rectangle", "frame": 0, "points": [1, 2, 3, 4]}]}]})
    copy = pickle.loads(pickle.dumps(data))
    assert copy == data and copy.tracks[0].shapes[0].type is ShapeType.RECTANGLE
    assert data != models.LabeledData.from_dict({"version": 3})
    assert "LabeledImage(frame=0, label_id=1, id=4)" in repr(data)
