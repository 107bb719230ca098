"""Datumaro 1.0: the documentation's example imports; our files hold the layout Datumaro reads."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import numpy as np
import pytest
from pycocotools import mask as mask_utils

from inklab.formats import ImportOptions, MalformedFile, get_exporter, get_importer, open_input
from inklab.formats.masks import decode_mask
from inklab.vocabulary import LabelType, ShapeType
from tests.formats.roundtrip import export_to, materialize, sample_dataset

FMT = get_exporter("Datumaro 1.0")
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning:pycocotools")

# pycocotools' encoding of a 10x10 mask with pixels (x 2..5, y 3..6) set; the manual's example string
# ("d0d0:F\\0") covers only 82 of its 100 pixels, so it is replaced here
_MASK = np.zeros((10, 10), dtype=np.uint8)
_MASK[3:7, 2:6] = 1
_RLE = mask_utils.encode(np.asfortranarray(_MASK))["counts"].decode()

# the example of the CVAT manual's "Datumaro format" section, plus an image, a skeleton and a tag
DOC = {
    "info": {},
    "categories": {
        "label": {"labels": [{"name": "label_0", "parent": "", "attributes": []},
                             {"name": "label_1", "parent": "", "attributes": ["size"]},
                             {"name": "body", "parent": "", "attributes": []},
                             {"name": "nose", "parent": "body", "attributes": []}], "attributes": []},
        "points": {"items": [{"label_id": 2, "labels": ["nose"], "joints": []}]},
    },
    "items": [
        {"id": "img1", "annotations": [
            {"id": 0, "type": "polygon", "attributes": {}, "group": 0, "label_id": 1,
             "points": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0], "z_order": 0},
            {"id": 1, "type": "bbox", "attributes": {"size": "big", "occluded": True}, "group": 1, "label_id": 0,
             "z_order": 0, "bbox": [1.0, 2.0, 3.0, 4.0]},
            {"id": 2, "type": "mask", "attributes": {}, "group": 1, "label_id": 0,
             "rle": {"counts": _RLE, "size": [10, 10]}, "z_order": 0},
            {"id": 3, "type": "skeleton", "label_id": 2, "elements": [
                {"type": "points", "label_id": 3, "points": [4, 5], "visibility": [1]}]},
            {"id": 4, "type": "label", "label_id": 1, "attributes": {"size": 3}},
        ], "image": {"path": "img1.jpg", "size": [10, 10]}, "attr": {"frame": 0}},
    ],
}


def _load(path: Path):  # type: ignore[no-untyped-def]
    with open_input(path) as source:
        return materialize(get_importer("Datumaro 1.0").load(source, ImportOptions()))


def test_import_of_the_documentation_example(tmp_path: Path) -> None:
    archive = tmp_path / "d.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("annotations/default.json", json.dumps(DOC))
    dataset = _load(archive)
    assert [(label.name, label.type) for label in dataset.labels] == [
        ("label_0", LabelType.ANY), ("label_1", LabelType.ANY), ("body", LabelType.SKELETON)]
    assert [s.name for s in dataset.labels[2].sublabels] == ["nose"]
    (frame,) = dataset.frames
    assert (frame.index, frame.name, frame.width, frame.height, frame.subset) == (0, "img1.jpg", 10, 10, "")
    polygon, box, mask, skeleton = frame.shapes
    assert polygon.label == "label_1" and polygon.points == (1, 2, 3, 4, 5, 6, 7, 8)
    assert box.points == (1, 2, 4, 6) and box.occluded and box.attribute("size") == "big" and box.group == 1
    bitmap, left, top = decode_mask(mask.points)
    full = np.zeros((10, 10), dtype=bool)
    full[top:top + bitmap.shape[0], left:left + bitmap.shape[1]] = bitmap
    assert np.array_equal(full, _MASK.astype(bool)) and (left, top) == (2, 3)
    assert skeleton.type == ShapeType.SKELETON and skeleton.elements[0].occluded
    assert frame.tags[0].label == "label_1" and frame.tags[0].attributes[0].value == "3"


def test_export_layout_and_items(tmp_path: Path) -> None:
    archive = export_to(FMT, sample_dataset(with_images=True), tmp_path / "d.zip", save_images=True)
    names = set(zipfile.ZipFile(archive).namelist())
    assert {"annotations/train.json", "annotations/default.json", "images/train/frame_000.png",
            "images/default/sub/frame_002.png"} <= names
    document = json.loads(zipfile.ZipFile(archive).read("annotations/train.json"))
    labels = [entry["name"] for entry in document["categories"]["label"]["labels"]]
    assert labels == ["car", "road", "person", "head", "hand", "scene"]
    assert document["categories"]["points"]["items"] == [{"label_id": 2, "labels": ["head", "hand"],
                                                          "joints": [[1, 2]]}]
    item = document["items"][0]
    assert item["id"] == "frame_000" and item["image"] == {"path": "frame_000.png", "size": [48, 64]}
    kinds = [a["type"] for a in item["annotations"]]
    assert kinds[0] == "label" and {"bbox", "polygon", "polyline", "points", "ellipse", "cuboid_2d", "mask",
                                    "skeleton"} <= set(kinds)
    box = next(a for a in item["annotations"] if a["type"] == "bbox")
    assert box["bbox"] == [5.5, 6.25, 24.5, 18.75] and box["attributes"]["rotation"] == 30.0


def test_bad_files_name_the_place(tmp_path: Path) -> None:
    broken = {**DOC, "items": [{"id": "img1", "annotations": [{"type": "bbox", "label_id": 9, "bbox": [1, 2, 3, 4]}]}]}
    archive = tmp_path / "bad.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("annotations/default.json", json.dumps(broken))
    with pytest.raises(MalformedFile, match=r"annotations/default.json, items\[0\].annotations\[0\].label_id: 9"):
        _load(archive)


@pytest.mark.parametrize(("image", "lookup", "expected"), [
    ({"path": "img1.jpg", "size": [10, 10]}, None, "its size is 50000x50000 (width x height), not the image's 10x10"),
    ({"path": "img1.jpg", "size": [50000, 50000]}, (10, 10), "not the image's 10x10"),
])
def test_an_rle_of_another_size_than_its_image_is_refused(tmp_path: Path, image: dict[str, object],
                                                          lookup: tuple[int, int] | None, expected: str) -> None:
    bomb = {"type": "mask", "label_id": 0, "rle": {"size": [50000, 50000], "counts": [0, 50000 * 50000]}}
    document = {**DOC, "items": [{"id": "img1", "annotations": [bomb], "image": image}]}
    archive = tmp_path / "bomb.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("annotations/default.json", json.dumps(document))
    options = ImportOptions(image_size=(lambda name: lookup) if lookup else None)
    with open_input(archive) as source, pytest.raises(MalformedFile) as info:
        materialize(get_importer("Datumaro 1.0").load(source, options))
    assert str(info.value).startswith("annotations/default.json, items[0].annotations[0].rle: invalid RLE: ")
    assert expected in str(info.value)
