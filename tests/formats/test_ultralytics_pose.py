"""Ultralytics YOLO Pose 1.0: skeletons with point visibility, kpt_shape and point names."""

from __future__ import annotations

import zipfile
from pathlib import Path

import numpy as np
import pytest
import yaml

from inklab.formats import Dataset, Frame, LabelSpec, MalformedFile, Shape, get_exporter
from inklab.vocabulary import LabelType, ShapeType
from tests.formats.roundtrip import assert_roundtrip, export_to, sample_dataset
from tests.formats.samples import fixed_sizes, load, zip_files

NAME = "Ultralytics YOLO Pose 1.0"
FMT = get_exporter(NAME)


def test_roundtrip_matches_the_fidelity_table(tmp_path: Path) -> None:
    assert_roundtrip(FMT, tmp_path)


def test_data_yaml_and_lines(tmp_path: Path) -> None:
    archive = zipfile.ZipFile(export_to(FMT, sample_dataset(), tmp_path / "p.zip"))
    config = yaml.safe_load(archive.read("data.yaml"))
    assert config == {"path": ".", "train": "train.txt", "kpt_shape": [2, 3], "kpt_names": {0: ["head", "hand"]},
                      "names": {0: "person"}}
    (line,) = archive.read("labels/train/frame_000.txt").decode().splitlines()
    values = np.array(line.split(), dtype=float)
    # class, the box around the points (20, 10) and (25, 30), then x y v: head occluded, hand visible
    assert values.tolist() == pytest.approx([0, 22.5 / 64, 20 / 48, 5 / 64, 20 / 48,
                                             20 / 64, 10 / 48, 1, 25 / 64, 30 / 48, 2], abs=1e-6)
    # frame 2 of the skeleton track: the hand is outside, so only the head makes the box
    (line,) = archive.read("labels/train/sub/frame_002.txt").decode().splitlines()
    values = np.array(line.split(), dtype=float)
    assert values[[3, 4]].tolist() == [0, 0] and values[7] == 2 and values[10] == 0


def test_smaller_skeletons_are_padded_to_kpt_shape(tmp_path: Path) -> None:
    labels = (LabelSpec("big", LabelType.SKELETON, sublabels=tuple(LabelSpec(p, LabelType.POINTS) for p in "abc")),
              LabelSpec("small", LabelType.SKELETON, sublabels=(LabelSpec("x", LabelType.POINTS),)))
    small = Shape(ShapeType.SKELETON, "small", (), elements=(Shape(ShapeType.POINTS, "x", (5.0, 5.0)),))
    export_to(FMT, Dataset(labels, [Frame(0, "a.png", 10, 10, shapes=(small,))]), tmp_path / "s.zip")
    archive = zipfile.ZipFile(tmp_path / "s.zip")
    assert yaml.safe_load(archive.read("data.yaml"))["kpt_shape"] == [3, 3]
    assert archive.read("labels/train/a.txt").decode().split() == [
        "1", "0.500000", "0.500000", "0.000000", "0.000000", "0.500000", "0.500000", "2", "0", "0", "0", "0", "0", "0"]
    (back,) = load(NAME, tmp_path / "s.zip", image_size=fixed_sizes(10, 10)).frames[0].shapes
    assert [(e.label, e.points) for e in back.elements] == [("x", (5.0, 5.0))]


DOCUMENTED = {
    "data.yaml": "path: ./\ntrain: train.txt\nkpt_shape: [5, 3]\nnames:\n  0: person\n  1: bicycle\n  2: car\n",
    "train.txt": "images/train/image1.jpg\n",
    "labels/train/image1.txt": "1 0.3 0.8 0.1 0.3 0.3 0.8 2 0.1 0.3 2 0.4 0.5 2 0.0 0.0 0 0.0 0.0 0\n"
                               "2 0.3 0.8 0.1 0.3 0.7 0.2 2 0.3 0.1 1 0.4 0.5 0 0.5 0.6 2 0.7 0.5 2\n",
}


def test_import_names_points_by_the_target_labels_or_by_number(tmp_path: Path) -> None:
    path = zip_files(tmp_path / "doc.zip", DOCUMENTED)
    bicycle = LabelSpec("bicycle", LabelType.SKELETON,
                        sublabels=tuple(LabelSpec(p, LabelType.POINTS) for p in ("seat", "bar", "front", "back", "pedal")))
    dataset = load(NAME, path, image_size=fixed_sizes(100, 100), labels=(bicycle,))
    first, second = dataset.frames[0].shapes
    assert first.label == "bicycle" and [e.label for e in first.elements] == ["seat", "bar", "front", "back", "pedal"]
    assert first.elements[0].points == pytest.approx((30, 80)) and not first.elements[0].outside
    assert [e.outside for e in first.elements] == [False, False, False, True, True]
    assert second.label == "car" and [e.label for e in second.elements] == ["1", "2", "3", "4", "5"]
    assert [(e.occluded, e.outside) for e in second.elements] == [
        (False, False), (True, False), (False, True), (False, False), (False, False)]
    specs = {label.name: label for label in dataset.labels}
    assert [s.name for s in specs["bicycle"].sublabels] == ["seat", "bar", "front", "back", "pedal"]
    assert specs["car"].type == LabelType.SKELETON


def test_import_of_points_without_visibility(tmp_path: Path) -> None:
    path = zip_files(tmp_path / "two.zip", {
        "data.yaml": "train: images/train\nkpt_shape: [2, 2]\nkpt_names: {0: [l, r]}\nnames: [eye]\n",
        "labels/train/a.txt": "0 0.5 0.5 0.2 0.2 0.4 0.5 0.6 0.5 3\n",
    })
    dataset = load(NAME, path, image_size=fixed_sizes(10, 10))
    (track,) = dataset.tracks
    assert track.label == "eye" and [e.label for e in track.elements] == ["l", "r"]
    assert track.elements[1].shapes[0].points == pytest.approx((6, 5))


@pytest.mark.parametrize(("config", "line", "message"), [
    ("train: images/train\nnames: [p]\n", "0 0.5 0.5 0.1 0.1\n", "data.yaml, kpt_shape: expected [number of points"),
    ("train: images/train\nkpt_shape: [2, 4]\nnames: [p]\n", "0 0.5 0.5 0.1 0.1\n", "data.yaml, kpt_shape"),
    ("train: images/train\nkpt_shape: [1, 3]\nnames: [p]\n", "0 0.5 0.5 0.1 0.1 0.5 0.5\n",
     "labels/train/x.txt, line 1: expected class cx cy w h and 1 points of 3 numbers"),
    ("train: images/train\nkpt_shape: [1, 3]\nnames: [p]\n", "0 0.5 0.5 0.1 0.1 0.5 0.5 5\n",
     "labels/train/x.txt, line 1: point 1: visibility 5 is not 0, 1 or 2"),
    ("train: images/train\nkpt_shape: [1, 3]\nnames: [p]\n", "0 0.5 0.5 0.1 0.1 1.5 0.5 2\n",
     "labels/train/x.txt, line 1: point (1.5, 0.5) is outside the image"),
])
def test_bad_files_name_the_file_and_the_place(tmp_path: Path, config: str, line: str, message: str) -> None:
    path = zip_files(tmp_path / "bad.zip", {"data.yaml": config, "labels/train/x.txt": line})
    with pytest.raises(MalformedFile) as info:
        load(NAME, path, image_size=fixed_sizes(10, 10))
    assert str(info.value).startswith(message), str(info.value)
