"""KITTI 1.0: round trip, the devkit's label_2 columns and segmentation maps, hand-written
label files and maps, bad lines and bad maps."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from inklab.formats import (
    Dataset,
    Frame,
    MalformedFile,
    Shape,
    UnsupportedData,
    get_exporter,
)
from inklab.formats.masks import decode_mask
from inklab.vocabulary import ShapeType
from tests.formats.roundtrip import assert_roundtrip, export_to, sample_dataset
from tests.formats.samples import load, zip_files

FMT = get_exporter("KITTI 1.0")


def _load(tmp_path: Path, files: dict[str, bytes | str]) -> Dataset:
    return load("KITTI 1.0", zip_files(tmp_path / "kitti.zip", files))


@pytest.mark.parametrize("save_images", [False, True])
def test_roundtrip_matches_the_fidelity_table(tmp_path: Path, save_images: bool) -> None:
    assert_roundtrip(FMT, tmp_path, save_images=save_images)


def test_layout_follows_the_devkit(tmp_path: Path) -> None:
    archive = zipfile.ZipFile(export_to(FMT, sample_dataset(True), tmp_path / "k.zip", save_images=True))
    assert sorted(archive.namelist()) == [
        "default/image_2/frame_003.png", "default/image_2/sub/frame_002.png", "default/label_2/frame_003.txt",
        "default/label_2/sub/frame_002.txt", "label_colors.txt", "labels.txt", "train/image_2/frame_000.png",
        "train/image_2/frame_001.png", "train/instance/frame_000.png", "train/label_2/frame_000.txt",
        "train/label_2/frame_001.txt", "train/semantic/frame_000.png", "train/semantic_rgb/frame_000.png"]
    rows = [line.split() for line in archive.read("train/label_2/frame_000.txt").decode().splitlines()]
    assert rows[0] == ["car", "0.0", "1", "-10", "5.5", "6.25", "30", "25", "-1", "-1", "-1", "-1000", "-1000",
                       "-1000", "-10", "0.75"]
    assert all(len(row) == 15 for row in rows[1:])
    assert archive.read("default/label_2/frame_003.txt") == b""


def _png(archive: zipfile.ZipFile, name: str) -> Image.Image:
    image = Image.open(io.BytesIO(archive.read(name)))
    image.load()
    return image


def test_maps_follow_the_kitti_semantics_encoding(tmp_path: Path) -> None:
    """Read with Pillow and the devkit's arithmetic: instance // 256 is the class id (the line of
    label_colors.txt), instance % 256 the instance; semantic holds the ids, semantic_rgb the colors."""
    archive = zipfile.ZipFile(export_to(FMT, sample_dataset(), tmp_path / "k.zip"))
    colors = [line.split() for line in archive.read("label_colors.txt").decode().splitlines()
              if not line.startswith("#")]
    assert colors[:3] == [["0", "0", "0", "background"], ["255", "0", "0", "car"], ["0", "255", "0", "road"]]
    instance = _png(archive, "train/instance/frame_000.png")
    semantic = _png(archive, "train/semantic/frame_000.png")
    rgb = _png(archive, "train/semantic_rgb/frame_000.png")
    assert instance.mode.startswith("I;16") and semantic.mode == "L" and rgb.mode == "RGB"
    assert instance.size == semantic.size == rgb.size == (64, 48)
    values = np.asarray(instance).astype(np.int64)
    classes = np.asarray(semantic)
    assert np.array_equal(values // 256, classes)
    # the sample's road polygon covers the bottom rows; the ellipse and the mask are car and road
    assert classes[44, 30] == 2 and values[44, 30] % 256 >= 1
    assert classes[14, 38] == 2 and values[14, 38] % 256 != values[44, 30] % 256  # the mask: another instance
    assert classes[22, 44] == 1  # inside the ellipse
    assert sorted(set(np.unique(values % 256).tolist())) == [0, 1, 2, 3]
    palette = {int(i): tuple(int(c) for c in row[:3]) for i, row in enumerate(colors)}
    for y, x in ((44, 30), (22, 44), (0, 0)):
        assert tuple(np.asarray(rgb)[y, x]) == palette[int(classes[y, x])]


def _map_png(values: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(values.astype(np.uint16 if values.max() > 255 else np.uint8)).save(buffer, format="PNG")
    return buffer.getvalue()


def _instance_sample() -> np.ndarray:
    values = np.zeros((20, 30), dtype=np.int64)
    values[2:6, 3:9] = 26 * 256 + 1     # car, instance 1 (Cityscapes id 26)
    values[10:15, 3:9] = 26 * 256 + 2   # car, instance 2
    values[8:18, 20:28] = 24 * 256      # person, a crowd region
    return values


def test_import_of_hand_written_maps_with_kitti_classes(tmp_path: Path) -> None:
    """An archive as the KITTI semantics benchmark ships it: no label_colors.txt, Cityscapes ids."""
    values = _instance_sample()
    dataset = _load(tmp_path, {"training/instance/000000_10.png": _map_png(values),
                               "training/semantic/000000_10.png": _map_png(values // 256)})
    (frame,) = dataset.frames
    assert (frame.name, frame.subset, frame.width, frame.height) == ("000000_10", "training", 30, 20)
    masks = sorted(frame.shapes, key=lambda s: s.points[-3])
    assert [(m.type, m.label, m.attribute("is_crowd")) for m in masks] == [
        (ShapeType.MASK, "car", None), (ShapeType.MASK, "person", "true"), (ShapeType.MASK, "car", None)]
    bitmap, left, top = decode_mask(masks[0].points)
    assert (left, top, bitmap.shape, bool(bitmap.all())) == (3, 2, (4, 6), True)
    assert {label.name for label in dataset.labels} >= {"car", "person", "road"}


def test_import_of_semantic_maps_alone_with_a_label_colors_file(tmp_path: Path) -> None:
    classes = np.zeros((10, 12), dtype=np.uint8)
    classes[1:4, 1:5] = 1
    classes[6:9, 2:10] = 2
    rgb = np.zeros((10, 12, 3), dtype=np.uint8)
    rgb[classes == 1] = (200, 10, 10)
    rgb[classes == 2] = (10, 200, 10)
    buffer = io.BytesIO()
    Image.fromarray(rgb, "RGB").save(buffer, format="PNG")
    colors = "0 0 0 background\n200 10 10 pedestrian crossing\n10 200 10 lane\n"
    for folder, data in (("semantic", _map_png(classes)), ("semantic_rgb", buffer.getvalue())):
        (tmp_path / folder).mkdir()
        dataset = _load(tmp_path / folder, {"label_colors.txt": colors, f"default/{folder}/a.png": data,
                                            "default/label_2/a.txt": "Car 0 0 0 1 2 3 4 -1 -1 -1 -1000 -1000 -1000 -10\n"})
        (frame,) = dataset.frames
        assert sorted((s.type.value, s.label) for s in frame.shapes) == [
            ("mask", "lane"), ("mask", "pedestrian crossing"), ("rectangle", "Car")], folder
        assert [(label.name, label.color) for label in dataset.labels] == [
            ("pedestrian crossing", "#c80a0a"), ("lane", "#0ac80a")]


def test_bad_maps_name_the_file_and_pixel(tmp_path: Path) -> None:
    values = _instance_sample()
    with pytest.raises(MalformedFile) as info:
        _load(tmp_path, {"label_colors.txt": "0 0 0 background\n1 1 1 car\n",
                         "default/instance/a.png": _map_png(values)})
    assert str(info.value) == ("default/instance/a.png, pixel (20, 8): class 24 (value 6144 = 24 * 256 + 0) is not "
                               "in the label map (2 classes, the background included)")
    with pytest.raises(MalformedFile, match=r"default/semantic/b.png: not a readable PNG image"):
        _load(tmp_path, {"default/semantic/b.png": b"not a png"})
    rgb = np.zeros((4, 4, 3), dtype=np.uint8)
    rgb[1, 2] = (9, 9, 9)
    buffer = io.BytesIO()
    Image.fromarray(rgb, "RGB").save(buffer, format="PNG")
    with pytest.raises(MalformedFile, match=r"default/semantic_rgb/c.png, pixel \(2, 1\): the color \(9, 9, 9\)"):
        _load(tmp_path, {"label_colors.txt": "0 0 0 background\n", "default/semantic_rgb/c.png": buffer.getvalue()})


def test_export_refuses_more_instances_than_a_map_holds(tmp_path: Path) -> None:
    boxes = tuple(Shape(ShapeType.POLYGON, "road", (float(x), 0.0, x + 0.9, 0.0, x + 0.9, 1.0)) for x in range(256))
    dataset = Dataset(sample_dataset().labels, [Frame(0, "a.png", 300, 2, shapes=boxes)])
    with pytest.raises(UnsupportedData, match="more than 255 objects"):
        export_to(FMT, dataset, tmp_path / "k.zip")


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
    with pytest.raises(MalformedFile, match="kitti.zip: no KITTI files found"):
        _load(tmp_path, {"x.txt": "x"})
