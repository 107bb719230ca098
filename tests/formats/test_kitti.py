"""KITTI 1.0: round trip, the devkit's label_2 columns, a hand-written label file, bad lines."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from inklab.formats import Dataset, ImportOptions, MalformedFile, get_exporter, get_importer, open_input
from inklab.vocabulary import ShapeType
from tests.formats.roundtrip import assert_roundtrip, export_to, materialize, sample_dataset
from tests.server.datasets.flows import zip_bytes

FMT = get_exporter("KITTI 1.0")


def _load(tmp_path: Path, files: dict[str, bytes | str]) -> Dataset:
    path = tmp_path / "kitti.zip"
    path.write_bytes(zip_bytes(files))
    with open_input(path) as source:
        return materialize(get_importer("KITTI 1.0").load(source, ImportOptions()))


@pytest.mark.parametrize("save_images", [False, True])
def test_roundtrip_matches_the_fidelity_table(tmp_path: Path, save_images: bool) -> None:
    assert_roundtrip(FMT, tmp_path, save_images=save_images)


def test_layout_follows_the_devkit(tmp_path: Path) -> None:
    archive = zipfile.ZipFile(export_to(FMT, sample_dataset(True), tmp_path / "k.zip", save_images=True))
    assert sorted(archive.namelist()) == [
        "default/image_2/frame_003.png", "default/image_2/sub/frame_002.png", "default/label_2/frame_003.txt",
        "default/label_2/sub/frame_002.txt", "labels.txt", "train/image_2/frame_000.png", "train/image_2/frame_001.png",
        "train/label_2/frame_000.txt", "train/label_2/frame_001.txt"]
    rows = [line.split() for line in archive.read("train/label_2/frame_000.txt").decode().splitlines()]
    assert rows[0] == ["car", "0.0", "1", "-10", "5.5", "6.25", "30", "25", "-1", "-1", "-1", "-1000", "-1000",
                       "-1000", "-10", "0.75"]
    assert all(len(row) == 15 for row in rows[1:])
    assert archive.read("default/label_2/frame_003.txt") == b""


def test_import_of_a_hand_written_label_file(tmp_path: Path) -> None:
    dataset = _load(tmp_path, {
        "training/label_2/000001.txt": "Truck 0.00 0 -1.57 599.41 156.40 629.75 189.25 2.85 2.63 12.34 0.47 1.49 69.44"
                                       " -1.56\nCar 0.88 3 -0.69 0.00 192.37 402.31 374.00 1.60 1.57 3.48 -2.70 1.74 "
                                       "3.83 -1.31\n",
        "training/image_2/000001.png": b"png"})
    (frame,) = dataset.frames
    assert (frame.name, frame.subset) == ("000001.png", "training") and frame.image is not None
    truck, car = frame.shapes
    assert (truck.type, truck.label, truck.points, truck.occluded) == (
        ShapeType.RECTANGLE, "Truck", (599.41, 156.40, 629.75, 189.25), False)
    assert truck.attribute("truncated") == "false" and car.attribute("truncated") == "true" and car.occluded


@pytest.mark.parametrize(("line", "message"), [
    ("Car 0 0 0 1 2 3 4", "line 1: expected 15 values (16 with a score), got 8"),
    ("Car 0 0 0 1 2 x 4 -1 -1 -1 -1000 -1000 -1000 -10", "line 1: right: expected a number, got 'x'"),
    ("Car 0 0 0 10 2 3 4 -1 -1 -1 -1000 -1000 -1000 -10", "line 1: a box needs right >= left"),
])
def test_bad_lines(tmp_path: Path, line: str, message: str) -> None:
    with pytest.raises(MalformedFile) as info:
        _load(tmp_path, {"default/label_2/a.txt": line + "\n"})
    assert str(info.value).startswith("default/label_2/a.txt, ") and message in str(info.value)


def test_an_archive_without_label_files_is_refused(tmp_path: Path) -> None:
    with pytest.raises(MalformedFile, match="kitti.zip: no KITTI label files"):
        _load(tmp_path, {"x.txt": "x"})
