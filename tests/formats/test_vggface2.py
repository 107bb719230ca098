"""VGGFace2 1.0: round trip (also of landmarks), the CSV layout read with the csv module,
the original files written by hand, bad rows."""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import replace
from pathlib import Path

import pytest

from inklab.formats import (
    Dataset,
    Frame,
    LabelSpec,
    MalformedFile,
    Shape,
    get_exporter,
)
from inklab.formats.fidelity import KEPT
from inklab.vocabulary import ShapeType
from tests.formats.roundtrip import assert_roundtrip, compare, export_to, png_media, roundtrip
from tests.formats.samples import load, zip_files

FMT = get_exporter("VGGFace2 1.0")
LANDMARKS = (10.0, 10.0, 20.0, 10.0, 15.0, 15.0, 11.0, 20.0, 19.0, 20.5)


def _faces(with_images: bool = False) -> Dataset:
    frames = [Frame(0, "0001_01.jpg", 64, 48, "train", shapes=(
                  Shape(ShapeType.RECTANGLE, "n000001", (5, 5, 25, 30)),
                  Shape(ShapeType.POINTS, "n000001", LANDMARKS)),
                  image=png_media(0, "0001_01.jpg") if with_images else None),
              Frame(1, "0002_01.jpg", 64, 48, "", shapes=(Shape(ShapeType.RECTANGLE, "Jane Doe", (1, 2, 3, 4)),),
                    image=png_media(1, "0002_01.jpg") if with_images else None)]
    return Dataset((LabelSpec("n000001"), LabelSpec("Jane Doe")), frames)


def _load(tmp_path: Path, files: dict[str, bytes | str]) -> Dataset:
    return load("VGGFace2 1.0", zip_files(tmp_path / "vgg.zip", files))


@pytest.mark.parametrize("save_images", [False, True])
def test_roundtrip_matches_the_fidelity_table(tmp_path: Path, save_images: bool) -> None:
    assert_roundtrip(FMT, tmp_path, save_images=save_images)


@pytest.mark.parametrize("save_images", [False, True])
def test_faces_and_landmarks_round_trip(tmp_path: Path, save_images: bool) -> None:
    back = roundtrip(FMT, _faces(save_images), tmp_path, save_images=save_images)
    # five-point landmarks are kept (the table's note)
    assert compare(_faces(save_images), back, replace(FMT.fidelity, rules={**FMT.fidelity.rules, "points": KEPT})) == []
    if save_images:
        assert sorted(f.name for f in back.frames) == ["0001_01.jpg", "0002_01.jpg"]


def test_layout_read_with_the_csv_module(tmp_path: Path) -> None:
    archive = zipfile.ZipFile(export_to(FMT, _faces(True), tmp_path / "v.zip", save_images=True))
    assert sorted(archive.namelist()) == [
        "bb_landmark/loose_bb_default.csv", "bb_landmark/loose_bb_train.csv", "bb_landmark/loose_landmark_default.csv",
        "bb_landmark/loose_landmark_train.csv", "default/Jane_Doe/0002_01.jpg", "labels.txt",
        "train/n000001/0001_01.jpg"]
    boxes = list(csv.DictReader(io.StringIO(archive.read("bb_landmark/loose_bb_train.csv").decode())))
    assert boxes == [{"NAME_ID": "n000001/0001_01", "X": "5", "Y": "5", "W": "20", "H": "25"}]
    (points,) = csv.DictReader(io.StringIO(archive.read("bb_landmark/loose_landmark_train.csv").decode()))
    assert points["NAME_ID"] == "n000001/0001_01" and points["P5Y"] == "20.5" and len(points) == 11
    assert archive.read("labels.txt").decode().splitlines() == ["n000001 n000001", "Jane_Doe Jane Doe"]


def test_import_of_the_original_files(tmp_path: Path) -> None:
    dataset = _load(tmp_path, {
        "bb_landmark/loose_bb_test.csv": "NAME_ID,X,Y,W,H\nn000001/0001_01,60,60,79,109\nn000002/0003_01,1,2,3,4\n",
        "bb_landmark/loose_landmark_test.csv": "NAME_ID,P1X,P1Y,P2X,P2Y,P3X,P3Y,P4X,P4Y,P5X,P5Y\n"
                                               "n000001/0001_01,75.8,110.1,103.6,104.9,90.6,127.3,80.5,144.4,108.6,"
                                               "139.3\n",
        "labels.txt": "n000001 Aaron Ashmore\n",
        "test/n000002/0003_01.jpg": b"jpeg"})
    assert [label.name for label in dataset.labels] == ["Aaron Ashmore"]
    frames = {f.name: f for f in dataset.frames}
    assert sorted(frames) == ["0001_01", "0003_01.jpg"]
    box, landmarks = frames["0001_01"].shapes
    assert (box.label, box.points) == ("Aaron Ashmore", (60, 60, 139, 169))
    assert landmarks.type == ShapeType.POINTS and len(landmarks.points) == 10
    assert frames["0003_01.jpg"].shapes[0].label == "n000002" and frames["0003_01.jpg"].image is not None
    assert frames["0001_01"].subset == "test"


@pytest.mark.parametrize(("content", "message"), [
    ("NAME_ID,X,Y\n", "line 1: the header lacks the column(s) W, H"),
    ("NAME_ID,X,Y,W,H\n0001_01,1,2,3,4\n", "line 2: NAME_ID must be <class folder>/<image>"),
    ("NAME_ID,X,Y,W,H\na/b,1,2,x,4\n", "line 2: W: expected a number, got 'x'"),
    ("NAME_ID,X,Y,W,H\na/b,1,2,-3,4\n", "line 2: a box needs a width and height of at least 0"),
])
def test_bad_rows(tmp_path: Path, content: str, message: str) -> None:
    with pytest.raises(MalformedFile) as info:
        _load(tmp_path, {"bb_landmark/loose_bb_train.csv": content})
    assert str(info.value).startswith("bb_landmark/loose_bb_train.csv, ") and message in str(info.value)


def test_an_archive_without_csv_is_refused(tmp_path: Path) -> None:
    with pytest.raises(MalformedFile, match="vgg.zip: no VGGFace2"):
        _load(tmp_path, {"labels.txt": "a a\n"})
