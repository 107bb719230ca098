"""LabelMe 3.0: round trip, the XML read with the standard library and masks with Pillow,
hand-written annotations (flat layout, masks, deleted objects, escapes), bad files."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from inklab.formats import Dataset, MalformedFile, get_exporter
from inklab.formats.labelme import format_attributes, parse_attributes
from inklab.formats.masks import decode_mask
from inklab.vocabulary import ShapeType
from tests.formats.roundtrip import assert_images_roundtrip, assert_roundtrip, export_to, sample_dataset
from tests.formats.samples import load, zip_files

FMT = get_exporter("LabelMe 3.0")


def _load(tmp_path: Path, files: dict[str, bytes | str]) -> Dataset:
    return load("LabelMe 3.0", zip_files(tmp_path / "labelme.zip", files))


def test_roundtrip_matches_the_fidelity_table(tmp_path: Path) -> None:
    assert_roundtrip(FMT, tmp_path)


def test_roundtrip_with_images(tmp_path: Path) -> None:
    assert_images_roundtrip(FMT, tmp_path)


def test_layout_and_xml_read_by_the_standard_library(tmp_path: Path) -> None:
    archive = zipfile.ZipFile(export_to(FMT, sample_dataset(), tmp_path / "l.zip"))
    assert sorted(archive.namelist()) == ["default/frame_003.xml", "default/sub/frame_002.xml",
                                          "train/Masks/frame_000_mask_3.png", "train/frame_000.xml",
                                          "train/frame_001.xml"]
    root = ET.fromstring(archive.read("train/frame_000.xml"))
    assert root.findtext("filename") == "frame_000.png"
    assert (root.findtext("imagesize/nrows"), root.findtext("imagesize/ncols")) == ("48", "64")
    objects = root.findall("object")
    # rectangle, polygon, ellipse (as a polygon), mask, the box track's first frame
    assert [o.findtext("name") for o in objects] == ["car", "road", "car", "road", "car"]
    box = objects[0]
    assert box.findtext("type") == "bounding_box" and box.findtext("occluded") == "yes"
    assert [(p.findtext("x"), p.findtext("y")) for p in box.findall("polygon/pt")] == [
        ("5.5", "6.25"), ("30", "6.25"), ("30", "25"), ("5.5", "25")]
    assert "rotation=30" in box.findtext("attributes") and "color=blue" in box.findtext("attributes")
    assert len(objects[2].findall("polygon/pt")) == 32
    mask = objects[3].find("segm")
    assert mask.findtext("mask") == "frame_000_mask_3.png"
    assert [mask.findtext(f"box/{k}") for k in ("xmin", "ymin", "xmax", "ymax")] == ["30", "10", "40", "19"]
    pixels = np.asarray(Image.open(io.BytesIO(archive.read("train/Masks/frame_000_mask_3.png"))))
    assert pixels.shape == (48, 64) and (pixels > 0).sum() == 10 * 11 - 9
    expected, left, top = decode_mask(sample_dataset().frames[0].shapes[6].points)
    assert np.array_equal(pixels[top:top + 10, left:left + 11] > 0, expected)


def test_attribute_escapes_round_trip() -> None:
    pairs = [("plate", 'X, Y; "Z" a=b \\ c'), ("k", "")]
    text = format_attributes(pairs)
    assert text == 'plate=X\\, Y; \\"Z\\" a\\=b \\\\ c, k='
    assert parse_attributes(text) == pairs
    assert parse_attributes("truncated, pose=left") == [("truncated", "true"), ("pose", "left")]


def _png(bitmap: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(bitmap.astype(np.uint8) * 255).save(buffer, format="PNG")
    return buffer.getvalue()


HAND_WRITTEN = """<annotation>
  <filename>img1.jpg</filename>
  <folder>collection</folder>
  <imagesize><nrows>20</nrows><ncols>30</ncols></imagesize>
  <object><name>cat</name><deleted>0</deleted><occluded>yes</occluded>
    <polygon><pt><x>1</x><y>2</y></pt><pt><x>10</x><y>2</y></pt><pt><x>10</x><y>12</y></pt></polygon>
    <attributes>fluffy, colour=black\\, white</attributes></object>
  <object><name>dog</name><deleted>0</deleted><occluded>no</occluded><type>bounding_box</type>
    <polygon><pt><x>3</x><y>4</y></pt><pt><x>8</x><y>4</y></pt><pt><x>8</x><y>9</y></pt><pt><x>3</x><y>9</y></pt>
    </polygon></object>
  <object><name>ghost</name><deleted>1</deleted>
    <polygon><pt><x>0</x><y>0</y></pt></polygon></object>
  <object><name>dog</name><deleted>0</deleted>
    <segm><mask>img1_mask1.png</mask><box><xmin>5</xmin><ymin>6</ymin><xmax>6</xmax><ymax>6</ymax></box></segm>
  </object>
