"""COCO Keypoints 1.0: pycocotools reads our skeletons; a hand-written person_keypoints file imports
(parsed whole and streamed: the ``json_reading`` fixture)."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest
from pycocotools.coco import COCO
from pycocotools.cocoeval import COCOeval

from inklab.formats import ImportOptions, MalformedFile, get_exporter, get_importer, open_input
from inklab.formats.skeletons import skeleton_edges
from inklab.vocabulary import LabelType, ShapeType
from tests.formats.roundtrip import export_to, materialize, sample_dataset

FMT = get_exporter("COCO Keypoints 1.0")
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning:pycocotools")


def test_pycocotools_reads_keypoints_and_evaluates_them_perfectly(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    archive = export_to(FMT, sample_dataset(), tmp_path / "k.zip")
    with zipfile.ZipFile(archive) as zf:
        zf.extractall(tmp_path / "x")
    path = str(tmp_path / "x/annotations/person_keypoints_train.json")
    coco = COCO(path)
    (category,) = coco.loadCats(coco.getCatIds())
    assert category["keypoints"] == ["head", "hand"] and category["skeleton"] == [[1, 2]]
    anns = coco.loadAnns(coco.getAnnIds())
    # frame 0: the skeleton shape; frame 1: the skeleton track's first keyframe
    assert [a["keypoints"] for a in anns] == [[20.0, 10.0, 1, 25.0, 30.0, 2], [30.0, 30.0, 2, 40.0, 30.0, 2]]
    assert [a["num_keypoints"] for a in anns] == [2, 2]
    assert anns[0]["bbox"] == [20.0, 10.0, 5.0, 20.0]
    # evaluating the file against itself as detections gives a perfect score
    results = [{**a, "score": 1.0} for a in anns]
    evaluation = COCOeval(coco, coco.loadRes(results), "keypoints")
    evaluation.params.kpt_oks_sigmas = evaluation.params.kpt_oks_sigmas[:2]
    evaluation.evaluate()
    evaluation.accumulate()
    evaluation.summarize()
    assert evaluation.stats[0] == pytest.approx(1.0)
    capsys.readouterr()


PERSON = {
    "images": [{"id": 1, "file_name": "p.jpg", "width": 100, "height": 80}],
    "categories": [{"id": 1, "name": "person", "supercategory": "person", "keypoints": ["nose", "left_eye",
                                                                                        "right_eye"],
                    "skeleton": [[1, 2], [1, 3]]},
                   {"id": 2, "name": "ball"}],
    "annotations": [
        {"id": 5, "image_id": 1, "category_id": 1, "keypoints": [10, 20, 2, 12, 18, 1, 0, 0, 0], "num_keypoints": 2,
         "bbox": [10, 18, 2, 2], "area": 4, "iscrowd": 0},
        {"id": 6, "image_id": 1, "category_id": 2, "bbox": [1, 1, 2, 2], "area": 4, "iscrowd": 0},
    ],
}


def test_import_of_a_hand_written_person_keypoints_file(tmp_path: Path, json_reading: str) -> None:
    path = tmp_path / "person_keypoints_val.json"
    path.write_text(json.dumps(PERSON))
    with open_input(path) as source:
        dataset = materialize(get_importer("COCO Keypoints 1.0").load(source, ImportOptions()))
    (label,) = dataset.labels
    assert label.type == LabelType.SKELETON and [s.name for s in label.sublabels] == ["nose", "left_eye",
                                                                                     "right_eye"]
    assert skeleton_edges(label) == [[1, 2], [1, 3]]
    (frame,) = dataset.frames
    assert frame.subset == "val"
    (skeleton,) = frame.shapes
    assert skeleton.type == ShapeType.SKELETON
    assert [(e.label, e.points, e.occluded, e.outside) for e in skeleton.elements] == [
        ("nose", (10, 20), False, False), ("left_eye", (12, 18), True, False), ("right_eye", (0, 0), False, True)]


def test_keypoint_count_must_match_the_category(tmp_path: Path, json_reading: str) -> None:
    bad = {**PERSON, "annotations": [{**PERSON["annotations"][0], "keypoints": [1, 2, 2]}]}
    path = tmp_path / "person_keypoints_val.json"
    path.write_text(json.dumps(bad))
    with open_input(path) as source, pytest.raises(MalformedFile, match=r"annotations\[0\].keypoints: .*needs 9"):
        list(get_importer("COCO Keypoints 1.0").load(source, ImportOptions()).frames)


def _load(path: Path) -> list:
    with open_input(path) as source:
        return list(get_importer("COCO Keypoints 1.0").load(source, ImportOptions()).frames)


def test_annotations_in_any_order_and_categories_last(tmp_path: Path, json_reading: str) -> None:
    first, ball = PERSON["annotations"]
    document = {
        "images": [{"id": 2, "file_name": "q.jpg"}, *PERSON["images"]],
        "annotations": [first, {**first, "id": 7, "image_id": 2, "keypoints": [1, 1, 2, 2, 2, 2, 3, 3, 1]}, ball,
                        {**first, "id": 8, "keypoints": [5, 5, 2, 0, 0, 0, 0, 0, 0]}],
        "categories": PERSON["categories"],
    }
    path = tmp_path / "person_keypoints_default.json"
    path.write_text(json.dumps(document))
    q, p = _load(path)
    assert (q.name, p.name) == ("q.jpg", "p.jpg")
    assert [[e.points for e in s.elements] for s in q.shapes] == [[(1, 1), (2, 2), (3, 3)]]
    assert [[e.points for e in s.elements] for s in p.shapes] == [[(10, 20), (12, 18), (0, 0)],
                                                                   [(5, 5), (0, 0), (0, 0)]]


def test_an_annotation_of_an_unknown_image_is_refused(tmp_path: Path, json_reading: str) -> None:
    document = {**PERSON, "annotations": [*PERSON["annotations"], {**PERSON["annotations"][0], "image_id": 4}]}
    path = tmp_path / "person_keypoints_val.json"
    path.write_text(json.dumps(document))
    with pytest.raises(MalformedFile) as info:
        _load(path)
    assert str(info.value) == "person_keypoints_val.json, annotations[2].image_id: image 4 is not in 'images'"
