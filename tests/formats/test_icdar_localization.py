"""ICDAR Localization 1.0: round trip, the gt_<image>.txt layout, hand-written ICDAR 2013/2015 files, bad lines."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from inklab.formats import (
    Dataset,
    Frame,
    LabelSpec,
    MalformedFile,
    Shape,
    attributes,
    get_exporter,
)
from inklab.vocabulary import ShapeType
from tests.formats.roundtrip import assert_roundtrip, export_to, sample_dataset
from tests.formats.samples import load, zip_files

FMT = get_exporter("ICDAR Localization 1.0")


def _load(tmp_path: Path, files: dict[str, bytes | str]) -> Dataset:
    return load("ICDAR Localization 1.0", zip_files(tmp_path / "icdar.zip", files))


def test_roundtrip_matches_the_fidelity_table(tmp_path: Path) -> None:
    assert_roundtrip(FMT, tmp_path)


def test_roundtrip_with_images_keeps_the_names(tmp_path: Path) -> None:
    back = assert_roundtrip(FMT, tmp_path, save_images=True)
    assert sorted(f.name for f in back.frames) == ["frame_000.png", "frame_001.png", "frame_003.png",
                                                   "sub/frame_002.png"]


def test_texts_and_layout(tmp_path: Path) -> None:
    frame = Frame(0, "img_1.jpg", 100, 50, "", shapes=(
        Shape(ShapeType.RECTANGLE, "text", (10, 5, 40, 20), attributes=attributes(text="Hello, world")),
        Shape(ShapeType.POLYGON, "text", (1, 1, 9, 1, 9, 8, 1, 8), attributes=attributes(text='say "x"')),
        Shape(ShapeType.POLYLINE, "text", (1, 1, 9, 1))))
    archive = zipfile.ZipFile(export_to(FMT, Dataset((LabelSpec("text"),), [frame]), tmp_path / "l.zip"))
    assert archive.namelist() == ["text_localization/default/gt_img_1.txt"]
    assert archive.read("text_localization/default/gt_img_1.txt").decode().splitlines() == [
        '10,5,40,20,"Hello, world"', '1,1,9,1,9,8,1,8,"say \\"x\\""']
    (back,) = _load(tmp_path, {n: archive.read(n) for n in archive.namelist()}).frames
    assert [(s.type, s.label, s.points, s.attributes) for s in back.shapes] == [
        (ShapeType.RECTANGLE, "icdar", (10, 5, 40, 20), attributes(text="Hello, world")),
        (ShapeType.POLYGON, "icdar", (1, 1, 9, 1, 9, 8, 1, 8), attributes(text='say "x"'))]


def test_import_of_hand_written_2013_and_2015_files(tmp_path: Path) -> None:
    dataset = _load(tmp_path, {
        "text_localization/test/gt_img_1.txt": '38 43 920 215 "Tiredness"\n275 264 665 450 "kills"\n',
        "text_localization/test/gt_img_2.txt": "377,117,463,117,465,130,378,130,Genaxis Theatre\n"
                                               "374,155,409,155,409,170,374,170,###\n",
        "text_localization/test/images/img_2.jpg": b"jpeg",
    })
    frames = {f.name: f for f in dataset.frames}
    assert sorted(frames) == ["img_1", "img_2.jpg"] and frames["img_1"].subset == "test"
    assert [(s.type, s.points) for s in frames["img_1"].shapes] == [
        (ShapeType.RECTANGLE, (38, 43, 920, 215)), (ShapeType.RECTANGLE, (275, 264, 665, 450))]
    quad, unreadable = frames["img_2.jpg"].shapes
    assert quad.type == ShapeType.POLYGON and quad.attribute("text") == "Genaxis Theatre"
    assert unreadable.attribute("text") == "###" and frames["img_2.jpg"].image is not None


@pytest.mark.parametrize(("line", "message"), [
    ('1,2,3,"x"', "line 1: expected 4 numbers (a box) or at least 3 points, got 3 numbers"),
    ('1,2,3,4,5,6,7,"x"', "got 7 numbers"),
    ('10,10,5,5,"x"', "line 1: a box needs x2 >= x1 and y2 >= y1"),
])
def test_bad_lines(tmp_path: Path, line: str, message: str) -> None:
    with pytest.raises(MalformedFile) as info:
        _load(tmp_path, {"text_localization/a/gt_x.txt": line + "\n"})
    assert str(info.value).startswith("text_localization/a/gt_x.txt, ") and message in str(info.value)


def test_an_archive_without_ground_truth_is_refused(tmp_path: Path) -> None:
    with pytest.raises(MalformedFile, match="no ICDAR gt_<image>.txt"):
        _load(tmp_path, {"readme.txt": "x"})


def test_sample_export_writes_a_file_per_frame(tmp_path: Path) -> None:
    names = zipfile.ZipFile(export_to(FMT, sample_dataset(), tmp_path / "s.zip")).namelist()
    assert sorted(names) == ["text_localization/default/gt_frame_003.txt",
                             "text_localization/default/sub/gt_frame_002.txt",
                             "text_localization/train/gt_frame_000.txt", "text_localization/train/gt_frame_001.txt"]