</annotation>"""


def test_import_of_a_hand_written_flat_archive(tmp_path: Path) -> None:
    bitmap = np.zeros((20, 30), dtype=bool)
    bitmap[6, 5:7] = True
    dataset = _load(tmp_path, {"img1.xml": HAND_WRITTEN, "Masks/img1_mask1.png": _png(bitmap)})
    (frame,) = dataset.frames
    assert (frame.name, frame.width, frame.height, frame.subset) == ("img1.jpg", 30, 20, "")
    polygon, box, mask = frame.shapes
    assert polygon.type == ShapeType.POLYGON and polygon.points == (1, 2, 10, 2, 10, 12) and polygon.occluded
    assert {(a.name, a.value) for a in polygon.attributes} == {("fluffy", "true"), ("colour", "black, white")}
    assert box.type == ShapeType.RECTANGLE and box.points == (3, 4, 8, 9) and not box.occluded
    assert mask.type == ShapeType.MASK and mask.label == "dog"
    decoded, left, top = decode_mask(mask.points)
    assert (left, top) == (5, 6) and decoded.shape == (1, 2) and decoded.all()


@pytest.mark.parametrize(("xml", "files", "message"), [
    ("<annotation><object>", {}, "a.xml, line 1, column 21: invalid XML"),
    ("<annotation><imagesize><nrows>10</nrows><ncols>10</ncols></imagesize>\n<object><name>x</name>\n<polygon>"
     "<pt><x>1</x><y>1</y></pt><pt><x>50</x><y>1</y></pt><pt><x>1</x><y>5</y></pt></polygon></object></annotation>",
     {}, "a.xml, line 3, <pt>: point (50, 1) is outside the 10x10 image"),
    ("<annotation><object><name>x</name>\n<polygon><pt><x>1</x><y>1</y></pt></polygon></object></annotation>",
     {}, "a.xml, line 2, <polygon>: a polygon needs at least 3 points, got 1"),
    ("<annotation><object><name>x</name>\n<polygon><pt><x>one</x><y>1</y></pt></polygon></object></annotation>",
     {}, "a.xml, line 2, <x>: expected a number, got 'one'"),
    ("<annotation><object><name>x</name>\n<segm><mask>m.png</mask></segm></object></annotation>", {},
     "a.xml, line 2, <segm>: the mask file 'Masks/m.png' is not in the archive"),
    ("<annotation><object><name>x</name>\n<segm><mask>m.png</mask></segm></object></annotation>",
     {"Masks/m.png": b"not a png"}, "Masks/m.png: not a readable image"),
    ("<annotation>\n<object><name></name><polygon/></object></annotation>", {},
     "a.xml, line 2, <object>: the object has no <name>"),
    ("<voc/>", {}, "a.xml, line 1, <voc>: expected an <annotation> root element"),
])
def test_bad_files_name_the_file_and_element(tmp_path: Path, xml: str, files: dict[str, bytes],
                                             message: str) -> None:
    with pytest.raises(MalformedFile) as info:
        list(_load(tmp_path, {"a.xml": xml, **files}).frames)
    assert message in str(info.value), str(info.value)


def test_an_archive_without_xml_is_refused(tmp_path: Path) -> None:
    with pytest.raises(MalformedFile, match="labelme.zip: no LabelMe .xml"):
        _load(tmp_path, {"img.jpg": b"x"})
