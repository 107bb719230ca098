"""CamVid 1.0: round trip (one mask per label), layout read with Pillow, CamVid's own lists and
color masks, bad uploads."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from inklab.formats import Dataset, Frame, LabelSpec, MalformedFile, Shape, get_exporter
from inklab.formats.masks import decode_mask
from inklab.vocabulary import ShapeType
from tests.formats.roundtrip import assert_images_roundtrip, assert_roundtrip, export_to, sample_dataset
from tests.formats.samples import frames_by_name, load, png, zip_files

NAME = "CamVid 1.0"
FMT = get_exporter(NAME)


def test_roundtrip_matches_the_fidelity_table(tmp_path: Path) -> None:
    assert_roundtrip(FMT, tmp_path)


def test_roundtrip_with_images(tmp_path: Path) -> None:
    assert_images_roundtrip(FMT, tmp_path)


def test_layout_file_by_file(tmp_path: Path) -> None:
    archive = zipfile.ZipFile(export_to(FMT, sample_dataset(), tmp_path / "c.zip"))
    assert sorted(archive.namelist()) == ["default.txt", "defaultannot/frame_003.png", "defaultannot/sub/frame_002.png",
                                          "label_colors.txt", "train.txt", "trainannot/frame_000.png",
                                          "trainannot/frame_001.png"]
    assert archive.read("label_colors.txt").decode().splitlines()[1:] == ["0 0 0 background", "255 0 0 car",
                                                                          "0 255 0 road"]
    assert archive.read("train.txt").decode().splitlines() == ["/train/frame_000.png /trainannot/frame_000.png",
                                                               "/train/frame_001.png /trainannot/frame_001.png"]
    mask = Image.open(io.BytesIO(archive.read("trainannot/frame_000.png")))
    assert mask.mode == "P" and mask.size == (64, 48)
    assert mask.convert("RGB").getpixel((30, 43)) == (0, 255, 0)  # the road polygon in the road color
    assert sorted(np.unique(np.array(mask)).tolist()) == [0, 1, 2]


def test_objects_of_a_label_come_back_as_one_mask(tmp_path: Path) -> None:
    shapes = (Shape(ShapeType.RECTANGLE, "car", (0, 0, 2, 2)), Shape(ShapeType.RECTANGLE, "car", (4, 0, 6, 2)))
    export_to(FMT, Dataset((LabelSpec("car"),), [Frame(0, "a.png", 6, 3, shapes=shapes)]), tmp_path / "o.zip")
    (mask,) = load(NAME, tmp_path / "o.zip").frames[0].shapes
    bitmap, left, top = decode_mask(mask.points)
    assert (mask.label, left, top) == ("car", 0, 0)
    assert bitmap.astype(int).tolist() == [[1, 1, 0, 0, 1, 1], [1, 1, 0, 0, 1, 1]]


def test_import_of_camvid_lists_and_color_masks(tmp_path: Path) -> None:
    color = np.zeros((3, 4, 3), dtype=np.uint8)
    color[0, :] = (128, 128, 128)  # Sky
    color[2, 1:3] = (64, 0, 128)   # Car
    path = zip_files(tmp_path / "camvid.zip", {
        "train.txt": "/SegNet/CamVid/train/0001TP_006690.png /SegNet/CamVid/trainannot/0001TP_006690.png\n",
        "trainannot/0001TP_006690.png": png(color),
    })
    dataset = load(NAME, path)  # no label_colors.txt: CamVid's 32 classes
    assert len(dataset.labels) == 31 and dataset.labels[0].name == "Animal"
    frame = frames_by_name(dataset)["0001TP_006690.png"]
    assert (frame.subset, frame.width, frame.height) == ("train", 4, 3)
    masks = {s.label: decode_mask(s.points) for s in frame.shapes}
    assert set(masks) == {"Sky", "Car"} and masks["Car"][1:] == (1, 2)


def test_import_of_index_masks_with_a_names_only_label_file(tmp_path: Path) -> None:
    index = np.zeros((2, 2), dtype=np.uint8)
    index[1, 1] = 2
    path = zip_files(tmp_path / "idx.zip", {"label_colors.txt": "Void\nAnimal\nArchway\n",
                                            "valannot/x.png": png(index, "L")})
    (frame,) = load(NAME, path).frames
    assert (frame.name, frame.subset) == ("x", "val")
    assert [(s.label, s.points[-4:]) for s in frame.shapes] == [("Archway", (1, 1, 1, 1))]


@pytest.mark.parametrize(("files", "message"), [
    ({"train.txt": "only-one-path.png\n"}, "train.txt, line 1: expected '<image> <mask in trainannot/>'"),
    ({"train.txt": "/train/a.png /trainannot/a.png\n"}, "bad.zip: the mask 'trainannot/a.png' of list 'train.txt'"),
    ({"label_colors.txt": "0 0 0 Void\n1 2 3 Animal\n", "trainannot/a.png": png(np.full((1, 1, 3), 5, np.uint8))},
     "trainannot/a.png, pixel (0, 0): the color (5, 5, 5) is not in the label map"),
    ({"label_colors.txt": "0 0 Void\n"}, "label_colors.txt, line 1: expected 'r g b name' or a name"),
    ({"readme.txt": "x"}, "readme.txt, line 1: expected '<image> <mask in readmeannot/>'"),
    ({"notes/readme.md": "x"}, "bad.zip: no CamVid masks found"),
])
def test_bad_uploads_name_the_file_and_the_place(tmp_path: Path, files: dict[str, bytes | str], message: str) -> None:
    with pytest.raises(MalformedFile) as info:
        load(NAME, zip_files(tmp_path / "bad.zip", files))
    assert str(info.value).startswith(message), str(info.value)
