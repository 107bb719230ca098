"""Ultralytics YOLO Detection 1.0 and the Ultralytics layout it shares with the other
Ultralytics formats: data.yaml, lists, label files, Roboflow's folder order, track ids."""

from __future__ import annotations

import zipfile
from pathlib import Path

import numpy as np
import pytest
import yaml

from inklab.formats import MalformedFile, get_exporter
from inklab.vocabulary import ShapeType
from tests.formats.roundtrip import assert_images_roundtrip, assert_roundtrip, export_to, sample_dataset
from tests.formats.samples import fixed_sizes, frames_by_name, load, png_image, zip_files

NAME = "Ultralytics YOLO Detection 1.0"
FMT = get_exporter(NAME)


def test_roundtrip_matches_the_fidelity_table(tmp_path: Path) -> None:
    assert_roundtrip(FMT, tmp_path)


def test_roundtrip_with_images(tmp_path: Path) -> None:
    assert_images_roundtrip(FMT, tmp_path)


def test_layout_file_by_file(tmp_path: Path) -> None:
    archive = zipfile.ZipFile(export_to(FMT, sample_dataset(with_images=True), tmp_path / "u.zip", save_images=True))
    assert sorted(archive.namelist()) == sorted([
        "data.yaml", "train.txt",
        *(f"{kind}/train/{name}" for kind, ext in (("images", ".png"), ("labels", ".txt"))
          for name in (f"frame_000{ext}", f"frame_001{ext}", f"sub/frame_002{ext}", f"frame_003{ext}")),
    ])
    config = yaml.safe_load(archive.read("data.yaml"))
    assert config == {"path": ".", "train": "train.txt", "names": {0: "car", 1: "road", 2: "person", 3: "scene"}}
    assert archive.read("train.txt").decode().splitlines() == [
        "images/train/frame_000.png", "images/train/frame_001.png", "images/train/sub/frame_002.png",
        "images/train/frame_003.png"]
    rows = np.loadtxt(archive.open("labels/train/frame_001.txt"), ndmin=2)
    assert rows.ravel().tolist() == pytest.approx([0, 6 / 64, 7 / 48, 10 / 64, 10 / 48,
                                                   0, 9 / 64, 8 / 48, 10 / 64, 10 / 48], abs=1e-6)
    assert archive.read("labels/train/sub/frame_002.txt").decode() == "0 0.171875 0.187500 0.156250 0.208333\n"


DOCUMENTED = {
    "data.yaml": "path:  ./ # dataset root dir\ntrain: train.txt  # train images (relative to 'path')\n\n"
                 "# Classes\nnames:\n  0: person\n  1: bicycle\n  2: car\n",
    "train.txt": "images/train/image1.jpg\nimages/train/image2.jpg\n",
    "labels/train/image1.txt": "1 0.3 0.8 0.1 0.3\n2 0.7 0.2 0.3 0.1\n",
}


def test_import_of_the_documentation_example(tmp_path: Path) -> None:
    files = {**DOCUMENTED, "images/train/image1.jpg": png_image(1, (100, 50), "JPEG")}
    dataset = load(NAME, zip_files(tmp_path / "doc.zip", files), image_size=fixed_sizes(200, 200))
    assert [label.name for label in dataset.labels] == ["person", "bicycle", "car"]
    frames = frames_by_name(dataset)
    assert set(frames) == {"image1.jpg", "image2.jpg"}
    image1 = frames["image1.jpg"]
    assert (image1.width, image1.height, image1.subset) == (100, 50, "train")  # the image's size wins
    bicycle, car = image1.shapes
    assert (bicycle.type, bicycle.label) == (ShapeType.RECTANGLE, "bicycle")
    assert bicycle.points == pytest.approx((25, 32.5, 35, 47.5))
    assert car.label == "car" and car.points == pytest.approx((55, 7.5, 85, 12.5))
    assert frames["image2.jpg"].shapes == () and frames["image2.jpg"].image is None
    assert dataset.tracks == []


def test_import_of_roboflow_folders_and_a_names_list(tmp_path: Path) -> None:
    path = zip_files(tmp_path / "roboflow.zip", {
        "data.yaml": "train: train/images\nval: valid/images\nnc: 2\nnames: ['helmet', 'head']\n",
        "train/images/a.jpg": png_image(0, (10, 10), "JPEG"),
        "train/labels/a.txt": "1 0.5 0.5 0.2 0.4\n",
        "valid/images/b.jpg": png_image(1, (20, 10), "JPEG"),
        "valid/labels/b.txt": "0 0.5 0.5 1 1\n",
    })
    frames = frames_by_name(load(NAME, path))
    assert {name: (f.subset, [(s.label, s.points) for s in f.shapes]) for name, f in frames.items()} == {
        "a.jpg": ("train", [("head", pytest.approx((4, 3, 6, 7)))]),
        "b.jpg": ("val", [("helmet", pytest.approx((0, 0, 20, 10)))]),
    }


