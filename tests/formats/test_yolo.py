"""YOLO 1.1: round trip, the Darknet layout file by file, hand-written uploads, bad files."""

from __future__ import annotations

import zipfile
from pathlib import Path

import numpy as np
import pytest

from inklab.formats import Dataset, Frame, LabelSpec, MalformedFile, Shape, UnsupportedData, get_exporter
from inklab.formats.geometry import shape_bbox
from inklab.vocabulary import ShapeType
from tests.formats.roundtrip import assert_images_roundtrip, assert_roundtrip, export_to, sample_dataset
from tests.formats.samples import fixed_sizes, frames_by_name, load, png_image, zip_files

FMT = get_exporter("YOLO 1.1")


def test_roundtrip_matches_the_fidelity_table(tmp_path: Path) -> None:
    assert_roundtrip(FMT, tmp_path)


def test_roundtrip_with_images_takes_the_sizes_from_the_images(tmp_path: Path) -> None:
    assert_images_roundtrip(FMT, tmp_path)
    # without the target's sizes, the images' own sizes are used
    dataset = load("YOLO 1.1", tmp_path / "export.zip")
    assert {(f.width, f.height) for f in dataset.frames} == {(64, 48)}


def test_layout_file_by_file(tmp_path: Path) -> None:
    archive = zipfile.ZipFile(export_to(FMT, sample_dataset(), tmp_path / "yolo.zip"))
    assert sorted(archive.namelist()) == [
        "obj.data", "obj.names", "obj_train_data/frame_000.txt", "obj_train_data/frame_001.txt",
        "obj_train_data/frame_003.txt", "obj_train_data/sub/frame_002.txt", "train.txt"]
    assert archive.read("obj.names").decode() == "car\nroad\nperson\nscene\n"
    assert archive.read("obj.data").decode().splitlines() == [
        "classes = 4", "train = data/train.txt", "names = data/obj.names", "backup = backup/"]
    assert archive.read("train.txt").decode().splitlines() == [
        "data/obj_train_data/frame_000.png", "data/obj_train_data/frame_001.png",
        "data/obj_train_data/sub/frame_002.png", "data/obj_train_data/frame_003.png"]
    # frame 1: the box (1, 2)-(11, 12) and the track's box interpolated to (4, 3)-(14, 13), as
    # "class cx cy w h" in fractions of 64x48
    rows = np.loadtxt(archive.open("obj_train_data/frame_001.txt"), ndmin=2)
    assert rows.ravel().tolist() == pytest.approx([0, 6 / 64, 7 / 48, 10 / 64, 10 / 48,
                                                   0, 9 / 64, 8 / 48, 10 / 64, 10 / 48], abs=1e-6)
    # frame 0: the box rotated by 30 degrees is written as the axis-aligned box around it
    rotated = np.loadtxt(archive.open("obj_train_data/frame_000.txt"), ndmin=2)[0]
    x, y, w, h = shape_bbox(sample_dataset().frames[0].shapes[0])
    assert rotated.tolist() == pytest.approx([0, (x + w / 2) / 64, (y + h / 2) / 48, w / 64, h / 48], abs=1e-6)
    assert archive.read("obj_train_data/frame_003.txt") == b""
    for name in archive.namelist():
        if name.startswith("obj_train_data/") and archive.read(name):
            values = np.loadtxt(archive.open(name), ndmin=2)
            assert values.size == 0 or (values.shape[1] == 5 and (values[:, 1:] >= 0).all()
                                        and (values[:, 1:] <= 1).all())


def test_import_of_the_documentation_example(tmp_path: Path) -> None:
    path = zip_files(tmp_path / "upload.zip", {
        "obj.data": "classes = 3 # optional\nnames = data/obj.names\ntrain = data/train.txt\nbackup = backup/\n",
        "obj.names": "cat\ndog\nairplane\n",
        "train.txt": "data/obj_train_data/image1.jpg\ndata/obj_train_data/image2.jpg\n",
        "obj_train_data/image1.txt": "1 0.3 0.8 0.1 0.3\n2 0.7 0.2 0.3 0.1\n",
        "obj_train_data/image2.txt": "",
    })
    dataset = load("YOLO 1.1", path, image_size=fixed_sizes(100, 50))
    assert [label.name for label in dataset.labels] == ["cat", "dog", "airplane"]
    frames = frames_by_name(dataset)
    assert set(frames) == {"image1.jpg", "image2.jpg"}
    dog, airplane = frames["image1.jpg"].shapes
    assert (dog.type, dog.label) == (ShapeType.RECTANGLE, "dog")
    assert dog.points == pytest.approx((25, 32.5, 35, 47.5))
    assert airplane.label == "airplane" and airplane.points == pytest.approx((55, 7.5, 85, 12.5))
    assert frames["image1.jpg"].subset == "train" and frames["image2.jpg"].shapes == ()


