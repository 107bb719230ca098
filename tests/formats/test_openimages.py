"""Open Images V6 1.0: round trip, the CSV files read with the csv module and masks with
Pillow, hand-written files (sizes from images.meta or the images), bad rows."""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from inklab.formats import Dataset, MalformedFile, get_exporter
from inklab.vocabulary import ShapeType
from tests.formats.roundtrip import assert_roundtrip, export_to, sample_dataset
from tests.formats.samples import load, zip_files

FMT = get_exporter("Open Images V6 1.0")
BOX_HEADER = "ImageID,Source,LabelName,Confidence,XMin,XMax,YMin,YMax,IsOccluded,IsTruncated,IsGroupOf," \
             "IsDepiction,IsInside\n"


def _load(tmp_path: Path, files: dict[str, bytes | str]) -> Dataset:
    return load("Open Images V6 1.0", zip_files(tmp_path / "oid.zip", files))


def _png(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(array).save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.mark.parametrize("save_images", [False, True])
def test_roundtrip_matches_the_fidelity_table(tmp_path: Path, save_images: bool) -> None:
    assert_roundtrip(FMT, tmp_path, save_images=save_images)


def test_layout_read_with_csv_and_pillow(tmp_path: Path) -> None:
    archive = zipfile.ZipFile(export_to(FMT, sample_dataset(), tmp_path / "o.zip"))
    names = set(archive.namelist())
    for subset in ("train", "default"):
        assert {f"annotations/{subset}-image_ids_and_rotation.csv", f"annotations/{subset}-annotations-bbox.csv",
                f"annotations/{subset}-annotations-human-imagelabels.csv",
                f"annotations/{subset}-annotations-object-segmentation.csv"} <= names
    read = lambda n: list(csv.DictReader(io.StringIO(archive.read(n).decode())))  # noqa: E731
    boxes = read("annotations/train-annotations-bbox.csv")
    first = boxes[0]
    assert (first["ImageID"], first["LabelName"], first["IsOccluded"], first["Confidence"]) == (
        "frame_000", "car", "1", "0.75")
    assert float(first["XMin"]) * 64 == pytest.approx(5.5) and float(first["YMax"]) * 48 == pytest.approx(25)
    assert [r["ImageID"] for r in read("annotations/train-image_ids_and_rotation.csv")] == ["frame_000", "frame_001"]
    assert [r["LabelName"] for r in read("annotations/train-annotations-human-imagelabels.csv")] == ["scene"]
    masks = read("annotations/train-annotations-object-segmentation.csv")
    assert [m["LabelName"] for m in masks] == ["road", "car", "road"]  # polygon, ellipse, mask
    pixels = np.asarray(Image.open(io.BytesIO(archive.read(f"masks/train/{masks[2]['MaskPath']}"))))
    assert pixels.shape == (48, 64) and (pixels > 0).sum() == 10 * 11 - 9
    assert "frame_000 48 64" in archive.read("annotations/images.meta").decode().splitlines()
    assert archive.read("annotations/class-descriptions.csv").decode().splitlines()[0] == "car,car"


def test_import_of_hand_written_files(tmp_path: Path) -> None:
    mask = np.zeros((5, 10), dtype=np.uint8)  # stored at half resolution
    mask[1:3, 2:5] = 255
    picture = io.BytesIO()
    Image.new("RGB", (20, 10)).save(picture, format="JPEG")
    dataset = _load(tmp_path, {
        "annotations/class-descriptions.csv": "/m/01g317,Person\n/m/0k4j,Car\n",
        "annotations/validation-annotations-bbox.csv": BOX_HEADER + "a1,xclick,/m/01g317,1,0.1,0.5,0.2,1,1,0,1,-1,0\n",
        "annotations/validation-annotations-human-imagelabels.csv": "ImageID,Source,LabelName,Confidence\n"
                                                                    "a1,verification,/m/0k4j,0\n",
        "annotations/validation-annotations-object-segmentation.csv":
            "MaskPath,ImageID,LabelName,BoxID,BoxXMin,BoxXMax,BoxYMin,BoxYMax,PredictedIoU,Clicks\n"
            "a1_m_1.png,a1,/m/0k4j,box1,0.2,0.5,0.2,0.6,0.9,\n",
        "masks/validation/a1_m_1.png": _png(mask),
        "images/validation/a1.jpg": picture.getvalue()})
    assert [label.name for label in dataset.labels] == ["Person", "Car"]
    (frame,) = dataset.frames
    assert (frame.name, frame.width, frame.height, frame.subset) == ("a1.jpg", 20, 10, "validation")
    assert [(t.label, [(a.name, a.value) for a in t.attributes]) for t in frame.tags] == [("Car", [("score", "0")])]
    box, segment = frame.shapes
    assert box.type == ShapeType.RECTANGLE and box.label == "Person" and box.occluded
    assert box.points == pytest.approx((2, 2, 10, 10))
    assert {(a.name, a.value) for a in box.attributes} == {("truncated", "false"), ("is_group_of", "true"),
                                                           ("is_inside", "false")}
    assert segment.type == ShapeType.MASK and segment.points[-4:] == (4, 2, 9, 5)
    assert {(a.name, a.value) for a in segment.attributes} == {("box_id", "box1"), ("predicted_iou", "0.9")}


@pytest.mark.parametrize(("row", "message"), [
    ("a1,x,/m/1,1,0.1,1.5,0.2,0.3,0,0,0,0,0", "line 2: XMax 1.5 is outside the image"),
    ("a1,x,/m/1,1,0.6,0.5,0.2,0.3,0,0,0,0,0", "line 2: expected XMin <= XMax and YMin <= YMax"),
    ("a1,x,/m/1,1,zero,0.5,0.2,0.3,0,0,0,0,0", "line 2: XMin: expected a number, got 'zero'"),
    ("b2,x,/m/1,1,0.1,0.5,0.2,0.3,0,0,0,0,0", "line 2: the size of image 'b2' is unknown"),
])
def test_bad_rows(tmp_path: Path, row: str, message: str) -> None:
    with pytest.raises(MalformedFile) as info:
        _load(tmp_path, {"annotations/images.meta": "a1 10 20\n", "annotations/t-annotations-bbox.csv": BOX_HEADER + row})
    assert str(info.value).startswith("annotations/t-annotations-bbox.csv, ") and message in str(info.value)


def test_an_archive_without_annotations_is_refused(tmp_path: Path) -> None:
    with pytest.raises(MalformedFile, match="oid.zip: no Open Images annotation file"):
        _load(tmp_path, {"x.txt": "x"})
