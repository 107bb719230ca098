"""ICDAR Segmentation 1.0: round trip (overlaps painted in drawing order), the BMP read with
Pillow, hand-written ground truth, bad files."""

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
    LabelSpec,
    MalformedFile,
    Shape,
    attributes,
    get_exporter,
)
from inklab.formats.masks import decode_mask, encode_mask
from inklab.vocabulary import ShapeType
from tests.formats.roundtrip import assert_roundtrip, export_to
from tests.formats.samples import load, zip_files

FMT = get_exporter("ICDAR Segmentation 1.0")


def _load(tmp_path: Path, files: dict[str, bytes | str]) -> Dataset:
    return load("ICDAR Segmentation 1.0", zip_files(tmp_path / "icdar.zip", files))


def _bmp(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(array).save(buffer, format="BMP")
    return buffer.getvalue()


@pytest.mark.parametrize("save_images", [False, True])
def test_roundtrip_matches_the_fidelity_table(tmp_path: Path, save_images: bool) -> None:
    assert_roundtrip(FMT, tmp_path, save_images=save_images)


def test_colours_and_lines_read_with_pillow(tmp_path: Path) -> None:
    bitmap = np.zeros((20, 30), dtype=bool)
    bitmap[2:5, 20:25] = True
    frame = Frame(0, "1.png", 30, 20, shapes=(
        Shape(ShapeType.RECTANGLE, "char", (1, 1, 5, 10), attributes=attributes(text="T", color="10 20 30"), group=1),
        Shape(ShapeType.MASK, "char", encode_mask(bitmap), attributes=attributes(text="o"), group=1),
        Shape(ShapeType.POLYGON, "char", (10, 10, 15, 10, 15, 15), attributes=attributes(text="!"), group=2)))
    archive = zipfile.ZipFile(export_to(FMT, Dataset((LabelSpec("char"),), [frame]), tmp_path / "s.zip"))
    assert sorted(archive.namelist()) == ["text_segmentation/default/1_GT.bmp", "text_segmentation/default/1_GT.txt"]
    picture = np.asarray(Image.open(io.BytesIO(archive.read("text_segmentation/default/1_GT.bmp"))))
    assert picture.shape == (20, 30, 3) and tuple(picture[0, 0]) == (255, 255, 255)
    assert (np.all(picture == (10, 20, 30), axis=-1)).sum() == 4 * 9  # pixel centres inside: x 1..4, y 1..9
    lines = archive.read("text_segmentation/default/1_GT.txt").decode().split("\n")
    assert lines[0] == '10 20 30 2 5 1 1 4 9 "T"' and lines[2] == "" and lines[3].endswith('"!"')
    colour = tuple(int(v) for v in lines[1].split()[:3])
    assert np.array_equal(np.all(picture == colour, axis=-1), bitmap)


def test_import_of_hand_written_ground_truth(tmp_path: Path) -> None:
    picture = np.full((10, 12, 3), 255, dtype=np.uint8)
    picture[1:4, 1:3] = (0, 0, 255)
    picture[5:9, 6:11] = (0, 128, 0)
    dataset = _load(tmp_path, {"text_segmentation/test/7_GT.bmp": _bmp(picture),
                               "text_segmentation/test/7_GT.txt": '0 0 255 2 2 1 1 2 3 "H"\n0 128 0 8 7 6 5 10 8 "i"\n'})
    (frame,) = dataset.frames
    assert (frame.name, frame.subset, frame.width, frame.height) == ("7", "test", 12, 10)
    first, second = frame.shapes
    assert first.label == "icdar" and first.attribute("text") == "H" and first.attribute("center") == "2 2"
    bitmap, left, top = decode_mask(first.points)
    assert (left, top, bitmap.shape) == (1, 1, (3, 2)) and bitmap.all()
    assert second.attribute("color") == "0 128 0" and first.group == second.group != 0


@pytest.mark.parametrize(("files", "message"), [
    ({"t/1_GT.txt": '0 0 0 1 1 "x"\n'}, "t/1_GT.txt, line 1: the colour image 't/1_GT.bmp' is not in the archive"),
    ({"t/1_GT.txt": '300 0 0 1 1 "x"\n'}, "t/1_GT.txt, line 1: expected a colour R G B (0..255) first"),
    ({"t/1_GT.txt": '1 2 3 1 1 "x"\n', "t/1_GT.bmp": "white"}, "no pixel of t/1_GT.bmp has the colour (1, 2, 3)"),
    ({"t/1_GT.txt": '1 2 3 1 1 "x"\n', "t/1_GT.bmp": b"BMnot"}, "t/1_GT.bmp: not a readable image"),
])
def test_bad_files(tmp_path: Path, files: dict[str, str | bytes], message: str) -> None:
    files = {k: _bmp(np.full((4, 4, 3), 255, dtype=np.uint8)) if v == "white" else v for k, v in files.items()}
    with pytest.raises(MalformedFile) as info:
        _load(tmp_path, files)
    assert message in str(info.value), str(info.value)
