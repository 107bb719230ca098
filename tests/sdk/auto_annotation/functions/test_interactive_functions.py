"""The predefined interactive functions and tracking by detection, on small generated data.

The Ultralytics tests need the ``ultralytics`` extra (in the ``dev`` extra, so CI runs them);
without it they are skipped with a message saying so.
"""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Callable
from typing import Any

import numpy as np
import PIL.Image
import pytest
from PIL import ImageDraw

import inklab.sdk.auto_annotation as aa
from inklab.sdk import models
from inklab.sdk.auto_annotation._mapping import LabelMapper
from inklab.sdk.auto_annotation._running import FrameContext
from inklab.sdk.auto_annotation.functions import iou_tracker, template_tracker
from inklab.sdk.masks import decode_mask

NO_ULTRALYTICS = importlib.util.find_spec("ultralytics") is None


def _frame(x: int, y: int, size: tuple[int, int] = (120, 90)) -> PIL.Image.Image:
    image = PIL.Image.new("RGB", size, (190, 190, 190))
    draw = ImageDraw.Draw(image)
    draw.rectangle([x, y, x + 19, y + 19], fill=(180, 30, 30))
    draw.line([x + 3, y + 10, x + 16, y + 10], fill=(250, 240, 60), width=2)
    return image


class _ShapeContext(aa.TrackingFunctionShapeContext):
    def __init__(self, shape_type: str) -> None:
        self.shape_type = shape_type

    @property
    def original_shape_type(self) -> str:
        return self.shape_type


def test_the_template_tracker_follows_boxes_and_points() -> None:
    tracker = template_tracker.create()
    first = tracker.preprocess_image(_ShapeContext("rectangle"), _frame(10, 20))
    box = tracker.init_tracking_state(_ShapeContext("rectangle"), first,
                                      aa.TrackableShape(type="rectangle", points=[10, 20, 30, 40]))
    dots = tracker.init_tracking_state(_ShapeContext("points"), first,
                                       aa.TrackableShape(type="points", points=[13, 30, 26, 30]))
    for step in range(1, 12):
        x, y = 10 + 4 * step, 20 + 2 * step
        image = tracker.preprocess_image(_ShapeContext("rectangle"), _frame(x, y))
        moved = tracker.track(_ShapeContext("rectangle"), image, box)
        assert moved is not None and moved.type == "rectangle"
        assert np.abs(np.array(moved.points) - [x, y, x + 20, y + 20]).max() <= 1, (step, moved.points)
        followed = tracker.track(_ShapeContext("points"), image, dots)
        assert followed is not None and np.abs(np.array(followed.points) - [x + 3, y + 10, x + 16, y + 10]).max() <= 1
    empty = tracker.preprocess_image(_ShapeContext("rectangle"), PIL.Image.new("RGB", (120, 90), (190, 190, 190)))
    assert tracker.track(_ShapeContext("rectangle"), empty, box) is None  # lost: nothing like it
    with pytest.raises(ValueError, match="search"):
        template_tracker.create(search=0.5)


def test_link_tracks_by_overlap() -> None:
    def box(frame: int, x: float, label: int = 1) -> dict[str, Any]:
        return {"type": "rectangle", "frame": frame, "label_id": label, "points": [x, 0, x + 10, 10],
                "source": "auto", "attributes": []}

    dot = {"type": "points", "frame": 1, "label_id": 1, "points": [5, 5]}
    frames = [(0, [box(0, 0), box(0, 50)]), (1, [box(1, 2), box(1, 52), dot]), (2, [box(2, 4)]),
              (3, [box(3, 6), box(3, 6, label=2)])]
    tracks, others = iou_tracker.link_tracks(frames)
    assert others == [dot]
    by_start = sorted((t["frame"], t["label_id"], [(s["frame"], s["points"][0], s["outside"]) for s in t["shapes"]])
                      for t in tracks)
    assert by_start == [
        (0, 1, [(0, 0.0, False), (1, 2.0, False), (2, 4.0, False), (3, 6.0, False)]),
        (0, 1, [(0, 50.0, False), (1, 52.0, False), (2, 52.0, True)]),  # gone on frame 2: outside from there
        (3, 2, [(3, 6.0, False)]),  # another label never continues a track
    ]
    assert iou_tracker.iou([0, 0, 10, 10], [5, 0, 15, 10]) == pytest.approx(1 / 3)


