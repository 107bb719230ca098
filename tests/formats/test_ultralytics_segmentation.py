"""Ultralytics YOLO Segmentation 1.0: round trip, polygon lines, hand-written uploads, bad lines."""

from __future__ import annotations

import zipfile
from pathlib import Path

import numpy as np
import pytest

from inklab.formats import Dataset, Frame, LabelSpec, MalformedFile, Shape, get_exporter
from inklab.formats.masks import encode_mask
from inklab.vocabulary import ShapeType
from tests.formats.roundtrip import assert_roundtrip, export_to, sample_dataset
from tests.formats.samples import fixed_sizes, load, zip_files

NAME = "Ultralytics YOLO Segmentation 1.0"
FMT = get_exporter(NAME)


def test_roundtrip_matches_the_fidelity_table(tmp_path: Path) -> None:
    assert_roundtrip(FMT, tmp_path)
    assert_roundtrip(FMT, tmp_path / "images", save_images=True) if (tmp_path / "images").mkdir() is None else None


def test_lines_hold_every_vertex_as_fractions(tmp_path: Path) -> None:
    archive = zipfile.ZipFile(export_to(FMT, sample_dataset(), tmp_path / "s.zip"))
    lines = archive.read("labels/train/frame_000.txt").decode().splitlines()
    # rectangle (4 corners), polygon (4), ellipse (32), mask (one region), the track's box (4)
    assert [len(line.split()) for line in lines] == [9, 9, 65, len(lines[3].split()), 9]
    road = np.array(lines[1].split()[1:], dtype=float).reshape(-1, 2) * (64, 48)
    assert lines[1].split()[0] == "1"
    assert road.ravel().tolist() == pytest.approx([1, 40, 60, 40, 60, 47, 1, 47], abs=1e-4)
    # the mask (x 30..40, y 10..19, a hole inside) is outlined along pixel edges: its outer border
    mask = np.array(lines[3].split()[1:], dtype=float).reshape(-1, 2) * (64, 48)
    assert mask.min(axis=0).tolist() == pytest.approx([30, 10], abs=1e-4)
    assert mask.max(axis=0).tolist() == pytest.approx([41, 20], abs=1e-4)


def test_a_mask_of_two_regions_becomes_two_polygons(tmp_path: Path) -> None:
    bitmap = np.zeros((10, 20), dtype=bool)
    bitmap[1:3, 1:3] = True
    bitmap[5:9, 10:15] = True
    dataset = Dataset((LabelSpec("blob"),), [Frame(0, "a.png", 20, 10, shapes=(
        Shape(ShapeType.MASK, "blob", encode_mask(bitmap)),))])
    export_to(FMT, dataset, tmp_path / "m.zip")
    (frame,) = load(NAME, tmp_path / "m.zip", image_size=fixed_sizes(20, 10)).frames
    assert sorted(s.points for s in frame.shapes) == [
        pytest.approx((1, 1, 3, 1, 3, 3, 1, 3)), pytest.approx((10, 5, 15, 5, 15, 9, 10, 9))]


def test_import_of_the_documentation_example_with_a_track_id(tmp_path: Path) -> None:
    path = zip_files(tmp_path / "doc.zip", {
        "data.yaml": "path: ./\ntrain: train.txt\nnames:\n  0: person\n  1: bicycle\n  2: car\n",
        "train.txt": "images/train/image1.jpg\n",
        "labels/train/image1.txt": "1 0.3 0.8 0.1 0.3 0.4 0.5\n2 0.7 0.2 0.3 0.1 0.4 0.5 0.5 0.6 0.7 0.5\n"
                                   "0 0.1 0.1 0.2 0.1 0.2 0.2 4\n",
    })
    dataset = load(NAME, path, image_size=fixed_sizes(10, 10))
    (frame,) = dataset.frames
    bicycle, car = frame.shapes
    assert (bicycle.type, bicycle.label, bicycle.points) == (ShapeType.POLYGON, "bicycle",
                                                              pytest.approx((3, 8, 1, 3, 4, 5)))
    assert car.label == "car" and len(car.points) == 10
    (track,) = dataset.tracks
    assert track.label == "person" and track.shapes[0].points == pytest.approx((1, 1, 2, 1, 2, 2))


@pytest.mark.parametrize(("line", "message"), [
    ("0 0.1 0.1 0.2 0.2\n", "line 1: a polygon needs at least 3 points (6 numbers), got 4"),
    ("0 0.1 0.1 0.2 0.2 0.3\n", "line 1: expected an integer track id after the points (an odd count of numbers), got '0.3'"),
    ("0 0.1 0.1 0.2 0.2 0.3 x\n", "line 1: expected a number"),
    ("0 0.1 0.1 0.2 0.2 0.3 3.0\n", "line 1: point (0.3, 3) is outside the image"),
])
def test_bad_lines_name_the_file_and_the_line(tmp_path: Path, line: str, message: str) -> None:
    path = zip_files(tmp_path / "bad.zip", {"data.yaml": "train: images/train\nnames: [a]\n",
                                            "labels/train/x.txt": line})
    with pytest.raises(MalformedFile) as info:
        load(NAME, path, image_size=fixed_sizes(10, 10))
    assert str(info.value).startswith(f"labels/train/x.txt, {message}"), str(info.value)
