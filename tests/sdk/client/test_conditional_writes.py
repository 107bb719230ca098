"""Conditional annotation writes through the SDK: ``version=`` on set/update/remove, read back
with ``get_annotations_version``; a stale write raises StaleAnnotationsError and writes nothing."""

from __future__ import annotations

from typing import Any

import pytest

from inklab.sdk import ConflictError, StaleAnnotationsError


def _box(label_id: int, frame: int, x: float) -> dict[str, Any]:
    return {"type": "rectangle", "frame": frame, "label_id": label_id, "points": [x, x, x + 4, x + 4]}


def _stored(resource: Any) -> list[tuple[int, int, list[float]]]:
    return sorted((s.id, s.frame, list(s.points)) for s in resource.get_annotations().shapes)


def test_job_writes_with_the_version_read_go_through_and_stale_ones_change_nothing(make_task: Any) -> None:
    task = make_task(6, segment_size=3)
    car = task.get_labels()[0].id
    first, second = sorted(task.get_jobs(), key=lambda j: j.start_frame)
    version = first.get_annotations_version()
    assert version == first.get_annotations().version
    created = first.update_annotations({"shapes": [_box(car, 0, 1)]}, action="create", version=version)
    assert created is not None and created.version == version + 1
    assert first.get_annotations_version() == version + 1
    box = created.shapes[0]
    # Someone else changes the job (no version: an overwrite); our version is now stale.
    first.update_annotations({"shapes": [{**box.to_dict(), "points": [2, 2, 8, 8]}]})
    current = first.get_annotations_version()
    assert current == version + 2
    before = _stored(first)
    stale = version + 1
    writes = {
        "set": lambda: first.set_annotations({"shapes": [_box(car, 1, 5)]}, version=stale),
        "create": lambda: first.update_annotations({"shapes": [_box(car, 1, 5)]}, action="create", version=stale),
        "update": lambda: first.update_annotations({"shapes": [{**box.to_dict(), "points": [0, 0, 1, 1]}]}, version=stale),
        "remove ids": lambda: first.remove_annotations(ids=[box.id], version=stale),
        "remove all": lambda: first.remove_annotations(version=stale),
        "remove missing ids": lambda: first.remove_annotations(ids=[10**9], version=stale),
    }
    for name, write in writes.items():
        with pytest.raises(StaleAnnotationsError) as caught:
            write()
        error = caught.value
        assert isinstance(error, ConflictError) and error.status == 409, name
        assert error.current_version == current, name
        assert f"changed since version {stale} was read; the current version is {current}" in str(error), name
        assert _stored(first) == before, f"{name}: a stale write changed the annotations"
        assert first.get_annotations_version() == current, name
    # A job's version moves only with its own frames: a write in the other job leaves it current.
    second.update_annotations({"shapes": [_box(car, 4, 3)]}, action="create")
    assert first.get_annotations_version() == current
    first.remove_annotations(ids=[box.id], version=current)
    assert _stored(first) == [] and first.get_annotations_version() == current + 1


def test_task_writes_check_the_task_version(make_task: Any) -> None:
    task = make_task(4)
    car = task.get_labels()[0].id
    version = task.get_annotations_version()
    written = task.set_annotations({"shapes": [_box(car, 0, 1), _box(car, 2, 3)]}, version=version)
    assert written is not None and written.version == version + 1 == task.get_annotations_version()
    before = _stored(task)
    with pytest.raises(StaleAnnotationsError) as caught:
        task.update_annotations({"shapes": [_box(car, 3, 9)]}, action="create", version=version)
    assert caught.value.current_version == version + 1
    assert _stored(task) == before
    task.remove_annotations(version=version + 1)
    assert _stored(task) == []


@pytest.mark.parametrize("bad", [-1, True, 1.5, "3"])
def test_a_version_that_is_not_one_is_refused_before_sending(make_task: Any, bad: Any) -> None:
    task = make_task(2)
    with pytest.raises(ValueError, match="version must be an annotations version"):
        task.update_annotations({"shapes": []}, version=bad)
