"""PASCAL VOC 1.1: round trip, the layout read by the standard library and by torchvision's
VOC datasets, boxes that keep their attributes, hand-written uploads, bad files."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET
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
    MediaFile,
    Shape,
    Tag,
    UnknownLabel,
    attributes,
    get_exporter,
)
from inklab.formats.colormaps import voc_colormap
from inklab.formats.masks import decode_mask
from inklab.vocabulary import ShapeType
from tests.formats.roundtrip import assert_images_roundtrip, assert_roundtrip, export_to, sample_dataset
from tests.formats.samples import frames_by_name, load, png, png_image, zip_files

NAME = "PASCAL VOC 1.1"
FMT = get_exporter(NAME)


def test_roundtrip_matches_the_fidelity_table(tmp_path: Path) -> None:
    assert_roundtrip(FMT, tmp_path)


def test_roundtrip_with_images(tmp_path: Path) -> None:
    assert_images_roundtrip(FMT, tmp_path)


def test_boxes_keep_attributes_occluded_and_rotation(tmp_path: Path) -> None:
    imported = {f.name: f for f in assert_roundtrip(FMT, tmp_path).frames}
    box = next(s for s in imported["frame_000.png"].shapes if s.type == ShapeType.RECTANGLE and s.rotation)
    original = sample_dataset().frames[0].shapes[0]
    assert box.points == original.points and box.rotation == 30.0 and box.occluded
    assert sorted((a.name, a.value) for a in box.attributes) == sorted((a.name, a.value) for a in original.attributes)


def test_layout_read_with_the_standard_library(tmp_path: Path) -> None:
    archive = zipfile.ZipFile(export_to(FMT, sample_dataset(), tmp_path / "voc.zip"))
    assert sorted(archive.namelist()) == [
        "Annotations/frame_000.xml", "Annotations/frame_001.xml", "Annotations/frame_003.xml",
        "Annotations/sub/frame_002.xml", "ImageSets/Main/default.txt", "ImageSets/Main/scene_default.txt",
        "ImageSets/Main/scene_train.txt", "ImageSets/Main/train.txt", "ImageSets/Segmentation/train.txt",
        "SegmentationClass/frame_000.png", "SegmentationObject/frame_000.png", "labelmap.txt"]
    root = ET.fromstring(archive.read("Annotations/frame_000.xml"))
    assert root.tag == "annotation" and root.findtext("filename") == "frame_000.png"
    assert (root.findtext("size/width"), root.findtext("size/height"), root.findtext("segmented")) == ("64", "48", "1")
    objects = root.findall("object")
    assert [(o.findtext("name"), [o.findtext(f"bndbox/{k}") for k in ("xmin", "ymin", "xmax", "ymax")])
            for o in objects] == [("car", ["5.5", "6.25", "30", "25"]), ("car", ["2", "2", "12", "12"])]
    first = objects[0]
    assert (first.findtext("occluded"), first.findtext("truncated"), first.findtext("difficult"),
            first.findtext("pose")) == ("1", "0", "0", "Unspecified")
    assert {a.findtext("name"): a.findtext("value") for a in first.iter("attribute")} == {
        "color": "blue", "parked": "true", "speed": "35", "plate": "AB 12", "kind": "van", "rotation": "30"}
    assert archive.read("ImageSets/Main/train.txt").decode() == "frame_000\nframe_001\n"
    assert archive.read("ImageSets/Main/scene_train.txt").decode() == "frame_000 1\nframe_001 -1\n"
    assert archive.read("ImageSets/Main/scene_default.txt").decode() == "sub/frame_002 1\nframe_003 -1\n"
    assert archive.read("labelmap.txt").decode().splitlines()[1:] == [
        "background:0,0,0::", "car:255,0,0::", "road:0,255,0::", "scene:51,51,51::"]
    classes = Image.open(io.BytesIO(archive.read("SegmentationClass/frame_000.png")))
    assert classes.mode == "P" and classes.size == (64, 48)
    assert classes.getpalette()[:9] == [0, 0, 0, 255, 0, 0, 0, 255, 0]
    values = np.array(classes)
    assert values[43, 30] == 2 and values[20, 44] == 1  # the road polygon, the car ellipse
    objects_png = np.array(Image.open(io.BytesIO(archive.read("SegmentationObject/frame_000.png"))))
    assert sorted(np.unique(objects_png).tolist()) == [0, 1, 2, 3]  # polygon, ellipse, mask


def _jpeg(index: int, name: str) -> MediaFile:
    data = png_image(index, (64, 48), "JPEG")
    return MediaFile(name, lambda: io.BytesIO(data))


def test_torchvision_voc_datasets_read_the_export(tmp_path: Path) -> None:
    datasets = pytest.importorskip("torchvision.datasets")
    frames = [
        Frame(0, "2008_000001.jpg", 64, 48, "train", image=_jpeg(0, "2008_000001.jpg"), shapes=(
            Shape(ShapeType.RECTANGLE, "cat", (4, 5, 20, 30), attributes=attributes(difficult=True)),
            Shape(ShapeType.POLYGON, "dog", (30, 10, 60, 10, 60, 40, 30, 40)),
        )),
        Frame(1, "2008_000002.jpg", 64, 48, "train", image=_jpeg(1, "2008_000002.jpg"), shapes=(
            Shape(ShapeType.RECTANGLE, "dog", (1, 1, 63, 47), occluded=True),)),
    ]
    dataset = Dataset((LabelSpec("cat"), LabelSpec("dog")), frames)
    with zipfile.ZipFile(export_to(FMT, dataset, tmp_path / "voc.zip", save_images=True)) as archive:
        archive.extractall(tmp_path / "VOCdevkit" / "VOC2012")
    detection = datasets.VOCDetection(str(tmp_path), year="2012", image_set="train")
    assert len(detection) == 2
    image, target = detection[0]
    assert image.size == (64, 48)
    (cat,) = target["annotation"]["object"]
    assert cat["name"] == "cat" and cat["difficult"] == "1" and cat["bndbox"] == {
        "xmin": "4", "ymin": "5", "xmax": "20", "ymax": "30"}
    assert detection[1][1]["annotation"]["object"][0]["occluded"] == "1"
    segmentation = datasets.VOCSegmentation(str(tmp_path), year="2012", image_set="train")
    assert len(segmentation) == 1  # only the frame with a polygon has masks
    _, mask = segmentation[0]
    values = np.array(mask)
    assert values.shape == (48, 64) and values[25, 45] == 2 and values[5, 5] == 0
    assert set(np.unique(values).tolist()) == {0, 2}  # boxes are not drawn into VOC masks


ANNOTATION = """<annotation>
\t<folder>VOC2012</folder>
\t<filename>2007_000027.jpg</filename>
\t<size><width>486</width><height>500</height><depth>3</depth></size>
\t<segmented>0</segmented>
\t<object>
\t\t<name>person</name>
\t\t<pose>Unspecified</pose>
\t\t<truncated>1</truncated>
\t\t<difficult>0</difficult>
\t\t<bndbox><xmin>174</xmin><ymin>101</ymin><xmax>349</xmax><ymax>351</ymax></bndbox>
\t\t<part><name>head</name><bndbox><xmin>169</xmin><ymin>104</ymin><xmax>209</xmax><ymax>146</ymax></bndbox></part>
\t</object>
\t<object>
\t\t<name>dog</name><pose>Left</pose><truncated>0</truncated><difficult>1</difficult><occluded>1</occluded>
\t\t<bndbox><xmin>10.5</xmin><ymin>20</ymin><xmax>30</xmax><ymax>40</ymax></bndbox>
\t</object>
</annotation>
"""


def test_import_of_hand_written_annotations_lists_and_masks(tmp_path: Path) -> None:
    classes = np.zeros((4, 6), dtype=np.uint8)
    classes[1:3, 1:3] = 15  # person in the VOC classes
    classes[0, 4:6] = 12    # dog
    objects = np.zeros((4, 6), dtype=np.uint8)
    objects[1:3, 1:3] = 1
    objects[0, 4:6] = 2
    objects[3, :] = 255     # the void border is no object
    palette = [v for c in voc_colormap(256) for v in c]
    path = zip_files(tmp_path / "voc.zip", {
        "VOC2012/Annotations/2007_000027.xml": ANNOTATION,
        "VOC2012/ImageSets/Main/trainval.txt": "2007_000027\n2007_000032\n",
        "VOC2012/ImageSets/Main/dog_trainval.txt": "2007_000027 -1\n2007_000032  1\n",
        "VOC2012/ImageSets/Segmentation/trainval.txt": "2007_000032\n",
        "VOC2012/SegmentationClass/2007_000032.png": png(classes, "P", palette),
        "VOC2012/SegmentationObject/2007_000032.png": png(objects, "P", palette),
    })
    dataset = load(NAME, path)
    assert [label.name for label in dataset.labels][:3] == ["aeroplane", "bicycle", "bird"]  # no labelmap: VOC's
    frames = frames_by_name(dataset)
    assert set(frames) == {"2007_000027.jpg", "2007_000032"}
    first = frames["2007_000027.jpg"]
    assert (first.width, first.height, first.subset, first.tags) == (486, 500, "trainval", ())
    person, dog = first.shapes
    assert (person.label, person.points, person.attribute("truncated"), person.occluded) == (
        "person", (174, 101, 349, 351), "true", False)
    assert (dog.points, dog.occluded, dog.attribute("difficult"), dog.attribute("pose")) == (
        (10.5, 20, 30, 40), True, "true", "Left")
    second = frames["2007_000032"]
    assert [t.label for t in second.tags] == ["dog"] and (second.width, second.height) == (6, 4)
    masks = {s.label: decode_mask(s.points) for s in second.shapes}
    assert set(masks) == {"person", "dog"}
    bitmap, left, top = masks["person"]
    assert (left, top) == (1, 1) and bitmap.shape == (2, 2) and bitmap.all()


def test_import_of_a_flat_zip_of_xml_files_and_of_color_masks(tmp_path: Path) -> None:
    frames = load(NAME, zip_files(tmp_path / "flat.zip", {"2007_000027.xml": ANNOTATION})).frames
    assert [s.label for s in frames[0].shapes] == ["person", "dog"]
    rgb = np.zeros((2, 3, 3), dtype=np.uint8)
    rgb[0, 0] = (10, 20, 30)
    path = zip_files(tmp_path / "rgb.zip", {"labelmap.txt": "# label:color_rgb:parts:actions\n"
                                                            "background:0,0,0::\nsign:10,20,30::\n",
                                            "SegmentationClass/a.png": png(rgb)})
    (frame,) = load(NAME, path).frames
    assert [(s.label, s.points[-4:]) for s in frame.shapes] == [("sign", (0, 0, 0, 0))]


@pytest.mark.parametrize(("files", "message"), [
    ({"Annotations/a.xml": "<annotation><object><name>cat</name>\n<bndbox></annotation>"},
     "Annotations/a.xml, line 2, column 11: invalid XML (mismatched tag)"),
    ({"Annotations/a.xml": "<annotation><object>\n<name>cat</name>\n<bndbox><xmin>1</xmin></bndbox></object></annotation>"},
     "Annotations/a.xml, line 3, <bndbox>: <ymin> is missing"),
    ({"Annotations/a.xml": "<annotation><object><name>cat</name><bndbox>\n<xmin>one</xmin><ymin>1</ymin><xmax>2</xmax>"
                           "<ymax>2</ymax></bndbox></object></annotation>"},
     "Annotations/a.xml, line 2, <xmin>: expected a number, got 'one'"),
    ({"Annotations/a.xml": "<annotation><size><width>10</width><height>10</height></size>\n<object><name>cat</name>"
                           "<bndbox><xmin>1</xmin><ymin>1</ymin><xmax>20</xmax><ymax>2</ymax></bndbox></object>"
                           "</annotation>"},
     "Annotations/a.xml, line 2, <bndbox>: the box (1, 1, 20, 2) is outside the 10x10 image"),
    ({"Annotations/a.xml": "<annotation><object><bndbox/></object></annotation>"},
     "Annotations/a.xml, line 1, <object>: an <object> needs a <name>"),
    ({"Annotations/a.xml": "<voc/>"}, "Annotations/a.xml, line 1, <voc>: expected <annotation>"),
    ({"ImageSets/Main/train.txt": "a\n", "ImageSets/Main/cat_train.txt": "a 1\nb yes\n"},
     "ImageSets/Main/cat_train.txt, line 2: expected '<id> 1' or '<id> -1'"),
    ({"labelmap.txt": "background:0,0,0::\ncat:1,2::\n"}, "labelmap.txt, line 2: expected a color"),
    ({"SegmentationClass/a.png": png(np.full((2, 2, 3), 7, dtype=np.uint8))},
     "SegmentationClass/a.png, pixel (0, 0): the color (7, 7, 7) is not in the label map"),
    ({"SegmentationObject/a.png": png(np.ones((2, 2), dtype=np.uint8), "L")},
     "SegmentationObject/a.png: the labels of its objects come from SegmentationClass/a.png, which is missing"),
    ({"SegmentationClass/a.png": png(np.full((2, 2), 40, dtype=np.uint8), "L")},
     "SegmentationClass/a.png, pixel (0, 0): class 40 is not in the label map"),
    ({"readme.txt": "x"}, "bad.zip: no VOC annotations found"),
])
def test_bad_files_name_the_file_and_the_place(tmp_path: Path, files: dict[str, str | bytes], message: str) -> None:
    with pytest.raises(MalformedFile) as info:
        load(NAME, zip_files(tmp_path / "bad.zip", files))
    assert str(info.value).startswith(message), str(info.value)


def test_an_unknown_label_names_the_file_and_line(tmp_path: Path) -> None:
    path = zip_files(tmp_path / "u.zip", {"Annotations/2007_000027.xml": ANNOTATION})
    with pytest.raises(UnknownLabel) as info:
        load(NAME, path, labels=(LabelSpec("person"), LabelSpec("cat")))
    assert str(info.value).startswith("Annotations/2007_000027.xml, line 15, <name>: label 'dog' is not defined"), \
        str(info.value)


def test_tags_come_back_from_the_classification_lists(tmp_path: Path) -> None:
    frames = [Frame(i, f"{i}.jpg", 8, 8, "val", tags=tuple(Tag(t) for t in tags))
              for i, tags in enumerate([["cat"], ["cat", "dog"], []])]
    export_to(FMT, Dataset((LabelSpec("cat"), LabelSpec("dog")), frames), tmp_path / "t.zip")
    assert zipfile.ZipFile(tmp_path / "t.zip").read("ImageSets/Main/dog_val.txt") == b"0 -1\n1 1\n2 -1\n"
    back = {f.name: (f.subset, [t.label for t in f.tags]) for f in load(NAME, tmp_path / "t.zip").frames}
    assert back == {"0.jpg": ("val", ["cat"]), "1.jpg": ("val", ["cat", "dog"]), "2.jpg": ("val", [])}