def test_a_detector_tracker_follows_the_best_overlap() -> None:
    class Boxes:
        spec = aa.DetectionFunctionSpec(labels=[aa.label_spec("thing", 0, type="rectangle")])

        def detect(self, context: Any, image: PIL.Image.Image) -> list[Any]:
            shift = image.size[0] - 100
            return [aa.rectangle(0, [shift, 0, shift + 10, 10]), aa.rectangle(0, [60, 60, 70, 70])]

    tracker = iou_tracker.create(Boxes())
    state = tracker.init_tracking_state(_ShapeContext("rectangle"), PIL.Image.new("RGB", (100, 100)),
                                        aa.TrackableShape(type="rectangle", points=[0, 0, 10, 10]))
    moved = tracker.track(_ShapeContext("rectangle"), PIL.Image.new("RGB", (102, 100)), state)
    assert moved is not None and moved.points == [2, 0, 12, 10]
    assert tracker.track(_ShapeContext("rectangle"), PIL.Image.new("RGB", (150, 100)), state) is None


def test_the_mask_rcnn_interactor_picks_the_clicked_instance() -> None:
    from inklab.sdk.auto_annotation.functions import torchvision_interactor as module

    masks = np.zeros((3, 40, 60), dtype=bool)
    masks[0, 5:30, 5:50] = True  # a large object
    masks[1, 10:20, 10:20] = True  # a small one inside it, more confident
    masks[2, 0:40, 40:60] = True
    instances = module._Instances(masks=masks, scores=np.array([0.6, 0.9, 0.95]))

    class Prompts(aa.InteractionPrompts):
        def __init__(self, pos: list[Any], neg: list[Any], box: Any = None) -> None:
            self.pos, self.neg, self.box = pos, neg, box

        pos_points = property(lambda self: self.pos)
        neg_points = property(lambda self: self.neg)
        bounding_box = property(lambda self: self.box)

    interactor = object.__new__(module.MaskInteractor)
    [small] = interactor.detect(None, instances, Prompts([(15, 15)], []))  # type: ignore[arg-type]
    assert np.array_equal(_bitmap(small.points, (40, 60)), masks[1])
    assert small.attributes[0].value == "0.9000"
    [large] = interactor.detect(None, instances, Prompts([(15, 15), (25, 25)], []))  # type: ignore[arg-type]
    assert np.array_equal(_bitmap(large.points, (40, 60)), masks[0])
    assert interactor.detect(None, instances, Prompts([(15, 15)], [(12, 12)])) == []  # type: ignore[arg-type]
    assert interactor.detect(None, instances, Prompts([(2, 2)], [])) == []  # type: ignore[arg-type]
    assert interactor.detect(None, instances, Prompts([(45, 10)], [], ((0, 0), (20, 20)))) == []  # type: ignore[arg-type]


def _bitmap(points: list[float], shape: tuple[int, int]) -> np.ndarray:
    return decode_mask(points, image_width=shape[1], image_height=shape[0])


def test_the_mask_rcnn_interactor_runs_an_untrained_model() -> None:
    from inklab.sdk.auto_annotation.functions import torchvision_interactor as module

    interactor = module.create(weights_name=None, categories=["thing"], num_classes=2, min_size=64, max_size=64,
                               weights_backbone=None, device="cpu", min_score=0.0)
    assert interactor.spec == aa.InteractionFunctionSpec(min_pos_points=1, min_neg_points=0, min_bounding_boxes=0)
    instances = interactor.preprocess_image(None, _frame(20, 20, (64, 48)))  # type: ignore[arg-type]
    assert instances.masks.shape[1:] == (48, 64) and len(instances.scores) == len(instances.masks)


@pytest.fixture
def yolo() -> Callable[[str], Any]:
    if NO_ULTRALYTICS:
        pytest.skip("NOT TESTED: the 'ultralytics' package is missing; install inklab[dev] or inklab[ultralytics]")
    os.environ.setdefault("YOLO_OFFLINE", "1")
    from inklab.sdk.auto_annotation.functions import ultralytics_yolo

    return lambda model: ultralytics_yolo.create(model, device="cpu", imgsz=64, batch_size=2)


@pytest.mark.parametrize(("model", "task", "kind"), [
    ("yolo11n.yaml", "detect", "rectangle"), ("yolo11n-seg.yaml", "segment", "mask"),
    ("yolo11n-pose.yaml", "pose", "skeleton"), ("yolo11n-obb.yaml", "obb", "rectangle")])