def test_import_of_label_files_and_obj_names_alone_with_an_image(tmp_path: Path) -> None:
    """The manual's recipe zips obj.names with the label files, flat; an image gives the size."""
    path = zip_files(tmp_path / "labels.zip", {
        "obj.names": "person\n",
        "frame_000001.txt": "0 0.5 0.5 0.5 0.5\n",
        "frame_000001.png": png_image(1, (40, 20)),
        "train.txt": "data/obj_train_data/frame_000001.png\n",  # a list without obj.data: not labels
    })
    (frame,) = load("YOLO 1.1", path).frames
    assert (frame.name, frame.width, frame.height, frame.subset) == ("frame_000001.png", 40, 20, "")
    assert frame.shapes[0].points == pytest.approx((10, 5, 30, 15))
    assert frame.image is not None


@pytest.mark.parametrize(("files", "message"), [
    ({"obj_train_data/a.txt": "0 0.5 0.5 0.1\n"}, "obj_train_data/a.txt, line 1: expected 5 fields"),
    ({"obj_train_data/a.txt": "0 0.5 0.5 0.1 0.1\n3 0.5 0.5 0.1 0.1\n"},
     "obj_train_data/a.txt, line 2: class index 3 is not declared (declared: 0..1)"),
    ({"obj_train_data/a.txt": "0 0.5 half 0.1 0.1\n"}, "obj_train_data/a.txt, line 1: expected a number"),
    ({"obj_train_data/a.txt": "\n0 1.5 0.5 0.1 0.1\n"},
     "obj_train_data/a.txt, line 2: point (1.45, 0.45) is outside the image"),
    ({"obj_train_data/a.txt": "0 0.5 0.5 -0.1 0.1\n"}, "obj_train_data/a.txt, line 1: a box needs a width"),
    ({"obj.data": "classes = 2\ntrain = data/train.txt\nnames = data/obj.names\n"},
     "obj.data, line 2: the 'train' list 'data/train.txt' is not in the archive"),
    ({"obj.data": "train = data/train.txt\nnames = data/obj.names\n", "train.txt": "data/obj_train_data/b.jpg\n"},
     "train.txt, line 1: the label file 'obj_train_data/b.txt' is missing"),
])
def test_bad_files_name_the_file_and_the_line(tmp_path: Path, files: dict[str, str], message: str) -> None:
    path = zip_files(tmp_path / "bad.zip", {"obj.names": "cat\ndog\n", **files})
    with pytest.raises(MalformedFile) as info:
        load("YOLO 1.1", path, image_size=fixed_sizes(100, 100))
    assert str(info.value).startswith(message), str(info.value)


def test_an_upload_without_names_or_sizes_is_refused(tmp_path: Path) -> None:
    with pytest.raises(MalformedFile, match="no obj.names file"):
        load("YOLO 1.1", zip_files(tmp_path / "a.zip", {"obj_train_data/a.txt": "0 0.5 0.5 0.1 0.1\n"}))
    path = zip_files(tmp_path / "b.zip", {"obj.names": "cat\n", "obj_train_data/a.txt": "0 0.5 0.5 0.1 0.1\n"})
    with pytest.raises(UnsupportedData, match="obj_train_data/a.txt: .* the size of 'a' is unknown"):
        load("YOLO 1.1", path)


def test_export_refuses_boxes_on_frames_of_unknown_size(tmp_path: Path) -> None:
    box = Shape(ShapeType.RECTANGLE, "cat", (1, 1, 5, 5))
    dataset = Dataset((LabelSpec("cat"),), [Frame(0, "a.jpg", shapes=(box,))])
    with pytest.raises(UnsupportedData, match="Frame 'a.jpg': its image size is unknown"):
        export_to(FMT, dataset, tmp_path / "x.zip")
