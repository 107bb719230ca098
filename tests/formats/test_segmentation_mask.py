"""Segmentation mask 1.1: round trip, the masks read with Pillow, drawing rules (pixel
centres, z order, groups, background holes), hand-written uploads, bad masks."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from inklab.formats import Dataset, Frame, LabelSpec, MalformedFile, Shape, UnsupportedData, get_exporter
from inklab.formats.masks import decode_mask, encode_mask
from inklab.vocabulary import ShapeType
from tests.formats.roundtrip import assert_roundtrip, export_to, sample_dataset
from tests.formats.samples import frames_by_name, load, png, zip_files

NAME = "Segmentation mask 1.1"
FMT = get_exporter(NAME)
LABELS = (LabelSpec("cat", color="#ff0000"), LabelSpec("dog", color="#00ff00"), LabelSpec("hole", color="#0000ff"))


def _maps(archive: zipfile.ZipFile, ident: str) -> tuple[np.ndarray, np.ndarray]:
    classes = Image.open(io.BytesIO(archive.read(f"SegmentationClass/{ident}.png")))
    objects = Image.open(io.BytesIO(archive.read(f"SegmentationObject/{ident}.png")))
    assert classes.mode == objects.mode == "P"
    return np.array(classes), np.array(objects)


def _export(tmp_path: Path, *shapes: Shape, labels: tuple[LabelSpec, ...] = LABELS,
            size: tuple[int, int] = (8, 6)) -> zipfile.ZipFile:
    dataset = Dataset(labels, [Frame(0, "a.png", size[0], size[1], shapes=shapes)])
    return zipfile.ZipFile(export_to(FMT, dataset, tmp_path / "m.zip"))


def test_roundtrip_matches_the_fidelity_table(tmp_path: Path) -> None:
    assert_roundtrip(FMT, tmp_path)


def test_roundtrip_with_images_keeps_the_frame_names(tmp_path: Path) -> None:
    imported = assert_roundtrip(FMT, tmp_path, save_images=True)
    assert sorted(f.name for f in imported.frames) == ["frame_000.png", "frame_001.png", "frame_003.png",
                                                       "sub/frame_002.png"]


def test_layout_and_the_masks_read_with_pillow(tmp_path: Path) -> None:
    archive = zipfile.ZipFile(export_to(FMT, sample_dataset(), tmp_path / "s.zip"))
    assert sorted(archive.namelist()) == sorted(
        ["ImageSets/Segmentation/default.txt", "ImageSets/Segmentation/train.txt", "labelmap.txt"]
        + [f"Segmentation{kind}/{ident}.png" for kind in ("Class", "Object")
           for ident in ("frame_000", "frame_001", "sub/frame_002", "frame_003")])
    assert archive.read("labelmap.txt").decode() == ("# label:color_rgb:parts:actions\nbackground:0,0,0::\n"
                                                     "car:255,0,0::\nroad:0,255,0::\n")
    assert archive.read("ImageSets/Segmentation/default.txt").decode() == "sub/frame_002\nframe_003\n"
    classes, objects = _maps(archive, "frame_000")
    assert classes.shape == (48, 64)
    assert classes[43, 30] == 2 and classes[15, 36] == 2 and classes[13, 34] == 0  # road polygon, mask, its hole
    assert classes[15, 15] == 1  # the rotated car box, drawn on top
    assert len(np.unique(objects)) == 1 + 5  # box, polygon, ellipse, mask, the track's box
    empty_classes, empty_objects = _maps(archive, "frame_003")
    assert not empty_classes.any() and not empty_objects.any()


def test_pixels_are_drawn_where_their_centres_are_inside(tmp_path: Path) -> None:
    archive = _export(tmp_path, Shape(ShapeType.RECTANGLE, "cat", (1, 1, 3, 2.4)),
                      Shape(ShapeType.POLYGON, "dog", (5, 0, 8, 0, 8, 3)))
    classes, _ = _maps(archive, "a")
    expected = np.zeros((6, 8), dtype=np.uint8)
    expected[1, 1:3] = 1          # y centres 1.5 inside 1..2.4; 2.5 is not
    expected[0, 5:8] = 2          # the triangle's edge passes x = 5.5 at y = 0.5: [5.5, 8) holds 3 centres
    expected[1, 6:8] = 2
    expected[2, 7] = 2
    assert classes.tolist() == expected.tolist()


def test_upper_shapes_win_groups_are_one_instance_and_background_cuts_holes(tmp_path: Path) -> None:
    archive = _export(
        tmp_path,
        Shape(ShapeType.RECTANGLE, "dog", (0, 0, 8, 6), z_order=5),
        Shape(ShapeType.RECTANGLE, "cat", (0, 0, 4, 6), z_order=1),                # under the dog: hidden
        Shape(ShapeType.RECTANGLE, "cat", (0, 0, 2, 2), z_order=7, group=3),
        Shape(ShapeType.RECTANGLE, "cat", (6, 4, 8, 6), z_order=7, group=3),       # same group: one instance
        Shape(ShapeType.RECTANGLE, "background", (3, 2, 5, 4), z_order=9),         # a hole
        labels=(LabelSpec("background"), *LABELS),
    )
    classes, objects = _maps(archive, "a")
    assert classes[0, 0] == classes[5, 7] == 1 and classes[3, 3] == 0 and classes[3, 1] == 2
    assert objects[0, 0] == objects[5, 7] != objects[3, 1] and objects[3, 3] == 0
    assert archive.read("labelmap.txt").decode().splitlines()[1] == "background:0,0,0::"
    frame = load(NAME, Path(archive.filename)).frames[0]
    assert sorted((s.label, int(decode_mask(s.points)[0].sum())) for s in frame.shapes) == [
        ("cat", 8), ("dog", 36)]  # the hidden cat box does not come back


DOC_LABELMAP = """# label : color (RGB) : 'body' parts : actions
q:0,128,0:: # color index 0
aeroplane:10,10,128:: # color index 1
_dummy2:2,2,2:: # filler for color index 2
boat:108,0,100:: # color index 3
"""


def test_import_of_grayscale_and_color_masks_with_the_documented_labelmap(tmp_path: Path) -> None:
    gray = np.zeros((4, 5), dtype=np.uint8)
    gray[0:2, 0:2] = 1
    gray[3, 4] = 3
    color = np.zeros((4, 5, 3), dtype=np.uint8)
    color[:] = (0, 128, 0)
    color[1:3, 1:4] = (108, 0, 100)
    objects = np.zeros((4, 5), dtype=np.uint8)
    objects[1:3, 1:4] = 1
    path = zip_files(tmp_path / "doc.zip", {
        "labelmap.txt": DOC_LABELMAP,
        "ImageSets/Segmentation/train.txt": "image1\nimage2\n",
        "SegmentationClass/image1.png": png(gray, "L"),
        "SegmentationClass/image2.png": png(color),
        "SegmentationObject/image2.png": png(objects, "L"),
    })
    dataset = load(NAME, path)
    assert [label.name for label in dataset.labels] == ["aeroplane", "_dummy2", "boat"]
    assert dataset.labels[2].color == "#6c0064"
    frames = frames_by_name(dataset)
    assert {n: (f.subset, f.width, f.height) for n, f in frames.items()} == {
        "image1": ("train", 5, 4), "image2": ("train", 5, 4)}
    first = {s.label: decode_mask(s.points) for s in frames["image1"].shapes}
    assert set(first) == {"aeroplane", "boat"}
    assert first["boat"][1:] == (4, 3) and first["aeroplane"][0].shape == (2, 2)
    (boat,) = frames["image2"].shapes
    bitmap, left, top = decode_mask(boat.points)
    assert (boat.label, left, top, bitmap.shape, bool(bitmap.all())) == ("boat", 1, 1, (2, 3), True)


def test_a_frame_with_too_many_objects_is_refused(tmp_path: Path) -> None:
    bitmap = np.zeros((1, 1), dtype=bool)
    bitmap[0, 0] = True
    shapes = tuple(Shape(ShapeType.MASK, "cat", encode_mask(bitmap, i % 20, i // 20)) for i in range(255))
    with pytest.raises(UnsupportedData, match="Frame 'a.png' has 255 objects to draw; VOC instance masks hold at most 254"):
        _export(tmp_path, *shapes, size=(20, 20))


@pytest.mark.parametrize(("files", "message"), [
    ({"SegmentationClass/a.png": b"not a png"}, "SegmentationClass/a.png: not a readable PNG image"),
    ({"SegmentationClass/a.png": png(np.full((2, 2), 30, dtype=np.uint8), "L")},
     "SegmentationClass/a.png, pixel (0, 0): class 30 is not in the label map (21 classes"),
    ({"labelmap.txt": "background:0,0,0::\ncat:1,2,3::\n",
      "SegmentationClass/a.png": png(np.full((2, 2, 3), 9, dtype=np.uint8))},
     "SegmentationClass/a.png, pixel (0, 0): the color (9, 9, 9) is not in the label map"),
    ({"labelmap.txt": ":1,2,3::\n", "SegmentationClass/a.png": png(np.zeros((2, 2), dtype=np.uint8), "L")},
     "labelmap.txt, line 1: a label needs a name"),
])
def test_bad_uploads_name_the_file_and_the_place(tmp_path: Path, files: dict[str, bytes | str], message: str) -> None:
    with pytest.raises(MalformedFile) as info:
        load(NAME, zip_files(tmp_path / "bad.zip", files))
    assert str(info.value).startswith(message), str(info.value)
