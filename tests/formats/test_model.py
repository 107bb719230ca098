"""The model's values: the fast constructors keep the dataclasses' parameters and behaviour."""

from __future__ import annotations

import gc
import inspect
from dataclasses import FrozenInstanceError, fields, replace

import pytest

from inklab.formats.jsonfile import collection_paused
from inklab.formats.model import Attribute, Frame, Shape, Tag, TrackedShape
from inklab.vocabulary import ObjectSource, ShapeType


@pytest.mark.parametrize("cls", [Attribute, Tag, Shape, TrackedShape, Frame])
def test_constructors_take_the_fields_with_their_defaults(cls: type) -> None:
    parameters = list(inspect.signature(cls).parameters.values())
    assert [p.name for p in parameters] == [f.name for f in fields(cls)]
    assert [p.default for p in parameters] == [
        inspect.Parameter.empty if f.default is f.default_factory else f.default for f in fields(cls)]


def test_values_stay_frozen_comparable_and_replaceable() -> None:
    shape = Shape(ShapeType.RECTANGLE, "car", (1.0, 2.0, 3.0, 4.0), occluded=True, source=ObjectSource.FILE)
    assert (shape.outside, shape.z_order, shape.score, shape.elements, shape.track_id) == (False, 0, 1.0, (), None)
    assert shape == Shape(ShapeType.RECTANGLE, "car", (1.0, 2.0, 3.0, 4.0), True, source=ObjectSource.FILE)
    assert hash(shape) == hash(replace(shape))
    assert replace(shape, label="bus").label == "bus" and shape.label == "car"
    with pytest.raises(FrozenInstanceError):
        shape.label = "bus"  # type: ignore[misc]
    with pytest.raises(TypeError):
        Shape(ShapeType.RECTANGLE)  # type: ignore[call-arg]


def test_the_collector_pause_restores_its_state() -> None:
    assert gc.isenabled()
    with collection_paused():
        assert not gc.isenabled()
    assert gc.isenabled()
    gc.disable()
    try:
        with collection_paused():
            pass
        assert not gc.isenabled()  # it was off before: it stays off
    finally:
        gc.enable()


def test_with_indexes_numbers_frames_read_without_numbers() -> None:
    from inklab.formats.model import Dataset, DatasetInfo, Frame, with_indexes

    frames = [Frame(None, "a.jpg"), Frame(None, "b.jpg"), Frame(7, "c.jpg"), Frame(None, "d.jpg")]
    numbered = with_indexes(Dataset((), frames, info=DatasetInfo(first_frame=2)))
    assert [(f.index, f.name) for f in numbered.frames] == [(2, "a.jpg"), (3, "b.jpg"), (7, "c.jpg"), (8, "d.jpg")]
    assert [f.index for f in numbered.frames] == [2, 3, 7, 8]  # as re-iterable as the frames given
    assert with_indexes(numbered) is numbered
    assert [f.index for f in frames] == [None, None, 7, None]  # the frames themselves are unchanged