def test_ultralytics_models_of_every_task(yolo: Callable[[str], Any], model: str, task: str, kind: str) -> None:
    function = yolo(model)  # built from its YAML: untrained, nothing downloaded
    assert function.task == task
    labels = function.spec.labels
    assert {str(getattr(label, "type", "any")) for label in labels} == {kind if kind != "rectangle" else "rectangle"}
    images = [_frame(10, 10, (64, 64)), _frame(30, 20, (64, 64))]
    contexts = [FrameContext(f"f{i}.png", 0.0001, False) for i in range(2)]
    results = function.detect_batch(contexts, images)
    assert len(results) == 2
    task_labels = [models.Label(id=100 + i, name=_name(label), type=str(getattr(label, "type", "any")),
                                   attributes=[], sublabels=[{"id": 200 + j, "name": _name(p), "type": "points",
                                                             "attributes": []}
                                                            for j, p in enumerate(getattr(label, "sublabels", None) or [])])
                   for i, label in enumerate(labels)]
    mapper = LabelMapper(function.spec, task_labels, allow_unmatched_labels=False, conv_mask_to_poly=False)
    for frame, result in enumerate(results):
        _, shapes = mapper.convert(result, frame=frame, frame_name=f"f{frame}.png", threshold=0.0001)
        assert all(shape["type"] == kind for shape in shapes)  # untrained: any number, each well formed


def _name(label: Any) -> str:
    return str(label["name"] if isinstance(label, dict) else label.name)


def test_ultralytics_refuses_what_it_cannot_load(yolo: Callable[[str], Any]) -> None:
    with pytest.raises(ValueError, match="not a weights file here"):
        yolo("/nowhere/yolo11n.pt")
    with pytest.raises(ValueError, match="detect, segment, pose or obb"):
        yolo("yolo11n-cls.yaml")


def _tiny_sam() -> Any:
    """An untrained SAM with a one-block encoder (the real model's layout, a thousandth of its size)."""
    import torch
    from segment_anything.modeling import ImageEncoderViT, MaskDecoder, PromptEncoder, Sam, TwoWayTransformer

    torch.manual_seed(0)
    return Sam(image_encoder=ImageEncoderViT(img_size=1024, patch_size=64, embed_dim=32, depth=1, num_heads=2,
                                             out_chans=32),
               prompt_encoder=PromptEncoder(embed_dim=32, image_embedding_size=(16, 16), input_image_size=(1024, 1024),
                                            mask_in_chans=4),
               mask_decoder=MaskDecoder(transformer_dim=32, transformer=TwoWayTransformer(
                   depth=1, embedding_dim=32, mlp_dim=64, num_heads=2), iou_head_hidden_dim=32))


def test_the_sam_interactor_with_a_tiny_untrained_model(tmp_path: Any) -> None:
    if importlib.util.find_spec("segment_anything") is None:
        pytest.skip("NOT TESTED: the 'segment-anything' package is missing; install inklab[dev] or inklab[sam]")
    import torch

    from inklab.sdk.auto_annotation.functions import sam_interactor

    interactor = sam_interactor.SamInteractor(_tiny_sam())
    embedding = interactor.preprocess_image(None, _frame(20, 20, (96, 64)))  # type: ignore[arg-type]
    assert embedding.original_size == (64, 96)

    class Prompts(aa.InteractionPrompts):
        pos_points = property(lambda self: [(25.0, 25.0)])
        neg_points = property(lambda self: [(5.0, 5.0)])
        bounding_box = property(lambda self: ((15.0, 15.0), (45.0, 45.0)))

    for shape in interactor.detect(None, embedding, Prompts()):  # type: ignore[arg-type]
        assert shape.type == "mask" and decode_mask(shape.points, image_width=96, image_height=64).any()
        assert 0 <= float(shape.attributes[0].value) <= 1
    # The real loading code: the package's registry with a checkpoint file of the right model.
    checkpoint = tmp_path / "missing.pth"
    with pytest.raises(ValueError, match="not a file here"):
        sam_interactor.create(str(checkpoint))
    with pytest.raises(ValueError, match="model_type"):
        sam_interactor.create(str(checkpoint), model_type="vit_x")
    torch.save({"nothing": torch.zeros(1)}, checkpoint)
    with pytest.raises(RuntimeError):  # a file that is not SAM weights is refused by torch
        sam_interactor.create(str(checkpoint))
