"""Cityscapes 1.0: round trip, the ground-truth files read by torchvision's Cityscapes dataset,
instance ids and crowds, hand-written uploads, bad files."""

from __future__ import annotations

import io
import os
import zipfile
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from inklab.formats import (
    Dataset,
    Frame,
    LabelSpec,
    MalformedFile,
    Shape,
    UnsupportedData,
    attributes,
    get_exporter,
)
from inklab.formats.masks import decode_mask
from inklab.vocabulary import ShapeType
from tests.formats.roundtrip import assert_roundtrip, export_to, png_media, sample_dataset
from tests.formats.samples import frames_by_name, load, png, zip_files

NAME = "Cityscapes 1.0"
FMT = get_exporter(NAME)
LABELS = (LabelSpec("road", color="#804080"), LabelSpec("car", color="#00008e"))


def test_roundtrip_matches_the_fidelity_table(tmp_path: Path) -> None:
    assert_roundtrip(FMT, tmp_path)


def test_roundtrip_with_images(tmp_path: Path) -> None:
    imported = assert_roundtrip(FMT, tmp_path, save_images=True)
    original = {f.stem: f.image.read() for f in sample_dataset(with_images=True).frames}
    assert {f.stem: f.image.read() for f in imported.frames} == original
    assert "sub/frame_002.png" in {f.name for f in imported.frames}


def _street() -> Dataset:
    shapes = (
        Shape(ShapeType.POLYGON, "road", (0, 30, 64, 30, 64, 48, 0, 48)),
        Shape(ShapeType.RECTANGLE, "car", (2, 20, 12, 34), z_order=1),
        Shape(ShapeType.RECTANGLE, "car", (20, 20, 30, 34), z_order=1),
        Shape(ShapeType.RECTANGLE, "car", (40, 22, 50, 34), z_order=1, attributes=attributes(is_crowd=True)),
    )
    frame = Frame(0, "aachen/aachen_000000_000019.png", 64, 48, "train", shapes=shapes,
                  image=png_media(0, "aachen_000000_000019.png"))
    return Dataset(LABELS, [frame])


def test_torchvision_reads_the_ground_truth(tmp_path: Path) -> None:
    datasets = pytest.importorskip("torchvision.datasets")
    with zipfile.ZipFile(export_to(FMT, _street(), tmp_path / "c.zip", save_images=True)) as archive:
        assert sorted(archive.namelist()) == [
            "gtFine/train/aachen/aachen_000000_000019_gtFine_color.png",
            "gtFine/train/aachen/aachen_000000_000019_gtFine_instanceIds.png",
            "gtFine/train/aachen/aachen_000000_000019_gtFine_labelIds.png",
            "imgsFine/leftImg8bit/train/aachen/aachen_000000_000019_leftImg8bit.png", "label_color.txt"]
        assert archive.read("label_color.txt").decode().splitlines()[1:] == [
            "0 0 0 background", "128 64 128 road", "0 0 142 car"]
        archive.extractall(tmp_path / "x")
    root = tmp_path / "x"
    os.symlink(root / "imgsFine" / "leftImg8bit", root / "leftImg8bit")  # torchvision's folder names
    cityscapes = datasets.Cityscapes(str(root), split="train", mode="fine",
                                     target_type=["instance", "semantic", "color"])
    (image, (instance, semantic, color)), = [cityscapes[0]]
    assert image.size == (64, 48)
    ids = np.array(instance)
    assert np.unique(ids).tolist() == [0, 2, 1000, 2000, 2001]  # nothing, the car crowd, road, two cars
    assert ids[40, 5] == 1000 and ids[25, 5] == 2000 and ids[25, 25] == 2001 and ids[25, 45] == 2
    assert np.array(semantic)[25, 45] == 2 and np.array(semantic)[5, 5] == 0
    assert color.convert("RGB").getpixel((5, 40)) == (128, 64, 128)


