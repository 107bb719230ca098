"""WiderFace 1.0: round trip, the WIDER FACE ground-truth layout line by line, the original
file layout written by hand, bad files."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from inklab.formats import Dataset, MalformedFile, get_exporter
from inklab.vocabulary import ShapeType
from tests.formats.roundtrip import assert_roundtrip, export_to, sample_dataset
from tests.formats.samples import load, zip_files

FMT = get_exporter("WiderFace 1.0")


def _load(tmp_path: Path, files: dict[str, bytes | str]) -> Dataset:
    return load("WiderFace 1.0", zip_files(tmp_path / "wider.zip", files))


@pytest.mark.parametrize("save_images", [False, True])
def test_roundtrip_matches_the_fidelity_table(tmp_path: Path, save_images: bool) -> None:
    assert_roundtrip(FMT, tmp_path, save_images=save_images)


def test_layout(tmp_path: Path) -> None:
    archive = zipfile.ZipFile(export_to(FMT, sample_dataset(True), tmp_path / "w.zip", save_images=True))
    assert sorted(archive.namelist()) == [
        "WIDER_default/images/2--scene/sub/frame_002.png", "WIDER_default/images/no_label/frame_003.png",
        "WIDER_train/images/2--scene/frame_000.png", "WIDER_train/images/no_label/frame_001.png", "labels.txt",
        "wider_face_split/wider_face_default_bbx_gt.txt", "wider_face_split/wider_face_train_bbx_gt.txt"]
    assert archive.read("labels.txt").decode().splitlines() == ["car", "road", "scene"]  # no skeletons
    train = archive.read("wider_face_split/wider_face_train_bbx_gt.txt").decode().splitlines()
    assert train[:4] == ["2--scene/frame_000.png", "2", "5.5 6.25 24.5 18.75 0 0 0 0 1 0 car", "2 2 10 10 0 0 0 0 0 0 car"]
    default = archive.read("wider_face_split/wider_face_default_bbx_gt.txt").decode().splitlines()
    # the box track's last visible frame; no box on frame 3
    assert default == ["2--scene/sub/frame_002.png", "1", "6 4 10 10 0 0 0 0 1 0 car", "no_label/frame_003.png", "0",
                       "0 0 0 0 0 0 0 0 0 0"]


ORIGINAL = """0--Parade/0_Parade_marchingband_1_849.jpg
1
449 330 122 149 0 0 0 0 0 0\x20
0--Parade/0_Parade_Parade_0_904.jpg
0
0 0 0 0 0 0 0 0 0 0\x20
12--Group/12_Group_Group_12_Group_Group_12_10.jpg
2
102 110 20 30 2 0 1 0 2 1
5 6 7 8
"""


def test_import_of_the_original_layout(tmp_path: Path) -> None:
    dataset = _load(tmp_path, {"wider_face_split/wider_face_val_bbx_gt.txt": ORIGINAL,
                               "WIDER_val/images/0--Parade/0_Parade_Parade_0_904.jpg": b"jpeg"})
    frames = {f.name: f for f in dataset.frames}
    assert list(frames) == ["0_Parade_marchingband_1_849.jpg", "0_Parade_Parade_0_904.jpg",
                            "12_Group_Group_12_Group_Group_12_10.jpg"]
    first = frames["0_Parade_marchingband_1_849.jpg"]
    assert first.subset == "val" and [t.label for t in first.tags] == ["Parade"]
    (box,) = first.shapes
    assert (box.type, box.label, box.points, box.occluded) == (ShapeType.RECTANGLE, "face", (449, 330, 571, 479), False)
    assert frames["0_Parade_Parade_0_904.jpg"].shapes == () and frames["0_Parade_Parade_0_904.jpg"].image is not None
    group = frames["12_Group_Group_12_Group_Group_12_10.jpg"]
    flagged, bare = group.shapes
    assert {(a.name, a.value) for a in flagged.attributes} == {
        ("blur", "2"), ("expression", "0"), ("illumination", "1"), ("invalid", "0"), ("occlusion", "2"), ("pose", "1")}
    assert flagged.occluded and bare.points == (5, 6, 12, 14) and bare.attributes == ()


@pytest.mark.parametrize(("gt", "message"), [
    ("a.jpg\n", "line 1: the image 'a.jpg' has no count of boxes after it"),
    ("a.jpg\ntwo\n", "line 2: expected the number of boxes of 'a.jpg', got 'two'"),
    ("a.jpg\n2\n1 2 3 4\n", "line 2: 'a.jpg' announces 2 boxes, the file ends before"),
    ("a.jpg\n1\n1 2 3\n", "line 3: a box needs x y w h, got '1 2 3'"),
    ("a.jpg\n1\n1 2 -3 4\n", "line 3: a box needs a width and height of at least 0"),
    ("a.jpg\n1\n1 2 3 4 x 0 0 0 0 0\n", "line 3: blur: expected a number, got 'x'"),
])
def test_bad_ground_truth(tmp_path: Path, gt: str, message: str) -> None:
    with pytest.raises(MalformedFile) as info:
        _load(tmp_path, {"wider_face_split/wider_face_train_bbx_gt.txt": gt})
    assert str(info.value).startswith("wider_face_split/wider_face_train_bbx_gt.txt, ") and message in str(info.value)


def test_an_archive_without_ground_truth_is_refused(tmp_path: Path) -> None:
    with pytest.raises(MalformedFile, match="wider.zip: no WIDER Face ground truth"):
        _load(tmp_path, {"labels.txt": "face\n"})
