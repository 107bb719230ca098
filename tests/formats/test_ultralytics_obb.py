"""Ultralytics YOLO Oriented Bounding Boxes 1.0: rotated boxes as corners, and back exactly."""

from __future__ import annotations

import math
import zipfile
from pathlib import Path

import numpy as np
import pytest

from inklab.formats import Dataset, Frame, LabelSpec, MalformedFile, Shape, get_exporter
from inklab.formats.ultralytics_obb import box_from_corners
from inklab.vocabulary import ShapeType
from tests.formats.roundtrip import assert_roundtrip, export_to, sample_dataset
from tests.formats.samples import fixed_sizes, load, zip_files

NAME = "Ultralytics YOLO Oriented Bounding Boxes 1.0"
FMT = get_exporter(NAME)


def test_roundtrip_matches_the_fidelity_table(tmp_path: Path) -> None:
    imported = assert_roundtrip(FMT, tmp_path)
    rotated = next(s for f in imported.frames for s in f.shapes if s.rotation)
    assert rotated.rotation == pytest.approx(30.0, abs=1e-3)


@pytest.mark.parametrize("rotation", [0.0, 10.0, 90.0, 135.0, 200.0, 315.0])
def test_every_rotation_comes_back(tmp_path: Path, rotation: float) -> None:
    box = Shape(ShapeType.RECTANGLE, "ship", (200.0, 100.0, 300.0, 140.0), rotation=rotation)
    dataset = Dataset((LabelSpec("ship"),), [Frame(0, "a.png", 640, 480, shapes=(box,))])
    export_to(FMT, dataset, tmp_path / "r.zip")
    (back,) = load(NAME, tmp_path / "r.zip", image_size=fixed_sizes(640, 480)).frames[0].shapes
    assert back.points == pytest.approx(box.points, abs=0.01)
    assert (back.rotation - rotation + 180) % 360 - 180 == pytest.approx(0, abs=1e-3)


def test_lines_are_the_four_corners_clockwise(tmp_path: Path) -> None:
    archive = zipfile.ZipFile(export_to(FMT, sample_dataset(), tmp_path / "o.zip"))
    first = archive.read("labels/train/frame_000.txt").decode().splitlines()[0].split()
    corners = np.array(first[1:], dtype=float).reshape(4, 2) * (64, 48)
    sides = [np.linalg.norm(corners[(i + 1) % 4] - corners[i]) for i in range(4)]
    assert first[0] == "0" and sides == pytest.approx([24.5, 18.75, 24.5, 18.75], abs=1e-3)
    angle = math.degrees(math.atan2(*(corners[1] - corners[0])[::-1]))
    assert angle == pytest.approx(30.0, abs=1e-3)


def test_import_of_the_documentation_example(tmp_path: Path) -> None:
    path = zip_files(tmp_path / "doc.zip", {
        "data.yaml": "train: train.txt\nnames:\n  0: person\n  1: bicycle\n  2: car\n",
        "train.txt": "images/train/image1.jpg\n",
        "labels/train/image1.txt": "1 0.3 0.8 0.1 0.3 0.4 0.5 0.7 0.5\n2 0.7 0.2 0.3 0.1 0.4 0.5 0.5 0.6 9\n",
    })
    dataset = load(NAME, path, image_size=fixed_sizes(100, 100))
    (frame,) = dataset.frames
    (bicycle,) = frame.shapes
    box, rotation = box_from_corners((30, 80, 10, 30, 40, 50, 70, 50))
    assert bicycle.label == "bicycle" and bicycle.points == pytest.approx(box) and bicycle.rotation == rotation
    assert dataset.tracks[0].label == "car"


def test_box_from_corners_of_an_upright_and_a_quarter_turned_box() -> None:
    assert box_from_corners((0, 0, 10, 0, 10, 4, 0, 4)) == ((0, 0, 10, 4), 0.0)
    box, rotation = box_from_corners((7, 0, 7, 10, 3, 10, 3, 0))
    assert rotation == pytest.approx(90.0) and box == pytest.approx((0, 3, 10, 7))


@pytest.mark.parametrize(("line", "message"), [
    ("0 0.1 0.1 0.2 0.1 0.2 0.2\n", "line 1: expected class x1 y1 x2 y2 x3 y3 x4 y4"),
    ("0 0.1 0.1 0.2 0.1 0.2 0.2 0.1 0.2 0.5 0.5\n", "line 1: expected class x1 y1 x2 y2 x3 y3 x4 y4"),
    ("0 0.1 0.1 0.2 0.1 0.2 0.2 0.1 2\n", "line 1: point (0.1, 2) is outside the image"),
])
def test_bad_lines_name_the_file_and_the_line(tmp_path: Path, line: str, message: str) -> None:
    path = zip_files(tmp_path / "bad.zip", {"data.yaml": "train: images/train\nnames: [a]\n",
                                            "labels/train/x.txt": line})
    with pytest.raises(MalformedFile) as info:
        load(NAME, path, image_size=fixed_sizes(10, 10))
    assert str(info.value).startswith(f"labels/train/x.txt, {message}"), str(info.value)
