"""Every protocol violation is a ``BadFunctionError`` naming the frame, the label and the reason,
and nothing of the bad frame reaches the server."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

import inklab.sdk.auto_annotation as aa
from inklab.sdk import models
from tests.sdk.auto_annotation.conftest import by_type
from tests.sdk.auto_annotation.marker import SPEC

pytestmark = pytest.mark.live


class _Returns:
    """A function that returns ``result`` (built fresh for each frame) for every frame."""

    def __init__(self, result: Callable[[], Any], spec: aa.DetectionFunctionSpec = SPEC) -> None:
        self.spec = spec
        self._result = result

    def detect(self, context: aa.DetectionFunctionContext, image: Any) -> Any:
        return self._result()


def _keypoints(*ids: int) -> list[Any]:
    return [aa.keypoint(i, [1.0, 1.0]) for i in ids]


CASES: dict[str, tuple[Callable[[], Any], str]] = {
    "unknown label id": (lambda: [aa.rectangle(7, [0, 0, 1, 1])], r"shape 0: unknown label id 7"),
    "shape type not allowed": (lambda: [aa.polygon(0, [0, 0, 4, 0, 2, 2])],
                               r"shape 0 \(label 'car'\): shape type 'polygon' is not allowed for it "
                               r"\(expected 'rectangle'\)"),
    "tag for a shape label": (lambda: [aa.tag(0)], r"tag 0 \(label 'car'\): a tag is not allowed"),
    "shape for a tag label": (lambda: [aa.rectangle(2, [0, 0, 1, 1])], r"label 'scene'\): shape type 'rectangle'"),
    "skeleton element missing": (lambda: [aa.skeleton(1, _keypoints(0))],
                                 r"label 'person'\): the skeleton has 1 of the task label's 2 points "
                                 r"\(missing: 'hand'\)"),
    "skeleton element duplicated": (lambda: [aa.skeleton(1, _keypoints(0, 0))],
                                    r"label 'person'\): point 'head' appears twice"),
    "unknown point id": (lambda: [aa.skeleton(1, _keypoints(0, 5))], r"element 1: unknown point id 5"),
    "element of another type": (lambda: [aa.skeleton(1, [aa.keypoint(0, [1, 1]),
                                                         models.SubLabeledShapeRequest(type="rectangle", frame=0,
                                                                                       label_id=1,
                                                                                       points=[0, 0, 1, 1])])],
                                r"element 1: its type is 'rectangle'"),
    "elements on a box": (lambda: [aa.rectangle(0, [0, 0, 1, 1], elements=_keypoints(0))],
                          r"only skeletons have elements"),
    "frame other than 0": (lambda: [models.LabeledShapeRequest(type="rectangle", label_id=0, frame=3,
                                                               points=[0, 0, 1, 1])], r"its frame is 3"),
    "element frame other than 0": (lambda: [aa.skeleton(1, [
        models.SubLabeledShapeRequest(type="points", label_id=0, frame=2, points=[1, 1]), aa.keypoint(1, [1, 1])])],
        r"element 0: its frame is 2"),
    "preset id": (lambda: [aa.rectangle(0, [0, 0, 1, 1], id=12)], r"it has an id"),
    "preset source": (lambda: [aa.tag(2, source="manual")], r"tag 0 \(label 'scene'\): it has a source"),
    "malformed points": (lambda: [aa.rectangle(0, [0, 0, 1])], r"a rectangle needs 4 numbers"),
    "non-numeric points": (lambda: [aa.rectangle(0, [0, "a", 1, 1])], r"not a list of finite numbers"),
    "infinite points": (lambda: [aa.rectangle(0, [0, float("inf"), 1, 1])], r"not a list of finite numbers"),
    "keypoint with two pairs": (lambda: [aa.skeleton(1, [aa.keypoint(0, [1, 1, 2, 2]), aa.keypoint(1, [1, 1])])],
                                r"point 'head' needs one \[x, y\] pair"),
    "confidence above 1": (lambda: [aa.rectangle(0, [0, 0, 1, 1], score=1.5)],
                           r"its confidence \(score\) 1.5 is not between 0 and 1"),
    "confidence below 0": (lambda: [aa.tag(2, score=-0.1)], r"confidence \(score\) -0.1"),
    "unknown attribute id": (lambda: [aa.rectangle(0, [0, 0, 1, 1], attributes=[
        models.AttributeValRequest(spec_id=9, value="red")])], r"unknown attribute id 9"),
    "bad attribute value": (lambda: [aa.rectangle(0, [0, 0, 1, 1], attributes=[
        models.AttributeValRequest(spec_id=0, value="green")])], r"'green' is not a value of attribute 'color'"),
    "attribute twice": (lambda: [aa.rectangle(0, [0, 0, 1, 1], attributes=[
        models.AttributeValRequest(spec_id=0, value="red"), models.AttributeValRequest(spec_id=0, value="red")])],
        r"attribute 'color' is given twice"),
    "not a list": (lambda: aa.tag(2), r"the function returned LabeledImageRequest, not a list"),
    "foreign object": (lambda: ["car"], r"result 0: it is a str"),
}


@pytest.fixture(scope="module")
def bad_task(live_server: Any, tmp_path_factory: pytest.TempPathFactory) -> int:
    from inklab.sdk import make_client
    from tests.sdk.auto_annotation.conftest import LABELS
    from tests.support.images import make_images

    images = make_images(tmp_path_factory.mktemp("bad"), 2, size=(40, 30))
    with make_client(live_server.url, credentials=live_server.admin) as client:
        client.config.status_check_period = 0.05
        return int(client.tasks.create_from_data({"name": "violations", "labels": LABELS}, images).id)


@pytest.mark.parametrize("case", sorted(CASES))
def test_violation(client: Any, bad_task: int, case: str) -> None:
    result, message = CASES[case]
    with pytest.raises(aa.BadFunctionError, match=r"frame 0 \('img_000.png'\): .*" + message):
        aa.annotate_task(client, bad_task, _Returns(result))
    assert by_type(client, bad_task)["all"] == [] and by_type(client, bad_task)["tags"] == []


def test_masks_with_conv_mask_to_poly(client: Any, bad_task: int) -> None:
    spec = aa.DetectionFunctionSpec(labels=[aa.label_spec("truck", 0, type="mask")])
    bitmap = __import__("numpy").zeros((30, 40), dtype=bool)
    bitmap[2:5, 3:9] = True
    function = _Returns(lambda: [aa.mask(0, aa.encode_mask(bitmap))], spec)
    with pytest.raises(aa.BadFunctionError, match="masks were to be converted to polygons"):
        aa.annotate_task(client, bad_task, function, conv_mask_to_poly=True)
    aa.annotate_task(client, bad_task, function, clear_existing=True)
    masks = by_type(client, bad_task)["all"]
    assert [m["type"] for m in masks] == ["mask", "mask"]
    assert (aa.decode_mask(masks[0]["points"], image_width=40, image_height=30) == bitmap).all()
    broken = _Returns(lambda: [aa.mask(0, [1, 2, 0, 0, 5, 5])], spec)
    with pytest.raises(aa.BadFunctionError, match="run lengths do not fill its box"):
        aa.annotate_task(client, bad_task, broken)
    aa.annotate_task(client, bad_task, _Returns(lambda: []), clear_existing=True)


def test_confidence_below_the_threshold(client: Any, bad_task: int) -> None:
    function = _Returns(lambda: [aa.rectangle(0, [0, 0, 1, 1], score=0.4)])
    with pytest.raises(aa.BadFunctionError, match="confidence 0.4 is below the threshold 0.5"):
        aa.annotate_task(client, bad_task, function, conf_threshold=0.5)
    aa.annotate_task(client, bad_task, function, conf_threshold=0.3, clear_existing=True)
    assert [s["score"] for s in by_type(client, bad_task)["all"]] == [0.4, 0.4]
    aa.annotate_task(client, bad_task, _Returns(lambda: []), clear_existing=True)


@pytest.mark.parametrize(("labels", "message"), [
    ([aa.label_spec("person", 0, type="rectangle")],
     "label 'person' has type 'rectangle' in the function but 'skeleton' in the task"),
    ([aa.label_spec("car", 0, attributes=[aa.select_attribute_spec("color", 0, ["red", "green"])])],
     r"attribute 'color' of label 'car' has values \['red', 'green'\] in the function, not all among \['blue', 'red'\]"),
    ([aa.label_spec("car", 0, attributes=[aa.text_attribute_spec("color", 0)])],
     "has input type 'text' in the function but 'select' in the task"),
    ([aa.label_spec("boat", 0)], "label 'boat' is not in the task"),
    ([aa.skeleton_label_spec("person", 0, [aa.keypoint_spec("foot", 0)])], "point 'foot' of label 'person'"),
    ([aa.label_spec("scene", 0, type="rectangle")], "label 'scene' has type 'rectangle' in the function but 'tag'"),
])
def test_spec_does_not_fit_the_task(client: Any, bad_task: int, labels: list[Any], message: str) -> None:
    with pytest.raises(aa.BadFunctionError, match=message):
        aa.annotate_task(client, bad_task, _Returns(lambda: [], aa.DetectionFunctionSpec(labels=labels)))


def test_choices_among_the_tasks_fit(client: Any, bad_task: int) -> None:
    """A select attribute whose choices are some of the task's fits (cvat_sdk wants the same set)."""
    spec = aa.DetectionFunctionSpec(labels=[
        aa.label_spec("car", 0, attributes=[aa.select_attribute_spec("color", 0, ["red"])])])
    function = _Returns(lambda: [aa.rectangle(0, [0, 0, 1, 1], attributes=[
        models.AttributeValRequest(spec_id=0, value="red")])], spec)
    aa.annotate_task(client, bad_task, function, clear_existing=True)
    shapes = by_type(client, bad_task)["all"]
    assert [s["attributes"][0]["value"] for s in shapes] == ["red", "red"]
    aa.annotate_task(client, bad_task, _Returns(lambda: []), clear_existing=True)


def test_detect_batch_must_return_one_result_per_image(client: Any, bad_task: int) -> None:
    class Short(_Returns):
        def detect_batch(self, contexts: Any, images: Any) -> Any:
            return [[]]

    with pytest.raises(aa.BadFunctionError, match="detect_batch returned 1 results for 2 images"):
        aa.annotate_task(client, bad_task, Short(lambda: []))