def test_names_with_quoted_indexes(tmp_path: Path) -> None:
    path = zip_files(tmp_path / "q.zip", {"data.yaml": "train: images/train\nnames: {'0': car, '1': bus}\n",
                                          "labels/train/a.txt": "1 0.5 0.5 0.5 0.5\n"})
    (frame,) = load(NAME, path, image_size=fixed_sizes(10, 10)).frames
    assert [s.label for s in frame.shapes] == ["bus"]


def test_track_ids_at_the_end_of_lines_become_tracks(tmp_path: Path) -> None:
    files = {
        "data.yaml": "train: train.txt\nnames:\n  0: car\n",
        "train.txt": "images/train/f0.jpg\nimages/train/f1.jpg\nimages/train/f2.jpg\nimages/train/f3.jpg\n",
        "labels/train/f0.txt": "0 0.5 0.5 0.2 0.2 7\n0 0.1 0.1 0.1 0.1\n",
        "labels/train/f1.txt": "0 0.6 0.5 0.2 0.2 7\n",
        "labels/train/f2.txt": "",
        "labels/train/f3.txt": "0 0.7 0.5 0.2 0.2 7\n",
    }
    dataset = load(NAME, zip_files(tmp_path / "t.zip", files), image_size=fixed_sizes(100, 100))
    assert [len(f.shapes) for f in dataset.frames] == [1, 0, 0, 0]  # the untracked box stays a shape
    (track,) = dataset.tracks
    assert track.label == "car"
    assert [(s.frame, s.outside, s.points) for s in track.shapes] == [
        (0, False, pytest.approx((40, 40, 60, 60))), (1, False, pytest.approx((50, 40, 70, 60))),
        (2, True, pytest.approx((50, 40, 70, 60))), (3, False, pytest.approx((60, 40, 80, 60)))]
    assert [f.index for f in dataset.frames] == [0, 1, 2, 3]


@pytest.mark.parametrize(("files", "message"), [
    ({"data.yaml": "train: train.txt\nnames: [car\n"}, "data.yaml, line 3, column 1: invalid YAML"),
    ({"data.yaml": "train: train.txt\nnames: 7\n"}, "data.yaml, names: expected a list of class names"),
    ({"data.yaml": "- a list\n"}, "data.yaml: expected a mapping"),
    ({"data.yaml": "train: train.txt\nnames: {zero: car}\n"}, "data.yaml, names.zero: expected a class index"),
    ({"labels/train/a.txt": "1 0.5 0.5 0.1 0.1\n"}, "labels/train/a.txt, line 1: class index 1 is not declared"),
    ({"labels/train/a.txt": "0 0.5 0.5 0.1 0.1 0.5 0.5\n"}, "labels/train/a.txt, line 1: expected class cx cy w h"),
    ({"labels/train/a.txt": "0 0.5 0.5 0.1 0.1 x\n"}, "labels/train/a.txt, line 1: expected an integer track id"),
    ({"labels/train/a.txt": "0 -0.5 0.5 0.1 0.1\n"}, "labels/train/a.txt, line 1: point (-0.55, 0.45) is outside"),
    ({"train.txt": "images/train/a.jpg\na.jpg\n"}, "train.txt, line 2: 'a.jpg' is not in an images/<subset>/ folder"),
])
def test_bad_files_name_the_file_and_the_place(tmp_path: Path, files: dict[str, str], message: str) -> None:
    upload = {"data.yaml": "train: train.txt\nnames:\n  0: car\n", "train.txt": "images/train/a.jpg\n", **files}
    with pytest.raises(MalformedFile) as info:
        load(NAME, zip_files(tmp_path / "bad.zip", upload), image_size=fixed_sizes(10, 10))
    assert str(info.value).startswith(message), str(info.value)


def test_an_upload_without_data_yaml_is_refused(tmp_path: Path) -> None:
    with pytest.raises(MalformedFile, match="u.zip: no data.yaml found"):
        load(NAME, zip_files(tmp_path / "u.zip", {"labels/train/a.txt": "0 0.5 0.5 0.1 0.1\n"}))
