"""The CVAT "Auto-annotation API" document's example, with only its imports changed.

Pretrained weights cannot be downloaded here, so the test puts a state dict of an untrained
``fasterrcnn_resnet50_fpn_v2`` where torchvision looks for the ``DEFAULT`` weights (its hub
cache); the example's code then runs unchanged. With ``box_score_thresh=0`` the untrained
model still finds boxes, and the uploaded shapes are compared with the model's own output.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

torch = pytest.importorskip("torch")
torchvision = pytest.importorskip("torchvision")

pytestmark = [pytest.mark.live, pytest.mark.slow]

# ---- the document's example, imports changed (inklab instead of cvat_sdk) --------------------
from typing import List  # noqa: E402, F401, UP035 - as in the document

import PIL.Image  # noqa: E402
import torchvision.models  # noqa: E402, F811 - as in the document

import inklab.sdk.auto_annotation as cvataa  # noqa: E402
import inklab.sdk.models as models  # noqa: E402
from inklab.sdk import make_client  # noqa: E402


class TorchvisionDetectionFunction:
    def __init__(self, model_name: str, weights_name: str, **kwargs) -> None:  # type: ignore[no-untyped-def]
        # load the ML model
        weights_enum = torchvision.models.get_model_weights(model_name)
        self._weights = weights_enum[weights_name]
        self._transforms = self._weights.transforms()
        self._model = torchvision.models.get_model(model_name, weights=self._weights, **kwargs)
        self._model.eval()

    @property
    def spec(self) -> cvataa.DetectionFunctionSpec:
        # describe the annotations
        return cvataa.DetectionFunctionSpec(
            labels=[
                cvataa.label_spec(cat, i)
                for i, cat in enumerate(self._weights.meta['categories'])
            ]
        )

    def detect(
        self, context: cvataa.DetectionFunctionContext, image: PIL.Image.Image
    ) -> list[models.LabeledShapeRequest]:
        # determine the threshold for filtering results
        conf_threshold = context.conf_threshold or 0

        # convert the input into a form the model can understand
        transformed_image = [self._transforms(image)]

        # run the ML model
        results = self._model(transformed_image)

        # convert the results into a form CVAT can understand
        return [
            cvataa.rectangle(label.item(), [x.item() for x in box])
            for result in results
            for box, label, score in zip(result["boxes"], result["labels"], result["scores"])  # noqa: B905
            if score >= conf_threshold
        ]
# ---- end of the example -------------------------------------------------------------------


@pytest.fixture
def offline_default_weights(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    weights = torchvision.models.get_model_weights("fasterrcnn_resnet50_fpn_v2")["DEFAULT"]
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "torch"))
    torch.manual_seed(0)
    untrained = torchvision.models.get_model("fasterrcnn_resnet50_fpn_v2", weights=None, weights_backbone=None,
                                             num_classes=len(weights.meta["categories"]))
    target = tmp_path / "torch" / "hub" / "checkpoints" / Path(weights.url).name
    target.parent.mkdir(parents=True)
    torch.save(untrained.state_dict(), target)
    return untrained.eval(), weights


def test_the_document_example(live_server: Any, tmp_path: Path, offline_default_weights: Any) -> None:
    from tests.support.images import make_images

    reference, weights = offline_default_weights
    categories = list(weights.meta["categories"])  # COCO's, 'N/A' several times
    labels = [{"name": name} for name in dict.fromkeys(categories)]
    images = make_images(tmp_path / "images", 2, size=(64, 48))
    with make_client(host=live_server.url, credentials=live_server.admin) as client:
        client.config.status_check_period = 0.05
        task = client.tasks.create_from_data({"name": "doc-example", "labels": labels}, images)
        function = TorchvisionDetectionFunction("fasterrcnn_resnet50_fpn_v2", "DEFAULT", box_score_thresh=0.0)
        cvataa.annotate_task(client, task.id, function)
        shapes = client.get_json(f"/api/tasks/{task.id}/annotations/")["shapes"]
    with torch.inference_mode():
        expected = reference([weights.transforms()(PIL.Image.open(p).convert("RGB")) for p in images])
    ids = {label.name: label.id for label in task.get_labels()}
    for frame, raw in enumerate(expected):
        got = sorted((s["label_id"], *[round(v, 2) for v in s["points"]]) for s in shapes if s["frame"] == frame)
        want = sorted((ids[categories[label]], *[round(v, 2) for v in box])
                      for box, label in zip(raw["boxes"].tolist(), raw["labels"].tolist(), strict=True))
        assert got == want and got
