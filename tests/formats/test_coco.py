"""COCO 1.0: round trip, pycocotools reading our exports, hand-written imports, bad files."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import numpy as np
import pytest
from pycocotools import mask as mask_utils
from pycocotools.coco import COCO

from inklab.formats import ImportOptions, MalformedFile, get_exporter, get_importer, open_input
from inklab.formats.masks import decode_mask
from inklab.vocabulary import ShapeType
from tests.formats.roundtrip import assert_roundtrip, export_to, sample_dataset

FMT = get_exporter("COCO 1.0")
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning:pycocotools")


def _load(path: Path) -> list:
    with open_input(path) as source:
        return list(get_importer("COCO 1.0").load(source, ImportOptions()).frames)


def test_roundtrip_matches_the_fidelity_table(tmp_path: Path) -> None:
    assert_roundtrip(FMT, tmp_path)


def test_roundtrip_with_images_carries_the_image_bytes(tmp_path: Path) -> None:
    imported = assert_roundtrip(FMT, tmp_path, save_images=True)
    original = {f.name: f.image.read() for f in sample_dataset(with_images=True).frames}
    frames = {f.name: f for f in imported.frames}
    assert set(frames) == set(original)
    for name, frame in frames.items():
        assert frame.image is not None and frame.image.read() == original[name]
    names = zipfile.ZipFile(tmp_path / "export.zip").namelist()
    assert "images/train/frame_000.png" in names and "images/default/sub/frame_002.png" in names


def test_pycocotools_reads_counts_areas_and_masks(tmp_path: Path) -> None:
    archive = export_to(FMT, sample_dataset(), tmp_path / "coco.zip")
    with zipfile.ZipFile(archive) as zf:
        assert sorted(zf.namelist()) == ["annotations/instances_default.json", "annotations/instances_train.json"]
        zf.extractall(tmp_path / "x")
    train = COCO(str(tmp_path / "x/annotations/instances_train.json"))
    default = COCO(str(tmp_path / "x/annotations/instances_default.json"))
    assert [c["name"] for c in train.loadCats(train.getCatIds())] == ["car", "road"]
    assert len(train.getImgIds()) == 2 and len(default.getImgIds()) == 2
    frame0 = train.getImgIds()[0]
    anns = train.loadAnns(train.getAnnIds(imgIds=[frame0]))
    # rectangle, polygon, ellipse (as polygon), mask, and the box track's first frame
    assert len(anns) == 5
    assert sum(1 for a in anns if a["segmentation"] == []) == 2
    for ann in anns:
        if ann["segmentation"] == []:  # boxes, as CVAT writes them: no segmentation
            assert ann["area"] == pytest.approx(ann["bbox"][2] * ann["bbox"][3])
            continue
        rle = train.annToRLE(ann)
        decoded = mask_utils.decode(rle)
        assert decoded.shape == (48, 64)
        if isinstance(ann["segmentation"], dict):  # the mask: pixel-exact with our area and bbox
            assert float(mask_utils.area(rle)) == ann["area"] == 10 * 11 - 9
            assert list(mask_utils.toBbox(rle)) == ann["bbox"] == [30.0, 10.0, 11.0, 10.0]
            expected, left, top = decode_mask(sample_dataset().frames[0].shapes[6].points)
            assert np.array_equal(decoded[top:top + expected.shape[0], left:left + expected.shape[1]], expected)
            assert decoded.sum() == expected.sum()
        else:  # polygons: pycocotools' rasterized area is close to the geometric one
            assert abs(float(mask_utils.area(rle)) - ann["area"]) <= 0.15 * ann["area"] + 2
    # the box track: frames 0..2 visible (interpolated at 1), outside from frame 3
    track_anns = [a for img in (*train.getImgIds(), *default.getImgIds())
                  for a in (train if img in train.getImgIds() else default).loadAnns(
                      (train if img in train.getImgIds() else default).getAnnIds(imgIds=[img]))
                  if a["attributes"].get("plate") == "T1"]
    assert [a["bbox"] for a in track_anns] == [[2.0, 2.0, 10.0, 10.0], [4.0, 3.0, 10.0, 10.0], [6.0, 4.0, 10.0, 10.0]]


HAND_WRITTEN = {
    "images": [
        {"id": 7, "file_name": "a.jpg", "width": 20, "height": 10},
        {"id": 9, "file_name": "b.jpg", "width": 20, "height": 10},
    ],
    "categories": [{"id": 3, "name": "cat", "supercategory": ""}, {"id": 5, "name": "dog"}],
    "annotations": [
        {"id": 1, "image_id": 7, "category_id": 3, "bbox": [1, 2, 3, 4], "area": 12, "iscrowd": 0,
         "segmentation": [], "attributes": {"occluded": True, "fluffy": True, "age": 3}},
        {"id": 2, "image_id": 7, "category_id": 5, "iscrowd": 0, "area": 50, "bbox": [0, 0, 5, 5],
         "segmentation": [[0, 0, 5, 0, 5, 5], [10, 0, 15, 0, 15, 5, 10, 5]]},
        {"id": 3, "image_id": 9, "category_id": 5, "iscrowd": 1, "area": 4, "bbox": [2, 1, 2, 2],
         # uncompressed column-major counts over 10x20: pixels (x 2..3, y 1..2)
         "segmentation": {"size": [10, 20], "counts": [21, 2, 8, 2, 167]}},
        {"id": 4, "image_id": 9, "category_id": 3, "bbox": [5, 5, 2, 2], "score": 0.5},
    ],
}


def test_import_of_a_hand_written_file(tmp_path: Path) -> None:
    path = tmp_path / "instances_val.json"
    path.write_text(json.dumps(HAND_WRITTEN))
    frames = {f.name: f for f in _load(path)}
    assert set(frames) == {"a.jpg", "b.jpg"}
    a, b = frames["a.jpg"], frames["b.jpg"]
    assert (a.width, a.height, a.subset) == (20, 10, "val")
    box, *polygons = a.shapes
    assert box.type == ShapeType.RECTANGLE and box.label == "cat" and box.points == (1, 2, 4, 6)
    assert box.occluded and {(x.name, x.value) for x in box.attributes} == {("fluffy", "true"), ("age", "3")}
    assert [p.type for p in polygons] == [ShapeType.POLYGON] * 2
    assert polygons[0].group == polygons[1].group != 0
    assert polygons[1].points == (10, 0, 15, 0, 15, 5, 10, 5)
    crowd, scored = b.shapes
    assert crowd.type == ShapeType.MASK and crowd.attribute("is_crowd") == "true"
    bitmap, left, top = decode_mask(crowd.points)
    assert (left, top) == (2, 1) and bitmap.shape == (2, 2) and bitmap.all()
    assert scored.type == ShapeType.RECTANGLE and scored.score == 0.5


def test_crowd_shapes_export_as_crowd_rle(tmp_path: Path) -> None:
    from inklab.formats import Dataset, Frame, LabelSpec, Shape, attributes

    polygon = Shape(ShapeType.POLYGON, "cat", (2, 2, 12, 2, 12, 8, 2, 8), attributes=attributes(is_crowd=True))
    dataset = Dataset((LabelSpec("cat"),), [Frame(0, "x.png", 20, 10, shapes=(polygon,))])
    export_to(FMT, dataset, tmp_path / "c.zip")
    ann = json.loads(zipfile.ZipFile(tmp_path / "c.zip").read("annotations/instances_default.json"))["annotations"][0]
    assert ann["iscrowd"] == 1 and isinstance(ann["segmentation"], dict)
    assert 50 <= mask_utils.area(ann["segmentation"]) <= 77
    back = _load(tmp_path / "c.zip")[0].shapes[0]
    assert back.type == ShapeType.MASK and back.attribute("is_crowd") == "true"


@pytest.mark.parametrize(("document", "where"), [
    ('{"images": [], "annotations": [}', "line 1, column 32"),
    ({"images": [{"id": 1, "file_name": "a.jpg"}], "categories": [],
      "annotations": [{"image_id": 1, "category_id": 4, "bbox": [0, 0, 1, 1]}]}, "annotations[0].category_id"),
    ({"images": [{"id": 1, "file_name": "a.jpg"}], "categories": [{"id": 1, "name": "x"}],
      "annotations": [{"image_id": 2, "category_id": 1, "bbox": [0, 0, 1, 1]}]}, "annotations[0].image_id"),
    ({"images": [{"id": 1, "file_name": "a.jpg"}], "categories": [{"id": 1, "name": "x"}],
      "annotations": [{"image_id": 1, "category_id": 1, "bbox": [0, 0, 1]}]}, "annotations[0].bbox"),
    ({"images": [{"id": 1}], "categories": [], "annotations": []}, "images[0].file_name"),
    ({"images": [{"id": 1, "file_name": "a.jpg"}], "categories": [{"id": 1, "name": "x"}],
      "annotations": [{"image_id": 1, "category_id": 1, "segmentation": [[1, 2, 3]]}]},
     "annotations[0].segmentation[0]"),
])
def test_bad_files_name_the_file_and_the_place(tmp_path: Path, document: object, where: str) -> None:
    path = tmp_path / "instances_default.json"
    path.write_text(document if isinstance(document, str) else json.dumps(document))
    with pytest.raises(MalformedFile) as info:
        _load(path)
    assert str(info.value).startswith(f"instances_default.json, {where}:"), str(info.value)


def test_a_zip_without_json_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "empty.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("readme.txt", "nothing")
    with pytest.raises(MalformedFile, match="empty.zip: no COCO .json"):
        _load(path)


def test_export_of_an_empty_scope_is_valid_coco(tmp_path: Path) -> None:
    from inklab.formats import Dataset

    export_to(FMT, Dataset((), []), tmp_path / "e.zip")
    document = json.loads(zipfile.ZipFile(tmp_path / "e.zip").read("annotations/instances_default.json"))
    assert document["images"] == [] and document["annotations"] == [] and document["categories"] == []
