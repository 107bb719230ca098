"""The spec's constraints, the helpers, masks and the public surface (no server needed)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import inklab.sdk.auto_annotation as aa
from inklab.sdk import models


@pytest.mark.parametrize(("labels", "message"), [
    ([aa.label_spec("car", 0), aa.label_spec("bus", 0)], "label 'bus' has the same id as another label"),
    ([aa.label_spec("car", None)], "label 'car' has no id"),  # type: ignore[arg-type]
    ([aa.label_spec("car", 0, type="hexagon")], "unknown type 'hexagon'"),
    ([aa.label_spec("car", 0, sublabels=[aa.keypoint_spec("p", 0)])], "has sublabels but type 'any'"),
    ([aa.label_spec("car", 0, type="skeleton")], "a skeleton without points"),
    ([aa.skeleton_label_spec("p", 0, [aa.keypoint_spec("a", 0), aa.keypoint_spec("b", 0)])],
     "point 'b' of label 'p' has the same id"),
    ([aa.skeleton_label_spec("p", 0, [aa.keypoint_spec("a", 0), aa.keypoint_spec("a", 1)])],
     "point 'a' of label 'p' has the same name"),
    ([aa.skeleton_label_spec("p", 0, [models.SublabelRequest(name="a", id=0, type="rectangle")])], "should be 'points'"),
    ([aa.label_spec("car", 0, attributes=[aa.text_attribute_spec("a", 0), aa.text_attribute_spec("b", 0)])],
     "attribute 'b' of label 'car' has the same id"),
    ([aa.label_spec("car", 0, attributes=[aa.select_attribute_spec("a", 0, [])])], "the list of allowed values is empty"),
    ([aa.label_spec("car", 0, attributes=[aa.number_attribute_spec("n", 0, ["0", "10"])])], "values \\[min, max, step\\]"),
    ([aa.label_spec("car", 0, attributes=[aa.number_attribute_spec("n", 0, ["0", "10", "3"])])], "does not divide"),
    ([aa.label_spec("car", 0, attributes=[aa.attribute_spec("n", 0, "slider", [])])], "unknown input type"),
])
def test_bad_specs(labels: list[Any], message: str) -> None:
    with pytest.raises(aa.BadFunctionError, match=message):
        aa.DetectionFunctionSpec(labels=labels)


def test_good_spec_and_helpers() -> None:
    spec = aa.DetectionFunctionSpec(labels=[
        aa.label_spec("car", 0, attributes=[aa.number_attribute_spec("n", 0, aa.number_attribute_values(0, 10, 2)),
                                            aa.checkbox_attribute_spec("c", 1), aa.radio_attribute_spec("r", 2, ["x"])]),
        aa.skeleton_label_spec("person", 1, [aa.keypoint_spec("head", 0)]),
    ])
    assert [label.name for label in spec.labels] == ["car", "person"]
    box = aa.rectangle(0, [1, 2, 3, 4], occluded=True)
    assert box.to_dict() == {"label_id": 0, "frame": 0, "type": "rectangle", "points": [1, 2, 3, 4], "occluded": True}
    assert aa.tag(3).to_dict() == {"label_id": 3, "frame": 0}
    assert aa.keypoint(1, [5, 6]).to_dict() == {"label_id": 1, "frame": 0, "type": "points", "points": [5, 6]}
    assert aa.skeleton(1, [aa.keypoint(0, [1, 1])]).elements[0].label_id == 0
    assert aa.polygon(0, [0, 0, 1, 0, 1, 1]).type == "polygon" and aa.mask(0, [0, 1, 0, 0, 0, 0]).type == "mask"
    assert [v.to_dict() for v in aa.attribute_vals_from_dict({0: 4, 1: True, 2: "x"})] == [
        {"spec_id": 0, "value": "4"}, {"spec_id": 1, "value": "true"}, {"spec_id": 2, "value": "x"}]
    with pytest.raises(ValueError):
        aa.number_attribute_values(5, 1)


def test_masks_match_the_reference_encoding() -> None:
    from cvat_sdk.masks import decode_mask as cvat_decode
    from cvat_sdk.masks import encode_mask as cvat_encode

    rng = np.random.default_rng(3)
    for _ in range(20):
        bitmap = rng.random((13, 17)) > 0.6
        bbox = [2.4, 1.0, 15.2, 12.0]
        ours, theirs = aa.encode_mask(bitmap), cvat_encode(bitmap)
        assert ours == [float(v) for v in theirs]
        assert aa.encode_mask(bitmap, bbox) == [float(v) for v in cvat_encode(bitmap, bbox)]
        assert (aa.decode_mask(ours, image_width=17, image_height=13) == bitmap).all()
        assert (cvat_decode(ours, image_width=17, image_height=13) == bitmap).all()
    assert aa.encode_mask(np.zeros((3, 3), dtype=bool)) == [1.0, 0.0, 0.0, 0.0, 0.0]
    with pytest.raises(ValueError):
        aa.encode_mask(np.zeros((3, 3)))
    with pytest.raises(ValueError):
        aa.decode_mask([1, 2, 0, 0, 5, 5], image_width=3, image_height=3)


def test_public_surface() -> None:
    import types

    public = {n for n, v in vars(aa).items() if not n.startswith("_") and not isinstance(v, types.ModuleType)}
    assert public - {"annotations"} == set(aa.__all__)
    for name in ("DetectionFunctionSpec", "DetectionFunctionContext", "annotate_task", "label_spec",
                 "skeleton_label_spec", "keypoint_spec", "shape", "rectangle", "skeleton", "keypoint", "polygon",
                 "mask", "tag", "BadFunctionError"):
        assert name in aa.__all__


def test_the_package_and_its_agent_need_neither_torch_nor_the_server() -> None:
    import subprocess
    import sys

    code = ("import sys, inklab.sdk.auto_annotation, inklab.sdk.auto_annotation.agent; "
            "bad = [m for m in ('torch', 'torchvision', 'skimage', 'django', 'inklab.server') if m in sys.modules]; "
            "print(','.join(bad))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == ""