def test_crowds_and_instances_come_back(tmp_path: Path) -> None:
    export_to(FMT, _street(), tmp_path / "c.zip")
    (frame,) = load(NAME, tmp_path / "c.zip").frames
    assert (frame.name, frame.subset) == ("aachen/aachen_000000_000019", "train")
    found = sorted((s.label, s.attribute("is_crowd") or "", decode_mask(s.points)[1:]) for s in frame.shapes)
    assert found == [("car", "", (2, 20)), ("car", "", (20, 20)), ("car", "true", (40, 22)), ("road", "", (0, 30))]


def test_import_of_original_ids_with_the_cityscapes_classes(tmp_path: Path) -> None:
    ids = np.zeros((3, 4), dtype=np.uint16)
    ids[0, 0:2] = 26001  # car (id 26), instance 1
    ids[0, 2:4] = 26002
    ids[2, :] = 7        # road, no instances
    path = zip_files(tmp_path / "cs.zip", {"gtFine/val/frankfurt/frankfurt_000000_000294_gtFine_instanceIds.png":
                                           png(ids)})
    dataset = load(NAME, path)
    assert dataset.labels[6].name == "road" and dataset.labels[25].name == "car"
    frame = frames_by_name(dataset)["frankfurt/frankfurt_000000_000294"]
    assert frame.subset == "val"
    assert sorted((s.label, s.attribute("is_crowd") or "", s.points[-4:]) for s in frame.shapes) == [
        ("car", "", (0, 0, 1, 0)), ("car", "", (2, 0, 3, 0)), ("road", "true", (0, 2, 3, 2))]


def test_import_of_label_ids_alone(tmp_path: Path) -> None:
    label_ids = np.array([[0, 1], [2, 2]], dtype=np.uint8)
    path = zip_files(tmp_path / "l.zip", {"label_color.txt": "0 0 0 background\n0 255 0 tree\n9 9 9 sky\n",
                                          "gtFine/train/a_gtFine_labelIds.png": png(label_ids, "L")})
    (frame,) = load(NAME, path).frames
    assert sorted(s.label for s in frame.shapes) == ["sky", "tree"]


def test_export_refuses_what_16_bit_ids_cannot_hold(tmp_path: Path) -> None:
    labels = tuple(LabelSpec(f"l{i}") for i in range(70))
    shape = Shape(ShapeType.RECTANGLE, "l69", (0, 0, 2, 2))
    with pytest.raises(UnsupportedData, match="label 'l69' has class id 70; 16-bit instance masks hold"):
        export_to(FMT, Dataset(labels, [Frame(0, "a.png", 4, 4, shapes=(shape,))]), tmp_path / "x.zip")


@pytest.mark.parametrize(("files", "message"), [
    ({"gtFine/train/a_gtFine_instanceIds.png": png(np.full((2, 2), 40000, dtype=np.uint16))},
     "gtFine/train/a_gtFine_instanceIds.png, pixel (0, 0): class 40 is not in the label map"),
    ({"gtFine/train/a_gtFine_color.png": png(np.full((2, 2, 3), 3, dtype=np.uint8))},
     "gtFine/train/a_gtFine_color.png, pixel (0, 0): the color (3, 3, 3) is not in the label map"),
    ({"gtFine/train/a_gtFine_instanceIds.png": b"PNG?"}, "gtFine/train/a_gtFine_instanceIds.png: not a readable PNG"),
    ({"leftImg8bit/train/a_leftImg8bit.png": b""}, "bad.zip: no Cityscapes masks found"),
])
def test_bad_uploads_name_the_file_and_the_place(tmp_path: Path, files: dict[str, bytes], message: str) -> None:
    with pytest.raises(MalformedFile) as info:
        load(NAME, zip_files(tmp_path / "bad.zip", files))
    assert str(info.value).startswith(message), str(info.value)


def test_instance_ids_are_16_bit_pngs(tmp_path: Path) -> None:
    archive = zipfile.ZipFile(export_to(FMT, _street(), tmp_path / "c.zip"))
    image = Image.open(io.BytesIO(archive.read("gtFine/train/aachen/aachen_000000_000019_gtFine_instanceIds.png")))
    assert image.mode.startswith("I") and np.array(image).max() == 2001
